"""How well codes separate the digit classes, measured several ways (no TensorFlow).

Codes are (N, D) float arrays, labels (N,) integers. Probes are fitted on the training split's
codes and scored on the evaluation split's. Per-digit scores (silhouette value, whether the kNN
and the linear probe classify the digit right, the t-SNE map's trustworthiness at the digit) are
kept per digit, so their means can be bootstrapped and compared between models digit by digit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from latentspace.measures import bootstrap
from latentspace.core import limits
from latentspace.measures.registry import SEPARATION, Family, Measure
from latentspace.core.outputs import load_arrays
from latentspace.core.schema import Bootstrap, Separation
from latentspace.measures.sides import NO_SUBSTANTIAL_STRUCTURE, REASONABLE_STRUCTURE, Side, model_pairs

# Kaufman & Rousseeuw (1990, Finding Groups in Data, ch. 2): a mean silhouette of 0.51–0.70 says a reasonable
# structure has been found (0.71–1.00 a strong one), 0.25 or less that no substantial structure has: the places a
# sentence about "clear" separation (or its lack) is held against, each a side whose silhouette is that value
SILHOUETTE_SCALE = {REASONABLE_STRUCTURE: 0.50, NO_SUBSTANTIAL_STRUCTURE: 0.25}

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


def probe_correct(train_codes, train_labels, eval_codes, eval_labels, tolerance: float = 1e-4) -> np.ndarray:
    """Whether a linear probe (standardised codes, multinomial logistic regression fitted by L-BFGS
    until its largest gradient component is below ``tolerance``) names each evaluation digit (N,) bool."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, tol=tolerance))
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


class Dispersion:
    """The codes (N, D) of classes (N,) prepared once for scores of class dispersion, each digit counted
    ``weights`` (N,) times: a bootstrap resample's counts (``np.bincount(rows)``), so a resample costs
    the classes' sums, not a copy of its codes. With every weight 1, the scores are scikit-learn's
    (``calinski_harabasz_score``, ``davies_bouldin_score``) to rounding; classes of weight 0 are absent.
    """
    def __init__(self, codes: np.ndarray, labels: np.ndarray):
        codes = _float(codes)
        self.x = codes - codes.mean(axis=0)  # centred: the sums of squares lose no digits to a far mean
        self.squares = np.einsum("ij,ij->i", self.x, self.x)  # ‖x‖² (N,)
        self.classes, self.index = np.unique(labels, return_inverse=True)
        self.rows = np.arange(len(labels))

    def _centroids(self, weights: np.ndarray):
        """Weighted count (K,), centroid (K, D) and whether present (K,) of each class."""
        counts = np.bincount(self.index, weights=weights, minlength=len(self.classes))
        spread = np.zeros((len(self.classes), len(self.index)))
        spread[self.index, self.rows] = weights
        present = counts > 0
        centroids = np.zeros((len(self.classes), self.x.shape[1]))
        centroids[present] = (spread @ self.x)[present] / counts[present, None]
        return counts, centroids, present

    def calinski_harabasz(self, weights: np.ndarray) -> float:
        """Between-class over within-class sum of squares, each over its degrees of freedom
        (K − 1 and n − K); larger is better; 1 when no class has spread."""
        counts, centroids, present = self._centroids(weights)
        n, k = weights.sum(), int(present.sum())
        explained = counts[present] @ np.einsum("ij,ij->i", centroids, centroids)[present]  # Σ n_k ‖c_k‖²
        total_mean = counts @ centroids / n
        within = max(float(weights @ self.squares - explained), 0.0)
        between = float(explained - n * total_mean @ total_mean)
        return 1.0 if within == 0 else between * (n - k) / (within * (k - 1))

    def davies_bouldin(self, weights: np.ndarray) -> float:
        """Mean over classes of the largest (s_i + s_j) / ‖c_i − c_j‖ over the other classes, s the mean
        distance of a class's digits to its centroid; smaller is better; 0 when spreads or centroids vanish."""
        counts, centroids, present = self._centroids(weights)
        near = (self.x @ centroids.T)[self.rows, self.index]  # x · its class's centroid (N,)
        norms = np.einsum("ij,ij->i", centroids, centroids)
        distance = np.sqrt(np.clip(self.squares - 2 * near + norms[self.index], 0, None))
        spread = np.bincount(self.index, weights=weights * distance, minlength=len(self.classes))[present] / counts[present]
        centres = centroids[present]
        apart = np.sqrt(np.clip(np.sum((centres[:, None, :] - centres[None, :, :]) ** 2, axis=2), 0, None))
        if np.allclose(spread, 0) or np.allclose(apart, 0):
            return 0.0
        apart[apart == 0] = np.inf
        return float(np.mean(np.max((spread[:, None] + spread[None, :]) / apart, axis=1)))


