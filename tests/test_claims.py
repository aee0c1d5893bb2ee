"""The verdict rules on hand-made numbers, and whole claims on per-digit values whose answer is known."""

import numpy as np
import pytest

from latentspace import claims
from latentspace.claims import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED, verdict
from latentspace.sample_quality import Draws


@pytest.mark.parametrize("difference, low, high, margin, expected", [
    (0.05, 0.03, 0.07, 0.01, SUPPORTED),          # clear win
    (-0.05, -0.07, -0.03, 0.01, NOT_SUPPORTED),   # clear loss
    (0.02, -0.01, 0.05, 0.01, INCONCLUSIVE),      # the interval straddles 0
    (0.005, 0.002, 0.008, 0.01, INCONCLUSIVE),    # sure, but below the margin
    (-0.005, -0.008, -0.002, 0.01, INCONCLUSIVE),
    (0.01, 0.001, 0.02, 0.01, SUPPORTED),         # exactly the margin counts
])
def test_verdict_rules(difference, low, high, margin, expected):
    assert verdict(difference, low, high, margin) == expected


def test_a_claim_needs_every_comparison_to_support_it_and_one_contradiction_refutes_it():
    assert claims.overall([SUPPORTED, SUPPORTED]) == SUPPORTED
    assert claims.overall([NOT_SUPPORTED]) == NOT_SUPPORTED
    assert claims.overall([SUPPORTED, INCONCLUSIVE]) == INCONCLUSIVE
    assert claims.overall([INCONCLUSIVE, NOT_SUPPORTED]) == NOT_SUPPORTED  # "best" fails against one clear winner
    assert claims.overall([SUPPORTED, NOT_SUPPORTED]) == NOT_SUPPORTED
    assert claims.overall([]) == INCONCLUSIVE


def test_claims_about_models_the_run_lacks_are_left_out():
    every = [c.key for c in claims.claims(["ae", "vae", "conv_vae", "class_vae"])]
    assert every == ["ae_separates_best", "ae_prior_samples_not_digits", "conv_vae_separates_better",
                     "better_prior_helps", "class_term_helps"]
    assert [c.key for c in claims.claims(["ae", "vae"])] == ["ae_separates_best", "ae_prior_samples_not_digits",
                                                             "better_prior_helps"]
    assert claims.claims(["wide_vae"]) == []


MARGINS = {"silhouette": 0.01, "knn_accuracy": 0.01, "probe_accuracy": 0.01, "confidence": 0.01, "precision": 0.01,
           "frechet_distance": 1.0}


def per_digit(accuracy, silhouette, n=500, seed=0):
    rng = np.random.default_rng(seed)
    correct = (rng.random(n) < accuracy).astype(float)
    return {"silhouette": rng.normal(silhouette, 0.1, n), "knn_accuracy": correct, "probe_accuracy": correct}


def decide(key, data):
    (claim,) = [c for c in claims.claims(["ae", "vae", "conv_vae", "class_vae"]) if c.key == key]
    return claims.decide(claim, data, margins=MARGINS, resamples=300, level=0.95, seed=0)


def test_a_clear_win_a_clear_loss_and_a_tie_on_per_digit_scores():
    win = decide("class_term_helps", {"class_vae": per_digit(0.95, 0.3), "vae": per_digit(0.6, 0.1, seed=1)})
    assert win["verdict"] == SUPPORTED
    numbers = win["class_vae vs vae"]["probe_accuracy"]
    assert numbers["low"] < numbers["difference"] < numbers["high"] and numbers["difference"] > 0.3
    loss = decide("class_term_helps", {"class_vae": per_digit(0.6, 0.1, seed=1), "vae": per_digit(0.95, 0.3)})
    assert loss["verdict"] == NOT_SUPPORTED
    tie = decide("class_term_helps", {"class_vae": per_digit(0.8, 0.2, seed=2), "vae": per_digit(0.8, 0.2, seed=3)})
    assert tie["verdict"] == INCONCLUSIVE


def test_generation_claims_orient_the_frechet_distance_so_that_lower_is_better():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 4))

    def sampler(shift, confidence, inside):
        return Draws(features=rng.normal(size=(400, 4)) + shift, real=real, confidence=np.full(400, confidence),
                     inside=rng.random(400) < inside)

    data = {"vae@prior": sampler(0.0, 0.9, 0.9), "conv_vae@prior": sampler(0.1, 0.95, 0.95),
            "ae@prior": sampler(3.0, 0.5, 0.1)}
    result = decide("ae_prior_samples_not_digits", data)
    assert result["verdict"] == SUPPORTED
    assert result["vae@prior vs ae@prior"]["frechet_distance"]["difference"] > 30  # ≈ 4 × 3², positive = better


def test_every_measure_has_a_margin_in_the_params_schema():
    from latentspace.params import SCHEMA

    margins = {key.split(".")[-1] for key in SCHEMA if key.startswith("claims.margins.")}
    assert margins == set(claims.separation_measures()) | set(claims.generation_measures())
