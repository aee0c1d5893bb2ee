"""Shared test helpers: the project root, a tiny params tree, and a DVC project in a temporary git repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("stages", "latentspace", "dvc.yaml", "params.yaml", ".dvc/plots")  # .dvc/plots: chart templates


def tiny_params() -> dict:
    """The default params, shrunk so the whole pipeline runs in well under a minute on 2 cores."""
    tree = yaml.safe_load((ROOT / "params.yaml").read_text())
    tree["data"]["subsample"] = 300  # → 180 train, 60 val, 60 eval digits
    tree["train"]["epochs"] = 1
    tree["train"]["batch_size"] = 60
    tree["tsne"]["perplexity"] = 10
    tree["report"]["num_samples"] = 4
    tree["judge"]["epochs"] = 1
    tree["generation"]["num_samples"] = 60
    tree["generation"]["mixture_components"] = 2
    tree["bootstrap"]["resamples"] = 50
    return tree


def subprocess_env() -> dict:
    """The environment for DVC and stage processes: this interpreter first on PATH, no telemetry."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["DVC_NO_ANALYTICS"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def run(args, cwd, check=True, timeout=900, env_extra=None) -> subprocess.CompletedProcess:
    env = {**subprocess_env(), **(env_extra or {})}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


class Project:
    """A copy of the pipeline in its own git + DVC repository."""

    def __init__(self, path: Path, params: dict):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q")
        self.git("config", "user.email", "tests@example.invalid")
        self.git("config", "user.name", "tests")
        run([sys.executable, "-m", "dvc", "init", "-q"], cwd=path)
        run([sys.executable, "-m", "dvc", "config", "core.analytics", "false"], cwd=path)
        for name in PROJECT_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, path / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, path / name)
        self.write_params(params)
        self.commit("project")

    def git(self, *args) -> str:
        return run(["git", *args], cwd=self.path).stdout

    def dvc(self, *args, check=True) -> subprocess.CompletedProcess:
        return run([sys.executable, "-m", "dvc", *args], cwd=self.path, check=check)

    def write_params(self, tree: dict) -> None:
        (self.path / "params.yaml").write_text(yaml.safe_dump(tree, sort_keys=False))

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message, "--allow-empty")

    def repro(self, *args) -> list[str]:
        """Run ``dvc repro``; return the names of the stages that actually ran, in order."""
        output = self.dvc("repro", *args).stdout
        return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]

    def stages(self) -> dict:
        """``{name: stage}`` of the pipeline as DVC resolves it (``train@vae``, …), read in this process."""
        from dvc.repo import Repo

        with Repo(str(self.path)) as repo:
            return {stage.name: stage for stage in repo.index.stages}


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Project:
    """A project on tiny params after one full ``dvc repro`` (shared: it costs about a minute)."""
    project = Project(tmp_path_factory.mktemp("pipeline"), tiny_params())
    project.ran_first = project.repro()
    project.first_outputs = {str(p.relative_to(project.path)): p.read_bytes()
                             for folder in ("metrics", "models", "plots", "data") for p in sorted((project.path / folder).rglob("*"))
                             if p.is_file() and p.name != ".gitignore"}
    project.commit("first run")
    return project
