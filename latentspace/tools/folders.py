"""Where a tool may write: a folder it owns, or a file that is not somewhere it must not be (standard library only).

A tool's output folder (``python3 -m latentspace.tools.sweep --out FOLDER``) is replaced whole, so a wrong
``--out`` would delete what was there. :func:`tool_folder` replaces a folder only when it is the tool's own:

- the path is resolved first (``~``, symlinks, ``..``), then refused when it is ``/``, the home folder or a
  parent of it, the current folder, a repository the tool works on (``anchors``, the current folder's and this
  project's: the nearest folder up with ``.git`` or ``.dvc``) or a parent of one, any folder that has ``.git``
  or ``.dvc`` itself, a folder inside ``.git`` or ``.dvc``, or a file;
- an existing folder must be empty or hold :data:`MARKER`, which names the tool and every file it wrote
  there: a folder with any other file (someone else's) is refused and left as it was.

The new content is written into a fresh sibling folder (``.NAME.tmp-new-…``) with the marker, then swapped
in: the old folder is renamed away (``.NAME.tmp-old-…``), the new one renamed in, the old one removed. A crash
leaves the old folder (or, between the two renames, both, under their temporary names); never a mixture.
A refusal is a :class:`FolderError` with a one-line message naming the path and why, and changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Iterable, Iterator

MARKER = ".latentspace-tool-output"  # first line: the tool's name; then each file it wrote, one a line
PROJECT = Path(__file__).resolve().parents[2]  # this project's folder (this file is latentspace/tools/folders.py)
INSIDE = (".git", ".dvc")  # folders a tool never writes into


class FolderError(Exception):
    """A tool refuses to write a path. The message is one line: the path and why."""


def _shown(path: Path | str) -> str:
    """A path for a one-line message (control characters escaped)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))


def resolve(path: str | Path) -> Path:
    """``path`` absolute, with ``~``, symlinks and ``..`` resolved (the missing part taken as written)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def repository_of(path: Path) -> Path | None:
    """The nearest folder from ``path`` up (itself included) with a ``.git`` or ``.dvc`` entry; None if none."""
    for folder in (path, *path.parents):
        if any((folder / name).exists() for name in INSIDE):
            return folder
    return None


def _protected(anchors: Iterable[str | Path]) -> dict[Path, str]:
    """``{folder: what it is}`` of the folders no tool may replace (each also protects its parents)."""
    guarded: dict[Path, str] = {}
    cwd = resolve(Path.cwd())
    for anchor in (cwd, *anchors, PROJECT):
        repository = repository_of(resolve(anchor))
        if repository is not None:
            guarded.setdefault(repository, "a repository")
    guarded.setdefault(resolve(Path.home()), "the home folder")
    guarded.setdefault(cwd, "the current folder")
    return guarded


def own_folder(path: str | Path, tool: str, what: str, anchors: Iterable[str | Path] = ()) -> Path:
    """``path`` resolved, when ``tool`` may keep its files there over several calls (a benchmark's workspace,
    the study's shared folder): not ``/``, home, a repository or inside one, ``.git`` or ``.dvc``; new (then
    made, and marked with :data:`MARKER`), empty, or marked by ``tool`` before. Else :class:`FolderError`."""
    resolved = resolve(path)
    shown = _shown(path) if str(path) == str(resolved) else f"{_shown(path)} ({_shown(resolved)})"
    why = None
    if resolved == resolved.parent:
        why = "it is the root of the file system"
    elif next((part for part in resolved.parts if part in INSIDE), None):
        why = "it is inside .git or .dvc"
    else:
        for folder, kind in _protected(anchors).items():
            if resolved == folder or resolved in folder.parents:
                why = f"it is {kind}" if resolved == folder else f"it holds {kind}, {_shown(folder)}"
                break
            if folder in resolved.parents and kind == "a repository":
                why = f"it is inside the repository {_shown(folder)}"
                break
    if why is None and resolved.exists():
        if not resolved.is_dir() or resolved.is_symlink():
            why = "it is not a folder"
        elif any(resolved.iterdir()):
            marker = resolved / MARKER
            if not marker.is_file() or marker.read_text(encoding="utf-8").split("\n", 1)[0] != tool:
                why = f"it holds files and no {MARKER} of {tool}'s: not its own"
    if why:
        raise FolderError(f"refusing {what} {shown}: {why}")
    resolved.mkdir(parents=True, exist_ok=True)
    if not (resolved / MARKER).exists():
        (resolved / MARKER).write_text(f"{tool}\n", encoding="utf-8")
    return resolved


def refusal(path: Path, tool: str, anchors: Iterable[str | Path] = ()) -> str | None:
    """Why the resolved ``path`` may not be replaced by ``tool`` (None: it may)."""
    if path == path.parent:
        return "it is the root of the file system"
    inside = next((part for part in path.parts if part in INSIDE), None)
    if inside:
        return f"it is inside {inside}"
    for folder, what in _protected(anchors).items():
        if path == folder:
            return f"it is {what}" + ("; name a new folder inside it" if what == "a repository" else "")
        if path in folder.parents:
            return f"it holds {what}, {_shown(folder)}"
    if repository_of(path) == path:
        return "it is a repository (it has .git or .dvc); name a new folder inside it"
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        return "it is not a folder"
    if path.is_dir():
        strangers = _not_written_by(path, tool)
        if strangers:
            return strangers
    return None


def _entries(folder: Path) -> list[str]:
    """Everything in ``folder`` but folders, relative (symlinks included, not followed), and each empty
    sub-folder with a trailing ``/``; sorted."""
    def unreadable(error: OSError):
        raise error

    found = []
    for top, folders, files in os.walk(folder, onerror=unreadable):
        here = Path(top).relative_to(folder)
        links = [name for name in folders if os.path.islink(os.path.join(top, name))]
        folders[:] = [name for name in folders if name not in links]
        found += [(here / name).as_posix() for name in files + links]
        if not folders and not files and not links and top != str(folder):
            found.append(here.as_posix() + "/")
    return sorted(found)


def _written(folder: Path, tool: str) -> set[str] | None:
    """The files ``tool`` listed in ``folder``'s marker; None when there is no marker or another tool's."""
    try:
        lines = (folder / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] != tool:
        return None
    return set(lines[1:])


def _not_written_by(folder: Path, tool: str) -> str | None:
    """Why the existing ``folder`` is not ``tool``'s own (None: empty, or only files ``tool`` wrote)."""
    try:
        entries = _entries(folder)
    except OSError as exc:
        return f"its content cannot be listed ({_shown(exc.strerror or exc)})"
    if not entries:
        return None
    written = _written(folder, tool)
    if written is None:
        if (folder / MARKER).is_file():
            return f"its {MARKER} names another tool; choose another folder"
        return f"it holds files {tool} did not write (no {MARKER}); move them or choose another folder"
    strangers = [entry for entry in entries if entry != MARKER and entry not in written]
    if strangers:
        return (f"it holds {_shown(strangers[0])}, which {tool} did not write"
            f"{f' (and {len(strangers) - 1} more)' if len(strangers) > 1 else ''}; move it or choose another folder")
    return None


