"""System packages the slow tier runs for real (Chromium, sshd, SLURM), installed with apt-get only when asked:
test set-up, not the product's (no module of latentspace imports it)."""

from __future__ import annotations

import os
import subprocess

INSTALL = "LATENTSPACE_INSTALL"  # set to 1 to let the tests install system packages


def apt_install(package: str) -> str:
    """Install Debian's ``package`` with apt-get (as root), only when asked (:data:`INSTALL` = 1: .ci/run sets
    it); "" when done, else why not, in one line (saying how to ask)."""
    if os.environ.get(INSTALL) != "1":
        return f"{package} is not installed; {INSTALL}=1 lets the tests install it with apt-get (as root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", package]):
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return f"'{' '.join(command)}' timed out"
        if result.returncode != 0:
            return f"'{' '.join(command)}' failed: {result.stderr.strip().splitlines()[-1:]}"
    return ""


