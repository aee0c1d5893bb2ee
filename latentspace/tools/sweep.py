"""A comparison page for DVC experiments and branches (no TensorFlow)::

    python3 -m latentspace.tools.sweep [--out sweep] [--repo .] [-a] [-T] [-A] [--rev REV ...] [-n NUM]

runs ``dvc exp show --json`` in ``--repo`` (the flags ``-a``/``--all-branches``, ``-T``/``--all-tags``,
``-A``/``--all-commits``, ``--rev`` and ``-n`` are passed on as given, so it compares experiments,
branches or both; :mod:`latentspace.tools.experiments` reads it) and writes the folder ``--out``
(relative to the current directory) whole or not at all: ``index.html`` (self-contained but for the
PNG figures beside it), ``runs.csv`` (one row a run; text a spreadsheet would run as a formula is
escaped) and one PNG a swept param and key metric. Prints the runs' table as Markdown. It replaces only
a folder of its own (:mod:`latentspace.tools.folders`): missing, empty, or holding nothing but what it
wrote there before (listed in its ``.latentspace-tool-output``); never the repository, a parent of it,
the home folder or ``/``. Otherwise it says why in one line and changes nothing.

The page: a table of the runs (the params that vary between them, then :func:`key_metrics`), a
figure of each key metric against each swept numeric param (one series a model; mean over seeds,
bars min–max), and the mean and standard deviation over seeds of runs of one commit that differ only in
``seed``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from latentspace.tools import folders
from latentspace.tools.experiments import ExperimentsError, all_runs, exp_show, head_commit
from latentspace.tools.folders import FolderError
from latentspace.tools.sweep_page import figures, markdown, render, runs_csv
from latentspace.tools.sweep_runs import comparable, key_columns, seed_statistics, varying_params

TOOL = "latentspace.tools.sweep"  # the name in the marker of the folders it writes (latentspace.tools.folders)


class SweepError(ExperimentsError):
    """Nothing to compare: no run has metrics. The message is one line."""


def build(shown: list, out: str | Path, command: str = "dvc exp show --json", repo: str | Path | None = None,
          head: str | None = None) -> str:
    """Write the folder ``out`` (index.html, runs.csv, figures) from ``dvc exp show --json``'s parsed output,
    whole or not at all; return the runs' Markdown table. :class:`SweepError` when no run has metrics;
    :class:`~latentspace.tools.folders.FolderError` when ``out`` is not this tool's to replace (the repository
    ``repo`` or a parent of it, a folder with files it did not write, …; see :mod:`latentspace.tools.folders`).
    ``head``: the commit the workspace is based on (:func:`~latentspace.tools.experiments.all_runs`)."""
    anchors = [repo] if repo is not None else []
    found, left = comparable(all_runs(shown, head))
    if not found:
        raise SweepError("no finished run with metrics in dvc exp show: run the pipeline or the experiments first")
    folders.check(out, TOOL, anchors)  # before the figures: a wrong --out fails at once
    params, columns = varying_params(found), key_columns(found)
    drawn, seeds = figures(found, columns), seed_statistics(found, columns)
    page = render(found, params, columns, drawn, seeds, left, command)
    with folders.tool_folder(out, TOOL, anchors) as tmp:
        (tmp / "index.html").write_text(page, encoding="utf-8")
        (tmp / "runs.csv").write_text(runs_csv(found, columns), encoding="utf-8")
        for d in drawn:
            (tmp / d["file"]).write_bytes(d["png"])
    return markdown(found, params, columns)


def _options(args: argparse.Namespace) -> list[str]:
    options = [flag for flag, on in (("-a", args.all_branches), ("-T", args.all_tags), ("-A", args.all_commits)) if on]
    for rev in args.rev or []:
        options += ["--rev", rev]
    return options + (["-n", str(args.num)] if args.num is not None else [])


def main(argv=None) -> int:
    """The command (module docstring); 0 when written, 1 with a one-line message on stderr otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].rstrip(":"))
    parser.add_argument("--out", default="sweep", help="folder to write (default sweep; replaced whole, and only "
                        "when empty or written by this tool before)")
    parser.add_argument("--repo", default=".", help="the DVC project to run dvc exp show in (default .)")
    parser.add_argument("-a", "--all-branches", action="store_true", help="passed to dvc exp show")
    parser.add_argument("-T", "--all-tags", action="store_true", help="passed to dvc exp show")
    parser.add_argument("-A", "--all-commits", action="store_true", help="passed to dvc exp show")
    parser.add_argument("--rev", action="append", help="passed to dvc exp show (repeatable)")
    parser.add_argument("-n", "--num", type=int, help="passed to dvc exp show")
    args = parser.parse_args(argv)
    options = _options(args)
    try:
        folders.check(args.out, TOOL, [args.repo])  # before dvc exp show: a wrong --out fails at once
        shown = exp_show(options, args.repo)
        print(build(shown, args.out, " ".join(["dvc exp show --json", *options]), repo=args.repo,
                    head=head_commit(args.repo)))
    except (ExperimentsError, FolderError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
