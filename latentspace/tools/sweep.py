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
import csv
import html
import io
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, stdev

from ..names import title
from ..page_parts import PAGE_CSS, PAGE_POLICY, VERDICT_STYLE
from .. import sample_quality, samplers, separation
from . import folders
from .experiments import FINISHED, ExperimentsError, all_runs, exp_show, head_commit
from .folders import FolderError
from .over_seeds import seed_groups

# The key metrics, one column each: (file, dotted key in it, label). ``{model}`` stands for each
# section of params.yaml's ``models`` (the column's group is the model), ``*`` for any one key of
# the file (the label's ``*`` becomes that key; the group is the file's stem). The separation and
# generation columns are the measures that decide the claims, as declared in their modules (the
# generation ones for every sampler, labelled ``<sampler>_<measure>``). Add a line here when a stage
# gains another metric worth comparing; a column no run has is left out.
def key_metrics() -> tuple[tuple[str, str, str], ...]:
    """The key metrics, read from the declarations each time (a measure or sampler added there is a column)."""
    return (
        ("metrics/train/{model}.json", "val_loss", "val_loss"),
        *(("metrics/separation/{model}.json", f"{m.name}.value", m.name) for m in separation.MEASURES if m.claims),
        *(("metrics/generation/{model}.json", f"{sampler.name}.{m.name}", f"{sampler.name}_{m.name}")
          for m in sample_quality.MEASURES if m.claims for sampler in samplers.SAMPLERS),
        ("metrics/claims.json", "*.verdict", "*"),
    )


SEED = "seed"
TOOL = "latentspace.tools.sweep"  # the name in the marker of the folders it writes (latentspace.tools.folders)


class SweepError(ExperimentsError):
    """Nothing to compare: no run has metrics. The message is one line."""


@dataclass(frozen=True)
class Column:
    """A key metric's column: ``key`` as in a run's ``metrics`` ("file:dotted.key"), ``group`` (a model,
    or the file's stem) and ``label`` (the metric)."""

    key: str
    group: str
    label: str


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _ordered_union(dicts) -> list[str]:
    return list(dict.fromkeys(key for d in dicts for key in d))


def comparable(found: list[dict]) -> tuple[list[dict], list[tuple[str, str]]]:
    """The runs of :func:`latentspace.tools.experiments.all_runs` worth comparing, and ``(name, why)`` of the
    others: finished runs with metrics; the workspace is left out when it equals a shown commit (params and
    metrics)."""
    kept, left = [], []
    for run in found:
        if run["state"] not in FINISHED:
            left.append((run["name"], run["state"]))
        elif not run["metrics"]:
            left.append((run["name"], "no metrics"))
        else:
            kept.append(run)
    for run in [r for r in kept if r["rev"] == "workspace"]:
        same = [r for r in kept if r is not run and (r["params"], r["metrics"]) == (run["params"], run["metrics"])]
        if same:
            kept = [r for r in kept if r is not run]
            left.append((run["name"], f"same as {same[0]['name']}"))
    return kept, left


def models(found: list[dict]) -> list[str]:
    """The sections of params.yaml's ``models`` over the runs, in order of appearance."""
    return list(dict.fromkeys(key.split(".")[1] for run in found for key in run["params"]
                              if key.startswith("models.") and key.count(".") >= 2))


def key_columns(found: list[dict], specs=None) -> list[Column]:
    """The columns of ``specs`` (default :func:`key_metrics`) that at least one run has: each model's in
    turn, then the others."""
    specs = key_metrics() if specs is None else specs
    keys = _ordered_union(run["metrics"] for run in found)
    columns = []
    for model in models(found):
        for file, key, label in specs:
            if "{model}" in file + key:
                columns += _matches(keys, file.replace("{model}", model), key.replace("{model}", model), label, model)
    for file, key, label in specs:
        if "{model}" not in file + key:
            columns += _matches(keys, file, key, label, Path(file).stem)
    return columns


def _matches(keys: list[str], file: str, key: str, label: str, group: str) -> list[Column]:
    pattern = re.compile(re.escape(f"{file}:{key}").replace(r"\*", "([^.:]+)") + "$")
    found = []
    for candidate in keys:
        match = pattern.match(candidate)
        if match:
            found.append(Column(candidate, group, label.replace("*", match.group(1)) if match.groups() else label))
    return found


