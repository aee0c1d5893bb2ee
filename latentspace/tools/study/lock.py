"""One holder at a time: a lock file created atomically, naming its holder (no TensorFlow).

``study run`` holds ``study/.run.lock``; ``study submit`` and ``collect`` hold ``<shared>/lock`` in the
cluster's shared folder. The file is made with ``O_CREAT | O_EXCL`` (atomic on local file systems and
NFSv3+, unlike ``flock`` over NFS) and holds ``host pid started``; a second holder is refused in one
line naming the first. A lock left by a process of this host that is no longer running (SIGKILL) is
taken over; one of another host is not (it may still run there): the message says to remove it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path
from typing import Iterator

from latentspace.core.outputs import _alive  # whether a process of this host runs: the one test of it, beside the stages' own


class LockError(Exception):
    """Another holder has the lock; the message is one line naming it."""


def _stale(text: str) -> bool:
    """Whether the holder ``text`` names is a process of this host that has ended."""
    parts = text.split()
    return len(parts) >= 2 and parts[0] == socket.gethostname() and parts[1].isdigit() and not _alive(int(parts[1]))


@contextlib.contextmanager
def held(path: Path, what: str) -> Iterator[None]:
    """Hold ``path`` for the block; :class:`LockError` when another holds it."""
    holder = f"{socket.gethostname()} {os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                text = ""
            if attempt == 0 and _stale(text):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            raise LockError(f"{path}: {what} is already running ({text.strip() or 'holder unknown'}); "
                            "wait for it, or remove the file if that process is gone") from None
    else:  # pragma: no cover - a third party took the stale lock between our two tries
        raise LockError(f"{path}: {what} is already running; try again")
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(holder)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if path.read_text(encoding="utf-8") == holder:
                path.unlink()
