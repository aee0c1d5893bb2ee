"""The study at scale: a grid of configurations × seeds declared in ``study.yaml``, run as DVC
experiments, each finished point recorded under ``study/points/`` (committed), verdicts decided over
the seeds (no TensorFlow here)::

    python3 -m latentspace.tools.study status          # the grid: recorded, stale (older code) or to run
    python3 -m latentspace.tools.study run [--only ID] # run what is not recorded, one point after another
    python3 -m latentspace.tools.study report          # study/verdicts.{json,md} and study/index.html
    python3 -m latentspace.tools.study submit --shared DIR [--wait]  # each point a SLURM job
    python3 -m latentspace.tools.study collect --shared DIR          # commit the jobs' records

A point is one configuration (a dataset and a training-set size: params overrides) and one seed.
``run`` runs each point not yet recorded as a temporary DVC experiment (``dvc exp run --temp``), then
writes ``study/points/<id>.json`` (its overrides, the code hashes of the stages that feed its claims,
from its ``dvc.lock``, the commit, its claims and key metrics) and commits that file alone: stopping the runner at any moment
loses at most the point in progress. ``status`` and ``report`` read only the committed records, so a
fresh clone without a DVC cache lists the grid and rebuilds the page byte for byte.

On a SLURM cluster, ``submit`` makes each point not yet recorded a batch job (:func:`job_script`):
the job clones the repository at the submitter's commit into its own workspace, points DVC's cache
at the shared folder's ``cache`` (so every job and the submitter see each other's models and arrays),
runs the point as above and writes its record into the shared folder's ``points``; ``collect``
commits each finished record here, as ``run`` would have. ``--wait`` waits for the jobs, then collects.

Verdicts over seeds (:func:`pooled`): for each comparison, the mean of the seeds' differences, whose
variance is the between-seed variance over the number of seeds plus the mean of the runs' own
bootstrap variances (the evaluation digits are shared by every seed, so that part does not shrink
with more seeds); the interval is the normal one at ``bootstrap.level``, and the verdict follows the
single-run rule and margins (:func:`latentspace.claims.verdict`). Points pool only with points of
the same code.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist, mean, variance

from ..claims import INCONCLUSIVE, overall, verdict
from .experiments import ExperimentsError, all_runs, exp_show

STUDY_FILE = "study.yaml"
FOLDER = Path("study")
POINTS = FOLDER / "points"
CODE = ("stages/", "latentspace/")  # the deps whose hashes say which code a point ran
CLAIMS = "metrics/claims.json"     # a point is the claims it decides: its code is what feeds this file
# ... except the params schema: it checks params.yaml's values and hands them on unchanged (each point
# records the values it ran with), so adding a key for a new stage leaves the recorded points current.
SCHEMA = "latentspace/params.py"
KEY_METRICS = ("metrics/train/{model}.json:val_loss", "metrics/separation/{model}.json:silhouette.value",
               "metrics/separation/{model}.json:probe_accuracy.value", "metrics/likelihood/{model}.json:iwae.value")


class StudyError(ExperimentsError):
    """A broken study file or record; the message is one line naming it."""


@dataclass(frozen=True)
class Point:
    configuration: str         # e.g. "fashion-12000"
    size: int | None           # data.train_size
    seed: int
    overrides: tuple[tuple[str, object], ...]  # params: dotted key → value, seed and train size included

    @property
    def id(self) -> str:
        return f"{self.configuration}-seed{self.seed}"

    @property
    def record(self) -> Path:
        return POINTS / f"{self.id}.json"


def load_study(path: str | Path = STUDY_FILE) -> list[Point]:
    """The grid of ``study.yaml``: ``datasets`` (name → params overrides) and ``grid`` (entries of
    ``dataset``, ``train_sizes`` (null = all) and ``seeds``), plus ``overrides`` for every point."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        tree = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, YAMLError, ValueError) as exc:
        raise StudyError(f"{path}: cannot read the study ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    datasets, grid, common = tree.get("datasets"), tree.get("grid"), tree.get("overrides") or {}
    if not isinstance(datasets, dict) or not isinstance(grid, list) or not isinstance(common, dict):
        raise StudyError(f"{path}: needs 'datasets' (name: params overrides), 'grid' (a list) and maybe 'overrides'")
    points: dict[str, Point] = {}
    for number, entry in enumerate(grid, 1):
        where = f"{path}: grid entry {number}"
        if not isinstance(entry, dict) or entry.get("dataset") not in datasets:
            raise StudyError(f"{where}: 'dataset' must be one of {', '.join(map(str, datasets))}")
        sizes, seeds = entry.get("train_sizes", [None]), entry.get("seeds")
        if not isinstance(sizes, list) or not all(s is None or (isinstance(s, int) and s > 0) for s in sizes):
            raise StudyError(f"{where}: 'train_sizes' must be a list of positive integers or null")
        if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and 0 <= s < 2**32 for s in seeds):
            raise StudyError(f"{where}: 'seeds' must be a list of 32-bit seeds")
        for size in sizes:
            configuration = f"{entry['dataset']}-{size if size is not None else 'all'}"
            for seed in seeds:
                overrides = {**common, **datasets[entry["dataset"]], "data.train_size": size, "seed": seed}
                point = Point(configuration, size, seed, tuple(sorted(overrides.items())))
                points.setdefault(point.id, point)
    return list(points.values())


