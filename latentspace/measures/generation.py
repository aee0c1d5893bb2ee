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
from latentspace.core.errors import StageError
from latentspace.measures import holes, sample_quality as q
from latentspace.measures.analysis import class_centroids
from latentspace.models.fits import Fitted, best
from latentspace.models.priors import PRIOR_ARRAYS
from latentspace.models.samplers import BEST, CHOSEN, SAMPLERS, row_label
from latentspace.core.schema import Generation

FIGURE_SAMPLES = 30  # draws of each sampler in the figure


@dataclass(frozen=True)
class Drawn:
    """Each fitted sampler and its codes ``{sampler: (n, D)}``, the evaluation codes' class centroids, and whether
    each draw and each evaluation code lies outside the training codes (``outside``: the holes' arrays, named by
    latentspace.measures.holes.kept_name), and which ex-post sampler ``best`` is (``chosen``: its name and fit)."""

    samplers: list
    codes: dict[str, np.ndarray]
    classes: np.ndarray
    centroids: np.ndarray
    outside: dict[str, np.ndarray]
    chosen: dict


@dataclass(frozen=True)
class Judged:
    """``metrics`` (metrics/generation/<model>.json), ``arrays`` (the samples file: each sampler's images, its
    kept per-draw values, the decoded ``centroids`` of the ``classes``) and the figure's ``rows``."""

    metrics: dict
    arrays: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]


def draw(codes: dict[str, np.ndarray], fits: dict[str, Fitted], real: int, settings: Generation, *,
         seed: int) -> Drawn:
    """Each fitted sampler's draws (``fits``, from the samplers stages) and the :data:`BEST` one's, the class
    centroids of ``codes["codes_eval"]`` by ``codes["labels_eval"]``, and the holes (a VAE's codes as draws of their
    posteriors, ``codes["log_var_*"]``); ``real`` is how many real digits the draws will be judged against (for the
    memory check)."""
    num_samples = settings.num_samples
    limits.memory("generation.num_samples", num_samples, num_samples * len(SAMPLERS) * (2 * 784 * 4 + 2 * 8 * real),
                  f"decoding and judging that many draws against {real} real digits")
    for name, fit in fits.items():
        if fit.codes.shape != (num_samples, codes["codes_train"].shape[1]):
            raise StageError(f"the {name} sampler's draws are {fit.codes.shape}, not generation.num_samples × the "
                             f"code size {(num_samples, codes['codes_train'].shape[1])}: rerun its samplers stage")
    chosen = best(fits)
    drawn = {s.name: (fits[chosen] if s.name == BEST else fits[s.name]).codes for s in SAMPLERS}
    classes, centroids = class_centroids(codes["codes_eval"], codes["labels_eval"])
    return Drawn(list(SAMPLERS), drawn, classes, centroids, holes.outside_all(codes, drawn, seed=seed),
                 {"sampler": chosen, "val_log_density": {name: fit.metrics["val_log_density"] for name, fit in fits.items()},
                  "learnt_prior": all(name in codes for name in PRIOR_ARRAYS)})


def judge(drawn: Drawn, codes_eval: np.ndarray, labels_eval: np.ndarray, real: np.ndarray,
          decode: Callable[[np.ndarray], np.ndarray],
          judged: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], copies=None) -> Judged:
    """Decode (``decode``: codes (K, D) → images (K, 28, 28, 1)) and judge (``judged``: images → the judge's
    probabilities (K, 10) and features (K, F)) the draws against the real digits' features ``real`` (M, F), the
    centroids and the reconstructions of ``codes_eval`` against ``labels_eval``; ``copies``: the training digits'
    features (l, F) and the copies stage's :class:`~latentspace.measures.copying.Reference`, to measure each draw
    against (None: not measured)."""
    images = {name: decode(z) for name, z in drawn.codes.items()}
    metrics, per_draw = {}, {}
    for name, decoded in images.items():
        draws = q.Draws.judged(*judged(decoded), real, copies)
        per_draw.update({q.kept_name(kept, name): getattr(draws, kept) for kept in q.Draws.KEPT
                         if getattr(draws, kept) is not None})
        metrics[name] = {**q.values(draws), "holes": float(drawn.outside[holes.kept_name(name)].mean())}
    centroids = decode(drawn.centroids.astype(np.float32))
    metrics[CHOSEN] = drawn.chosen
    metrics["held_out_codes"] = {"holes": float(drawn.outside[holes.kept_name(holes.CODES)].mean())}
    metrics["centroids"] = {"accuracy": float((judged(centroids)[0].argmax(axis=1) == drawn.classes).mean())}
    reconstructed = judged(decode(codes_eval))[0]
    metrics["reconstructions"] = {"accuracy": float((reconstructed.argmax(axis=1) == labels_eval).mean())}
    shown = min(FIGURE_SAMPLES, len(next(iter(images.values()))))
    return Judged(metrics, {**images, **per_draw, **drawn.outside, "centroids": centroids, "classes": drawn.classes},
                  {row_label(s.name, drawn.chosen): images[s.name][:shown] for s in drawn.samplers})



def summary(metrics: dict) -> str:
    """A line of the generation metrics: each sampler's Fréchet distance, and which sampler is the best."""
    return ("Fréchet distance " + ", ".join(f"{s.name} {metrics[s.name]['frechet_distance']:.2f}" for s in SAMPLERS)
            + f"; best: {metrics[CHOSEN]['sampler']}")
