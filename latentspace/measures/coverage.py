"""Density and coverage of generated samples (Naeem et al. 2020, "Reliable Fidelity and Diversity
Metrics for Generative Models"), in any feature space (no TensorFlow here).

Real sample i's ball B(X_i, NND_k(X_i)) reaches its k-th nearest other real sample. With M real
samples X and N fakes Y (their definitions, their N and M swapped to this module's):

- density = 1/(kN) Σ_j Σ_i 1[Y_j ∈ B(X_i)]: how many real balls hold a fake, on average, over k
  (1 in expectation when fakes and reals share a distribution; above 1 where fakes crowd dense regions);
- coverage = 1/M Σ_i 1[∃ j: Y_j ∈ B(X_i)]: the share of real balls holding at least one fake
  (1 − C(M−1, k) / C(M+N−1, k) in expectation for one distribution, → 1 − 2^−k when M = N grows).

"In" is strictly inside (distance < radius), as in their reference implementation, PyPI's ``prdc``.
Coverage does not average over fakes, so a bootstrap resample of the fakes is a statistic of its rows:
:func:`coverage_replicates` computes all resamples at once from the real-ball × fake incidence matrix.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from latentspace.measures.manifold import kth_neighbour_radii

NEIGHBOURS = 5  # k of density and coverage (Naeem et al. recommend 5)
CHUNK = 256  # resamples a matrix product at a time in coverage_replicates ((M, CHUNK) float32 at most)


def within(real: np.ndarray, fake: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Whether fake j lies strictly inside real sample i's k-NN ball (M, N) bool; real (M, F), fake (N, F)."""
    from sklearn.metrics import pairwise_distances

    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    radii = kth_neighbour_radii(real, k)
    return pairwise_distances(real, fake) < radii[:, None]


def density_per_draw(real: np.ndarray, fake: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Each fake's count of real balls holding it, over k (N,): the density is their mean (a per-item measure)."""
    return within(real, fake, k).sum(axis=0) / float(k)


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = NEIGHBOURS) -> tuple[float, float]:
    """(density, coverage) of fakes (N, F) against real samples (M, F), as ``prdc.compute_prdc`` gives them."""
    inside = within(real, fake, k)
    return float(inside.sum(axis=0).mean() / k), float(inside.any(axis=1).mean())


def _presence(indices: np.ndarray, n: int) -> np.ndarray:
    """Whether fake j is in resample r at least once (n, R) float32, from resample rows (R, any length)."""
    indices = np.atleast_2d(np.asarray(indices))
    present = np.zeros((n, len(indices)), np.float32)
    present[indices, np.arange(len(indices))[:, None]] = 1.0
    return present


def _reached(incidence: np.ndarray) -> tuple[np.ndarray, int]:
    """The rows of the incidence (M, N) some fake reaches, as float32 (M', N), and M: balls no fake reaches
    are never covered, so they are left out of the products."""
    incidence = np.asarray(incidence, bool)
    return incidence[incidence.any(axis=1)].astype(np.float32), incidence.shape[0]


def _covered_shares(reached: np.ndarray, m: int, indices: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    """The share of the M balls covered in each resample (R,): ball i is covered in resample r when
    (reached @ presence)[i, r] > 0."""
    indices = np.atleast_2d(np.asarray(indices))
    covered = [np.count_nonzero(reached @ _presence(indices[start:start + chunk], reached.shape[1]) > 0, axis=0)
               for start in range(0, len(indices), chunk)]
    return np.concatenate(covered).astype(np.float64) / m if covered else np.zeros(0)


def coverage_of_rows(incidence: np.ndarray, indices: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    """The coverage of each resample of the fakes (R,), from :func:`within`'s incidence (M, N) and resample
    rows (R, n) (indices into the N fakes, repeats allowed), ``chunk`` resamples a matrix product."""
    return _covered_shares(*_reached(incidence), indices, chunk)


def coverage_statistic(real: np.ndarray, fake: np.ndarray, k: int = NEIGHBOURS) -> Callable[[np.ndarray], float]:
    """The coverage of a resample of the fakes as a function of its rows (n,) (or a slice) → float: for
    :class:`latentspace.measures.registry.Measure` with ``per_item=False``; the balls are computed once."""
    reached, m = _reached(within(real, fake, k))
    every = np.arange(reached.shape[1])
    return lambda rows: float(_covered_shares(reached, m, every[rows][None, :])[0])


def coverage_replicates(real: np.ndarray, fake: np.ndarray, k: int, indices: np.ndarray) -> np.ndarray:
    """The coverage of each bootstrap resample of the fakes (R,), vectorised; ``indices`` (R, N) as
    :func:`latentspace.measures.bootstrap.resamples` draws them."""
    return coverage_of_rows(within(real, fake, k), indices)
