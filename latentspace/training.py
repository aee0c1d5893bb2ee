"""Training one auto-encoder: seeded, curves logged to a CSV file, outputs written atomically.

Losses are nats per image. The model computes its loss from its terms and logs each
(:class:`latentspace.models.AutoEncoder`, names in :mod:`latentspace.loss_terms`): for a VAE
``reconst_loss`` and ``diverg_loss`` (β·KL as it enters the loss), for the class VAE also
``class_loss`` (γ × its classifier head's cross-entropy) and ``class_accuracy`` (that head's
accuracy), so that ``loss = reconst_loss + diverg_loss (+ class_loss)`` for training and
validation alike (each logged value is the epoch's mean of that term).

Curves are written in the format of :mod:`latentspace.curves`, an epoch at a time.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import math
import sys
from pathlib import Path

import keras

from . import runtime
from .curves import COLUMNS as CURVES
from .errors import StageError
from .models import build, is_supervised
from .outputs import atomic_path


class CurvesLogger(keras.callbacks.Callback):
    """Writes each epoch's losses to a curves file (:mod:`latentspace.curves`) as soon as the epoch ends:
    the total and each term the model logs (:class:`latentspace.models.AutoEncoder`)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        columns = [name for name in CURVES if name in logs]
        with self.path.open("w" if epoch == 0 else "a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if epoch == 0:
                writer.writerow(["epoch", *columns])
            writer.writerow([epoch + 1, *(repr(float(logs[name])) for name in columns)])


class StopOnNonFinite(keras.callbacks.Callback):
    """Fails the stage at the first NaN or infinite loss, before anything is logged or saved."""

    def on_train_batch_end(self, batch, logs=None):
        self._check(logs, f"epoch {self._epoch + 1}, batch {batch + 1}")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, f"epoch {epoch + 1}")

    @staticmethod
    def _check(logs, where):
        for name, value in (logs or {}).items():
            if "loss" in name and not math.isfinite(float(value)):
                raise StageError(
                    f"train.learning_rate: training diverged ({name} = {value} at {where}); "
                    "try a smaller learning rate or beta"
                )


def strategy(distribute: str):
    """A context to build and compile the model in: none, or ``tf.distribute.MirroredStrategy`` over
    every GPU, else over every logical CPU (one, unless the process split the CPU: the tests do).

    A mirrored step splits each batch across the devices and sums their gradients, so it computes
    the single-device step up to rounding.
    """
    if distribute == "none":
        return contextlib.nullcontext()
    if keras.backend.backend() != "tensorflow":
        raise StageError(f"train.distribute: {distribute!r} needs the TensorFlow backend, "
                         f"not {keras.backend.backend()!r}")
    return _mirrored().scope()


@functools.cache
def _mirrored():
    """One strategy a process: a second one would reuse the first's collective keys (TensorFlow fails)."""
    import tensorflow as tf

    devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([device.name for device in devices])


def _compiled(architecture: str, name: str, latent_size: int, seed: int, section: dict, learning_rate: float):
    """The model built and compiled with Adam; its loss and logs are its own (latentspace.models.AutoEncoder)."""
    model, encoder, decoder = build(architecture, name=name, latent_size=latent_size, seed=seed, **section)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model, encoder, decoder


def train(arrays: dict, name: str, architecture: str, section: dict, *, latent_size: int, batch_size: int,
          learning_rate: float, epochs: int, seed: int, model_dir: Path, curves: Path, threads: int | None = None,
          distribute: str = "none", precision: str = "float32", callbacks=()) -> dict:
    """Train model ``name``, of ``architecture`` with ``section``'s keys, on ``arrays`` (:mod:`latentspace.data`).

    Writes ``model_dir/{encoder,decoder}.keras`` and the ``curves`` CSV, each only when training
    finished. Returns the final epoch's metrics with the parameter counts. A model with a
    classifier head (the class VAE) is fitted to the images and their labels, the head's
    cross-entropy weighted by ``section["gamma"]``. ``threads``: the CPU thread pools
    (:func:`latentspace.runtime.start`); ``distribute``: "none" or "mirrored" (:func:`strategy`);
    ``precision``: a Keras dtype policy, "float32" or "mixed_bfloat16" (layers compute in bfloat16
    and keep float32 weights; the decoder's last layer, the sampling with its KL term and the
    classifier head stay float32, so every loss is computed in float32). ``callbacks``: more
    Keras callbacks (the benchmark's clock).
    """
    from .data import load_split

    runtime.start(threads)
    runtime.deterministic(seed)
    (x_train, y_train), (x_val, y_val) = load_split(arrays, "train"), load_split(arrays, "val")
    keras.config.set_dtype_policy(precision)
    try:
        with strategy(distribute):  # variables and optimizer state are made where training runs
            model, encoder, decoder = _compiled(architecture, name, latent_size, seed, section, learning_rate)
    finally:
        keras.config.set_dtype_policy("float32")
    if is_supervised(model):
        train_targets = {"reconstruction": x_train, "label": y_train}
        val_targets = {"reconstruction": x_val, "label": y_val}
    else:
        train_targets, val_targets = x_train, x_val
    with atomic_path(model_dir) as model_tmp, atomic_path(curves) as curves_tmp:
        gc.freeze()  # the framework's objects leave the collector's scans: no 0.2 s full collections mid-epoch
        try:
            history = model.fit(
                x_train, train_targets, validation_data=(x_val, val_targets), batch_size=batch_size, epochs=epochs,
                shuffle=True, verbose=1 if sys.stdout.isatty() else 2,
                callbacks=[StopOnNonFinite(), CurvesLogger(curves_tmp), *callbacks],
            )
        finally:
            gc.unfreeze()
        model_tmp.mkdir()
        runtime.save_model(encoder, model_tmp / "encoder.keras")
        runtime.save_model(decoder, model_tmp / "decoder.keras")
    final = {name: float(values[-1]) for name, values in history.history.items()}
    metrics = {name: final[name] for name in (*CURVES, "val_class_accuracy") if name in final}
    metrics["epochs"] = len(history.history["loss"])
    metrics["parameters"] = {"encoder": encoder.count_params(), "decoder": decoder.count_params()}
    return metrics
