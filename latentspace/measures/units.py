"""Which latent dimensions a model uses: per-dimension KL and active units (no TensorFlow).

``mean`` and ``log_var`` are a VAE encoder's outputs for N digits, (N, D); the AE's code counts as
a mean with no variance.
"""

from __future__ import annotations

import numpy as np


def kl_per_dimension(mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL(q(z_d|x) ‖ N(0, 1)) of each dimension, averaged over the digits (D,) nats.

    ½ (mean² + exp(log_var) − 1 − log_var); the sum over dimensions is the KL term of the loss.
    """
    mean, log_var = np.asarray(mean, np.float64), np.asarray(log_var, np.float64)
    return (0.5 * (mean ** 2 + np.exp(log_var) - 1.0 - log_var)).mean(axis=0)


def activity(mean: np.ndarray) -> np.ndarray:
    """The variance over the digits of each dimension's posterior mean (D,): Burda et al. (2016)'s A_u."""
    return np.asarray(mean, np.float64).var(axis=0)


def active_units(mean: np.ndarray, threshold: float) -> int:
    """How many dimensions have an activity above ``threshold`` (Burda et al. use 0.01)."""
    return int(np.sum(activity(mean) > threshold))


def measure(mean: np.ndarray, log_var: np.ndarray | None, threshold: float) -> dict:
    """The units metrics: active units, dimensions, each dimension's activity and, for a VAE (``log_var`` given),
    the KL and each dimension's."""
    metrics = {"active_units": active_units(mean, threshold), "dimensions": int(np.shape(mean)[1]),
               "activity": {f"z{d}": float(v) for d, v in enumerate(activity(mean))}}
    if log_var is not None:
        kl = kl_per_dimension(mean, log_var)
        metrics["kl"] = float(kl.sum())
        metrics["kl_per_dimension"] = {f"z{d}": float(v) for d, v in enumerate(kl)}
    return metrics
