"""The fit loop the trained samplers share (latentspace/models/flows.py, latentspace/models/two_stage.py).

A sampler's network is a ``keras.Model`` whose ``call`` gives each code's loss (B,) in nats (its negative
log-likelihood, or a bound's); :func:`fit` builds it under :func:`latentspace.models.runtime.deterministic`, takes
exactly ``generation.fit_steps`` Adam steps on batches of :data:`BATCH` codes (so the cost does not grow with the
number of codes), scores the held-out codes every :data:`EVERY` steps and at the end, and keeps the best weights.
Any backend: the step is Keras' own compiled one, only :meth:`Loss.compute_loss` is the model's.
:class:`Standardise` is the affine map both samplers put in front of their network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import keras
import numpy as np
from keras import ops

from latentspace.core.errors import StageError
from latentspace.models import runtime

if TYPE_CHECKING:
    from latentspace.core.schema import Generation

BATCH = 256  # codes a gradient step
EVERY = 200  # steps between two scorings of the held-out codes
LEARNING_RATE, CLIPNORM = 1e-3, 1.0  # Adam's
ORDER_STREAM = 0x0DE5  # the batches' order: numpy.random.default_rng([seed, ORDER_STREAM])


class Loss(keras.Model):
    """A model whose outputs (B,) are each code's loss: the training loss is their mean (no compiled loss)."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return ops.mean(y_pred)


@dataclass(frozen=True)
class Fit:
    """What a fit chose: the steps it ran, the step whose weights it kept (the held-out codes' best, or the last
    without held-out codes) and their mean log-likelihood (nats per code; None without held-out codes)."""

    steps: int
    best_step: int
    held_out: float | None

    def summary(self) -> dict:
        return {"steps": self.steps, "best_step": self.best_step, "best_held_out": self.held_out}


class Standardise:
    """z ↦ (z − mean) / sd per dimension, the training codes' mean and sd (an sd of 0 is taken as 1)."""

    def __init__(self, codes: np.ndarray):
        codes = np.asarray(codes, np.float64)
        with np.errstate(invalid="ignore", over="ignore"):  # non-finite codes: the loss says so (fit's StageError)
            self.mean = codes.mean(axis=0)
            sd = codes.std(axis=0)
        self.sd = np.where(sd > 0, sd, 1.0)
        self.log_det = -float(np.sum(np.log(self.sd)))  # log |det| of the map, nats

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        """Standardised codes (M, D) float32."""
        with np.errstate(invalid="ignore", over="ignore"):
            return ((np.asarray(codes, np.float64) - self.mean) / self.sd).astype(np.float32)

    def undo(self, standard: np.ndarray) -> np.ndarray:
        """Codes (n, D) float32 of standardised ones."""
        return (np.asarray(standard, np.float64) * self.sd + self.mean).astype(np.float32)


def batches(n: int, seed: int, size: int = BATCH) -> Iterator[np.ndarray]:
    """Indices (size,) into ``n`` codes, endlessly: one permutation of them after another, read ``size`` at a time
    (a batch may span two permutations; with fewer than ``size`` codes, a batch is all of them)."""
    rng, size = np.random.default_rng([seed, ORDER_STREAM]), min(size, n)
    order = np.empty(0, np.int64)
    while True:
        while len(order) < size:
            order = np.concatenate([order, rng.permutation(n)])
        yield order[:size]
        order = order[size:]


def fit(build: Callable[[], Loss], codes: np.ndarray, held_out: np.ndarray | None, seed: int,
        settings: "Generation", name: str, score: Callable[[Loss, np.ndarray], float]) -> tuple[Loss, Fit]:
    """The model ``build()`` gives (built under ``runtime.deterministic(seed)``) fitted to ``codes`` (N, D)
    float32, with ``score(model, held_out)`` the held-out codes' (M, D) mean log-likelihood (nats per code); returns
    it with the best held-out weights restored, and the :class:`Fit`. ``name`` names the sampler in errors: a
    non-finite loss, or held-out codes never scored finite, are a :class:`StageError`."""
    runtime.deterministic(seed)
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, clipnorm=CLIPNORM), jit_compile=False)
    steps, best = settings.fit_steps, (None, settings.fit_steps, None)  # (weights, step, value)
    order = batches(len(codes), seed)
    for step in range(1, steps + 1):
        loss = float(model.train_on_batch(codes[next(order)]))
        if not np.isfinite(loss):
            raise StageError(f"the {name} sampler's loss is {loss} at step {step} of generation.fit_steps = {steps} "
                             "(non-finite codes, or a fit that diverged)")
        if held_out is not None and (step % EVERY == 0 or step == steps):
            value = float(score(model, held_out))
            if np.isfinite(value) and (best[2] is None or value > best[2]):
                best = (model.get_weights(), step, value)
    if held_out is not None:
        if best[0] is None:
            raise StageError(f"the {name} sampler's held-out codes' log-likelihood is never finite "
                             f"in generation.fit_steps = {steps} (non-finite held-out codes?)")
        model.set_weights(best[0])
    return model, Fit(steps, best[1], best[2])


def in_chunks(function: Callable[[np.ndarray], np.ndarray], inputs: np.ndarray, rows: int) -> np.ndarray:
    """``function`` applied to ``inputs`` ``rows`` at a time, the results concatenated along the first axis."""
    return np.concatenate([np.asarray(function(inputs[i:i + rows])) for i in range(0, len(inputs), rows)]
                          or [np.asarray(function(inputs[:0]))])