def varying_params(found: list[dict]) -> list[str]:
    """The param keys whose value differs between the runs (or that some run lacks); every key of a lone run."""
    keys = _ordered_union(run["params"] for run in found)
    if len(found) == 1:
        return keys
    return [key for key in keys
            if len({json.dumps(run["params"][key], sort_keys=True) if key in run["params"] else None
                    for run in found}) > 1]


def swept_params(found: list[dict]) -> list[str]:
    """The varying params with numeric values (``seed`` excepted): the x axes of the figures."""
    return [key for key in varying_params(found) if key != SEED
            and all(_number(run["params"][key]) for run in found if key in run["params"])
            and len({run["params"][key] for run in found if key in run["params"]}) > 1]


def header(params: list[str], columns: list[Column]) -> list[str]:
    """The table's column names: run, based on, each param's dotted key, each column's "group label"."""
    return ["run", "based on", *params, *(f"{title(c.group)} {c.label}" for c in columns)]


def table(found: list[dict], params: list[str], columns: list[Column]) -> list[list]:
    """One row a run, as :func:`header`: name, baseline, the params' values, the columns' (None: missing)."""
    return [[run["name"], run["baseline"], *(run["params"].get(p) for p in params),
             *(run["metrics"].get(c.key) for c in columns)] for run in found]


def _text(value) -> str:
    """A cell as text: blank when missing, numbers to 4 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def markdown(found: list[dict], params: list[str], columns: list[Column]) -> str:
    """:func:`table` as a Markdown table."""
    def line(cells):
        return "| " + " | ".join(_text(cell).replace("|", "\\|") for cell in cells) + " |"

    names = header(params, columns)
    return "\n".join([line(names), "| " + " | ".join("---" for _ in names) + " |",
                      *(line(row) for row in table(found, params, columns))])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def csv_cell(value) -> str | int | float:
    """``value`` as a CSV cell a spreadsheet cannot run: blank for None, JSON for lists and dicts, and text that
    starts like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) but is not a number prefixed with
    ``'`` (OWASP's rule); numbers (``-1`` too, as a number or as text) stay as they are."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def runs_csv(found: list[dict], columns: list[Column]) -> str:
    """One row a run: name, rev, baseline, every param (dotted key), then the key metrics ("file:key"); every
    cell through :func:`csv_cell` (text that a spreadsheet would take for a formula is escaped)."""
    params = _ordered_union(run["params"] for run in found)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in ["name", "rev", "baseline", *params, *(c.key for c in columns)]])
    for run in found:
        values = [run["name"], run["rev"], run["baseline"], *(run["params"].get(p) for p in params),
                  *(run["metrics"].get(c.key) for c in columns)]
        writer.writerow([csv_cell(v) for v in values])
    return buffer.getvalue()


def statistics(values: list) -> dict:
    """``{"n", "mean", "sd"}`` of numbers (``sd``: sample standard deviation, n − 1; None for n < 2), or
    ``{"n", "counts": {value: times}}`` of anything else; missing values (None) are not counted."""
    values = [v for v in values if v is not None]
    if values and all(_number(v) for v in values):
        return {"n": len(values), "mean": mean(values), "sd": stdev(values) if len(values) > 1 else None}  # exact sums
    counts: dict = {}
    for value in values:
        counts[_text(value)] = counts.get(_text(value), 0) + 1
    return {"n": len(values), "counts": counts}


def seed_statistics(found: list[dict], columns: list[Column]) -> list[dict]:
    """For each group of runs of one commit that differ only in ``seed`` (two seeds or more, one run a seed;
    :func:`~latentspace.tools.over_seeds.seed_groups`): ``{"runs": [names], "seeds": [seeds], "commit": the
    commit's SHA, "params": {varying param: value}, "stats": {column key: statistics}}``."""
    varying = [p for p in varying_params(found) if p != SEED]
    groups = []
    for group in seed_groups([run for run in found if SEED in run["params"]]):
        groups.append({"runs": [run["name"] for run in group], "seeds": [run["params"][SEED] for run in group],
                       "commit": group[0].get("commit"),
                       "params": {p: group[0]["params"].get(p) for p in varying},
                       "stats": {c.key: statistics([run["metrics"].get(c.key) for run in group]) for c in columns}})
    return groups


