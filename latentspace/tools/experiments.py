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
# while queue workers run, dvc exp show can wait forever (pygit2's blob reader, after its writer thread met an object
# a worker had not yet written: "object not found"; seen once in CI, DVC 3.67, pygit2 1.21). Answers take time by
# the commits read: `-A` over this repository's 228 commits took 66 s (2-core EPYC), so 30 min leaves room to grow.
EXP_SHOW_TIMEOUT_S = 1800


class ExperimentsError(Exception):
    """``dvc exp show`` failed or printed no list of runs. The message is one line."""


def exp_show(options: list[str], repo: str | Path = ".", timeout_s: float = EXP_SHOW_TIMEOUT_S) -> list:
    """``dvc exp show --json`` with ``options`` (``-a``, ``-T``, ``-A``, ``--rev REV``, ``-n NUM``), run in
    ``repo``, parsed; :class:`ExperimentsError` when it fails, prints anything but a JSON list, or gives no
    answer in ``timeout_s`` seconds (it is killed)."""
    try:
        done = subprocess.run([sys.executable, "-m", "dvc", "exp", "show", "--json", *options], cwd=repo,
                              check=False, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise ExperimentsError(f"dvc exp show gave no answer in {timeout_s:g} s (it can wait forever while queue "
                               "workers run: run this again once `dvc queue status` lists none running)") from None
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


def flatten(tree: dict, prefix: str = "") -> dict:
    """A nested dict → ``{"prefix" + dotted key: leaf}``."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _short(rev: str | None) -> str | None:
    """A commit's 40-hex SHA → its first 7 digits; ``workspace`` and names unchanged."""
    return rev[:7] if _is_sha(rev) else rev


def _file_data(files: dict | None) -> dict:
    """``{path: data}`` of the files ``dvc exp show`` could read (a file with an ``error`` is left out)."""
    return {path: entry["data"] for path, entry in (files or {}).items()
            if isinstance(entry, dict) and isinstance(entry.get("data"), dict)}


def head_commit(repo: str | Path = ".") -> str | None:
    """The full SHA of ``repo``'s ``HEAD`` (the commit the workspace is based on); None when git cannot say."""
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD^{commit}"], cwd=repo, check=False,
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and _is_sha(sha) else None


def _rev(entry: dict) -> str | None:
    return entry.get("rev") or (entry.get("data") or {}).get("rev")


def _is_sha(rev) -> bool:
    return isinstance(rev, str) and len(rev) == 40 and all(c in "0123456789abcdef" for c in rev)


def all_runs(shown: list, head: str | None = None) -> list[dict]:
    """Every run in ``dvc exp show --json``'s output: the workspace, commits (branches, tags with ``-a``,
    ``-T``, ``-A``) and each commit's experiments, in the order shown. A run is::

        {"name": experiment, branch or tag name, else the short SHA (or "workspace"),
         "rev": the full SHA (or "workspace"), "baseline": the name of the commit an experiment is based on
         (None for commits), "commit": the full SHA of the commit whose code it ran (its own for a commit,
         its baseline's for an experiment, ``head`` for the workspace), "state": the executor's state (None,
         "success", "queued", "running", "failed"),
         "params": {dotted key: value} (params.yaml's keys bare, other files' as "file:key"),
         "metrics": {"file:dotted.key": value} over every metrics file, "files": {metrics file: its data}}

    A run whose ``state`` is in :data:`FINISHED` has metrics of its own. DVC lists the workspace first (a
    first entry whose rev is not a commit's SHA is the workspace, whatever its name); ``head`` is the SHA of
    the commit it is based on (:func:`head_commit`); without it, the next entry's, which is ``HEAD`` in DVC's
    default listing (no ``-a``, ``-T``, ``-A``, ``--rev``). Runs of different ``commit`` may differ in code,
    not only in params: :mod:`latentspace.tools.over_seeds` never pools them.
    """
    found = []
    first = _rev(shown[0]) if shown else None
    workspace = 0 if first is not None and not _is_sha(first) else None
    if head is None:
        head = next((_rev(entry) for index, entry in enumerate(shown) if index != workspace), None)

    def visit(entry, baseline, state, commit):
        data = entry.get("data") or {}
        params = {}
        for path, tree in _file_data(data.get("params")).items():
            params.update(flatten(tree, "" if path == PARAMS_FILE else f"{path}:"))
        files = _file_data(data.get("metrics"))
        rev = _rev(entry)
        name = entry.get("name") or data.get("name") or _short(rev)
        if commit is None:  # a commit's own, the workspace's HEAD
            commit = head if entry is workspace_entry else rev
        found.append({"name": name, "rev": rev, "baseline": baseline, "commit": commit, "state": state,
                      "params": params, "files": files,
                      "metrics": {f"{path}:{key}": value for path, tree in files.items()
                                  for key, value in flatten(tree).items()}})
        for experiment in entry.get("experiments") or []:
            executor = (experiment.get("executor") or {}).get("state")
            for revision in experiment.get("revs") or []:
                visit(revision, name, executor, rev)

    workspace_entry = shown[workspace] if workspace is not None else None
    for entry in shown:
        visit(entry, None, None, None)
    return found
