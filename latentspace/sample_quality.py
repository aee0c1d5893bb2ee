"""How good and how varied generated digits are, judged by a digit classifier (no TensorFlow here).

``probabilities`` are the judge's softmax outputs (N, 10); ``features`` its penultimate layer
(N, F). Entropies are in nats (log 10 ≈ 2.303 is a perfectly even spread over ten digits).
"""

from __future__ import annotations

import numpy as np

NEIGHBOURS = 3  # k of the precision and recall (Kynkäänniemi et al. use 3)


def mean_confidence(probabilities: np.ndarray) -> float:
    """The judge's mean top-class probability: near 1 when every sample looks like some digit."""
    return float(np.mean(np.max(probabilities, axis=1)))


def class_entropy(probabilities: np.ndarray, classes: int = 10) -> float:
    """Entropy (nats) of the histogram of predicted classes: 0 for one digit, log(classes) for all alike."""
    counts = np.bincount(np.argmax(probabilities, axis=1), minlength=classes).astype(np.float64)
    shares = counts[counts > 0] / counts.sum()
    return float(-np.sum(shares * np.log(shares))) + 0.0  # + 0.0: one class gives 0.0, not -0.0


def inception_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) ‖ p(y))): 1 for one class or uncertain samples, up to 10 for ten sure classes."""
    p = np.asarray(probabilities, dtype=np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, F) and (M, F).

    ‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½), the matrix square root from the eigenvalues of
    Σa^½ Σb Σa^½ (symmetric, so it stays real).
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sum(np.sqrt(np.clip(middle, 0, None)))
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


def _kth_neighbour_radii(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's distance to its k-th nearest other point of the same set (N,)."""
    from sklearn.neighbors import NearestNeighbors

    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    return distances[:, k]  # column 0 is the point itself


def _covered(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Whether each query lies within the radius of at least one centre (N,) bool."""
    from sklearn.metrics import pairwise_distances

    return np.any(pairwise_distances(queries, centres) <= radii[None, :], axis=1)


def inside_manifold(points: np.ndarray, reference: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Whether each point (N, F) lies inside the manifold of ``reference`` (M, F): the union of balls
    around each reference sample reaching its k-th nearest reference neighbour (N,) bool."""
    points, reference = np.asarray(points, np.float64), np.asarray(reference, np.float64)
    return _covered(points, reference, _kth_neighbour_radii(reference, k))


def precision_recall(real: np.ndarray, generated: np.ndarray, k: int = NEIGHBOURS) -> tuple[float, float]:
    """Kynkäänniemi et al. (2019): precision is the share of generated samples inside the real
    manifold (:func:`inside_manifold`); recall the share of real samples inside the generated
    manifold. Quality and coverage, separately."""
    return float(inside_manifold(generated, real, k).mean()), float(inside_manifold(real, generated, k).mean())


def fit_mixture(codes: np.ndarray, components: int, covariance: str, seed: int):
    """A Gaussian mixture fitted to codes (N, D): scikit-learn's GaussianMixture, seeded."""
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(n_components=components, covariance_type=covariance, random_state=seed).fit(codes)


def sample_mixture(mixture, n: int, seed: int) -> np.ndarray:
    """n codes drawn from a fitted mixture (n, D) float32, in a seeded random order."""
    mixture.random_state = seed
    codes, _ = mixture.sample(n)
    return codes[np.random.default_rng(seed).permutation(n)].astype(np.float32)
