"""The study's records and whether each is current (no TensorFlow).

A record (``study/points/<id>.json``, committed) holds a point's params, the code hashes of the stages
that feed its measurements (from its dvc.lock), its measurements (``metrics/contrasts.json``) and key
metrics. :func:`state` says whether it is current: stale when a file or a setting that feeds the
measurements *now* (the workspace's dvc.lock, :func:`measuring`) differs from what the record ran
with. Records are checked when read (:func:`check_record`); :func:`record` writes and commits one;
:func:`bring` commits the current records another clone (a runner) has committed.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from latentspace.claims import original_claims
from latentspace.tools.experiments import flatten
from latentspace.tools.study import instruments
from latentspace.tools.study.grid import POINTS, STUDY_FILE, Point, StudyError


CODE = ("stages/", "latentspace/")  # the deps whose hashes say which code a point ran


MEASUREMENTS = "metrics/contrasts.json"  # a point is what it measures: its code is what feeds this file

# ... except the params schema: it checks params.yaml's values and hands them on unchanged (each point
# records the values it ran with), so adding a key for a new stage leaves the recorded points current.
SCHEMA = ("latentspace/core/params.py", "latentspace/core/schema.py")


def code_hashes(root: Path = Path(".")) -> dict[str, str]:
    """md5 of every stage script and library module, as DVC records them in dvc.lock."""
    return {str(path.relative_to(root)): hashlib.md5(path.read_bytes()).hexdigest()
            for folder in CODE for path in sorted((root / folder).rglob("*.py"))}


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
            if dep["path"].startswith(CODE) and dep["path"] not in SCHEMA and "md5" in dep}


DATASET_STAGE = "download"  # dvc.yaml's stage that writes the digits every other stage reads
DATASET = "data/dataset.npz"  # of its outs, the one the models learn from (data/digits.npz: every training digit)


def train_digits(lock: dict) -> int | None:
    """How many training digits a point ran on: the length of ``y_train`` (latentspace.data.digits's arrays) in the
    dataset (:data:`DATASET`) ``lock``'s :data:`DATASET_STAGE` wrote, read from the workspace's DVC cache. None where the lock
    or the cache lacks it. A point of all its source's digits (``data.train_size: null``) says its size so."""
    import numpy as np
    from dvc.repo import Repo

    outs = [out for out in lock.get("stages", {}).get(DATASET_STAGE, {}).get("outs", []) if out.get("path") == DATASET]
    if len(outs) != 1 or "md5" not in outs[0]:
        return None
    try:  # a count the record can do without must never cost a finished point its record
        with Repo() as repo:
            path = Path(repo.cache.local.oid_to_path(outs[0]["md5"]))
        with np.load(path, allow_pickle=False) as arrays:
            return int(arrays["y_train"].shape[0]) if "y_train" in arrays.files else None
    except Exception:  # no DVC repository, no such file in the cache, not an npz
        return None


FORMATS = (1, 2)  # 1: claims' comparisons (before metrics/contrasts.json); 2: measurements, settings checked
FORMAT = 2        # what run_point writes


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
    if record.get("format", 1) not in FORMATS:
        raise bad("'format'", f"is {record.get('format')!r}: this code reads formats {', '.join(map(str, FORMATS))}")
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
    factors = record.get("factors", {})
    if not isinstance(factors, dict) or not all(isinstance(v, dict) for v in factors.values()):
        raise bad("'factors'", "must map each model to its factors metrics")
    instruments.check(where, record)
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
    keys = {key for name in upstream(lock) for key in flatten(stages[name].get("params", {}).get("params.yaml", {}))}
    code = frozenset(locked_code(lock))
    return Measuring(code or None,  # a lock without the measuring stages: every file a record names counts
                     frozenset(k for k in keys if not any(k == d or k.startswith(d) for d in DECIDING)))


def state(point: Point, records: dict[str, dict], code: dict[str, str], measured: Measuring | None = None) -> str:
    """"recorded", "stale", "to run" or "unavailable". Stale: a file that feeds the measurements (of those
    ``measured`` names; all if None) changed since the record ran, or a setting that feeds them differs from the
    point's (params.yaml and study.yaml now); a setting the record lacks was added since and stales nothing.
    Unavailable: not recorded, and its data files are not on this machine (:meth:`Point.unavailable`)."""
    record = records.get(point.id)
    if record is None:
        return "unavailable" if point.unavailable() else "to run"
    measured = measured or Measuring()
    ran = {path: md5 for path, md5 in record.get("code", {}).items()
           if path not in SCHEMA and (measured.code is None or path in measured.code)}
    if any(code.get(path) != md5 for path, md5 in ran.items()):
        return "stale"
    settings, recorded = dict(point.settings), record.get("params", {})
    if settings and any(key in recorded and (key not in settings or recorded[key] != settings[key])
                        for key in measured.settings):
        return "stale"
    return "recorded"


def status(points: list[Point], records: dict[str, dict], code: dict[str, str], measuring: Measuring | None = None) -> str:
    lines = [f"{len(points)} points in {STUDY_FILE}:"]
    states = {point.id: state(point, records, code, measuring) for point in points}
    for point in points:
        why = f" ({point.unavailable()})" if states[point.id] == "unavailable" else ""
        lines.append(f"  {point.id:32} {states[point.id]}{why}")
    counts = {s: sum(found == s for found in states.values()) for s in ("recorded", "stale", "to run", "unavailable")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "unavailable"))
    uncommitted = uncommitted_records()
    if uncommitted:
        lines.append(f"read from the working tree: {len(uncommitted)} of these records are not committed "
                     f"({', '.join(uncommitted[:3])}{', …' if len(uncommitted) > 3 else ''})")
    return "\n".join(lines)


