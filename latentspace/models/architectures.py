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

from latentspace.core.schema import ARCHITECTURES
from latentspace.models.loss_terms import TERMS
from latentspace.models.losses import Reconstruction, kl_divergence
from latentspace.models.vamp import PseudoInputs, VampSampling

IMAGE_SHAPE = (28, 28, 1)


def _unscaled(value):
    """A loss term as Keras logs its compiled losses: under ``tf.distribute`` each replica's loss is divided by
    the replicas in sync, so it is multiplied back; otherwise (one device, JAX, PyTorch) ``value`` itself."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas > 1:
            return ops.multiply(value, ops.cast(replicas, value.dtype))
    return value


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


def dense_decoder(hidden_units: int, latent_size: int, layers: int = 1) -> keras.Model:
    """``layers`` × Dense(hidden, LeakyReLU) → Dense(784, sigmoid) → Reshape(28, 28, 1) (the original's: one)."""
    z = keras.Input((latent_size,), name="z")
    h = z
    for _ in range(layers):
        h = keras.layers.LeakyReLU()(keras.layers.Dense(hidden_units)(h))
    h = keras.layers.Dense(784, activation="sigmoid", dtype="float32")(h)  # float32 output under mixed precision
    return keras.Model(z, keras.layers.Reshape(IMAGE_SHAPE, dtype="float32")(h), name="decoder")


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

    Adds ``KL(q(z|x) ‖ N(0, I))`` (nats per image, batch mean) to the layer's losses; the model
    weighs it by β (:class:`AutoEncoder`).
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = (ops.cast(t, self.compute_dtype) for t in inputs)  # float32 under mixed precision
        self.add_loss(kl_divergence(mean, log_var))
        epsilon = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


RECONSTRUCTION, DIVERGENCE, CLASSIFICATION = TERMS  # latentspace/models/loss_terms.py: names, labels, weight keys


class AutoEncoder(keras.Model):
    """An auto-encoder whose loss (nats per image) is the sum of its terms, each weighted by its key of
    ``weights`` (its params section's ``beta``, ``gamma``; :mod:`latentspace.models.loss_terms`):

        reconstruction (BCE summed over pixels) + β·KL(q(z|x) ‖ N(0, I)) + γ·cross-entropy(classifier head)

    each term a VAE or the class VAE has. With more than one term, each is logged under its name
    (training and validation), so the curves show them as they enter the loss. The sum is formed in
    the order Keras forms a compiled loss plus layer losses, so training is the same to the bit.
    """

    def __init__(self, *args, weights: dict[str, float], **kwargs):
        super().__init__(*args, **kwargs)
        self.term_weights = dict(weights)
        self._reconstruction = Reconstruction(RECONSTRUCTION.name)
        self._classification = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        names = [RECONSTRUCTION.name]
        if DIVERGENCE.weight in self.term_weights:
            names.append(DIVERGENCE.name)
        if CLASSIFICATION.weight in self.term_weights:
            names.append(CLASSIFICATION.name)
        trackers = [keras.metrics.Mean(name=name) for name in names] if len(names) > 1 else []
        if CLASSIFICATION.weight in self.term_weights:  # the classifier head's accuracy
            trackers.append(keras.metrics.SparseCategoricalAccuracy(name="class_accuracy"))
        self._trackers = {tracker.name: tracker for tracker in trackers}

    @property
    def metrics(self):
        known = super().metrics
        return known + [tracker for tracker in self._trackers.values() if all(tracker is not m for m in known)]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        supervised = isinstance(y_pred, dict)
        target, output = (y["reconstruction"], y_pred["reconstruction"]) if supervised else (y, y_pred)
        terms = {RECONSTRUCTION.name: ops.cast(self._reconstruction(target, output), "float32")}
        if supervised:
            cross_entropy = ops.cast(self._classification(y["label"], y_pred["label"]), "float32")
            terms[CLASSIFICATION.name] = ops.multiply(cross_entropy, self.term_weights[CLASSIFICATION.weight])
            self._trackers["class_accuracy"].update_state(y["label"], y_pred["label"])
        losses = [sum(terms.values())]  # as Keras sums a compiled loss's outputs
        if self.losses:  # the KL the Sampling layer added (scaled for distribution as Keras does), weighted here
            added = ops.sum([self._aggregate_additional_loss(loss) for loss in self.losses])
            terms[DIVERGENCE.name] = ops.multiply(added, self.term_weights[DIVERGENCE.weight])
            losses.append(terms[DIVERGENCE.name])
        batch = ops.shape(output)[0]
        for name, value in terms.items():  # unscaled, as Keras logs its compiled losses
            if name in self._trackers:
                self._trackers[name].update_state(_unscaled(value), sample_weight=batch)
        return losses[0] if len(losses) == 1 else ops.sum(losses)


CLASSES = 10  # digits, for the class VAE's classifier head


def _autoencoder(name: str, encoder: keras.Model, decoder: keras.Model, seed: int, **weights: float):
    """image → encoder → (Sampling, for a VAE: ``beta`` given) → decoder → reconstruction, an
    :class:`AutoEncoder` whose loss terms take ``weights``.

    With ``gamma`` the model has two outputs, ``{"reconstruction", "label"}``: the second is a
    softmax classifier's logits (B, 10) on the mean code, whose cross-entropy the loss weighs by γ.
    The head is built after every other layer, so it draws no random numbers the VAE would draw.
    """
    image = keras.Input(IMAGE_SHAPE, name="image")
    codes = encoder(image)
    z = Sampling(seed, name="sampling", dtype="float32")(codes) if DIVERGENCE.weight in weights else codes
    reconstruction = decoder(z)
    if CLASSIFICATION.weight not in weights:
        return AutoEncoder(image, reconstruction, name=name, weights=weights)
    logits = layers.Dense(CLASSES, name="classifier", dtype="float32")(codes[0])
    return AutoEncoder(image, {"reconstruction": reconstruction, "label": logits}, name=name, weights=weights)


def dense_ae(*, name: str, latent_size: int, seed: int, hidden_units: int):
    """The original's AE: dense encoder and decoder of ``hidden_units``, a deterministic code."""
    encoder = dense_encoder(hidden_units, latent_size, variational=False)
    decoder = dense_decoder(hidden_units, latent_size)
    return _autoencoder(name, encoder, decoder, seed), encoder, decoder


def dense_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float):
    """The original's VAE: the AE's layers, mean and log-variance heads, loss BCE + β·KL."""
    encoder = dense_encoder(hidden_units, latent_size, variational=True)
    decoder = dense_decoder(hidden_units, latent_size)
    return _autoencoder(name, encoder, decoder, seed, beta=beta), encoder, decoder


