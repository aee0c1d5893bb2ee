"""The report's sections by measure family: separation, latent units, likelihood, generation, factors and the
explorer (HTML, escaped; no TensorFlow)."""

from __future__ import annotations

import html

from latentspace.measures import sample_quality, separation
from latentspace.models import samplers
from latentspace.core.names import title
from latentspace.pages.page_parts import formatted, image


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
        text = f"{formatted(s['value'])} <small>[{formatted(s['low'])}, {formatted(s['high'])}]</small>"
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
        f"<td>{formatted(u.get('kl'))}</td>"
        f"<td>{formatted(max(u['kl_per_dimension'].values()) if 'kl_per_dimension' in u else None)}</td>"
        f"<td>{formatted(min(u['kl_per_dimension'].values()) if 'kl_per_dimension' in u else None)}</td></tr>"
        for m, u in units.items())
    return (f"<h2>Latent units</h2><p>A dimension is active when its mean code varies over the evaluation digits by "
            f"more than {threshold:g} (Burda et al. 2016); the KL term (nats per image) is the sum of the "
            "dimensions' KL divergences. For the AE the threshold is in the units of its unconstrained code.</p>"
            "<table><tr><th>model</th><th>active units</th><th>KL</th><th>largest dimension's KL</th>"
            f"<th>smallest dimension's KL</th></tr>{body}</table>")


def likelihood_section(found: dict[str, dict], level: float) -> str:
    """The "Likelihood" table: each VAE's IWAE bound and ELBO (nats per image, intervals), and how far
    more draws move the bound (latentspace/measures/likelihood.py); a model without a posterior is marked."""
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
        text = formatted(value)
        return f"<td><b>{text}</b></td>" if (row, key) in best else f"<td>{text}</td>"

    body = "".join(
        f"<tr><th>{e(title(model))}, {e(labels[sampler])}</th>"
        + "".join(cell((model, sampler), m.name, rows[(model, sampler)].get(m.name)) for m in columns)
        + "</tr>" for model, sampler in rows)
    floor = ("<tr><th>real digits (validation against evaluation)</th>"
             + "".join(f"<td>{formatted(judge['real'].get(m.name))}</td>" for m in columns) + "</tr>")
    accuracy = "".join(
        f"<tr><th>{e(title(model))}</th><td>{formatted(metrics['centroids']['accuracy'])}</td>"
        f"<td>{formatted(metrics['reconstructions']['accuracy'])}</td></tr>" for model, metrics in generation.items())
    return (f"<h2>Generation</h2><p>Each sampler's digits are shown to a digit classifier (the judge, "
            f"{formatted(judge['eval_accuracy'])} accurate on the evaluation digits). Bold: the best of each column. "
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
    from latentspace.measures.factors.morphometrics import LABELS, STROKE_FACTORS, UNITS, factors

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
    pictures = "".join(f"<figure>{image(png, f'units and factors of the {t}')}<figcaption>{e(t)}: left, what each "
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


def explore_section(link: str, traversals: dict[str, bytes]) -> str:
    """The Explore section: how to use the explorer page at ``link`` (relative), and each model's
    traversal figure (``traversals[title]``, PNG bytes)."""
    e = html.escape
    pictures = "".join(f"<figure>{image(png, f'traversal of the {t}')}<figcaption>{e(t)}: each latent dimension, "
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
