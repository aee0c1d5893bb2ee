"""The study's runner on a real tiny grid: points run as DVC experiments and recorded as they finish;
a runner killed mid-point loses only that point; a fresh clone rebuilds the page from the records."""

import json
import re
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import Project, run, subprocess_env, tiny_params

pytestmark = pytest.mark.slow  # about four one-model pipelines as experiments, some ten minutes on 2 cores

MODELS = ("vae",)  # one section's chain: the runner's work is the same for any number; its own claims decided

STUDY = "datasets: {tiny: {data.split_seed: 42}}\ngrid: [{dataset: tiny, seeds: [1, 2]}]\n"  # one split: one judge
ONE_POINT = STUDY.replace("[1, 2]", "[1]")  # what SLURM runs and the local runner runs again, to compare


def study(project: Project, *args, check=True, env_extra=None) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "latentspace.tools.study", *map(str, args)], cwd=project.path, check=check,
               timeout=1800, env_extra=env_extra)


def test_a_killed_runner_reruns_only_the_point_in_progress_and_a_clone_rebuilds_the_page(tmp_path):
    project = Project(tmp_path / "project", tiny_params(MODELS))
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
    # the trainings' kept epochs and the points' running counts are spent once the points are recorded
    kept = project.path / "study/.checkpoints"
    assert (kept / ".gitignore").read_text() == "*\n" and not [*kept.glob("*.npz"), *kept.glob("*.seconds")]
    assert "study/.checkpoints" not in project.git("status", "--porcelain", "--untracked-files=all")
    second = json.loads((project.path / "study/points/tiny-all-seed2.json").read_text())
    assert second["compute"]["seconds"] > 0
    assert second["train_digits"] == 180  # data.train_size: null; read from the dataset DVC cached (tiny_params)
    study(project, "report")
    page = (project.path / "study/index.html").read_bytes()
    assert b"vae_draws_like_numbers" in page and b"tiny-all" in page  # a claim of the one model there

    clone = tmp_path / "clone"  # no DVC cache: the page comes from the committed records alone
    run(["git", "clone", "-q", str(project.path), str(clone)], cwd=tmp_path)
    status = run([sys.executable, "-m", "latentspace.tools.study", "status"], cwd=clone).stdout
    assert "2 recorded" in status
    run([sys.executable, "-m", "latentspace.tools.study", "report"], cwd=clone)
    assert (clone / "study/index.html").read_bytes() == page


def test_points_submitted_to_a_real_slurm_cluster_are_recorded_with_the_local_runners_numbers(tmp_path, slurm_cluster):
    on_slurm, local = (Project(tmp_path / name, tiny_params(MODELS)) for name in ("slurm", "local"))
    for project in (on_slurm, local):
        (project.path / "study.yaml").write_text(ONE_POINT)
        project.commit("a study of one point")
    shared = tmp_path / "shared"
    env = {"SLURM_CONF": slurm_cluster.env["SLURM_CONF"]}
    first = study(on_slurm, "submit", "--shared", shared, env_extra=env).stdout
    again = study(on_slurm, "submit", "--shared", shared, env_extra=env).stdout  # queued, running or done: not again
    submitted = study(on_slurm, "submit", "--shared", shared, "--wait", env_extra=env).stdout
    logs = " | ".join(p.read_text()[-1500:] for p in sorted((shared / "logs").glob("*.log")))
    assert "1 of 1 points recorded" in submitted, f"{submitted} {logs}"
    jobs = [re.findall(r"SLURM job (\S+)", text) for text in (first, again, submitted)]
    assert len(jobs[0]) == 1 and jobs[1] == jobs[0] and jobs[2] == jobs[0], jobs  # each point submitted once
    assert on_slurm.git("log", "--format=%s").count("recorded (SLURM)") == 1
    assert "1 recorded, 0 stale, 0 to run" in study(on_slurm, "status").stdout
    assert any((shared / "cache").rglob("*")), "the jobs' models and arrays went to the shared cache"

    study(local, "run")  # the default runner, the local DVC queue
    for point in ("tiny-all-seed1",):
        there, here = (json.loads((p.path / f"study/points/{point}.json").read_text()) for p in (on_slurm, local))
        assert there["measurements"] and there["measurements"] == here["measurements"], point
        assert there["metrics"] and there["metrics"] == here["metrics"], point
        assert there["params"] == here["params"] and there["code"] == here["code"], point
    assert study(on_slurm, "collect", "--shared", shared).stdout.startswith("0 records collected")  # nothing twice
