"""Atomic, deterministic writing of stage outputs.

Every output appears under its final name only once complete: it is written under a temporary
name in the same folder and renamed. Array files are byte-identical for identical arrays (no
timestamps), so DVC sees an unchanged output and skips the stages downstream.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import StageError


def _temporary_sibling(path: Path) -> Path:
    # Keep the suffix: Keras and matplotlib choose the format from it.
    return path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path (file or folder) beside ``path``; rename it to ``path`` on success.

    On any exception, including KeyboardInterrupt, the temporary is removed and ``path`` is left
    as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(path)
    _remove(tmp)
    try:
        yield tmp
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        _remove(tmp)


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, obj) -> None:
    """Pretty JSON with a trailing newline (diff-friendly for git-tracked metrics)."""
    write_text(path, json.dumps(obj, indent=2) + "\n")


def save_arrays(path: str | Path, **arrays: np.ndarray) -> None:
    """Write an ``.npz`` whose bytes depend only on the arrays (fixed member timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    write_bytes(path, buffer.getvalue())


def load_arrays(path: str | Path, names: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Read just the arrays ``names`` (and those of ``optional`` it has) of an ``.npz``, without unpickling.

    A missing file or a missing array of ``names`` is a :class:`StageError`.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [name for name in names if name not in archive.files]
            if missing:
                raise StageError(f"{path}: missing arrays {missing}; rerun the stage that writes it")
            return {name: archive[name] for name in (*names, *optional) if name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise StageError(f"{path}: cannot read arrays ({exc})") from None


def read_json(path: str | Path):
    """A metrics file another stage wrote; a missing or broken one is a :class:`StageError`."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StageError(f"{path}: cannot read metrics ({exc})") from None


def figure_png(figure) -> bytes:
    """A matplotlib figure as PNG bytes (100 dpi, no version metadata); the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def save_figure(path: str | Path, figure) -> None:
    """Save a matplotlib figure as PNG atomically (see :func:`figure_png`)."""
    write_bytes(path, figure_png(figure))
