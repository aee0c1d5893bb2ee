"""The measure families, in the order the contrasts measure them and the tables list them (no TensorFlow).

Each family is declared by the module that computes it (its ``FAMILY``: latentspace/measures/registry.py's
:class:`~latentspace.measures.registry.Family`); a new family is one line here. Everything that lists
measures reads this tuple when it runs: the contrasts (latentspace/claims/contrasts.py), the claims'
measures and margins (latentspace/claims/original_claims.py), the report's and the study pages' labels.
"""

from __future__ import annotations

from latentspace.measures.factors import disentanglement, factor_effects
from latentspace.measures import fidelity, holes, likelihood, prior_gap, sample_quality, separation
from latentspace.measures.registry import Family, Measure

FAMILIES: tuple[Family, ...] = (separation.FAMILY, sample_quality.FAMILY, fidelity.FAMILY, disentanglement.FAMILY,
                                factor_effects.FAMILY, prior_gap.FAMILY, holes.FAMILY, likelihood.FAMILY)


def measures() -> dict[str, Measure]:
    """Every measure of every family, by name, in order."""
    return {m.name: m for family in FAMILIES for m in family.measures}


def claim_measures() -> tuple[str, ...]:
    """Every measure that decides claims, in order: the keys ``claims.margins`` must hold."""
    return tuple(name for family in FAMILIES for name in family.claim_measures())


def family_of(measure: str) -> Family:
    """The family that declares ``measure`` (a KeyError naming it where none does)."""
    for family in FAMILIES:
        if any(m.name == measure for m in family.measures):
            return family
    raise KeyError(f"no measure family declares '{measure}'")
