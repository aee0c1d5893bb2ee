"""The tests' fixtures; the helpers they use are in ``helpers.py``.

``pytest`` runs the fast tier (every unit test); ``pytest -m slow`` the rest, from one tiny ``dvc repro``
(the ``reproduced`` fixture) on (tests marked ``slow``: see ``[tool.pytest.ini_options]`` in pyproject.toml).
"""

from __future__ import annotations

import pytest

from latentspace.tools import browser
import slurm
import sshd
from helpers import Project, tiny_params
from install import apt_install


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Project:
    """A project on tiny params after one full ``dvc repro`` (shared: it costs two to three minutes on 2 cores).

    Tests may read it but must leave it as they found it: a test that changes params, commits,
    adds remotes or runs experiments takes ``own_copy`` instead."""
    project = Project(tmp_path_factory.mktemp("pipeline"), tiny_params())
    project.ran_first = project.repro()
    project.first_outputs = {str(p.relative_to(project.path)): p.read_bytes()
                             for folder in ("metrics", "models", "plots", "data") for p in sorted((project.path / folder).rglob("*"))
                             if p.is_file() and p.name != ".gitignore"}
    project.commit("first run")
    return project


@pytest.fixture
def own_copy(reproduced, tmp_path) -> Project:
    """This test's own copy of ``reproduced`` (git history, DVC cache and run cache included): change it at will."""
    return reproduced.copy(tmp_path / "project")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """A headless Chromium's path (installed with apt-get where possible); the test is skipped, saying why, without one."""
    path, why = browser.chromium()
    if path is None and not (why := apt_install("chromium")):
        path, why = browser.chromium()
    if path is None:
        pytest.skip(f"no headless Chromium: {why}")
    return path


@pytest.fixture
def ssh_server(tmp_path):
    """A real OpenSSH server on localhost (:class:`sshd.SSHServer`); the test is skipped, saying why, without one."""
    executable, why = sshd.sshd()
    if executable is None:
        pytest.skip(f"no OpenSSH server: {why}")
    with sshd.SSHServer(tmp_path / "sshd", executable) as server:
        yield server


@pytest.fixture
def slurm_cluster(tmp_path_factory):
    """A real one-node SLURM cluster on localhost (:class:`slurm.SlurmCluster`); the test is skipped, saying why,
    where SLURM cannot be installed."""
    found, why = slurm.slurm()
    if not found:
        pytest.skip(f"no SLURM: {why}")
    with slurm.SlurmCluster(tmp_path_factory.mktemp("slurm-cluster")) as cluster:  # apart from the test's files
        yield cluster


@pytest.fixture(scope="module")
def keras_runtime():
    """The Keras runtime (its thread pools as the process has them: another test may have started it already)."""
    from latentspace.models import runtime

    return runtime.start()
