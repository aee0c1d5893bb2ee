#!/usr/bin/env bash
# Writes ../.dvc/plots/offline.html: DVC's HTML page for `dvc plots show` with Vega, Vega-Lite and
# vega-embed inlined (the minified UMD builds of the versions pinned in package.json and
# package-lock.json), so that dvc_plots/index.html draws its charts with no network. DVC's default
# page loads them from cdn.jsdelivr.net instead. .dvc/config's `plots.html_template` points at the
# output (relative to .dvc/, as DVC resolves that option).
#
# Usage: web/build_plots_template.sh [OUTPUT]   (run it from anywhere; needs node and npm)
# Installs node_modules with `npm ci` (from the lock file) unless the pinned versions are already
# there. The output is a function of those three files alone: rebuilding gives the same bytes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
output="${1:-$here/../.dvc/plots/offline.html}"
cd "$here"

. ./node_modules.sh  # node_modules as package.json and package-lock.json pin it

node - "$output" <<'EOF'
const fs = require("fs");
const path = require("path");

const output = process.argv[2];
const bundles = [  // load order: vega-lite needs vega, vega-embed needs both
    ["vega", "build/vega.min.js"],
    ["vega-lite", "build/vega-lite.min.js"],
    ["vega-embed", "build/vega-embed.min.js"],
];
// DVC fills these with str.replace over the whole page: none may occur inside the libraries.
// {scripts} is deliberately absent from the page: DVC would put its CDN <script> tags there.
const placeholders = ["{plot_divs}", "{scripts}", "{refresh_tag}"];

const scripts = bundles.map(([name, file]) => {
    const version = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
    let code = fs.readFileSync(`node_modules/${name}/${file}`, "utf8");
    // The source map is not shipped: drop the comment that points the browser's devtools at it.
    code = code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n").trimEnd();
    // "</script" would end the inline <script> element early; "<\/script" means the same in JS.
    code = code.replace(/<\/script/gi, (match) => "<\\/" + match.slice(2));
    if (code.includes("<!--")) throw new Error(`${name}: "<!--" in an inline script may change how HTML parses it`);
    for (const placeholder of placeholders) {
        if (code.includes(placeholder)) throw new Error(`${name}: contains DVC's placeholder ${placeholder}`);
    }
    return `    <!-- ${name} ${version} (npm, ${file}) -->\n    <script>\n${code}\n    </script>`;
});

// DVC's default page (dvc_render.html.PAGE_HTML) with the three libraries inlined instead of {scripts}.
const page = `<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    {refresh_tag}
    <title>DVC Plot</title>
    <!-- Written by web/build_plots_template.sh: do not edit by hand. -->
${scripts.join("\n")}
    <style>
        table {
            border-spacing: 15px;
        }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
`;
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, page);
console.log(`wrote ${output} (${page.length} characters, ${Buffer.byteLength(page)} bytes)`);
EOF
