"""The original study's claims as it made them, and this study's own, decided from measured contrasts (no TensorFlow).

The claims are declared in latentspace/claims/sentences.py: each quotes its sentence, names its rule
(latentspace/claims/verdicts.py) and its measures, the **first** deciding (the original's where it measured:
silhouette for separation, the judge's confidence for "looks like a digit", the judge's accuracy for "is a
digit"), the others agreement columns decided by the same rule. Over several comparisons a measure's
verdict is :func:`latentspace.claims.verdicts.overall` of theirs.

The numbers come from ``metrics/contrasts.json`` (latentspace/claims/contrasts.py): one run's paired
bootstrap intervals (:func:`decide`), or the runs of a study's configuration pooled over seeds
(:func:`decide_pooled`). A measurement the contrasts do not hold gives "not measured". Claims
about models the original did not have are this study's own (``kind`` OWN), never under the
original's name. A claim whose models a run lacks is left out, and said so (:func:`left_out`).
"""

from __future__ import annotations

from latentspace.measures import families
from latentspace.claims.contrasts import find
from latentspace.core.errors import StageError
from latentspace.claims.sentences import CLAIMS, UNDECIDED, Claim
from latentspace.measures.sides import key
from latentspace.claims.verdicts import NOT_MEASURED, alpha, over_seeds, overall

__all__ = ["CLAIMS", "UNDECIDED", "Claim", "claims", "left_out", "by_key", "decide", "decide_all", "decide_pooled",
           "margins", "margins_of", "measured_by_old_claims", "measures_with_margins"]


def claims(models: list[str]) -> list[Claim]:
    """The claims the models of a run can test, the original's in its order, then this study's own."""
    return [claim for claim in CLAIMS if claim.models <= set(models)]


def left_out(models: list[str]) -> dict[str, list[str]]:
    """``{claim key: the model sections it compares that ``models`` lacks}``: the claims a run cannot test
    (a section renamed or removed), said by the claims stage and the report rather than dropped silently."""
    return {claim.key: sorted(claim.models - set(models)) for claim in CLAIMS if not claim.models <= set(models)}


def by_key() -> dict[str, Claim]:
    return {claim.key: claim for claim in CLAIMS}


def _result(claim: Claim, comparisons: dict[str, dict[str, dict]], level: float) -> dict:
    """The one shape of a decided claim: ``{"verdict", "section", "kind", "sentence", "rule", "hypotheses", "alpha",
    "measure", "agreement": {measure: verdict}, "comparisons": {"<a> vs <b>": {measure: {…, "verdict"}}}}``; the
    verdict is the first measure's; ``alpha`` the one-sided level of each test at the interval's ``level``. A claim
    with one measure has no ``agreement`` (DVC drops an empty object from an experiment's metrics)."""
    said = {name: overall([comparisons[key(a, b)][name]["verdict"] for a, b in claim.pairs])
            for name in claim.measures}
    first = claim.measures[0]
    return {"verdict": said[first], "section": claim.section, "kind": claim.kind, "sentence": claim.sentence,
            "rule": claim.rule.name, "hypotheses": claim.rule.hypotheses, "alpha": alpha(level), "measure": first,
            **({"agreement": {name: said[name] for name in claim.measures[1:]}} if claim.measures[1:] else {}),
            "comparisons": comparisons}


def decide(claim: Claim, contrasts: dict, margins: dict[str, float], level: float) -> dict:
    """One run: each comparison's paired bootstrap interval at ``level`` (``metrics/contrasts.json``) by the claim's
    rule."""
    comparisons = {}
    for a, b in claim.pairs:
        entry = comparisons[key(a, b)] = {}
        for name in claim.measures:
            found = find(contrasts, a, b, name)
            entry[name] = ({"verdict": NOT_MEASURED} if found is None else
                           {**found, "verdict": claim.rule.decide(found["difference"], found["low"], found["high"],
                                                                  margins[name])})
    return _result(claim, comparisons, level)


def decide_all(contrasts: dict, margins: dict[str, float], models: list[str], level: float) -> dict[str, dict]:
    """``{claim: decided}``: every claim the ``models`` of one run can test (:func:`claims`), from its contrasts."""
    return {claim.key: decide(claim, contrasts, margins, level) for claim in claims(models)}


def decide_pooled(claim: Claim, runs: list[dict], margins: dict[str, float], level: float) -> dict:
    """The runs (each one's contrasts) of one configuration over seeds (:func:`latentspace.claims.verdicts.over_seeds`)."""
    comparisons = {}
    for a, b in claim.pairs:
        entry = comparisons[key(a, b)] = {}
        for name in claim.measures:
            found = [find(contrasts, a, b, name) for contrasts in runs]
            if not runs or any(f is None for f in found):
                entry[name] = {"verdict": NOT_MEASURED}
                continue
            pooled = over_seeds([f["difference"] for f in found], [f["sd"] for f in found], level)
            entry[name] = {**pooled, "verdict": claim.rule.decide(pooled["mean"], pooled["low"], pooled["high"],
                                                                  margins[name])}
    return _result(claim, comparisons, level)


def margins(found: dict, source: str = "params.yaml") -> dict[str, float]:
    """``claims.margins`` (``{measure: margin}``, validated numbers) held to the measures that decide claims
    (latentspace/measures/families.py): one a measure, no other; a :class:`StageError` naming the first key amiss."""
    import difflib

    declared = families.claim_measures()
    for name in declared:
        if name not in found:
            raise StageError(f"{source}: required key 'claims.margins.{name}' is missing (the smallest difference "
                             f"that counts on {families.measures()[name].label}: a number ≥ 0)")
    for name in found:
        if name not in declared:
            hint = difflib.get_close_matches(name, declared, n=1)
            raise StageError(f"{source}: unknown key 'claims.margins.{name}'; "
                             + (f"did you mean 'claims.margins.{hint[0]}'?" if hint else
                                f"the measures that decide claims are {', '.join(declared)}"))
    return {name: float(value) for name, value in found.items()}  # in the file's order


def margins_of(params: dict) -> dict[str, float]:
    """``{measure: margin}`` of flattened params' ``claims.margins.<measure>``."""
    return {k.rsplit(".", 1)[1]: float(v) for k, v in params.items() if k.startswith("claims.margins.")}


def measured_by_old_claims(decided: dict) -> dict:
    """The measurements a claims file from before ``metrics/contrasts.json`` holds: ``{claim: {"verdict",
    "<a> vs <b>": {measure: {difference, low, high, sd, verdict}}}}`` → ``{"<a> vs <b>": {measure: {difference,
    low, high, sd}}}`` (the same numbers, fewer pairs; a comparison without its bootstrap sd is left out)."""
    found: dict = {}
    for claim in (decided or {}).values():
        for pair, measured in (claim.items() if isinstance(claim, dict) else ()):
            if pair == "verdict" or not isinstance(measured, dict):
                continue
            for name, numbers in measured.items():
                if isinstance(numbers, dict) and all(k in numbers for k in ("difference", "low", "high", "sd")):
                    found.setdefault(pair, {})[name] = {k: numbers[k] for k in ("difference", "low", "high", "sd")}
    return found


def measures_with_margins() -> tuple[str, ...]:
    """Every measure that decides claims, as the families declare them: the keys of ``claims.margins``."""
    return families.claim_measures()
