"""The one-page HTML report: params, a metrics table, loss curves, every figure, a few sentences.

Self-contained (images inlined as base64), so it opens from disk and can be mailed around.
"""

from __future__ import annotations

import base64
import csv
import html
from pathlib import Path

import numpy as np

from .layout import TITLES

# The original study's figures: full MNIST, 30 epochs (validation losses in nats per image).
ORIGINAL = {
    "val_loss": {"ae": 84.7, "vae": 111.8, "conv_vae": 97.3},
    "val_reconst_loss": {"vae": 93.5, "conv_vae": 77.7},
    "val_diverg_loss": {"vae": 18.2, "conv_vae": 19.6},
    "silhouette": {"vae": 0.1117, "conv_vae": 0.1183},
}
COLUMNS = [
    ("loss", "train loss"), ("val_loss", "val loss"), ("val_reconst_loss", "val reconstruction"),
    ("val_diverg_loss", "val β·KL"), ("silhouette", "silhouette"), ("encoder", "encoder params"),
    ("decoder", "decoder params"), ("epochs", "epochs"),
]


def read_curves(live_dir: Path) -> dict[str, dict[str, np.ndarray]]:
    """``{split: {name: values (steps,)}}`` from a DVCLive folder's ``plots/metrics/<split>/<name>.tsv``."""
    curves: dict[str, dict[str, np.ndarray]] = {}
    for tsv in sorted((live_dir / "plots" / "metrics").glob("*/*.tsv")):
        with tsv.open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        curves.setdefault(tsv.parent.name, {})[tsv.stem] = np.array([float(row[tsv.stem]) for row in rows])
    return curves


def metrics_table(train: dict[str, dict], silhouette: dict[str, float]) -> dict[str, dict[str, float]]:
    """One row per model: the final losses, silhouette score, parameter counts and epochs."""
    rows = {}
    for kind, metrics in train.items():
        row = {key: value for key, value in metrics.items() if key != "parameters"}
        row.update(metrics.get("parameters", {}))
        row["silhouette"] = silhouette.get(kind)
        rows[kind] = row
    return rows


def _name_list(kinds: list[str]) -> str:
    names = [TITLES[k] for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def findings(rows: dict[str, dict[str, float]]) -> list[str]:
    """Sentences that state the original's comparisons with this run's numbers."""
    sentences = []
    scores = {k: r["silhouette"] for k, r in rows.items() if r.get("silhouette") is not None}
    if scores:
        ranked = sorted(scores, key=scores.get, reverse=True)
        listing = ", then ".join(f"{TITLES[k]} ({scores[k]:.4f})" for k in ranked)
        original_order = ["ae", "conv_vae", "vae"]
        agree = "the same order as" if ranked == original_order else "a different order from"
        sentences.append(
            f"The {TITLES[ranked[0]]} codes separate the classes best by silhouette score: {listing}. "
            f"That is {agree} the original on full MNIST (AE first, then conv VAE 0.1183, then VAE 0.1117)."
        )
    vaes = [k for k in ("vae", "conv_vae") if k in rows]
    if len(vaes) == 2:
        better, worse = sorted(vaes, key=lambda k: rows[k]["val_loss"])
        parts = {k: f"{rows[k]['val_loss']:.1f} = {rows[k]['val_reconst_loss']:.1f} reconstruction "
                    f"+ {rows[k]['val_diverg_loss']:.1f} β·KL" for k in vaes}
        sentences.append(
            f"Of the two VAEs the {TITLES[better]} reaches the lower validation loss "
            f"({parts[better]} nats per image, against {parts[worse]}); the original found the conv VAE "
            f"lower too (97.3 against 111.8)."
        )
    if "ae" in rows:
        sentences.append(
            f"The AE, which pays no KL term, reaches a validation loss of {rows['ae']['val_loss']:.1f} nats per "
            "image (original: 84.7); nothing pulls its codes towards N(0, I)."
        )
    sentences.append(
        "Whether the samples decoded from N(0, I) look like digits is for the eye (prior figure below): only "
        f"{_name_list(vaes) if vaes else 'the VAEs'} were trained to make that prior meaningful."
    )
    return sentences


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def _format(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"


def render(params: dict, rows: dict[str, dict], curves: dict, figures: dict[str, bytes], split_sizes: dict) -> str:
    """The page as an HTML string. ``figures`` maps a caption to PNG bytes."""
    from .outputs import figure_png
    from .plotting import loss_curves

    e = html.escape
    head = "".join(f"<th>{e(label)}</th>" for _, label in COLUMNS)
    body = "".join(
        f"<tr><th>{e(TITLES[kind])}</th>" + "".join(f"<td>{_format(row.get(key))}</td>" for key, _ in COLUMNS) + "</tr>"
        for kind, row in rows.items()
    )
    original = "".join(
        f"<tr><th>{e(TITLES[kind])}</th>" + "".join(
            f"<td>{_format(ORIGINAL.get(key, {}).get(kind))}</td>" for key, _ in COLUMNS) + "</tr>"
        for kind in rows
    )
    param_rows = "".join(f"<tr><th>{e(k)}</th><td>{e(repr(v))}</td></tr>" for k, v in params.items())
    sizes = ", ".join(f"{n:,} {split}" for split, n in split_sizes.items())
    sentences = "".join(f"<li>{e(s)}</li>" for s in findings(rows))
    pictures = "".join(f"<figure>{_image(png, caption)}<figcaption>{e(caption)}</figcaption></figure>"
                       for caption, png in figures.items())
    curves_png = figure_png(loss_curves(curves, TITLES))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latent spaces of an AE, a VAE and a conv VAE</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
th {{ background: #f4f4f4; }} img {{ max-width: 100%; }} figure {{ margin: 1em 0 2em; }}
figcaption {{ color: #555; font-size: 0.9em; }} .params th {{ text-align: left; }}
</style></head><body>
<h1>Latent spaces of an AE, a VAE and a convolutional VAE</h1>
<p>Digits: {e(sizes)} (source <code>{e(str(params.get('data.source')))}</code>).
Losses are nats per image on the validation split; silhouette scores on the evaluation split.</p>
<h2>Findings</h2><ul>{sentences}</ul>
<h2>Metrics</h2>
<table><tr><th>model</th>{head}</tr>{body}</table>
<p>The original study (full MNIST, 30 epochs), for reference:</p>
<table><tr><th>model</th>{head}</tr>{original}</table>
<h2>Training curves</h2>
<figure>{_image(curves_png, "loss curves")}<figcaption>Solid: training; dashed: validation.</figcaption></figure>
<h2>Figures</h2>{pictures}
<h2>Parameters</h2><table class="params">{param_rows}</table>
</body></html>
"""
