"""Each sample-quality metric on inputs whose answer is known before it is trusted on real digits."""

import math

import numpy as np
import pytest

from latentspace.measures import sample_quality as q
from latentspace.models.samplers import Mixture
from helpers import generation_settings


def one_hot(classes, n_classes=10, confidence=1.0):
    p = np.full((len(classes), n_classes), (1 - confidence) / (n_classes - 1))
    p[np.arange(len(classes)), classes] = confidence
    return p


def test_a_judge_that_always_says_one_digit_gives_entropy_0_and_inception_score_1():
    p = one_hot(np.full(100, 3))
    assert str(q.class_entropy(p)) == "0.0"
    assert q.inception_score(p) == pytest.approx(1.0)
    assert q.mean_confidence(p) == 1.0


def test_uniform_fully_confident_predictions_give_entropy_log_10_and_inception_score_10():
    p = one_hot(np.arange(1000) % 10)
    assert q.class_entropy(p) == pytest.approx(math.log(10))
    assert q.inception_score(p) == pytest.approx(10.0, rel=1e-6)


def test_unsure_predictions_lower_confidence_and_inception_score():
    sure, unsure = one_hot(np.arange(100) % 10), one_hot(np.arange(100) % 10, confidence=0.4)
    assert q.mean_confidence(unsure) == pytest.approx(0.4)
    assert 1.0 < q.inception_score(unsure) < q.inception_score(sure)
    assert q.inception_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)  # knows nothing


def test_frechet_distance_of_a_set_to_itself_is_zero_and_grows_with_noise():
    features = np.random.default_rng(0).normal(size=(500, 8))
    assert q.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)
    noise = np.random.default_rng(1).normal(size=features.shape)
    distances = [q.frechet_distance(features, features + s * noise) for s in (0.1, 0.5, 1.0, 2.0)]
    assert distances == sorted(distances) and distances[0] > 0


def test_frechet_distance_of_two_gaussians_matches_the_closed_form():
    # N(0, I) against N(m, 4I) in d dims: |m|² + d(1 + 4 − 2·2) = |m|² + d
    rng = np.random.default_rng(2)
    d, m = 4, np.array([1.0, 2.0, 0.0, 0.0])
    a, b = rng.normal(size=(200_000, d)), m + 2 * rng.normal(size=(200_000, d))
    assert q.frechet_distance(a, b) == pytest.approx(5.0 + d, rel=0.02)


def test_frechet_between_two_gaussians_that_do_not_commute_is_the_textbook_formula_with_or_without_a_known_root():
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    cov_a, cov_b = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)  # ΣaΣb is not symmetric
    mean_a, mean_b = rng.normal(size=6), rng.normal(size=6)
    textbook = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * np.real(sqrtm(cov_a @ cov_b)))
    assert q.frechet_between(mean_a, cov_a, mean_b, cov_b) == pytest.approx(textbook, rel=1e-9)
    assert q.frechet_between(mean_a, cov_a, mean_b, cov_b, root_b=q.root(cov_b)) == pytest.approx(textbook, rel=1e-9)
    assert q.frechet_between(mean_b, cov_b, mean_a, cov_a) == pytest.approx(textbook, rel=1e-9)  # symmetric
    np.testing.assert_allclose(q.root(cov_b) @ q.root(cov_b), cov_b, atol=1e-9)


def test_precision_and_recall_of_a_set_against_itself_are_one():
    points = np.random.default_rng(3).normal(size=(300, 5))
    assert q.precision_recall(points, points, k=3) == (1.0, 1.0)


def test_precision_and_recall_separate_quality_from_coverage():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(600, 2))
    collapsed = rng.normal(scale=0.05, size=(600, 2))  # all near the centre: good but not varied
    far = rng.normal(size=(600, 2)) + 20.0  # varied but nowhere near the real data
    precision, recall = q.precision_recall(real, collapsed)
    assert precision > 0.95 and recall < 0.2
    assert q.precision_recall(real, far) == (0.0, 0.0)


def test_the_mixture_sampler_recovers_a_known_two_component_mixture():
    rng = np.random.default_rng(5)
    means = np.array([[-4.0, 0.0, 1.0], [4.0, 2.0, -1.0]])
    codes = np.concatenate([means[0] + rng.normal(scale=0.5, size=(2000, 3)),
                            means[1] + rng.normal(scale=0.5, size=(2000, 3))])
    sampler = Mixture().fit(codes, seed=0, settings=generation_settings(num_samples=10, mixture_components=2))
    found = sampler.mixture.means_[np.argsort(sampler.mixture.means_[:, 0])]
    np.testing.assert_allclose(found, means, atol=0.1)
    draws = sampler.draw(1000, seed=1)
    assert draws.shape == (1000, 3) and draws.dtype == np.float32
    assert 0.4 < np.mean(draws[:, 0] > 0) < 0.6  # both components, in proportion
    assert not np.all(draws[:500, 0] < 0)  # shuffled, not grouped by component
    np.testing.assert_array_equal(draws, sampler.draw(1000, seed=1))  # seeded


def test_the_judges_metrics_on_real_digits_are_its_accuracy_and_a_floor_of_identical_feature_sets():
    """sample_quality.judge_metrics as the judge stage calls it: a judge right on every evaluation digit, and
    validation features identical to the evaluation's (a Fréchet distance of 0, precision and recall of 1)."""
    from latentspace.measures.sample_quality import judge_metrics

    rng = np.random.default_rng(0)
    labels = np.arange(40) % 10
    features = rng.normal(size=(40, 6))
    found = judge_metrics(np.eye(10)[labels], labels, features, features, {"epochs": 3})
    assert list(found) == ["eval_accuracy", "epochs", "real"] and found["eval_accuracy"] == 1.0
    assert found["real"]["precision"] == 1.0 and found["real"]["recall"] == 1.0
    assert abs(found["real"]["frechet_distance"]) < 1e-6 and found["real"]["confidence"] == 1.0
