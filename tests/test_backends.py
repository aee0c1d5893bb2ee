"""The models and their training are Keras 3 only: they train under a second backend (JAX)."""

import importlib.util
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from helpers import ROOT, subprocess_env

pytestmark = pytest.mark.slow  # a subprocess that trains every model under JAX

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import keras

    import latentspace.models.training  # noqa: F401 - loaded before the check below: importing it loads no TensorFlow

    sys.path.insert(0, "tests")  # the working directory is the repository root
    from helpers import TINY_SECTIONS, tiny_dataset, train_tiny

    arrays = tiny_dataset()
    out, result = Path(sys.argv[1]), {"backend": keras.backend.backend(), "tensorflow": "tensorflow" in sys.modules}
    for name, (architecture, section) in TINY_SECTIONS.items():
        result[name] = train_tiny(arrays, name, architecture, section, out / name, threads=2)
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
    from latentspace.models.runtime import encode  # this process: the TensorFlow backend
    from latentspace.models.runtime import load_model, predict

    images = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    for name in trained:
        mean, log_var = encode(load_model(tmp_path / name / "model" / "encoder.keras"), images)
        assert mean.shape == (5, 4) and (log_var is None) == (name == "ae")
        assert predict(load_model(tmp_path / name / "model" / "decoder.keras"), mean).shape == (5, 28, 28, 1)