def code_hashes(root: Path = Path(".")) -> dict[str, str]:
    """md5 of every stage script and library module, as DVC records them in dvc.lock."""
    return {str(path.relative_to(root)): hashlib.md5(path.read_bytes()).hexdigest()
            for folder in CODE for path in sorted((root / folder).glob("*.py"))}


def upstream(lock: dict, target: str = CLAIMS) -> list[str]:
    """The stages of a dvc.lock whose outputs feed ``target`` (the stage writing it included)."""
    stages = lock.get("stages", {})
    writes = {out["path"]: name for name, stage in stages.items() for out in stage.get("outs", [])}

    def producers(path: str) -> list[str]:
        inside = lambda a, b: a == b or a.startswith(b.rstrip("/") + "/")  # noqa: E731
        return [name for out, name in writes.items() if inside(path, out) or inside(out, path)]

    todo, seen = producers(target), []
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.append(name)
            todo.extend(p for dep in stages[name].get("deps", []) for p in producers(dep["path"]))
    return sorted(seen)


def locked_code(lock: dict) -> dict[str, str]:
    """The code hashes a dvc.lock records for the stages that feed the claims (deps under :data:`CODE`):
    a change to what only draws figures or pages (compare, report) leaves recorded points current."""
    stages = lock.get("stages", {})
    return {dep["path"]: dep["md5"] for name in upstream(lock) for dep in stages[name].get("deps", [])
            if dep["path"].startswith(CODE) and dep["path"] != SCHEMA and "md5" in dep}