def class_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float, gamma: float):
    """The open hypothesis (b): the VAE plus a softmax classifier on the mean code, so that the loss
    BCE + β·KL + γ·cross-entropy pushes the classes apart. γ = 0 trains exactly the VAE."""
    encoder = dense_encoder(hidden_units, latent_size, variational=True)
    decoder = dense_decoder(hidden_units, latent_size)
    return _autoencoder(name, encoder, decoder, seed, beta=beta, gamma=gamma), encoder, decoder


def conv_vae(*, name: str, latent_size: int, seed: int, beta: float):
    """The original's convolutional VAE (layers fixed by the paper), loss BCE + β·KL."""
    encoder, decoder = conv_encoder(latent_size), conv_decoder(latent_size)
    return _autoencoder(name, encoder, decoder, seed, beta=beta), encoder, decoder


def wide_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float, decoder_units: int,
             decoder_layers: int):
    """The original's 3.2.2 hypothesis, "the decoder used here is not powerful enough": the VAE's encoder with a
    dense decoder of ``decoder_layers`` hidden layers of ``decoder_units`` each; loss BCE + β·KL."""
    encoder = dense_encoder(hidden_units, latent_size, variational=True)
    decoder = dense_decoder(decoder_units, latent_size, layers=decoder_layers)
    return _autoencoder(name, encoder, decoder, seed, beta=beta), encoder, decoder


def dense_conv_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float):
    """The dense VAE's encoder with the conv VAE's decoder (with ``conv_vae`` and ``dense_vae``, and a conv encoder
    before a dense decoder, the 2 × 2 of encoders and decoders); loss BCE + β·KL."""
    encoder, decoder = dense_encoder(hidden_units, latent_size, variational=True), conv_decoder(latent_size)
    return _autoencoder(name, encoder, decoder, seed, beta=beta), encoder, decoder


def vamp_vae(*, name: str, latent_size: int, seed: int, hidden_units: int, beta: float, components: int):
    """The dense VAE under a VampPrior (Tomczak & Welling 2018; latentspace/models/vamp.py): the prior is the
    mixture of the encoder's posteriors at ``components`` trainable pseudo-inputs, which pass through the same
    encoder as the batch each step; loss BCE + β·(log q(z|x) − log p_λ(z)) at the sampled z."""
    encoder = dense_encoder(hidden_units, latent_size, variational=True)
    decoder = dense_decoder(hidden_units, latent_size)
    image = keras.Input(IMAGE_SHAPE, name="image")
    pseudo = PseudoInputs(components, IMAGE_SHAPE, seed=seed, name="pseudo_inputs", dtype="float32")(image)
    z = VampSampling(seed, name="sampling", dtype="float32")([*encoder(image), *encoder(pseudo)])
    return AutoEncoder(image, decoder(z), name=name, weights={DIVERGENCE.weight: beta}), encoder, decoder


# The builder of each architecture ``schema.ARCHITECTURES`` declares (with its keys' rules, read before
# Keras loads) is the function of this module named after it, called with the model's ``name`` (its
# section in params.yaml), ``latent_size``, ``seed`` and the section's keys; each returns
# (trainable model, encoder, decoder). A declared architecture without its function fails here, at import.
BUILDERS = {architecture: globals()[architecture] for architecture in ARCHITECTURES}


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
