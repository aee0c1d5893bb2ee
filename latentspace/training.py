"""Training one auto-encoder: seeded, curves logged with DVCLive, outputs written atomically.

Losses are nats per image. For a VAE the logs carry ``reconst_loss`` (the compiled BCE, reported
again as a metric) and ``diverg_loss`` = ``loss`` − ``reconst_loss``, the β-weighted KL term as it
enters the loss, so that ``loss = reconst_loss + diverg_loss`` for training and validation alike.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from .models import VARIATIONAL, build, save_model  # first: it quietens TensorFlow before Keras loads it

import keras  # noqa: E402

from .errors import StageError  # noqa: E402
from .losses import reconst_loss  # noqa: E402
from .outputs import atomic_path  # noqa: E402


def make_deterministic(seed: int) -> None:
    """Seed Python, NumPy and the backend, and make TensorFlow pick deterministic kernels."""
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


class DivergenceFromLogs(keras.callbacks.Callback):
    """Adds ``diverg_loss`` (and ``val_diverg_loss``) = total − reconstruction to the epoch logs.

    Must come before the callbacks that read the logs (DVCLive).
    """

    def on_epoch_end(self, epoch, logs=None):
        for prefix in ("", "val_"):
            if f"{prefix}reconst_loss" in logs:
                logs[f"{prefix}diverg_loss"] = logs[f"{prefix}loss"] - logs[f"{prefix}reconst_loss"]


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


def train(kind: str, arrays: dict, *, hidden_units: int, latent_size: int, beta: float, batch_size: int,
          learning_rate: float, epochs: int, seed: int, model_dir: Path, live_dir: Path) -> dict:
    """Train ``kind`` on ``arrays`` (see :mod:`latentspace.data`); save encoder and decoder.

    Writes ``model_dir/{encoder,decoder}.keras`` and the DVCLive folder ``live_dir``, each only
    when training finished. Returns the final epoch's metrics with the parameter counts.
    """
    from dvclive import Live
    from dvclive.keras import DVCLiveCallback

    from .data import load_split

    make_deterministic(seed)
    x_train, _ = load_split(arrays, "train")
    x_val, _ = load_split(arrays, "val")
    model, encoder, decoder = build(kind, hidden_units=hidden_units, latent_size=latent_size,
                                    beta=beta, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=reconst_loss,
                  metrics=[reconst_loss] if VARIATIONAL[kind] else None)
    with atomic_path(model_dir) as model_tmp, atomic_path(live_dir) as live_tmp:
        live = Live(str(live_tmp), dvcyaml=False, save_dvc_exp=False)
        history = model.fit(
            x_train, x_train, validation_data=(x_val, x_val), batch_size=batch_size, epochs=epochs,
            shuffle=True, verbose=1 if sys.stdout.isatty() else 2,
            callbacks=[StopOnNonFinite(), DivergenceFromLogs(), DVCLiveCallback(live=live)],
        )
        model_tmp.mkdir()
        save_model(encoder, model_tmp / "encoder.keras")
        save_model(decoder, model_tmp / "decoder.keras")
    final = {name: float(values[-1]) for name, values in history.history.items()}
    order = ["loss", "reconst_loss", "diverg_loss", "val_loss", "val_reconst_loss", "val_diverg_loss"]
    metrics = {name: final[name] for name in order if name in final}
    metrics["epochs"] = len(history.history["loss"])
    metrics["parameters"] = {"encoder": encoder.count_params(), "decoder": decoder.count_params()}
    return metrics

