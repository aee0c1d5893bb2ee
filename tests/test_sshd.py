"""A DVC SSH remote on a real OpenSSH server on localhost: push with the run cache, clone, pull, nothing to rerun."""

from __future__ import annotations

import shutil

import pytest
import yaml

from helpers import dvc_in, git_init, run, stages_ran
from sshd import configure_dvc_remote, keygen

pytestmark = pytest.mark.slow  # a real sshd

STAGE = {"stages": {"write": {"cmd": "echo '${text}' > out.txt", "params": ["text"], "outs": ["out.txt"]}}}


def make_repo(path, server, remote) -> None:
    """A git + DVC repo with one stage, reproduced and committed, whose default remote is ``remote`` on ``server``."""
    git_init(path)
    dvc = dvc_in(path)
    dvc("init", "-q")
    (path / "params.yaml").write_text("text: hello over ssh\n")
    (path / "dvc.yaml").write_text(yaml.safe_dump(STAGE))
    configure_dvc_remote(dvc, "storage", server, remote)
    dvc("repro")
    run(["git", "add", "-A"], cwd=path)
    run(["git", "commit", "-qm", "stage"], cwd=path)


def test_push_clone_pull(ssh_server, tmp_path):
    remote, repo, clone = tmp_path / "remote", tmp_path / "repo", tmp_path / "clone"
    make_repo(repo, ssh_server, remote)
    dvc_in(repo)("push", "--run-cache")
    assert [p for p in (remote / "files" / "md5").rglob("*") if p.is_file()]
    assert [p for p in (remote / "runs").rglob("*") if p.is_file()]

    run(["git", "clone", "-q", str(repo), str(clone)], cwd=tmp_path)
    dvc = dvc_in(clone)
    configure_dvc_remote(dvc, "storage", ssh_server)  # config.local did not travel with the clone
    dvc("pull", "--run-cache")
    assert (clone / "out.txt").read_bytes() == (repo / "out.txt").read_bytes() == b"hello over ssh\n"
    assert stages_ran(dvc("repro").stdout) == []


def ssh(server, known_hosts, check=False):
    return run(["ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-i", str(server.keyfile), "-p", str(server.port),
                f"{server.user}@127.0.0.1", "true"], cwd=server.directory, check=check, timeout=60)


def wrong_known_hosts(server, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[127.0.0.1]:{server.port} {keygen(path.parent / 'other_key')}\n")
    return path


def test_known_hosts_is_right_and_checked_by_openssh(ssh_server, tmp_path):
    """The server's known_hosts lets OpenSSH's ssh in with host key checking on; a different host key is refused."""
    if not shutil.which("ssh"):
        pytest.skip("no ssh client on PATH")
    ssh(ssh_server, ssh_server.known_hosts, check=True)
    refused = ssh(ssh_server, wrong_known_hosts(ssh_server, tmp_path / "wrong" / "known_hosts"))
    assert refused.returncode == 255 and "Host key verification failed" in refused.stderr


def test_dvc_ssh_does_not_check_host_keys(ssh_server, tmp_path):
    """A canary, not a wish: sshfs connects with known_hosts=None, so DVC pushes even where ~/.ssh/known_hosts
    names another key. If this starts failing, DVC checks host keys and configure_dvc_remote must provide one."""
    home = tmp_path / "home"
    wrong_known_hosts(ssh_server, home / ".ssh" / "known_hosts")
    make_repo(tmp_path / "repo", ssh_server, tmp_path / "remote")
    dvc_in(tmp_path / "repo", env_extra={"HOME": str(home)})("push")
    assert [p for p in (tmp_path / "remote" / "files" / "md5").rglob("*") if p.is_file()]
