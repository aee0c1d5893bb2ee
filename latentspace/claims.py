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

from . import bootstrap
from .sample_quality import frechet_distance

SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE = "supported", "not supported", "inconclusive"
# Measures: name → whether larger is better. Separation measures are means of per-digit values
# (latentspace.separation); generation measures come from the judge (latentspace.sample_quality).
SEPARATION = {"silhouette": True, "knn_accuracy": True, "probe_accuracy": True}
GENERATION = {"confidence": True, "precision": True, "frechet_distance": False}
MEASURES = {**SEPARATION, **GENERATION}


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a model, and for generation measures its sampler (prior or mixture)."""

    model: str
    sampler: str | None = None

    @property
    def label(self) -> str:
        return self.model + (f"_{self.sampler}" if self.sampler else "")


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
    candidates = [
        Claim("ae_separates_best", "The AE's codes separate the digit classes best",
              tuple((Side("ae"), Side(m)) for m in models if m != "ae"), tuple(SEPARATION)),
        Claim("ae_prior_samples_not_digits",
              "The AE's decoded N(0, I) draws are not digits while the VAEs' are (the VAEs' look more like digits)",
              tuple((Side(m, "prior"), Side("ae", "prior")) for m in vaes), tuple(GENERATION)),
        Claim("conv_vae_separates_better", "The conv VAE's codes separate the classes better than the VAE's",
              ((Side("conv_vae"), Side("vae")),), tuple(SEPARATION)),
        Claim("better_prior_helps",
              "Hypothesis (a): a better prior than N(0, I) (a Gaussian mixture fitted to the codes) gives better digits",
              tuple((Side(m, "mixture"), Side(m, "prior")) for m in vaes), tuple(GENERATION)),
        Claim("class_term_helps", "Hypothesis (b): a class-separating term makes the VAE's codes separate better",
              ((Side("class_vae"), Side("vae")),), tuple(SEPARATION)),
    ]
    return [c for c in candidates
            if c.pairs and all(side.model in models for pair in c.pairs for side in pair)]


def replicates(measure: str, data: dict, indices: np.ndarray, real: np.ndarray | None = None):
    """A measure's value and its bootstrap replicates (count,) for one side.

    ``data`` holds the side's per-item arrays: the per-digit separation values, or a sampler's
    ``confidence`` (N,), ``inside`` (N,) (for precision) and judge ``features`` (N, F); the
    Fréchet distance is recomputed on each resample against the ``real`` features.
    """
    if measure == "frechet_distance":
        features = data["features"]
        return frechet_distance(features, real), bootstrap.replicates(
            lambda rows: frechet_distance(features[rows], real), indices)
    values = np.asarray(data["inside" if measure == "precision" else measure], dtype=np.float64)
    return float(values.mean()), values[indices].mean(axis=1)


def decide(claim: Claim, data: dict[str, dict], *, margins: dict[str, float], resamples: int, level: float,
           seed: int, real: np.ndarray | None = None) -> dict:
    """``{"verdict", <better>_vs_<worse>: {measure: {difference, low, high, verdict}}}`` for one claim.

    ``data[side.label]`` are the per-item arrays of each side (see :func:`replicates`).
    """
    result, verdicts, cache = {}, [], {}
    for better, worse in claim.pairs:
        entry = result[f"{better.label}_vs_{worse.label}"] = {}
        for measure in claim.measures:
            sides = []
            for side in (better, worse):
                if (side.label, measure) not in cache:
                    n = len(next(iter(data[side.label].values())))
                    cache[side.label, measure] = replicates(measure, data[side.label],
                                                            bootstrap.resamples(n, resamples, seed), real)
                sides.append(cache[side.label, measure])
            sign = 1.0 if MEASURES[measure] else -1.0
            difference = sign * (sides[0][0] - sides[1][0])
            low, high = bootstrap.percentile_interval(sign * (sides[0][1] - sides[1][1]), level, difference)
            said = verdict(difference, low, high, margins[measure])
            entry[measure] = {"difference": difference, "low": low, "high": high, "verdict": said}
            verdicts.append(said)
    return {"verdict": overall(verdicts), **result}
