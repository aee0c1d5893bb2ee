"""How well codes separate the digit classes, measured several ways (no TensorFlow).

Codes are (N, D) float arrays, labels (N,) integers. Probes are fitted on the training split's
codes and scored on the evaluation split's. Per-digit scores (silhouette value, whether the kNN
and the linear probe classify the digit right, the t-SNE map's trustworthiness at the digit) are
kept per digit, so their means can be bootstrapped and compared between models digit by digit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import bootstrap, limits
from .measures import SEPARATION, Measure



def _float(codes) -> np.ndarray:
    return np.asarray(codes, dtype=np.float64)


def silhouette_values(codes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each digit's silhouette value against the labels (N,), in [-1, 1]."""
    from sklearn.metrics import silhouette_samples

    return silhouette_samples(_float(codes), labels)


def knn_correct(train_codes, train_labels, eval_codes, eval_labels, neighbours: int) -> np.ndarray:
    """Whether a k-nearest-neighbour vote among the training codes names each evaluation digit (N,) bool."""
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=neighbours).fit(_float(train_codes), train_labels)
    return knn.predict(_float(eval_codes)) == eval_labels


def probe_correct(train_codes, train_labels, eval_codes, eval_labels) -> np.ndarray:
    """Whether a linear probe (standardised codes, multinomial logistic regression) names each
    evaluation digit (N,) bool."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    probe.fit(_float(train_codes), train_labels)
    return probe.predict(_float(eval_codes)) == eval_labels


def kmeans_clusters(codes: np.ndarray, clusters: int, seed: int) -> np.ndarray:
    """k-means cluster of each code (N,), ten restarts, seeded."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit_predict(_float(codes))


def trustworthiness_values(codes: np.ndarray, embedded: np.ndarray, neighbours: int) -> np.ndarray:
    """Each point's trustworthiness (N,): 1 − 2/(k(2N − 3k − 1)) × Σ over its k nearest neighbours in
    the map of max(0, rank among its neighbours in code space − k). Their mean is
    ``sklearn.manifold.trustworthiness`` (Venna & Kaski 2001): 1 when the map invents no neighbours."""
    from sklearn.metrics import pairwise_distances
    from sklearn.neighbors import NearestNeighbors

    n, k = len(codes), neighbours
    distances = pairwise_distances(_float(codes))
    np.fill_diagonal(distances, np.inf)
    ranks = np.empty((n, n), dtype=np.int64)
    ranks[np.arange(n)[:, None], np.argsort(distances, axis=1)] = np.arange(1, n + 1)
    near = NearestNeighbors(n_neighbors=k).fit(_float(embedded)).kneighbors(return_distance=False)
    penalty = np.maximum(ranks[np.arange(n)[:, None], near] - k, 0).sum(axis=1)
    return 1.0 - 2.0 * penalty / (k * (2.0 * n - 3.0 * k - 1.0))


@dataclass
class Codes:
    """What every separation score is computed from: training codes (M, D) and labels (M,) for the
    probes, evaluation codes (N, D) and labels (N,) to score, the probes' ``neighbours``, the
    ``seed`` of k-means, and the t-SNE map ``embedded`` (N, 2) of the evaluation codes, if any."""

    train: np.ndarray
    train_labels: np.ndarray
    eval: np.ndarray
    eval_labels: np.ndarray
    neighbours: int
    seed: int
    embedded: np.ndarray | None = None

    @functools.cached_property
    def clusters(self) -> np.ndarray:
        """The k-means clusters of the evaluation codes (N,), k = the number of classes, fitted once."""
        return kmeans_clusters(self.eval, len(np.unique(self.eval_labels)), self.seed)

    def on_rows(self, score: Callable[[np.ndarray, np.ndarray, np.ndarray], float]) -> Callable[[np.ndarray], float]:
        """``score(codes, labels, clusters)`` of the evaluation digits of a resample, as a function of its rows."""
        codes = _float(self.eval)
        return lambda rows: score(codes[rows], self.eval_labels[rows], self.clusters[rows])


def _trustworthiness(c: Codes):
    return None if c.embedded is None else trustworthiness_values(c.eval, c.embedded, c.neighbours)


