"""Resumable training: each finished epoch's state kept where DVC does not look, so that a training
stopped at any moment (SIGKILL, the end of a session) goes on from its last finished epoch and ends
with the very weights an uninterrupted run gives (bit for bit on the same kind of machine).

Off unless the environment names a folder (:data:`VARIABLE`): ``LATENTSPACE_CHECKPOINTS=DIR dvc repro``;
the study runner sets it for every point. A training's state lives in ``DIR/<model>-<key>.npz``: the
model's variables (the sampling layer's random state included), the optimizer's (Adam's moments and
step count) and the losses so far. The key (:func:`key`) digests everything that decides the training:
its settings, the training and validation digits, the code of every project module loaded, the
framework's versions and the CPU's kind; any change starts afresh. The file is written atomically after
each epoch and removed once the model is saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

from latentspace.core import machine

VARIABLE = "LATENTSPACE_CHECKPOINTS"
FRAMEWORKS = ("keras", "tensorflow", "jax", "torch")  # whose versions decide a training's numbers


def folder() -> Path | None:
    """The folder the environment names (:data:`VARIABLE`), or None: no checkpoints."""
    named = os.environ.get(VARIABLE, "").strip()
    return Path(named) if named else None


def _code() -> dict[str, str]:
    """MD5 of each project module this process has loaded (path relative to the package's parent)."""
    root = Path(__file__).resolve().parents[2]
    found = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and module.__name__.split(".")[0] == __package__.split(".")[0]:
            found[str(Path(path).resolve().relative_to(root))] = hashlib.md5(Path(path).read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def key(settings: dict, arrays: list[np.ndarray]) -> str:
    """A digest (16 hex digits) of ``settings`` (JSON-able), the ``arrays`` (bytes, dtypes and shapes),
    the project's loaded code, the framework's versions and the machine's kind (:func:`latentspace.core.machine.kind`)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"settings": settings, "code": _code(), "versions": machine.versions(FRAMEWORKS),
                              "machine": machine.kind()}, sort_keys=True).encode())
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()[:16]


def path(name: str, settings: dict, arrays: list[np.ndarray]) -> Path | None:
    """Where model ``name``'s state for these settings and digits (:func:`key`) is kept, or None when
    checkpoints are off (the key is then not computed: it reads every digit)."""
    where = folder()
    return where / f"{name}-{key(settings, arrays)}.npz" if where else None


def save(where: Path, epochs: int, model, history: dict[str, list[float]]) -> None:
    """Keep the state after ``epochs`` finished epochs: ``model``'s variables, its optimizer's, ``history``."""
    where.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"epochs": np.array([epochs], np.int64)}
    arrays.update({f"model/{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(model.variables)})
    arrays.update({f"optimizer/{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(model.optimizer.variables)})
    arrays.update({f"history/{name}": np.asarray(values, np.float64) for name, values in history.items()})
    # written now, not with the stage's outputs (latentspace.core.outputs.together holds those back to its end)
    partial = where.with_name(f".{where.name}.tmp-{os.getpid()}")
    try:
        with partial.open("wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, where)
    finally:
        partial.unlink(missing_ok=True)


def restore(where: Path, model) -> tuple[int, dict[str, list[float]]] | None:
    """Assign a kept state to ``model`` (compiled, its optimizer built) and return (epochs done, history);
    None, with ``model`` untouched, when there is none or it does not fit this model."""
    if not where.is_file():
        return None
    try:
        with np.load(where, allow_pickle=False) as archive:
            kept = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        print(f"{where}: cannot be read ({exc}); training starts afresh", file=sys.stderr)
        return None
    if "epochs" not in kept:
        print(f"{where}: holds no epoch count; training starts afresh", file=sys.stderr)
        return None
    targets = [("model", model.variables), ("optimizer", model.optimizer.variables)]
    for prefix, variables in targets:
        values = sorted(n for n in kept if n.startswith(f"{prefix}/"))
        # (a scalar comes back as shape (1,): the archive keeps arrays of at least one dimension)
        if len(values) != len(variables) or any(kept[n].size != np.prod(v.shape) for n, v in zip(values, variables)):
            print(f"{where}: kept for another model; training starts afresh", file=sys.stderr)
            return None
    for prefix, variables in targets:
        for n, variable in zip(sorted(n for n in kept if n.startswith(f"{prefix}/")), variables):
            variable.assign(kept[n].reshape(tuple(variable.shape)))
    history = {n.removeprefix("history/"): [float(v) for v in kept[n]] for n in kept if n.startswith("history/")}
    return int(kept["epochs"][0]), history


def clear(where: Path | None) -> None:
    """Remove a training's kept state once its model is saved."""
    if where is not None:
        where.unlink(missing_ok=True)
