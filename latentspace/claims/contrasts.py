"""Every comparison a claim can ask for, measured: paired bootstrap differences between sides (no TensorFlow).

A side is a model's codes (``vae``), a sampler's decoded draws (``vae@prior``), a model's judged
reconstructions or centroids (``vae@reconstructions``, ``vae@centroids``: latentspace/measures/fidelity.py)
or the real evaluation digits as the judge sees them (:data:`REAL`), or the prior N(0, I) itself
(:data:`PRIOR_ITSELF`) (latentspace/measures/sides.py). Each measure family (latentspace/measures/families.py) says which
pairs it compares and reads each side's kept values (:func:`gather`); :func:`compare` measures them all:
every pair of models on every per-digit separation measure and on how their units carry the digits'
factors (MIG, SAP), every pair of (model, sampler) sides on every generation measure that decides claims
and on how far their draws' factors sit from the real digits', each judged side against the real digits,
and each VAE's aggregate posterior against the prior;
``metrics/contrasts.json`` keeps ``{"<a> vs <b>": {measure: {difference, low, high, sd}}}``: the
difference a − b signed so that positive favours ``a`` (for the Fréchet distance, lower is better),
its paired bootstrap interval at ``bootstrap.level`` (the same resamples of the same evaluation
digits or draws on both sides) and the bootstrap sd. Claims (latentspace/claims/original_claims.py) are decided
from these numbers alone, so a study record that keeps them can be decided again by other claims.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from latentspace.measures import bootstrap, families, fidelity, sample_quality
from latentspace.core.errors import StageError
from latentspace.measures.registry import Family, Measure
from latentspace.measures.replicated import Replicated
from latentspace.measures.sides import PAIR, PRIOR_ITSELF, REAL, REFERENCES, Side, key, split_pair

__all__ = ["PAIR", "PRIOR_ITSELF", "REAL", "REFERENCES", "Side", "key", "split_pair", "Replicated", "measures",
           "gather", "pairs", "held_pairs", "compare", "measure", "find", "items", "replicates"]


def measures() -> dict[str, Measure]:
    """Every measure a contrast can be on, by name, as its family declares it (latentspace/measures/families.py)."""
    return families.measures()


def gather(paths: Mapping[str, Any], models: Sequence[str], samplers: Sequence[str], resamples: int) -> dict:
    """``{family kind: {side label: kept values}}``: what each family reads of the stage outputs ``paths``
    (``{input name: path}``; a family's :attr:`~latentspace.measures.registry.Family.inputs` missing from it is a
    :class:`StageError` naming them)."""
    kept = {}
    for family in families.FAMILIES:
        missing = [name for name in family.inputs if name not in paths]
        if missing:
            raise StageError(f"the {family.kind} measures need {', '.join(missing)}: give the contrasts stage "
                             + ", ".join(f"--{name}" for name in missing))
        kept[family.kind] = family.reads(paths, models, samplers, resamples)
    return kept


def _holds(kept, name: str) -> bool:
    """Whether a side's kept values give ``name``: a per-digit dict or a Replicated side holds what it kept;
    draws give every measure of their family, judged images those they kept (a centroid has no original)."""
    if isinstance(kept, fidelity.Judged):
        return families.measures()[name].compute(kept) is not None
    return name in kept if isinstance(kept, (dict, Replicated)) else True


def pairs(models: Sequence[str], samplers: Sequence[str]) -> list[tuple[Side, Side, str]]:
    """Every comparison of a run and the kind of its measures, the families in order."""
    return [(a, b, family.kind) for family in families.FAMILIES for a, b in family.compares(models, samplers)]


def held_pairs(family: Family, kept: dict, models: Sequence[str], samplers: Sequence[str]) -> list:
    """``[(a, b, measures)]``: the family's pairs whose two sides both kept values, each on the family's
    contrasted measures both sides hold (a pair holding none is left out)."""
    found = []
    for a, b in family.compares(models, samplers):
        if a.label in kept and b.label in kept:
            names = tuple(m.name for m in family.measures if family.contrasted(m)
                          and _holds(kept[a.label], m.name) and _holds(kept[b.label], m.name))
            if names:
                found.append((a, b, names))
    return found


def compare(kept: dict, models: Sequence[str], samplers: Sequence[str], *, resamples: int, level: float,
            seed: int) -> dict:
    """Every family's contrasts (:func:`gather`'s ``kept``): ``{"<a> vs <b>": {measure: {difference, low, high,
    sd}}}``, the families in order (a pair two families compare holds both's measures)."""
    result: dict = {}
    for family in families.FAMILIES:
        data = kept.get(family.kind, {})
        for pair, measured in measure(held_pairs(family, data, models, samplers), data, resamples=resamples,
                                      level=level, seed=seed).items():
            result.setdefault(pair, {}).update(measured)
    return result


def items(kept) -> int:
    """How many items (digits or draws) a side's kept values have."""
    if isinstance(kept, sample_quality.Draws):
        return len(kept.features)
    if isinstance(kept, fidelity.Judged):
        return len(kept.correct)
    if isinstance(kept, Replicated):
        return 0  # its replicates were drawn by the stage that made them
    return len(next(iter(kept.values())))


def replicates(measure: str, kept, resamples: int, seed: int) -> tuple[float, np.ndarray]:
    """A measure's value and its ``resamples`` bootstrap replicates (count,) for one side, seeded by ``seed``.

    ``kept`` are the side's per-item values as the stages saved them: a model's per-digit
    separation values ``{measure: (N,)}``, a sampler's :class:`latentspace.measures.sample_quality.Draws`, or
    a :class:`latentspace.measures.fidelity.Judged`. A per-item measure resamples its own items (the draws, or
    for the coverage the real digits: every side that shares them is resampled alike, so pairs are paired); a
    statistic of the whole set (the Fréchet distance) is recomputed on each resample of the side's items; a
    :class:`Replicated` side carries its replicates already.
    """
    if isinstance(kept, Replicated):
        value, replicated = kept.replicated[measure]
        if len(replicated) != resamples:
            raise StageError(f"{len(replicated)} replicates of {measure} for bootstrap.resamples = {resamples}: "
                             "rerun the stage that made them")
        return float(value), np.asarray(replicated, np.float64)
    declared = families.measures()[measure]
    computed = kept[measure] if isinstance(kept, dict) else declared.compute(kept)
    if declared.per_item:
        values = np.asarray(computed, dtype=np.float64)
        return float(values.mean()), values[bootstrap.resamples(len(values) or 1, resamples, seed)].mean(axis=1)
    return float(computed(slice(None))), bootstrap.replicates(computed, bootstrap.resamples(items(kept) or 1,
                                                                                            resamples, seed))


def measure(compared: list[tuple[Side, Side, tuple[str, ...]]], data: dict, *, resamples: int, level: float,
            seed: int) -> dict:
    """``{"<a> vs <b>": {measure: {difference, low, high, sd}}}`` for each ``(a, b, measures)`` of ``compared``.

    ``data[side.label]`` are the kept values of each side (see :func:`replicates`); each side's replicates
    of a measure are computed once, for every pair that holds that side (a Fréchet distance's are a
    thousand fits of a Gaussian). Both sides resample their items with the same seed: the same digits.
    """
    cache, result, declared = {}, {}, families.measures()
    for a, b, names in compared:
        entry = result.setdefault(key(a, b), {})  # a pair of models: separation and factors measures
        for name in names:
            sides = []
            for side in (a, b):
                if (side.label, name) not in cache:
                    cache[side.label, name] = replicates(name, data[side.label], resamples, seed)
                sides.append(cache[side.label, name])
            sign = 1.0 if declared[name].larger_is_better else -1.0
            difference = sign * (sides[0][0] - sides[1][0])
            replicated = sign * (sides[0][1] - sides[1][1])
            low, high = bootstrap.percentile_interval(replicated, level, difference)
            entry[name] = {"difference": difference, "low": low, "high": high,
                           "sd": float(np.std(replicated, ddof=1))}
    return result


def find(contrasts: dict, a: Side, b: Side, name: str) -> dict | None:
    """The measurement of ``a`` against ``b`` on ``name`` (positive favours ``a``), whichever order the
    contrasts hold the pair in; None where they do not hold it."""
    found = contrasts.get(key(a, b), {}).get(name)
    if found is not None:
        return found
    found = contrasts.get(key(b, a), {}).get(name)
    if found is None:
        return None
    return {**found, "difference": -found["difference"], "low": -found["high"], "high": -found["low"]}
