"""A real one-node SLURM cluster on localhost for the study's SLURM runner test.

:func:`slurm` finds Debian's ``slurmctld``, ``slurmd`` and ``munged`` or installs them with apt-get
where that is possible, and otherwise says why it cannot; :class:`SlurmCluster` runs a controller and
one compute node (this machine, every core) with their configuration, state and logs in a folder of
its own, on free ports; ``env`` is what a client (``sbatch``, ``squeue``) needs to reach it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from install import apt_install
from sshd import free_port

DAEMONS = ("slurmctld", "slurmd", "munged", "sbatch", "squeue", "sinfo")
MUNGE_SOCKET = Path("/run/munge/munge.socket.2")


def slurm() -> tuple[bool, str]:
    """(True, "") when SLURM's daemons and clients are here (installed now if need be), else (False, why)."""
    def missing():
        return [name for name in DAEMONS if not shutil.which(name) and not os.access(f"/usr/sbin/{name}", os.X_OK)]

    if not missing():
        return True, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False, f"no {', '.join(missing())}, and apt-get is not usable here (not root, or not Debian)"
    for package in ("munge", "slurmctld", "slurmd", "slurm-client"):
        why = apt_install(package)
        if why:
            return False, why
    return (False, f"apt-get installed SLURM but {', '.join(missing())} is missing") if missing() else (True, "")


def munge_answers() -> bool:
    """Whether a munged listens on its socket (the file alone can be a dead one's)."""
    with socket.socket(socket.AF_UNIX) as client:
        try:
            client.connect(str(MUNGE_SOCKET))
            return True
        except OSError:
            return False


def _daemon(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


class SlurmCluster:
    """slurmctld and slurmd on localhost (one node, partition ``study``); a context manager.

    Jobs run as the current user (root here: SlurmUser is the current user). munged is the system's
    (started if it is not running, with the key Debian's package made), since the clients talk to it
    on its fixed socket.
    """

    def __init__(self, directory: Path, timeout: float = 60):
        self.directory = directory = Path(directory).resolve()
        for folder in ("state", "spool", "log"):
            (directory / folder).mkdir(parents=True, exist_ok=True)
        self.conf = directory / "slurm.conf"
        user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
        self.conf.write_text(f"""ClusterName=study
SlurmctldHost=localhost
SlurmUser={user}
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
StateSaveLocation={directory / "state"}
SlurmdSpoolDir={directory / "spool"}
SlurmctldPidFile={directory / "slurmctld.pid"}
SlurmdPidFile={directory / "slurmd.pid"}
SlurmctldLogFile={directory / "log" / "slurmctld.log"}
SlurmdLogFile={directory / "log" / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs={len(os.sched_getaffinity(0))} State=UNKNOWN
PartitionName=study Nodes=localhost Default=YES MaxTime=INFINITE State=UP
""")
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        if not munge_answers():  # a socket left by a munged that is gone answers nothing: start one over it
            MUNGE_SOCKET.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([_daemon("munged"), "--force"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
            deadline = time.monotonic() + 30
            while not munge_answers():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"munged did not start: nothing answers on {MUNGE_SOCKET}")
                time.sleep(0.2)
        self.daemons = []  # in the foreground (-D), children of this process: nothing waits on a daemon's fork
        for name in ("slurmctld", "slurmd"):
            with open(directory / "log" / f"{name}.out", "wb") as out:
                self.daemons.append(subprocess.Popen([_daemon(name), "-D"], env=self.env, stdout=out,
                                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        while "idle" not in self.run("sinfo", "--noheader", "--format=%t").stdout:
            stopped = [f"{daemon.args[0]} exited with {daemon.returncode}" for daemon in self.daemons
                       if daemon.poll() is not None]
            if stopped or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the node did not come up ({'; '.join(stopped) or 'timed out'}): {self.logs()}")
            time.sleep(0.5)

    def run(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=60)

    def logs(self) -> str:
        return " | ".join(f"{p.name}: {p.read_text()[-800:]}" for p in sorted((self.directory / "log").glob("*.*")))

    def stop(self) -> None:
        self.run("scancel", "--full", "--quiet", "--partition=study") if shutil.which("scancel") else None
        for daemon in reversed(self.daemons):
            if daemon.poll() is None:
                daemon.terminate()
                try:
                    daemon.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
