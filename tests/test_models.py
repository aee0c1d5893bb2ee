"""The architectures and the loss terms, checked against the paper's numbers and by hand."""

import inspect
import math

import numpy as np
import pytest

from latentspace.models.losses import kl_divergence, reconst_loss
from latentspace.models.architectures import BUILDERS, Sampling, build, is_supervised, is_variational
from latentspace.models.runtime import encode
from latentspace.models.runtime import load_model, predict
from latentspace.core.params import ARCHITECTURES

from helpers import TINY_SECTIONS, tiny_dataset, train_tiny


@pytest.mark.parametrize("architecture, section, encoder_params, decoder_params", [
    ("dense_ae", {"hidden_units": 300}, 238_510, 239_284),
    ("dense_vae", {"hidden_units": 300, "beta": 1.0}, 241_520, 239_284),
    ("conv_vae", {"beta": 1.0}, 584_308, 339_649),
    ("class_vae", {"hidden_units": 300, "beta": 1.0, "gamma": 1.0}, 241_520, 239_284),  # the VAE's, + a head
])
def test_parameter_counts_equal_the_originals(architecture, section, encoder_params, decoder_params):
    model, encoder, decoder = build(architecture, latent_size=10, **section)
    assert (encoder.count_params(), decoder.count_params()) == (encoder_params, decoder_params)
    if is_supervised(model):
        assert {name: tuple(t.shape) for name, t in model.output.items()} == {"reconstruction": (None, 28, 28, 1),
                                                                           "label": (None, 10)}
        assert model.count_params() == encoder_params + decoder_params + 10 * 10 + 10  # the classifier head
    else:
        assert model.output_shape == (None, 28, 28, 1)
    assert decoder.input_shape == (None, 10)
    assert is_variational(encoder) == ("beta" in section)


def test_every_architecture_of_the_schema_has_a_builder_taking_exactly_its_keys():
    assert set(BUILDERS) == set(ARCHITECTURES)
    for name, builder in BUILDERS.items():
        keywords = set(inspect.signature(builder).parameters)
        assert keywords == {"name", "latent_size", "seed", *ARCHITECTURES[name]}, name


def test_reconstruction_loss_sums_bce_over_pixels_per_image():
    y_true = np.zeros((2, 28, 28, 1), np.float32)
    y_true[1, :14] = 1.0  # the top half of the second image is ink
    y_pred = np.full((2, 28, 28, 1), 0.5, np.float32)
    y_pred[1, :14] = 0.9
    y_pred[1, 14:] = 0.2
    got = np.asarray(reconst_loss(y_true, y_pred))
    # image 0: 784 pixels at p = 0.5 → 784·ln 2; image 1: 392·(−ln 0.9) + 392·(−ln 0.8)
    expected = [784 * math.log(2), 392 * -math.log(0.9) + 392 * -math.log(0.8)]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_kl_divergence_is_the_batch_mean_of_the_closed_form():
    mean = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)
    log_var = np.array([[0.0, 0.0], [0.0, math.log(2.0)]], np.float32)
    # image 0 is the prior itself (0); image 1: −½[(1 + 0 − 1 − 1) + (1 + ln 2 − 4 − 2)] = ½(6 − ln 2)
    expected = (0.0 + 0.5 * (6 - math.log(2))) / 2
    assert float(kl_divergence(mean, log_var)) == pytest.approx(expected, rel=1e-6)


def test_sampling_adds_the_kl_and_samples_around_the_mean():
    mean = np.array([[1.0, 2.0]], np.float32)
    log_var = np.array([[0.0, math.log(2.0)]], np.float32)
    layer = Sampling(seed=1)
    z = np.asarray(layer([mean, log_var]))
    assert z.shape == (1, 2)
    assert float(layer.losses[0]) == pytest.approx(0.5 * (6 - math.log(2)), rel=1e-6)  # the model weighs it by β
    zero = np.asarray(Sampling(seed=1)([mean, np.full_like(log_var, -40.0)]))
    np.testing.assert_allclose(zero, mean, atol=1e-6)  # σ → 0: z is the mean


@pytest.mark.parametrize("architecture, section", [("dense_vae", {"hidden_units": 32}), ("conv_vae", {})])
def test_a_vae_loss_is_reconstruction_plus_beta_kl_and_the_model_logs_each_term(architecture, section):
    beta = 2.5
    model, encoder, decoder = build(architecture, latent_size=4, beta=beta, seed=3, **section)
    model.compile(optimizer="adam")  # the loss is the model's own
    images = np.random.default_rng(0).random((8, 28, 28, 1)).astype(np.float32)
    result = model.evaluate(images, images, batch_size=8, verbose=0, return_dict=True)
    mean, log_var = encoder.predict(images, verbose=0)
    kl = float(kl_divergence(mean, log_var))
    assert result["diverg_loss"] == pytest.approx(beta * kl, rel=1e-4) and kl > 0
    assert result["loss"] == pytest.approx(result["reconst_loss"] + result["diverg_loss"], rel=1e-6)
    assert result["reconst_loss"] > 100  # BCE summed over 784 pixels of noise images


