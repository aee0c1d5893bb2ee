"""The study at scale: a grid of configurations × seeds declared in ``study.yaml``, run as DVC
experiments, each finished point recorded under ``study/points/`` (committed), verdicts decided over
the seeds (no TensorFlow here)::

    python3 -m latentspace.tools.study status          # the grid: recorded, stale (older code) or to run
    python3 -m latentspace.tools.study run [--only ID] # run what is not recorded, one point after another
    python3 -m latentspace.tools.study report          # study/verdicts.{json,md}, study/findings.md, study/index.html
    python3 -m latentspace.tools.study plan [--power 0.8]  # the seeds each claim's comparisons need (plan.py)
    python3 -m latentspace.tools.study submit --shared DIR [--wait]  # each point a SLURM job
    python3 -m latentspace.tools.study collect --shared DIR          # commit the jobs' records
    python3 -m latentspace.tools.study bring --from ../runner         # commit a runner clone's records

The study's parts, one responsibility each: :mod:`~latentspace.tools.study.grid` (study.yaml and its points),
:mod:`~latentspace.tools.study.records` (records and whether each is current),
:mod:`~latentspace.tools.study.matrix` (verdicts pooled over seeds), :mod:`~latentspace.tools.study.pages`
(the page, the Markdown, the figures), :mod:`~latentspace.tools.study.plan` (the seeds a verdict needs),
:mod:`~latentspace.tools.study.slurm` (a SLURM cluster); this module
runs points and is the command line.

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
While code changes in the workspace, run the study from a clone and ``bring`` its records back: each
record the clone has committed that is current with the workspace's code, a commit each.

Records hold measurements; ``report`` decides the claims (latentspace/claims/original_claims.py) from them, with
the workspace's ``claims.margins`` and ``bootstrap.level`` and the one rule over seeds
(:data:`latentspace.claims.verdicts.POOLED_RULE`): changing a claim, a margin or the level re-decides every
record and stales none. A record is stale when a file that feeds the measurements (the stages
upstream of ``metrics/contrasts.json`` in the workspace's dvc.lock) and that the record names has
changed since it ran; files it does not name were added since, with measurements it lacks, which
its claims then call "not measured". Records from before measurements were kept hold their claims'
comparisons, read as the measurements they are. Points pool only with points of the same code.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from latentspace.core.machine import facts as machine
from latentspace.tools.experiments import ExperimentsError, all_runs, exp_show
from latentspace.tools.study import instruments
from latentspace.tools.study.grid import POINTS, STUDY_FILE, Point, StudyError, load_study
from latentspace.tools.study.lock import LockError, held
from latentspace.tools.study.plan import POWER, check, table
from latentspace.tools.study.matrix import FOLDER, configurations, decide, deciding_params, matrix, report, summarise
from latentspace.tools.study.records import (
    FORMAT, MEASUREMENTS, Measuring, bring, git_output, code_hashes, locked_code, measuring, models_of, read_records,
    record, state, status, train_digits, uncommitted_records, upstream
)
from latentspace.tools.study.slurm import submit_and_collect, collect, shared_folder

# the study's parts, importable from here as one tool
__all__ = ["FOLDER", "POINTS", "STUDY_FILE", "Point", "StudyError", "load_study", "configurations", "decide",
           "deciding_params", "matrix", "report", "summarise", "MEASUREMENTS", "Measuring", "code_hashes",
           "locked_code", "measuring", "read_records", "record", "state", "status", "upstream", "bring", "collect",
           "run_point", "main"]


FACTORS = "metrics/factors/{model}.json"
KEY_METRICS = ("metrics/train/{model}.json:val_loss", "metrics/separation/{model}.json:silhouette.value",
               "metrics/separation/{model}.json:probe_accuracy.value", "metrics/likelihood/{model}.json:iwae.value")


CHECKPOINTS = FOLDER / ".checkpoints"  # the runner's: each training's kept epochs, each point's seconds so far
LEDGER_SECONDS = 60


def _experiment(command: list[str], checkpoints: Path, ledger: Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``command`` with training checkpoints kept in ``checkpoints`` (:mod:`latentspace.models.checkpoints`):
    the run and the seconds this point has taken, earlier interrupted runs included. ``ledger`` keeps that
    sum, rewritten each minute, so a run killed at any moment loses at most a minute of its count."""
    import os

    from latentspace.models.checkpoints import VARIABLE
    from latentspace.core.outputs import write_text

    before = float(ledger.read_text()) if ledger.is_file() else 0.0
    started = time.monotonic()
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ignored = ledger.parent / ".gitignore"  # the folder keeps itself out of git, and so out of --temp copies
    if not ignored.is_file():
        write_text(ignored, "*\n")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, VARIABLE: str(checkpoints.resolve())})
    while True:
        try:
            out, err = process.communicate(timeout=LEDGER_SECONDS)
            break
        except subprocess.TimeoutExpired:
            write_text(ledger, f"{before + time.monotonic() - started:.1f}\n")
    return subprocess.CompletedProcess(command, process.returncode, out, err), before + time.monotonic() - started


