"""Are a model's reconstructions and decoded class centroids still digits? The judge's view (no TensorFlow).

The original checks by eye that reconstructions are "fairly similar to original images" (3.1) and
that both models "can generate images from the mean representation of each class" (3.2.1). Here
the judge (latentspace/measures/judge.py) says it in numbers, against its own accuracy on the real
evaluation digits: per digit, whether it recognises the digit's class (``correct``) and its
probability of that class (``confidence``), for the real digits and for their reconstructions;
for the centroids, ten items are too few for an interval, so each bootstrap resample of the
evaluation codes gets its own class centroids (:func:`resampled_centroids`), decoded and judged:
the centroids' accuracy per resample, paired with the real digits' accuracy on the same resample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from latentspace.measures.registry import Family, Measure
from latentspace.core.outputs import load_arrays
from latentspace.measures.sides import REAL, Side

JUDGED = "judged"  # the kind of the measures below: of decoded images the judge compares with the real digits
KINDS = ("reconstructions", "centroids")  # what is judged, per model: a side's "sampler" slot (vae@centroids)


@dataclass
class Judged:
    """Per item: whether the judge names its class (``correct``, float 0/1) and its probability of
    that class (``confidence``) (N,); for centroids ``replicated`` holds, per measure, the value of
    all the codes' centroids and one a bootstrap resample ``(value, (B,))`` instead."""
    correct: np.ndarray | None = None
    confidence: np.ndarray | None = None
    replicated: dict[str, tuple[float, np.ndarray]] | None = None


MEASURES: tuple[Measure, ...] = (
    Measure("judged_accuracy", "judge's accuracy", JUDGED, claims=True, compute=lambda j: j.correct),
    Measure("judged_confidence", "judge's probability of the class", JUDGED, claims=True,
            compute=lambda j: j.confidence),
)


def compared(models, samplers) -> list[tuple[Side, Side]]:
    """Each model's reconstructions and centroids against the real digits."""
    return [(Side(m, kind), REAL) for m in models for kind in KINDS]


def name(what: str, kind: str) -> str:
    """An array of the fidelity stage's values file: ``correct_real``, ``confidence_reconstructions``, …"""
    return f"{what}_{kind}"


def check(digits: int, classes: int, dimensions: int, resamples: int) -> None:
    """Refuse, before any work, ``bootstrap.resamples`` whose decoded centroids this machine cannot hold."""
    from latentspace.core import limits

    limits.memory("bootstrap.resamples", resamples, resamples * classes * (4 * dimensions + 2 * 784 * 4)
                  + 16 * resamples * digits, f"decoding and judging the class centroids of that many resamples of "
                  f"{digits} digits")


def measure(codes: np.ndarray, images: np.ndarray, labels: np.ndarray, decode: Callable[[np.ndarray], np.ndarray],
            probabilities: Callable[[np.ndarray], np.ndarray], indices: np.ndarray) -> dict[str, np.ndarray]:
    """The values file: the judge (``probabilities``: images → (K, 10)) on the real evaluation digits ``images``
    (N, 28, 28, 1) of ``labels`` (N,), on their reconstructions (``decode`` of their ``codes`` (N, D)), on the
    class centroids of all the codes and of each bootstrap resample (``indices`` (B, N))."""
    from latentspace.measures.analysis import class_centroids

    def judged(shown, classes):
        return graded(probabilities(shown), classes)

    classes, centroids = class_centroids(codes, labels)
    resampled, present = resampled_centroids(codes, labels, classes, indices)
    real = judged(images, labels)
    reconstructed = judged(decode(codes.astype(np.float32)), labels)
    whole = judged(decode(centroids.astype(np.float32)), classes)
    correct, confidence = (values.reshape(present.shape) for values in
                           judged(decode(resampled.reshape(-1, resampled.shape[-1])), np.tile(classes, len(indices))))
    return {name("correct", "real"): real[0], name("confidence", "real"): real[1],
            name("correct", "reconstructions"): reconstructed[0], name("confidence", "reconstructions"): reconstructed[1],
            name("correct", "centroids"): per_resample(correct, present),
            name("confidence", "centroids"): per_resample(confidence, present),
            "centroids_all": np.array([whole[0].mean(), whole[1].mean()])}


def kept(paths, models, samplers, resamples) -> dict[str, Judged]:
    """The real digits and each model's reconstructions and centroids, judged, as the fidelity stage kept them
    (``paths["fidelity"]``; the real digits' from the first model's file: the same digits in each)."""
    found = {}
    for model in models:
        judged = load_arrays(Path(paths["fidelity"]) / f"{model}.npz",
                             tuple(name(m, kind) for m in ("correct", "confidence") for kind in ("real", *KINDS))
                             + ("centroids_all",))
        found.setdefault(REAL.label, Judged(judged[name("correct", "real")], judged[name("confidence", "real")]))
        found[Side(model, "reconstructions").label] = Judged(judged[name("correct", "reconstructions")],
                                                             judged[name("confidence", "reconstructions")])
        found[Side(model, "centroids").label] = Judged(replicated={
            "judged_accuracy": (judged["centroids_all"][0], judged[name("correct", "centroids")]),
            "judged_confidence": (judged["centroids_all"][1], judged[name("confidence", "centroids")])})
    return found


FAMILY = Family(JUDGED, MEASURES, compares=compared, reads=kept, inputs=("fidelity",))


def graded(probabilities: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From the judge's probabilities (N, 10) and the true classes (N,): correct (N,) 0/1 and the
    probability of the true class (N,), float64."""
    probabilities = np.asarray(probabilities, np.float64)
    labels = np.asarray(labels).astype(int)
    return ((probabilities.argmax(axis=1) == labels).astype(np.float64),
            probabilities[np.arange(len(labels)), labels])


def resampled_centroids(codes: np.ndarray, labels: np.ndarray, classes: np.ndarray,
                        indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each resample's class centroids: codes (N, D), labels (N,), the classes (K,), resample indices
    (B, N) → centroids (B, K, D) float32 and whether the resample holds the class (B, K) bool (an
    absent class's centroid is 0 and is not judged)."""
    codes = np.asarray(codes, np.float64)
    onehot = (np.asarray(labels)[:, None] == np.asarray(classes)[None, :]).astype(np.float64)  # (N, K)
    centroids = np.empty((len(indices), len(classes), codes.shape[1]))
    present = np.empty((len(indices), len(classes)), bool)
    for b, rows in enumerate(indices):
        counts = onehot[rows].sum(axis=0)
        centroids[b] = (onehot[rows].T @ codes[rows]) / np.maximum(counts, 1.0)[:, None]
        present[b] = counts > 0
    return centroids.astype(np.float32), present


def per_resample(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The mean over the classes a resample holds of per-centroid values (B, K) → (B,)."""
    return (values * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
