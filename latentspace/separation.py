"""How well codes separate the digit classes, measured several ways (no TensorFlow).

Codes are (N, D) float arrays, labels (N,) integers. Probes are fitted on the training split's
codes and scored on the evaluation split's. Per-digit scores (silhouette value, whether the kNN
and the linear probe classify the digit right, the t-SNE map's trustworthiness at the digit) are
kept per digit, so their means can be bootstrapped and compared between models digit by digit.
"""

from __future__ import annotations

import numpy as np

from . import bootstrap

# Per-digit scores, averaged over the digits: name → larger is better.
PER_DIGIT = ("silhouette", "knn_accuracy", "probe_accuracy", "trustworthiness")
# Scores of a whole set of codes, recomputed on each resample: name → whether larger is better.
SET_SCORES = {"davies_bouldin": False, "calinski_harabasz": True, "kmeans_ari": True, "kmeans_nmi": True}


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


def per_digit(train_codes, train_labels, eval_codes, eval_labels, *, neighbours: int,
              embedded: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The per-digit scores of :data:`PER_DIGIT` (each (N,) float) for the evaluation codes;
    trustworthiness only given the t-SNE map ``embedded`` (N, 2) of those codes."""
    values = {
        "silhouette": silhouette_values(eval_codes, eval_labels),
        "knn_accuracy": knn_correct(train_codes, train_labels, eval_codes, eval_labels, neighbours).astype(float),
        "probe_accuracy": probe_correct(train_codes, train_labels, eval_codes, eval_labels).astype(float),
    }
    if embedded is not None:
        values["trustworthiness"] = trustworthiness_values(eval_codes, embedded, neighbours)
    return values


def set_statistics(codes: np.ndarray, labels: np.ndarray, clusters: np.ndarray) -> dict:
    """Each of :data:`SET_SCORES` as a function of an index array (the digits of one resample)."""
    from sklearn.metrics import (adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score,
                                 normalized_mutual_info_score)

    codes = _float(codes)
    return {
        "davies_bouldin": lambda rows: davies_bouldin_score(codes[rows], labels[rows]),
        "calinski_harabasz": lambda rows: calinski_harabasz_score(codes[rows], labels[rows]),
        "kmeans_ari": lambda rows: adjusted_rand_score(labels[rows], clusters[rows]),
        "kmeans_nmi": lambda rows: normalized_mutual_info_score(labels[rows], clusters[rows]),
    }


def scores(train_codes, train_labels, eval_codes, eval_labels, *, neighbours: int, resamples: int, level: float,
           seed: int, embedded: np.ndarray | None = None) -> tuple[dict[str, dict], dict[str, np.ndarray]]:
    """Every separation score of the evaluation codes with its bootstrap interval, and the per-digit values.

    Returns ``({score: {"value", "low", "high"}}, {per-digit score: (N,)})``. k-means (k = the
    number of classes) is fitted once; its agreement with the labels is resampled.
    """
    eval_labels = np.asarray(eval_labels)
    values = per_digit(train_codes, train_labels, eval_codes, eval_labels, neighbours=neighbours, embedded=embedded)
    indices = bootstrap.resamples(len(eval_labels), resamples, seed)
    result = {name: bootstrap.mean_interval(v, indices, level) for name, v in values.items()}
    clusters = kmeans_clusters(eval_codes, len(np.unique(eval_labels)), seed)
    for name, statistic in set_statistics(eval_codes, eval_labels, clusters).items():
        result[name] = bootstrap.interval(statistic, indices, level)
    return result, values


def pca_codes(train: np.ndarray, evaluation: np.ndarray, dimensions: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Both sets (N, F) projected on the first ``dimensions`` principal components of ``train``."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=dimensions, random_state=seed).fit(_float(train))
    return pca.transform(_float(train)), pca.transform(_float(evaluation))
