"""The original study's claims, each decided by this run's numbers (no TensorFlow).

A claim is a set of comparisons "A is better than B on measure M"; each comparison's difference
(oriented so that positive favours the claim) gets a paired bootstrap interval over the same
evaluation digits (separation) or the same draws (generation), and a verdict:

- supported: the interval lies above 0 and the difference reaches the measure's margin;
- not supported: the interval lies below 0 and the difference reaches the margin the other way;
- inconclusive: otherwise (the interval straddles 0, or the margin is not reached).

A claim is a conjunction ("the AE separates better than each other model, by every measure"): it
is supported when every comparison supports it, not supported when any comparison contradicts it,
and inconclusive otherwise.
Models are named by their section in params.yaml, as in the original (``ae``, ``vae``,
``conv_vae``) and for the class-separating VAE (``class_vae``); a claim about a model this run
lacks is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import bootstrap, sample_quality, samplers, separation
from .measures import Measure, by_name, claim_measures
from .samplers import PRIOR

SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE = "supported", "not supported", "inconclusive"


def separation_measures() -> tuple[str, ...]:
    """The separation measures that decide claims (means of per-digit values, latentspace.separation)."""
    return claim_measures(separation.MEASURES)


def generation_measures() -> tuple[str, ...]:
    """The generation measures that decide claims (the judge's, latentspace.sample_quality)."""
    return claim_measures(sample_quality.MEASURES)


def measures() -> dict[str, Measure]:
    """Every measure by name, as its module declares it; those of claims have a margin, claims.margins.<name>."""
    return by_name(separation.MEASURES, sample_quality.MEASURES)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a model, and for generation measures its sampler (latentspace.samplers)."""

    model: str
    sampler: str | None = None

    @property
    def label(self) -> str:
        """``vae``, or ``vae@prior`` for a sampler: a model's name holds no ``@`` or space
        (latentspace.params.MODEL_NAME), so no label can be taken for another."""
        return self.model + (f"@{self.sampler}" if self.sampler else "")

    @classmethod
    def parse(cls, label: str) -> "Side":
        """The side a :attr:`label` names (``conv_vae@prior`` → conv_vae with the prior)."""
        model, _, sampler = label.partition("@")
        return cls(model, sampler or None)


PAIR = " vs "  # a comparison's key: "<better label> vs <worse label>"


def split_pair(key: str) -> tuple[Side, Side]:
    """The sides a comparison's key names, claimed better first."""
    better, worse = key.split(PAIR)
    return Side.parse(better), Side.parse(worse)


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str
    pairs: tuple[tuple[Side, Side], ...]  # (claimed better, claimed worse)
    measures: tuple[str, ...]


def verdict(difference: float, low: float, high: float, margin: float) -> str:
    """The verdict on "the difference is positive", given its interval and the smallest difference that counts."""
    if low > 0 and difference >= margin:
        return SUPPORTED
    if high < 0 and -difference >= margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def overall(verdicts: list[str]) -> str:
    """A claim's verdict from its comparisons': one clear contradiction refutes it, all must support it."""
    if NOT_SUPPORTED in verdicts:
        return NOT_SUPPORTED
    return SUPPORTED if verdicts and all(v == SUPPORTED for v in verdicts) else INCONCLUSIVE


def claims(models: list[str]) -> list[Claim]:
    """The original's claims that the models of this run can test, in the original's order."""
    vaes = [m for m in ("vae", "conv_vae") if m in models]
    separating, generating = separation_measures(), generation_measures()
    candidates = [
        Claim("ae_separates_best", "The AE's codes separate the digit classes best",
              tuple((Side("ae"), Side(m)) for m in models if m != "ae"), separating),
        Claim("ae_prior_samples_not_digits",
              "The AE's decoded N(0, I) draws are not digits while the VAEs' are (the VAEs' look more like digits)",
              tuple((Side(m, PRIOR), Side("ae", PRIOR)) for m in vaes), generating),
        Claim("conv_vae_separates_better", "The conv VAE's codes separate the classes better than the VAE's",
              ((Side("conv_vae"), Side("vae")),), separating),
        Claim("better_prior_helps",
              "Hypothesis (a): a better prior than N(0, I) (a Gaussian mixture fitted to the codes) gives better digits",
              tuple((Side(m, s.name), Side(m, PRIOR)) for m in vaes for s in samplers.SAMPLERS if s.name != PRIOR),
              generating),
        Claim("class_term_helps", "Hypothesis (b): a class-separating term makes the VAE's codes separate better",
              ((Side("class_vae"), Side("vae")),), separating),
    ]
    return [c for c in candidates
            if c.pairs and all(side.model in models for pair in c.pairs for side in pair)]


def items(kept) -> int:
    """How many items (digits or draws) a side's kept values have."""
    return len(kept.features) if isinstance(kept, sample_quality.Draws) else len(next(iter(kept.values())))


def replicates(measure: str, kept, indices: np.ndarray):
    """A measure's value and its bootstrap replicates (count,) for one side.

    ``kept`` are the side's per-item values as the stages saved them: a model's per-digit
    separation values ``{measure: (N,)}``, or a sampler's :class:`latentspace.sample_quality.Draws`
    (per-draw confidence and manifold membership, judge features against the real digits'); a
    statistic of the whole set (the Fréchet distance) is recomputed on each resample.
    """
    declared = measures()[measure]
    computed = kept[measure] if isinstance(kept, dict) else declared.compute(kept)
    if declared.per_item:
        values = np.asarray(computed, dtype=np.float64)
        return float(values.mean()), values[indices].mean(axis=1)
    return float(computed(slice(None))), bootstrap.replicates(computed, indices)


def decide(claim: Claim, data: dict, *, margins: dict[str, float], resamples: int, level: float,
           seed: int, cache: dict | None = None) -> dict:
    """``{"verdict", "<better> vs <worse>": {measure: {difference, low, high, sd, verdict}}}`` for one claim.

    ``data[side.label]`` are the kept per-item values of each side (see :func:`replicates`); ``cache``
    (a dict shared by the claims of a run) keeps each side's replicates of a measure, computed once
    for every claim that compares that side (a Fréchet distance is a thousand fits of a Gaussian).
    """
    result, verdicts = {}, []
    cache = {} if cache is None else cache
    for better, worse in claim.pairs:
        entry = result[f"{better.label}{PAIR}{worse.label}"] = {}
        for measure in claim.measures:
            sides = []
            for side in (better, worse):
                if (side.label, measure) not in cache:
                    indices = bootstrap.resamples(items(data[side.label]), resamples, seed)
                    cache[side.label, measure] = replicates(measure, data[side.label], indices)
                sides.append(cache[side.label, measure])
            sign = 1.0 if measures()[measure].larger_is_better else -1.0
            difference = sign * (sides[0][0] - sides[1][0])
            replicated = sign * (sides[0][1] - sides[1][1])
            low, high = bootstrap.percentile_interval(replicated, level, difference)
            said = verdict(difference, low, high, margins[measure])
            # sd: the bootstrap standard deviation of the difference, the evaluation digits' share of its
            # uncertainty when runs over seeds are pooled (latentspace.tools.study)
            entry[measure] = {"difference": difference, "low": low, "high": high, "sd": float(np.std(replicated, ddof=1)),
                              "verdict": said}
            verdicts.append(said)
    return {"verdict": overall(verdicts), **result}
