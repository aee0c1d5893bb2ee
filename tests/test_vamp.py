"""The VampPrior (latentspace/models/vamp.py, priors.py) on known answers, and the two new architectures' training."""

import functools
import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from latentspace.measures import likelihood
from latentspace.models import checkpoints, priors
from latentspace.models.architectures import build, dense_decoder, is_variational
from latentspace.models.runtime import encode, load_model, load_pseudo_inputs, predict, save_pseudo_inputs
from latentspace.models.vamp import PseudoInputs, VampSampling, pseudo_images, vamp_log_prob

from helpers import TINY_SECTIONS, tiny_dataset, train_tiny


def mixture(seed=0, k=4, d=3):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1.5, (k, d)), rng.normal(-0.5, 0.6, (k, d))


def test_the_numpy_density_is_the_mixture_scipy_computes_in_any_block_size(monkeypatch):
    mean, log_var = mixture()
    z = np.random.default_rng(1).normal(0, 2, (50, 3))
    pdfs = [multivariate_normal(m, np.diag(np.exp(lv))).pdf(z) for m, lv in zip(mean, log_var)]
    expected = np.log(np.mean(pdfs, axis=0))
    found = priors.vamp_log_density(z, mean, log_var)
    assert found.shape == (50,) and found.dtype == np.float64
    np.testing.assert_allclose(found, expected, rtol=0, atol=1e-8)
    monkeypatch.setattr(priors, "BLOCK", 1)  # a component a step: the same numbers
    np.testing.assert_array_equal(priors.vamp_log_density(z, mean, log_var), found)


def test_the_density_integrates_to_one():
    mean, log_var = mixture(seed=2, k=3, d=2)
    axis = np.linspace(-10, 10, 1001)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    mass = np.exp(priors.vamp_log_density(grid, mean, log_var)).sum() * (axis[1] - axis[0]) ** 2
    assert abs(mass - 1) < 1e-3


@pytest.mark.parametrize("dimensions", [3, 10, 17])
def test_one_standard_component_gives_the_standard_normal_iwae_weights_to_the_bit(dimensions):
    rng = np.random.default_rng(dimensions)
    x, decoded = rng.uniform(size=(4, 784)), rng.uniform(0.1, 0.9, size=(4, 6, 784))
    mean, log_var = rng.normal(size=(4, dimensions)), rng.normal(size=(4, dimensions))
    z, eps = likelihood.draws(mean, log_var, 6, seed=1)
    standard = functools.partial(priors.vamp_log_density, mean=np.zeros((1, dimensions)),
                                 log_var=np.zeros((1, dimensions)))
    np.testing.assert_array_equal(likelihood.log_weights(x, decoded, z, eps, log_var, standard),
                                  likelihood.log_weights(x, decoded, z, eps, log_var))
    codes = {"codes_eval": mean, "prior_mean": np.zeros((1, dimensions)), "prior_log_var": np.zeros((1, dimensions))}
    np.testing.assert_array_equal(priors.learnt_log_density(codes)(z[0]), likelihood.standard_normal(z[0]))
    assert priors.learnt_log_density({"codes_eval": mean}) is None  # the stage's N(0, I)


def test_the_draws_are_seeded_and_have_the_mixtures_moments():
    mean, log_var = mixture(seed=3)
    z = priors.vamp_draw(100_000, 7, mean, log_var)
    assert z.dtype == np.float32 and z.shape == (100_000, 3)
    assert np.array_equal(z, priors.vamp_draw(100_000, 7, mean, log_var))
    assert not np.array_equal(z, priors.vamp_draw(100_000, 8, mean, log_var))
    centre = mean.mean(axis=0)
    second = np.mean([np.diag(np.exp(lv)) + np.outer(m, m) for m, lv in zip(mean, log_var)], axis=0)
    np.testing.assert_allclose(z.mean(axis=0), centre, atol=0.02)
    np.testing.assert_allclose(np.cov(z, rowvar=False), second - np.outer(centre, centre), atol=0.03)


