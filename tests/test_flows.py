"""The RealNVP flow sampler (latentspace/models/flows.py) and the fit loop it shares (latentspace/models/density_fit.py),
checked against closed forms: the untrained flow is the identity, its log-det is its Jacobian's, and fitted to a
Gaussian its held-out log-likelihood is the true density's."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from latentspace.core.errors import StageError
from latentspace.models import samplers

from helpers import (GAUSSIAN_COVARIANCE, GAUSSIAN_MEAN, assert_draws_the_gaussian, fitted_on_gaussian,
                     gaussian_codes, generation_settings)

# Small networks, so a fit takes seconds on 2 cores.
SETTINGS = generation_settings(fit_steps=600, flow_layers=4, flow_units=32)
TOLERANCE = 0.1  # nats per code: the fitted flow's held-out mean log-likelihood against the truth's, same codes

pytestmark = pytest.mark.usefixtures("keras_runtime")
MEAN, COVARIANCE, gaussian = GAUSSIAN_MEAN, GAUSSIAN_COVARIANCE, gaussian_codes  # codes far from N(0, I)


@pytest.fixture(scope="module")
def fitted_gaussian():
    return fitted_on_gaussian(samplers.Flow, SETTINGS)


def test_masks_alternate_a_seeded_half_with_its_complement():
    from latentspace.models.flows import masks

    chosen = masks(5, 7, seed=3)
    assert chosen.shape == (7, 5) and chosen.dtype == np.float32
    assert all((chosen[k] + chosen[k + 1] == 1).all() for k in (0, 2, 4)) and (chosen[::2].sum(axis=1) == 2).all()
    assert np.array_equal(chosen, masks(5, 7, seed=3)) and masks(1, 2, seed=0).tolist() == [[0.0], [1.0]]


def test_fit_batches_are_seeded_permutations_of_the_codes():
    from latentspace.models.density_fit import batches

    first, again = batches(600, seed=4), batches(600, seed=4)
    drawn = np.concatenate([next(first) for _ in range(7)])
    assert all(len(b) == 256 for b in np.split(drawn, 7)) and np.array_equal(drawn, np.concatenate(
        [next(again) for _ in range(7)]))
    assert sorted(drawn[:600]) == list(range(600)) and sorted(drawn[600:1200]) == list(range(600))
    assert len(next(batches(100, seed=0))) == 100  # fewer codes than a batch: all of them


def test_the_untrained_flow_is_the_identity_after_the_standardisation():
    from latentspace.models.flows import untrained

    codes = gaussian(500, 3)
    flow = untrained(codes, seed=0, settings=SETTINGS)
    mean, sd = codes.astype(np.float64).mean(axis=0), codes.astype(np.float64).std(axis=0)
    expected = multivariate_normal(mean, np.diag(sd ** 2)).logpdf(codes)
    assert np.abs(flow.log_density(codes) - expected).max() < 1e-5
    assert flow.log_density(codes).dtype == np.float64
    outputs, log_det = flow.forward(codes)
    assert np.abs(outputs - (codes - mean) / sd).max() < 1e-5 and np.allclose(log_det, -np.log(sd).sum())
    assert np.abs(flow.inverse(outputs) - codes).max() < 1e-4


def random_network(dimensions, seed):
    """An untrained flow's couplings with every weight random (none the identity)."""
    from latentspace.models.flows import untrained

    network = untrained(np.zeros((2, dimensions), np.float32), seed=seed, settings=SETTINGS).network
    rng = np.random.default_rng(seed)
    network.set_weights([0.4 * rng.standard_normal(w.shape).astype(np.float32) for w in network.get_weights()])
    return network


