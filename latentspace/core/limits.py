"""What a value implies for this machine and these data, checked by the stage that reads it before
its work starts (standard library only).

The params schema (latentspace/core/schema.py) bounds each value by what no machine needs; here a stage
checks the memory a value implies against the memory this machine has, and a value against the
sizes of the splits it reads. Each refusal is a one-line :class:`StageError` naming the key, the
value and the limit.
"""

from __future__ import annotations

import os

from latentspace.core.errors import StageError

SHARE = 0.5  # of the machine's memory one stage may plan to use: leave room for the rest


CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def machine_memory() -> int:
    """The memory this process may use in bytes: the machine's, or its container's limit if lower."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in CGROUP_LIMITS:
        try:
            text = open(path, encoding="ascii").read().strip()
        except OSError:
            continue
        if text.isdigit():
            memory = min(memory, int(text))
    return memory


def memory(key: str, value, needed: int, what: str) -> None:
    """Refuse ``key = value`` when ``what`` would need ``needed`` bytes, more than :data:`SHARE` of the memory."""
    budget = int(SHARE * machine_memory())
    if needed > budget:
        raise StageError(f"{key} = {value}: {what} would need {needed / 2**30:.1f} GiB, more than the "
                         f"{budget / 2**30:.1f} GiB a stage may use on this machine ({SHARE:.0%} of its memory)")


def at_most(key: str, value, limit, why: str) -> None:
    """Refuse ``key = value`` above ``limit`` (a size of the data: ``why`` says which)."""
    if value > limit:
        raise StageError(f"{key} = {value} is too large for these data: at most {limit} ({why})")


def below(key: str, value, limit, why: str) -> None:
    """Refuse ``key = value`` at or above ``limit``."""
    if value >= limit:
        raise StageError(f"{key} = {value} is too large for these data: must be below {limit} ({why})")


def at_least(key: str, value, limit, why: str) -> None:
    """Refuse ``key = value`` below ``limit`` (``why`` says what needs that many)."""
    if value < limit:
        raise StageError(f"{key} = {value} is too small for this measure: at least {limit} ({why})")
