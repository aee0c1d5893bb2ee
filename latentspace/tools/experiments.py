"""The tools' one reader of ``dvc exp show --json`` (standard library only).

:func:`exp_show` runs the command and parses its output; :func:`all_runs` walks that output into one
record a run (the workspace, commits, their experiments), params and metrics flattened to dotted keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PARAMS_FILE = "params.yaml"
FINISHED = (None, "success")  # executor states of runs whose metrics are their own (queued, running, failed are not)


class ExperimentsError(Exception):
    """``dvc exp show`` failed or printed no list of runs. The message is one line."""


def exp_show(options: list[str], repo: str | Path = ".") -> list:
    """``dvc exp show --json`` with ``options`` (``-a``, ``-T``, ``-A``, ``--rev REV``, ``-n NUM``), run in
    ``repo``, parsed; :class:`ExperimentsError` when it fails or prints anything but a JSON list."""
    done = subprocess.run([sys.executable, "-m", "dvc", "exp", "show", "--json", *options], cwd=repo, check=False,
                          capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ExperimentsError(f"dvc exp show failed: {last}")
    try:
        shown = json.loads(done.stdout)
    except ValueError:
        raise ExperimentsError("dvc exp show printed no JSON") from None
    if not isinstance(shown, list):
        raise ExperimentsError("dvc exp show printed JSON of an unknown shape")
    return shown


def _flatten(tree: dict, prefix: str = "") -> dict:
    """A nested dict → ``{"prefix" + dotted key: leaf}``."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _short(rev: str | None) -> str | None:
    """A commit's 40-hex SHA → its first 7 digits; ``workspace`` and names unchanged."""
    if rev and len(rev) == 40 and all(c in "0123456789abcdef" for c in rev):
        return rev[:7]
    return rev


def _file_data(files: dict | None) -> dict:
    """``{path: data}`` of the files ``dvc exp show`` could read (a file with an ``error`` is left out)."""
    return {path: entry["data"] for path, entry in (files or {}).items()
            if isinstance(entry, dict) and isinstance(entry.get("data"), dict)}


def all_runs(shown: list) -> list[dict]:
    """Every run in ``dvc exp show --json``'s output: the workspace, commits (branches, tags with ``-a``,
    ``-T``, ``-A``) and each commit's experiments, in the order shown. A run is::

        {"name": experiment, branch or tag name, else the short SHA (or "workspace"),
         "rev": the full SHA (or "workspace"), "baseline": the name of the commit an experiment is based on
         (None for commits), "state": the executor's state (None, "success", "queued", "running", "failed"),
         "params": {dotted key: value} (params.yaml's keys bare, other files' as "file:key"),
         "metrics": {"file:dotted.key": value} over every metrics file, "files": {metrics file: its data}}

    A run whose ``state`` is in :data:`FINISHED` has metrics of its own.
    """
    found = []

    def visit(entry, baseline, state):
        data = entry.get("data") or {}
        params = {}
        for path, tree in _file_data(data.get("params")).items():
            params.update(_flatten(tree, "" if path == PARAMS_FILE else f"{path}:"))
        files = _file_data(data.get("metrics"))
        rev = entry.get("rev") or data.get("rev")
        name = entry.get("name") or data.get("name") or _short(rev)
        found.append({"name": name, "rev": rev, "baseline": baseline, "state": state, "params": params,
                      "files": files, "metrics": {f"{path}:{key}": value for path, tree in files.items()
                                                  for key, value in _flatten(tree).items()}})
        for experiment in entry.get("experiments") or []:
            executor = (experiment.get("executor") or {}).get("state")
            for revision in experiment.get("revs") or []:
                visit(revision, name, executor)

    for entry in shown:
        visit(entry, None, None)
    return found
