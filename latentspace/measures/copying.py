"""Whether generated samples are copies of the training data, in a feature space (no TensorFlow here).

T: training features (l, F); P: held-out real features never trained on (n, F); V: more held-out real features,
disjoint from P (the reference side); Q: generated features (m, F). L(x) = Euclidean distance from x to its
nearest point of T. Distances are in the features' own units.

- **Copy score** of draw q_j (the deciding measure): ``mean over p in P of 1(L(q_j) > L(p)) + ½·1(L(q_j) = L(p))``,
  the mid-rank share of held-out points nearer T than the draw. Its mean over draws is Mann–Whitney's U/(nm)
  (``scipy.stats.mannwhitneyu(LQ, LP).statistic / (m n)``): the one-cell form of Meehan, Chaudhuri & Dasgupta
  2020 (AISTATS, "A non-parametric test to detect data-copying in generative models"). About ½ when Q is as
  far from T as fresh real data (V's scores are the reference), → 0 for copies of T, > ½ for underfit draws.
- **C_T** (Meehan et al. 2020, their ``data_copying_tests.py``, copied into dgm-eval's ``metrics/ct.py``): cells
  π are the Voronoi cells of k-means centres fitted on T (a point's cell: its nearest centre, as ``KMeans.predict``
  assigns it). In each cell U_π = Σ_{q,p ∈ π} 1(L_q > L_p) + ½·1(L_q = L_p) and, as their code does,
  Z_U(π) = (U_π − (m_π n_π/2 − ½)) / sqrt(m_π n_π (m_π + n_π + 1)/12): the −½ is their continuity correction
  (for the lower, copying tail), the variance has no tie correction. C_T = Σ_{π ∈ Π_τ} P_n(π) Z_U(π) / Σ P_n(π)
  over Π_τ, the cells holding more than τ = 20/m of the draws (their strict ``Q_m(π) > τ``: more than
  :data:`MIN_DRAWS` draws) and at least one point of P. C_T ≪ 0: copying; ≫ 0: underfitting.
  One departure: their code measures L within a cell against that cell's training points only; here L is to all
  of T (the copy score's L), which differs only for points whose nearest training point lies in another cell.
- **Level** of C_T (derived here, not from the paper): under H0 the Z_U(π) are about independent N(0, 1) (disjoint
  points in each cell), so C_T ~ N(0, Σw²/(Σw)²) with w = P_n(π) over Π_τ; C_T < −1.96·sqrt(Σw²)/Σw is copying.
- **Authenticity** (Alaa et al. 2022, "How faithful is your synthetic data?", as dgm-eval's ``authpct.py``
  computes it): draw q is inauthentic when d(q, NN_T(q)) ≤ own(NN_T(q)), own(t) being t's distance to its
  nearest other training point; AuthPct = 100 × the mean of the per-draw 0/1.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable, Mapping

import numpy as np

MIN_DRAWS = 20  # τ·m: a cell enters C_T when it holds more draws than this (Meehan et al.'s τ = 20/m, strict)
INITS = 3  # k-means restarts (n_init) of the cells
Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile: C_T's two-sided 95 % level


def _float(points: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(points, dtype=np.float64)


def nearest(queries: np.ndarray, reference: np.ndarray, *, exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each query's (n, F) exact Euclidean nearest point of ``reference`` (l, F): (distances (n,) float64,
    indices (n,) int). ``exclude_self``: query i is reference row i, which is not its own neighbour (a twin
    row is, at distance 0). The search is scikit-learn's brute force (its pairwise-distance reductions, in
    blocks of rows: beyond float64 copies of the inputs, a few (n, F) arrays, ~ 50 MB each at n = 50,000, F = 128);
    the distances are then recomputed directly, so a copy lies at exactly 0."""
    from sklearn.neighbors import NearestNeighbors

    queries, reference = _float(queries), _float(reference)
    if exclude_self and len(queries) != len(reference):
        raise ValueError(f"exclude_self pairs query i with reference row i: {len(queries)} ≠ {len(reference)} rows")
    if len(queries) == 0:
        return np.zeros(0), np.zeros(0, np.intp)
    search = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(reference)
    if exclude_self:
        found = search.kneighbors(queries, n_neighbors=2, return_distance=False)
        indices = np.where(found[:, 0] == np.arange(len(queries)), found[:, 1], found[:, 0])
    else:
        indices = search.kneighbors(queries, return_distance=False)[:, 0]
    return np.sqrt(np.sum((queries - reference[indices]) ** 2, axis=1)), indices


