"""What a script imports of the project, read from its source (standard library only).

A stage's code deps are its script (``python3 -m stages.<name>``), every project module the script
imports, transitively, function-level imports included (:func:`import_closure`), and the folders those
modules read beside themselves (their ``READS``: the pages' templates; :func:`code_deps`); latentspace/tools/pipeline.py
writes them into dvc.yaml, and tests/test_imports.py finds import circles with :func:`imported_modules`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "latentspace"


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
    """The file of a project module (``latentspace.models.architectures`` → latentspace/models/architectures.py), None for others."""
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


def reads(path: Path, root: Path = ROOT) -> list[str]:
    """The folder a module reads beside itself, as its module-level ``READS = "<folder>"`` names it (a string
    literal, read from the source, never run), relative to ``root``; [] for a module without one."""
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "READS" for t in node.targets) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return [str((path.parent / node.value.value).relative_to(root))]
    return []


def code_deps(script: Path, root: Path = ROOT) -> set[str]:
    """:func:`import_closure` and the folders its modules read (:func:`reads`): what a change to reruns the script."""
    closure = import_closure(script, root)
    return closure | {folder for path in closure for folder in reads(root / path, root)}