def run_point(point: Point, checkpoints: Path = CHECKPOINTS) -> dict:
    """Run one point as a temporary DVC experiment and return its record (not yet written). Its trainings
    keep each epoch in ``checkpoints``: a point stopped at any moment resumes there when run again."""
    import yaml

    name = point.id
    base = git_output("rev-parse", "HEAD")  # the experiment's baseline, even if HEAD moves while it runs
    setting = [f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in point.overrides]  # é stays é
    command = [sys.executable, "-m", "dvc", "exp", "run", "--temp", "-n", name, *(a for s in setting for a in ("-S", s))]
    ledger = checkpoints / f"{name}.seconds"
    done, seconds = _experiment(command, checkpoints, ledger)
    if done.returncode != 0:
        raise StudyError(f"{name}: dvc exp run failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    runs = [run for run in all_runs(exp_show(["--rev", base])) if run["name"] == name]
    if not runs:
        raise StudyError(f"{name}: the experiment ran but dvc exp show does not list it")
    run = runs[-1]
    lock = yaml.safe_load(git_output("show", f"{run['rev']}:dvc.lock"))
    facts = machine()
    metrics = {key: value for key, value in run["metrics"].items()
               if any(key == k.format(model=m) for k in KEY_METRICS for m in models_of(run["params"]))}
    return {"format": FORMAT, "point": name, "configuration": point.configuration, "seed": point.seed,
            "overrides": dict(point.overrides), "params": run["params"], "commit": run.get("commit"),
            "experiment": run["rev"], "code": locked_code(lock), "train_digits": point.size if point.size is not None else train_digits(lock),
            "measurements": run["files"].get(MEASUREMENTS, {}), "metrics": metrics,
            # the judge, the evaluation digits and their shapes it was measured with: only the same pool
            "instrument": instruments.instrument(lock, run["files"]),
            # what the units encode, per model (stages/factors.py): the study's factor findings over seeds
            "factors": {m: run["files"][f] for m in models_of(run["params"])
                        if (f := FACTORS.format(model=m)) in run["files"]},
            # wall time of the whole point, interrupted runs included (stages restored from the run cache cost
            # nothing), and where
            "compute": {"seconds": round(seconds, 1), "cpu": facts["cpu"],
                        "cores": facts["cores"], "extensions": facts["extensions"]}}


def _forget(checkpoints: Path, point: Point) -> None:
    """A recorded point's interrupted-run count is spent."""
    (checkpoints / f"{point.id}.seconds").unlink(missing_ok=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("status", "run", "report", "plan", "submit", "collect", "bring"))
    parser.add_argument("--only", action="append", help="run only this point id (repeatable)")
    parser.add_argument("--study", default=STUDY_FILE)
    parser.add_argument("--shared", type=Path, help="submit, collect: a folder every node sees (records, logs, cache)")
    parser.add_argument("--from", dest="clone", type=Path, help="bring: the clone whose committed records to bring")
    parser.add_argument("--power", type=float, default=POWER,
                        help=f"plan: the chance the planned seeds decide a comparison (default {POWER})")
    parser.add_argument("--wait", action="store_true", help="submit: wait for the jobs, then collect")
    parser.add_argument("--sbatch", action="append", default=[], help="submit: an option for sbatch (repeatable)")
    parser.add_argument("--record-to", type=Path, help=argparse.SUPPRESS)  # a SLURM job's run: write, do not commit
    parser.add_argument("--checkpoints", type=Path, default=CHECKPOINTS,
                        help=f"run: where trainings keep each epoch, to resume a stopped point (default {CHECKPOINTS})")
    args = parser.parse_args(argv)
    if args.command in ("submit", "collect") and args.shared is None:
        parser.error(f"{args.command} needs --shared DIR, a folder every node of the cluster sees")
    if args.command == "bring" and args.clone is None:
        parser.error("bring needs --from CLONE, the clone that ran the points")
    try:
        if args.command == "plan":
            check(args.power)
        points = load_study(args.study)
        records, code, measured = read_records(), code_hashes(), measuring()
        if args.command == "status":
            print(status(points, records, code, measured))
        elif args.command == "report":
            margins, level = deciding_params()
            decided = report(points, records, code, margins, level, measuring=measured)
            print(f"{len(decided)} configurations decided → {FOLDER / 'index.html'}, {FOLDER / 'verdicts.json'}")
            uncommitted = uncommitted_records()
            if uncommitted:
                print(f"read from the working tree: {len(uncommitted)} records not committed; commit them to share the page")
        elif args.command == "plan":
            margins, level = deciding_params()
            print(table(matrix(points, records, code, margins, level, measured), margins, level, args.power))
        elif args.command == "bring":
            with held(FOLDER / ".run.lock", "study run or bring"):
                brought, kept = bring(points, args.clone, records, code, measured)
            print("\n".join(kept + [f"{len(brought)} records brought from {args.clone}"
                                     + (f": {', '.join(brought)}" if brought else "")]))
        elif args.command == "collect":
            shared = shared_folder(args.shared)
            with held(shared / "lock", "study collect or submit"):
                found = collect(points, shared)
            print(f"{len(found)} records collected from {shared / 'points'}" + (f": {', '.join(found)}" if found else ""))
        else:
            unknown = sorted(set(args.only or ()) - {p.id for p in points})
            if unknown:
                raise StudyError(f"--only {unknown[0]}: no such point in {args.study} (`status` lists them)")
            states = {p.id: state(p, records, code, measured) for p in points}
            todo = [p for p in points if states[p.id] != "recorded" and (not args.only or p.id in args.only)]
            if args.command == "submit":  # the cluster's nodes may hold data files this machine lacks
                return submit_and_collect(todo, shared_folder(args.shared), args)
            for point in [p for p in todo if states[p.id] == "unavailable" and not args.only]:
                print(f"{point.id}: left out, unavailable here ({point.unavailable()}); --only runs it anyway")
                todo.remove(point)
            with held(FOLDER / ".run.lock", "study run or bring"):
                _run(todo, args.record_to, args.checkpoints)
    except (ExperimentsError, LockError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _run(todo: list[Point], record_to: Path | None, checkpoints: Path) -> None:
    for number, point in enumerate(todo, 1):
        print(f"[{number}/{len(todo)}] {point.id}: running", flush=True)
        if record_to:
            from latentspace.core.outputs import write_json

            write_json(record_to / f"{point.id}.json", run_point(point, checkpoints))
        else:
            record(point, run_point(point, checkpoints))
        _forget(checkpoints, point)
        print(f"[{number}/{len(todo)}] {point.id}: recorded in {record_to or point.record}", flush=True)

if __name__ == "__main__":
    sys.exit(main())