def _known_vamp(means, log_vars):
    """A vamp_vae whose pseudo-input k is the image lit at pixel k alone, and whose encoder maps it to
    (means[k], log_vars[k]): hidden unit k reads pixel k (LeakyReLU passes 1), the heads read the hidden units."""
    k, d = means.shape
    model, encoder, decoder = build("vamp_vae", latent_size=d, seed=1, hidden_units=k, beta=1.0, components=k)
    hidden, heads = np.zeros((784, k), np.float32), {"z_mean": means, "z_log_var": log_vars}
    hidden[np.arange(k), np.arange(k)] = 1.0
    encoder.get_layer(index=2).set_weights([hidden, np.zeros(k, np.float32)])
    for name, rows in heads.items():
        encoder.get_layer(name).set_weights([rows.astype(np.float32), np.zeros(d, np.float32)])
    lit = np.zeros((k, 784), np.float32)
    lit[np.arange(k), np.arange(k)] = 1.0
    next(layer for layer in model.layers if isinstance(layer, PseudoInputs)).set_weights([lit])
    return model, encoder


def test_known_pseudo_inputs_give_the_known_mixture_and_keras_computes_its_density_as_numpy():
    means, log_vars = mixture(seed=4, k=4, d=3)
    model, encoder = _known_vamp(means, log_vars)
    prior_mean, prior_log_var = encode(encoder, pseudo_images(model))
    np.testing.assert_allclose(prior_mean, means, atol=1e-6)
    np.testing.assert_allclose(prior_log_var, log_vars, atol=1e-6)
    z = np.random.default_rng(5).normal(0, 1.5, (64, 3)).astype(np.float32)
    found = np.asarray(vamp_log_prob(z, prior_mean, prior_log_var))
    np.testing.assert_allclose(found, priors.vamp_log_density(z, means, log_vars), rtol=1e-5)


def test_the_sampling_layer_adds_log_q_minus_the_vamp_log_prior_at_its_draw():
    means, log_vars = mixture(seed=6, k=3, d=2)
    mean = np.array([[0.5, -1.0], [2.0, 0.0]], np.float32)
    log_var = np.array([[0.0, math.log(0.5)], [-1.0, 0.3]], np.float32)
    layer = VampSampling(seed=2)
    z = np.asarray(layer([mean, log_var, means.astype(np.float32), log_vars.astype(np.float32)]), np.float64)
    log_q = [multivariate_normal(m, np.diag(np.exp(lv))).logpdf(code) for m, lv, code in zip(mean, log_var, z)]
    expected = np.mean(log_q - priors.vamp_log_density(z, means, log_vars))
    assert float(layer.losses[0]) == pytest.approx(expected, rel=1e-5, abs=1e-5)
    assert VampSampling.from_config(layer.get_config()).seed == 2


def test_the_pseudo_inputs_are_seeded_images_near_005_and_are_kept_with_the_training_state(tmp_path):
    model, _, _ = build("vamp_vae", latent_size=3, seed=4, hidden_units=8, beta=1.0, components=50)
    images = pseudo_images(model)
    assert images.shape == (50, 28, 28, 1) and images.dtype == np.float32
    assert images.mean() == pytest.approx(0.05, abs=0.001) and images.std() == pytest.approx(0.01, abs=0.001)
    assert np.array_equal(images, pseudo_images(build("vamp_vae", latent_size=3, seed=4, hidden_units=8, beta=1.0,
                                                      components=50)[0]))
    assert pseudo_images(build("dense_vae", latent_size=3, hidden_units=8, beta=1.0)[0]) is None
    layer = next(layer for layer in model.layers if isinstance(layer, PseudoInputs))
    assert any(v is layer.pseudo_inputs for v in model.trainable_variables)
    model.compile(optimizer="adam")
    batch = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    model.train_on_batch(batch, batch)
    trained = pseudo_images(model)
    assert not np.array_equal(trained, images)  # a weight of the model: the step moved it
    checkpoints.save(tmp_path / "state.npz", 1, model, {"loss": [1.0]})
    fresh, _, _ = build("vamp_vae", latent_size=3, seed=9, hidden_units=8, beta=1.0, components=50)
    fresh.compile(optimizer="adam")
    fresh.optimizer.build(fresh.trainable_variables)
    assert checkpoints.restore(tmp_path / "state.npz", fresh) == (1, {"loss": [1.0]})
    np.testing.assert_array_equal(pseudo_images(fresh), trained)  # a resumed training goes on from them


