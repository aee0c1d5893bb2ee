"""Every comparison a claim can ask for, measured: paired bootstrap differences between sides (no TensorFlow).

A side is a model's codes (``vae``), a sampler's decoded draws (``vae@prior``), a model's judged
reconstructions or centroids (``vae@reconstructions``, ``vae@centroids``: latentspace/fidelity.py)
or the real evaluation digits as the judge sees them (:data:`REAL`), or the prior N(0, I) itself
(:data:`PRIOR_ITSELF`). The contrasts stage measures every pair of models on every per-digit
separation measure and on how their units carry the digits' factors (MIG, SAP), every pair of (model,
sampler) sides on every generation measure that decides claims and on how far their draws' factors
sit from the real digits', each judged side against the real digits, and each VAE's aggregate
posterior against the prior;
``metrics/contrasts.json`` keeps ``{"<a> vs <b>": {measure: {difference, low, high, sd}}}``: the
difference a − b signed so that positive favours ``a`` (for the Fréchet distance, lower is better),
its paired bootstrap interval at ``bootstrap.level`` (the same resamples of the same evaluation
digits or draws on both sides) and the bootstrap sd. Claims (latentspace/claims.py) are decided
from these numbers alone, so a study record that keeps them can be decided again by other claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from . import bootstrap, disentanglement, factor_effects, fidelity, prior_gap, sample_quality, separation
from .measures import Measure, by_name


def measures() -> dict[str, Measure]:
    """Every measure a contrast can be on, by name, as its module declares it."""
    return by_name(separation.MEASURES, sample_quality.MEASURES, fidelity.MEASURES, disentanglement.MEASURES,
                   factor_effects.MEASURES, prior_gap.MEASURES)


@dataclass
class Replicated:
    """A side's measures that a stage computed whole and on each bootstrap resample already:
    ``{measure: (value, (B,) replicates)}`` (the factors stage's MIG, SAP, factor distances, prior gap),
    beside the side's other kept values (``also``: a model's per-digit separation values, a sampler's Draws)."""

    replicated: dict[str, tuple[float, np.ndarray]]
    also: object = None

    def __contains__(self, name: str) -> bool:
        return name in self.replicated or (isinstance(self.also, dict) and name in self.also)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a model, and for generation or judged measures what of it (a sampler of
    latentspace.samplers, or one of latentspace.fidelity.KINDS)."""

    model: str
    sampler: str | None = None

    @property
    def label(self) -> str:
        """``vae``, or ``vae@prior``: a model's name holds no ``@`` or space
        (latentspace.params.MODEL_NAME), so no label can be taken for another."""
        return self.model + (f"@{self.sampler}" if self.sampler else "")

    @classmethod
    def parse(cls, label: str) -> "Side":
        """The side a :attr:`label` names (``conv_vae@prior`` → conv_vae with the prior)."""
        model, _, sampler = label.partition("@")
        return cls(model, sampler or None)


REAL = Side("real digits")  # the real evaluation digits, judged (a space: never a model's name)
PRIOR_ITSELF = Side("the prior")  # N(0, I) itself, which is 0 nats from itself (a space: never a model's name)
REFERENCES = (REAL, PRIOR_ITSELF)  # the sides that are not a model's
PAIR = " vs "  # a comparison's key: "<a label> vs <b label>"


def key(a: Side, b: Side) -> str:
    return f"{a.label}{PAIR}{b.label}"


def split_pair(pair: str) -> tuple[Side, Side]:
    """The sides a comparison's key names, in order."""
    a, b = pair.split(PAIR)
    return Side.parse(a), Side.parse(b)


def pairs(models: list[str], samplers: list[str]) -> list[tuple[Side, Side, str]]:
    """Every comparison of a run and the kind of its measures: each pair of models (separation, their units'
    factors), each pair of (model, sampler) sides (generation, their draws' factors), each model's
    reconstructions and centroids against the real digits (judged), each model against the prior itself
    (its aggregate posterior's distance; only a VAE has it); in params.yaml's order."""
    from .measures import GENERATION, SEPARATION

    drawn = [Side(m, s) for m in models for s in samplers]
    return [*((Side(a), Side(b), SEPARATION) for a, b in combinations(models, 2)),
            *((a, b, GENERATION) for a, b in combinations(drawn, 2)),
            *((Side(m, kind), REAL, fidelity.JUDGED) for m in models for kind in fidelity.KINDS),
            *((Side(a), Side(b), disentanglement.DISENTANGLING) for a, b in combinations(models, 2)),
            *((a, b, factor_effects.FACTORS_KIND) for a, b in combinations(drawn, 2)),
            *((Side(m), PRIOR_ITSELF, prior_gap.PRIOR_KIND) for m in models)]


def items(kept) -> int:
    """How many items (digits or draws) a side's kept values have."""
    if isinstance(kept, sample_quality.Draws):
        return len(kept.features)
    if isinstance(kept, fidelity.Judged):
        return len(kept.correct) if kept.correct is not None else 0
    if isinstance(kept, Replicated):
        return items(kept.also) if kept.also is not None else 0
    return len(next(iter(kept.values())))


def replicates(measure: str, kept, indices: np.ndarray) -> tuple[float, np.ndarray]:
    """A measure's value and its bootstrap replicates (count,) for one side.

    ``kept`` are the side's per-item values as the stages saved them: a model's per-digit
    separation values ``{measure: (N,)}``, a sampler's :class:`latentspace.sample_quality.Draws`, or
    a :class:`latentspace.fidelity.Judged` (per digit, or replicated already for the centroids); a
    statistic of the whole set (the Fréchet distance) is recomputed on each resample.
    """
    if isinstance(kept, Replicated) and measure not in kept.replicated:
        kept = kept.also
    if getattr(kept, "replicated", None) is not None:  # a Judged side's centroids, a Replicated side
        value, replicated = kept.replicated[measure]
        if len(replicated) != len(indices):
            from .errors import StageError

            raise StageError(f"{len(replicated)} replicates of {measure} for bootstrap.resamples = {len(indices)}: "
                             "rerun the stage that made them")
        return float(value), np.asarray(replicated, np.float64)
    declared = measures()[measure]
    computed = kept[measure] if isinstance(kept, dict) else declared.compute(kept)
    if declared.per_item:
        values = np.asarray(computed, dtype=np.float64)
        return float(values.mean()), values[indices].mean(axis=1)
    return float(computed(slice(None))), bootstrap.replicates(computed, indices)


def measure(compared: list[tuple[Side, Side, tuple[str, ...]]], data: dict, *, resamples: int, level: float,
            seed: int) -> dict:
    """``{"<a> vs <b>": {measure: {difference, low, high, sd}}}`` for each ``(a, b, measures)`` of ``compared``.

    ``data[side.label]`` are the kept values of each side (see :func:`replicates`); each side's replicates
    of a measure are computed once, for every pair that holds that side (a Fréchet distance's are a
    thousand fits of a Gaussian). Both sides resample their items with the same seed: the same digits.
    """
    cache, result = {}, {}
    for a, b, names in compared:
        entry = result.setdefault(key(a, b), {})  # a pair of models: separation and factors measures
        for name in names:
            sides = []
            for side in (a, b):
                if (side.label, name) not in cache:
                    indices = bootstrap.resamples(items(data[side.label]) or 1, resamples, seed)
                    cache[side.label, name] = replicates(name, data[side.label], indices)
                sides.append(cache[side.label, name])
            sign = 1.0 if measures()[name].larger_is_better else -1.0
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
