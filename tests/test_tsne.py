"""Both t-SNE backends on points whose neighbourhoods are known: well-separated clusters."""

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from latentspace.measures.analysis import tsne_map


@pytest.fixture(scope="module")
def clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=10.0, size=(5, 10))
    return np.concatenate([c + rng.normal(size=(120, 10)) for c in centres]).astype(np.float32)


@pytest.mark.parametrize("backend", ["sklearn", "opentsne"])
def test_each_backend_keeps_the_clusters_apart_and_is_seeded(clusters, backend):
    mapped = tsne_map(clusters, perplexity=30, seed=1, backend=backend, threads=2)
    assert mapped.shape == (600, 2) and mapped.dtype == np.float32
    labels = np.repeat(np.arange(5), 120)
    centres = np.array([mapped[labels == c].mean(axis=0) for c in range(5)])
    spread = max(np.linalg.norm(mapped[labels == c] - centres[c], axis=1).mean() for c in range(5))
    gap = min(np.linalg.norm(a - b) for i, a in enumerate(centres) for b in centres[i + 1:])
    assert gap > 3 * spread, (gap, spread)
    assert trustworthiness(clusters, mapped, n_neighbors=5) > 0.9
    np.testing.assert_array_equal(mapped, tsne_map(clusters, perplexity=30, seed=1, backend=backend, threads=2))


def test_the_backends_are_equally_trustworthy(clusters):
    scores = [trustworthiness(clusters, tsne_map(clusters, 30, seed=1, backend=b, threads=2), n_neighbors=5)
              for b in ("sklearn", "opentsne")]
    assert abs(scores[0] - scores[1]) < 0.01, scores

