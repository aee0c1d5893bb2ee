"""Whether a reconstruction identifies its own digit among others, by the pixels (no TensorFlow here).

The paper's section 3.1 finds the reconstructions "fairly similar to the original images". Read
strictly: digit i's reconstruction is nearer (Euclidean distance in pixels) its own original than
every one of a fixed number of distractors, other evaluation digits' originals drawn at random, seeded.
The count is fixed (:data:`DISTRACTORS`), not a share of the digits, so the test is as hard at
1,000 evaluation digits as at 10,000; chance alone identifies 1 / (count + 1) of the digits.
"""

from __future__ import annotations

import numpy as np

DISTRACTORS = 99  # other digits each reconstruction is told apart from: chance is 1 in 100
CHUNK = 64  # digits at a time: (CHUNK, count, pixels) float64, 64 × 99 × 784 × 8 bytes ≈ 40 MB


def distractors(n: int, count: int = DISTRACTORS, seed: int = 0) -> np.ndarray:
    """For each of ``n`` digits, ``count`` other digits (n, count) int64: drawn without replacement from
    range(n) less the digit itself, seeded (Floyd's algorithm, every row at once)."""
    if n <= count:
        raise ValueError(f"{count} distractors need at least {count + 1} evaluation digits; got {n}")
    rng = np.random.default_rng(seed)
    chosen = np.empty((n, count), np.int64)
    for column, top in enumerate(range(n - 1 - count, n - 1)):  # a uniform subset of range(n - 1), row by row
        drawn = rng.integers(0, top + 1, size=n)
        taken = (chosen[:, :column] == drawn[:, None]).any(axis=1)
        chosen[:, column] = np.where(taken, top, drawn)
    return chosen + (chosen >= np.arange(n)[:, None])  # range(n - 1) → range(n) less i


def identified(originals: np.ndarray, reconstructions: np.ndarray, distractors: np.ndarray,
               chunk: int = CHUNK) -> np.ndarray:
    """1.0 where reconstruction i is strictly nearer its original than every distractor's original, else 0.0
    (N,) float64: a per-item measure. ``originals`` and ``reconstructions`` (N, ...) pixels, ``distractors``
    (N, count) indices into the originals. Computed ``chunk`` digits at a time."""
    originals = np.asarray(originals, np.float64).reshape(len(originals), -1)
    reconstructions = np.asarray(reconstructions, np.float64).reshape(len(reconstructions), -1)
    distractors = np.asarray(distractors)
    if originals.shape != reconstructions.shape or len(distractors) != len(originals):
        raise ValueError(f"originals {originals.shape}, reconstructions {reconstructions.shape} and "
                         f"distractors {distractors.shape} must describe the same digits")
    result = np.empty(len(originals))
    for start in range(0, len(originals), chunk):
        rows = slice(start, start + chunk)
        own = np.linalg.norm(reconstructions[rows] - originals[rows], axis=1)
        others = np.linalg.norm(reconstructions[rows, None, :] - originals[distractors[rows]], axis=2)
        result[rows] = own < others.min(axis=1)
    return result
