"""A RealNVP normalising flow (Dinh et al. 2017) on a model's codes, in ``keras.ops`` (any backend).

The codes z (N, D) are standardised by the training codes' mean and sd, then pass ``generation.flow_layers``
affine couplings: with a binary mask b (alternating between layers: b, 1 − b, then a new seeded b, …),

    y = b·x + (1 − b)·(x·exp(s(b·x)) + t(b·x)),    log |det ∂y/∂x| = Σ (1 − b)·s(b·x),

s and t from one MLP D → flow_units → flow_units → 2D (LeakyReLU), s = tanh(raw)·scale (a trainable scale per
dimension); the MLP's last layer starts at zero, so the untrained flow is the identity. Then

    log p(z) = log N(f(z); 0, I) + Σ log |det J| (the couplings' and the standardisation's), nats.

Draws invert the layers in one pass from NumPy's N(0, I) (``default_rng(seed)``), so they do not depend on Keras'
random numbers. :func:`fit` is the entry point (latentspace.models.samplers.Flow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from keras import layers, ops

from latentspace.models import density_fit

if TYPE_CHECKING:
    from latentspace.core.schema import Generation

MASK_STREAM = 0xF10  # the masks' dimensions: numpy.random.default_rng([seed, MASK_STREAM])
ROWS = 65_536  # codes a forward or inverse pass


def masks(dimensions: int, count: int, seed: int) -> np.ndarray:
    """``count`` binary masks (count, D) float32: a seeded half of the dimensions (⌊D/2⌋ of them) kept, then its
    complement, then another seeded half, …"""
    rng = np.random.default_rng([seed, MASK_STREAM])
    chosen = np.zeros((count, dimensions), np.float32)
    for k in range(0, count, 2):
        chosen[k, rng.permutation(dimensions)[:dimensions // 2]] = 1.0
        if k + 1 < count:
            chosen[k + 1] = 1.0 - chosen[k]
    return chosen


class Coupling(layers.Layer):
    """One affine coupling of mask (D,): ``call(x)`` gives y (B, D) and log |det ∂y/∂x| (B,) nats;
    :meth:`inverse` gives x of y."""

    def __init__(self, mask: np.ndarray, units: int, **kwargs):
        super().__init__(**kwargs)
        self.mask = ops.convert_to_tensor(mask, "float32")
        dimensions = len(mask)
        self.hidden = [layers.Dense(units, dtype="float32") for _ in range(2)]
        self.activation = layers.LeakyReLU(dtype="float32")
        self.raw = layers.Dense(2 * dimensions, kernel_initializer="zeros", bias_initializer="zeros", dtype="float32")
        self.scale = self.add_weight(shape=(dimensions,), initializer="ones", name="scale")

    def build(self, input_shape):
        for dense, width in zip([*self.hidden, self.raw], [input_shape[-1], *(d.units for d in self.hidden)]):
            dense.build((None, width))

    def shift_and_log_scale(self, kept):
        """s and t (B, D) of the kept dimensions b·x (B, D), zero on the kept ones."""
        h = kept
        for dense in self.hidden:
            h = self.activation(dense(h))
        raw_s, t = ops.split(self.raw(h), 2, axis=-1)
        free = 1.0 - self.mask
        return ops.tanh(raw_s) * self.scale * free, t * free

    def call(self, x):
        s, t = self.shift_and_log_scale(x * self.mask)
        return x * ops.exp(s) + t, ops.sum(s, axis=-1)

    def inverse(self, y):
        s, t = self.shift_and_log_scale(y * self.mask)
        return (y - t) * ops.exp(-s)


class RealNVP(density_fit.Loss):
    """The couplings on standardised codes (B, D); ``call`` gives each code's −log N(f(x); 0, I) − log |det J|
    (B,) nats (the loss; the standardisation's constant log-det left out)."""

    def __init__(self, dimensions: int, count: int, units: int, seed: int, **kwargs):
        super().__init__(**kwargs)
        self.dimensions = dimensions
        self.couplings = [Coupling(mask, units, name=f"coupling_{k}")
                          for k, mask in enumerate(masks(dimensions, count, seed))]

    def forward(self, x):
        """f(x) (B, D) and Σ log |det J| (B,) nats."""
        log_det = ops.zeros(ops.shape(x)[:1], dtype="float32")
        for coupling in self.couplings:
            x, term = coupling(x)
            log_det = log_det + term
        return x, log_det

    def inverse(self, y):
        """f⁻¹(y) (B, D)."""
        for coupling in reversed(self.couplings):
            y = coupling.inverse(y)
        return y

    def call(self, x):
        y, log_det = self.forward(x)
        return 0.5 * ops.sum(ops.square(y), axis=-1) + self.dimensions * float(0.5 * np.log(2 * np.pi)) - log_det


class FlowDensity:
    """A fitted flow: the training codes' :class:`~latentspace.models.density_fit.Standardise` and the network."""

    def __init__(self, standardise: density_fit.Standardise, network: RealNVP, fitted=None):
        self.standardise, self.network, self.fitted = standardise, network, fitted

    def forward(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f of codes (M, D): the flow's outputs (M, D) float32 and each code's Σ log |det J| (M,) float64 nats,
        the standardisation's included."""
        def one(chunk):
            y, log_det = self.network.forward(ops.convert_to_tensor(chunk))
            return np.concatenate([ops.convert_to_numpy(y), ops.convert_to_numpy(log_det)[:, None]], axis=1)

        both = density_fit.in_chunks(one, self.standardise(codes), ROWS)
        return both[:, :-1], both[:, -1].astype(np.float64) + self.standardise.log_det

    def log_density(self, codes: np.ndarray) -> np.ndarray:
        """log p(z) (M,) float64 nats of codes (M, D)."""
        y, log_det = self.forward(codes)
        return -0.5 * np.sum(np.square(y, dtype=np.float64) + np.log(2 * np.pi), axis=1) + log_det

    def inverse(self, outputs: np.ndarray) -> np.ndarray:
        """Codes (n, D) float32 of flow outputs (n, D)."""
        def one(chunk):
            return ops.convert_to_numpy(self.network.inverse(ops.convert_to_tensor(chunk)))

        return self.standardise.undo(density_fit.in_chunks(one, np.asarray(outputs, np.float32), ROWS))

    def draw(self, n: int, seed: int) -> np.ndarray:
        """``n`` codes (n, D) float32: f⁻¹ of NumPy's N(0, I) draws (``default_rng(seed)``)."""
        return self.inverse(np.random.default_rng(seed).standard_normal((n, self.network.dimensions)))

    def summary(self) -> dict:
        return {**(self.fitted.summary() if self.fitted else {}), "parameters": int(self.network.count_params())}


def untrained(codes: np.ndarray, seed: int, settings: "Generation") -> FlowDensity:
    """The flow before any step (the identity after the standardisation), built under ``deterministic(seed)``."""
    from latentspace.models import runtime

    runtime.deterministic(seed)
    return FlowDensity(density_fit.Standardise(codes), _network(codes.shape[1], seed, settings))


def _network(dimensions: int, seed: int, settings: "Generation") -> RealNVP:
    network = RealNVP(dimensions, settings.flow_layers, settings.flow_units, seed, name="realnvp")
    network(ops.zeros((1, dimensions), dtype="float32"))  # builds every weight
    return network


def fit(codes: np.ndarray, seed: int, settings: "Generation", held_out: np.ndarray | None = None) -> FlowDensity:
    """The flow fitted to training codes (N, D) by maximum likelihood (latentspace.models.density_fit.fit), early
    stopped on ``held_out`` (M, D)."""
    standardise = density_fit.Standardise(codes)
    network, fitted = density_fit.fit(
        lambda: _network(codes.shape[1], seed, settings), standardise(codes),
        None if held_out is None else np.asarray(held_out), seed, settings, "flow",
        lambda model, held: float(np.mean(FlowDensity(standardise, model).log_density(held))))
    return FlowDensity(standardise, network, fitted)

