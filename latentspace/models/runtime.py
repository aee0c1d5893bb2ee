"""The Keras runtime that every stage running a model shares: a quiet start, fixed thread pools,
determinism, byte-stable save and load, and one batched predict.

Nothing happens on import. A stage calls :func:`start` before it imports a module that imports
Keras; until then TensorFlow is not loaded (``import tensorflow`` costs seconds, and the stages
that need no model must not pay it).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

from latentspace.core.errors import StageError

BATCH = 500  # images or codes a predict step
# TensorFlow's start-up lines on stderr (absl before its log is set up, oneDNN, no GPU): not the stage's.
CHATTER = re.compile(r"absl::InitializeLog|oneDNN custom operations|cuda drivers|Unable to register cu|"
                     r"computation placer|TF-TRT Warning|rebuild TensorFlow with the appropriate compiler flags|"
                     r"This TensorFlow binary is optimized|cuInit|cuda_platform|CUDA error")


# Keras' settings that change the numbers, pinned at their defaults (a user's ~/.keras/keras.json may set them).
KERAS_CONFIG = {"epsilon": 1e-7, "floatx": "float32", "image_data_format": "channels_last"}


def _quietly(action):
    """Run ``action()`` with stderr (file descriptor 2, which TensorFlow's C++ writes to) captured;
    then pass on every captured line that is not :data:`CHATTER`."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            return action()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                    if not CHATTER.search(line)]
            sys.stderr.write("".join(kept))
            sys.stderr.flush()


def start(threads: int | None = None):
    """Import Keras quietly and fix the backend's CPU thread pools at ``threads`` (None leaves them and
    the devices unstarted, so a caller can still split them); returns the ``keras`` module. Call it
    before any other Keras work of the process, and again with the same ``threads`` at will.

    Results depend on the thread count: oneDNN splits a convolution's sums by thread, so the conv VAE
    trained on 1, 2 or 4 threads ends with different last digits. With it fixed, a run gives the
    same numbers however many jobs share the machine and on any machine of the same kind.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # not ~/.keras/keras.json's: KERAS_BACKEND alone chooses

    def load():
        import keras

        logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notices and the like: not the stage's
        for name, value in KERAS_CONFIG.items():  # whatever ~/.keras/keras.json says, the numbers stay the study's
            getattr(keras.config, f"set_{name}")(value)

        backend = keras.backend.backend()
        if backend == "tensorflow":
            import tensorflow as tf

            if threads is not None:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
                tf.config.list_logical_devices()  # starts the devices (the GPU probe's lines are captured too)
        elif backend == "torch" and threads is not None:
            import torch

            torch.set_num_threads(threads)
        return keras

    return _quietly(load)


def deterministic(seed: int) -> None:
    """Seed Python, NumPy and the backend, and make TensorFlow pick deterministic kernels."""
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def predict(model, inputs, batch_size: int = BATCH):
    """A model's outputs for ``inputs`` in batches of ``batch_size``: one array, or a list for a
    model of several outputs (an encoder's mean and log-variance)."""
    return model.predict(inputs, batch_size=batch_size, verbose=0)


def _renumber_shared_objects(node, numbers: dict):
    """Replace each ``shared_object_id`` (an address) by 1, 2, … in order of first appearance."""
    if isinstance(node, dict):
        return {key: (numbers.setdefault(value, len(numbers) + 1) if key == "shared_object_id"
                      else _renumber_shared_objects(value, numbers)) for key, value in node.items()}
    if isinstance(node, list):
        return [_renumber_shared_objects(item, numbers) for item in node]
    return node


def save_model(model, path: Path) -> None:
    """Save in the ``.keras`` format with bytes that depend only on the model.

    Keras stamps the save time into ``metadata.json`` and the weights' zip entry, and numbers
    shared objects in ``config.json`` by their memory address; the first two are fixed and the
    numbers renumbered in order of appearance, so retraining with the same params gives
    byte-identical files (and an unchanged dvc.lock). The raw save is written beside ``path``
    (inside the caller's temporary output) and removed.
    """
    import keras

    raw = path.with_name(f"{path.stem}.raw.keras")  # beside the caller's temporary: swept with it if killed
    try:
        _rewrite(keras, model, raw, path)
    finally:
        raw.unlink(missing_ok=True)


def _rewrite(keras, model, raw: Path, path: Path) -> None:
    keras.saving.save_model(model, raw)
    with zipfile.ZipFile(raw) as saved, zipfile.ZipFile(path, "w") as fixed:
        for member in saved.infolist():
            content = saved.read(member)
            if member.filename == "metadata.json":
                metadata = json.loads(content)
                metadata.pop("date_saved", None)
                content = json.dumps(metadata).encode()
            elif member.filename == "config.json":
                content = json.dumps(_renumber_shared_objects(json.loads(content), {})).encode()
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = member.compress_type
            fixed.writestr(info, content)


def load_model(path: Path):
    """A saved model, loaded with ``safe_mode=True`` (no code from the file is run), uncompiled."""
    import keras

    from latentspace.models import architectures as models  # registers the project's layers (Sampling) for deserialisation

    del models
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except (OSError, ValueError) as exc:
        raise StageError(f"{path}: cannot load model ({exc}); rerun its train stage") from None


PSEUDO_INPUTS = "pseudo_inputs.npy"  # a VampPrior model's pseudo-inputs, beside its encoder.keras and decoder.keras


def save_pseudo_inputs(images, folder: Path) -> None:
    """Write a model's pseudo-inputs ``images`` (K, 28, 28, 1) float32 (latentspace/models/vamp.py) as
    ``folder/pseudo_inputs.npy`` (``numpy.save``: bytes that depend only on the array); None writes nothing."""
    if images is not None:
        import numpy as np

        np.save(folder / PSEUDO_INPUTS, np.ascontiguousarray(images, np.float32), allow_pickle=False)


def load_pseudo_inputs(folder: Path):
    """The pseudo-inputs (K, 28, 28, 1) float32 a model's folder holds, or None: not a VampPrior model."""
    import numpy as np

    path = Path(folder) / PSEUDO_INPUTS
    if not path.is_file():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise StageError(f"{path}: cannot load the pseudo-inputs ({exc}); rerun its train stage") from None


def encode(encoder, images):
    """Codes (N, latent) of images (N, 28, 28, 1) and their log-variances: the AE's code and None,
    or a VAE encoder's mean and log-variance."""
    codes = predict(encoder, images)
    return tuple(codes) if isinstance(codes, list) else (codes, None)