@dataclass
class Codes:
    """What every separation score is computed from: training codes (M, D) and labels (M,) for the
    probes, evaluation codes (N, D) and labels (N,) to score, the kNN's ``neighbours``, the linear
    probe's ``tolerance``, the ``seed`` of k-means, and the t-SNE map ``embedded`` (N, 2) of the
    evaluation codes, if any."""
    train: np.ndarray
    train_labels: np.ndarray
    eval: np.ndarray
    eval_labels: np.ndarray
    neighbours: int
    seed: int
    embedded: np.ndarray | None = None
    tolerance: float = 1e-4

    @functools.cached_property
    def clusters(self) -> np.ndarray:
        """The k-means clusters of the evaluation codes (N,), k = the number of classes, fitted once."""
        return kmeans_clusters(self.eval, len(np.unique(self.eval_labels)), self.seed)

    @functools.cached_property
    def dispersion(self) -> Dispersion:
        """The evaluation codes and labels prepared for class-dispersion scores, once."""
        return Dispersion(self.eval, self.eval_labels)

    def on_counts(self, score: str) -> Callable[[np.ndarray], float]:
        """:class:`Dispersion`'s ``score`` of the evaluation digits of a resample, as a function of its rows."""
        method, n = getattr(self.dispersion, score), len(self.eval_labels)
        return lambda rows: method(np.bincount(np.arange(n)[rows], minlength=n).astype(np.float64))

    def on_clusters(self, score: str) -> Callable[[np.ndarray], float]:
        """scikit-learn's agreement ``score`` (of ``sklearn.metrics``) between the labels and the k-means
        clusters of the evaluation digits of a resample, as a function of its rows (the codes are not copied)."""
        import sklearn.metrics

        function = getattr(sklearn.metrics, score)
        return lambda rows: function(self.eval_labels[rows], self.clusters[rows])


def _trustworthiness(c: Codes):
    return None if c.embedded is None else trustworthiness_values(c.eval, c.embedded, c.neighbours)


# Every separation score, in the order of the metrics files. Per-digit scores are means over the
# evaluation digits, kept per digit so that models are compared digit by digit (claims); the others
# are statistics of the whole set, recomputed on each resample.
MEASURES: tuple[Measure, ...] = (
    Measure("silhouette", "silhouette", SEPARATION, claims=True, decimals=4,
            compute=lambda c: silhouette_values(c.eval, c.eval_labels)),
    Measure("knn_accuracy", "kNN accuracy", SEPARATION, claims=True, heading="kNN",
            compute=lambda c: knn_correct(c.train, c.train_labels, c.eval, c.eval_labels, c.neighbours).astype(float)),
    Measure("probe_accuracy", "linear-probe accuracy", SEPARATION, claims=True, heading="linear probe",
            compute=lambda c: probe_correct(c.train, c.train_labels, c.eval, c.eval_labels,
                                            c.tolerance).astype(float)),
    Measure("trustworthiness", "t-SNE trustworthiness", SEPARATION, compute=_trustworthiness, heading="t-SNE trust."),
    Measure("davies_bouldin", "Davies–Bouldin", SEPARATION, larger_is_better=False, per_item=False, decimals=2,
            compute=lambda c: c.on_counts("davies_bouldin")),
    Measure("calinski_harabasz", "Calinski–Harabasz", SEPARATION, per_item=False, decimals=0,
            compute=lambda c: c.on_counts("calinski_harabasz")),
    Measure("kmeans_ari", "k-means ARI", SEPARATION, per_item=False,
            compute=lambda c: c.on_clusters("adjusted_rand_score")),
    Measure("kmeans_nmi", "k-means NMI", SEPARATION, per_item=False,
            compute=lambda c: c.on_clusters("normalized_mutual_info_score")),
)


def kept(paths, models, samplers, resamples) -> dict[str, dict[str, np.ndarray]]:
    """Each model's per-digit values ``{measure: (N,)}``, as the separation stage kept them (``paths["separation"]``),
    and each place on :data:`SILHOUETTE_SCALE` as digits whose silhouette is that value (its interval: none)."""
    per_digit = [m.name for m in MEASURES if m.per_item]
    found = {model: load_arrays(Path(paths["separation"]) / f"{model}.npz", (per_digit[0],),
                                optional=tuple(per_digit[1:])) for model in models}
    digits = len(found[models[0]][per_digit[0]]) if models else 0
    return {**found, **{side.label: {"silhouette": np.full(digits, value)} for side, value in SILHOUETTE_SCALE.items()}}


def compared(models, samplers) -> list[tuple[Side, Side]]:
    """Every pair of models, then each model's codes against each place on the silhouette's scale."""
    return model_pairs(models, samplers) + [(Side(m), place) for m in models for place in SILHOUETTE_SCALE]


# every pair of models, digit by digit, on the per-digit scores both kept; each model against the silhouette's scale
FAMILY = Family(SEPARATION, MEASURES, compares=compared, reads=kept, inputs=("separation",),
                contrasted=lambda m: m.per_item)


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


def baselines(pixels_train: np.ndarray, labels_train: np.ndarray, pixels_eval: np.ndarray, labels_eval: np.ndarray,
              settings: Separation, bootstrap_settings: Bootstrap, *, components: int, seed: int) -> dict:
    """Every separation score of the digits' own pixels (N, 784) and of their first ``components`` principal
    components (PCA fitted on the training pixels): what a model's codes are measured against (``settings``: the
    ``separation`` section; ``bootstrap_settings``: the intervals')."""
    inputs = {"pixels": (pixels_train, pixels_eval),
              "pca": pca_codes(pixels_train, pixels_eval, components, seed)}
    return {name: scores(Codes(train, labels_train, evaluation, labels_eval, neighbours=settings.neighbours,
                               tolerance=settings.probe_tolerance, seed=seed),
                         resamples=bootstrap_settings.resamples, level=bootstrap_settings.level)[0]
            for name, (train, evaluation) in inputs.items()}