def contexts(found: list[dict], param: str) -> list[tuple[str, list[dict]]]:
    """The runs with a value of ``param`` grouped by every other param but ``seed``, as ``(label, runs)``; only
    groups with two values of ``param`` or more (a sweep). ``label`` names what sets a group apart ("" for one)."""
    groups: dict[str, list[dict]] = {}
    for run in found:
        if param in run["params"]:
            rest = {k: v for k, v in run["params"].items() if k not in (param, SEED)}
            groups.setdefault(json.dumps(rest, sort_keys=True), []).append(run)
    sweeps = [runs for runs in groups.values() if len({run["params"][param] for run in runs}) > 1]
    differ = varying_params([runs[0] for runs in sweeps]) if len(sweeps) > 1 else []
    differ = [k for k in differ if k not in (param, SEED)]
    return [(", ".join(f"{k}={_text(runs[0]['params'].get(k))}" for k in differ), runs) for runs in sweeps]


def points(found: list[dict], param: str, key: str) -> list[tuple]:
    """``(x, mean, low, high, n)`` at each value ``x`` of ``param``, ascending: the mean of metric ``key`` over
    the runs at ``x`` (one run a seed), ``low``–``high`` their min–max. Runs without the metric are skipped."""
    at: dict = {}
    for run in found:
        value = run["metrics"].get(key)
        if _number(value):
            at.setdefault(run["params"][param], {}).setdefault(run["params"].get(SEED), value)
    return [(x, mean(v), min(v), max(v), len(v))
            for x, v in ((x, list(by_seed.values())) for x, by_seed in sorted(at.items()))]


def sweep_figure(param: str, label: str, series: dict[tuple[str, str], list[tuple]]):
    """``label`` against ``param``: ``series[(group, context)]`` is :func:`points`' list; one colour a group,
    one line style a context; markers at the means, bars min–max over seeds. Log x when it spans ×10."""
    from ..plotting import CLASS_COLOURS, plt

    figure, ax = plt.subplots(figsize=(6.5, 4.2))
    groups = list(dict.fromkeys(group for group, _ in series))
    styles = list(dict.fromkeys(context for _, context in series))
    xs = [p[0] for line in series.values() for p in line]
    for (group, context), line in series.items():
        x, middle, low, high, _ = zip(*line)
        below = [max(m - lo, 0.0) for m, lo in zip(middle, low)]
        above = [max(hi - m, 0.0) for m, hi in zip(middle, high)]
        ax.errorbar(x, middle, yerr=[below, above],  # max: a mean may round just outside min–max
                    fmt="o", linestyle=["-", "--", ":", "-."][styles.index(context) % 4], capsize=3,
                    color=CLASS_COLOURS(groups.index(group) % 10),
                    label=title(group) + (f" ({context})" if context else ""))
    log = min(xs) > 0 and max(xs) >= 10 * min(xs)
    if log:
        ax.set_xscale("log")
    if len(set(xs)) <= 8:  # ticks at the values run
        ax.set_xticks(sorted(set(xs)), [_text(x) for x in sorted(set(xs))])
        ax.minorticks_off()
    ax.set_xlabel(param + (" (log scale)" if log else ""))
    ax.set_ylabel(label)
    ax.set_title(f"{label} against {param}", fontsize=10)
    ax.legend(fontsize=8)
    figure.tight_layout()
    return figure


def _file_name(*parts: str) -> str:
    return "--".join(re.sub(r"[^A-Za-z0-9._-]+", "_", part) for part in parts) + ".png"


def figures(found: list[dict], columns: list[Column]) -> list[dict]:
    """``{"param", "label", "file", "png"}`` for each swept param and numeric key metric with a sweep to draw."""
    from ..outputs import figure_png

    by_label: dict[str, list[Column]] = {}
    for column in columns:
        by_label.setdefault(column.label, []).append(column)
    drawn = []
    for param in swept_params(found):
        sweeps = contexts(found, param)
        for label, group_columns in by_label.items():
            series = {(c.group, context): line for c in group_columns for context, runs in sweeps
                      if (line := points(runs, param, c.key))}
            if series:
                drawn.append({"param": param, "label": label, "file": _file_name(param, label),
                              "png": figure_png(sweep_figure(param, label, series))})
    return drawn


def _cell(value) -> str:
    style = VERDICT_STYLE.get(value) if isinstance(value, str) else None
    text = html.escape(_text(value))
    return f'<td style="{style}">{text}</td>' if style else f"<td>{text}</td>"


def _runs_table(found: list[dict], params: list[str], columns: list[Column]) -> str:
    e = html.escape
    groups = list(dict.fromkeys(c.group for c in columns))
    top = ('<tr><th rowspan="2">run</th><th rowspan="2">based on</th>'
           + (f'<th colspan="{len(params)}">params</th>' if params else "")
           + "".join(f'<th colspan="{sum(c.group == g for c in columns)}">{e(title(g))}</th>' for g in groups) + "</tr>")
    second = ("<tr>" + "".join(f"<th>{e(p)}</th>" for p in params)
              + "".join(f"<th>{e(c.label)}</th>" for c in columns) + "</tr>")
    body = "".join("<tr>" + f"<th>{e(_text(row[0]))}</th>" + "".join(_cell(v) for v in row[1:]) + "</tr>"
                   for row in table(found, params, columns))
    return f'<table class="runs">{top}{second}{body}</table>'


