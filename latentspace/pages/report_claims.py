"""The report's claims: each claim with its verdict and the numbers that decided it, and the study's verdict matrix
over seeds (HTML, escaped; no TensorFlow)."""

from __future__ import annotations

import html

from latentspace.models import samplers
from latentspace.claims.original_claims import by_key
from latentspace.claims.contrasts import REAL, measures, split_pair
from latentspace.core.names import title
from latentspace.pages.page_parts import verdict
from latentspace.claims.verdicts import POOLED_RULE, RULES


def side_label(side) -> str:
    """conv_vae with the prior → "Conv VAE (N(0, I))", vae → "VAE", vae@centroids → "VAE (centroids)",
    the real digits as they are (a latentspace.claims.contrasts.Side)."""
    if side == REAL:
        return "the real digits"
    return f"{title(side.model)} ({samplers.labels().get(side.sampler, side.sampler)})" if side.sampler else title(side.model)


def _claim_cell(claim) -> str:
    """A claim as a table shows it: its section, the quoted sentence, what the numbers decide and by which rule."""
    e = html.escape
    where = f"{e(claim.section)} " if claim.original else "This study: "
    quoted = f"<q>{e(claim.sentence)}</q>" if claim.original else e(claim.sentence.removeprefix("This study: "))
    return f'{where}{quoted}<br><small>{e(claim.decided)}; rule: {e(claim.rule.name)}</small>'


def claims_section(verdicts: dict[str, dict], margins: dict[str, float], level: float) -> str:
    """The "Findings" table: each claim (the original's, then this study's own) with its sentence, its verdict
    (its first measure's), the agreement measures' verdicts, and every comparison that decided them: the
    difference (positive favours the claim), its paired bootstrap interval and verdict."""
    e = html.escape
    declared, rows = by_key(), []
    for key, result in verdicts.items():
        claim = declared[key]
        comparisons = [(pair, measure, n) for pair, measures in result["comparisons"].items()
                       for measure, n in measures.items()]
        agreement = "".join(f"<br><small>{e(measures()[m].label)}: {verdict(v)}</small>"
                            for m, v in result.get("agreement", {}).items())
        for i, (pair, measure, n) in enumerate(comparisons):
            a, b = split_pair(pair)
            head = (f'<td rowspan="{len(comparisons)}" class="claim">{_claim_cell(claim)}</td>'
                    f'<td rowspan="{len(comparisons)}">{verdict(result["verdict"])}<br><small>by '
                    f'{e(measures()[result["measure"]].label)}</small>{agreement}</td>') if i == 0 else ""
            numbers = (f"{n['difference']:+.3g} [{n['low']:+.3g}, {n['high']:+.3g}]" if "difference" in n else "–")
            rows.append(f"<tr>{head}<td>{e(side_label(a))} vs {e(side_label(b))}</td><td>{e(measures()[measure].label)}</td>"
                        f"<td>{numbers}</td><td>{verdict(n['verdict'])}</td></tr>")
    missing = {key: sorted(claim.models) for key, claim in declared.items() if key not in verdicts}
    untested = ("<p>Not tested in this run (a model they compare has no section in params.yaml's models):</p><ul>"
                + "".join(f"<li>{_claim_cell(declared[key])}<br><small>compares {e(', '.join(map(title, models)))}"
                          "</small></li>" for key, models in missing.items()) + "</ul>") if missing else ""
    rules = ", ".join(f"{measures()[m].label} {v:g}" for m, v in margins.items())
    described = "".join(f"<li><b>{e(rule.name)}</b>: {e(rule.description)}.</li>" for rule in RULES)
    return (f"<p>Each claim of the original study, quoted with its section, then this study's own, decided by "
            f"this run's numbers. A difference is signed so that positive favours the claim (for the Fréchet "
            f"distance, lower is better), with its paired {level:.0%} bootstrap interval over the same evaluation "
            f"digits or generated draws, and counts beyond its measure's margin ({e(rules)}). The rules:</p><ul>"
            f"{described}</ul><p>A claim's verdict is its first measure's (the original's: silhouette for "
            "separation, the judge's confidence for generated digits, its accuracy for reconstructions and "
            "centroids), holding when every comparison supports it and failing when any contradicts it; the other "
            "measures' verdicts agree or not beneath it. One training run per model: the intervals cover the digits, "
            "not the training's randomness (latentspace.tools.study decides the claims over seeds).</p>"
            "<table class=\"claims\"><tr><th>claim</th><th>verdict</th><th>comparison</th><th>measure</th>"
            "<th>difference [interval]</th><th>says</th></tr>" + "".join(rows) + "</table>" + untested)


def verdict_matrix(decided: dict) -> str:
    """The study's verdict matrix as an HTML table: a row a claim, a column a configuration (dataset ×
    training size), each cell the claim decided over that configuration's seeds (``study/verdicts.json``):
    its first measure's verdict, the agreement measures' beneath."""
    e = html.escape
    declared = by_key()
    claims = list(dict.fromkeys(claim for entry in decided.values() for claim in entry["claims"]))
    head = "".join(f"<th>{e(name)}<br><small>{len(entry['seeds'])} seed{'s' if len(entry['seeds']) > 1 else ''}"
                   f"{', older code' if entry.get('older code') else ''}</small></th>" for name, entry in decided.items())

    def cell(result: dict | None) -> str:
        if result is None:
            return "<td>–</td>"
        agreeing = "".join(f"<br><small>{e(measures()[m].label if m in measures() else m)}: {e(v)}</small>"
                           for m, v in result.get("agreement", {}).items())
        return f"<td>{verdict(result['verdict'])}{agreeing}</td>"

    rows = "".join(
        f'<tr><td class="claim">{_claim_cell(declared[claim]) if claim in declared else e(claim)}</td>'
        + "".join(cell(entry["claims"].get(claim)) for entry in decided.values()) + "</tr>"
        for claim in claims)
    return f'<table class="claims"><tr><th>claim</th>{head}</tr>{rows}</table>'


def study_section(decided: dict, link: str) -> str:
    """Findings over the study's grid (:mod:`latentspace.tools.study`), linked to its page."""
    if not decided:
        return "<p>The study over seeds and training sizes has no recorded point yet (docs/study.md).</p>"
    return ("<h3>Over the study's grid of datasets, training sizes and seeds</h3>"
            f"<p>{html.escape(POOLED_RULE)} "
            f'Per-seed values and a figure a claim: <a href="{html.escape(link)}">the study page</a>.</p>'
            + verdict_matrix(decided) + "<h3>This run (one training run a model)</h3>")
