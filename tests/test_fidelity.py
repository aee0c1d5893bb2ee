"""The fidelity stage's measurements (latentspace.measures.fidelity.measure) with a decoder and a judge whose answers are
known: the decoder writes a code's first unit into an image, the judge reads the class nearest it."""

import numpy as np
import pytest

from latentspace.measures import fidelity


def decode(codes):
    images = np.zeros((len(codes), 28, 28, 1), np.float32)
    images[:, 0, 0, 0] = np.asarray(codes)[:, 0]
    return images


def probabilities(images):
    return np.eye(10)[np.clip(np.rint(images[:, 0, 0, 0]), 0, 9).astype(int)]


def test_codes_that_hold_their_class_decode_to_recognised_reconstructions_and_centroids():
    rng = np.random.default_rng(0)
    labels = np.arange(50) % 10
    codes = np.stack([labels + rng.uniform(-0.3, 0.3, 50), rng.normal(size=50)], axis=1)
    values = fidelity.measure(codes, decode(codes), labels, decode, probabilities, seed=1)
    assert values["correct_real"].tolist() == [1.0] * 50 and values["confidence_real"].tolist() == [1.0] * 50
    assert values["correct_reconstructions"].mean() == 1.0
    # 5 codes a class: one group of all of them (fewer than 10), every centroid recognised
    assert values["correct_centroids"].shape == (10,) and values["correct_centroids"].mean() == 1.0
    assert values["centroids_all"].tolist() == [1.0, 1.0]


def test_codes_that_name_another_class_decode_to_digits_the_judge_never_recognises():
    labels = np.arange(50) % 10
    codes = np.stack([(labels + 3) % 10, np.zeros(50)], axis=1).astype(np.float64)  # each code names another class
    values = fidelity.measure(codes, decode(np.stack([labels, labels], axis=1)), labels, decode, probabilities, seed=1)
    assert values["correct_real"].mean() == 1.0 and values["correct_reconstructions"].mean() == 0.0
    assert values["centroids_all"].tolist() == [0.0, 0.0]


def test_the_groups_centroids_are_class_means_of_disjoint_groups_of_the_codes():
    labels = np.repeat([3, 7], 60)
    codes = np.where(labels[:, None] == 3, 0.0, 10.0) + np.arange(120)[:, None] % 60 * np.array([[1.0, 0.0]])
    centroids, classes = fidelity.subset_centroids(codes, labels, seed=0, per_class=5)
    assert classes.tolist() == [3] * 12 + [7] * 12 and centroids.shape == (24, 2)  # 60 codes a class: 12 groups of 5
    # disjoint groups of one class: their centroids average to the class mean, each its own
    assert centroids[classes == 3, 0].mean() == pytest.approx(29.5) and len(np.unique(centroids[classes == 3, 0])) > 6
    assert np.all(centroids[classes == 7, 1] == 10.0) and np.all(centroids[classes == 3, 1] == 0.0)
    again, _ = fidelity.subset_centroids(codes, labels, seed=0, per_class=5)
    assert np.array_equal(again, centroids)
    # a class with fewer codes than per_class is one group of all of them: its centroid is the class mean
    few, few_classes = fidelity.subset_centroids(codes[:63], labels[:63], seed=0, per_class=5)
    assert few_classes.tolist() == [3] * 12 + [7] and few[-1].tolist() == pytest.approx([11.0, 10.0])


def test_a_reconstruction_equal_to_its_original_is_identified_and_another_digits_is_not():
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(150, 28, 28, 1)).astype(np.float32)
    labels = np.arange(150) % 10
    codes = np.zeros((150, 2))
    exact = fidelity.measure(codes, images, labels, lambda z: images[:len(z)] if len(z) == 150 else decode(z),
                             probabilities, seed=0)
    assert exact["identified_reconstructions"].tolist() == [1.0] * 150
    shifted = fidelity.measure(codes, images, labels,
                               lambda z: np.roll(images, 1, axis=0) if len(z) == 150 else decode(z), probabilities, seed=0)
    assert shifted["identified_reconstructions"].mean() < 0.05
