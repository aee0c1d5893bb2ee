"""The IWAE bound on known answers before it is trusted on real decoders."""

import math

import numpy as np
import pytest

from latentspace.measures import likelihood
from latentspace.core.schema import Bootstrap, Likelihood


def bernoulli_log_likelihood(x, p):
    return float((x * np.log(p) + (1 - x) * np.log(1 - p)).sum())


def test_with_the_prior_as_posterior_and_a_decoder_that_ignores_z_every_bound_is_exact():
    rng = np.random.default_rng(0)
    x, p = rng.uniform(size=(2, 784)), rng.uniform(0.1, 0.9, size=784)
    mean, log_var = np.zeros((2, 3)), np.zeros((2, 3))
    z, eps = likelihood.draws(mean, log_var, 50, seed=1)
    log_w = likelihood.log_weights(x, np.broadcast_to(p, (2, 50, 784)), z, eps, log_var)
    exact = [bernoulli_log_likelihood(x[i], p) for i in range(2)]
    np.testing.assert_allclose(likelihood.iwae(log_w), exact, rtol=1e-6)
    np.testing.assert_allclose(likelihood.elbo(log_w), exact, rtol=1e-6)


def test_with_another_posterior_the_iwae_bound_rises_towards_log_p_and_stays_above_the_elbo():
    rng = np.random.default_rng(2)
    x, p = rng.uniform(size=(1, 784)), rng.uniform(0.2, 0.8, size=784)
    exact = bernoulli_log_likelihood(x[0], p)
    mean, log_var = np.full((1, 2), 0.5), np.full((1, 2), math.log(0.8))  # q ≠ prior (and wide enough for the
    # weights p(z)/q(z) to have a finite variance)
    gaps = []
    for k in (1, 100_000):
        z, eps = likelihood.draws(mean, log_var, k, seed=3)
        log_w = likelihood.log_weights(x, np.broadcast_to(p, (1, k, 784)), z, eps, log_var)
        bound, lower = likelihood.iwae(log_w)[0], likelihood.elbo(log_w)[0]
        assert bound >= lower - 1e-9
        gaps.append(exact - bound)
    assert abs(gaps[-1]) < 0.005  # E_q[p(z)/q(z)] = 1: with many draws the bound reaches log p(x)
    kl = 2 * 0.5 * (0.8 + 0.25 - 1 - math.log(0.8))  # KL(q ‖ p) = 0.273: the ELBO's gap, in expectation
    z, eps = likelihood.draws(mean, log_var, 200_000, seed=4)
    log_w = likelihood.log_weights(x, np.broadcast_to(p, (1, 200_000, 784)), z, eps, log_var)
    assert likelihood.elbo(log_w)[0] == pytest.approx(exact - kl, abs=0.01)


def test_decoded_pixels_are_clipped_as_the_training_loss_clips_them():
    x = np.array([[1.0, 0.0]])
    z, eps = np.zeros((1, 1, 1)), np.zeros((1, 1, 1))
    log_w = likelihood.log_weights(x, np.array([[[0.0, 1.0]]]), z, eps, np.zeros((1, 1)))
    assert log_w[0, 0] == pytest.approx(2 * math.log(likelihood.EPSILON), rel=1e-6)  # finite, not -inf


def test_the_draws_are_seeded_and_follow_the_posterior():
    mean, log_var = np.array([[1.0, -2.0]]), np.array([[0.0, math.log(4.0)]])
    z, eps = likelihood.draws(mean, log_var, 20_000, seed=5)
    assert z.shape == (1, 20_000, 2) and np.array_equal(z, likelihood.draws(mean, log_var, 20_000, seed=5)[0])
    np.testing.assert_allclose(z[0].mean(axis=0), [1, -2], atol=0.05)
    np.testing.assert_allclose(z[0].std(axis=0), [1, 2], atol=0.05)


def test_the_stages_measure_is_exact_with_the_prior_as_posterior_and_checks_more_draws_on_the_first_digits():
    """likelihood.measure, as the stage calls it: the decoder (a function of the codes) ignores z, so both bounds
    are each digit's exact log-likelihood, the interval holds the mean, and more draws move nothing."""
    rng = np.random.default_rng(0)
    x, p = rng.uniform(size=(6, 784)), rng.uniform(0.1, 0.9, size=784)
    decoded = []

    def decode(z):
        decoded.append(len(z))
        return np.broadcast_to(p, (len(z), 784))

    found, bound = likelihood.measure(np.zeros((6, 3)), np.zeros((6, 3)), x, decode,
                                      Likelihood(samples=4, check_digits=2, check_factor=5), Bootstrap(30, 0.9), seed=1)
    assert bound == pytest.approx([bernoulli_log_likelihood(x[i], p) for i in range(6)], rel=1e-6)  # each digit's
    exact = np.mean([bernoulli_log_likelihood(x[i], p) for i in range(6)])
    assert found["iwae"]["value"] == pytest.approx(exact, rel=1e-6)
    assert found["elbo"]["value"] == pytest.approx(exact, rel=1e-6)
    assert found["iwae"]["low"] <= found["iwae"]["value"] <= found["iwae"]["high"]
    assert found["check"]["digits"] == 2 and found["check"]["samples"] == 20
    assert found["check"]["change"] == pytest.approx(0.0, abs=1e-6)
    assert sum(decoded) == 6 * 4 + 2 * 20  # every draw decoded once


def test_a_likelihood_too_large_for_the_memory_is_refused_naming_the_param():
    from latentspace.core.errors import StageError

    with pytest.raises(StageError, match="likelihood.samples"):
        likelihood.check(10_000_000, 100_000)


def test_the_default_prior_is_the_standard_normal_the_weights_always_had_to_the_bit():
    """``log_prior`` (a VampPrior model's learnt mixture) defaults to N(0, I): every other model's weights are the
    floats the formula below, the one before it had a prior to choose, gives."""
    rng = np.random.default_rng(7)
    for dimensions in (2, 10, 33):
        x, decoded = rng.uniform(size=(5, 784)), rng.uniform(0.05, 0.95, size=(5, 9, 784))
        mean, log_var = rng.normal(size=(5, dimensions)), rng.normal(size=(5, dimensions)) - 1
        z, eps = likelihood.draws(mean, log_var, 9, seed=2)
        p = np.clip(decoded, likelihood.EPSILON, 1 - likelihood.EPSILON)
        before = ((x[:, None, :] * np.log(p) + (1 - x[:, None, :]) * np.log(1 - p)).sum(axis=2)
                  - 0.5 * (np.square(np.asarray(z, np.float64)) + likelihood.LOG_2PI).sum(axis=2)
                  + 0.5 * (np.square(eps) + likelihood.LOG_2PI + log_var[:, None, :]).sum(axis=2))
        np.testing.assert_array_equal(likelihood.log_weights(x, decoded, z, eps, log_var), before)
