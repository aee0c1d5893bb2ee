"""What a measure is, and what a family of measures declares (standard library only).

Each family is declared once, in the module that computes it (its ``FAMILY``): its measures, which
sides it compares (latentspace/measures/sides.py) and how the contrasts stage reads each side's kept values
from the stage that measured them. latentspace/measures/families.py lists the families; the contrasts, the
claims, the report, the study's matrix and the check of ``claims.margins`` loop over that list, so a
new family is its module, its stage, its params and its test, and a new claim one entry of
latentspace/claims/original_claims.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

SEPARATION, GENERATION = "separation", "generation"


@dataclass(frozen=True)
class Measure:
    """One number the study reports.

    ``name`` is its key in the metrics files; ``label`` names it in tables; ``kind`` is its family's
    (:data:`SEPARATION`: of a model's codes; :data:`GENERATION`: of a sampler's decoded draws; …).
    ``per_item``: the mean of per-item values (a digit, a draw) that ``compute`` returns as an
    array (N,), resampled item by item; otherwise ``compute`` returns a statistic of an index array
    (the items of one resample) → float. ``claims``: it decides claims (its margin is
    ``claims.margins.<name>``). ``compute`` takes the kind's inputs (:class:`latentspace.measures.separation.Codes`,
    :class:`latentspace.measures.sample_quality.Draws`) and returns None where they cannot give it. ``heading`` and
    ``decimals``: how the docs' tables (latentspace/tools/headline.py) show it; ``ranked``: whether tables mark its
    best value.
    """

    name: str
    label: str
    kind: str
    larger_is_better: bool = True
    per_item: bool = True
    claims: bool = False
    compute: Callable[[Any], Any] | None = None
    heading: str = ""  # its column's heading in the docs' tables (its label where empty)
    decimals: int = 3  # digits after the point in the docs' tables
    ranked: bool = True  # the tables mark its best value (False: neither end is better, e.g. a copy score)

    def best(self, values):
        """The best of ``values`` in this measure's direction."""
        return (max if self.larger_is_better else min)(values)


def _claims(measure: Measure) -> bool:
    return measure.claims


Pairs = Callable[[Sequence[str], Sequence[str]], list]  # (models, samplers) → [(Side, Side)]
Reader = Callable[[Mapping[str, Path], Sequence[str], Sequence[str], int], dict]


@dataclass(frozen=True)
class Family:
    """A family of measures and what the contrasts do with it.

    ``compares(models, samplers)``: its pairs of sides ``[(a, b)]`` (latentspace/measures/sides.py), in order.
    ``reads(paths, models, samplers, resamples)``: ``{side label: kept values}`` from the stage outputs
    ``paths[name]`` for each name of ``inputs`` (the contrasts stage's options); kept values are a model's
    per-digit values ``{measure: (N,)}``, :class:`latentspace.measures.sample_quality.Draws`,
    :class:`latentspace.measures.fidelity.Judged` or :class:`latentspace.measures.replicated.Replicated`. A side it has no
    values for is not compared. ``contrasted(measure)``: whether a pair is measured on it (by default
    the measures that decide claims).
    """

    kind: str
    measures: tuple[Measure, ...]
    compares: Pairs
    reads: Reader
    inputs: tuple[str, ...]
    contrasted: Callable[[Measure], bool] = field(default=_claims)

    def claim_measures(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.measures if m.claims)


def by_name(*groups: tuple[Measure, ...]) -> dict[str, Measure]:
    """``{name: measure}`` over the given declarations, in order."""
    return {m.name: m for group in groups for m in group}


def claim_measures(*groups: tuple[Measure, ...]) -> tuple[str, ...]:
    """The names of the measures that decide claims: the keys of ``claims.margins``."""
    return tuple(m.name for group in groups for m in group if m.claims)
