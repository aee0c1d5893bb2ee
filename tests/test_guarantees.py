"""Trustworthy runs: bad input refused in seconds with nothing else touched, interrupted training
that leaves no finished-looking output, and the same params giving byte-identical metrics."""

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import numpy as np
import yaml

from helpers import (DELETE, ORIGINAL_MODELS, ROOT, Project, idx_bytes, subprocess_env, tiny_params, with_values,
                     write_idx_dir)

pytestmark = pytest.mark.slow  # a second run, 55 bad-input repros, a SIGTERM

PARAMS = tiny_params(ORIGINAL_MODELS)  # four models' chains: every stage script runs, at two thirds of the time

OUTPUT_FOLDERS = ("data", "models", "metrics", "plots", "report")


def snapshot(project: Project) -> dict[str, str]:
    """Hash of dvc.lock and of every file under the output folders."""
    files = {"dvc.lock": project.path / "dvc.lock"}
    for folder in OUTPUT_FOLDERS:
        for path in (project.path / folder).rglob("*"):
            if path.is_file() and path.name != ".gitignore":
                files[str(path.relative_to(project.path))] = path
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sorted(files.items())}


def stage_outputs(project: Project, stage: str) -> list[str]:
    return [str(out) for out in project.stages()[stage].outs]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A second project on the tiny params of :data:`PARAMS`, independent of ``reproduced``: its first ``dvc repro``
    is stopped by SIGTERM in a training stage (what was left is in ``project.interrupted``), then ``dvc repro`` runs
    it to the end. One full run serves the SIGTERM, byte-identity and bad-input tests."""
    project = Project(tmp_path_factory.mktemp("guarantees"), PARAMS)
    project.dvc("repro", "download")
    project.interrupted = interrupt_training(project)
    project.repro()
    project.commit("first run")
    return project


def bad_idx_dir(tmp: Path, stem: str, raw: bytes, compress=False) -> str:
    return str(write_idx_dir(tmp / "idx", compress=compress, **{stem: raw}))


def truncated_gzip_dir(tmp: Path) -> str:
    folder = write_idx_dir(tmp / "idx", compress=True)
    target = folder / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:1000])
    return str(folder)


def tfds_host_reachable() -> bool:
    try:
        socket.create_connection(("storage.googleapis.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


# (stage, {key: value}, what the last line must name); a callable value is given a tmp folder.
CASES = {
    "epochs zero": ("train@ae", {"train.epochs": 0}, "train.epochs"),
    "epochs not an integer": ("train@ae", {"train.epochs": 2.5}, "train.epochs"),
    "batch size zero": ("train@vae", {"train.batch_size": 0}, "train.batch_size"),
    "learning rate zero": ("train@conv_vae", {"train.learning_rate": 0.0}, "train.learning_rate"),
    "latent size zero": ("train@ae", {"model.latent_size": 0}, "model.latent_size"),
    "hidden units zero": ("train@vae", {"models.vae.hidden_units": 0}, "models.vae.hidden_units"),
    "beta negative": ("train@conv_vae", {"models.conv_vae.beta": -1.0}, "models.conv_vae.beta"),
    "unknown architecture": ("train@ae", {"models.ae.architecture": "dense_gan"}, "models.ae.architecture"),
    "unknown source": ("download", {"data.source": "kaggle"}, "data.source"),
    "fraction above one": ("download", {"data.val_fraction": 1.5}, "data.val_fraction"),
    "fractions sum to one": ("download", {"data.val_fraction": 0.5, "data.eval_fraction": 0.5}, "data.val_fraction"),
    "perplexity zero": ("tsne@vae", {"tsne.perplexity": 0}, "tsne.perplexity"),
    "perplexity above the points": ("tsne@ae", {"tsne.perplexity": 60}, "tsne.perplexity"),
    "num_samples zero": ("codes@vae", {"report.num_samples": 0}, "report.num_samples"),
    "num_samples above the set": ("codes@conv_vae", {"report.num_samples": 61}, "report.num_samples"),
    "required key missing": ("download", {"seed": DELETE}, "seed"),
    "misspelt key": ("train@ae", {"train.epochs": DELETE, "train.epoch": 1}, "train.epoch"),
    "idx_dir missing": ("download", {"data.source": "idx", "data.idx_dir": lambda t: str(t / "none")}, "data.idx_dir"),
    "idx_dir a file": ("download", {"data.source": "idx", "data.idx_dir": lambda t: str(ROOT / "README.md")},
                       "data.idx_dir"),
    "idx_dir lacks a file": ("download", {"data.source": "idx", "data.idx_dir": lambda t: str(t)}, "data.idx_dir"),
    "idx truncated gzip": ("download", {"data.source": "idx", "data.idx_dir": truncated_gzip_dir},
                           "train-images-idx3-ubyte.gz"),
    "idx wrong magic": ("download", {"data.source": "idx", "data.idx_dir": lambda t: bad_idx_dir(
        t, "train-labels-idx1-ubyte", idx_bytes(np.zeros(60), magic=0x0803))}, "train-labels-idx1-ubyte"),
    "idx counts differ": ("download", {"data.source": "idx", "data.idx_dir": lambda t: bad_idx_dir(
        t, "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(19)))}, "t10k-labels-idx1-ubyte"),
    "idx not 28x28": ("download", {"data.source": "idx", "data.idx_dir": lambda t: bad_idx_dir(
        t, "train-images-idx3-ubyte", idx_bytes(np.zeros((60, 32, 32))), compress=True)}, "train-images-idx3-ubyte"),
    "idx label outside 0-9": ("download", {"data.source": "idx", "data.idx_dir": lambda t: bad_idx_dir(
        t, "train-labels-idx1-ubyte", idx_bytes(np.full(60, 12)))}, "train-labels-idx1-ubyte"),
    "tfds without a network": ("download", {"data.source": "tfds"}, "data.source"),
    "training diverges": ("train@vae", {"train.learning_rate": 1.0e9}, "train.learning_rate"),
    "unknown mixture covariance": ("generation@vae", {"generation.mixture_covariance": "full-rank"},
                                   "generation.mixture_covariance"),
    "too few generated digits": ("generation@ae", {"generation.num_samples": 3}, "generation.num_samples"),
    "judge epochs zero": ("judge", {"judge.epochs": 0}, "judge.epochs"),
    "gamma negative": ("train@class_vae", {"models.class_vae.gamma": -1.0}, "models.class_vae.gamma"),
    "more neighbours than digits": ("separation@ae", {"separation.neighbours": 60}, "separation.neighbours"),
    "confidence level 1": ("contrasts", {"bootstrap.level": 1.0}, "bootstrap.level"),
    "unknown distribution": ("train@ae", {"train.distribute": "multi"}, "train.distribute"),
    "no threads": ("codes@vae", {"compute.threads": 0}, "compute.threads"),
    "unknown precision": ("train@vae", {"train.precision": "float16"}, "train.precision"),
    "unknown t-SNE backend": ("tsne@ae", {"tsne.backend": "umap"}, "tsne.backend"),
    # values valid alone but not for a machine, or for these data (180 training, 60 evaluation digits)
    "seed above 32 bits": ("download", {"seed": 2**32}, "seed"),
    "judge seed above 32 bits": ("judge", {"judge.seed": 2**32}, "judge.seed"),
    "learning rate of 400 digits": ("train@ae", {"train.learning_rate": 10**400}, "train.learning_rate"),
    "architecture given as a list": ("train@vae", {"models.vae.architecture": ["dense_vae"]}, "models.vae.architecture"),
    "latent size 1": ("train@ae", {"model.latent_size": 1}, "model.latent_size"),
    "latent size above the training digits": ("train@vae", {"model.latent_size": 181}, "model.latent_size"),
    "baselines' neighbours above the training digits": ("baselines", {"separation.neighbours": 181},
                                                        "separation.neighbours"),
    "neighbours half the evaluation digits": ("separation@vae", {"separation.neighbours": 30}, "separation.neighbours"),
    "mixture above the training codes": ("samplers@vae-mixture", {"generation.mixture_components": 181},
                                         "generation.mixture_components"),
    "copy cells above the training digits": ("copies", {"generation.copy_cells": 181}, "generation.copy_cells"),
    "more draws shown than drawn": ("explore", {"explore.draws": 64}, "explore.draws"),
    "a flow fitted in no step": ("samplers@vae-flow", {"generation.fit_steps": 0}, "generation.fit_steps"),
    "interpolation wider than a figure": ("codes@ae", {"report.interpolation_steps": 800}, "report.interpolation_steps"),
    "resamples past any need": ("separation@ae", {"bootstrap.resamples": 10**12}, "bootstrap.resamples"),
    "threads past any machine": ("train@ae", {"compute.threads": 4096}, "compute.threads"),
    "community tfds builder": ("download", {"data.source": "tfds", "data.tfds_name": "huggingface:mnist"},
                               "data.tfds_name"),
    "idx header past int64": ("download", {"data.source": "idx", "data.idx_dir": lambda t: bad_idx_dir(
        t, "train-images-idx3-ubyte", (0x0803).to_bytes(4, "big") + b"\xff\xff\xff\xff" * 3)},
        "train-images-idx3-ubyte"),
    "evaluation digits of one class": ("download", {"data.source": "idx", "data.idx_dir": lambda t: bad_idx_dir(
        t, "t10k-labels-idx1-ubyte", idx_bytes(np.full(20, 3)))}, "every label is 3"),
}
TRAINING = re.compile(r"^\w+: epoch \d+/\d+ ")  # latentspace.models.training's line an epoch


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_fast_naming_it_and_touches_nothing_else(project, tmp_path, case):
    stage, changes, named = CASES[case]
    if case == "tfds without a network" and tfds_host_reachable():
        pytest.skip("this machine reaches the tfds download host")
    before = snapshot(project)
    project.write_params(with_values(PARAMS, {key: value(tmp_path) if callable(value) else value
                                                     for key, value in changes.items()}))
    try:
        result = project.dvc("repro", "-s", stage, check=False)
        output = (result.stdout + result.stderr).strip().splitlines()
        stage_lines = [line for line in output if not line.startswith(("ERROR:", "Running stage", "> "))]
        assert result.returncode != 0, output
        assert named in output[-1] or (stage_lines and named in stage_lines[-1]), output[-6:]
        if case != "training diverges":  # that one has to train a little first: the others refuse before any epoch
            assert not [line for line in output if TRAINING.match(line)], output[-6:]
        after = snapshot(project)
        ours = tuple(stage_outputs(project, stage))
        assert {k: v for k, v in after.items() if not k.startswith(ours)} == \
               {k: v for k, v in before.items() if not k.startswith(ours)}
        assert not [k for k in after if ".tmp-" in k], "temporary files left behind"
    finally:
        project.write_params(PARAMS)
    ran = project.repro()  # restored from DVC's run cache: nothing retrains
    assert ran == [] and snapshot(project) == before


def locked_inputs(project: Project) -> dict[str, list]:
    """Each stage's deps and params as ``dvc.lock`` records them (paths, hashes and values)."""
    lock = yaml.safe_load((project.path / "dvc.lock").read_text())["stages"]
    return {name: [stage.get("deps"), stage.get("params")] for name, stage in lock.items()}