def _sklearn(name: str, of_clusters: bool = False):
    """scikit-learn's score ``name`` of (codes, labels), or of (labels, k-means clusters)."""
    def score(codes, labels, clusters):
        import sklearn.metrics

        function = getattr(sklearn.metrics, name)
        return function(labels, clusters) if of_clusters else function(codes, labels)
    return score


# Every separation score, in the order of the metrics files. Per-digit scores are means over the
# evaluation digits, kept per digit so that models are compared digit by digit (claims); the others
# are statistics of the whole set, recomputed on each resample.
MEASURES: tuple[Measure, ...] = (
    Measure("silhouette", "silhouette", SEPARATION, claims=True,
            compute=lambda c: silhouette_values(c.eval, c.eval_labels)),
    Measure("knn_accuracy", "kNN accuracy", SEPARATION, claims=True,
            compute=lambda c: knn_correct(c.train, c.train_labels, c.eval, c.eval_labels, c.neighbours).astype(float)),
    Measure("probe_accuracy", "linear-probe accuracy", SEPARATION, claims=True,
            compute=lambda c: probe_correct(c.train, c.train_labels, c.eval, c.eval_labels).astype(float)),
    Measure("trustworthiness", "t-SNE trustworthiness", SEPARATION, compute=_trustworthiness),
    Measure("davies_bouldin", "Davies–Bouldin", SEPARATION, larger_is_better=False, per_item=False,
            compute=lambda c: c.on_rows(_sklearn("davies_bouldin_score"))),
    Measure("calinski_harabasz", "Calinski–Harabasz", SEPARATION, per_item=False,
            compute=lambda c: c.on_rows(_sklearn("calinski_harabasz_score"))),
    Measure("kmeans_ari", "k-means ARI", SEPARATION, per_item=False,
            compute=lambda c: c.on_rows(_sklearn("adjusted_rand_score", of_clusters=True))),
    Measure("kmeans_nmi", "k-means NMI", SEPARATION, per_item=False,
            compute=lambda c: c.on_rows(_sklearn("normalized_mutual_info_score", of_clusters=True))),
)


def check(train_digits: int, eval_digits: int, *, neighbours: int, resamples: int) -> None:
    """Refuse, before any work, ``separation.neighbours`` and ``bootstrap.resamples`` that these splits
    or this machine cannot take (kNN, the t-SNE map's trustworthiness, the resampled digits)."""
    limits.at_most("separation.neighbours", neighbours, train_digits, "the kNN probe's neighbours are training digits")
    limits.below("separation.neighbours", neighbours, eval_digits / 2,
                 f"trustworthiness needs fewer neighbours than half the {eval_digits} evaluation digits")
    limits.memory("bootstrap.resamples", resamples, 16 * resamples * eval_digits,
                  f"resampling {eval_digits} evaluation digits that often")
    limits.memory("data (evaluation digits)", eval_digits, 24 * eval_digits**2,
                  "the silhouette and the t-SNE map's trustworthiness compare every pair of evaluation digits")


def scores(codes: Codes, *, resamples: int, level: float,
           measures: tuple[Measure, ...] | None = None) -> tuple[dict[str, dict], dict[str, np.ndarray]]:
    """Every separation score of :data:`MEASURES` (or ``measures``) with its bootstrap interval over
    the evaluation digits, and the per-digit values.

    Returns ``({score: {"value", "low", "high"}}, {per-digit score: (N,)})``; a score the inputs
    cannot give (trustworthiness without a map) is left out.
    """
    indices = bootstrap.resamples(len(codes.eval_labels), resamples, codes.seed)
    result, values = {}, {}
    for measure in measures or MEASURES:
        computed = measure.compute(codes)
        if computed is None:
            continue
        if measure.per_item:
            values[measure.name] = computed
            result[measure.name] = bootstrap.mean_interval(computed, indices, level)
        else:
            result[measure.name] = bootstrap.interval(computed, indices, level)
    return result, values


def pca_codes(train: np.ndarray, evaluation: np.ndarray, dimensions: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Both sets (N, F) projected on the first ``dimensions`` principal components of ``train``."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=dimensions, random_state=seed).fit(_float(train))
    return pca.transform(_float(train)), pca.transform(_float(evaluation))
