"""The tools write only what they own: existing files of anyone else's, the project, home, / and .git are
refused in one line before any work; one holder at a time; every page under a content security policy."""

import os
import subprocess
import sys

import pytest

from helpers import ROOT, git_init
from latentspace.tools import benchmark, folders, over_seeds
from latentspace.tools.study import lock, cli as study


@pytest.fixture
def repo(tmp_path, monkeypatch):
    path = tmp_path / "repo"
    git_init(path)
    (path / "dvc.yaml").write_text("stages: {}\n")
    monkeypatch.chdir(path)
    return path


def test_an_existing_file_of_anyone_elses_is_never_overwritten(repo, capsys, monkeypatch):
    monkeypatch.setattr(over_seeds, "exp_show", lambda options: pytest.fail("ran dvc exp show"))
    assert over_seeds.main(["--json", "dvc.yaml"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to write --json dvc.yaml") and "name a new path" in err
    assert err.count("\n") == 1 and (repo / "dvc.yaml").read_text() == "stages: {}\n"
    with pytest.raises(folders.FolderError, match="the file exists and is not this tool's output"):
        folders.check_file(ROOT / "dvc.yaml", "--out", benchmark.OWN)
    assert folders.check_file(ROOT / "benchmarks" / "latest.json", "--out", benchmark.OWN)  # its own output
    assert folders.check_file(repo / "new.json", "--json")  # a new path


def test_the_benchmark_refuses_dvc_yaml_and_the_project_as_workspace_before_measuring(capsys, monkeypatch):
    monkeypatch.setattr(benchmark, "machine", lambda: pytest.fail("started measuring"))
    before = (ROOT / "dvc.yaml").read_bytes(), (ROOT / "params.yaml").read_bytes()
    assert benchmark.main(["--out", str(ROOT / "dvc.yaml")]) == 1
    assert "refusing to write --out" in capsys.readouterr().err
    for workspace in (".", str(ROOT), str(ROOT / "latentspace"), os.path.expanduser("~"), "/"):
        assert benchmark.main(["--out", "/tmp/never-written.json", "--workspace", workspace]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: refusing --workspace") and err.count("\n") == 1, err
    assert ((ROOT / "dvc.yaml").read_bytes(), (ROOT / "params.yaml").read_bytes()) == before


def test_an_own_folder_is_made_marked_and_taken_again_but_a_strangers_is_not(tmp_path, repo):
    made = folders.own_folder(tmp_path / "shared", "study", "--shared", [repo])
    assert (made / folders.MARKER).read_text() == "study\n"
    (made / "points").mkdir()
    assert folders.own_folder(tmp_path / "shared", "study", "--shared", [repo]) == made  # its own, again
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("x")
    for path, why in ((tmp_path / "notes", "not its own"), (repo, "it is a repository"),
                      (repo / "shared", "inside the repository"), (repo / ".git" / "x", ".git"),
                      (tmp_path / "shared" / folders.MARKER, "not a folder")):
        with pytest.raises(folders.FolderError, match=why):
            folders.own_folder(path, "study", "--shared", [repo])
    with pytest.raises(folders.FolderError, match="not its own"):
        folders.own_folder(tmp_path / "shared", "benchmark", "--workspace", [repo])  # another tool's


def test_submit_refuses_the_project_and_unplain_shared_paths(capsys):
    for shared in (".", str(ROOT / "cluster"), os.path.expanduser("~"), "/tmp/a b", "/tmp/x\n#SBATCH --x"):
        assert study.main(["submit", "--shared", shared, "--study", str(ROOT / "study.yaml")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1, err
    assert not (ROOT / "cluster").exists() and not (ROOT / "points").exists()


def test_one_holder_at_a_time_and_a_dead_holders_lock_is_taken_over(tmp_path):
    path = tmp_path / "lock"
    with lock.held(path, "study run"):
        assert path.read_text().split()[1] == str(os.getpid())
        with pytest.raises(lock.LockError, match="study run is already running"):
            with lock.held(path, "study run"):
                pass
    assert not path.exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    path.write_text(f"{socket.gethostname()} {dead.stdout.strip()} then\n")  # SIGKILL left it
    with lock.held(path, "study run"):
        assert str(os.getpid()) in path.read_text()
    path.write_text("another-host 1 then\n")  # may still run there
    with pytest.raises(lock.LockError, match="remove the file if that process is gone"):
        with lock.held(path, "study run"):
            pass


def test_every_page_but_the_explorer_allows_no_script():
    from latentspace.pages import page_parts
    from latentspace.tools.study import pages as study_pages

    hostile = "<script>alert(1)</script>"
    assert "default-src 'none'" in page_parts.PAGE_POLICY and "script-src" not in page_parts.PAGE_POLICY
    decided = {hostile: {"seeds": [1], "size": None, "metrics": {hostile: {"mean": 1.0, "sd": 0.0, "values": [1.0]}},
                         "claims": {}, "compute": {"points": 1, "minutes": 1.0, "range": [1.0, 1.0],
                                                    "machines": {hostile: [1]}}}}
    page = study_pages.page(decided)
    assert page_parts.PAGE_POLICY in page and "<script>" not in page and "&lt;script&gt;" in page
    # the report's page: tests/test_pipeline.py (the page a real run writes)
