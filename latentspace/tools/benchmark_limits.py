"""The benchmark's limits and training: the machine's float32 peak, the best matrix multiplies and convolutions,
each model's training throughput against them, and the other Keras backends (latentspace/tools/benchmark.py)."""

from __future__ import annotations

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from latentspace.tools.deps import ROOT


def theoretical_peak(facts: dict) -> float | None:
    """GFLOP/s, float32: cores × GHz × FLOPs a cycle (two FMA units: 64 with AVX-512, 32 with AVX2)."""
    if not facts["ghz"]:
        return None
    width = 64 if "avx512f" in facts["extensions"] else 32 if "avx2" in facts["extensions"] else 16
    return facts["cores"] * facts["ghz"] * width


def _best(work, repeats: int = 3) -> float:
    """Seconds of the fastest of ``repeats`` calls of ``work``, after one call that warms it up."""
    work()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return min(seconds)


def numpy_matmul(sizes=(1024, 2048, 4096)) -> dict:
    """``{n: GFLOP/s}`` of NumPy's BLAS on float32 n × n products (best of 3)."""
    result = {}
    for n in sizes:
        a, b = (np.random.default_rng(n).standard_normal((n, n), dtype=np.float32) for _ in range(2))
        result[n] = 2 * n ** 3 / _best(lambda: a @ b) / 1e9  # noqa: B023 (called at once)
    return result


def framework_matmul(sizes=(1024, 2048, 4096), dtype="float32") -> dict:
    """``{n: GFLOP/s}`` of the Keras backend's matrix multiply (best of 3)."""
    import keras
    from keras import ops

    result = {}
    for n in sizes:
        a = ops.convert_to_tensor(np.random.default_rng(n).standard_normal((n, n)), dtype=dtype)
        b = ops.convert_to_tensor(np.random.default_rng(n + 1).standard_normal((n, n)), dtype=dtype)

        def product(a=a, b=b):  # waits for the product: one element back in NumPy (bfloat16 has no NumPy type)
            return keras.ops.convert_to_numpy(ops.cast(ops.matmul(a, b)[0, 0], "float32"))

        result[n] = 2 * n ** 3 / _best(product) / 1e9
    return result


def training_flops(model) -> float:
    """FLOPs to train on one image: 6 × the multiply-adds of the forward pass (Dense, Conv2D, Conv2DTranspose)."""
    from keras import layers

    macs = 0
    for layer in _leaves(model):
        if isinstance(layer, layers.Dense):
            macs += int(np.prod(layer.kernel.shape))
        elif isinstance(layer, (layers.Conv2D, layers.Conv2DTranspose)):
            kh, kw, a, b = layer.kernel.shape  # Conv2D: (k, k, in, out); Conv2DTranspose: (k, k, out, in)
            grid = layer.output.shape[1:3] if isinstance(layer, layers.Conv2D) else layer.input.shape[1:3]
            macs += int(np.prod(grid)) * kh * kw * a * b
    return 6.0 * macs


