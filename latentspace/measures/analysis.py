"""Latent-space analyses that need no TensorFlow: class centroids, interpolations, t-SNE maps.

Codes are (N, D) float arrays, labels (N,) integers.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def class_centroids(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classes present (K,) and the mean code of each (K, D)."""
    classes = np.unique(labels)
    return classes, np.stack([codes[labels == c].mean(axis=0) for c in classes])


def interpolations(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """Codes on the straight lines from each ``start`` to each ``end`` code (P, D): (P, steps, D), ends included."""
    weights = np.linspace(0.0, 1.0, steps)[None, :, None]
    return ((1.0 - weights) * start[:, None, :] + weights * end[:, None, :]).astype(np.float32)


def first_of_classes(labels: np.ndarray, classes) -> np.ndarray:
    """The index of the first item of each of ``classes`` in ``labels`` (len(classes),)."""
    return np.array([int(np.flatnonzero(labels == c)[0]) for c in classes], dtype=np.int64)


def tsne_map(codes: np.ndarray, perplexity: float, seed: int, backend: str = "sklearn", threads: int = 1) -> np.ndarray:
    """A 2-D t-SNE map (N, 2) of the codes (N, D): learning rate 'auto', PCA initialisation, seeded.

    ``backend``: "sklearn" (Barnes–Hut, exact neighbours) or "opentsne" (openTSNE: Barnes–Hut below
    10,000 points, FFT-accelerated interpolation above, approximate neighbours above 1,000; learning
    rate N/12, two integers an interpolation interval). Both run on
    ``threads`` threads (scikit-learn's gradient on OpenMP, capped here). Same perplexity; the maps differ
    but are equally trustworthy (benchmark).
    """
    from threadpoolctl import threadpool_limits

    points = np.asarray(codes, dtype=np.float64)
    with threadpool_limits(limits=threads):
        if backend == "opentsne":
            from openTSNE import TSNE as OpenTSNE

            # η = N/12 in both phases (openTSNE's own rule for the exaggerated one; its default N for the
            # second spreads the map, and the FFT grid with it) and two integers an interpolation interval:
            # 6x scikit-learn's speed at 60,000 points, at its trustworthiness (benchmark)
            tsne = OpenTSNE(n_components=2, perplexity=perplexity, initialization="pca", random_state=seed,
                            learning_rate=max(len(points) / 12, 200.0), ints_in_interval=2, n_jobs=threads,
                            verbose=False)
            return np.asarray(tsne.fit(points), dtype=np.float32)
        from sklearn.manifold import TSNE

        tsne = TSNE(n_components=2, perplexity=perplexity, learning_rate="auto", init="pca", random_state=seed,
                    n_jobs=threads)
        return tsne.fit_transform(points).astype(np.float32)


INTERPOLATED = ((0, 6), (1, 7), (3, 8), (4, 9), (2, 5))  # class pairs: look-alikes and contrasts


def encoded(splits: dict[str, tuple[np.ndarray, np.ndarray]], encode: Callable) -> dict[str, np.ndarray]:
    """The codes file: ``codes_<split>`` (N, D) (the AE's code, a VAE's mean), ``labels_<split>`` (N,) and, for a
    VAE, ``log_var_<split>`` (N, D), from ``encode``: images → (codes, log-variances or None)."""
    codes = {}
    for split, (images, labels) in splits.items():
        mean, log_var = encode(images)
        codes[f"codes_{split}"], codes[f"labels_{split}"] = mean, labels
        if log_var is not None:
            codes[f"log_var_{split}"] = log_var
    return codes


def decoded(images: np.ndarray, labels: np.ndarray, codes: np.ndarray, decode: Callable, *, shown: int,
            steps: int) -> dict[str, np.ndarray]:
    """The decoded file: the first ``shown`` evaluation ``images`` (``originals``) and their ``reconstructions``;
    ``interpolations`` (pairs, steps, 28, 28, 1) decoded along the straight line between the first evaluation
    codes of each pair of classes of :data:`INTERPOLATED` the labels hold, with the ``pairs`` (P, 2)."""
    pairs = [pair for pair in INTERPOLATED if all(c in labels for c in pair)]
    ends = [first_of_classes(labels, [pair[i] for pair in pairs]) for i in (0, 1)]
    lines = interpolations(codes[ends[0]], codes[ends[1]], steps).reshape(-1, codes.shape[1])
    interpolated = (decode(lines) if len(lines) else np.zeros((0, 28, 28, 1), np.float32)).reshape(
        len(pairs), steps, 28, 28, 1)
    return {"originals": images[:shown], "reconstructions": decode(codes[:shown]), "interpolations": interpolated,
            "pairs": np.array(pairs, dtype=np.int64).reshape(-1, 2)}
