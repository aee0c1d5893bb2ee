"""Resumable training (latentspace/models/checkpoints.py): a training killed with SIGKILL mid-epoch and run again
ends with the very bytes an uninterrupted training writes; anything that decides the training starts afresh."""

import json
import signal
import subprocess
import sys

import numpy as np
import pytest

from latentspace.models.training import epoch_order

from helpers import ROOT, subprocess_env

# Trains the class VAE (sampling layer, classifier head) on the tiny digits in a fresh process; with a
# kill epoch, the process SIGKILLs itself in the middle of that epoch (0-based), its earlier epochs kept.
CHILD = """
import json, os, signal, sys
from pathlib import Path
sys.path.insert(0, "tests")
import keras
from helpers import TINY_SECTIONS, tiny_dataset, train_tiny
from latentspace.core.outputs import together
out, epochs, kill, rate = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

class Kill(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == kill and batch == 1:
            os.kill(os.getpid(), signal.SIGKILL)

with together():  # as in a stage, whose outputs appear only when it ends
    metrics = train_tiny(tiny_dataset(), "class_vae", *TINY_SECTIONS["class_vae"], out, epochs=epochs, seed=4,
                         learning_rate=rate, callbacks=[Kill()])
(out / "metrics.json").write_text(json.dumps(metrics))
"""


def _train(out, epochs, kill=-1, rate=1e-3, checkpoints=None):
    env = subprocess_env()
    env.pop("LATENTSPACE_CHECKPOINTS", None)
    if checkpoints:
        env["LATENTSPACE_CHECKPOINTS"] = str(checkpoints)
    return subprocess.run([sys.executable, "-c", CHILD, str(out), str(epochs), str(kill), str(rate)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def _outputs(folder):
    return {name: (folder / name).read_bytes()
            for name in ("model/encoder.keras", "model/decoder.keras", "curves.csv", "metrics.json")}


def test_each_epoch_sees_the_digits_in_a_new_order_drawn_from_the_seed_and_the_epoch():
    first, again, second = epoch_order(100, 3, 0), epoch_order(100, 3, 0), epoch_order(100, 3, 1)
    assert sorted(first) == list(range(100)) and np.array_equal(first, again) and not np.array_equal(first, second)
    assert not np.array_equal(epoch_order(100, 4, 0), first)


def test_checkpoints_off_keep_nothing_and_read_no_digit(tmp_path, monkeypatch):
    """Without the variable no state is kept and the key (which reads every digit) is not computed;
    with it, the state's file is named by a key that changes with the settings and the digits, and a
    file there that is not a kept state is passed over."""
    from latentspace.models import checkpoints

    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise AssertionError("the digits were read")

    monkeypatch.delenv(checkpoints.VARIABLE, raising=False)
    assert checkpoints.path("vae", {"epochs": 3}, [Unreadable()]) is None
    monkeypatch.setenv(checkpoints.VARIABLE, str(tmp_path))
    digits = np.arange(12, dtype=np.float32).reshape(3, 4)
    kept = checkpoints.path("vae", {"epochs": 3}, [digits])
    assert kept.parent == tmp_path and kept.name.startswith("vae-") and kept.suffix == ".npz"
    assert kept == checkpoints.path("vae", {"epochs": 3}, [digits.copy()])
    assert kept != checkpoints.path("vae", {"epochs": 4}, [digits])
    assert kept != checkpoints.path("vae", {"epochs": 3}, [digits + 1])
    kept.write_bytes(b"not an archive")  # a state that cannot be read is not taken up
    assert checkpoints.restore(kept, model=None) is None


@pytest.mark.slow  # four trainings in fresh processes (TensorFlow's import each): about a minute on 2 cores
def test_a_training_killed_mid_epoch_resumes_and_ends_with_the_bytes_of_an_uninterrupted_one(tmp_path):
    straight = _train(tmp_path / "straight", 5)
    assert straight.returncode == 0, straight.stderr[-2000:]

    kept = tmp_path / "kept"
    killed = _train(tmp_path / "resumed", 5, kill=3, checkpoints=kept)
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "resumed" / "model").exists() and not (tmp_path / "resumed" / "curves.csv").exists()
    [state] = kept.glob("class_vae-*.npz")
    with np.load(state) as archive:
        assert archive["epochs"].tolist() == [3] and len(archive["history/loss"]) == 3

    # another number of epochs is another training: it neither resumes nor touches the kept state
    shorter = _train(tmp_path / "shorter", 2, checkpoints=kept)
    assert shorter.returncode == 0 and "resuming" not in shorter.stderr
    assert json.loads((tmp_path / "shorter" / "metrics.json").read_text())["epochs"] == 2
    assert [p.name for p in kept.glob("class_vae-*.npz")] == [state.name]

    resumed = _train(tmp_path / "resumed", 5, checkpoints=kept)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming after epoch 3" in resumed.stderr
    assert _outputs(tmp_path / "resumed") == _outputs(tmp_path / "straight")  # to the byte
    assert json.loads((tmp_path / "resumed" / "metrics.json").read_text())["epochs"] == 5
    assert not list(kept.glob("*.npz"))  # removed once the model is saved

    # another learning rate is another training: it keeps its own state and starts from epoch 0
    killed = _train(tmp_path / "other", 5, kill=1, rate=2e-3, checkpoints=kept)
    assert killed.returncode == -signal.SIGKILL
    again = _train(tmp_path / "other-again", 5, rate=1e-3, checkpoints=kept)  # the first rate: nothing to resume
    assert again.returncode == 0 and "resuming" not in again.stderr
    assert _outputs(tmp_path / "other-again") == _outputs(tmp_path / "straight")
    assert len(list(kept.glob("class_vae-*.npz"))) == 1  # the 2e-3 training's state, untouched
