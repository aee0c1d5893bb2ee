"""The one-page HTML report: params, a metrics table, loss curves, every figure, a few sentences.

Self-contained (images inlined as base64), so it opens from disk and can be mailed around.
Models are named by their section in params.yaml's ``models``; the original's numbers come from
:mod:`latentspace.original`.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

from . import sample_quality, samplers, separation
from .claims import by_key
from .contrasts import REAL, measures, split_pair
from .verdicts import POOLED_RULE, RULES
from .loss_terms import TERMS, TOTAL, VALIDATION
from .names import title
from .original import ORIGINAL, SILHOUETTE_RANKING, TRAINING_DIGITS

COLUMNS = [
    (TOTAL.name, "train loss"), (VALIDATION + TOTAL.name, "val loss"),
    *((VALIDATION + term.name, f"val {term.label}") for term in TERMS), ("silhouette", "silhouette"),
    ("encoder", "encoder params"), ("decoder", "decoder params"), ("epochs", "epochs"),
]


def metrics_table(train: dict[str, dict], separation: dict[str, dict]) -> dict[str, dict[str, float]]:
    """One row per model: the final losses, silhouette score, parameter counts and epochs."""
    rows = {}
    for model, metrics in train.items():
        row = {key: value for key, value in metrics.items() if key != "parameters"}
        row.update(metrics.get("parameters", {}))
        row["silhouette"] = separation.get(model, {}).get("silhouette", {}).get("value")
        rows[model] = row
    return rows


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _loss_parts(row: dict) -> str:
    total = VALIDATION + TOTAL.name
    return f"{row[total]:.1f} = " + " + ".join(f"{row[VALIDATION + t.name]:.1f} {t.label}" for t in TERMS
                                                if VALIDATION + t.name in row)


def findings(rows: dict[str, dict[str, float]]) -> list[str]:
    """Sentences that state the original's comparisons with this run's numbers.

    Each compares only models that this run and :data:`ORIGINAL` both have, by name.
    """
    sentences = []
    scores = {m: r["silhouette"] for m, r in rows.items() if r.get("silhouette") is not None}
    if scores:
        ranked = sorted(scores, key=scores.get, reverse=True)
        listing = ", then ".join(f"{title(m)} ({scores[m]:.4f})" for m in ranked)
        sentence = f"The {title(ranked[0])} codes separate the classes best by silhouette score: {listing}."
        shared = [m for m in ranked if m in SILHOUETTE_RANKING]
        if len(shared) > 1:
            original = [m for m in SILHOUETTE_RANKING if m in shared]
            stated = ", then ".join(
                title(m) + (f" {ORIGINAL[m]['silhouette']:.4f}" if "silhouette" in ORIGINAL[m] else "") for m in original)
            agree = "the same order as" if shared == original else "a different order from"
            sentence += f" For {_listing([title(m) for m in original])} that is {agree} the original ({stated})."
        sentences.append(sentence)
    divergence = next(term for term in TERMS if term.weight == "beta")  # β·KL: the VAEs' term
    vaes = [m for m in rows if VALIDATION + divergence.name in rows[m]]  # the models with a divergence term
    if len(vaes) > 1:
        ranked = sorted(vaes, key=lambda m: rows[m]["val_loss"])
        others = "; ".join(f"{title(m)} {_loss_parts(rows[m])}" for m in ranked[1:])
        sentence = (f"Of the VAEs the {title(ranked[0])} reaches the lowest validation loss "
                    f"({_loss_parts(rows[ranked[0]])} nats per image; {others}).")
        known = sorted((m for m in vaes if "val_loss" in ORIGINAL.get(m, {})), key=lambda m: ORIGINAL[m]["val_loss"])
        if len(known) > 1:
            stated = " < ".join(f"{title(m)} {ORIGINAL[m]['val_loss']:.1f}" for m in known)
            agree = "agrees" if [m for m in ranked if m in known] == known else "disagrees"
            sentence += f" The original {agree}: {stated}."
        sentences.append(sentence)
    for model in rows:
        if model not in vaes and "val_loss" in ORIGINAL.get(model, {}):
            sentences.append(
                f"The {title(model)}, which pays no KL term, reaches a validation loss of "
                f"{rows[model]['val_loss']:.1f} nats per image (original: {ORIGINAL[model]['val_loss']:.1f}); "
                "nothing pulls its codes towards N(0, I).")
    return sentences


VERDICT_STYLE = {"supported": "color:#1a7f37", "not supported": "color:#b42318", "inconclusive": "color:#7a5d00",
                 "not measured": "color:#666"}
# The content security policy of every page the project writes but the explorer (which runs its own
# scripts, latentspace/explorer.py): no script, no fetch, no frame; inline style and data: images only.
PAGE_POLICY = ('<meta http-equiv="Content-Security-Policy" '
               "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
# The style every HTML page of the project starts from (this report, latentspace.tools.sweep's page);
# each page adds its own rules (width, figures) after it.
PAGE_CSS = """body { font-family: system-ui, sans-serif; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f4f4f4; } img { max-width: 100%; } figcaption { color: #555; font-size: 0.9em; }"""


def _verdict(text: str) -> str:
    return f'<b style="{VERDICT_STYLE.get(text, "")}">{html.escape(text)}</b>'


def side_label(side) -> str:
    """conv_vae with the prior → "Conv VAE (N(0, I))", vae → "VAE", vae@centroids → "VAE (centroids)",
    the real digits as they are (a latentspace.contrasts.Side)."""
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
        agreement = "".join(f"<br><small>{e(measures()[m].label)}: {_verdict(v)}</small>"
                            for m, v in result.get("agreement", {}).items())
        for i, (pair, measure, n) in enumerate(comparisons):
            a, b = split_pair(pair)
            head = (f'<td rowspan="{len(comparisons)}" class="claim">{_claim_cell(claim)}</td>'
                    f'<td rowspan="{len(comparisons)}">{_verdict(result["verdict"])}<br><small>by '
                    f'{e(measures()[result["measure"]].label)}</small>{agreement}</td>') if i == 0 else ""
            numbers = (f"{n['difference']:+.3g} [{n['low']:+.3g}, {n['high']:+.3g}]" if "difference" in n else "–")
            rows.append(f"<tr>{head}<td>{e(side_label(a))} vs {e(side_label(b))}</td><td>{e(measures()[measure].label)}</td>"
                        f"<td>{numbers}</td><td>{_verdict(n['verdict'])}</td></tr>")
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
        return f"<td>{_verdict(result['verdict'])}{agreeing}</td>"

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


def best_cells(rows: dict, measures) -> set[tuple]:
    """(row, measure name) of the best value of each measure among ``rows`` ({row: {name: value}})."""
    best = set()
    for measure in measures:
        values = {row: numbers[measure.name] for row, numbers in rows.items() if numbers.get(measure.name) is not None}
        if values:
            target = measure.best(values.values())
            best |= {(row, measure.name) for row, value in values.items() if value == target}
    return best


def separation_section(scores: dict[str, dict], baselines: dict[str, dict], level: float, neighbours: int) -> str:
    """The "Separation" table: every score of every model's evaluation codes with its interval,
    the best model of each column in bold, then the pixel and PCA baselines."""
    e = html.escape
    columns = separation.MEASURES
    best = best_cells({m: {k: v["value"] for k, v in s.items()} for m, s in scores.items()}, columns)

    def cell(row, key, scores):
        if key not in scores:
            return "<td>–</td>"
        s = scores[key]
        text = f"{_format(s['value'])} <small>[{_format(s['low'])}, {_format(s['high'])}]</small>"
        return f"<td><b>{text}</b></td>" if (row, key) in best else f"<td>{text}</td>"

    names = {"pixels": "raw pixels (baseline)", "pca": "PCA of the pixels (baseline)"}
    body = "".join(f"<tr><th>{e(title(m))}</th>" + "".join(cell(m, c.name, s) for c in columns) + "</tr>"
                   for m, s in scores.items())
    body += "".join(f"<tr><th>{e(names.get(b, b))}</th>" + "".join(cell(b, c.name, s) for c in columns)
                    + "</tr>" for b, s in baselines.items())
    head = "".join(f"<th>{e(c.label)}</th>" for c in columns)
    return (f"<h2>Separation</h2><p>How well the evaluation codes separate the ten digits, with {level:.0%} bootstrap "
            f"intervals over the evaluation digits. kNN (k = {neighbours}) and the linear probe (logistic regression) "
            "are fitted on the training codes and scored on the evaluation codes; Davies–Bouldin is better when "
            "lower; k-means has ten clusters; trustworthiness checks the t-SNE map against the codes. Bold: the best "
            "model of each column. The baselines need no training: the 784 pixels, and as many principal components "
            f"of them as a code has dimensions.</p><table><tr><th>codes</th>{head}</tr>{body}</table>")


def units_section(units: dict[str, dict], threshold: float) -> str:
    """The "Latent units" table: active units, the KL term and its largest dimension per model."""
    e = html.escape
    body = "".join(
        f"<tr><th>{e(title(m))}</th><td>{e(str(u['active_units']))} of {e(str(u['dimensions']))}</td>"
        f"<td>{_format(u.get('kl'))}</td>"
        f"<td>{_format(max(u['kl_per_dimension'].values()) if 'kl_per_dimension' in u else None)}</td>"
        f"<td>{_format(min(u['kl_per_dimension'].values()) if 'kl_per_dimension' in u else None)}</td></tr>"
        for m, u in units.items())
    return (f"<h2>Latent units</h2><p>A dimension is active when its mean code varies over the evaluation digits by "
            f"more than {threshold:g} (Burda et al. 2016); the KL term (nats per image) is the sum of the "
            "dimensions' KL divergences. For the AE the threshold is in the units of its unconstrained code.</p>"
            "<table><tr><th>model</th><th>active units</th><th>KL</th><th>largest dimension's KL</th>"
            f"<th>smallest dimension's KL</th></tr>{body}</table>")

def likelihood_section(found: dict[str, dict], level: float) -> str:
    """The "Likelihood" table: each VAE's IWAE bound and ELBO (nats per image, intervals), and how far
    more draws move the bound (latentspace/likelihood.py); a model without a posterior is marked."""
    e = html.escape

    def cell(n):
        return f"{n['value']:.2f} [{n['low']:.2f}, {n['high']:.2f}]" if n else "–"

    body = "".join(
        f"<tr><th>{e(title(m))}</th><td>{cell(n.get('iwae'))}</td><td>{cell(n.get('elbo'))}</td>"
        + (f"<td>{e(str(n['samples']))}</td><td>{n['check']['change']:+.3f} ({e(str(n['check']['samples']))} draws, "
           f"{e(str(n['check']['digits']))} digits)</td>" if n.get("iwae") else f"<td colspan=2>{e(n.get('note', ''))}</td>")
        + "</tr>" for m, n in found.items())
    return (f"<h2>Likelihood</h2><p>The number VAE papers report: each VAE's importance-weighted (IWAE) bound on "
            f"log p(x) of the evaluation digits and its ELBO, nats per image (higher is better), with {level:.0%} "
            "bootstrap intervals over the digits; the last column is how far the bound still moves with more "
            "posterior draws a digit. These digits are grey levels, not binarised: the numbers compare these models "
            "with each other, not with binarised-MNIST papers.</p>"
            "<table><tr><th>model</th><th>IWAE bound</th><th>ELBO</th><th>draws a digit</th>"
            f"<th>change with more draws</th></tr>{body}</table>")


def generation_section(generation: dict[str, dict], judge: dict[str, float]) -> str:
    """The "Generation" tables: every model × sampler (best of each column in bold), the real
    digits as the floor, and the judge's accuracy on decoded centroids and reconstructions."""
    e = html.escape
    labels, columns = samplers.labels(), sample_quality.MEASURES
    rows = {(model, sampler): metrics[sampler] for model, metrics in generation.items() for sampler in labels
            if sampler in metrics}
    best = best_cells(rows, columns)
    head = "".join(f"<th>{e(m.label)}</th>" for m in columns)

    def cell(row, key, value):
        text = _format(value)
        return f"<td><b>{text}</b></td>" if (row, key) in best else f"<td>{text}</td>"

    body = "".join(
        f"<tr><th>{e(title(model))}, {e(labels[sampler])}</th>"
        + "".join(cell((model, sampler), m.name, rows[(model, sampler)].get(m.name)) for m in columns)
        + "</tr>" for model, sampler in rows)
    floor = ("<tr><th>real digits (validation against evaluation)</th>"
             + "".join(f"<td>{_format(judge['real'].get(m.name))}</td>" for m in columns) + "</tr>")
    accuracy = "".join(
        f"<tr><th>{e(title(model))}</th><td>{_format(metrics['centroids']['accuracy'])}</td>"
        f"<td>{_format(metrics['reconstructions']['accuracy'])}</td></tr>" for model, metrics in generation.items())
    return (f"<h2>Generation</h2><p>Each sampler's digits are shown to a digit classifier (the judge, "
            f"{_format(judge['eval_accuracy'])} accurate on the evaluation digits). Bold: the best of each column. "
            "Class entropy log 10 = 2.303 means every digit equally often; precision is the share of generated "
            "digits that look like real ones, recall the share of real digits the generated ones cover "
            "(k = 3 nearest neighbours in the judge's features).</p>"
            f"<table><tr><th>model, sampler</th>{head}</tr>{body}{floor}</table>"
            "<p>The judge's accuracy on each model's decoded class centroids and on its reconstructions of the "
            "evaluation digits (does the code keep the digit?):</p>"
            f"<table><tr><th>model</th><th>centroids</th><th>reconstructions</th></tr>{accuracy}</table>")


def _interval(n: dict | None, digits: int = 3) -> str:
    return f"{n['value']:.{digits}f} [{n['low']:.{digits}f}, {n['high']:.{digits}f}]" if n else "–"


def factors_section(found: dict[str, dict], figures: dict[str, bytes], level: float) -> str:
    """The "What the units encode" section from each model's factors metrics (stages/factors.py): which unit
    carries which factor (MIG, SAP, DCI), the units that move one factor alone, the decoded digits' factors
    against the real digits', and how far each VAE's codes sit from N(0, I); each model's unit × factor figure."""
    from .morphometrics import LABELS, STROKE_FACTORS, UNITS, factors

    e = html.escape
    first = next(iter(found.values()))
    names = factors(first["strokes"])
    left_out = "" if first["strokes"] else (
        f" These images are not strokes (factors.strokes: false): {' and '.join(LABELS[f] for f in STROKE_FACTORS)} "
        "are not measured.")
    scores = "".join(
        f"<tr><th>{e(title(m))}</th><td>{_interval(f['mig'])}</td><td>{_interval(f['sap'])}</td>"
        f"<td>{f['dci']['disentanglement']:.3f}</td><td>{f['dci']['completeness']:.3f}</td>"
        + "".join(f"<td>{f['dci']['informativeness'][k]:.3f}</td>" for k in f["dci"]["informativeness"])
        + "</tr>" for m, f in found.items())
    informed = "".join(f"<th>{e(LABELS.get(k, k))}</th>" for k in first["dci"]["informativeness"])
    alone = "".join(
        f"<tr><th>{e(title(m))}</th><td style='text-align:left'>"
        + (e("; ".join(f"{unit} → {LABELS[u['moves_most']]} ({u['moves'][u['moves_most']]['effect']:+.2f} sd)"
                       for unit, u in f["units"].items() if u["moves_alone"])) or "none")
        + "</td></tr>" for m, f in found.items())
    rows = []
    for m, f in found.items():
        for what, compared in f["distances"].items():
            label = "reconstructions" if what == "reconstructions" else samplers.labels().get(what, what)
            cells = "".join(f"<td>{_interval(compared['to_real'][k], 2)}</td>" for k in (*names, "mean"))
            decoded = _interval(compared["to_reconstructions"]["mean"], 2) if "to_reconstructions" in compared else "–"
            rows.append(f"<tr><th>{e(title(m))}, {e(label)}</th>{cells}<td>{decoded}</td></tr>")
    head = "".join(f"<th>{e(LABELS[k])}</th>" for k in names)
    gaps = "".join(
        f"<tr><th>{e(title(m))}</th><td>{_interval(f['prior_gap'], 2)}</td>"
        f"<td>{sum(d['gaussian'] for d in f['prior_gap']['per_dimension'].values()):.2f}</td>"
        f"<td>{sum(d['non_gaussian'] for d in f['prior_gap']['per_dimension'].values()):.3f}</td>"
        f"<td>{f['prior_gap']['elbo_split']['kl_term']:.2f}</td>"
        f"<td>{f['prior_gap']['elbo_split']['mutual_information']:.2f} (≤ log N = "
        f"{f['prior_gap']['elbo_split']['log_n']:.2f})</td>"
        f"<td>{f['prior_gap']['elbo_split']['marginal_kl']:.2f}</td></tr>"
        for m, f in found.items() if "prior_gap" in f)
    pictures = "".join(f"<figure>{_image(png, f'units and factors of the {t}')}<figcaption>{e(t)}: left, what each "
                       "unit knows of each factor (mutual information over the factor's entropy); right, what each "
                       "unit's traversal moves (◆: that factor alone; blank: no clear effect).</figcaption></figure>"
                       for t, png in figures.items())
    units = ", ".join(f"{LABELS[k]} ({UNITS[k]})" for k in names)
    return (f"<h2>What the units encode</h2><p>Each evaluation digit's shape is measured from its image as "
            f"Morpho-MNIST does (Castro et al. 2019): {e(units)}.{e(left_out)} With the class, these are the factors. "
            f"MIG and SAP ({level:.0%} bootstrap intervals over the {first['digits']:,} evaluation digits, the same "
            "resamples for every model) say how far each factor sits in one unit; DCI's disentanglement and "
            "completeness come from gradient-boosted trees fitted on half the digits (at most 1,000; one fit, no "
            "interval), and its informativeness is the trees' R² (the class: accuracy) on the other half. The "
            "mutual information uses 20 bins, biased upward by about 361 / 2N nats: shared by the models, which "
            "are scored on the same digits.</p>"
            f"<table><tr><th>model</th><th>MIG</th><th>SAP</th><th>DCI disentanglement</th><th>DCI completeness</th>"
            f"{informed}</tr>{scores}</table>"
            f"<p>Traversals measured: each unit swept over ± {first['traversals']['reach_sd']:g} sd from "
            f"{first['traversals']['anchors']} anchor codes, decoded and measured. A unit moves a factor alone "
            "when that factor's change over the traversal (in the real digits' sd; interval over the anchors) "
            "excludes 0 and every other factor's stays under half of it:</p>"
            f"<table><tr><th>model</th><th>units that move one factor alone</th></tr>{alone}</table>"
            f"<p>Decoded digits against {first['compared_digits']:,} real evaluation digits, factor by factor: the "
            "Wasserstein-1 distance in the real digits' standard deviations (intervals: resamples of both sets). "
            "Decoded images are greyer than real ones and binarising them thickens strokes, so the last column "
            "compares a sampler's draws with the same decoder's reconstructions, which share that offset.</p>"
            f"<table><tr><th>model, digits</th>{head}<th>mean</th><th>mean, against the reconstructions</th></tr>"
            f"{''.join(rows)}</table>"
            + (f"<p>How far each VAE's codes sit from its prior: KL(q(z) ‖ N(0, I)) of the aggregate posterior, its "
               "Gaussian part (the KL of a Gaussian with the codes' mean and covariance: a lower bound, corrected "
               "for the sample's size), the sum of the dimensions' Gaussian and non-Gaussian parts, and beside them "
               "the ELBO's KL term split into I(x; z) and KL(q(z) ‖ p(z)) (Hoffman and Johnson 2016), whose split "
               "is set by N: I(x; z) cannot pass log N.</p>"
               "<table><tr><th>model</th><th>KL(q(z) ‖ N(0, I)), Gaussian part</th><th>dimensions, Gaussian</th>"
               "<th>dimensions, non-Gaussian</th><th>KL term</th><th>I(x; z)</th><th>KL term − I(x; z)</th></tr>"
               f"{gaps}</table>" if gaps else "")
            + pictures)


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def _format(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"


def _table(rows: dict[str, dict]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(label)}</th>" for _, label in COLUMNS)
    body = "".join(
        f"<tr><th>{e(title(model))}</th>" + "".join(f"<td>{_format(row.get(key))}</td>" for key, _ in COLUMNS) + "</tr>"
        for model, row in rows.items()
    )
    return f"<table><tr><th>model</th>{head}</tr>{body}</table>"


def explore_section(link: str, traversals: dict[str, bytes]) -> str:
    """The Explore section: how to use the explorer page at ``link`` (relative), and each model's
    traversal figure (``traversals[title]``, PNG bytes)."""
    e = html.escape
    pictures = "".join(f"<figure>{_image(png, f'traversal of the {t}')}<figcaption>{e(t)}: each latent dimension, "
                       f"most used first, swept from −3 to +3 standard deviations around one code.</figcaption></figure>"
                       for t, png in traversals.items())
    return f"""<h2>Explore</h2>
<p><a href="{e(link)}"><b>Open the explorer</b></a> (a page beside this one; it works from disk, with no
network): one panel a model. Hover a point of the t-SNE map to see that digit and its reconstruction;
click two points to decode the straight line between their codes; move a slider to change one
dimension of the last clicked code (sliders ordered by the dimension's KL, the AE's by its activity);
the buttons decode draws of N(0, I) and of the fitted mixture. Every image is decoded in the page by
TensorFlow.js from the model's saved decoder.</p>{pictures}
"""


def render(params: dict, rows: dict[str, dict], curves: dict, figures: dict[str, bytes], split_sizes: dict,
           claims: str = "", sections: tuple[str, ...] = ()) -> str:
    """The page as an HTML string. ``curves`` maps a model to its curves (:mod:`latentspace.curves`),
    ``figures`` a caption to PNG bytes; ``claims`` is :func:`claims_section`'s HTML, ``sections``
    the HTML of the other sections (separation, latent units, generation), in order."""
    from .outputs import figure_png
    from .plotting import loss_curves

    e = html.escape
    original = {model: ORIGINAL[model] for model in rows if model in ORIGINAL}
    param_rows = "".join(f"<tr><th>{e(k)}</th><td>{e(repr(v))}</td></tr>" for k, v in params.items())
    sizes = ", ".join(f"{n:,} {split}" for split, n in split_sizes.items())
    sentences = "".join(f"<li>{e(s)}</li>" for s in findings(rows))
    pictures = "".join(f"<figure>{_image(png, caption)}<figcaption>{e(caption)}</figcaption></figure>"
                       for caption, png in figures.items())
    curves_png = figure_png(loss_curves({title(model): columns for model, columns in curves.items()}))
    reference = (f"<p>The original study (full MNIST, {TRAINING_DIGITS:,} training digits, 30 epochs), for reference:</p>"
                 + _table(original)) if original else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{PAGE_POLICY}<title>Latent spaces of auto-encoders</title>
<style>
{PAGE_CSS}
body {{ max-width: 1150px; }} figure {{ margin: 1em 0 2em; }} .params th {{ text-align: left; }}
.claims td.claim {{ text-align: left; max-width: 22em; }} small {{ color: #666; }}
</style></head><body>
<h1>Latent spaces of {e(_listing([title(m) for m in rows]))}</h1>
<p>Digits: {e(sizes)} (source <code>{e(str(params.get('data.source')))}</code>).
Losses are nats per image on the validation split; silhouette scores on the evaluation split.</p>
<h2>Findings</h2>{claims}
<p>Other observations:</p><ul>{sentences}</ul>
<h2>Metrics</h2>
{_table(rows)}
{reference}
{"".join(sections)}
<h2>Training curves</h2>
<figure>{_image(curves_png, "loss curves")}<figcaption>Solid: training; dashed: validation.</figcaption></figure>
<h2>Figures</h2>{pictures}
<h2>Parameters</h2><table class="params">{param_rows}</table>
</body></html>
"""


@dataclass(frozen=True)
class Inputs:
    """What the report shows, read: per model (in order) its ``train``, ``separation``, ``units``, ``likelihood``,
    ``generation`` and ``factors`` metrics and ``curves``; the ``baselines``', ``claims``', ``judge``'s metrics and
    the ``study``'s verdict matrix; ``figures`` (caption → PNG), each model's ``factor_figures`` and ``traversals``
    (its title → PNG); the links to the ``explorer`` and the ``study_page``; the digits a split (``sizes``) and the
    ``params`` (all of them, flattened)."""

    models: list[str]
    train: dict
    separation: dict
    units: dict
    likelihood: dict
    generation: dict
    factors: dict
    curves: dict
    baselines: dict
    claims: dict
    judge: dict
    study: dict
    figures: dict[str, bytes]
    factor_figures: dict[str, bytes]
    traversals: dict[str, bytes]
    explorer: str
    study_page: str
    sizes: dict[str, int]
    params: dict


def page(i: Inputs) -> str:
    """report/index.html from what it shows (:class:`Inputs`)."""
    level, margins = i.params["bootstrap.level"], {k.rsplit(".", 1)[1]: v for k, v in i.params.items()
                                                   if k.startswith("claims.margins.")}
    claims = study_section(i.study, i.study_page) + claims_section(i.claims, margins, level)
    sections = (separation_section(i.separation, i.baselines, level, i.params["separation.neighbours"]),
                units_section(i.units, i.params["units.active_threshold"]),
                factors_section(i.factors, i.factor_figures, level),
                likelihood_section(i.likelihood, level),
                generation_section(i.generation, i.judge),
                explore_section(i.explorer, i.traversals))
    return render(i.params, metrics_table(i.train, i.separation), i.curves, i.figures, i.sizes, claims, sections)
