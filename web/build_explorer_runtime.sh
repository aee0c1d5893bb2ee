#!/usr/bin/env bash
# Writes explorer/tfjs.js: TensorFlow.js's core, its WebAssembly backend (with its SIMD binary, as
# base64 in TFJS_WASM_SIMD: the page hands it to the backend itself, fetching nothing) and its CPU
# backend (the fallback), the minified UMD builds of the versions pinned in package.json and
# package-lock.json. The explore stage inlines it into report/explore.html so that the page decodes
# codes with no server and no network. The output is committed (the pipeline needs no node); it is a
# function of those three files alone.
#
# Usage: web/build_explorer_runtime.sh [OUTPUT]   (run it from anywhere; needs node and npm)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
output="${1:-$here/explorer/tfjs.js}"
cd "$here"

. ./node_modules.sh  # node_modules as package.json and package-lock.json pin it

node - "$output" <<'JS'
const fs = require("fs");
const output = process.argv[2];
const bundles = [  // load order: the backends register themselves with the core's global `tf`
    ["@tensorflow/tfjs-core", "dist/tf-core.min.js"],
    ["@tensorflow/tfjs-backend-cpu", "dist/tf-backend-cpu.min.js"],
    ["@tensorflow/tfjs-backend-wasm", "dist/tf-backend-wasm.min.js"],
];
const wasm = "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm";
const parts = bundles.map(([name, file]) => {
    const version = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
    let code = fs.readFileSync(`node_modules/${name}/${file}`, "utf8");
    code = code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n").trimEnd();  // the source map is not shipped
    return `// ${name} ${version} (npm, ${file}; Apache License 2.0)\n${code}\n`;
});
parts.push(`// ${wasm} (npm; Apache License 2.0), base64\n` +
           `var TFJS_WASM_SIMD = "${fs.readFileSync(`node_modules/${wasm}`).toString("base64")}";\n`);
const text = "// Written by web/build_explorer_runtime.sh: do not edit by hand.\n" + parts.join("\n");
fs.writeFileSync(output, text);
console.log(`wrote ${output} (${Buffer.byteLength(text)} bytes)`);
JS
