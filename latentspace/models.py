"""The study's auto-encoders, in the Keras functional API: one builder per architecture.

Images are (B, 28, 28, 1) floats in [0, 1]; codes are (B, latent_size). A variational encoder
outputs ``[z_mean, z_log_var]``; the AE encoder outputs the code itself. With the default sizes
(300 hidden units, 10 latent dimensions) the parameter counts equal the original's:
AE encoder 238,510; dense decoder 239,284; VAE encoder 241,520; conv encoder 584,308;
conv decoder 339,649.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .losses import kl_divergence
from .runtime import predict

IMAGE_SHAPE = (28, 28, 1)


def _code_heads(image, features, latent_size: int, variational: bool, name: str) -> keras.Model:
    if variational:
        outputs = [layers.Dense(latent_size, name="z_mean")(features),
                   layers.Dense(latent_size, name="z_log_var")(features)]
    else:
        outputs = layers.Dense(latent_size, name="z")(features)
    return keras.Model(image, outputs, name=name)


def dense_encoder(hidden_units: int, latent_size: int, variational: bool) -> keras.Model:
    """Flatten → Dense(hidden, LeakyReLU) → Dense(latent) (two heads, mean and log-variance, for a VAE)."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Flatten()(image)
    h = layers.LeakyReLU()(layers.Dense(hidden_units)(h))
    return _code_heads(image, h, latent_size, variational, name="encoder")


def dense_decoder(hidden_units: int, latent_size: int) -> keras.Model:
    """Dense(hidden, LeakyReLU) → Dense(784, sigmoid) → Reshape(28, 28, 1)."""
    z = keras.Input((latent_size,), name="z")
    h = layers.LeakyReLU()(layers.Dense(hidden_units)(z))
    h = layers.Dense(784, activation="sigmoid", dtype="float32")(h)  # float32 output under mixed precision
    return keras.Model(z, layers.Reshape(IMAGE_SHAPE, dtype="float32")(h), name="decoder")


def conv_encoder(latent_size: int) -> keras.Model:
    """Conv 32@5 → 32@5 s2 → 64@5 → 64@5 s2 → 128@7 valid (LeakyReLU) → Flatten → mean, log-variance."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    h = image
    for filters, kernel, strides, padding in [(32, 5, 1, "same"), (32, 5, 2, "same"), (64, 5, 1, "same"),
                                              (64, 5, 2, "same"), (128, 7, 1, "valid")]:
        h = layers.LeakyReLU()(layers.Conv2D(filters, kernel, strides=strides, padding=padding)(h))
    return _code_heads(image, layers.Flatten()(h), latent_size, variational=True, name="encoder")


def conv_decoder(latent_size: int) -> keras.Model:
    """Reshape(1, 1, latent) → ConvT 64@7 valid → 64@5 → 64@5 s2 → 32@5 → 32@5 s2 → 32@5 → Conv 1@5 sigmoid."""
    z = keras.Input((latent_size,), name="z")
    h = layers.Reshape((1, 1, latent_size))(z)
    h = layers.LeakyReLU()(layers.Conv2DTranspose(64, 7, padding="valid")(h))
    for filters, strides in [(64, 1), (64, 2), (32, 1), (32, 2), (32, 1)]:
        h = layers.LeakyReLU()(layers.Conv2DTranspose(filters, 5, strides=strides, padding="same")(h))
    image = layers.Conv2D(1, 5, padding="same", activation="sigmoid", dtype="float32")(h)
    return keras.Model(z, image, name="decoder")


@keras.saving.register_keras_serializable(package="latentspace")
class Sampling(layers.Layer):
    """The reparameterisation trick: z = mean + exp(½·log_var)·ε, ε ~ N(0, I).

    Adds ``beta × KL(q(z|x) ‖ N(0, I))`` (nats per image, batch mean) to the model's loss.
    """

    def __init__(self, beta: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.beta = beta
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = (ops.cast(t, self.compute_dtype) for t in inputs)  # float32 under mixed precision
        self.add_loss(self.beta * kl_divergence(mean, log_var))
        epsilon = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed}


CLASSES = 10  # digits, for the class VAE's classifier head


def _autoencoder(name: str, encoder: keras.Model, decoder: keras.Model, beta: float | None, seed: int,
                 classify: bool = False):
    """image → encoder → (Sampling with β·KL, for a VAE) → decoder → reconstruction.

    With ``classify`` the model has two outputs, ``{"reconstruction", "label"}``: the second is a
    softmax classifier's logits (B, 10) on the mean code, whose cross-entropy training weights by γ.
    The head is built after every other layer, so it draws no random numbers the VAE would draw.
    """
    image = keras.Input(IMAGE_SHAPE, name="image")
    codes = encoder(image)
    z = Sampling(beta, seed, name="sampling", dtype="float32")(codes) if beta is not None else codes
    reconstruction = decoder(z)
    if not classify:
        return keras.Model(image, reconstruction, name=name)
    logits = layers.Dense(CLASSES, name="classifier", dtype="float32")(codes[0])
    return keras.Model(image, {"reconstruction": reconstruction, "label": logits}, name=name)


def dense_ae(*, name: str, latent_size: int, seed: int, hidden_units: int):
    """The original's AE: dense encoder and decoder of ``hidden_units``, a deterministic code."""
    encoder = dense_encoder(hidden_units, latent_size, variational=False)
    decoder = dense_decoder(hidden_units, latent_size)
    return _autoencoder(name, encoder, decoder, None, seed), encoder, decoder


