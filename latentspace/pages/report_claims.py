"""The report's claims: each claim with its verdict and the numbers that decided it, and the study's verdict matrix
over seeds (templates/claims.html and parts.html fill them; no TensorFlow)."""

from __future__ import annotations

from markupsafe import Markup

from latentspace.models import samplers
from latentspace.claims.original_claims import UNDECIDED, by_key
from latentspace.claims.contrasts import REAL, REFERENCES, measures, split_pair
from latentspace.core.names import title
from latentspace.pages.page_parts import macros
from latentspace.claims.verdicts import POOLED_RULE, RULES, alpha


def side_label(side) -> str:
    """conv_vae with the prior → "Conv VAE (N(0, I))", vae → "VAE", vae@centroids → "VAE (centroids)",
    the real digits as they are (a latentspace.claims.contrasts.Side)."""
    if side in REFERENCES:
        return "the real digits" if side == REAL else side.model
    return f"{title(side.model)} ({samplers.labels().get(side.sampler, side.sampler)})" if side.sampler else title(side.model)


def claims_section(verdicts: dict[str, dict], margins: dict[str, float], level: float) -> Markup:
    """The "Findings" table: each claim (the original's, then this study's own) with its sentence, its verdict
    (its first measure's), the agreement measures' verdicts, and every comparison that decided them: the
    difference (positive favours the claim), its paired bootstrap interval and verdict."""
    declared, entries = by_key(), []
    for key, result in verdicts.items():
        comparisons = []
        for pair, found in result["comparisons"].items():
            a, b = split_pair(pair)
            comparisons += [{"a": side_label(a), "b": side_label(b), "measure": measures()[measure].label,
                             "numbers": f"{n['difference']:+.3g} [{n['low']:+.3g}, {n['high']:+.3g}]"
                             if "difference" in n else "–", "verdict": n["verdict"]} for measure, n in found.items()]
        entries.append({"claim": declared[key], "verdict": result["verdict"],
                        "measure": measures()[result["measure"]].label, "comparisons": comparisons,
                        "agreement": [(measures()[m].label, v) for m, v in result.get("agreement", {}).items()]})
    untested = [(claim, ", ".join(map(title, sorted(claim.models))))
                for key, claim in declared.items() if key not in verdicts]
    rules = ", ".join(f"{measures()[m].label} {v:g}" for m, v in margins.items())
    return macros("claims.html").claims_section(entries, untested, rules,
                                                [(rule.name, rule.description, rule.hypotheses) for rule in RULES],
                                                f"{level:.0%}", f"{alpha(level):.1%}", UNDECIDED)


def matrix_rows(decided: dict) -> tuple[list, list]:
    """(columns, rows) of the study's verdict matrix (templates/parts.html's ``verdict_matrix``): a column a
    configuration (dataset × training size: its name, seeds and whether its records are stale), a row a claim
    decided over each configuration's seeds (``study/verdicts.json``): its first measure's verdict, the
    agreement measures' beneath."""
    declared = by_key()
    claims = list(dict.fromkeys(claim for entry in decided.values() for claim in entry["claims"]))
    columns = [(name, len(entry["seeds"]), bool(entry.get("older code"))) for name, entry in decided.items()]

    def cell(result: dict | None) -> dict | None:
        return None if result is None else {"verdict": result["verdict"], "agreement": [
            (measures()[m].label if m in measures() else m, v) for m, v in result.get("agreement", {}).items()]}

    return columns, [(declared.get(claim, claim), [cell(entry["claims"].get(claim)) for entry in decided.values()])
                     for claim in claims]


def study_section(decided: dict, link: str) -> Markup:
    """Findings over the study's grid (:mod:`latentspace.tools.study`), linked to its page."""
    return macros("claims.html").study_section(matrix_rows(decided) if decided else None, POOLED_RULE, link)
