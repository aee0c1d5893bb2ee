"""What a measure is: its name, direction, kind and label (standard library only).

Each measure is declared once, beside the code that computes it: the separation scores in
:data:`latentspace.separation.MEASURES`, the scores of generated digits in
:data:`latentspace.sample_quality.MEASURES`. The claims, the report, the sweep page and the params
schema's ``claims.margins.*`` (written in params.py, which imports nothing of the study's, and held
to :func:`claim_measures` by a test) follow them, so
adding a measure is one entry in its module plus its test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

SEPARATION, GENERATION = "separation", "generation"


@dataclass(frozen=True)
class Measure:
    """One number the study reports.

    ``name`` is its key in the metrics files; ``label`` names it in tables; ``kind`` is
    :data:`SEPARATION` (of a model's codes) or :data:`GENERATION` (of a sampler's decoded draws).
    ``per_item``: the mean of per-item values (a digit, a draw) that ``compute`` returns as an
    array (N,), resampled item by item; otherwise ``compute`` returns a statistic of an index array
    (the items of one resample) → float. ``claims``: it decides the original's claims (its margin is
    ``claims.margins.<name>``). ``compute`` takes the kind's inputs (:class:`latentspace.separation.Codes`,
    :class:`latentspace.sample_quality.Draws`) and returns None where they cannot give it.
    """

    name: str
    label: str
    kind: str
    larger_is_better: bool = True
    per_item: bool = True
    claims: bool = False
    compute: Callable[[Any], Any] | None = None

    def best(self, values):
        """The best of ``values`` in this measure's direction."""
        return (max if self.larger_is_better else min)(values)


def by_name(*groups: tuple[Measure, ...]) -> dict[str, Measure]:
    """``{name: measure}`` over the given declarations, in order."""
    return {m.name: m for group in groups for m in group}


def claim_measures(*groups: tuple[Measure, ...]) -> tuple[str, ...]:
    """The names of the measures that decide claims: the keys of ``claims.margins``."""
    return tuple(m.name for group in groups for m in group if m.claims)
