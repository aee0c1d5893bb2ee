"""What the sweep page compares: the runs' key metrics, the params that vary between them, and the spread over
seeds (latentspace/tools/sweep.py; no TensorFlow)."""

from __future__ import annotations

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, stdev

from latentspace.measures import sample_quality, separation
from latentspace.models import samplers
from latentspace.tools.experiments import FINISHED
from latentspace.tools.over_seeds import seed_groups

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


@dataclass(frozen=True)
class Column:
    """A key metric's column: ``key`` as in a run's ``metrics`` ("file:dotted.key"), ``group`` (a model,
    or the file's stem) and ``label`` (the metric)."""

    key: str
    group: str
    label: str


def number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def ordered_union(dicts) -> list[str]:
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
    keys = ordered_union(run["metrics"] for run in found)
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
    keys = ordered_union(run["params"] for run in found)
    if len(found) == 1:
        return keys
    return [key for key in keys
            if len({json.dumps(run["params"][key], sort_keys=True) if key in run["params"] else None
                    for run in found}) > 1]


def swept_params(found: list[dict]) -> list[str]:
    """The varying params with numeric values (``seed`` excepted): the x axes of the figures."""
    return [key for key in varying_params(found) if key != SEED
            and all(number(run["params"][key]) for run in found if key in run["params"])
            and len({run["params"][key] for run in found if key in run["params"]}) > 1]


def cell_text(value) -> str:
    """A cell as text: blank when missing, numbers to 4 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def statistics(values: list) -> dict:
    """``{"n", "mean", "sd"}`` of numbers (``sd``: sample standard deviation, n − 1; None for n < 2), or
    ``{"n", "counts": {value: times}}`` of anything else; missing values (None) are not counted."""
    values = [v for v in values if v is not None]
    if values and all(number(v) for v in values):
        return {"n": len(values), "mean": mean(values), "sd": stdev(values) if len(values) > 1 else None}  # exact sums
    counts: dict = {}
    for value in values:
        counts[cell_text(value)] = counts.get(cell_text(value), 0) + 1
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
