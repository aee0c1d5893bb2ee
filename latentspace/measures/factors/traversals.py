"""Traversals: the dimensions a model uses, the code they start from, the digits they are drawn for, and the codes
that sweep one dimension at a time (no TensorFlow). Read by the explorer page and its traversal figures (stages/explore.py)
and by the factors stage, which measures what each traversal changes in the decoded digits (stages/factors.py)."""

from __future__ import annotations

import numpy as np

REACH = 3.0            # sliders and traversals span the mean ± REACH standard deviations of a dimension
TRAVERSAL_STEPS = 9    # columns of the traversal figure, from −REACH to +REACH sd


def usage(units: dict) -> tuple[np.ndarray, str]:
    """How much a model uses each dimension, from its units metrics: a VAE's KL per dimension (nats),
    else (the AE) the activity, the variance of the code over the digits. (D,) and what it is."""
    if "kl_per_dimension" in units:
        values, name = units["kl_per_dimension"], "KL"
    else:
        values, name = units["activity"], "activity"
    return np.array([values[f"z{d}"] for d in range(len(values))], np.float64), name


def order(used: np.ndarray) -> list[int]:
    """Dimensions, most used first (ties: lower index first)."""
    return [int(d) for d in np.argsort(-np.asarray(used), kind="stable")]


def anchor(codes: np.ndarray) -> int:
    """The row of ``codes`` (N, D) nearest their mean: the code traversals start from."""
    codes = np.asarray(codes, np.float64)
    return int(np.argmin(((codes - codes.mean(axis=0)) ** 2).sum(axis=1)))


def subset(labels: np.ndarray, points: int, seed: int) -> np.ndarray:
    """Sorted indices of at most ``points`` of the digits, stratified by label and seeded (all when fewer)."""
    n = len(labels)
    if n <= points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = max(1, round(points * len(members) / n))
        chosen.extend(rng.choice(members, size=min(take, len(members)), replace=False))
    return np.sort(np.array(chosen[:points] if len(chosen) > points else chosen, np.int64))


def traversal_codes(code: np.ndarray, sd: np.ndarray, dimensions: list[int],
                    steps: int = TRAVERSAL_STEPS, reach: float = REACH) -> np.ndarray:
    """Codes (len(dimensions) · steps, D) float32: for each dimension in turn, ``code`` with that
    dimension moved from −reach to +reach of its standard deviation ``sd`` around its own value."""
    offsets = np.linspace(-reach, reach, steps)
    rows = []
    for d in dimensions:
        block = np.repeat(np.asarray(code, np.float64)[None, :], steps, axis=0)
        block[:, d] += offsets * sd[d]
        rows.append(block)
    return np.concatenate(rows).astype(np.float32)
