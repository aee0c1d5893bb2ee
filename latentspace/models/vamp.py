"""The VampPrior (Tomczak & Welling 2018, "VAE with a VampPrior"): a VAE's prior is the mixture of its own
encoder's posteriors at K trainable pseudo-inputs u_k,

    p_λ(z) = (1/K) Σ_k q(z | u_k) = (1/K) Σ_k N(z; m_k, diag exp λ_k),

learnt with the rest of the model. Two Keras layers: :class:`PseudoInputs` holds the u_k (the images the
encoder maps to (m_k, λ_k) each step) and :class:`VampSampling` draws z from the posterior and adds the KL
term against p_λ. The builder is ``vamp_vae`` (latentspace/models/architectures.py); the same prior in
NumPy, for the measures, is latentspace/models/priors.py. Codes (B, D), nats.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

LOG_2PI = math.log(2.0 * math.pi)


def vamp_log_prob(z, mean, log_var):
    """log p_λ(z) (M,) of codes ``z`` (M, D) under the mixture of ``mean``, ``log_var`` (K, D), in ``keras.ops``:
    logsumexp_k[−½ Σ_d (log 2π + λ_kd + (z_d − m_kd)² e^{−λ_kd})] − log K, the square expanded into two
    matrix products, Σ_d z_d² e^{−λ_kd} − 2 Σ_d z_d m_kd e^{−λ_kd} + Σ_d m_kd² e^{−λ_kd}, so that no (M, K, D)
    tensor is formed."""
    precision = ops.exp(-log_var)  # (K, D)
    quadratic = (ops.matmul(ops.square(z), ops.transpose(precision))
                 - 2.0 * ops.matmul(z, ops.transpose(mean * precision))
                 + ops.sum(ops.square(mean) * precision, axis=1))  # (M, K)
    dimensions, components = ops.shape(z)[1], ops.shape(mean)[0]
    log_normal = -0.5 * (ops.cast(dimensions, z.dtype) * LOG_2PI + ops.sum(log_var, axis=1) + quadratic)
    return ops.logsumexp(log_normal, axis=1) - ops.log(ops.cast(components, z.dtype))


@keras.saving.register_keras_serializable(package="latentspace")
class PseudoInputs(layers.Layer):
    """K trainable pseudo-inputs: a weight u (K, pixels) initialised N(0.05, 0.01²) (seeded, Tomczak's MNIST
    values), shown to the encoder as images clip(u, 0, 1) (hardtanh(0, 1)) of ``image_shape`` → (K, *image_shape).

    Called on the batch of images only to sit in the functional graph: its output does not depend on them."""

    def __init__(self, components: int, image_shape=(28, 28, 1), seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.components, self.image_shape, self.seed = int(components), tuple(image_shape), seed
        self.pseudo_inputs = self.add_weight(
            shape=(self.components, math.prod(self.image_shape)), name="pseudo_inputs",
            initializer=keras.initializers.RandomNormal(mean=0.05, stddev=0.01, seed=seed))

    def call(self, inputs):
        return ops.reshape(ops.clip(self.pseudo_inputs, 0.0, 1.0), (self.components, *self.image_shape))

    def compute_output_shape(self, input_shape):
        return (self.components, *self.image_shape)

    def get_config(self):
        return {**super().get_config(), "components": self.components, "image_shape": list(self.image_shape),
                "seed": self.seed}


@keras.saving.register_keras_serializable(package="latentspace")
class VampSampling(layers.Layer):
    """The reparameterisation trick under a VampPrior: inputs ``[mean, log_var, prior_mean, prior_log_var]``
    (B, D) and (K, D); returns z = mean + exp(½·log_var)·ε, ε ~ N(0, I) (B, D).

    Adds the KL term as Tomczak & Welling (and pythae) estimate it, by Monte Carlo at the sampled z:
    log q(z|x) − log p_λ(z), nats per image, batch mean, which the model weighs by β
    (latentspace.models.architectures.AutoEncoder). Its ``diverg_loss`` curve is therefore this one-draw
    estimate (it can dip below 0 on a batch), not the closed form the N(0, I) prior's :class:`Sampling` adds.
    Computed in the layer's dtype (float32 under mixed precision, as ``Sampling``)."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var, prior_mean, prior_log_var = (ops.cast(t, self.compute_dtype) for t in inputs)
        epsilon = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        z = mean + ops.exp(0.5 * log_var) * epsilon
        log_posterior = -0.5 * ops.sum(LOG_2PI + log_var + ops.square(epsilon), axis=1)  # (z − mean)²/σ² = ε²
        self.add_loss(ops.mean(log_posterior - vamp_log_prob(z, prior_mean, prior_log_var)))
        return z

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def pseudo_images(model: keras.Model) -> np.ndarray | None:
    """A trained model's pseudo-inputs as the encoder sees them, (K, 28, 28, 1) float32 in [0, 1]; None for a
    model without a VampPrior."""
    found = [layer for layer in model.layers if isinstance(layer, PseudoInputs)]
    if not found:
        return None
    images = np.clip(keras.ops.convert_to_numpy(found[0].pseudo_inputs), 0.0, 1.0)
    return images.reshape(found[0].components, *found[0].image_shape).astype(np.float32)
