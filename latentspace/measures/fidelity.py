"""Are a model's reconstructions and decoded class centroids still digits? The pixels' and the judge's view (no TensorFlow).

The original checks by eye that reconstructions are "fairly similar to original images" (3.1) and
that both models "can generate images from the mean representation of each class" (3.2.1). Here it
is said in numbers. Fairly similar is about the pixels: per digit, whether its reconstruction lies
nearer (Euclidean, in pixels) its own original than any of a fixed number of other evaluation digits
(``identified``: latentspace/measures/identification.py; a real digit is always nearest itself, so the
real digits' score is 1). The judge (latentspace/measures/judge.py) adds whether it recognises the digit's
class (``correct``) and its probability of that class (``confidence``), against its own accuracy on
the real evaluation digits. Ten class centroids are too few for an interval, so the centroids judged
are those of disjoint groups of :data:`PER_CLASS` evaluation codes of one class (:func:`subset_centroids`):
about a hundred "mean representations of a class" at 1,000 evaluation digits, a thousand at 10,000, each
an item independent of the others (no code in two), whose interval carries the evaluation codes'
variation; ``centroids_all`` keeps the original's ten, of all the codes.
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


PER_CLASS = 10  # codes a centroid averages: each class's evaluation codes cut into disjoint groups of this many


@dataclass
class Judged:
    """Per item (N,): whether the judge names its class (``correct``, float 0/1), its probability of that class
    (``confidence``) and whether the image is nearer its own original than any distractor (``identified``, 0/1;
    None where the items have no original: the centroids)."""
    correct: np.ndarray
    confidence: np.ndarray
    identified: np.ndarray | None = None


MEASURES: tuple[Measure, ...] = (
    Measure("identified", "identified among 100 digits", JUDGED, claims=True, compute=lambda j: j.identified,
            heading="identified"),
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


def check(digits: int, classes: int, dimensions: int) -> None:
    """Refuse, before any work, evaluation digits whose subsets' centroids and distractors this machine cannot hold."""
    from latentspace.core import limits
    from latentspace.measures.identification import DISTRACTORS

    limits.at_least("data (evaluation digits)", digits, 2, "each reconstruction is told from the other digits")
    limits.memory("data (evaluation digits)", digits, digits // PER_CLASS * (4 * dimensions + 2 * 784 * 4)
                  + 8 * DISTRACTORS * digits, "decoding and judging the groups' class centroids")


def subset_centroids(codes: np.ndarray, labels: np.ndarray, *, seed: int,
                     per_class: int = PER_CLASS) -> tuple[np.ndarray, np.ndarray]:
    """The centroids of disjoint groups of ``per_class`` codes (N, D) of one class by ``labels`` (N,): each class's
    codes shuffled (seeded) and cut into groups, a remainder too small for a group left out (a class with fewer
    codes is one group of all of them) → centroids (G, D) float32 and their classes (G,), class by class."""
    codes, labels = np.asarray(codes, np.float64), np.asarray(labels)
    rng = np.random.default_rng(seed)
    centroids, classes = [], []
    for c in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == c))
        size = min(per_class, len(rows))
        for g in range(len(rows) // size):
            centroids.append(codes[rows[g * size:(g + 1) * size]].mean(axis=0))
            classes.append(c)
    return np.asarray(centroids, np.float32), np.asarray(classes)


def measure(codes: np.ndarray, images: np.ndarray, labels: np.ndarray, decode: Callable[[np.ndarray], np.ndarray],
            probabilities: Callable[[np.ndarray], np.ndarray], *, seed: int) -> dict[str, np.ndarray]:
    """The values file: the judge (``probabilities``: images → (K, 10)) on the real evaluation digits ``images``
    (N, 28, 28, 1) of ``labels`` (N,), on their reconstructions (``decode`` of their ``codes`` (N, D)) and on the
    decoded class centroids of :func:`subset_centroids` and of all the codes; whether each reconstruction is
    identified among :data:`latentspace.measures.identification.DISTRACTORS` other digits (seeded; all the others
    where there are fewer)."""
    from latentspace.measures import identification
    from latentspace.measures.analysis import class_centroids

    def judged(shown, classes):
        return graded(probabilities(shown), classes)

    classes, centroids = class_centroids(codes, labels)
    subsets, subset_classes = subset_centroids(codes, labels, seed=seed)
    real = judged(images, labels)
    reconstructions = decode(np.asarray(codes, np.float32))
    reconstructed = judged(reconstructions, labels)
    whole = judged(decode(centroids.astype(np.float32)), classes)
    correct, confidence = judged(decode(subsets), subset_classes)
    count = min(identification.DISTRACTORS, len(labels) - 1)  # all the others below 100 digits (the tests' runs)
    found = identification.identified(images, reconstructions, identification.distractors(len(labels), count, seed))
    return {name("correct", "real"): real[0], name("confidence", "real"): real[1],
            name("correct", "reconstructions"): reconstructed[0], name("confidence", "reconstructions"): reconstructed[1],
            name("identified", "reconstructions"): found,
            name("correct", "centroids"): correct, name("confidence", "centroids"): confidence,
            "centroids_all": np.array([whole[0].mean(), whole[1].mean()])}


def kept(paths, models, samplers, resamples) -> dict[str, Judged]:
    """The real digits and each model's reconstructions and subsets' centroids, judged, as the fidelity stage kept
    them (``paths["fidelity"]``; the real digits' from the first model's file: the same digits in each)."""
    found = {}
    for model in models:
        judged = load_arrays(Path(paths["fidelity"]) / f"{model}.npz",
                             tuple(name(m, kind) for m in ("correct", "confidence") for kind in ("real", *KINDS))
                             + (name("identified", "reconstructions"),))
        real = judged[name("correct", "real")]
        found.setdefault(REAL.label, Judged(real, judged[name("confidence", "real")], np.ones_like(real)))
        found[Side(model, "reconstructions").label] = Judged(judged[name("correct", "reconstructions")],
                                                             judged[name("confidence", "reconstructions")],
                                                             judged[name("identified", "reconstructions")])
        found[Side(model, "centroids").label] = Judged(judged[name("correct", "centroids")],
                                                       judged[name("confidence", "centroids")])
    return found


FAMILY = Family(JUDGED, MEASURES, compares=compared, reads=kept, inputs=("fidelity",))


def graded(probabilities: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From the judge's probabilities (N, 10) and the true classes (N,): correct (N,) 0/1 and the
    probability of the true class (N,), float64."""
    probabilities = np.asarray(probabilities, np.float64)
    labels = np.asarray(labels).astype(int)
    return ((probabilities.argmax(axis=1) == labels).astype(np.float64),
            probabilities[np.arange(len(labels)), labels])
