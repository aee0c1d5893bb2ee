"""What moves a decoded digit's factors: traversals measured, and decoded digits compared factor by factor (no TensorFlow).

**Traversals.** From each of A anchor codes, each unit d is moved across the explorer's range (−3 to
+3 of the unit's standard deviation over the evaluation codes, latentspace/pages/explorer.py) in S steps,
decoded and measured (latentspace/measures/factors/morphometrics.py): values (A, D, S) per factor. A unit's **effect**
on a factor is the least-squares slope of the factor on the step, averaged over the anchors and
expressed as the change across the whole traversal in the real digits' standard deviations of that
factor (so factors of different units compare). Its interval: percentile bootstrap over the anchors.
A unit **moves one factor alone** (:func:`alone`, the rule written there) when its largest effect's
interval excludes 0 and every other factor's effect stays, interval and all, under half of it.

**Decoded digits against real ones.** Per factor, the Wasserstein-1 distance between the decoded
digits' values (a sampler's draws, or the reconstructions) and the evaluation digits', in the real
digits' standard deviations of the factor; :data:`MEASURES` average it over the factors. Decoded
images are greyer than the real digits and binarising them at half-contrast thickens the strokes, so
every decoded set carries that offset: the draws are also compared with the reconstructions (the
same decoder on real codes), which cancels it. Intervals: bootstrap resamples of both sets, the
same resamples for every sampler (paired).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentspace.measures import replicated
from latentspace.measures.registry import Family, Measure
from latentspace.measures.sides import Side, drawn_pairs

FACTORS_KIND = "factors"  # the kind of the measures below: a sampler's draws, their factors against a reference
HALF = 0.5  # :func:`alone`: every other factor's effect stays under this share of the largest's

MEASURES: tuple[Measure, ...] = (
    Measure("factor_distance", "distance of the factors to the real digits'", FACTORS_KIND, larger_is_better=False,
            per_item=False, claims=True),
    Measure("factor_distance_decoded", "distance of the factors to the reconstructions'", FACTORS_KIND,
            larger_is_better=False, per_item=False, claims=True),
)


def kept(paths, models, samplers, resamples):
    """Each (model, sampler) side's factor distances with their bootstrap replicates, as the factors stage kept
    them (``paths["factors"]``)."""
    return {Side(model, s).label: replicated.load(Path(paths["factors"]) / f"{model}.npz", [m.name for m in MEASURES], s)
            for model in models for s in samplers}


FAMILY = Family(FACTORS_KIND, MEASURES, compares=drawn_pairs, reads=kept, inputs=("factors",))


def slopes(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Least-squares slope of values (A, D, S) on offsets (S,) per anchor and unit (A, D), ignoring NaN
    (an undecodable, blank step); NaN where fewer than two steps were measured."""
    values = np.asarray(values, np.float64)
    x = np.broadcast_to(np.asarray(offsets, np.float64), values.shape)
    ok = np.isfinite(values)
    count = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.where(ok, x, 0).sum(axis=-1) / count
        my = np.where(ok, values, 0).sum(axis=-1) / count
        dx = np.where(ok, x - mx[..., None], 0)
        slope = (dx * np.where(ok, values - my[..., None], 0)).sum(axis=-1) / (dx ** 2).sum(axis=-1)
    return np.where(count >= 2, slope, np.nan)


def effects(measured: dict[str, np.ndarray], offsets: np.ndarray, spread: dict[str, float], *, resamples: int,
            level: float, seed: int) -> dict[str, np.ndarray]:
    """Each unit's effect on each factor over its traversal, in real-digit standard deviations:
    ``measured`` {factor: (A, D, S)} at ``offsets`` (S,) (in the unit's sd), ``spread`` {factor: the real
    digits' sd} → {"effect", "low", "high": (D, K)} (K: the factors in ``measured``'s order) with the
    percentile bootstrap interval over the anchors, and {"alone": (D,) bool, "top": (D,) factor index}."""
    from latentspace.measures.bootstrap import percentile_interval

    width = float(np.ptp(offsets))
    per_anchor = np.stack([slopes(measured[name], offsets) * width / spread[name] for name in measured],
                          axis=-1)  # (A, D, K)
    anchors = per_anchor.shape[0]
    effect = np.nanmean(per_anchor, axis=0)
    indices = np.random.default_rng(seed).integers(0, anchors, size=(resamples, anchors))
    replicated = np.nanmean(per_anchor[indices], axis=1)  # (B, D, K)
    low, high = np.empty_like(effect), np.empty_like(effect)
    for d in range(effect.shape[0]):
        for k in range(effect.shape[1]):
            low[d, k], high[d, k] = percentile_interval(replicated[:, d, k], level, effect[d, k])
    return {"effect": effect, "low": low, "high": high, **alone(effect, low, high)}


def alone(effect: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, np.ndarray]:
    """The rule: unit d moves factor k alone when k has d's largest |effect|, its interval excludes 0,
    and every other factor's interval lies within ± :data:`HALF` · |effect of k|. (D, K) → top (D,), alone (D,)."""
    top = np.nanargmax(np.abs(effect), axis=1)
    rows = np.arange(len(top))
    size = np.abs(effect[rows, top])
    clear = (low[rows, top] > 0) | (high[rows, top] < 0)
    reach = np.maximum(np.abs(low), np.abs(high))
    reach[rows, top] = 0.0
    return {"top": top, "alone": clear & (reach.max(axis=1) < HALF * size)}


def _wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(a, b))


def distances(decoded: dict[str, np.ndarray], reference: dict[str, np.ndarray], spread: dict[str, float],
              decoded_indices: np.ndarray, reference_indices: np.ndarray) -> dict[str, tuple[float, np.ndarray]]:
    """Per factor and their mean ("mean"): the Wasserstein-1 distance of decoded values (M,) to reference
    values (N,) in real-digit sds, and its replicates (B,) on resamples (B, M) and (B, N) of each
    (NaN values, blank images, left out). ``{factor: (value, (B,))}``."""
    out = {}
    for name in reference:
        a, b = np.asarray(decoded[name], np.float64), np.asarray(reference[name], np.float64)
        value = _wasserstein(a[np.isfinite(a)], b[np.isfinite(b)]) / spread[name]
        replicated = np.empty(len(decoded_indices))
        for r, (i, j) in enumerate(zip(decoded_indices, reference_indices)):
            x, y = a[i], b[j]
            replicated[r] = _wasserstein(x[np.isfinite(x)], y[np.isfinite(y)]) / spread[name]
        out[name] = (value, replicated)
    out["mean"] = (float(np.mean([v for v, _ in out.values()])), np.mean([r for _, r in out.values()], axis=0))
    return out
