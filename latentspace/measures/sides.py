"""What a comparison compares: its sides, their labels and the pairs a family of measures asks for (standard library only).

A side is a model's codes (``vae``), what a model decodes (``vae@prior``: a sampler's draws; ``vae@reconstructions``,
``vae@centroids``: latentspace/measures/fidelity.py's judged images), the real evaluation digits as the judge sees them
(:data:`REAL`), the prior N(0, I) itself (:data:`PRIOR_ITSELF`) or a place on a published scale (:data:`REASONABLE_STRUCTURE`,
:data:`NO_SUBSTANTIAL_STRUCTURE`: Kaufman & Rousseeuw's silhouette, latentspace/measures/separation.py). A comparison's key
is ``"<a> vs <b>"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a model, and for generation or judged measures what of it (a sampler of
    latentspace.models.samplers, or one of latentspace.measures.fidelity.KINDS)."""

    model: str
    sampler: str | None = None

    @property
    def label(self) -> str:
        """``vae``, or ``vae@prior``: a model's name holds no ``@`` or space
        (latentspace.core.params.MODEL_NAME), so no label can be taken for another."""
        return self.model + (f"@{self.sampler}" if self.sampler else "")

    @classmethod
    def parse(cls, label: str) -> "Side":
        """The side a :attr:`label` names (``conv_vae@prior`` → conv_vae with the prior)."""
        model, _, sampler = label.partition("@")
        return cls(model, sampler or None)


REAL = Side("real digits")  # the real evaluation digits, judged (a space: never a model's name)
PRIOR_ITSELF = Side("the prior")  # N(0, I) itself, which is 0 nats from itself (a space: never a model's name)
# Kaufman & Rousseeuw's (1990) scale of a mean silhouette, its values declared with the silhouette (separation.py)
REASONABLE_STRUCTURE = Side("reasonable structure")  # above 0.50: a reasonable (or strong) structure has been found
NO_SUBSTANTIAL_STRUCTURE = Side("no substantial structure")  # 0.25 or less: no substantial structure has been found
REFERENCES = (REAL, PRIOR_ITSELF, REASONABLE_STRUCTURE, NO_SUBSTANTIAL_STRUCTURE)  # the sides that are not a model's
PAIR = " vs "  # a comparison's key: "<a label> vs <b label>"
CROSSED = ("prior", "best")  # latentspace.models.samplers.PRIOR and BEST: compared across models too


def key(a: Side, b: Side) -> str:
    return f"{a.label}{PAIR}{b.label}"


def split_pair(pair: str) -> tuple[Side, Side]:
    """The sides a comparison's key names, in order."""
    a, b = pair.split(PAIR)
    return Side.parse(a), Side.parse(b)


def model_pairs(models: Sequence[str], samplers: Sequence[str]) -> list[tuple[Side, Side]]:
    """Each pair of models' codes, in params.yaml's order."""
    return [(Side(a), Side(b)) for a, b in combinations(models, 2)]


def drawn_pairs(models: Sequence[str], samplers: Sequence[str]) -> list[tuple[Side, Side]]:
    """Each pair of (model, sampler) sides that share a model or a sampler: one model's samplers against each other
    (behind the same decoder, only the sampler differs), and one sampler's draws from each model against each
    other's; and across models, a model's own prior against another's best ex-post sampler (:data:`CROSSED`: a
    learnt prior against the best fitted after training). Other pairs that differ in both say nothing a claim
    asks, and there are many: 6 models and 6 samplers give 210 pairs this way against 630."""
    return [(a, b) for a, b in combinations([Side(m, s) for m in models for s in samplers], 2)
            if a.model == b.model or a.sampler == b.sampler or {a.sampler, b.sampler} == set(CROSSED)]


def against_the_prior(models: Sequence[str], samplers: Sequence[str]) -> list[tuple[Side, Side]]:
    """Each model's codes against the prior itself."""
    return [(Side(m), PRIOR_ITSELF) for m in models]
