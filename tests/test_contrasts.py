"""Every comparison measured, on per-item values whose answer is known; the judged centroids of subsets."""

import numpy as np
import pytest

from latentspace.measures import fidelity
from latentspace.claims import contrasts
from latentspace.claims.contrasts import REAL, Side
from latentspace.measures.sample_quality import Draws


def per_digit(accuracy, silhouette, n=500, seed=0):
    rng = np.random.default_rng(seed)
    correct = (rng.random(n) < accuracy).astype(float)
    return {"silhouette": rng.normal(silhouette, 0.1, n), "knn_accuracy": correct, "probe_accuracy": correct}


def test_every_pair_of_models_samplers_and_judged_sides_is_compared_once():
    found = contrasts.pairs(["ae", "vae", "conv_vae"], ["prior", "mixture"])
    kinds = [(contrasts.key(a, b), kind) for a, b, kind in found]
    # C(3,2) models and the 9 pairs of drawn sides that share a model or a sampler (of C(6,2)), each on two kinds of measure (separation and the units' factors,
    # generation and the draws' factors) and the drawn sides on a third (holes); each model's codes against two
    # places on the silhouette's scale; each drawn side against the real digits; 2 judged kinds a model; each model
    # against the prior itself; each model's held-out codes against its 2 samplers' draws (holes)
    # against the prior itself; each model's held-out codes against its 2 samplers' draws (holes); the likelihood's
    # pairs of models (those without a posterior are left out when read)
    assert len(kinds) == len(set(kinds)) == 3 * 3 + 3 * 9 + 3 * 2 + 6 + 6 + 3 + 6
    assert ("vae vs reasonable structure", "separation") in kinds and ("ae@codes vs ae@prior", "holes") in kinds
    assert ("conv_vae@mixture vs real digits", "generation") in kinds
    keys = [key for key, _ in kinds]
    assert "ae vs vae" in keys and "ae@prior vs conv_vae@prior" in keys
    assert "ae@prior vs conv_vae@mixture" not in keys  # differ in both: no claim asks
    crossed = contrasts.pairs(["vae", "vamp_vae"], ["prior", "mixture", "best"])
    crossed = {contrasts.key(a, b) for a, b, kind in crossed if kind == "generation"}
    assert "vae@best vs vamp_vae@prior" in crossed and "vae@prior vs vamp_vae@best" in crossed  # learnt vs fitted
    assert "vae@mixture vs vamp_vae@best" not in crossed and "vae@centroids vs real digits" in keys
    assert contrasts.split_pair("vae@centroids vs real digits") == (Side("vae", "centroids"), REAL)


def test_a_clear_difference_is_measured_with_a_paired_interval_around_it():
    data = {"a": per_digit(0.95, 0.3), "b": per_digit(0.6, 0.1, seed=1)}
    result = contrasts.measure([(Side("a"), Side("b"), ("silhouette", "probe_accuracy"))], data,
                               resamples=300, level=0.95, seed=0)
    numbers = result["a vs b"]["probe_accuracy"]
    assert numbers["low"] < numbers["difference"] < numbers["high"] and numbers["difference"] > 0.3
    assert numbers["sd"] > 0 and set(numbers) == {"difference", "low", "high", "sd"}  # no verdict: it only measures
    same = contrasts.measure([(Side("a"), Side("a2"), ("silhouette",))], {"a": data["a"], "a2": data["a"]},
                             resamples=100, level=0.95, seed=0)["a vs a2"]["silhouette"]
    assert same == {"difference": 0.0, "low": 0.0, "high": 0.0, "sd": 0.0}  # the same digits: paired exactly


def test_the_frechet_distance_is_signed_so_that_lower_is_better():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 4))

    def sampler(shift):
        return Draws(features=rng.normal(size=(400, 4)) + shift, real=real, confidence=np.full(400, 0.9),
                     inside=rng.random(400) < 0.5)

    result = contrasts.measure([(Side("vae", "prior"), Side("ae", "prior"), ("frechet_distance",))],
                               {"vae@prior": sampler(0.0), "ae@prior": sampler(3.0)}, resamples=50, level=0.95, seed=0)
    assert result["vae@prior vs ae@prior"]["frechet_distance"]["difference"] > 30  # ≈ 4 × 3², positive = better


def test_find_reads_a_pair_either_way_round():
    held = {"ae vs vae": {"silhouette": {"difference": 0.1, "low": 0.05, "high": 0.2, "sd": 0.03}}}
    assert contrasts.find(held, Side("vae"), Side("ae"), "silhouette") == {"difference": -0.1, "low": -0.2,
                                                                           "high": -0.05, "sd": 0.03}
    assert contrasts.find(held, Side("ae"), Side("vae"), "knn_accuracy") is None
    assert contrasts.find(held, Side("ae"), Side("conv_vae"), "silhouette") is None


def test_the_judges_grades_and_a_centroid_side_against_the_real_digits():
    probabilities = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    correct, confidence = fidelity.graded(probabilities, np.array([0, 0, 0]))
    assert correct.tolist() == [1.0, 0.0, 1.0] and confidence.tolist() == [0.9, 0.3, 0.6]
    n, count = 200, 100
    real = fidelity.Judged(np.ones(n), np.full(n, 0.9), np.ones(n))
    centroids = fidelity.Judged(np.tile([1.0, 0.0], 50), np.full(100, 0.4))  # centroids have no original
    held = contrasts.held_pairs(fidelity.FAMILY, {"ae@centroids": centroids, REAL.label: real}, ["ae"], ["prior"])
    assert held == [(Side("ae", "centroids"), REAL, ("judged_accuracy", "judged_confidence"))]
    result = contrasts.measure(held, {"ae@centroids": centroids, REAL.label: real}, resamples=count, level=0.95, seed=0)
    assert result["ae@centroids vs real digits"]["judged_accuracy"]["difference"] == pytest.approx(-0.5)
    assert result["ae@centroids vs real digits"]["judged_accuracy"]["high"] < -0.3  # a thousand-item interval
    assert result["ae@centroids vs real digits"]["judged_confidence"]["high"] == pytest.approx(-0.5)