def test_same_inputs_give_byte_identical_metrics_models_and_figures(project, reproduced):
    """Two separate runs (two repositories, separate processes): every stage whose inputs are the same in both (the
    same deps' hashes and params: all but the gathering stages, which see six models there and four here) wrote the
    same bytes."""
    ours, theirs = locked_inputs(project), locked_inputs(reproduced)
    same = [name for name, inputs in ours.items() if theirs.get(name) == inputs]
    assert {name for name in ours if "@" in name or name in ("download", "judge", "morphometry", "copies")} <= set(same)
    stages = project.stages()  # resolved once: a second of DVC's a call
    outs = tuple(str(out) for name in same for out in stages[name].outs)
    files = [name for name in reproduced.first_outputs if name in outs or name.startswith(tuple(f"{o}/" for o in outs))]
    assert {"metrics/train/conv_vae.json", "metrics/separation/vae.json", "models/vae/encoder.keras",
            "plots/curves/ae.csv", "data/codes/vae.npz", "data/samplers/vae/flow.npz",
            "metrics/generation/class_vae.json", "plots/tsne/vae.csv"} <= set(files)
    for name in files:
        assert (project.path / name).read_bytes() == reproduced.first_outputs[name], name


def training_process(project: Project) -> tuple[int, str] | None:
    """(pid, model) of a ``stages.train`` process of ``project`` that has loaded TensorFlow, if any."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().decode().split("\0")
            if "stages.train" in argv and Path(os.readlink(proc / "cwd")) == project.path:
                if "tensorflow" in (proc / "maps").read_text():
                    return int(proc.name), argv[argv.index("stages.train") + 1]
        except (OSError, ValueError, IndexError):
            continue  # gone, or not ours
    return None


def interrupt_training(project: Project) -> dict:
    """Start ``dvc repro``, SIGTERM the first training stage caught with TensorFlow loaded, and report
    ``{"model", "returncode", "output", "litter", "left"}`` (temporary files and the stage's outputs left)."""
    process = subprocess.Popen([sys.executable, "-m", "dvc", "repro"], cwd=project.path, env=subprocess_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    found = None
    while found is None and time.monotonic() < deadline and process.poll() is None:
        found = training_process(project)  # TensorFlow is loaded: the model is being built or fitted
        time.sleep(0.05)
    if found is None:
        process.kill()
        process.communicate()
        return {"model": None}
    victim, model = found
    time.sleep(1.0)
    os.kill(victim, signal.SIGTERM)
    output, _ = process.communicate(timeout=300)
    return {"model": model, "returncode": process.returncode, "output": output,
            "litter": [str(p) for p in project.path.rglob("*.tmp-*")],
            "left": [left for left in (f"models/{model}", f"metrics/train/{model}.json", f"plots/curves/{model}.csv")
                     if (project.path / left).exists()]}


def test_sigterm_during_training_leaves_nothing_and_the_rerun_matches(project, reproduced):
    killed = project.interrupted
    assert killed["model"] is not None, "never caught a training stage in progress"
    assert killed["returncode"] != 0
    assert "terminated (SIGTERM)" in killed["output"]
    assert not killed["litter"], killed["litter"]
    assert not killed["left"], killed["left"]
    # the rerun (the fixture's) finished every stage with the same bytes as the uninterrupted run
    for name in ("train/ae", "train/vae", "train/conv_vae", "train/class_vae", "separation/vae", "generation/vae"):
        assert (project.path / f"metrics/{name}.json").read_bytes() == reproduced.first_outputs[f"metrics/{name}.json"]
    assert "up to date" in project.dvc("status").stdout


def test_sigkill_mid_training_leaves_nothing_dvc_would_hash_and_the_next_run_sweeps_it(project):
    """SIGKILL (what an out-of-memory kill sends) a training stage after an epoch: nothing can clean up,
    so its temporaries must lie where neither DVC nor git looks, and the next run must remove them."""
    before, lock = snapshot(project), (project.path / "dvc.lock").read_bytes()
    project.write_params(with_values(PARAMS, {"train.epochs": 2000}))  # a minute or so: time to catch it
    partial = project.path / ".dvc" / "tmp" / "partial"
    process = subprocess.Popen([sys.executable, "-m", "dvc", "repro", "-s", "train@vae"], cwd=project.path,
                               env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, found = time.monotonic() + 300, None
        while found is None and time.monotonic() < deadline and process.poll() is None:
            curves = [p for p in partial.glob("*vae.csv")] if partial.is_dir() else []
            if curves and curves[0].read_text().count("\n") >= 2:  # the header and one epoch
                found = training_process(project)
            time.sleep(0.05)
        assert found is not None, "never caught train@vae after an epoch"
        os.kill(found[0], signal.SIGKILL)
        process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
        project.write_params(PARAMS)
    assert process.returncode != 0
    litter = [p for p in project.path.rglob("*") if ".tmp" in p.name and ".dvc" not in p.relative_to(project.path).parts]
    assert not litter, litter  # nothing in the tracked folders, which DVC would hash
    assert [p.name for p in partial.iterdir()], "the killed stage's temporaries are where they were written"
    assert (project.path / "dvc.lock").read_bytes() == lock  # nothing recorded of the killed run
    status = project.dvc("status").stdout  # DVC removed the stage's outputs before running it (so the folders
    assert "deleted:            models/vae" in status, status  # that hold them changed); nothing else is new
    assert project.repro() == []  # restored from the run cache, as after a clean run
    assert snapshot(project) == before and "up to date" in project.dvc("status").stdout
    project.dvc("repro", "-s", "train@vae", "--force")  # the next run of any stage sweeps the dead one's temporaries
    assert not list(partial.iterdir())
    assert snapshot(project) == before  # and trains the same bytes again