def test_the_pseudo_inputs_file_round_trips_with_stable_bytes(tmp_path):
    images = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        save_pseudo_inputs(images, tmp_path / folder)
    saved = tmp_path / "a/pseudo_inputs.npy"
    assert saved.read_bytes() == (tmp_path / "b/pseudo_inputs.npy").read_bytes()
    loaded = load_pseudo_inputs(tmp_path / "a")
    assert loaded.dtype == np.float32 and np.array_equal(loaded, images)
    save_pseudo_inputs(None, tmp_path)  # another model: nothing written, nothing read
    assert load_pseudo_inputs(tmp_path) is None


@pytest.mark.parametrize("name", ["vamp_vae", "wide_vae"])
def test_a_tiny_model_trains_an_epoch_and_its_files_load(tmp_path, name):
    architecture, section = TINY_SECTIONS[name]
    metrics = train_tiny(tiny_dataset(), name, architecture, section, tmp_path)
    assert metrics["epochs"] == 1 and 0 < metrics["val_loss"] < 784 * 0.8
    assert metrics["loss"] == pytest.approx(metrics["reconst_loss"] + metrics["diverg_loss"], rel=1e-5)
    folder = tmp_path / "model"
    encoder, decoder = load_model(folder / "encoder.keras"), load_model(folder / "decoder.keras")
    images = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    mean, log_var = encode(encoder, images)
    assert is_variational(encoder) and mean.shape == log_var.shape == (5, 4)
    assert predict(decoder, mean).shape == (5, 28, 28, 1)
    pseudo = load_pseudo_inputs(folder)
    if architecture == "vamp_vae":
        assert pseudo.shape == (5, 28, 28, 1) and pseudo.dtype == np.float32 and 0 <= pseudo.min() <= pseudo.max() <= 1
        assert [a.shape for a in encode(encoder, pseudo)] == [(5, 4), (5, 4)]  # the codes stage's prior_mean, log_var
    else:
        assert pseudo is None and [layer.units for layer in decoder.layers if hasattr(layer, "units")] == [48, 48, 784]


def test_the_decoder_grows_by_its_layers_and_one_layer_is_the_originals():
    for units, layers, expected in [(300, 1, 10 * 300 + 300 + 300 * 784 + 784),
                                    (64, 3, 10 * 64 + 64 + 2 * (64 * 64 + 64) + 64 * 784 + 784)]:
        assert dense_decoder(units, 10, layers=layers).count_params() == expected
    kinds = [type(layer).__name__ for layer in dense_decoder(300, 10).layers]
    assert kinds == ["InputLayer", "Dense", "LeakyReLU", "Dense", "Reshape"]


def test_the_dense_conv_vae_builds_and_takes_a_training_step():
    model, encoder, decoder = build("dense_conv_vae", latent_size=4, seed=2, hidden_units=16, beta=1.0)
    assert decoder.count_params() == build("conv_vae", latent_size=4, beta=1.0)[2].count_params()
    assert encoder.count_params() == build("dense_vae", latent_size=4, hidden_units=16, beta=1.0)[1].count_params()
    model.compile(optimizer="adam")
    images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    logs = model.train_on_batch(images, images, return_dict=True)
    assert math.isfinite(logs["loss"]) and logs["diverg_loss"] > 0
