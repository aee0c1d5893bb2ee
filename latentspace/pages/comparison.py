"""The figures that put every model side by side: each declared once, with its caption (no TensorFlow).

The compare stage draws every figure of :data:`FIGURES` into one folder (``<name>.png``); the
report reads that folder and captions each figure from here. Adding a figure is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from latentspace.pages import plotting
from latentspace.core.names import title
from latentspace.models import samplers
from latentspace.models.samplers import PRIOR


@dataclass
class Inputs:
    """What the figures are drawn from, per model (params.yaml's ``models``, in order): ``decoded``
    (codes@<model>'s images), ``samples`` (generation@<model>'s draws), ``maps`` (t-SNE), ``units``
    and ``generation`` (metrics), the judge's metrics, ``shown`` (report.num_samples) and the
    activity ``threshold`` (units.active_threshold)."""

    models: list[str]
    decoded: dict[str, dict[str, np.ndarray]]
    samples: dict[str, dict[str, np.ndarray]]
    maps: dict[str, dict[str, np.ndarray]]
    units: dict[str, dict]
    generation: dict[str, dict]
    judge: dict
    shown: int
    threshold: float

    DECODED = ("originals", "reconstructions", "interpolations", "pairs")  # arrays read of each file
    SAMPLES = (PRIOR, "centroids", "classes")
    MAPS = ("map", "labels")


@dataclass(frozen=True)
class Figure:
    name: str                                  # the file is <name>.png
    caption: str                               # the report's caption
    draw: Callable[[Inputs], object]           # → a matplotlib figure


def _reconstructions(i: Inputs):
    rows = {"original": i.decoded[i.models[0]]["originals"]}
    rows.update({title(m): i.decoded[m]["reconstructions"] for m in i.models})
    return plotting.image_grid(rows, "Reconstructions of the first evaluation digits (VAEs decode the mean code)")


def _centroids(i: Inputs):
    return plotting.image_grid({title(m): i.samples[m]["centroids"] for m in i.models},
                               "Decoded class centroids of the evaluation codes",
                               [str(c) for c in i.samples[i.models[0]]["classes"]])


def _prior(i: Inputs):
    shown = {title(m): i.samples[m][PRIOR][:i.shown] for m in i.models}
    count = len(next(iter(shown.values())))  # report.num_samples, or fewer if generation drew fewer
    return plotting.image_grid(shown, f"The same {count} draws of z ~ N(0, I) through each decoder")


def _interpolation(i: Inputs):
    pairs = i.decoded[i.models[0]]["pairs"]
    if not len(pairs):  # the evaluation digits hold no pair of INTERPOLATED classes
        return plotting.image_grid({"no pair": np.zeros((1, 28, 28))},
                                   "No two evaluation digits of the interpolated class pairs")
    return plotting.image_grid(
        {f"{a}→{b}, {title(m)}": i.decoded[m]["interpolations"][k] for k, (a, b) in enumerate(pairs) for m in i.models},
        "Straight lines in code space between two evaluation digits, decoded")


def _units(i: Inputs):
    return plotting.units_panel(
        {title(m): np.array(list(i.units[m]["activity"].values())) for m in i.models},
        {title(m): np.array(list(i.units[m]["kl_per_dimension"].values())) for m in i.models
         if "kl_per_dimension" in i.units[m]},
        i.threshold)


def _tsne(i: Inputs):
    return plotting.tsne_panels({title(m): (i.maps[m]["map"], i.maps[m]["labels"]) for m in i.models})


def _generation(i: Inputs):
    points = {title(m): {s.name: (i.generation[m][s.name]["frechet_distance"], i.generation[m][s.name]["class_entropy"])
                         for s in samplers.SAMPLERS} for m in i.models}
    return plotting.generation_panel(points, i.judge["real"]["frechet_distance"])


FIGURES: tuple[Figure, ...] = (
    Figure("reconstructions", "Reconstructions of the first evaluation digits", _reconstructions),
    Figure("centroids", "Decoded class centroids", _centroids),
    Figure("prior", "Decoded draws of N(0, I)", _prior),
    Figure("interpolation",
           "Decoded straight lines between the codes of two evaluation digits (the ends are reconstructions)",
           _interpolation),
    Figure("units", "Which latent dimensions each model uses", _units),
    Figure("tsne", "t-SNE maps of the codes", _tsne),
    Figure("generation", "Generated digits: Fréchet distance against class entropy, each model and sampler",
           _generation),
)