def read_records(folder: Path = POINTS) -> dict[str, dict]:
    """``{point id: record}`` of the committed records."""
    records = {}
    for path in sorted(folder.glob("*.json")):
        try:
            records[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StudyError(f"{path}: broken record ({exc}); delete it to run the point again") from None
    return records


def state(point: Point, records: dict[str, dict], code: dict[str, str]) -> str:
    """"recorded", "stale" (recorded with other code than the workspace's) or "to run"."""
    record = records.get(point.id)
    if record is None:
        return "to run"
    ran = {path: md5 for path, md5 in record.get("code", {}).items() if path != SCHEMA}
    return "recorded" if all(code.get(path) == md5 for path, md5 in ran.items()) else "stale"


def status(points: list[Point], records: dict[str, dict], code: dict[str, str]) -> str:
    lines = [f"{len(points)} points in {STUDY_FILE}:"]
    for point in points:
        lines.append(f"  {point.id:32} {state(point, records, code)}")
    counts = {s: sum(state(p, records, code) == s for p in points) for s in ("recorded", "stale", "to run")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)


def pooled(differences: list[float], sds: list[float], level: float, margin: float) -> dict:
    """One comparison decided over seeds: ``differences`` (one a seed) and their bootstrap sds.

    Variance of the mean difference = between-seed variance / n (0 for one seed) + mean of the
    runs' bootstrap variances; a normal interval at ``level``; the single-run verdict rule.
    """
    n = len(differences)
    centre = mean(differences)
    between = variance(differences) / n if n > 1 else 0.0
    within = mean(sd * sd for sd in sds)
    spread = math.sqrt(between + within)
    half = NormalDist().inv_cdf(0.5 + level / 2.0) * spread
    low, high = centre - half, centre + half
    return {"mean": centre, "low": low, "high": high, "sd": spread, "between_seeds": between, "evaluation": within,
            "seeds": n, "differences": differences, "verdict": verdict(centre, low, high, margin)}


def decide(records: list[dict], level: float) -> dict:
    """``{claim: {"verdict", comparison: {measure: pooled}}}`` over the records of one configuration."""
    margins = {key.rsplit(".", 1)[1]: value for key, value in records[0]["params"].items()
               if key.startswith("claims.margins.")}
    result = {}
    for claim, first in records[0]["claims"].items():
        if not all(claim in record["claims"] for record in records):
            continue
        entry, verdicts = {}, []
        for pair, measures in first.items():
            if pair == "verdict":
                continue
            for measure in measures:
                numbers = [record["claims"][claim][pair][measure] for record in records]
                decided = pooled([n["difference"] for n in numbers], [n["sd"] for n in numbers], level,
                                 margins.get(measure, 0.0))
                entry.setdefault(pair, {})[measure] = decided
                verdicts.append(decided["verdict"])
        result[claim] = {"verdict": overall(verdicts) if verdicts else INCONCLUSIVE, **entry}
    return result


def configurations(points: list[Point], records: dict[str, dict], code: dict[str, str]) -> dict[str, list[dict]]:
    """The current-code records of each configuration, in the study's order."""
    grouped: dict[str, list[dict]] = {}
    for point in points:
        if state(point, records, code) == "recorded":
            grouped.setdefault(point.configuration, []).append(records[point.id])
        else:
            grouped.setdefault(point.configuration, [])
    return {name: found for name, found in grouped.items() if found}


def matrix(points: list[Point], records: dict[str, dict], code: dict[str, str], level: float = 0.95) -> dict:
    """``{configuration: {"seeds", "size", "claims": decide(...)}}``: the verdict matrix."""
    result = {}
    for name, found in configurations(points, records, code).items():
        result[name] = {"seeds": [r["params"]["seed"] for r in found], "size": found[0].get("train_digits"),
                        "claims": decide(found, level), "metrics": summarise(found)}
        timed = [r["compute"] for r in found if "compute" in r]  # records before it was kept lack it
        if timed:
            minutes = [c["seconds"] / 60 for c in timed]  # a point partly restored from the run cache is faster
            result[name]["compute"] = {"points": len(timed), "minutes": mean(minutes),
                                       "range": [min(minutes), max(minutes)],
                                       "machines": sorted({f"{c['cpu']} ×{c['cores']}" for c in timed})}
    return result


def summarise(records: list[dict]) -> dict:
    """``{metric: {"mean", "sd", "values"}}`` of the key metrics every record of a configuration holds
    (sd over seeds: 0 for one seed)."""
    keys = [key for key in records[0].get("metrics", {})
            if all(isinstance(r.get("metrics", {}).get(key), (int, float)) for r in records)]
    result = {}
    for key in keys:
        values = [float(r["metrics"][key]) for r in records]
        result[key] = {"mean": mean(values), "sd": math.sqrt(variance(values)) if len(values) > 1 else 0.0,
                       "values": values}
    return result


def claim_figure(decided: dict, claim: str, margins: dict[str, float]) -> bytes:
    """PNG: one panel a comparison × measure of ``claim``; x the configurations (datasets × training
    sizes, in the study's order), y the difference: each seed a dot, the pooled mean with its interval,
    zero and ± the measure's margin shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..outputs import figure_png

    names = [name for name, entry in decided.items() if claim in entry["claims"]]
    panels = list(dict.fromkeys((pair, measure) for name in names for pair, measures in
                                decided[name]["claims"][claim].items() if pair != "verdict" for measure in measures))
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.4 * columns + 0.6, 2.9 * rows + 0.5), squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    for ax, (pair, measure) in zip(axes.ravel(), panels):
        margin = margins.get(measure, 0.0)
        ax.axhspan(-margin, margin, color="#eee", zorder=0)
        ax.axhline(0, color="#999", linewidth=0.8, zorder=1)
        for x, name in enumerate(names):
            cell = decided[name]["claims"][claim].get(pair, {}).get(measure)
            if cell is None:
                continue
            ax.scatter([x] * len(cell["differences"]), cell["differences"], s=12, color="#888", zorder=2)
            ax.errorbar([x + 0.15], [cell["mean"]], yerr=[[cell["mean"] - cell["low"]], [cell["high"] - cell["mean"]]],
                        fmt="o", color="#222", capsize=3, zorder=3)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_xlim(-0.5, len(names) - 0.4)
        ax.set_title(f"{pair}: {measure}", fontsize=9)
    for row in axes:
        row[0].set_ylabel("difference (first − second)", fontsize=8)
    figure.suptitle(claim, fontsize=10)
    figure.tight_layout()
    return figure_png(figure)


def page(decided: dict, margins: dict[str, float] | None = None) -> str:
    """study/index.html: the verdict matrix, then every cell's per-seed differences."""
    from ..report import PAGE_CSS, POOLED_RULE, verdict_matrix

    e = html.escape
    claims = list(dict.fromkeys(claim for entry in decided.values() for claim in entry["claims"]))
    details = []
    for name, entry in decided.items():
        for claim, result in entry["claims"].items():
            for pair, measures in result.items():
                if pair == "verdict":
                    continue
                for measure, m in measures.items():
                    values = ", ".join(f"{d:+.4g}" for d in m["differences"])
                    details.append(f"<tr><td>{e(name)}</td><td>{e(claim)}</td><td>{e(pair)}</td><td>{e(measure)}</td>"
                                   f"<td>{m['mean']:+.4g} [{m['low']:+.4g}, {m['high']:+.4g}]</td>"
                                   f"<td>{values}</td><td>{e(m['verdict'])}</td></tr>")
    import base64

    key_rows = "".join(
        f"<tr><td>{e(name)}</td><td>{e(key)}</td><td>{m['mean']:.4g} ± {m['sd']:.2g}</td>"
        f"<td>{', '.join(f'{v:.4g}' for v in m['values'])}</td></tr>"
        for name, entry in decided.items() for key, m in entry.get("metrics", {}).items())

    timed = [(name, entry["compute"]) for name, entry in decided.items() if "compute" in entry]
    compute = ("<h2>Compute</h2><p>Wall time of a point as its record keeps it (stages DVC restored from its run "
               "cache cost next to nothing).</p><table><tr><th>configuration</th>"
               "<th>points timed</th><th>minutes a point (fastest–slowest)</th><th>machine</th></tr>" + "".join(
                   f"<tr><td>{e(name)}</td><td>{c['points']}</td><td>{c['minutes']:.0f} ({c['range'][0]:.0f}–{c['range'][1]:.0f})</td>"
                   f"<td>{e(', '.join(c['machines']))}</td></tr>" for name, c in timed) + "</table>") if timed else ""
    pictures = "".join(
        f'<figure><img alt="{e(claim)} over the configurations" src="data:image/png;base64,'
        f'{base64.b64encode(claim_figure(decided, claim, margins or {})).decode("ascii")}"><figcaption>{e(claim)}: '
        f"each seed's difference (grey), the pooled mean and interval (black); the shaded band is the "
        f"measure's margin.</figcaption></figure>" for claim in claims)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The study over seeds</title>
<style>
{PAGE_CSS}
body {{ max-width: 1300px; }}
</style></head><body>
<h1>The original's claims over the study's grid</h1>
<p>{e(POOLED_RULE)}</p>
{verdict_matrix(decided)}
<h2>Each claim against the configurations</h2>
{pictures}
<h2>Key metrics over seeds</h2>
<p>Validation loss and IWAE bound in nats per image; silhouette and linear probe on the evaluation codes.</p>
<table><tr><th>configuration</th><th>metric</th><th>mean ± sd over seeds</th><th>one a seed</th></tr>{key_rows}</table>
{compute}
<h2>Per-seed values</h2>
<table><tr><th>configuration</th><th>claim</th><th>comparison</th><th>measure</th><th>mean [interval]</th>
<th>differences, one a seed</th><th>says</th></tr>{"".join(details)}</table>
</body></html>
"""


def markdown(decided: dict) -> str:
    """The verdict matrix as a Markdown table (study/verdicts.md; the README shows it)."""
    claims = list(dict.fromkeys(claim for entry in decided.values() for claim in entry["claims"]))
    lines = ["| claim | " + " | ".join(f"{name} ({len(entry['seeds'])} seed{'s' if len(entry['seeds']) > 1 else ''})"
                                      for name, entry in decided.items()) + " |",
             "| --- |" + " --- |" * len(decided)]
    for claim in claims:
        lines.append(f"| `{claim}` | " + " | ".join(
            f"**{entry['claims'][claim]['verdict']}**" if claim in entry["claims"] else "–"
            for entry in decided.values()) + " |")
    return "\n".join(lines) + "\n"


def report(points: list[Point], records: dict[str, dict], code: dict[str, str], out: Path = FOLDER) -> dict:
    """Write ``study/verdicts.json``, ``study/verdicts.md`` and ``study/index.html`` from the committed records."""
    from ..outputs import write_json, write_text

    decided = matrix(points, records, code)
    margins = {key.rsplit(".", 1)[1]: value for record in records.values() for key, value in record["params"].items()
               if key.startswith("claims.margins.")}
    write_json(out / "verdicts.json", decided)
    write_text(out / "verdicts.md", markdown(decided))
    write_text(out / "index.html", page(decided, margins))
    return decided


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise StudyError(f"git {' '.join(args)} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return done.stdout.strip()


def run_point(point: Point) -> dict:
    """Run one point as a temporary DVC experiment and return its record (not yet written)."""
    import yaml

    from .benchmark import machine

    name, started = point.id, time.monotonic()
    base = _git("rev-parse", "HEAD")  # the experiment's baseline, even if HEAD moves while it runs
    setting = [f"{key}={json.dumps(value)}" for key, value in point.overrides]
    command = [sys.executable, "-m", "dvc", "exp", "run", "--temp", "-n", name, *(a for s in setting for a in ("-S", s))]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise StudyError(f"{name}: dvc exp run failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    runs = [run for run in all_runs(exp_show(["--rev", base])) if run["name"] == name]
    if not runs:
        raise StudyError(f"{name}: the experiment ran but dvc exp show does not list it")
    run = runs[-1]
    lock = yaml.safe_load(_git("show", f"{run['rev']}:dvc.lock"))
    facts = machine()
    metrics = {key: value for key, value in run["metrics"].items()
               if any(key == k.format(model=m) for k in KEY_METRICS for m in _models(run["params"]))}
    return {"point": name, "configuration": point.configuration, "seed": point.seed,
            "overrides": dict(point.overrides), "params": run["params"], "commit": run.get("commit"),
            "experiment": run["rev"], "code": locked_code(lock), "train_digits": point.size,
            "claims": run["files"].get("metrics/claims.json", {}), "metrics": metrics,
            # wall time of the whole point (stages restored from the run cache cost nothing) and where
            "compute": {"seconds": round(time.monotonic() - started, 1), "cpu": facts["cpu"],
                        "cores": facts["cores"]}}


def _models(params: dict) -> list[str]:
    return list(dict.fromkeys(key.split(".")[1] for key in params if key.startswith("models.")))


def record(point: Point, found: dict, how: str = "") -> None:
    """Write the point's record and commit that file alone."""
    from ..outputs import write_json

    write_json(point.record, found)
    _git("add", str(point.record))
    _git("commit", "-q", "-m", f"study: {point.id} recorded{how}", "--", str(point.record))


def job_script(point: Point, repository: Path, commit: str, shared: Path, python: str) -> str:
    """The SLURM batch script of one point: its own workspace (a clone at ``commit``), DVC's cache in
    ``shared``/cache, the record written to ``shared``/points/<id>.json; its log in ``shared``/logs."""
    from shlex import quote

    q = lambda value: quote(str(value))  # noqa: E731
    return f"""#!/bin/bash
#SBATCH --job-name=study-{point.id}
#SBATCH --output={shared / "logs" / f"{point.id}.log"}
set -euo pipefail
work=$(mktemp -d "${{TMPDIR:-/tmp}}/study-{point.id}.XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone --quiet {q(repository)} "$work/repository"
cd "$work/repository"
git checkout --quiet {q(commit)}
{q(python)} -m dvc cache dir --local {q(shared / "cache")}
{q(python)} -m latentspace.tools.study run --only {q(point.id)} --record-to {q(shared / "points")}
"""


def submit(points: list[Point], shared: Path, extra: list[str]) -> list[str]:
    """Submit each point as a SLURM job (``sbatch``, with ``extra`` options); the job ids."""
    import shutil

    if not shutil.which("sbatch"):
        raise StudyError("sbatch: not found (is this a SLURM cluster's login node?)")
    if _git("status", "--porcelain", "--untracked-files=no"):
        raise StudyError("the workspace has uncommitted changes: jobs run the committed code; commit first")
    shared = shared.resolve()
    for folder in ("points", "logs", "jobs", "cache"):
        (shared / folder).mkdir(parents=True, exist_ok=True)
    commit, repository = _git("rev-parse", "HEAD"), Path(_git("rev-parse", "--show-toplevel"))
    ids = []
    for point in points:
        script = shared / "jobs" / f"{point.id}.sh"
        script.write_text(job_script(point, repository, commit, shared, sys.executable), encoding="utf-8")
        done = subprocess.run(["sbatch", "--parsable", *extra, str(script)], capture_output=True, text=True)
        if done.returncode != 0:
            raise StudyError(f"{point.id}: sbatch failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        ids.append(done.stdout.strip().split(";")[0])
    return ids


def wait(ids: list[str], poll: float = 5.0) -> None:
    """Until none of the SLURM jobs ``ids`` is pending or running."""
    import time

    while ids:
        done = subprocess.run(["squeue", "--noheader", "--format=%i", "--jobs", ",".join(ids)],
                              capture_output=True, text=True)
        if done.returncode != 0 or not done.stdout.split():
            return  # squeue forgets finished jobs (and fails on a list of only forgotten ones)
        time.sleep(poll)


def collect(points: list[Point], shared: Path) -> list[str]:
    """Commit each record a job left in ``shared``/points (and not yet committed here); their ids."""
    collected = []
    for point in points:
        found = shared / "points" / f"{point.id}.json"
        if not found.is_file():
            continue
        try:
            data = json.loads(found.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StudyError(f"{found}: broken record ({exc})") from None
        if point.record.is_file() and json.loads(point.record.read_text(encoding="utf-8")) == data:
            continue
        record(point, data, " (SLURM)")
        collected.append(point.id)
    return collected


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("status", "run", "report", "submit", "collect"))
    parser.add_argument("--only", action="append", help="run only this point id (repeatable)")
    parser.add_argument("--study", default=STUDY_FILE)
    parser.add_argument("--shared", type=Path, help="submit, collect: a folder every node sees (records, logs, cache)")
    parser.add_argument("--wait", action="store_true", help="submit: wait for the jobs, then collect")
    parser.add_argument("--sbatch", action="append", default=[], help="submit: an option for sbatch (repeatable)")
    parser.add_argument("--record-to", type=Path, help=argparse.SUPPRESS)  # a SLURM job's run: write, do not commit
    args = parser.parse_args(argv)
    if args.command in ("submit", "collect") and args.shared is None:
        parser.error(f"{args.command} needs --shared DIR, a folder every node of the cluster sees")
    try:
        points = load_study(args.study)
        records, code = read_records(), code_hashes()
        if args.command == "status":
            print(status(points, records, code))
        elif args.command == "report":
            decided = report(points, records, code)
            print(f"{len(decided)} configurations decided → {FOLDER / 'index.html'}, {FOLDER / 'verdicts.json'}")
        elif args.command == "collect":
            found = collect(points, args.shared)
            print(f"{len(found)} records collected from {args.shared / 'points'}" + (f": {', '.join(found)}" if found else ""))
        else:
            todo = [p for p in points if state(p, records, code) != "recorded" and (not args.only or p.id in args.only)]
            if args.command == "submit":
                ids = submit(todo, args.shared, args.sbatch)
                for point, job in zip(todo, ids):
                    print(f"{point.id}: SLURM job {job} (log: {args.shared / 'logs' / f'{point.id}.log'})", flush=True)
                if args.wait:
                    wait(ids)
                    found = collect(todo, args.shared)
                    print(f"{len(found)} of {len(todo)} points recorded" + (f": {', '.join(found)}" if found else ""))
                    return 0 if len(found) == len(todo) else 1
                return 0
            for number, point in enumerate(todo, 1):
                print(f"[{number}/{len(todo)}] {point.id}: running", flush=True)
                if args.record_to:
                    from ..outputs import write_json

                    write_json(args.record_to / f"{point.id}.json", run_point(point))
                else:
                    record(point, run_point(point))
                print(f"[{number}/{len(todo)}] {point.id}: recorded in {args.record_to or point.record}", flush=True)
    except ExperimentsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