def cells_of(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each point's (n, F) cell: the index of its nearest centre (k, F) (n,) int."""
    return nearest(points, centres)[1]


def authentic_given(distances: np.ndarray, indices: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Whether each draw is authentic (m,) bool, from its distance (m,) to its nearest training point, that
    point's index (m,) and the training points' ``own`` distances (l,): d(q, NN_T(q)) > own(NN_T(q))."""
    return np.asarray(distances) > np.asarray(own)[np.asarray(indices)]


def authentic(features: np.ndarray, train: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Whether each draw (m, F) is authentic against T (l, F) (m,) bool; AuthPct = 100 × its mean."""
    return authentic_given(*nearest(features, train), own)


@dataclass(frozen=True, eq=False)
class Reference:
    """What a run computes once from T, P and V (plain arrays: :meth:`arrays` saves them, :meth:`from_arrays` loads).

    held_out: L(P) (n,); validation: L(V) (v,); own: each training point's distance to its nearest other (l,);
    centres: the k-means cells' centres (k, F); held_out_cells, validation_cells: P's and V's cells (n,), (v,);
    validation_authentic: whether each V point is authentic (v,) bool (the reference AuthPct)."""

    held_out: np.ndarray
    validation: np.ndarray
    own: np.ndarray
    centres: np.ndarray
    held_out_cells: np.ndarray
    validation_cells: np.ndarray
    validation_authentic: np.ndarray

    def arrays(self) -> dict[str, np.ndarray]:
        """``{field: array}``, for ``np.savez`` (no object arrays: loads with ``allow_pickle=False``)."""
        return {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Reference:
        """The reference :meth:`arrays` gave (an ``np.load``-ed .npz or a dict; other keys ignored)."""
        return cls(**{f.name: np.asarray(arrays[f.name]) for f in fields(cls)})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The arrays :meth:`arrays` writes."""
        return tuple(f.name for f in fields(cls))

    @property
    def cells(self) -> int:
        return len(self.centres)


def reference(train: np.ndarray, held_out: np.ndarray, validation: np.ndarray, *, cells: int, seed: int) -> Reference:
    """The :class:`Reference` of T (l, F), P (n, F) and V (v, F): nearest-neighbour searches of T from T, P and V,
    and k-means (``cells`` centres, ``random_state=seed``, :data:`INITS` restarts) fitted on T."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    train, held_out, validation = _float(train), _float(held_out), _float(validation)
    own, _ = nearest(train, train, exclude_self=True)
    to_held_out, _ = nearest(held_out, train)
    to_validation, found = nearest(validation, train)
    with threadpool_limits(1):  # sklearn's Lloyd step sums the threads' partial centres in lock order: one thread,
        centres = KMeans(n_clusters=cells, random_state=seed, n_init=INITS).fit(train).cluster_centers_  # same bytes
    return Reference(to_held_out, to_validation, own, centres, cells_of(held_out, centres),
                     cells_of(validation, centres), authentic_given(to_validation, found, own))


def mid_counts(values: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each value (m,): how many ``others`` (n,) lie below it, plus half those equal to it (m,) float64;
    by sorting, O((m + n) log n)."""
    ordered = np.sort(np.asarray(others, np.float64))
    values = np.asarray(values, np.float64)
    below, upto = np.searchsorted(ordered, values, "left"), np.searchsorted(ordered, values, "right")
    return below + 0.5 * (upto - below)


def copy_scores(distances: np.ndarray, held_out: np.ndarray) -> np.ndarray:
    """Each draw's copy score (m,) in [0, 1] from its distance L(q) (m,) and L(P) (n,): the mid-rank share
    of held-out points nearer T (½ in expectation for fresh real data, 0 for copies of T)."""
    return mid_counts(distances, held_out) / float(len(held_out))


def per_draw(features: np.ndarray, train: np.ndarray, reference: Reference) -> dict[str, np.ndarray]:
    """One nearest-neighbour search of T (l, F) for draws (m, F): ``{"distance": L(q) (m,), "cell": (m,) int,
    "copy_score": (m,), "authentic": (m,) float 0/1}``, the per-draw arrays a sampler keeps."""
    distances, indices = nearest(features, train)
    return {"distance": distances, "cell": cells_of(features, reference.centres),
            "copy_score": copy_scores(distances, reference.held_out),
            "authentic": authentic_given(distances, indices, reference.own).astype(np.float64)}


def cell_weights(draw_cells: np.ndarray, reference: Reference) -> np.ndarray:
    """Each cell's weight in C_T (k,): P_n(π) where the draws' cells (m,) put more than :data:`MIN_DRAWS` draws
    in π (Π_τ), 0 elsewhere (and where P has no point)."""
    drawn = np.bincount(np.asarray(draw_cells), minlength=reference.cells)
    shares = np.bincount(reference.held_out_cells, minlength=reference.cells) / float(len(reference.held_out))
    return np.where(drawn > MIN_DRAWS, shares, 0.0)


def cell_z(draw_distances: np.ndarray, draw_cells: np.ndarray, reference: Reference) -> Callable[[np.ndarray], np.ndarray]:
    """Z_U of each cell (k,) for the draws at ``rows`` (an index array into the draws' L(q) (m,) and cells (m,),
    repeats allowed: a bootstrap resample); inf or nan where a cell lacks draws or held-out points. Each
    draw's in-cell count of nearer held-out points is computed once, so a resample costs O(m + k)."""
    draw_distances, draw_cells = np.asarray(draw_distances, np.float64), np.asarray(draw_cells)
    held = np.bincount(reference.held_out_cells, minlength=reference.cells).astype(np.float64)
    counts = np.zeros(len(draw_distances))
    for cell in np.unique(draw_cells):
        mine = draw_cells == cell
        counts[mine] = mid_counts(draw_distances[mine], reference.held_out[reference.held_out_cells == cell])

    def z(rows: np.ndarray) -> np.ndarray:
        cells = draw_cells[rows]
        drawn = np.bincount(cells, minlength=reference.cells).astype(np.float64)
        u = np.bincount(cells, weights=counts[rows], minlength=reference.cells)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (u - (drawn * held / 2.0 - 0.5)) / np.sqrt(drawn * held * (drawn + held + 1.0) / 12.0)

    return z


def c_t(draw_distances: np.ndarray, draw_cells: np.ndarray, reference: Reference) -> Callable[[np.ndarray], float]:
    """C_T of the draws at ``rows`` (index array into L(q) (m,) and cells (m,)) → float: the P_n-weighted mean of
    Z_U over Π_τ (nan when no cell qualifies); ``c_t(...)(np.arange(m))`` is the draws' own C_T."""
    z, draw_cells = cell_z(draw_distances, draw_cells, reference), np.asarray(draw_cells)

    def statistic(rows: np.ndarray) -> float:
        weights = cell_weights(draw_cells[rows], reference)
        kept = weights > 0
        return float(weights[kept] @ z(rows)[kept] / weights[kept].sum()) if kept.any() else float("nan")

    return statistic


def c_t_level(reference: Reference, draw_cells: np.ndarray, *, z: float = Z95) -> float:
    """The level (> 0) below whose negative C_T is copying: z·sqrt(Σw²)/Σw, w the :func:`cell_weights` of the
    draws' cells (m,) (C_T's standard deviation under H0 with independent N(0, 1) Z_U, times z); nan if none."""
    weights = cell_weights(draw_cells, reference)
    return float(z * np.sqrt(np.sum(weights ** 2)) / weights.sum()) if weights.any() else float("nan")


def load(path) -> tuple[np.ndarray, Reference]:
    """The copies stage's file: the training digits' features (l, F) and the :class:`Reference`."""
    from latentspace.core.outputs import load_arrays

    arrays = load_arrays(path, ("features_train", *Reference.names()))
    return arrays["features_train"], Reference.from_arrays(arrays)
