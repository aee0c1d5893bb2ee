"""The sweep page: the runs' table (HTML, Markdown, CSV), the figure of each key metric against each swept param,
and the seeds' section (latentspace/tools/sweep.py; no TensorFlow)."""

from __future__ import annotations

import csv
import io
import json
import re
from statistics import mean

from latentspace.core.names import title
from latentspace.pages.page_parts import VERDICT_STYLE
from latentspace.pages.page_parts import render as render_page
from latentspace.models import samplers
from latentspace.tools.sweep_runs import SEED, Column, cell_text, number, ordered_union, swept_params, varying_params


def header(params: list[str], columns: list[Column]) -> list[str]:
    """The table's column names: run, based on, each param's dotted key, each column's "group label"."""
    return ["run", "based on", *params, *(f"{title(c.group)} {c.label}" for c in columns)]


def table(found: list[dict], params: list[str], columns: list[Column]) -> list[list]:
    """One row a run, as :func:`header`: name, baseline, the params' values, the columns' (None: missing)."""
    return [[run["name"], run["baseline"], *(run["params"].get(p) for p in params),
             *(run["metrics"].get(c.key) for c in columns)] for run in found]


def markdown(found: list[dict], params: list[str], columns: list[Column]) -> str:
    """:func:`table` as a Markdown table."""
    def line(cells):
        return "| " + " | ".join(cell_text(cell).replace("|", "\\|") for cell in cells) + " |"

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
    params = ordered_union(run["params"] for run in found)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in ["name", "rev", "baseline", *params, *(c.key for c in columns)]])
    for run in found:
        values = [run["name"], run["rev"], run["baseline"], *(run["params"].get(p) for p in params),
                  *(run["metrics"].get(c.key) for c in columns)]
        writer.writerow([csv_cell(v) for v in values])
    return buffer.getvalue()


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
    return [(", ".join(f"{k}={cell_text(runs[0]['params'].get(k))}" for k in differ), runs) for runs in sweeps]


def points(found: list[dict], param: str, key: str) -> list[tuple]:
    """``(x, mean, low, high, n)`` at each value ``x`` of ``param``, ascending: the mean of metric ``key`` over
    the runs at ``x`` (one run a seed), ``low``–``high`` their min–max. Runs without the metric are skipped."""
    at: dict = {}
    for run in found:
        value = run["metrics"].get(key)
        if number(value):
            at.setdefault(run["params"][param], {}).setdefault(run["params"].get(SEED), value)
    return [(x, mean(v), min(v), max(v), len(v))
            for x, v in ((x, list(by_seed.values())) for x, by_seed in sorted(at.items()))]


def sweep_figure(param: str, label: str, series: dict[tuple[str, str], list[tuple]]):
    """``label`` against ``param``: ``series[(group, context)]`` is :func:`points`' list; one colour a group,
    one line style a context; markers at the means, bars min–max over seeds. Log x when it spans ×10."""
    from latentspace.pages.plotting import CLASS_COLOURS, plt

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
        ax.set_xticks(sorted(set(xs)), [cell_text(x) for x in sorted(set(xs))])
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
    from latentspace.core.outputs import figure_png

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


def _seeds(groups: list[dict], columns: list[Column]) -> list[tuple]:
    """(heading, runs, rows) a group of runs that differ only in seed: a row (group, metric, n, counts or None,
    mean, sd) a column; counts for a column of verdicts."""
    found = []
    for group in groups:
        setting = ", ".join(f"{k}={cell_text(v)}" for k, v in group["params"].items())
        rows = []
        for c in columns:
            s = group["stats"][c.key]
            counts = ", ".join(f"{k} ×{n}" for k, n in s["counts"].items()) if "counts" in s else None
            rows.append((title(c.group), c.label, s["n"], counts, *(("", "") if counts is not None else
                                                                    (cell_text(s["mean"]), cell_text(s["sd"])))))
        runs = ", ".join(f"{name} (seed {cell_text(seed)})" for name, seed in zip(group["runs"], group["seeds"]))
        commit = f" (commit {str(group['commit'])[:7]})" if group.get("commit") else ""
        found.append(((setting or "the shown params") + commit, runs, rows))
    return found


def render(found: list[dict], params: list[str], columns: list[Column], drawn: list[dict], seeds: list[dict],
           left: list[tuple[str, str]], command: str = "dvc exp show --json") -> str:
    """The page as HTML (templates/sweep.html): the runs' table, the sweeps' figures (by file name, beside the
    page), the seeds' statistics and the runs left out. Every string from the data is escaped."""
    groups = list(dict.fromkeys(c.group for c in columns))
    rows = [(cell_text(row[0]), [(cell_text(v), VERDICT_STYLE.get(v) if isinstance(v, str) else None)
                                 for v in row[1:]]) for row in table(found, params, columns)]
    sweeps = [(param, [(d["label"], d["file"]) for d in drawn if d["param"] == param])
              for param in dict.fromkeys(d["param"] for d in drawn)]
    return render_page(
        "sweep.html", count=len(found), command=command,
        sampler_names=", ".join(s.name if s.label == s.name else f"{s.name}: {s.label}" for s in samplers.SAMPLERS),
        params=params, groups=[(title(g), sum(c.group == g for c in columns)) for g in groups],
        labels=[c.label for c in columns], rows=rows, sweeps=sweeps, seeds=_seeds(seeds, columns),
        left=[(cell_text(name), cell_text(why)) for name, why in left])
