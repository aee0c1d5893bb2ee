"""A set's manifold as Kynkäänniemi et al. (2019) estimate it: the union of balls around each of its points
reaching the point's k-th nearest other point (no TensorFlow). Precision and recall (sample_quality.py),
density and coverage (coverage.py) and the latent space's holes (holes.py) are counts of points inside
such balls. Points are (N, F) float arrays; distances Euclidean.
"""

from __future__ import annotations

import numpy as np

NEIGHBOURS = 3  # k of the manifold's balls for precision, recall and holes (Kynkäänniemi et al. use 3)
CELLS = 10_000_000  # distances computed at a time (80 MB)


def kth_neighbour_radii(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's distance to its k-th nearest other point of the same set (N,)."""
    from sklearn.neighbors import NearestNeighbors

    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    return distances[:, k]  # column 0 is the point itself


def covered(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Whether each query (N, F) lies within the radius (M,) of at least one centre (M, F) (N,) bool; the distances
    are taken :data:`CELLS` at a time (50,000 training codes against 1,000 draws)."""
    from sklearn.metrics import pairwise_distances

    step = max(1, CELLS // max(1, len(centres)))
    return np.concatenate([np.any(pairwise_distances(queries[i:i + step], centres) <= radii[None, :], axis=1)
                           for i in range(0, len(queries), step)]) if len(queries) else np.zeros(0, bool)


def inside_manifold(points: np.ndarray, reference: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Whether each point (N, F) lies inside the manifold of ``reference`` (M, F): the union of balls
    around each reference sample reaching its k-th nearest reference neighbour (N,) bool."""
    points, reference = np.asarray(points, np.float64), np.asarray(reference, np.float64)
    return covered(points, reference, kth_neighbour_radii(reference, k))
