"""Each separation score, the bootstrap and the latent-unit diagnostics on inputs whose answer is known."""

import numpy as np
import pytest

from latentspace.measures import bootstrap, separation, units


def clusters(n_per_class, spread, seed, dimensions=5):
    """Ten classes around the points ±10 e_d (d < 5), each point ``spread`` away at most: (codes, labels)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), n_per_class)
    centres = 10.0 * np.r_[np.eye(5, dimensions), -np.eye(5, dimensions)]
    return centres[labels] + rng.uniform(-spread, spread, (len(labels), dimensions)), labels


def test_well_separated_clusters_score_perfectly_everywhere():
    train, train_labels = clusters(30, 0.5, seed=0)
    codes, labels = clusters(20, 0.5, seed=1)
    embedded = codes @ np.random.default_rng(2).normal(size=(5, 2))  # a map: any projection will do here
    result, values = separation.scores(separation.Codes(train, train_labels, codes, labels, neighbours=5, seed=0,
                                                        embedded=embedded), resamples=100, level=0.95)
    assert result["knn_accuracy"]["value"] == 1.0 and result["probe_accuracy"]["value"] == 1.0
    assert result["silhouette"]["value"] > 0.9
    assert result["davies_bouldin"]["value"] < 0.1
    assert result["calinski_harabasz"]["value"] > 1000
    assert result["kmeans_ari"]["value"] == pytest.approx(1.0) and result["kmeans_nmi"]["value"] == pytest.approx(1.0)
    assert result["knn_accuracy"]["low"] == result["knn_accuracy"]["high"] == 1.0  # every resample is perfect
    assert set(values) == {"silhouette", "knn_accuracy", "probe_accuracy", "trustworthiness"}
    assert all(v.shape == (200,) for v in values.values())


def test_shuffled_labels_give_chance_probes_and_no_cluster_agreement():
    rng = np.random.default_rng(3)
    train, codes = rng.normal(size=(2000, 5)), rng.normal(size=(1000, 5))
    train_labels, labels = rng.integers(0, 10, 2000), rng.integers(0, 10, 1000)
    result, _ = separation.scores(separation.Codes(train, train_labels, codes, labels, neighbours=5, seed=0),
                                  resamples=100, level=0.95)
    for probe in ("knn_accuracy", "probe_accuracy"):
        assert abs(result[probe]["value"] - 0.1) < 0.04, probe
        assert result[probe]["low"] < 0.1 + 0.01  # chance is (nearly) inside the interval
    assert abs(result["kmeans_ari"]["value"]) < 0.01
    assert result["kmeans_nmi"]["value"] < 0.03
    assert abs(result["silhouette"]["value"]) < 0.05


def test_trustworthiness_per_point_averages_to_scikit_learns_and_is_1_for_an_isometry():
    from sklearn.manifold import trustworthiness

    rng = np.random.default_rng(4)
    codes = rng.normal(size=(150, 6))
    squashed = codes[:, :2] + 0.3 * rng.normal(size=(150, 2))
    values = separation.trustworthiness_values(codes, squashed, 5)
    assert values.mean() == pytest.approx(trustworthiness(codes, squashed, n_neighbors=5), rel=1e-12)
    assert values.min() < 1.0
    flat = rng.normal(size=(150, 2))
    rotation = np.array([[0.6, -0.8], [0.8, 0.6]])
    np.testing.assert_allclose(separation.trustworthiness_values(flat, 3.0 * flat @ rotation, 5), 1.0)


def test_pca_codes_keep_the_requested_dimensions_fitted_on_the_training_set():
    rng = np.random.default_rng(5)
    train = rng.normal(size=(200, 30)) * np.r_[np.full(3, 10.0), np.ones(27)]
    projected_train, projected_eval = separation.pca_codes(train, train[:50], 3, seed=0)
    assert projected_train.shape == (200, 3) and projected_eval.shape == (50, 3)
    np.testing.assert_allclose(projected_eval, projected_train[:50])
    assert projected_train.var(axis=0).min() > 50  # the three directions of large variance


def test_the_bootstrap_interval_of_a_constant_is_a_point_and_of_a_mean_has_the_textbook_width():
    indices = bootstrap.resamples(400, 2000, seed=0)
    assert indices.shape == (2000, 400) and indices.min() >= 0 and indices.max() < 400
    np.testing.assert_array_equal(indices, bootstrap.resamples(400, 2000, seed=0))  # same seed, same resamples
    point = bootstrap.mean_interval(np.full(400, 0.7), indices, 0.95)
    assert point["low"] == point["value"] == point["high"] == pytest.approx(0.7)
    assert bootstrap.interval(lambda rows: 3.0, indices[:50], 0.9) == {"value": 3.0, "low": 3.0, "high": 3.0}
    values = np.random.default_rng(1).normal(5.0, 2.0, 400)
    result = bootstrap.mean_interval(values, indices, 0.95)
    assert result["low"] < values.mean() < result["high"]
    assert result["high"] - result["low"] == pytest.approx(2 * 1.96 * 2.0 / np.sqrt(400), rel=0.15)


def test_a_biased_statistic_keeps_its_estimate_inside_the_bias_corrected_interval():
    # Calinski–Harabasz rises when resampling repeats points: plain percentiles can miss the estimate.
    codes, labels = clusters(6, 8.0, seed=6)
    indices = bootstrap.resamples(len(labels), 500, seed=0)
    from sklearn.metrics import calinski_harabasz_score

    result = bootstrap.interval(lambda rows: calinski_harabasz_score(codes[rows], labels[rows]), indices, 0.95)
    assert result["low"] <= result["value"] <= result["high"]


def test_dispersion_scores_of_a_resample_from_its_counts_are_scikit_learns_of_its_copied_rows():
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

    codes, labels = clusters(15, 6.0, seed=8, dimensions=7)
    codes = codes + 1000.0  # a far mean: the centred sums of squares must not lose the spread to it
    dispersion = separation.Dispersion(codes, labels)
    everything = np.ones(len(labels))
    assert dispersion.calinski_harabasz(everything) == pytest.approx(calinski_harabasz_score(codes, labels), rel=1e-9)
    assert dispersion.davies_bouldin(everything) == pytest.approx(davies_bouldin_score(codes, labels), rel=1e-9)
    for rows in bootstrap.resamples(len(labels), 5, seed=3):
        counts = np.bincount(rows, minlength=len(labels)).astype(float)
        assert dispersion.calinski_harabasz(counts) == pytest.approx(
            calinski_harabasz_score(codes[rows], labels[rows]), rel=1e-9)
        assert dispersion.davies_bouldin(counts) == pytest.approx(davies_bouldin_score(codes[rows], labels[rows]),
                                                                  rel=1e-9)
    without_nines = (labels != 9).astype(float)  # a class of weight 0 is absent, as in a resample that missed it
    kept = labels != 9
    assert dispersion.calinski_harabasz(without_nines) == pytest.approx(
        calinski_harabasz_score(codes[kept], labels[kept]), rel=1e-9)
    assert dispersion.davies_bouldin(without_nines) == pytest.approx(davies_bouldin_score(codes[kept], labels[kept]),
                                                                     rel=1e-9)


def test_dispersion_of_classes_without_spread_is_scikit_learns_edge_value():
    labels = np.repeat(np.arange(3), 4)
    points = np.repeat(np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]]), 4, axis=0)  # every digit on its centroid
    dispersion = separation.Dispersion(points, labels)
    assert dispersion.calinski_harabasz(np.ones(12)) == 1.0
    assert dispersion.davies_bouldin(np.ones(12)) == 0.0


def test_a_dimension_whose_mean_never_varies_is_not_active_and_the_prior_costs_no_kl():
    rng = np.random.default_rng(7)
    mean = np.c_[rng.normal(0, 1, 500), np.full(500, 0.3), rng.normal(0, 0.05, 500)]  # active, constant, var 0.0025
    assert units.active_units(mean, 0.01) == 1
    np.testing.assert_allclose(units.activity(mean)[1], 0.0, atol=1e-20)
    kl = units.kl_per_dimension(np.zeros((4, 3)), np.zeros((4, 3)))  # q(z|x) = N(0, 1): nothing to pay
    np.testing.assert_allclose(kl, 0.0)
    # mean 1, variance 1: ½; mean 0, variance e: ½(e − 1 − 1)
    kl = units.kl_per_dimension(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    np.testing.assert_allclose(kl, [0.5, 0.5 * (np.e - 2.0)])


def test_the_baselines_score_the_pixels_and_their_principal_components_of_well_separated_digits():
    """separation.baselines as the baselines stage calls it: two classes of 'digits' far apart in pixel space
    separate perfectly whether scored on the pixels or on two principal components."""
    from latentspace.core.schema import Bootstrap, Separation
    from latentspace.measures.separation import baselines

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 30)
    pixels = rng.normal(size=(60, 20)) * 0.1 + labels[:, None] * 5.0
    found = baselines(pixels[::2], labels[::2], pixels[1::2], labels[1::2], Separation(3, 1e-4), Bootstrap(20, 0.9),
                      components=2, seed=0)
    assert list(found) == ["pixels", "pca"]
    for scores in found.values():
        assert scores["knn_accuracy"]["value"] == 1.0 and scores["probe_accuracy"]["value"] == 1.0
        assert scores["silhouette"]["value"] > 0.9
