"""The fidelity stage's measurements (latentspace.measures.fidelity.measure) with a decoder and a judge whose answers are
known: the decoder writes a code's first unit into an image, the judge reads the class nearest it."""

import numpy as np

from latentspace.measures import bootstrap, fidelity


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
    indices = bootstrap.resamples(50, 20, 1)
    values = fidelity.measure(codes, decode(codes), labels, decode, probabilities, indices)
    assert values["correct_real"].tolist() == [1.0] * 50 and values["confidence_real"].tolist() == [1.0] * 50
    assert values["correct_reconstructions"].mean() == 1.0
    assert values["correct_centroids"].shape == (20,) and values["correct_centroids"].tolist() == [1.0] * 20
    assert values["centroids_all"].tolist() == [1.0, 1.0]


def test_codes_that_name_another_class_decode_to_digits_the_judge_never_recognises():
    labels = np.arange(50) % 10
    codes = np.stack([(labels + 3) % 10, np.zeros(50)], axis=1).astype(np.float64)  # each code names another class
    values = fidelity.measure(codes, decode(np.stack([labels, labels], axis=1)), labels, decode, probabilities,
                              bootstrap.resamples(50, 10, 1))
    assert values["correct_real"].mean() == 1.0 and values["correct_reconstructions"].mean() == 0.0
    assert values["centroids_all"].tolist() == [0.0, 0.0]
