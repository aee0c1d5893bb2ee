"""The VampPrior of a trained model in NumPy (no TensorFlow): its log-density and its draws.

The prior is the mixture of the encoder's posteriors at its K pseudo-inputs (Tomczak & Welling 2018;
latentspace/models/vamp.py), p_λ(z) = (1/K) Σ_k N(z; m_k, diag exp λ_k), with ``mean`` (K, D) the m_k and
``log_var`` (K, D) the λ_k (the codes file's ``prior_mean``, ``prior_log_var``: stages/codes.py).
"""

from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as np

LOG_2PI = math.log(2.0 * math.pi)
PRIOR_ARRAYS = ("prior_mean", "prior_log_var")  # the mixture (K, D) a VampPrior model's codes file holds
BLOCK = 1 << 22  # floats of the (M, components, D) block each step of :func:`vamp_log_density` holds (32 MB)


def vamp_log_density(z: np.ndarray, mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """log p_λ(z) (M,) float64 nats of codes ``z`` (M, D) under the mixture of ``mean``, ``log_var`` (K, D):
    logsumexp_k[−½ Σ_d (log 2π + λ_kd + (z_d − m_kd)² e^{−λ_kd})] − log K.

    The squares are formed as written (no expansion, so no cancellation), a block of components at a time
    (:data:`BLOCK`); with K = 1, m = 0, λ = 0 the values are log N(z; 0, I) to the bit as
    latentspace/measures/likelihood.py forms it."""
    z, mean, log_var = (np.asarray(a, np.float64) for a in (z, mean, log_var))
    per_component = np.empty((len(z), len(mean)))
    step = max(1, BLOCK // max(1, z.size))
    for start in range(0, len(mean), step):
        m, lv = mean[start:start + step], log_var[start:start + step]
        terms = LOG_2PI + lv + np.square(z[:, None, :] - m) * np.exp(-lv)  # (M, block, D)
        per_component[:, start:start + step] = -0.5 * terms.sum(axis=2)
    top = per_component.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(per_component - top).sum(axis=1, keepdims=True)))[:, 0] - math.log(len(mean))


def vamp_draw(n: int, seed: int, mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """``n`` codes (n, D) float32 from the mixture: a component k uniform over the K, then m_k + exp(½ λ_k)·ε,
    ε ~ N(0, I) (``numpy.random.default_rng(seed)``: the components first, then ε)."""
    mean, log_var = np.asarray(mean, np.float64), np.asarray(log_var, np.float64)
    rng = np.random.default_rng(seed)
    k = rng.integers(len(mean), size=n)
    eps = rng.standard_normal((n, mean.shape[1]))
    return (mean[k] + np.exp(0.5 * log_var[k]) * eps).astype(np.float32)


def learnt_log_density(codes: dict[str, np.ndarray]) -> Callable[[np.ndarray], np.ndarray] | None:
    """The log-density z (M, D) → (M,) of the prior a model learnt, :func:`vamp_log_density` of the mixture its codes
    file ``codes`` holds (:data:`PRIOR_ARRAYS`); None where it holds none (its prior is N(0, I))."""
    if not all(name in codes for name in PRIOR_ARRAYS):
        return None
    return functools.partial(vamp_log_density, mean=codes["prior_mean"], log_var=codes["prior_log_var"])
