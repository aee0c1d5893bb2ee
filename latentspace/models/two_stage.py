"""The second-stage VAE of Dai & Wipf 2019 ("Diagnosing and enhancing VAE models", github daib13/TwoStageVAE,
``two_stage_vae_model.py``; pythae's ``TwoStageVAESampler``) on a model's codes, in ``keras.ops`` (any backend).

The codes z (N, D), standardised by the training codes' mean and sd, are encoded to u of D dimensions:
``generation.two_stage_depth`` × Dense(two_stage_units, ReLU) → h, then concat([z, h]) → μ_u, log σ²_u; the decoder
is the same on u (concat([u, h]) → ẑ), with a learned scalar log γ_z (starting at 0). Each code's loss, nats:

    ½‖(z − ẑ)/γ_z‖² + D·log γ_z + (D/2)·log 2π + KL(N(μ_u, σ²_u) ‖ N(0, I)),    u = μ_u + σ_u·ε

(the negative ELBO). Draws: u ~ N(0, I), z = ẑ(u) + γ_z·ε, NumPy's noise (``default_rng(seed)``). log p(z) is the
IWAE bound (Burda et al. 2016) with ``generation.bound_samples`` importance samples, NumPy's noise seeded by the
fit's seed: a lower bound (the sampler's ``bound``). :func:`fit` is the entry point (samplers.TwoStage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras
import numpy as np
from keras import layers, ops

from latentspace.models import density_fit

if TYPE_CHECKING:
    from latentspace.core.schema import Generation

HALF_LOG_TWO_PI = float(0.5 * np.log(2 * np.pi))
SCORE_STREAM, BOUND_STREAM = 0x25C0, 0x25B0  # the held-out ELBO's and the bound's noise: default_rng([seed, …])
ROWS = 65_536  # codes × importance samples a pass


class TwoStageVAE(density_fit.Loss):
    """The second-stage VAE on standardised codes (B, D); ``call`` gives each code's negative ELBO (B,) nats, its
    u drawn with Keras' seeded noise (training only: the held-out scores and the bound take NumPy's)."""

    def __init__(self, dimensions: int, units: int, depth: int, seed: int, **kwargs):
        super().__init__(**kwargs)
        self.dimensions = dimensions

        def hidden(part):
            return [layers.Dense(units, activation="relu", dtype="float32", name=f"{part}_{i}") for i in range(depth)]

        self.encoder_hidden, self.decoder_hidden = hidden("encoder"), hidden("decoder")
        self.mean = layers.Dense(dimensions, dtype="float32", name="u_mean")
        self.log_var = layers.Dense(dimensions, dtype="float32", name="u_log_var")
        self.reconstruction = layers.Dense(dimensions, dtype="float32", name="z_hat")
        self.log_gamma = self.add_weight(shape=(), initializer="zeros", name="log_gamma")
        self.noise = keras.random.SeedGenerator(seed)

    @staticmethod
    def _through(stack, x):
        h = x
        for dense in stack:
            h = dense(h)
        return ops.concatenate([x, h], axis=-1)

    def encode(self, z):
        """μ_u and log σ²_u (B, D) of codes (B, D)."""
        h = self._through(self.encoder_hidden, z)
        return self.mean(h), self.log_var(h)

    def decode(self, u):
        """ẑ (B, D) of u (B, D)."""
        return self.reconstruction(self._through(self.decoder_hidden, u))

    def negative_log_likelihood(self, z, z_hat):
        """−log N(z; ẑ, γ_z² I) (…,) nats of codes and reconstructions (…, D)."""
        return (0.5 * ops.sum(ops.square((z - z_hat) / ops.exp(self.log_gamma)), axis=-1)
                + self.dimensions * (self.log_gamma + HALF_LOG_TWO_PI))

    def negative_elbo(self, z, epsilon):
        """Each code's loss (B,) nats, codes (B, D) and u's standard-normal noise ε (B, D)."""
        mean, log_var = self.encode(z)
        u = mean + ops.exp(0.5 * log_var) * epsilon
        kl = 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - log_var - 1.0, axis=-1)
        return self.negative_log_likelihood(z, self.decode(u)) + kl

    def log_weights(self, z, epsilon):
        """log p(z | u) + log p(u) − log q(u | z) (B, K) nats of codes (B, D), u = μ_u + σ_u·ε for noise (B, K, D)."""
        mean, log_var = self.encode(z)
        u = ops.expand_dims(mean, 1) + ops.expand_dims(ops.exp(0.5 * log_var), 1) * epsilon  # (B, K, D)
        z_hat = ops.reshape(self.decode(ops.reshape(u, (-1, self.dimensions))), ops.shape(u))
        log_q = -0.5 * ops.sum(ops.square(epsilon) + ops.expand_dims(log_var, 1), axis=-1)  # the 2π terms cancel
        log_p = -0.5 * ops.sum(ops.square(u), axis=-1)  # … with log p(u)'s
        return log_p - log_q - self.negative_log_likelihood(ops.expand_dims(z, 1), z_hat)

    def call(self, z):
        return self.negative_elbo(z, keras.random.normal(ops.shape(z), seed=self.noise))


class TwoStageDensity:
    """A fitted second-stage VAE: the training codes' :class:`~latentspace.models.density_fit.Standardise`, the
    network, the importance samples of its bound and the seed of their noise."""

    def __init__(self, standardise: density_fit.Standardise, network: TwoStageVAE, samples: int, seed: int,
                 fitted=None):
        self.standardise, self.network, self.samples, self.seed, self.fitted = (
            standardise, network, samples, seed, fitted)

    def elbo(self, codes: np.ndarray) -> np.ndarray:
        """The ELBO (M,) float64 nats of codes (M, D), one u each (NumPy's noise, fixed): the held-out score."""
        standard = self.standardise(codes)
        noise = np.random.default_rng([self.seed, SCORE_STREAM]).standard_normal(standard.shape).astype(np.float32)

        def one(rows):
            return -ops.convert_to_numpy(self.network.negative_elbo(*map(ops.convert_to_tensor, np.split(rows, 2, 1))))

        return density_fit.in_chunks(one, np.concatenate([standard, noise], 1), ROWS).astype(np.float64) \
            + self.standardise.log_det

    def log_density(self, codes: np.ndarray) -> np.ndarray:
        """The IWAE bound on log p(z) (M,) float64 nats of codes (M, D), with ``samples`` importance samples each
        (the same codes give the same values)."""
        standard, k = self.standardise(codes), self.samples
        rng = np.random.default_rng([self.seed, BOUND_STREAM])
        rows = max(1, ROWS // k)

        def one(chunk):
            noise = rng.standard_normal((len(chunk), k, chunk.shape[1]), dtype=np.float32)  # drawn in the codes' order
            log_w = ops.convert_to_numpy(self.network.log_weights(ops.convert_to_tensor(chunk),
                                                                  ops.convert_to_tensor(noise))).astype(np.float64)
            top = log_w.max(axis=1)
            return top + np.log(np.mean(np.exp(log_w - top[:, None]), axis=1))

        return density_fit.in_chunks(one, standard, rows) + self.standardise.log_det

    def draw(self, n: int, seed: int) -> np.ndarray:
        """``n`` codes (n, D) float32: ẑ(u) + γ_z·ε, u and ε NumPy's N(0, I) (``default_rng(seed)``)."""
        rng, d = np.random.default_rng(seed), self.network.dimensions
        u, epsilon = rng.standard_normal((n, d), dtype=np.float32), rng.standard_normal((n, d))
        z_hat = density_fit.in_chunks(lambda c: ops.convert_to_numpy(self.network.decode(ops.convert_to_tensor(c))),
                                      u, ROWS)
        return self.standardise.undo(z_hat + self.gamma * epsilon)

    @property
    def gamma(self) -> float:
        """γ_z: the decoder's sd, in standardised units."""
        return float(ops.convert_to_numpy(ops.exp(self.network.log_gamma)))

    def summary(self) -> dict:
        return {**(self.fitted.summary() if self.fitted else {}), "parameters": int(self.network.count_params()),
                "gamma": self.gamma}


def _network(dimensions: int, seed: int, settings: "Generation") -> TwoStageVAE:
    network = TwoStageVAE(dimensions, settings.two_stage_units, settings.two_stage_depth, seed, name="two_stage")
    network(ops.zeros((1, dimensions), dtype="float32"))  # builds every weight
    return network


def fit(codes: np.ndarray, seed: int, settings: "Generation", held_out: np.ndarray | None = None) -> TwoStageDensity:
    """The second-stage VAE fitted to training codes (N, D) (latentspace.models.density_fit.fit), early stopped on
    the ELBO of ``held_out`` (M, D)."""
    standardise = density_fit.Standardise(codes)

    def density(network):
        return TwoStageDensity(standardise, network, settings.bound_samples, seed)

    network, fitted = density_fit.fit(
        lambda: _network(codes.shape[1], seed, settings), standardise(codes),
        None if held_out is None else np.asarray(held_out), seed, settings, "two-stage VAE",
        lambda model, held: float(np.mean(density(model).elbo(held))))
    return TwoStageDensity(standardise, network, settings.bound_samples, seed, fitted)
