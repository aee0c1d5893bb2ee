"""A real OpenSSH server on localhost for tests that use a DVC SSH remote.

:func:`sshd` finds Debian's ``/usr/sbin/sshd`` or installs it with apt-get where that is possible,
and otherwise says why it cannot; :class:`SSHServer` runs one on 127.0.0.1 that lets the current user
in with a fresh key; :func:`configure_dvc_remote` points a DVC project at it.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from install import apt_install

SSHD = "/usr/sbin/sshd"
NOT_TO_BE_RUN = Path("/etc/ssh/sshd_not_to_be_run")  # Debian's init script and systemd unit start no sshd while it exists


def sshd() -> tuple[str | None, str]:
    """(absolute path of sshd, "") or (None, why there is none)."""
    if os.access(SSHD, os.X_OK) and shutil.which("ssh-keygen"):
        return SSHD, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, f"no {SSHD}, and apt-get is not usable here (not root, or not Debian)"
    # The package would start a system sshd on port 22 where invoke-rc.d lets it (no policy-rc.d denying it):
    # the marker file stops that, now and at every boot.
    NOT_TO_BE_RUN.parent.mkdir(parents=True, exist_ok=True)
    NOT_TO_BE_RUN.touch()
    why = apt_install("openssh-server")
    if why:
        return None, why
    return (SSHD, "") if os.access(SSHD, os.X_OK) else (None, f"apt-get installed openssh-server but there is no {SSHD}")


def keygen(path: Path) -> str:
    """Make an ed25519 key pair at ``path`` (and ``path.pub``); return the public key as ``type base64``."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)],
                   check=True, capture_output=True)
    return " ".join(Path(f"{path}.pub").read_text().split()[:2])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SSHServer:
    """``sshd -D`` on 127.0.0.1 at a free port, with its keys, config and log in ``directory``; a context manager.

    ``keyfile`` is the client's private key, ``known_hosts`` a file naming the host key for ``[127.0.0.1]:port``.
    """

    def __init__(self, directory: Path, executable: str = SSHD, timeout: float = 30):
        self.directory = directory = Path(directory).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        self.user, self.port, self.timeout = getpass.getuser(), free_port(), timeout
        self.keyfile, self.known_hosts = directory / "client_key", directory / "known_hosts"
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {keygen(directory / 'host_key')}\n")
        (directory / "authorized_keys").write_text(keygen(self.keyfile) + "\n")
        self.config, self.log = directory / "sshd_config", directory / "sshd.log"
        self.config.write_text(f"""\
ListenAddress 127.0.0.1
Port {self.port}
HostKey {directory / 'host_key'}
AuthorizedKeysFile {directory / 'authorized_keys'}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile {directory / 'sshd.pid'}
Subsystem sftp internal-sftp
""")
        self.executable, self._process = executable, None

    def __enter__(self):
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation directory, needed as root
        with self.log.open("wb") as log:  # a file, not a pipe: a full pipe would block sshd
            self._process = subprocess.Popen([self.executable, "-D", "-e", "-f", str(self.config)],
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"sshd did not listen on 127.0.0.1:{self.port} "
                                   f"(exit status {self._process.returncode}):\n{self.log.read_text()}")
            time.sleep(0.05)

    def __exit__(self, *exc):
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)

    def url(self, path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{Path(path).resolve()}"


def configure_dvc_remote(dvc, name: str, server: SSHServer, path=None) -> None:
    """Give ``dvc(*args)``'s project the client key for remote ``name``; with ``path``, first add that remote.

    The remote goes to ``.dvc/config`` as the default (it travels with git); the key, a path on this machine,
    goes to ``.dvc/config.local`` (it does not: a clone calls this again without ``path``).

    Host keys: DVC has no remote option for them (its ssh options are port, user, password, passphrase, keyfile,
    timeout, gss_auth, allow_agent, max_sessions, ...), dvc-ssh passes none, and sshfs calls
    ``asyncssh.connect(known_hosts=None)``, which turns host key checking off: neither ``~/.ssh/known_hosts``
    nor ``UserKnownHostsFile`` in ``~/.ssh/config`` is read. So DVC accepts any host key, nothing is needed or
    possible here, and ``server.known_hosts`` serves OpenSSH's own clients (``ssh``, ``sftp``).
    """
    if path is not None:
        dvc("remote", "add", "-d", name, server.url(path))
    dvc("remote", "modify", "--local", name, "keyfile", str(server.keyfile))
