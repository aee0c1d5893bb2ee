"""The study's runner on a real tiny grid: points run as DVC experiments and recorded as they finish;
a runner killed mid-point loses only that point; a fresh clone rebuilds the page from the records."""

import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import Project, run, subprocess_env, tiny_params

pytestmark = pytest.mark.slow  # three tiny pipelines as experiments, about ten minutes on 2 cores

STUDY = "datasets: {tiny: {}}\ngrid: [{dataset: tiny, seeds: [1, 2]}]\n"


def study(project: Project, *args, check=True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "latentspace.tools.study", *args], cwd=project.path, check=check, timeout=1800)


def test_a_killed_runner_reruns_only_the_point_in_progress_and_a_clone_rebuilds_the_page(tmp_path):
    project = Project(tmp_path / "project", tiny_params())
    (project.path / "study.yaml").write_text(STUDY)
    project.commit("a study of two points")
    runner = subprocess.Popen([sys.executable, "-m", "latentspace.tools.study", "run"], cwd=project.path,
                              env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    deadline = time.monotonic() + 1200
    try:
        while "study: tiny-all-seed1 recorded" not in project.git("log", "--format=%s") and time.monotonic() < deadline:
            assert runner.poll() is None, runner.communicate()[0][-3000:]
            time.sleep(1)
        time.sleep(20)  # the second point's experiment is under way
        assert runner.poll() is None, "the runner finished before it could be killed"
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.communicate()
    assert sorted(p.name for p in (project.path / "study/points").iterdir()) == ["tiny-all-seed1.json"]
    first = (project.path / "study/points/tiny-all-seed1.json").read_bytes()

    again = study(project, "run").stdout
    assert "[1/1] tiny-all-seed2: running" in again and "seed1: running" not in again  # only the lost point
    assert (project.path / "study/points/tiny-all-seed1.json").read_bytes() == first
    assert "2 recorded, 0 stale, 0 to run" in study(project, "status").stdout
    study(project, "report")
    page = (project.path / "study/index.html").read_bytes()
    assert b"class_term_helps" in page and b"tiny-all" in page

    clone = tmp_path / "clone"  # no DVC cache: the page comes from the committed records alone
    run(["git", "clone", "-q", str(project.path), str(clone)], cwd=tmp_path)
    status = run([sys.executable, "-m", "latentspace.tools.study", "status"], cwd=clone).stdout
    assert "2 recorded" in status
    run([sys.executable, "-m", "latentspace.tools.study", "report"], cwd=clone)
    assert (clone / "study/index.html").read_bytes() == page
