"""Latent-space analyses that need no TensorFlow: class centroids, t-SNE maps, silhouettes.

Codes are (N, D) float arrays, labels (N,) integers.
"""

from __future__ import annotations

import numpy as np


def class_centroids(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classes present (K,) and the mean code of each (K, D)."""
    classes = np.unique(labels)
    return classes, np.stack([codes[labels == c].mean(axis=0) for c in classes])


def tsne_map(codes: np.ndarray, perplexity: float, seed: int) -> np.ndarray:
    """A 2-D t-SNE map (N, 2) of the codes: learning rate 'auto', PCA initialisation, seeded."""
    from sklearn.manifold import TSNE

    tsne = TSNE(n_components=2, perplexity=perplexity, learning_rate="auto", init="pca", random_state=seed)
    return tsne.fit_transform(np.asarray(codes, dtype=np.float64)).astype(np.float32)


def silhouette(codes: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean silhouette score of the codes against the labels, and the per-sample values (N,)."""
    from sklearn.metrics import silhouette_samples

    values = silhouette_samples(np.asarray(codes, dtype=np.float64), labels)
    return float(values.mean()), values
