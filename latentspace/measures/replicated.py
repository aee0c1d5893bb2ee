"""Measures a stage computed whole and on each bootstrap resample already, and the one file that keeps them.

The factors stage writes MIG, SAP, each sampler's factor distances and a VAE's prior gap as
``{measure}`` / ``{measure}_replicates`` arrays (``{measure}_{sampler}`` for a sampler's) of one
``.npz`` (:func:`save`); the families that compare them read it back with :func:`load`. The names are
built here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

SUFFIX = "_replicates"


@dataclass
class Replicated:
    """A side's measures ``{measure: (value, (B,) replicates)}``."""

    replicated: dict[str, tuple[float, np.ndarray]]

    def __contains__(self, name: str) -> bool:
        return name in self.replicated


def name(measure: str, sampler: str | None = None) -> str:
    """The value's array name: ``mig``, ``factor_distance_prior``."""
    return f"{measure}_{sampler}" if sampler else measure


def arrays(found: dict[tuple[str, str | None], tuple[float, np.ndarray]]) -> dict[str, np.ndarray]:
    """``{(measure, sampler or None): (value, (B,))}`` → the arrays :func:`save` writes, float64, in that order."""
    result = {}
    for (measure, sampler), (value, replicates) in found.items():
        result[name(measure, sampler)] = np.asarray(value, np.float64)
        result[name(measure, sampler) + SUFFIX] = np.asarray(replicates, np.float64)
    return result


def save(path: str | Path, found: dict[tuple[str, str | None], tuple[float, np.ndarray]]) -> None:
    """Write :func:`arrays` of ``found`` to ``path`` (.npz, atomically)."""
    from latentspace.core.outputs import save_arrays

    save_arrays(path, **arrays(found))


def load(path: str | Path, measures: Iterable[str], sampler: str | None = None,
         required: bool = False) -> Replicated:
    """The values and replicates of ``measures`` (of ``sampler``'s draws, or of the codes) that ``path`` keeps;
    with ``required``, a missing one is a :class:`latentspace.core.errors.StageError` naming the file."""
    from latentspace.core.outputs import load_arrays

    wanted = tuple(f"{name(m, sampler)}{suffix}" for m in measures for suffix in ("", SUFFIX))
    kept = load_arrays(path, wanted if required else (), optional=() if required else wanted)
    return Replicated({m: (kept[name(m, sampler)].item(), kept[name(m, sampler) + SUFFIX]) for m in measures
                       if name(m, sampler) in kept and name(m, sampler) + SUFFIX in kept})
