"""The machine at hand: its CPU (model, vector extensions, cores, clock) and the versions of the packages
its numbers depend on. Read by resumable training (a kept state is only taken up on the same kind of
machine), the benchmark (``machine`` in its results) and the study's records (which machine ran a point).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")  # the vector units a float result uses
PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "openTSNE", "dvc", "jax", "torch")


def lscpu() -> dict[str, str]:
    """``lscpu``'s fields ({"Model name": "AMD EPYC", ...}); empty where it cannot run."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def cpu(info: dict[str, str] | None = None) -> str:
    """The CPU's model name: ``lscpu``'s (``info`` if given), else /proc/cpuinfo's, else the platform's."""
    named = (lscpu() if info is None else info).get("Model name")
    found = re.search(r"^model name\s*:\s*(.*)$", _cpuinfo(), re.M)
    return named or (found.group(1).strip() if found else "") or platform.processor() or "unknown"


def extensions() -> list[str]:
    """The extensions of :data:`FLAGS` this CPU has, in that order."""
    flags = re.search(r"^flags\s*:(.*)$", _cpuinfo(), re.M)
    found = set(flags.group(1).split()) if flags else set()
    return [flag for flag in FLAGS if flag in found]


def versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Each package's installed version (None: not installed)."""
    found = {}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def facts() -> dict:
    """CPU model, extensions (of :data:`FLAGS`), usable cores, clock (GHz: lscpu's max, else
    /proc/cpuinfo's current), Python's version and versions of :data:`PACKAGES` (None: not installed)."""
    info = lscpu()
    current = re.search(r"^cpu MHz\s*:\s*([\d.]+)", _cpuinfo(), re.M)
    mhz = info.get("CPU max MHz") or (current.group(1) if current else None)
    return {"cpu": cpu(info), "extensions": extensions(), "cores": len(os.sched_getaffinity(0)),
            "ghz": float(mhz) / 1000 if mhz else None, "python": platform.python_version(), "versions": versions()}


def kind() -> str:
    """"AMD EPYC avx2 fma": the CPU's model and extensions, what decides its float results to the last bit."""
    return " ".join([cpu(), *extensions()])
