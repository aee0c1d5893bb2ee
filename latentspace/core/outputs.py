"""Atomic, deterministic writing of stage outputs.

Every output appears under its final name only once complete, and a stage's outputs appear
together: each is written under a temporary name, flushed to disk, and renamed when the stage has
written them all (:func:`together`, which every stage runs in). Temporaries live in the
repository's ``.dvc/tmp/partial/`` (DVC and git ignore it), never inside a tracked folder, so a
SIGKILL leaves nothing that DVC would hash into a folder dependency; those of dead processes are
removed by the next run. Array files are byte-identical for identical arrays (no timestamps), so
DVC sees an unchanged output and skips the stages downstream.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np

from latentspace.core.errors import StageError

PARTIAL = Path(".dvc") / "tmp" / "partial"  # under the repository root (a stage's working directory)
_numbers = itertools.count()
_pending: list[tuple[Path, Path]] | None = None  # (temporary, output) of the open :func:`together`
_swept: set[Path] = set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _partial_folder() -> Path | None:
    """The repository's folder of temporaries (made, and swept of dead processes' once a process),
    or None outside a DVC repository."""
    root = Path.cwd()
    if not (root / ".dvc").is_dir():
        return None
    folder = root / PARTIAL
    folder.mkdir(parents=True, exist_ok=True)
    if folder not in _swept:
        _swept.add(folder)
        for entry in folder.iterdir():
            pid = entry.name.split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                _remove(entry)
    return folder


def _device(path: Path) -> int:
    """The file system of ``path``, or of its nearest existing parent."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.stat().st_dev
    return -1


def _temporary_for(path: Path) -> Path:
    # Keep the name's suffix: Keras and matplotlib choose the format from it.
    folder = _partial_folder()
    if folder is None or _device(folder) != _device(path.parent):
        # outside a repository (a tool, a test), or an output on another file system (a scratch disk
        # mounted at data/): beside the output, where a rename is atomic; ignored by git (.gitignore)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.with_name(f".{path.stem}.tmp-{os.getpid()}-{next(_numbers)}{path.suffix}")
    return folder / f"{os.getpid()}-{next(_numbers)}-{path.name}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _sync(path: Path) -> None:
    """Flush a file, or every file of a folder, to disk."""
    for file in (sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]):
        descriptor = os.open(file, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened for fsync
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _rename(tmp: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    os.replace(tmp, path)  # the same file system: _temporary_for made sure
    _sync_folder(path.parent)


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Outputs written inside (:func:`atomic_path` and what uses it) are renamed to their names only
    at the end, all of them, after each was flushed; on any exception, none is and their
    temporaries are removed. Nested uses join the outermost."""
    global _pending
    if _pending is not None:
        yield
        return
    _pending = []
    try:
        yield
        for tmp, path in _pending:
            _rename(tmp, path)
    finally:
        for tmp, _ in _pending:
            _remove(tmp)
        _pending = None


def written(path: str | Path) -> Path:
    """Where ``path``'s content is now: its temporary while :func:`together` holds it back, else ``path``."""
    path = Path(path)
    for tmp, target in reversed(_pending or []):
        if target == path:
            return tmp
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path (file or folder) for ``path``; it becomes ``path`` on success (at the end
    of the enclosing :func:`together`, if any), flushed to disk first.

    On any exception, including KeyboardInterrupt, the temporary is removed and ``path`` is left
    as it was.
    """
    path = Path(path)
    tmp = _temporary_for(path)
    _remove(tmp)
    try:
        yield tmp
        _sync(tmp)
        if _pending is not None:
            _pending.append((tmp, path))
            return
        _rename(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


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


def read_png(path: str | Path) -> bytes:
    """A figure's PNG bytes; a :class:`StageError` naming the file where it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise StageError(f"{path}: cannot read figure ({exc.strerror})") from None


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


def save_figures(folder: str | Path, figures) -> None:
    """A folder of PNGs, ``<name>.png`` for each ``(name, figure)`` of ``figures`` (each drawn when its turn
    comes), made whole before it replaces ``folder``."""
    with atomic_path(folder) as tmp:
        tmp.mkdir()
        for name, figure in figures:
            (tmp / f"{name}.png").write_bytes(figure_png(figure))
