"""Density and coverage of generated samples (Naeem et al. 2020, "Reliable Fidelity and Diversity
Metrics for Generative Models"), in any feature space (no TensorFlow here).

Real sample i's ball B(X_i, NND_k(X_i)) reaches its k-th nearest other real sample. With M real
samples X and N fakes Y (their definitions, their N and M swapped to this module's):

- density = 1/(kN) Σ_j Σ_i 1[Y_j ∈ B(X_i)]: how many real balls hold a fake, on average, over k
  (1 in expectation when fakes and reals share a distribution; above 1 where fakes crowd dense regions);
- coverage = 1/M Σ_i 1[∃ j: Y_j ∈ B(X_i)]: the share of real balls holding at least one fake
  (1 − C(M−1, k) / C(M+N−1, k) in expectation for one distribution, → 1 − 2^−k when M = N grows).

"In" is strictly inside (distance < radius), as in their reference implementation, PyPI's ``prdc``.
Coverage does not average over fakes: it is the mean over the real samples of whether a fake lies in each one's
ball (:func:`covered`), and its interval resamples the real samples.
"""

from __future__ import annotations

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


def covered(real: np.ndarray, fake: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Whether each real sample's ball holds at least one fake (M,) float 0/1: the coverage is their mean. Kept per
    real sample, the coverage's interval resamples the real samples (shared by every side it is compared with,
    so the comparison is paired), not the fakes: a set statistic of resampled fakes (which hold about 63 % of
    the distinct fakes) lies below the full set's in nearly every resample, and its percentile interval misses it."""
    return within(real, fake, k).any(axis=1).astype(np.float64)
