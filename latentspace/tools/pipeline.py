"""dvc.yaml, written from the stages' own declarations and imports (standard library and the stage scripts)::

    python3 -m latentspace.tools.pipeline           # write dvc.yaml
    python3 -m latentspace.tools.pipeline --check   # exit 1 when dvc.yaml is not what it writes

Each stage script declares once, in its ``STAGE`` (latentspace/core/stage.py), the files it is handed on its command
line and what DVC makes of each (a dependency, an output, a metric, a plot), the params keys it reads and whether
it runs once a model. Its code deps are its script and every project module it imports, transitively
(latentspace/tools/deps.py), so a change to a module reruns the stages that import it and no others.
:data:`CONTENTS` is the pipeline's table of contents: the stages in order, each with a line of what it does.
tests/test_dvc_yaml.py holds dvc.yaml to this command's output.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from latentspace.tools.deps import ROOT, code_deps

# The study, stage by stage, in order: what each stage is for (the header of dvc.yaml).
CONTENTS = (
    ("download", "the digits: train, validation and evaluation splits"),
    ("train", "for each model of params.yaml's `models`: trained"),
    ("codes", "its codes of every split, reconstructions and interpolations decoded"),
    ("tsne", "its evaluation codes mapped to 2-D"),
    ("separation", "how well its codes separate the classes, eight ways"),
    ("units", "how much it uses each latent dimension"),
    ("likelihood", "a VAE's IWAE bound"),
    ("baselines", "the pixels and their PCA, separated the same way"),
    ("judge", "a digit classifier, the judge of generated digits"),
    ("samplers", "for each model and each sampler: the sampler fitted to its codes, and its draws"),
    ("copies", "the training digits as the judge sees them, for telling copies from new digits"),
    ("generation", "for each model: each sampler's draws, judged"),
    ("fidelity", "for each model: reconstructions and centroids, judged"),
    ("morphometry", "the evaluation digits' shapes"),
    ("factors", "for each model: which unit carries which factor, traversals, draws' factors, the prior gap"),
    ("contrasts", "every pair of models and samplers, measured"),
    ("claims", "the original's claims, and this study's, decided"),
    ("compare", "the models side by side"),
    ("explore", "the explorer: maps, traversals and draws decoded in the browser"),
    ("report", "report/index.html"),
)
WIDTH = 110  # a command line folds at this column
NOTES = """\
# Written by `python3 -m latentspace.tools.pipeline` from each stage script's STAGE declaration and imports;
# edit those, not this file (tests/test_dvc_yaml.py holds it current). Stages run as modules
# (`python3 -m stages.train`), so they import the latentspace package of the repository they run in: a queued
# experiment's copy runs its own code, the code its deps hash. Stages with `foreach` run once a model
# (`train@vae`, …): changing one model's section reruns that model's chain, then the gathering stages.
# Every path is handed to the script on its command line; each stage reads exactly the params keys listed
# (the scripts ask DVC for them); `deps` are the data it reads, its script and every project module it imports.
# Metrics, curves and figures are git-tracked (cache: false, declared as metrics and plots, so the run cache
# still restores them); datasets, models, codes and maps live in DVC's cache.
"""


def _scalar(value: str) -> str:
    """A YAML scalar: plain, unless it starts with or holds what YAML would read as syntax; then quoted (JSON's
    quoting is YAML's)."""
    plain = (value and value.strip() == value and value[0] not in "!&*?|>'\"%@`{[#-,:"
             and ": " not in value and " #" not in value)
    return value if plain else json.dumps(value, ensure_ascii=False)


def _folded(words: list[str], indent: str) -> list[str]:
    """``cmd:``, folded (``>-``) at :data:`WIDTH` between an option and the next, or on one line when it fits."""
    line = " ".join(words)
    if len(indent) + len("cmd: ") + len(line) <= WIDTH:
        return [f"{indent}cmd: {line}"]
    lines, current = [], []
    for word in words:
        if current and word.startswith("--") and len(indent) + 2 + len(" ".join([*current, word])) > WIDTH:
            lines.append(" ".join(current))
            current = []
        current.append(word)
    lines.append(" ".join(current))
    return [f"{indent}cmd: >-", *(f"{indent}  {line}" for line in lines)]


def declaration(name: str, root: Path = ROOT):
    """The ``STAGE`` that stages/<name>.py declares (read from its file: the stage scripts are no package)."""
    spec = importlib.util.spec_from_file_location(f"stages.{name}", root / "stages" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STAGE


def stage_text(name: str, root: Path = ROOT) -> list[str]:
    """One stage of dvc.yaml, as lines."""
    declared = declaration(name, root)
    indent = "      " if declared.foreach else "    "
    words = ["python3", "-m", f"stages.{name}", *(["${key}"] if declared.named else []),
             *(f"${{item.{key}}}" for key, _ in declared.matrix)]
    for option, file in declared.files.items():
        words += [option, file.path]
    lines = [f"  {name}:", *(["    foreach: ${models}", "    do:"] if declared.foreach else [])]
    if declared.matrix:
        lines += ["    matrix:", *(f"      {key}: " + (values if isinstance(values, str) else f"[{', '.join(values)}]")
                                   for key, values in declared.matrix)]
    lines += _folded(words, indent)
    script = f"stages/{name}.py"
    code = [script, *sorted(code_deps(root / script, root) - {script})]
    lines += [f"{indent}deps:", *(f"{indent}  - {f.path}" for f in declared.files.values() if f.kind == "deps"),
              *(f"{indent}  - {path}" for path in code)]
    lines += [f"{indent}params:", *([f"{indent}  - params.yaml:"] if declared.params is None else
                                    (f"{indent}  - {key}" for key in declared.params))]
    for kind in ("outs", "metrics", "plots"):
        files = [f for f in declared.files.values() if f.kind == kind]
        if files:
            lines.append(f"{indent}{kind}:")
        for f in files:
            if kind == "outs":
                lines.append(f"{indent}  - {f.path}")
                continue
            lines += [f"{indent}  - {f.path}:", f"{indent}      cache: false",
                      *(f"{indent}      {key}: {_scalar(value)}" for key, value in f.options)]
    return lines


def text(root: Path = ROOT) -> str:
    """dvc.yaml as this command writes it."""
    width = max(len(name) for name, _ in CONTENTS)
    contents = "\n".join(f"#   {name:<{width}}  {what}" for name, what in CONTENTS)
    stages = "\n\n".join("\n".join(stage_text(name, root)) for name, _ in CONTENTS)
    return (f"# The latent-space study, as a table of contents (stage: what it does):\n{contents}\n#\n{NOTES}\n"
            f"stages:\n{stages}\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].rstrip(":"))
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when dvc.yaml differs")
    args = parser.parse_args(argv)
    path, wanted = ROOT / "dvc.yaml", text()
    found = path.read_text(encoding="utf-8") if path.exists() else ""
    if args.check:
        if found != wanted:
            print("dvc.yaml differs from the stages' declarations and imports: run python3 -m latentspace.tools.pipeline",
                  file=sys.stderr)
            return 1
        return 0
    if found != wanted:
        tmp = path.with_name(".dvc.yaml.tmp-pipeline")
        tmp.write_text(wanted, encoding="utf-8")
        tmp.replace(path)
    print("dvc.yaml: " + ("written" if found != wanted else "already current"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
