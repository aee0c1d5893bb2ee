"""Bootstrap confidence intervals over the evaluation digits (no TensorFlow).

Every stage draws its resamples from the same seed, so for the same number of digits the resample
indices are the same in every stage and for every model: differences between models, computed
resample by resample, are paired bootstrap differences.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def resamples(n: int, count: int, seed: int) -> np.ndarray:
    """``count`` resamples of ``range(n)`` with replacement: indices (count, n)."""
    return np.random.default_rng(seed).integers(0, n, size=(count, n))


def replicates(statistic: Callable[[np.ndarray], float], indices: np.ndarray) -> np.ndarray:
    """The statistic of each resample (count,); ``statistic`` takes an index array (n,)."""
    return np.array([statistic(rows) for rows in indices], dtype=np.float64)


def percentile_interval(values: np.ndarray, level: float, estimate: float) -> tuple[float, float]:
    """A ``level`` interval from bootstrap replicates, bias-corrected (Efron's BC percentile method).

    Plain percentiles when the replicates are centred on ``estimate`` (the statistic of all items);
    shifted when they are not, as for scores that resampling's repeated items bias (Calinski–
    Harabasz, Davies–Bouldin), so the interval still covers the estimate. All replicates equal give
    a point.
    """
    from statistics import NormalDist

    values = np.asarray(values, dtype=np.float64)
    normal, count = NormalDist(), len(values)
    below = (np.sum(values < estimate) + 0.5 * np.sum(values == estimate)) / count
    bias = normal.inv_cdf(float(np.clip(below, 0.5 / count, 1.0 - 0.5 / count)))
    z = normal.inv_cdf(0.5 + level / 2.0)
    low, high = np.percentile(values, [100.0 * normal.cdf(2.0 * bias - z), 100.0 * normal.cdf(2.0 * bias + z)])
    return float(low), float(high)


def interval(statistic: Callable[[np.ndarray], float], indices: np.ndarray, level: float) -> dict[str, float]:
    """``{"value", "low", "high"}``: the statistic of all n items and its bootstrap interval."""
    value = float(statistic(np.arange(indices.shape[1])))
    low, high = percentile_interval(replicates(statistic, indices), level, value)
    return {"value": value, "low": low, "high": high}


def mean_interval(values: np.ndarray, indices: np.ndarray, level: float) -> dict[str, float]:
    """:func:`interval` of the mean of per-item values (n,), vectorised."""
    values = np.asarray(values, dtype=np.float64)
    value = float(values.mean())
    low, high = percentile_interval(values[indices].mean(axis=1), level, value)
    return {"value": value, "low": low, "high": high}