def dense_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float):
    """The original's VAE: the AE's layers, mean and log-variance heads, loss BCE + β·KL."""
    encoder = dense_encoder(hidden_units, latent_size, variational=True)
    decoder = dense_decoder(hidden_units, latent_size)
    return _autoencoder(name, encoder, decoder, beta, seed), encoder, decoder


def class_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float, gamma: float):
    """The open hypothesis (b): the VAE plus a softmax classifier on the mean code, so that the loss
    BCE + β·KL + γ·cross-entropy pushes the classes apart. γ = 0 trains exactly the VAE."""
    del gamma  # a weight of the loss, applied by training (latentspace.training)
    encoder = dense_encoder(hidden_units, latent_size, variational=True)
    decoder = dense_decoder(hidden_units, latent_size)
    return _autoencoder(name, encoder, decoder, beta, seed, classify=True), encoder, decoder


def conv_vae(*, name: str, latent_size: int, seed: int, beta: float):
    """The original's convolutional VAE (layers fixed by the paper), loss BCE + β·KL."""
    encoder, decoder = conv_encoder(latent_size), conv_decoder(latent_size)
    return _autoencoder(name, encoder, decoder, beta, seed), encoder, decoder


# One builder per architecture of ``params.ARCHITECTURES``, called with the model's ``name`` (its
# section in params.yaml), ``latent_size``, ``seed`` and the section's keys; each returns
# (trainable model, encoder, decoder).
BUILDERS = {"dense_ae": dense_ae, "dense_vae": dense_vae, "conv_vae": conv_vae, "class_vae": class_vae}


def build(architecture: str, *, name: str | None = None, latent_size: int, seed: int = 0, **section):
    """The trainable model (image → reconstruction), its encoder and its decoder.

    ``name`` (default: the architecture's) names the Keras model; TensorFlow derives random
    streams from it, so the same name and seed give the same training.
    """
    return BUILDERS[architecture](name=name or architecture, latent_size=latent_size, seed=seed, **section)


def is_supervised(model: keras.Model) -> bool:
    """Whether a trainable model also predicts the digit (``{"reconstruction", "label"}`` outputs)."""
    return isinstance(model.output, dict) and "label" in model.output


def is_variational(encoder: keras.Model) -> bool:
    """Whether ``encoder`` outputs ``[z_mean, z_log_var]`` rather than the code itself."""
    return len(encoder.outputs) == 2


def encode(encoder: keras.Model, images):
    """Codes (N, latent) of images (N, 28, 28, 1) and their log-variances: the AE's code and None,
    or a VAE encoder's mean and log-variance."""
    codes = predict(encoder, images)
    return tuple(codes) if isinstance(codes, list) else (codes, None)
