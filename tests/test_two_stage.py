"""The two-stage VAE sampler (Dai & Wipf 2019; latentspace/models/two_stage.py): its IWAE bound on a Gaussian's
held-out codes against the closed form, its draws against the Gaussian, and seeded to the byte."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from latentspace.core.errors import StageError
from latentspace.models import samplers

from helpers import (GAUSSIAN_COVARIANCE, GAUSSIAN_MEAN, assert_draws_the_gaussian, fitted_on_gaussian,
                     gaussian_codes, generation_settings)

# The correlated Gaussian of tests/test_flows.py, in D = 4 (means up to ±6, sds 0.3 to 3).
# Small networks, so a fit takes seconds on 2 cores; the bound with params.yaml's 100 importance samples.
SETTINGS = generation_settings(fit_steps=1000, two_stage_units=64, two_stage_depth=2, bound_samples=100)
# The IWAE bound is a lower bound on the fitted model's log-likelihood, which on held-out codes is at most the truth's
# but for the fit's sampling noise: within [truth − BELOW, truth + ABOVE] nats per code (measured: truth − 0.015).
BELOW, ABOVE = 0.2, 0.05

pytestmark = pytest.mark.usefixtures("keras_runtime")
MEAN, COVARIANCE, gaussian = GAUSSIAN_MEAN, GAUSSIAN_COVARIANCE, gaussian_codes  # codes far from N(0, I)


@pytest.fixture(scope="module")
def fitted_gaussian():
    return fitted_on_gaussian(samplers.TwoStage, SETTINGS)


def test_the_bound_on_a_gaussians_held_out_codes_is_below_the_truth_and_near_it(fitted_gaussian):
    sampler, held_out = fitted_gaussian
    truth = multivariate_normal(MEAN, COVARIANCE).logpdf(held_out).mean()
    bound = sampler.log_density(held_out)
    assert bound.shape == (2000,) and bound.dtype == np.float64 and samplers.TwoStage.bound
    assert truth - BELOW < bound.mean() < truth + ABOVE
    elbo = sampler.density.elbo(held_out)  # one importance sample: the early stopping's score
    assert bound.mean() > elbo.mean() - 0.005
    summary = sampler.summary()
    assert summary["steps"] == 1000 and summary["best_step"] in range(200, 1001, 200)
    assert summary["best_held_out"] == pytest.approx(elbo.mean(), abs=1e-9)  # the best weights were restored
    units, d = SETTINGS.two_stage_units, 4
    stack = d * units + units + units * units + units  # two hidden layers
    assert summary["parameters"] == 2 * stack + 3 * ((d + units) * d + d) + 1  # μ_u, log σ²_u, ẑ; log γ_z
    assert 0 < summary["gamma"] < 1


def test_the_draws_are_the_gaussians_and_seeded(fitted_gaussian):
    sampler, held_out = fitted_gaussian
    assert_draws_the_gaussian(sampler)
    assert sampler.log_density(held_out).tobytes() == sampler.log_density(held_out).tobytes()  # its noise seeded


def test_the_same_seed_gives_byte_identical_fits():
    settings = generation_settings(fit_steps=30, two_stage_units=8, two_stage_depth=1, bound_samples=5)
    codes, held_out = gaussian(300, 8), gaussian(100, 9)
    fits = [samplers.TwoStage().fit(codes, 11, settings, held_out=held_out) for _ in range(2)]
    assert fits[0].draw(50, 1).tobytes() == fits[1].draw(50, 1).tobytes()
    assert fits[0].log_density(held_out).tobytes() == fits[1].log_density(held_out).tobytes()
    assert fits[0].summary() == fits[1].summary()
    unwatched = samplers.TwoStage().fit(codes, 11, settings).summary()  # no held-out codes: the last weights
    assert (unwatched["steps"], unwatched["best_step"], unwatched["best_held_out"]) == (30, 30, None)


def test_non_finite_codes_are_a_stage_error_naming_the_sampler_and_the_step():
    codes = gaussian(300, 12)
    codes[7, 2] = -np.inf
    settings = generation_settings(fit_steps=30, two_stage_units=8, two_stage_depth=1)
    with pytest.raises(StageError, match=r"two-stage VAE sampler's loss is (nan|inf) at step 1 of generation.fit_steps"):
        samplers.TwoStage().fit(codes, 0, settings, gaussian(50, 13))


def test_the_two_stage_sampler_describes_itself():
    assert (samplers.TwoStage.name, samplers.TwoStage.label, samplers.TwoStage.marker) == ("two_stage",
                                                                                        "two-stage VAE", "P")
    assert samplers.TwoStage.keras and samplers.TwoStage().describe(SETTINGS) == "a two-stage VAE (2 × 64 units)"
    assert [s.name for s in samplers.SAMPLERS][3:5] == ["flow", "two_stage"]