def test_encode_returns_the_mean_and_log_variance_of_a_vae_and_decode_returns_images():
    _, encoder, decoder = build("dense_vae", hidden_units=16, latent_size=3, beta=1.0)
    images = np.zeros((5, 28, 28, 1), np.float32)
    codes, log_var = encode(encoder, images)
    np.testing.assert_allclose(codes, encoder.predict(images, verbose=0)[0])
    np.testing.assert_allclose(log_var, encoder.predict(images, verbose=0)[1])
    assert encode(build("dense_ae", hidden_units=16, latent_size=3)[1], images)[1] is None
    decoded = predict(decoder, codes)
    assert decoded.shape == (5, 28, 28, 1) and decoded.min() >= 0 and decoded.max() <= 1


def _train(tmp_path, name, architecture, section, arrays, epochs=2):
    folder = tmp_path / f"{architecture}-{section.get('gamma')}"
    metrics = train_tiny(arrays, name, architecture, section, folder, epochs=epochs, seed=5)

    metrics["curves"] = (folder / "curves.csv").read_text().splitlines()
    return metrics, load_model(folder / "model/encoder.keras").get_weights()


def test_the_class_vae_with_gamma_0_trains_exactly_the_vae_and_with_gamma_above_0_learns_the_classes(tmp_path):
    arrays = tiny_dataset()
    vae, vae_encoder = _train(tmp_path, "vae", *TINY_SECTIONS["vae"], arrays)
    same, same_encoder = _train(tmp_path, "vae", "class_vae", {"hidden_units": 32, "beta": 1.0, "gamma": 0.0}, arrays)
    assert same["class_loss"] == same["val_class_loss"] == 0.0
    assert {k: same[k] for k in vae if k != "curves"} == {k: v for k, v in vae.items() if k != "curves"}  # to the bit
    for same_weights, vae_weights in zip(same_encoder, vae_encoder, strict=True):  # (layer names differ in one process)
        np.testing.assert_array_equal(same_weights, vae_weights)
    pushed, pushed_encoder = _train(tmp_path, "vae", "class_vae", {"hidden_units": 32, "beta": 1.0, "gamma": 100.0},
                                    arrays, epochs=6)
    assert not np.array_equal(pushed_encoder[0], vae_encoder[0]) and pushed["class_loss"] > 0
    assert pushed["val_loss"] == pytest.approx(pushed["val_reconst_loss"] + pushed["val_diverg_loss"]
                                               + pushed["val_class_loss"], rel=1e-6)
    header, *rows = pushed["curves"]
    class_losses = [float(row.split(",")[header.split(",").index("class_loss")]) for row in rows]
    assert class_losses[-1] < class_losses[0]  # the head learns the training digits from the mean codes


def test_mixed_bfloat16_computes_the_layers_in_bfloat16_and_every_loss_in_float32(tmp_path):
    arrays = tiny_dataset()
    found = {}
    for precision in ("float32", "mixed_bfloat16"):
        found[precision] = train_tiny(arrays, "vae", *TINY_SECTIONS["vae"], tmp_path / precision, epochs=2, seed=5,
                                      precision=precision)
    decoder = load_model(tmp_path / "mixed_bfloat16/model/decoder.keras")
    hidden, last = decoder.layers[1], decoder.layers[-2]  # Dense(hidden), Dense(784, sigmoid)
    assert (hidden.dtype_policy.name, hidden.compute_dtype, hidden.variable_dtype) == (
        "mixed_bfloat16", "bfloat16", "float32")
    assert last.compute_dtype == "float32" and decoder.output.dtype == "float32"
    assert load_model(tmp_path / "float32/model/decoder.keras").layers[1].compute_dtype == "float32"
    for key in ("loss", "val_loss", "val_diverg_loss"):  # bfloat16 keeps 8 bits of mantissa: close, not equal
        assert found["mixed_bfloat16"][key] == pytest.approx(found["float32"][key], rel=0.02), key
    assert found["mixed_bfloat16"]["val_loss"] != found["float32"]["val_loss"]
    import keras

    assert keras.config.dtype_policy().name == "float32"  # the global policy is put back