def _seeds_section(groups: list[dict], columns: list[Column]) -> str:
    e = html.escape
    if not groups:
        return "<p>No runs differ only in <code>seed</code>.</p>"
    parts = []
    for group in groups:
        setting = ", ".join(f"{k}={_text(v)}" for k, v in group["params"].items())
        rows = []
        for c in columns:
            s = group["stats"][c.key]
            if "counts" in s:
                value = ", ".join(f"{k} ×{n}" for k, n in s["counts"].items())
                rows.append(f"<tr><th>{e(title(c.group))}</th><th>{e(c.label)}</th><td>{s['n']}</td>"
                            f'<td colspan="2">{e(value)}</td></tr>')
            else:
                rows.append(f"<tr><th>{e(title(c.group))}</th><th>{e(c.label)}</th><td>{s['n']}</td>"
                            f"<td>{e(_text(s['mean']))}</td><td>{e(_text(s['sd']))}</td></tr>")
        runs = ", ".join(f"{name} (seed {_text(seed)})" for name, seed in zip(group["runs"], group["seeds"]))
        commit = f" (commit {str(group['commit'])[:7]})" if group.get("commit") else ""
        parts.append(f"<h3>{e(setting or 'the shown params')}{e(commit)}</h3><p>Runs: {e(runs)}.</p>"
                     "<table><tr><th>group</th><th>metric</th><th>n</th><th>mean</th><th>sd</th></tr>"
                     + "".join(rows) + "</table>")
    return "".join(parts)


def render(found: list[dict], params: list[str], columns: list[Column], drawn: list[dict], seeds: list[dict],
           left: list[tuple[str, str]], command: str = "dvc exp show --json") -> str:
    """The page as HTML: the runs' table, the sweeps' figures (by file name, beside the page), the seeds'
    statistics and the runs left out. Every string from the data is escaped."""
    e = html.escape
    sweeps = []
    for param in dict.fromkeys(d["param"] for d in drawn):
        pictures = "".join(f'<figure><img alt="{e(d["label"])} against {e(param)}" src="{e(d["file"])}">'
                           f"<figcaption>{e(d['label'])} against {e(param)}</figcaption></figure>"
                           for d in drawn if d["param"] == param)
        sweeps.append(f"<h3>{e(param)}</h3>{pictures}")
    leftover = "".join(f"<li>{e(_text(name))}: {e(_text(why))}</li>" for name, why in left)
    sampler_names = ", ".join(s.name if s.label == s.name else f"{s.name}: {s.label}" for s in samplers.SAMPLERS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{PAGE_POLICY}<title>Runs compared</title>
<style>
{PAGE_CSS}
body {{ max-width: 1400px; }} figure {{ display: inline-block; margin: 0.5em; }} .wide {{ overflow-x: auto; }}
.runs tr > th:first-child {{ text-align: left; }}
</style></head><body>
<h1>Runs compared</h1>
<p>{len(found)} runs from <code>{e(command)}</code>. The table shows the params that vary between them
(every param if there is one run) and the key metrics; a blank cell is a metric the run lacks. Losses are nats
per image on the validation split; separation scores on the evaluation split; <i>sampler</i>_<i>measure</i> scores
the decoded draws of a sampler ({e(sampler_names)}) as the judge sees them. Every value: <code>runs.csv</code>.</p>
<div class="wide">{_runs_table(found, params, columns)}</div>
<h2>Sweeps</h2>
<p>Each key metric against each numeric param that varies (not <code>seed</code>), among runs that differ in that
param alone (and in seed): markers are the mean over seeds, bars the min–max over seeds.</p>
{"".join(sweeps) or "<p>No param is swept.</p>"}
<h2>Seeds</h2>
<p>Runs of one commit that differ only in <code>seed</code>: mean and sample standard deviation (n − 1) over seeds; verdicts
counted. <code>python3 -m latentspace.tools.over_seeds</code> decides the claims over seeds.</p>
{_seeds_section(seeds, columns)}
{f"<h2>Left out</h2><ul>{leftover}</ul>" if leftover else ""}
</body></html>
"""


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
