"""The study's figures (matplotlib, headless). Each function returns a Figure; the caller saves it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from latentspace.models import loss_terms  # noqa: E402

CLASS_COLOURS = plt.get_cmap("tab10")


def image_grid(rows: dict[str, np.ndarray], title: str, column_titles: list[str] | None = None,
               columns: int | None = None):
    """One row of 28×28 images per entry of ``rows`` (name → (N, 28, 28[, 1]) in [0, 1]).

    With ``columns``, an entry of more images takes several rows of that many, named on the first.
    """
    if columns:
        rows = {(name if start == 0 else f"{name} ({start + 1}–)"): images[start:start + columns]
                for name, images in rows.items() for start in range(0, len(images), columns)}
    columns = max(len(images) for images in rows.values())
    figure, axes = plt.subplots(len(rows), columns, figsize=(columns * 0.9 + 1.2, len(rows) * 0.95 + 0.5),
                                squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c in range(columns):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(images):
                ax.imshow(np.squeeze(images[c]), cmap="gray_r", vmin=0, vmax=1)
            if c == 0:
                ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=10)
            if r == 0 and column_titles:
                ax.set_title(column_titles[c], fontsize=9)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def tsne_panels(maps: dict[str, tuple[np.ndarray, np.ndarray]]):
    """One scatter panel per model title of its 2-D t-SNE map (N, 2) and labels (N,), coloured by class."""
    figure, axes = plt.subplots(1, len(maps), figsize=(5 * len(maps), 5), squeeze=False)
    for ax, (title, (points, labels)) in zip(axes[0], maps.items()):
        for c in np.unique(labels):
            mask = labels == c
            ax.scatter(points[mask, 0], points[mask, 1], s=4, color=CLASS_COLOURS(int(c) % 10), label=str(c))
        ax.set_title(f"t-SNE of {title} codes")
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, -1].legend(title="class", markerscale=3, loc="center left", bbox_to_anchor=(1, 0.5))
    figure.tight_layout()
    return figure


def silhouette_plot(values: np.ndarray, labels: np.ndarray, score: float, title: str):
    """Per-sample silhouette values grouped by class (sorted within each), the mean dashed."""
    figure, ax = plt.subplots(figsize=(6, 6))
    bottom = 0
    for c in np.unique(labels):
        block = np.sort(values[labels == c])
        ax.fill_betweenx(np.arange(bottom, bottom + len(block)), 0, block, color=CLASS_COLOURS(int(c) % 10),
                         alpha=0.8, linewidth=0)
        ax.text(-0.01, bottom + len(block) / 2, str(c), transform=ax.get_yaxis_transform(), ha="right", va="center")
        bottom += len(block) + 10
    ax.axvline(score, color="red", linestyle="--", label=f"mean {score:.4f}")
    ax.set_xlabel("silhouette value")
    ax.set_ylabel("class")
    ax.set_yticks([])
    ax.set_xlim(min(-0.1, float(values.min()) - 0.05), 1)
    ax.legend(loc="lower right")
    ax.set_title(title)
    figure.tight_layout()
    return figure


def loss_curves(curves: dict[str, dict[str, np.ndarray]]):
    """A panel a loss term that some model has (:mod:`latentspace.models.loss_terms`): ``curves[title][column]``
    is (epochs,) nats/image.

    Columns as in :mod:`latentspace.models.curves`: training solid, ``val_`` (validation) dashed.
    """
    panels = [(name, label) for name, label in loss_terms.labels().items()
              if any(name in columns for columns in curves.values())]
    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4))
    for ax, (name, label) in zip(axes, panels):
        for i, (title, columns) in enumerate(curves.items()):
            for prefix, style, split in (("", "-", "train"), (loss_terms.VALIDATION, "--", "validation")):
                series = columns.get(prefix + name)
                if series is not None:
                    ax.plot(columns["epoch"], series, style, color=CLASS_COLOURS(i % 10), label=f"{title} {split}")
        ax.set_title(label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per image")
        if ax.lines:
            ax.legend(fontsize=8)
    figure.tight_layout()
    return figure


def generation_panel(points: dict[str, dict[str, tuple[float, float]]], floor: float, classes: int = 10):
    """Each model × sampler at (Fréchet distance, class entropy): ``points[title][sampler]``.

    The real digits' Fréchet distance (``floor``) and perfect coverage (log ``classes``) are dashed;
    the best corner is bottom right: close to the real digits, every class generated.
    """
    from latentspace.models.samplers import SAMPLERS

    markers = {s.name: s.marker for s in SAMPLERS}
    figure, ax = plt.subplots(figsize=(7, 5))
    for i, (title, samplers) in enumerate(points.items()):
        for sampler, (distance, entropy) in samplers.items():
            ax.scatter(distance, entropy, s=70, color=CLASS_COLOURS(i % 10), marker=markers.get(sampler, "^"),
                       label=f"{title}, {sampler}")
    ax.axvline(floor, color="grey", linestyle="--", label=f"real digits ({floor:.1f})")
    ax.axhline(np.log(classes), color="grey", linestyle=":", label="all classes equally")
    ax.set_xscale("log")
    ax.set_xlabel("Fréchet distance to the evaluation digits (judge's features, log scale)")
    ax.set_ylabel("entropy of the predicted classes (nats)")
    ax.set_title("Generated digits: closeness to real digits against coverage of the classes")
    ax.legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    return figure


def units_panel(activity: dict[str, np.ndarray], kl: dict[str, np.ndarray], threshold: float):
    """Which latent dimensions each model uses: ``activity[title]`` (D,) is the variance of the mean
    code over the digits, ``kl[title]`` (D,) the KL of each dimension in nats (VAEs only); both
    sorted from the most used dimension down, the activity threshold dashed."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    for i, (title, values) in enumerate(activity.items()):
        ranks = np.arange(1, len(values) + 1)
        left.plot(ranks, np.sort(values)[::-1], "o-", color=CLASS_COLOURS(i % 10), label=title)
        if title in kl:
            right.plot(ranks, np.sort(kl[title])[::-1], "o-", color=CLASS_COLOURS(i % 10), label=title)
    left.axhline(threshold, color="grey", linestyle="--", label=f"active above {threshold:g}")
    left.set_yscale("log")
    left.set_title("Activity: variance of each dimension's mean code over the digits")
    right.set_title("KL divergence of each dimension (nats per image)")
    for ax in (left, right):
        ax.set_xlabel("dimension, most used first")
        if ax.lines:
            ax.legend(fontsize=8)
    figure.tight_layout()
    return figure