def _leaves(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _leaves(layer)
        else:
            yield layer


def conv_throughput(dtype: str, batch: int = 100, steps: int = 20) -> float:
    """GFLOP/s of the conv VAE's encoder and decoder convolutions alone, forward and backward, at
    ``batch`` (a Keras model of just those layers, trained on random data)."""
    import keras

    from latentspace.models.architectures import conv_decoder, conv_encoder

    keras.config.set_dtype_policy(dtype)
    try:
        encoder, decoder = conv_encoder(10), conv_decoder(10)
        image = keras.Input((28, 28, 1))
        mean, _ = encoder(image)
        model = keras.Model(image, decoder(mean))
        model.compile(optimizer="sgd", loss="mse")
        x = np.random.default_rng(0).random((batch * steps, 28, 28, 1), dtype=np.float32)
        model.fit(x, x, batch_size=batch, epochs=1, verbose=0)
        start = time.perf_counter()
        model.fit(x, x, batch_size=batch, epochs=2, verbose=0)
        seconds = (time.perf_counter() - start) / 2
    finally:
        keras.config.set_dtype_policy("float32")
    return training_flops(model) * batch * steps / seconds / 1e9


def _epoch_clock():
    """A Keras callback whose ``seconds`` lists each epoch's training time (validation excluded)."""
    import keras

    class Clock(keras.callbacks.Callback):  # one instance over every epoch (training fits an epoch at a time)
        def __init__(self):
            super().__init__()
            self.seconds, self._start = [], None

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_test_begin(self, logs=None):  # validation starts: the epoch's training part is over
            if self._start is not None:
                self.seconds.append(time.perf_counter() - self._start)
                self._start = None

    return Clock()


def training(params: dict, epochs: int, precisions: list[str]) -> list[dict]:
    """Each model of ``params`` trained ``epochs`` epochs on the default data a precision: images/s
    (best epoch after the first), GFLOP/s and the final validation loss."""
    import keras

    from latentspace.models import training as t
    from latentspace.data.digits import ARRAYS
    from latentspace.models.architectures import build
    from latentspace.core.schema import ModelSection, Train
    from latentspace.core.outputs import load_arrays

    arrays = load_arrays(str(ROOT / "data/dataset.npz"), ARRAYS)
    rows = []
    for precision in precisions:
        for name, section in params["models"].items():
            section = dict(section)
            architecture = section.pop("architecture")
            clock = _epoch_clock()
            folder = ROOT / ".dvc" / "tmp" / f"benchmark-{os.getpid()}"  # beside the outputs' temporaries
            settings = Train(**{**params["train"], "epochs": epochs, "precision": precision})
            metrics = t.train(arrays, ModelSection(name, architecture, section), settings,
                              latent_size=params["model"]["latent_size"], seed=params["seed"],
                              model_dir=folder / name / precision, curves=folder / f"{name}-{precision}.csv",
                              callbacks=[clock])
            model, _, _ = build(architecture, name=name, latent_size=params["model"]["latent_size"], **section)
            images = len(arrays["y_train"])
            best = min(clock.seconds[1:] or clock.seconds)
            rows.append({"model": name, "backend": keras.backend.backend(), "precision": precision,
                         "images_per_s": images / best,
                         "gflop_per_image": training_flops(model) / 1e9,
                         "gflop_per_s": training_flops(model) * images / best / 1e9,
                         "epochs": epochs, "val_loss": metrics["val_loss"]})
            keras.backend.clear_session()
    return rows


def other_backend(backend: str, epochs: int) -> list[dict] | str:
    """The float32 training rows measured under ``KERAS_BACKEND=backend`` in a subprocess (a process has
    one Keras backend; JAX sizes its own thread pool to the cores), or why they could not be."""
    try:
        metadata.version(backend)
    except metadata.PackageNotFoundError:
        return f"{backend} is not installed"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "training.json"
        done = subprocess.run([sys.executable, "-m", "latentspace.tools.benchmark",
                               "--only", "training",
                               "--precisions", "float32", "--epochs", str(epochs), "--out", str(out)],
                              cwd=ROOT, env={**os.environ, "KERAS_BACKEND": backend}, capture_output=True, text=True)
        if done.returncode != 0:
            return f"training under {backend} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"
        return json.loads(out.read_text())["training"]


def limit(facts: dict, precisions: list[str]) -> dict:
    """The machine's limit three ways (GFLOP/s); ``limit`` is the highest float32 figure, and
    ``limit_bfloat16`` the highest bfloat16 one where measured."""
    result = {"theoretical": theoretical_peak(facts), "numpy_matmul": numpy_matmul(),
              "framework_matmul": framework_matmul()}
    for precision in precisions:
        result[f"conv_vae_convolutions_{precision}"] = conv_throughput(precision)
    if "mixed_bfloat16" in precisions:
        result["framework_matmul_bfloat16"] = framework_matmul(dtype="bfloat16")
    float32 = [result["theoretical"] or 0, *result["numpy_matmul"].values(), *result["framework_matmul"].values(),
               result["conv_vae_convolutions_float32"]]
    result["limit"] = max(float32)
    if "mixed_bfloat16" in precisions:
        result["limit_bfloat16"] = max([2 * result["limit"], *result["framework_matmul_bfloat16"].values(),
                                        result["conv_vae_convolutions_mixed_bfloat16"]])
    return result
