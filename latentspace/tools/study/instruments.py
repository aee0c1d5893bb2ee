"""What a point was measured with, and the rule that only points measured with the same instruments pool (no TensorFlow).

A configuration's seeds are pooled as repeated measurements of one quantity, so every seed must be judged
by the same judge, against the same evaluation digits and their measured shapes. The download stage
writes those digits (``data/digits.npz``) independent of the training size and, with ``data.split_seed``,
of the model seed; the judge and the morphometry read only that file, so on one machine DVC gives every
point of a dataset the same bytes (its run cache restores them), and on another machine they may differ
in the last digits. A record keeps their digests (:func:`instrument`, from the point's dvc.lock) and the
judge's accuracy on the real evaluation digits; :func:`refuse_mixed` names the points whose instruments
differ. Records from before this was kept carry no digests and are not checked (they say so).
"""

from __future__ import annotations

from latentspace.tools.study.grid import StudyError

INSTRUMENTS = {"judge": "models/judge.keras", "digits": "data/digits.npz", "morphometry": "data/morphometry.npz"}
JUDGE_METRICS = "metrics/judge.json"


def instrument(lock: dict, files: dict) -> dict:
    """``{"judge", "digits", "morphometry": md5, "judge_accuracy": float}`` of one point: the digests its dvc.lock
    records for :data:`INSTRUMENTS` (those a pipeline lacks left out) and the judge's accuracy on the real evaluation
    digits (``files``: the experiment's metrics files, as ``dvc exp show`` gives them)."""
    outs = {out["path"]: out.get("md5") for stage in lock.get("stages", {}).values() for out in stage.get("outs", [])}
    found = {name: outs[path] for name, path in INSTRUMENTS.items() if outs.get(path)}
    accuracy = files.get(JUDGE_METRICS, {}).get("eval_accuracy")
    return {**found, **({"judge_accuracy": accuracy} if isinstance(accuracy, (int, float)) else {})}


def check(where: str, record: dict) -> None:
    """A record's ``instrument``, where it has one: a mapping of the :data:`INSTRUMENTS` names to md5 texts and a
    ``judge_accuracy`` in [0, 1]; a one-line :class:`StudyError` naming the file and the field otherwise."""
    found = record.get("instrument")
    if found is None:
        return
    if not isinstance(found, dict) or not all(isinstance(found.get(k, ""), str) for k in INSTRUMENTS):
        raise StudyError(f"{where}: 'instrument' must map {', '.join(INSTRUMENTS)} to md5 digests; delete the record "
                         "to run the point again")
    accuracy = found.get("judge_accuracy", 0.0)
    if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0.0 <= accuracy <= 1.0:
        raise StudyError(f"{where}: 'instrument' judge_accuracy must be a number in [0, 1]; delete the record to run "
                         "the point again")


def refuse_mixed(configuration: str, records: list[dict]) -> None:
    """Refuse to pool ``records`` (one configuration's) whose instruments differ: a :class:`StudyError` naming the
    instrument and which points hold which digest. Records without an ``instrument`` are not compared."""
    kept = [r for r in records if isinstance(r.get("instrument"), dict)]
    for name in INSTRUMENTS:
        digests: dict[str, list[str]] = {}
        for r in kept:
            if name in r["instrument"]:
                digests.setdefault(r["instrument"][name], []).append(str(r.get("point", r["params"].get("seed"))))
        if len(digests) > 1:
            held = "; ".join(f"{', '.join(points)}: {digest[:8]}" for digest, points in digests.items())
            splits = {r["params"].get("data.split_seed") for r in kept}
            remedy = ("each seed split its own digits (data.split_seed is null): set data.split_seed in the "
                      "dataset's study.yaml entry and run the points again" if None in splits else
                      "share it (dvc push --run-cache to a common remote, then dvc pull --run-cache where the "
                      "points run) or rerun the points on one kind of machine")
            raise StudyError(f"{configuration}: its points were measured with different {name}s ({held}); one "
                             f"instrument a dataset: {remedy}")