def test_the_log_determinant_is_the_jacobians_and_the_inverse_inverts():
    import tensorflow as tf  # the Jacobian by autodiff (the stage's backend)

    network = random_network(3, seed=5)
    x = tf.constant(np.random.default_rng(6).standard_normal((6, 3)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y, log_det = network.forward(x)
    sign, expected = np.linalg.slogdet(tape.batch_jacobian(y, x).numpy().astype(np.float64))  # (B, out, in)
    assert (sign > 0).all() and np.abs(log_det.numpy() - expected).max() < 1e-3 and np.abs(expected).min() > 0.05
    assert np.abs(network.inverse(y).numpy() - x.numpy()).max() < 1e-4


def test_the_fitted_flow_gives_a_gaussian_its_true_held_out_likelihood(fitted_gaussian):
    flow, held_out = fitted_gaussian
    truth = multivariate_normal(MEAN, COVARIANCE).logpdf(held_out).mean()
    found = flow.log_density(held_out)
    assert found.shape == (2000,) and found.dtype == np.float64
    assert abs(found.mean() - truth) < TOLERANCE
    summary = flow.summary()
    assert summary["steps"] == 600 and summary["best_step"] in (200, 400, 600)
    assert summary["best_held_out"] == pytest.approx(found.mean(), abs=1e-9)  # the best weights were restored
    units, d = SETTINGS.flow_units, 4
    assert summary["parameters"] == SETTINGS.flow_layers * (d * units + units + units * units + units
                                                            + units * 2 * d + 2 * d + d)


def test_the_fitted_flows_draws_are_the_gaussians_and_seeded(fitted_gaussian):
    assert_draws_the_gaussian(fitted_gaussian[0])


def test_the_same_seed_gives_byte_identical_fits():
    settings = generation_settings(fit_steps=30, flow_layers=2, flow_units=8)
    codes, held_out = gaussian(300, 8), gaussian(100, 9)
    fits = [samplers.Flow().fit(codes, 11, settings, held_out=held_out) for _ in range(2)]
    assert fits[0].draw(50, 1).tobytes() == fits[1].draw(50, 1).tobytes()
    assert fits[0].log_density(held_out).tobytes() == fits[1].log_density(held_out).tobytes()
    assert fits[0].summary() == fits[1].summary()


def test_the_flow_beats_a_single_gaussian_on_a_mixture():
    rng = np.random.default_rng(10)

    def mixture(n):
        sides = rng.integers(0, 2, n)[:, None]
        return (np.where(sides, [3.0, 0.0], [-3.0, 1.0]) + 0.5 * rng.standard_normal((n, 2))).astype(np.float32)

    codes, held_out = mixture(4000), mixture(2000)
    flow = samplers.Flow().fit(codes, 0, generation_settings(fit_steps=300, flow_layers=6, flow_units=48), held_out)
    single = multivariate_normal(codes.mean(axis=0), np.cov(codes.T)).logpdf(held_out).mean()
    truth = np.mean(np.log(0.5 * multivariate_normal([3, 0], 0.25).pdf(held_out)
                           + 0.5 * multivariate_normal([-3, 1], 0.25).pdf(held_out)))
    found = flow.log_density(held_out).mean()  # −2.30 nats; the truth −2.20, the single Gaussian −3.30
    assert single + 0.5 < found < truth + 0.05


def test_non_finite_codes_are_a_stage_error_naming_the_sampler_and_the_step():
    codes = gaussian(300, 12)
    codes[5, 1] = np.inf
    with pytest.raises(StageError, match=r"flow sampler.s loss is (nan|inf) at step 1 of generation.fit_steps = 30"):
        samplers.Flow().fit(codes, 0, generation_settings(fit_steps=30, flow_layers=2, flow_units=8), gaussian(50, 13))


def test_the_flow_sampler_describes_itself():
    assert (samplers.Flow.name, samplers.Flow.label, samplers.Flow.marker, samplers.Flow.bound) == (
        "flow", "RealNVP flow", "v", False)
    assert samplers.Flow.keras and samplers.Flow().describe(SETTINGS) == "a RealNVP flow (4 couplings)"
