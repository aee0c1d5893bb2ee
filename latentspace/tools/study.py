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
writes ``study/points/<id>.json`` (its overrides, the code hashes of the stages that feed its measurements,
from its ``dvc.lock``, the commit, its measurements — ``metrics/contrasts.json``, every pair of models and samplers on every measure — and key metrics) and commits that file alone: stopping the runner at any moment
loses at most the point in progress. ``status`` and ``report`` read only the committed records, so a
fresh clone without a DVC cache lists the grid and rebuilds the page byte for byte.

On a SLURM cluster, ``submit`` makes each point not yet recorded a batch job (:func:`job_script`):
the job clones the repository at the submitter's commit into its own workspace, points DVC's cache
at the shared folder's ``cache`` (so every job and the submitter see each other's models and arrays),
runs the point as above and writes its record into the shared folder's ``points``; ``collect``
commits each finished record here, as ``run`` would have. ``--wait`` waits for the jobs, then collects.

Records hold measurements; ``report`` decides the claims (latentspace/claims.py) from them, with
the workspace's ``claims.margins`` and ``bootstrap.level`` and the one rule over seeds
(:data:`latentspace.verdicts.POOLED_RULE`): changing a claim, a margin or the level re-decides every
record and stales none. A record is stale when a file that feeds the measurements (the stages
upstream of ``metrics/contrasts.json`` in the workspace's dvc.lock) and that the record names has
changed since it ran; files it does not name were added since, with measurements it lacks, which
its claims then call "not measured". Records from before measurements were kept hold their claims'
comparisons, read as the measurements they are. Points pool only with points of the same code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, variance

from .. import claims as original_claims
from .experiments import ExperimentsError, all_runs, exp_show
from .lock import LockError, held
from .grid import POINTS, STUDY_FILE, Point, StudyError, load_study  # noqa: F401 (the study's grid, re-exported)

FOLDER = Path("study")
CODE = ("stages/", "latentspace/")  # the deps whose hashes say which code a point ran
MEASUREMENTS = "metrics/contrasts.json"  # a point is what it measures: its code is what feeds this file
# ... except the params schema: it checks params.yaml's values and hands them on unchanged (each point
# records the values it ran with), so adding a key for a new stage leaves the recorded points current.
SCHEMA = "latentspace/params.py"
KEY_METRICS = ("metrics/train/{model}.json:val_loss", "metrics/separation/{model}.json:silhouette.value",
               "metrics/separation/{model}.json:probe_accuracy.value", "metrics/likelihood/{model}.json:iwae.value")


def code_hashes(root: Path = Path(".")) -> dict[str, str]:
    """md5 of every stage script and library module, as DVC records them in dvc.lock."""
    return {str(path.relative_to(root)): hashlib.md5(path.read_bytes()).hexdigest()
            for folder in CODE for path in sorted((root / folder).glob("*.py"))}


def upstream(lock: dict, target: str = MEASUREMENTS) -> list[str]:
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
    """The code hashes a dvc.lock records for the stages that feed the measurements (deps under :data:`CODE`):
    a change to what only decides claims or draws figures and pages (claims, compare, report) leaves
    recorded points current."""
    stages = lock.get("stages", {})
    return {dep["path"]: dep["md5"] for name in upstream(lock) for dep in stages[name].get("deps", [])
            if dep["path"].startswith(CODE) and dep["path"] != SCHEMA and "md5" in dep}


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_record(where: str, record) -> dict:
    """A record as read, checked: a mapping with ``params`` (flat, its ``seed`` an integer) and ``code``
    (path → md5); its measurements (``measurements``, or an older record's ``claims``) every number finite;
    ``metrics`` and ``compute`` numbers finite. One line naming the file and the field otherwise."""
    def bad(field: str, what: str) -> StudyError:
        return StudyError(f"{where}: {field} {what}; delete the record to run the point again")

    if not isinstance(record, dict):
        raise bad("the record", f"is {type(record).__name__}, not a mapping")
    params, code = record.get("params"), record.get("code")
    if not isinstance(params, dict) or type(params.get("seed")) is not int:
        raise bad("'params'", "must be a mapping of dotted params keys with an integer 'seed'")
    if not isinstance(code, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in code.items()):
        raise bad("'code'", "must map file paths to their md5")
    measured = measurements(record)
    for pair, names in measured.items():
        if not isinstance(names, dict):
            raise bad(f"measurement '{pair}'", "is not a mapping of measures")
        for name, numbers in names.items():
            if not isinstance(numbers, dict) or not all(_finite(numbers.get(k)) for k in ("difference", "low", "high", "sd")):
                raise bad(f"measurement '{pair}' {name}", "needs finite difference, low, high and sd")
    for field in ("metrics", "compute"):
        found = record.get(field, {})
        if not isinstance(found, dict):
            raise bad(f"'{field}'", "is not a mapping")
        numbers = {k: v for k, v in found.items() if k not in ("cpu", "cores", "extensions")}
        if field == "metrics" and not all(_finite(v) for v in numbers.values()):
            raise bad("'metrics'", "holds a value that is not a finite number")
        if field == "compute" and found and not _finite(found.get("seconds")):
            raise bad("'compute'", "needs finite 'seconds'")
    return record


def read_records(folder: Path = POINTS) -> dict[str, dict]:
    """``{point id: record}`` of the records in ``folder``, each checked (:func:`check_record`)."""
    records = {}
    for path in sorted(folder.glob("*.json")):
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StudyError(f"{path}: broken record ({exc}); delete it to run the point again") from None
        records[path.stem] = check_record(str(path), found)
    return records


DECIDING = ("bootstrap.level", "claims.")  # settings that decide, never measure: they stale no record


@dataclass(frozen=True)
class Measuring:
    """What feeds the measurements in the workspace's dvc.lock (the stages upstream of
    :data:`MEASUREMENTS`): ``code`` paths (None: every file a record names counts) and ``settings``
    (dotted params keys, :data:`DECIDING` aside; empty: settings are not compared)."""

    code: frozenset | None = None
    settings: frozenset = frozenset()


def _flat(tree: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def measuring(lock_file: Path = Path("dvc.lock")) -> Measuring:
    """:class:`Measuring` of the workspace's dvc.lock (nothing known where there is none)."""
    import yaml

    try:
        lock = yaml.safe_load(lock_file.read_text(encoding="utf-8")) or {}
    except OSError:
        return Measuring()
    except yaml.YAMLError as exc:
        raise StudyError(f"{lock_file}: cannot read ({str(exc).splitlines()[0]})") from None
    stages = lock.get("stages", {})
    keys = {key for name in upstream(lock) for key in _flat(stages[name].get("params", {}).get("params.yaml", {}))}
    code = frozenset(locked_code(lock))
    return Measuring(code or None,  # a lock without the measuring stages: every file a record names counts
                     frozenset(k for k in keys if not any(k == d or k.startswith(d) for d in DECIDING)))


def state(point: Point, records: dict[str, dict], code: dict[str, str], measured: Measuring | None = None) -> str:
    """"recorded", "stale" or "to run". Stale: a file that feeds the measurements (of those ``measured``
    names; all if None) changed since the record ran, or a setting that feeds them differs from the point's
    (params.yaml and study.yaml now); a setting the record lacks was added since and stales nothing."""
    record = records.get(point.id)
    if record is None:
        return "to run"
    measured = measured or Measuring()
    ran = {path: md5 for path, md5 in record.get("code", {}).items()
           if path != SCHEMA and (measured.code is None or path in measured.code)}
    if any(code.get(path) != md5 for path, md5 in ran.items()):
        return "stale"
    settings, recorded = dict(point.settings), record.get("params", {})
    if settings and any(key in recorded and (key not in settings or recorded[key] != settings[key])
                        for key in measured.settings):
        return "stale"
    return "recorded"


def status(points: list[Point], records: dict[str, dict], code: dict[str, str], measuring: Measuring | None = None) -> str:
    lines = [f"{len(points)} points in {STUDY_FILE}:"]
    for point in points:
        lines.append(f"  {point.id:32} {state(point, records, code, measuring)}")
    counts = {s: sum(state(p, records, code, measuring) == s for p in points) for s in ("recorded", "stale", "to run")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)


def measurements(record: dict) -> dict:
    """A record's measurements, ``{"<a> vs <b>": {measure: {difference, low, high, sd}}}``: its contrasts, or for a
    record from before they were kept, the comparisons its claims held (the same numbers, fewer pairs)."""
    if isinstance(record.get("measurements"), dict):
        return record["measurements"]
    claims = record.get("claims")
    return original_claims.measured_by_old_claims(claims if isinstance(claims, dict) else {})


def models_of(params: dict) -> list[str]:
    """The model sections of a record's flattened params, in order."""
    return list(dict.fromkeys(key.split(".")[1] for key in params if key.startswith("models.")))


def decide(records: list[dict], margins: dict[str, float], level: float) -> dict:
    """``{claim: decided}`` over the records of one configuration (:func:`latentspace.claims.decide_pooled`)."""
    runs = [measurements(record) for record in records]
    return {claim.key: original_claims.decide_pooled(claim, runs, margins, level)
            for claim in original_claims.claims(models_of(records[0]["params"]))}


def configurations(points: list[Point], records: dict[str, dict], code: dict[str, str],
                   measuring: Measuring | None = None) -> dict[str, list[dict]]:
    """The current-code records of each configuration, in the study's order."""
    grouped: dict[str, list[dict]] = {}
    for point in points:
        if state(point, records, code, measuring) == "recorded":
            grouped.setdefault(point.configuration, []).append(records[point.id])
        else:
            grouped.setdefault(point.configuration, [])
    return {name: found for name, found in grouped.items() if found}


def matrix(points: list[Point], records: dict[str, dict], code: dict[str, str], margins: dict[str, float],
           level: float = 0.95, measuring: Measuring | None = None) -> dict:
    """``{configuration: {"seeds", "size", "claims": decide(...)}}``: the verdict matrix."""
    result = {}
    for name, found in configurations(points, records, code, measuring).items():
        result[name] = {"seeds": [r["params"]["seed"] for r in found], "size": found[0].get("train_digits"),
                        "claims": decide(found, margins, level), "metrics": summarise(found)}
        timed = [r["compute"] for r in found if "compute" in r]  # records before it was kept lack it
        if timed:
            minutes = [c["seconds"] / 60 for c in timed]  # a point partly restored from the run cache is faster
            result[name]["compute"] = {"points": len(timed), "minutes": mean(minutes),
                                       "range": [min(minutes), max(minutes)],
                                       "machines": sorted({machine_label(c) for c in timed})}
    return result


def machine_label(compute: dict) -> str:
    """"AMD EPYC, AVX-512 ×2": the CPU model, whether it has AVX-512 (machines of one model differ in it:
    the conv VAE trains about 4× apart) where the record says, and the cores."""
    extensions = compute.get("extensions")
    kind = "" if extensions is None else ", AVX-512" if "avx512f" in extensions else ", no AVX-512"
    return f"{compute['cpu']}{kind} ×{compute['cores']}"


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


def report(points: list[Point], records: dict[str, dict], code: dict[str, str], margins: dict[str, float],
           level: float, out: Path = FOLDER, measuring: Measuring | None = None) -> dict:
    """Write ``study/verdicts.json``, ``study/verdicts.md`` and ``study/index.html`` from the committed records,
    the claims decided with ``margins`` and ``level`` (the workspace's params)."""
    from ..outputs import write_json, write_text
    from .study_pages import markdown, page

    decided = matrix(points, records, code, margins, level, measuring)
    written = {"verdicts.md": markdown(decided), "index.html": page(decided, margins)}  # all made before any is written
    write_json(out / "verdicts.json", decided)
    for name, text in written.items():
        write_text(out / name, text)
    return decided


def deciding_params(path: Path = Path("params.yaml")) -> tuple[dict[str, float], float]:
    """The workspace's ``claims.margins`` and ``bootstrap.level``: they decide, they measure nothing."""
    from ..errors import StageError
    from ..params import load

    try:
        p = load(None, path)
    except StageError as exc:
        raise StudyError(str(exc)) from None
    return p.section("claims.margins"), p["bootstrap.level"]


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
               if any(key == k.format(model=m) for k in KEY_METRICS for m in models_of(run["params"]))}
    return {"point": name, "configuration": point.configuration, "seed": point.seed,
            "overrides": dict(point.overrides), "params": run["params"], "commit": run.get("commit"),
            "experiment": run["rev"], "code": locked_code(lock), "train_digits": point.size,
            "measurements": run["files"].get(MEASUREMENTS, {}), "metrics": metrics,
            # wall time of the whole point (stages restored from the run cache cost nothing) and where
            "compute": {"seconds": round(time.monotonic() - started, 1), "cpu": facts["cpu"],
                        "cores": facts["cores"], "extensions": facts["extensions"]}}


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
    for folder in ("points", "logs", "jobs", "cache"):
        (shared / folder).mkdir(parents=True, exist_ok=True)
    commit, repository = _git("rev-parse", "HEAD"), Path(_git("rev-parse", "--show-toplevel"))
    ids = []
    for point in points:
        submitted = shared / "jobs" / f"{point.id}.submitted"  # written before the next point is submitted
        if submitted.is_file() and _queued(submitted.read_text(encoding="utf-8").strip()):
            ids.append(submitted.read_text(encoding="utf-8").strip())  # its job is still queued or running
            continue
        script = shared / "jobs" / f"{point.id}.sh"
        script.write_text(job_script(point, repository, commit, shared, sys.executable), encoding="utf-8")
        done = subprocess.run(["sbatch", "--parsable", *extra, str(script)], capture_output=True, text=True)
        if done.returncode != 0:
            raise StudyError(f"{point.id}: sbatch failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        ids.append(done.stdout.strip().split(";")[0])
        submitted.write_text(ids[-1] + "\n", encoding="utf-8")
    return ids


def _queued(job: str) -> bool:
    """Whether the SLURM job ``job`` is pending or running."""
    done = subprocess.run(["squeue", "--noheader", "--format=%i", "--jobs", job], capture_output=True, text=True)
    return done.returncode == 0 and job in done.stdout.split()


def shared_folder(path: Path) -> Path:
    """The cluster's shared folder, checked: never the repository, inside it, home or /, only a folder the
    study made (latentspace.tools.folders.own_folder), its path plain enough for a job script's #SBATCH lines."""
    from .folders import FolderError, own_folder

    if any(not c.isprintable() or c.isspace() for c in str(path)):
        raise StudyError(f"--shared {path!r}: a path with spaces or control characters cannot go into #SBATCH lines")
    try:
        return own_folder(path, "study", "--shared", [Path(_git("rev-parse", "--show-toplevel"))])
    except FolderError as exc:
        raise StudyError(str(exc)) from None


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
            data = check_record(str(found), json.loads(found.read_text(encoding="utf-8")))
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
        records, code, measured = read_records(), code_hashes(), measuring()
        if args.command == "status":
            print(status(points, records, code, measured))
        elif args.command == "report":
            margins, level = deciding_params()
            decided = report(points, records, code, margins, level, measuring=measured)
            print(f"{len(decided)} configurations decided → {FOLDER / 'index.html'}, {FOLDER / 'verdicts.json'}")
        elif args.command == "collect":
            shared = shared_folder(args.shared)
            with held(shared / "lock", "study collect or submit"):
                found = collect(points, shared)
            print(f"{len(found)} records collected from {shared / 'points'}" + (f": {', '.join(found)}" if found else ""))
        else:
            unknown = sorted(set(args.only or ()) - {p.id for p in points})
            if unknown:
                raise StudyError(f"--only {unknown[0]}: no such point in {args.study} (`status` lists them)")
            todo = [p for p in points if state(p, records, code, measured) != "recorded" and (not args.only or p.id in args.only)]
            if args.command == "submit":
                return _submit(todo, shared_folder(args.shared), args)
            with held(FOLDER / ".run.lock", "study run"):
                _run(todo, args.record_to)
    except (ExperimentsError, LockError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _submit(todo: list[Point], shared: Path, args) -> int:
    with held(shared / "lock", "study collect or submit"):
        ids = submit(todo, shared, args.sbatch)
    for point, job in zip(todo, ids):
        print(f"{point.id}: SLURM job {job} (log: {shared / 'logs' / f'{point.id}.log'})", flush=True)
    if not args.wait:
        return 0
    wait(ids)
    with held(shared / "lock", "study collect or submit"):
        found = collect(todo, shared)
    print(f"{len(found)} of {len(todo)} points recorded" + (f": {', '.join(found)}" if found else ""))
    return 0 if len(found) == len(todo) else 1


def _run(todo: list[Point], record_to: Path | None) -> None:
    for number, point in enumerate(todo, 1):
        print(f"[{number}/{len(todo)}] {point.id}: running", flush=True)
        if record_to:
            from ..outputs import write_json

            write_json(record_to / f"{point.id}.json", run_point(point))
        else:
            record(point, run_point(point))
        print(f"[{number}/{len(todo)}] {point.id}: recorded in {record_to or point.record}", flush=True)

if __name__ == "__main__":
    sys.exit(main())
