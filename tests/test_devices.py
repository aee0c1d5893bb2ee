"""Where training runs: fixed CPU thread pools, and ``train.distribute: mirrored`` over two devices.

TensorFlow fixes its devices and thread pools when it starts, so each case runs in its own process.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from helpers import ROOT, subprocess_env

pytestmark = pytest.mark.slow  # a subprocess that trains three models twice

SCRIPT = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path
    import numpy as np
    import tensorflow as tf

    split = sys.argv[1] == "split"
    if split:  # two logical CPU devices, as a machine with two GPUs would have two devices
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from latentspace.models.runtime import load_model
    from latentspace.models.training import strategy

    sys.path.insert(0, "tests")  # the working directory is the repository root
    from helpers import TINY_SECTIONS, tiny_dataset, train_tiny

    arrays = tiny_dataset()
    sections = {name: TINY_SECTIONS[name] for name in ("ae", "conv_vae", "class_vae")}
    result = {"threads": None, "replicas": {}, "runs": {}}
    for distribute in ("none", "mirrored"):
        with strategy(distribute):
            result["replicas"][distribute] = tf.distribute.get_strategy().num_replicas_in_sync
        for name, (architecture, section) in sections.items():
            folder = Path(tempfile.mkdtemp())
            metrics = train_tiny(arrays, name, architecture, section, folder, threads=2, distribute=distribute)
            weights = load_model(folder / "model" / "encoder.keras").get_weights()
            result["runs"][f"{name} {distribute}"] = {
                "metrics": {k: v for k, v in metrics.items() if isinstance(v, float)},
                "weights": [w.ravel().tolist() for w in weights]}
    result["threads"] = [tf.config.threading.get_intra_op_parallelism_threads(),
                         tf.config.threading.get_inter_op_parallelism_threads()]
    json.dump(result, sys.stdout)
""")


@pytest.fixture(scope="module")
def split_run():
    """Both models trained on one device and mirrored over two logical CPUs, in one process."""
    result = subprocess.run([sys.executable, "-c", SCRIPT, "split"], cwd=ROOT, env=subprocess_env(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_training_fixes_the_thread_pools_it_was_given(split_run):
    assert split_run["threads"] == [2, 2]


def test_mirrored_training_splits_each_batch_over_two_devices_and_matches_one_device(split_run):
    """Each step sums the two halves' gradients. The AE has no randomness inside a step, so a mirrored
    epoch is the one-device epoch up to rounding (within 1e-4; seen here: equal to the last bit). A VAE
    draws its sampling noise per device, so its split batch sees other draws of ε than the whole
    batch: equal up to that noise (within 5 % after an epoch of 3 steps; seen here: 0.02 % for the
    class VAE, 2.7 % for the conv VAE's validation loss; its KL term, 0.5 nats, moved 12 %), and every
    loss term is still there."""
    assert split_run["replicas"] == {"none": 1, "mirrored": 2}
    runs = split_run["runs"]
    for name, tolerance in (("ae", 1e-4), ("conv_vae", 0.05), ("class_vae", 0.05)):
        one, two = runs[f"{name} none"], runs[f"{name} mirrored"]
        assert set(one["metrics"]) == set(two["metrics"]), name
        compared = one["metrics"] if name == "ae" else ("loss", "val_loss")  # the small KL term is noisier
        for key in compared:
            assert two["metrics"][key] == pytest.approx(one["metrics"][key], rel=tolerance), (name, key)
        assert all(value >= 0 for value in two["metrics"].values()), name
    assert {"val_diverg_loss", "val_class_loss"} <= set(runs["class_vae mirrored"]["metrics"])
    assert runs["class_vae mirrored"]["metrics"]["class_loss"] > 0
    for a, b in zip(runs["ae none"]["weights"], runs["ae mirrored"]["weights"], strict=True):
        assert b == pytest.approx(a, rel=1e-4, abs=1e-5)
