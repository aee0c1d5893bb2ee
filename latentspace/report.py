"""The one-page HTML report: params, a metrics table, loss curves, every figure, a few sentences.

Self-contained (images inlined as base64), so it opens from disk and can be mailed around.
Models are named by their section in params.yaml's ``models``; the original's numbers come from
:mod:`latentspace.original`.
"""

from __future__ import annotations

import base64
import html

from .original import ORIGINAL, SILHOUETTE_RANKING, TRAINING_DIGITS
from .names import title

COLUMNS = [
    ("loss", "train loss"), ("val_loss", "val loss"), ("val_reconst_loss", "val reconstruction"),
    ("val_diverg_loss", "val β·KL"), ("silhouette", "silhouette"), ("encoder", "encoder params"),
    ("decoder", "decoder params"), ("epochs", "epochs"),
]


def metrics_table(train: dict[str, dict], silhouette: dict[str, dict]) -> dict[str, dict[str, float]]:
    """One row per model: the final losses, silhouette score, parameter counts and epochs."""
    rows = {}
    for model, metrics in train.items():
        row = {key: value for key, value in metrics.items() if key != "parameters"}
        row.update(metrics.get("parameters", {}))
        row["silhouette"] = silhouette.get(model, {}).get("silhouette")
        rows[model] = row
    return rows


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _loss_parts(row: dict) -> str:
    return (f"{row['val_loss']:.1f} = {row['val_reconst_loss']:.1f} reconstruction "
            f"+ {row['val_diverg_loss']:.1f} β·KL")


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
    vaes = [m for m in rows if "val_diverg_loss" in rows[m]]
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
    sentences.append(
        "Whether the samples decoded from N(0, I) look like digits is for the eye (prior figure below): only "
        f"{_listing([title(m) for m in vaes]) if vaes else 'the VAEs'} were trained to make that prior meaningful."
    )
    return sentences


# Generation metrics: (key, column label, whether larger is better).
GENERATION_COLUMNS = [
    ("confidence", "judge's confidence", True), ("class_entropy", "class entropy (nats)", True),
    ("inception_score", "Inception Score", True), ("frechet_distance", "Fréchet distance", False),
    ("precision", "precision", True), ("recall", "recall", True),
]
SAMPLERS = {"prior": "N(0, I)", "mixture": "mixture"}


def best_cells(rows: dict[tuple, dict[str, float]]) -> set[tuple]:
    """(row, key) of the best value of each generation column among ``rows``."""
    best = set()
    for key, _, larger in GENERATION_COLUMNS:
        values = {row: metrics[key] for row, metrics in rows.items() if metrics.get(key) is not None}
        if values:
            target = (max if larger else min)(values.values())
            best |= {(row, key) for row, value in values.items() if value == target}
    return best


def generation_section(generation: dict[str, dict], judge: dict[str, float]) -> str:
    """The "Generation" tables: every model × sampler (best of each column in bold), the real
    digits as the floor, and the judge's accuracy on decoded centroids and reconstructions."""
    e = html.escape
    rows = {(model, sampler): metrics[sampler] for model, metrics in generation.items() for sampler in SAMPLERS}
    best = best_cells(rows)
    head = "".join(f"<th>{e(label)}</th>" for _, label, _ in GENERATION_COLUMNS)

    def cell(row, key, value):
        text = _format(value)
        return f"<td><b>{text}</b></td>" if (row, key) in best else f"<td>{text}</td>"

    body = "".join(
        f"<tr><th>{e(title(model))}, {e(SAMPLERS[sampler])}</th>"
        + "".join(cell((model, sampler), key, rows[(model, sampler)].get(key)) for key, _, _ in GENERATION_COLUMNS)
        + "</tr>" for model, sampler in rows)
    real = {"confidence": judge["real_confidence"], "class_entropy": judge["real_class_entropy"],
            "inception_score": judge["real_inception_score"], "frechet_distance": judge["real_frechet_distance"],
            "precision": judge["real_precision"], "recall": judge["real_recall"]}
    floor = ("<tr><th>real digits (validation against evaluation)</th>"
             + "".join(f"<td>{_format(real[key])}</td>" for key, _, _ in GENERATION_COLUMNS) + "</tr>")
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


def render(params: dict, rows: dict[str, dict], curves: dict, figures: dict[str, bytes], split_sizes: dict,
           generation: str = "") -> str:
    """The page as an HTML string. ``curves`` maps a model to its curves (:mod:`latentspace.curves`),
    ``figures`` a caption to PNG bytes; ``generation`` is :func:`generation_section`'s HTML."""
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
<html lang="en"><head><meta charset="utf-8"><title>Latent spaces of auto-encoders</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
th {{ background: #f4f4f4; }} img {{ max-width: 100%; }} figure {{ margin: 1em 0 2em; }}
figcaption {{ color: #555; font-size: 0.9em; }} .params th {{ text-align: left; }}
</style></head><body>
<h1>Latent spaces of {e(_listing([title(m) for m in rows]))}</h1>
<p>Digits: {e(sizes)} (source <code>{e(str(params.get('data.source')))}</code>).
Losses are nats per image on the validation split; silhouette scores on the evaluation split.</p>
<h2>Findings</h2><ul>{sentences}</ul>
<h2>Metrics</h2>
{_table(rows)}
{reference}
{generation}
<h2>Training curves</h2>
<figure>{_image(curves_png, "loss curves")}<figcaption>Solid: training; dashed: validation.</figcaption></figure>
<h2>Figures</h2>{pictures}
<h2>Parameters</h2><table class="params">{param_rows}</table>
</body></html>
"""
