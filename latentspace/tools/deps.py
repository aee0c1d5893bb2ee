"""Each stage's code deps in dvc.yaml, written from the imports of its script (standard library only)::

    python3 -m latentspace.tools.deps           # rewrite dvc.yaml's code deps (order and comments kept)
    python3 -m latentspace.tools.deps --check   # exit 1, naming the stages, when dvc.yaml's differ

A stage's code deps are its script (``python3 -m stages.<name>``) and every project module the script
imports, transitively, function-level imports included (:func:`import_closure`); adding an import to a
module is one command here, and tests/test_dvc_yaml.py holds dvc.yaml to it. Only the ``- <path>.py``
lines of each stage's ``deps`` under ``stages/`` and ``latentspace/`` change: the script first, then the
modules in order, where the first of them stood; data deps, comments and everything else stay.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "latentspace"
CODE = re.compile(r"^(\s+)- ((?:stages|latentspace)/[\w/]+\.py)\s*$")
STAGE = re.compile(r"^  ([\w-]+):\s*$")
SCRIPT = re.compile(r"-m stages\.(\w+)")


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module an ``import`` anywhere in ``path`` names (functions' lazy imports included)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x, from .models import y
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # from pkg import submodule
    return found


def project_file(module: str, root: Path = ROOT) -> Path | None:
    """The file of a project module (``latentspace.models`` → latentspace/models.py), None for others."""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return None
    parts = module.split(".")
    for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def import_closure(script: Path, root: Path = ROOT) -> set[str]:
    """``script`` and every project file it imports, transitively (importing a.b runs a/__init__.py)."""
    todo, seen = [script], set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            for module in imported_modules(path, root):
                parts = module.split(".")
                todo.extend(f for i in range(1, len(parts) + 1) if (f := project_file(".".join(parts[:i]), root)))
    return {str(path.relative_to(root)) for path in seen}


def rewritten(text: str, root: Path = ROOT) -> tuple[str, list[str]]:
    """dvc.yaml's ``text`` with every stage's code deps from its script's closure, and the stages changed."""
    lines, out, changed = text.split("\n"), [], []
    stage, script, i = None, None, 0
    while i < len(lines):
        line = lines[i]
        found = STAGE.match(line)
        if found:
            stage, script = found.group(1), None
            block = []
            for later in lines[i + 1:]:
                if STAGE.match(later) or (later and not later.startswith(" ")):
                    break
                block.append(later)
            match = SCRIPT.search("\n".join(block))
            script = match.group(1) if match else None
        code = CODE.match(line)
        if code and script:
            indent, first = code.group(1), []
            while i < len(lines) and CODE.match(lines[i]):
                first.append(CODE.match(lines[i]).group(2))
                i += 1
            closure = import_closure(root / "stages" / f"{script}.py", root)
            own = f"stages/{script}.py"
            wanted = [own, *sorted(closure - {own})]
            if first != wanted:
                changed.append(stage)
            out.extend(f"{indent}- {path}" for path in wanted)
            continue
        out.append(line)
        i += 1
    return "\n".join(out), changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].rstrip(":"))
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when dvc.yaml's deps differ")
    args = parser.parse_args(argv)
    path = ROOT / "dvc.yaml"
    text = path.read_text(encoding="utf-8")
    new, changed = rewritten(text)
    if args.check:
        if changed:
            print(f"dvc.yaml: the code deps of {', '.join(changed)} differ from their imports; "
                  "run python3 -m latentspace.tools.deps", file=sys.stderr)
            return 1
        return 0
    if new != text:
        tmp = path.with_name(".dvc.yaml.tmp-deps")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(path)
    print(f"dvc.yaml: {len(changed)} stages' code deps rewritten" + (f" ({', '.join(changed)})" if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
