"""Digits a model generates, judged: the generation stage's measurements (no TensorFlow).

:func:`draw` fits each sampler of latentspace/models/samplers.py to a model's training codes and draws from it;
:func:`judge` decodes the draws, the class centroids and the reconstructions with the model's decoder, shows
them to the judge, and gives every measure of latentspace/measures/sample_quality.py per sampler with the share of its
draws outside the training codes (latentspace/measures/holes.py; the held-out codes' beside), the judge's accuracy
on the centroids and the reconstructions, the arrays the contrasts read back (named by
latentspace.measures.sample_quality.kept_name, which reads them) and the figure's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from latentspace.core import limits
from latentspace.measures import holes, sample_quality as q
from latentspace.measures.analysis import class_centroids
from latentspace.models.samplers import SAMPLERS
from latentspace.core.schema import Generation

FIGURE_SAMPLES = 30  # draws of each sampler in the figure


@dataclass(frozen=True)
class Drawn:
    """Each fitted sampler and its codes ``{sampler: (n, D)}``, the evaluation codes' class centroids, and whether
    each draw and each evaluation code lies outside the training codes (``outside``: the holes' arrays, named by
    latentspace.measures.holes.kept_name)."""

    samplers: list
    codes: dict[str, np.ndarray]
    classes: np.ndarray
    centroids: np.ndarray
    outside: dict[str, np.ndarray]


@dataclass(frozen=True)
class Judged:
    """``metrics`` (metrics/generation/<model>.json), ``arrays`` (the samples file: each sampler's images, its
    kept per-draw values, the decoded ``centroids`` of the ``classes``) and the figure's ``rows``."""

    metrics: dict
    arrays: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]


def draw(codes: dict[str, np.ndarray], real: int, settings: Generation, *, seed: int) -> Drawn:
    """``settings.num_samples`` codes of each sampler fitted to ``codes["codes_train"]`` (``settings``: ``generation``),
    and the class centroids of ``codes["codes_eval"]`` by ``codes["labels_eval"]``, and the holes (a VAE's codes as
    draws of their posteriors, ``codes["log_var_*"]``); ``real`` is how many real digits the draws will be judged
    against (for the memory check)."""
    num_samples = settings.num_samples
    limits.at_most("generation.mixture_components", settings.mixture_components, len(codes["codes_train"]),
                   "the mixture is fitted to the training codes, at least one a component")
    limits.memory("generation.num_samples", num_samples, num_samples * len(SAMPLERS) * (2 * 784 * 4 + 2 * 8 * real),
                  f"decoding and judging that many draws against {real} real digits")
    fitted = [sampler().fit(codes["codes_train"], seed, settings) for sampler in SAMPLERS]
    classes, centroids = class_centroids(codes["codes_eval"], codes["labels_eval"])
    drawn = {s.name: s.draw(num_samples, seed) for s in fitted}
    return Drawn(fitted, drawn, classes, centroids, holes.outside_all(codes, drawn, seed=seed))


def judge(drawn: Drawn, codes_eval: np.ndarray, labels_eval: np.ndarray, real: np.ndarray,
          decode: Callable[[np.ndarray], np.ndarray],
          judged: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> Judged:
    """Decode (``decode``: codes (K, D) → images (K, 28, 28, 1)) and judge (``judged``: images → the judge's
    probabilities (K, 10) and features (K, F)) the draws against the real digits' features ``real`` (M, F), the
    centroids and the reconstructions of ``codes_eval`` against ``labels_eval``."""
    images = {name: decode(z) for name, z in drawn.codes.items()}
    metrics, per_draw = {}, {}
    for name, decoded in images.items():
        draws = q.Draws.judged(*judged(decoded), real)
        per_draw.update({q.kept_name(kept, name): getattr(draws, kept) for kept in q.Draws.KEPT})
        metrics[name] = {**q.values(draws), "holes": float(drawn.outside[holes.kept_name(name)].mean())}
    centroids = decode(drawn.centroids.astype(np.float32))
    metrics["held_out_codes"] = {"holes": float(drawn.outside[holes.kept_name(holes.CODES)].mean())}
    metrics["centroids"] = {"accuracy": float((judged(centroids)[0].argmax(axis=1) == drawn.classes).mean())}
    reconstructed = judged(decode(codes_eval))[0]
    metrics["reconstructions"] = {"accuracy": float((reconstructed.argmax(axis=1) == labels_eval).mean())}
    shown = min(FIGURE_SAMPLES, len(next(iter(images.values()))))
    return Judged(metrics, {**images, **per_draw, **drawn.outside, "centroids": centroids, "classes": drawn.classes},
                  {s.label: images[s.name][:shown] for s in drawn.samplers})