def uncommitted_records(folder: Path = POINTS) -> list[str]:
    """The record files of ``folder`` that differ from the last commit or are not in it (git's view; none
    outside a repository): ``status`` and ``report`` read the working tree and say so when these exist."""
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", str(folder)],
                          capture_output=True, text=True)
    return [line[3:] for line in done.stdout.splitlines() if line.endswith(".json")] if done.returncode == 0 else []


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


def git_output(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise StudyError(f"git {' '.join(args)} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return done.stdout.strip()


def record(point: Point, found: dict, how: str = "") -> None:
    """Write the point's record and commit that file alone."""
    from latentspace.core.outputs import write_json

    write_json(point.record, found)
    git_output("add", str(point.record))
    git_output("commit", "-q", "-m", f"study: {point.id} recorded{how}", "--", str(point.record))


def bring(points: list[Point], clone: Path, records: dict[str, dict], code: dict[str, str],
          measured: Measuring | None = None) -> tuple[list[str], list[str]]:
    """Commit here, a file a commit as ``run`` does, each record ``clone`` has committed (its HEAD: a record
    being written is not read) that is current with *this* workspace's code and that this workspace lacks or
    holds only stale; ``(brought ids, "id: why kept" lines)``. A record of older code than this workspace's,
    or one that would replace a current record here, is left where it is and said so."""
    if not (clone / ".git").exists():
        raise StudyError(f"--from {clone}: not a git clone (a runner made with `git clone . ../runner`)")
    brought, kept = [], []
    for point in points:
        where = f"{clone}:{point.record.as_posix()}"
        shown = subprocess.run(["git", "-C", str(clone), "show", f"HEAD:{point.record.as_posix()}"],
                               capture_output=True, text=True, encoding="utf-8")
        if shown.returncode != 0:
            continue  # not committed there
        try:
            found = check_record(where, json.loads(shown.stdout))
        except ValueError as exc:
            raise StudyError(f"{where}: broken record ({exc})") from None
        here = records.get(point.id)
        if here == found:
            continue
        if state(point, {point.id: found}, code, measured) != "recorded":
            kept.append(f"{point.id}: left in {clone}, it ran older code than this workspace's")
        elif here is not None and state(point, records, code, measured) == "recorded":
            kept.append(f"{point.id}: this workspace's record is current and differs; delete it to bring {clone}'s")
        else:
            record(point, found, f" (brought from {clone})")
            brought.append(point.id)
    return brought, kept
