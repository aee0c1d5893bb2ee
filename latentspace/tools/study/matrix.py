"""The study's verdict matrix: each configuration's current records pooled over seeds, the claims decided
from their measurements (latentspace/claims/original_claims.py, latentspace/claims/verdicts.py), and its files (no TensorFlow).

A configuration none of whose records is current (its points ran with older measuring code) is decided
from its stale records, and says so (``"older code": true``, "older code" in every view): what a
reader sees while the grid runs again, never mixed with current records."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import mean, variance

from latentspace.claims import original_claims
from latentspace.tools.study import instruments, plan
from latentspace.tools.study.grid import Point, StudyError
from latentspace.tools.study.records import Measuring, measurements, models_of, state


FOLDER = Path("study")


def decide(records: list[dict], margins: dict[str, float], level: float) -> dict:
    """``{claim: decided}`` over the records of one configuration (:func:`latentspace.claims.original_claims.decide_pooled`);
    an inconclusive claim says why under ``"plan"`` (:func:`latentspace.tools.study.plan.why`: too few seeds, or
    undecidable at this size)."""
    runs = [measurements(record) for record in records]
    decided = {}
    for claim in original_claims.claims(models_of(records[0]["params"])):
        result = decided[claim.key] = original_claims.decide_pooled(claim, runs, margins, level)
        reason = plan.why(claim, result, margins, level)
        if reason:
            result["plan"] = reason
    return decided


def configurations(points: list[Point], records: dict[str, dict], code: dict[str, str],
                   measuring: Measuring | None = None) -> dict[str, tuple[list[dict], bool]]:
    """Each configuration's records and whether they ran older code, in the study's order: its current
    records; where it has none, its stale ones (True)."""
    current: dict[str, list[dict]] = {}
    stale: dict[str, list[dict]] = {}
    for point in points:
        found = state(point, records, code, measuring)
        current.setdefault(point.configuration, [])
        stale.setdefault(point.configuration, [])
        if found == "recorded":
            current[point.configuration].append(records[point.id])
        elif found == "stale":
            stale[point.configuration].append(records[point.id])
    return {name: (current[name], False) if current[name] else (stale[name], True)
            for name in current if current[name] or stale[name]}


def matrix(points: list[Point], records: dict[str, dict], code: dict[str, str], margins: dict[str, float],
           level: float = 0.95, measuring: Measuring | None = None) -> dict:
    """``{configuration: {"seeds", "size", "claims": decide(...)}}``: the verdict matrix."""
    result = {}
    for name, (found, older) in configurations(points, records, code, measuring).items():
        instruments.refuse_mixed(name, found)
        result[name] = {"seeds": [r["params"]["seed"] for r in found], "size": found[0].get("train_digits"),
                        **({"older code": True} if older else {}),
                        "claims": decide(found, margins, level), "metrics": summarise(found)}
        factors = factor_findings(found, level)
        if factors:
            result[name]["factors"] = factors
        timed = [r for r in found if "compute" in r]  # records before it was kept lack it
        if timed:
            minutes = [r["compute"]["seconds"] / 60 for r in timed]  # a point partly restored from the run cache is faster
            machines: dict[str, list[int]] = {}
            for r in timed:  # which machine ran which point: a label, the seeds it ran
                machines.setdefault(machine_label(r["compute"]), []).append(r["params"]["seed"])
            result[name]["compute"] = {"points": len(timed), "minutes": mean(minutes),
                                       "range": [min(minutes), max(minutes)],
                                       "machines": {label: sorted(seeds) for label, seeds in sorted(machines.items())}}
    return result


def machine_label(compute: dict) -> str:
    """"AMD EPYC, AVX-512 ×2": the CPU model, whether it has AVX-512 (machines of one model differ in it:
    the conv VAE trains about 4× apart) where the record says, and the cores."""
    extensions = compute.get("extensions")
    kind = "" if extensions is None else ", AVX-512" if "avx512f" in extensions else ", no AVX-512"
    return f"{compute['cpu']}{kind} ×{compute['cores']}"


# What the units encode, over seeds: (label, where in a model's factors metrics) of the numbers with intervals
FACTOR_NUMBERS = (("MIG", ("mig",)), ("SAP", ("sap",)), ("KL(q(z) ‖ N(0, I))", ("prior_gap",)),
                  ("N(0, I) draws from the real digits", ("distances", "prior", "to_real", "mean")),
                  ("mixture draws from the real digits", ("distances", "mixture", "to_real", "mean")),
                  ("reconstructions from the real digits", ("distances", "reconstructions", "to_real", "mean")))


def factor_findings(records: list[dict], level: float) -> dict:
    """Per model, over the records (seeds) that kept its factors metrics (stages/factors.py): each number of
    :data:`FACTOR_NUMBERS` pooled as a comparison is (:func:`latentspace.claims.verdicts.over_seeds`: the seeds' spread
    and each run's bootstrap sd, from its interval), and the units that move one factor alone, seed by seed."""
    from statistics import NormalDist

    from latentspace.claims.verdicts import over_seeds

    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    models = dict.fromkeys(m for r in records for m in r.get("factors", {}))
    found = {}
    for model in models:
        kept = [r["factors"][model] for r in records if model in r.get("factors", {})]
        numbers = {}
        for label, path in FACTOR_NUMBERS:
            cells = []
            for metrics in kept:
                for step in path:
                    metrics = metrics.get(step, {}) if isinstance(metrics, dict) else {}
                cells.append(metrics)
            if cells and all(isinstance(c, dict) and all(k in c for k in ("value", "low", "high")) for c in cells):
                numbers[label] = over_seeds([c["value"] for c in cells], [(c["high"] - c["low"]) / (2 * z) for c in cells],
                                            level)
        alone = [sorted(f"{unit}: {u['moves_most']}" for unit, u in metrics.get("units", {}).items()
                        if u.get("moves_alone")) for metrics in kept]
        found[model] = {"seeds": len(kept), "numbers": numbers, "moves_alone": alone}
    return found


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
    """Write ``study/verdicts.json``, ``study/verdicts.md``, ``study/findings.md`` and ``study/index.html`` from the committed records,
    the claims decided with ``margins`` and ``level`` (the workspace's params)."""
    from latentspace.core.outputs import write_json, write_text
    from latentspace.tools.study.pages import findings, markdown, page

    decided = matrix(points, records, code, margins, level, measuring)
    written = {"verdicts.md": markdown(decided), "findings.md": findings(decided),
               "index.html": page(decided, margins)}  # all made before any is written
    write_json(out / "verdicts.json", decided)
    for name, text in written.items():
        write_text(out / name, text)
    return decided


def deciding_params(path: Path = Path("params.yaml")) -> tuple[dict[str, float], float]:
    """The workspace's ``claims.margins`` and ``bootstrap.level``: they decide, they measure nothing."""
    from latentspace.core.errors import StageError
    from latentspace.core.params import load

    try:
        p = load(None, path)
        return original_claims.margins(p.section("claims.margins"), str(path)), p["bootstrap.level"]
    except StageError as exc:
        raise StudyError(str(exc)) from None