def factors_figure(title: str, share: np.ndarray, factors: list[str], moved: dict[str, np.ndarray],
                   measured: list[str]):
    """Which unit carries which factor, two unit × factor panels: what each unit knows of each factor beyond
    chance (D, K), the share of its entropy the factors metrics label the units by
    (latentspace.measures.factors.disentanglement.shares; below 0 left white), and each unit's effect over its
    traversal (D, K') in real-digit sds, a unit that moves one factor alone marked ◆ on it, an effect whose
    interval holds 0 left blank."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(4 + 0.7 * (len(factors) + len(measured)), 5))
    image = left.imshow(share, cmap="Blues", vmin=0, vmax=max(float(share.max()), 1e-6), aspect="auto")
    figure.colorbar(image, ax=left, label="(I(unit; factor) − chance's) / H(factor)")
    left.set_title("what each unit knows")
    effect = np.where((moved["low"] > 0) | (moved["high"] < 0), moved["effect"], np.nan)
    reach = max(float(np.nanmax(np.abs(effect))) if np.isfinite(effect).any() else 0.0, 1e-6)
    image = right.imshow(effect, cmap="RdBu_r", vmin=-reach, vmax=reach, aspect="auto")
    figure.colorbar(image, ax=right, label="change over the traversal (real digits' sd)")
    for d in np.flatnonzero(moved["alone"]):
        right.text(moved["top"][d], d, "◆", ha="center", va="center", color="black")
    right.set_title("what each unit's traversal moves")
    for ax, names in ((left, factors), (right, measured)):
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_yticks(range(share.shape[0]), [f"z{d}" for d in range(share.shape[0])])
        ax.set_ylabel("unit")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def traversal_figure(title: str, rows: dict[str, np.ndarray]):
    """A model's traversal figure: each row (latentspace.pages.explorer.sweep_rows) one dimension swept over ± REACH sd."""
    from latentspace.measures.factors.traversals import REACH, TRAVERSAL_STEPS

    steps = np.linspace(-REACH, REACH, TRAVERSAL_STEPS)
    return image_grid(rows, f"{title}: each dimension swept around one code", [f"{s:+g} sd" for s in steps])