def check(path: str | Path, tool: str, anchors: Iterable[str | Path] = ()) -> Path:
    """``path`` resolved, when ``tool`` may replace it; else :class:`FolderError` (one line)."""
    resolved = resolve(path)
    why = refusal(resolved, tool, anchors)
    if why:
        shown = _shown(path) if str(path) == str(resolved) else f"{_shown(path)} ({_shown(resolved)})"
        raise FolderError(f"refusing to write {shown}: {why}")
    return resolved


def _sibling(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.tmp-{kind}-{os.getpid()}-{secrets.token_hex(4)}")  # .gitignore: .*.tmp-*


@contextlib.contextmanager
def tool_folder(path: str | Path, tool: str, anchors: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Yield a fresh empty folder beside ``path`` to fill; on success it replaces ``path`` (see the module).

    ``path`` is checked (:func:`check`) before anything is written and again just before the swap; on a
    refusal or any exception, ``path`` is left as it was and the fresh folder removed.
    """
    anchors = list(anchors)
    target = check(path, tool, anchors)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = _sibling(target, "new")
    fresh.mkdir()
    try:
        yield fresh
        files = _entries(fresh)
        (fresh / MARKER).write_text("\n".join([tool, *files]) + "\n", encoding="utf-8")
        check(path, tool, anchors)  # nobody put a file there meanwhile
        if target.exists():
            old = _sibling(target, "old")
            os.rename(target, old)
            try:
                os.rename(fresh, target)
            except BaseException:
                os.rename(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(fresh, target)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)


def check_file(path: str | Path, what: str = "file", own: Iterable[str] = ()) -> Path:
    """``path`` resolved, when a tool may write a file there: not a folder, not inside ``.git`` or ``.dvc``,
    and either new or one of the tool's own documented outputs (``own``: glob patterns relative to this
    project, e.g. ``benchmarks/*.json``): an existing file of anyone else's (``dvc.yaml``, a module, a
    user's notes) is never overwritten. Else :class:`FolderError` (one line). Check before the work, so
    a bad path fails at once."""
    resolved = resolve(path)
    shown = _shown(path) if str(path) == str(resolved) else f"{_shown(path)} ({_shown(resolved)})"
    inside = next((part for part in resolved.parts if part in INSIDE), None)
    if inside:
        raise FolderError(f"refusing to write {what} {shown}: it is inside {inside}")
    if resolved.is_dir():
        raise FolderError(f"refusing to write {what} {shown}: it is a folder")
    if os.path.lexists(resolved) and not any(resolved.match(str(PROJECT / pattern)) for pattern in own):
        mine = f" (this tool's own: {', '.join(own)})" if own else ""
        raise FolderError(f"refusing to write {what} {shown}: the file exists and is not this tool's output{mine}; "
                          "name a new path")
    return resolved


def write_file(path: str | Path, text: str, what: str = "file", own: Iterable[str] = ()) -> None:
    """Write ``text`` to ``path`` (checked by :func:`check_file`) whole or not at all: a sibling, then renamed."""
    target = check_file(path, what, own)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = _sibling(target, "new")
    try:
        fresh.write_text(text, encoding="utf-8")
        os.replace(fresh, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            fresh.unlink()
