"""Training one auto-encoder: seeded, curves logged to a CSV file, outputs written atomically.

Losses are nats per image. The model computes its loss from its terms and logs each
(:class:`latentspace.models.architectures.AutoEncoder`, names in :mod:`latentspace.models.loss_terms`): for a VAE
``reconst_loss`` and ``diverg_loss`` (β·KL as it enters the loss), for the class VAE also
``class_loss`` (γ × its classifier head's cross-entropy) and ``class_accuracy`` (that head's
accuracy), so that ``loss = reconst_loss + diverg_loss (+ class_loss)`` for training and
validation alike (each logged value is the epoch's mean of that term).

Each epoch shows the training digits in a new order drawn from the seed and the epoch
(:func:`epoch_order`); with ``LATENTSPACE_CHECKPOINTS`` set, each finished epoch's state is kept and an
interrupted training resumes from it (:mod:`latentspace.models.checkpoints`). Curves are written in the format
of :mod:`latentspace.models.curves`.
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
import numpy as np

from latentspace.models import checkpoints, runtime
from latentspace.models.curves import COLUMNS as CURVES
from latentspace.core.errors import StageError
from latentspace.models.architectures import build, is_supervised
from latentspace.models.vamp import pseudo_images
from latentspace.core.outputs import atomic_path
from latentspace.core.schema import ModelSection, Train


def write_curves(path: Path, history: dict[str, list[float]]) -> None:
    """The curves file (:mod:`latentspace.models.curves`): a row an epoch, the total loss and each term the model
    logs (:class:`latentspace.models.architectures.AutoEncoder`)."""
    columns = [name for name in CURVES if name in history]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["epoch", *columns])
        for epoch in range(len(history["loss"])):
            writer.writerow([epoch + 1, *(repr(float(history[name][epoch])) for name in columns)])


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """The order (n,) the training digits are seen in during ``epoch`` (0-based): a permutation drawn
    afresh each epoch from (seed, epoch) alone, so a resumed training sees what an uninterrupted one saw."""
    return np.random.default_rng([seed, epoch]).permutation(n)


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
    """The model built and compiled with Adam; its loss and logs are its own (latentspace.models.architectures.AutoEncoder)."""
    model, encoder, decoder = build(architecture, name=name, latent_size=latent_size, seed=seed, **section)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model, encoder, decoder


def train(arrays: dict, model_section: ModelSection, settings: Train, *, latent_size: int, seed: int, model_dir: Path,
          curves: Path, threads: int | None = None, callbacks=()) -> dict:
    """Train the model of ``model_section`` (``models.<name>``: its name, architecture and keys) on ``arrays``
    (:mod:`latentspace.data.digits`) as ``settings`` (``train``) say, with codes of ``latent_size`` dimensions.

    Writes ``model_dir/{encoder,decoder}.keras`` (and a VampPrior's ``pseudo_inputs.npy``:
    :func:`latentspace.models.runtime.save_pseudo_inputs`) and the ``curves`` CSV, each only when training
    finished. Returns the final epoch's metrics with the parameter counts. A model with a
    classifier head (the class VAE) is fitted to the images and their labels, the head's
    cross-entropy weighted by its ``gamma``. ``threads``: the CPU thread pools
    (:func:`latentspace.models.runtime.start`); ``settings.distribute``: "none" or "mirrored" (:func:`strategy`);
    ``settings.precision``: a Keras dtype policy, "float32" or "mixed_bfloat16" (layers compute in bfloat16
    and keep float32 weights; the decoder's last layer, the sampling with its KL term and the
    classifier head stay float32, so every loss is computed in float32). ``callbacks``: more
    Keras callbacks (the benchmark's clock).
    """
    name, architecture, section = model_section.name, model_section.architecture, dict(model_section.keys)
    batch_size, learning_rate, epochs = settings.batch_size, settings.learning_rate, settings.epochs
    distribute, precision = settings.distribute, settings.precision
    from latentspace.data.digits import load_split

    runtime.start(threads)
    runtime.deterministic(seed)
    (x_train, y_train), (x_val, y_val) = load_split(arrays, "train"), load_split(arrays, "val")
    keras.config.set_dtype_policy(precision)
    try:
        with strategy(distribute):  # variables and optimizer state are made where training runs
            model, encoder, decoder = _compiled(architecture, name, latent_size, seed, section, learning_rate)
            model.optimizer.build(model.trainable_variables)
    finally:
        keras.config.set_dtype_policy("float32")
    supervised = is_supervised(model)
    settings = {"name": name, "architecture": architecture, "section": section, "latent_size": latent_size,
                "batch_size": batch_size, "learning_rate": learning_rate, "epochs": epochs, "seed": seed, "threads": threads,
                "distribute": distribute, "precision": precision}
    kept = checkpoints.path(name, settings, [x_train, y_train, x_val, y_val])
    resumed = checkpoints.restore(kept, model) if kept else None
    done, history = resumed if resumed else (0, {})
    if resumed:
        print(f"{name}: resuming after epoch {done} ({kept})", file=sys.stderr)
    val_targets = {"reconstruction": x_val, "label": y_val} if supervised else x_val
    with atomic_path(model_dir) as model_tmp, atomic_path(curves) as curves_tmp:
        gc.freeze()  # the framework's objects leave the collector's scans: no 0.2 s full collections mid-epoch
        try:
            for epoch in range(done, epochs):
                order = epoch_order(len(x_train), seed, epoch)
                shown = x_train[order]
                targets = {"reconstruction": shown, "label": y_train[order]} if supervised else shown
                fitted = model.fit(
                    shown, targets, validation_data=(x_val, val_targets), batch_size=batch_size,
                    initial_epoch=epoch, epochs=epoch + 1, shuffle=False, verbose=0,
                    callbacks=[StopOnNonFinite(), *callbacks],
                )
                for logged, values in fitted.history.items():
                    history.setdefault(logged, []).extend(float(v) for v in values)
                print(f"{name}: epoch {epoch + 1}/{epochs} loss {history['loss'][-1]:.4f} "
                      f"val_loss {history['val_loss'][-1]:.4f}", flush=True)
                write_curves(curves_tmp, history)  # a row an epoch, as it ends (the output appears at the stage's end)
                if kept:
                    checkpoints.save(kept, epoch + 1, model, history)
        finally:
            gc.unfreeze()
        model_tmp.mkdir()
        runtime.save_model(encoder, model_tmp / "encoder.keras")
        runtime.save_model(decoder, model_tmp / "decoder.keras")
        runtime.save_pseudo_inputs(pseudo_images(model), model_tmp)  # a VampPrior's; nothing for another model
    checkpoints.clear(kept)
    final = {name: values[-1] for name, values in history.items()}
    metrics = {name: final[name] for name in (*CURVES, "val_class_accuracy") if name in final}
    metrics["epochs"] = len(history["loss"])
    metrics["parameters"] = {"encoder": encoder.count_params(), "decoder": decoder.count_params()}
    return metrics
