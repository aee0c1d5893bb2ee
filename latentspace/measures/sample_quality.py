"""How good and how varied generated digits are, judged by a digit classifier (no TensorFlow here).

``probabilities`` are the judge's softmax outputs (N, 10); ``features`` its penultimate layer
(N, F). Entropies are in nats (log 10 ≈ 2.303 is a perfectly even spread over ten digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from latentspace.measures.registry import GENERATION, Family, Measure
from latentspace.core.errors import StageError
from latentspace.core.outputs import load_arrays
from latentspace.measures import copying, coverage
from latentspace.measures.manifold import NEIGHBOURS, inside_manifold
from latentspace.measures.sides import REAL, Side, drawn_pairs



def mean_confidence(probabilities: np.ndarray) -> float:
    """The judge's mean top-class probability: near 1 when every sample looks like some digit."""
    return float(np.mean(np.max(probabilities, axis=1)))


def class_entropy(probabilities: np.ndarray, classes: int = 10) -> float:
    """Entropy (nats) of the histogram of predicted classes: 0 for one digit, log(classes) for all alike."""
    counts = np.bincount(np.argmax(probabilities, axis=1), minlength=classes).astype(np.float64)
    shares = counts[counts > 0] / counts.sum()
    return float(-np.sum(shares * np.log(shares))) + 0.0  # + 0.0: one class gives 0.0, not -0.0


def inception_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) ‖ p(y))): 1 for one class or uncertain samples, up to 10 for ten sure classes."""
    p = np.asarray(probabilities, dtype=np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


def gaussian(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean (F,) and covariance (F, F) of a feature set (N, F), float64: a Fréchet distance's side."""
    features = np.asarray(features, np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def root(cov: np.ndarray) -> np.ndarray:
    """The symmetric square root Σ^½ (F, F) of a covariance (negative eigenvalues of rounding clipped to 0)."""
    values, vectors = np.linalg.eigh(cov)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_between(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray,
                    root_b: np.ndarray | None = None) -> float:
    """Fréchet distance between N(mean_a, cov_a) and N(mean_b, cov_b):
    ‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½), the trace of the root from the eigenvalues of
    Σb^½ Σa Σb^½ (symmetric, so they stay real; similar to Σa Σb, so the same). ``root_b``: Σb^½ if
    already known (one fixed side against many resamples)."""
    root_b = root(cov_b) if root_b is None else root_b
    middle = np.linalg.eigvalsh(root_b @ cov_a @ root_b)
    trace_root = np.sum(np.sqrt(np.clip(middle, 0, None)))
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, F) and (M, F)."""
    return frechet_between(*gaussian(a), *gaussian(b))


def _frechet_to_real(draws: "Draws") -> Callable[[np.ndarray], float]:
    """The Fréchet distance of a resample of the draws to the real digits, as a function of its rows:
    the real digits' Gaussian and its root are computed once, not once a resample (10,000 real
    digits × 1,000 resamples)."""
    mean, cov = gaussian(draws.real)
    real = mean, cov, root(cov)
    return lambda rows: frechet_between(*gaussian(draws.features[rows]), *real[:2], root_b=real[2])


def precision_recall(real: np.ndarray, generated: np.ndarray, k: int = NEIGHBOURS) -> tuple[float, float]:
    """Kynkäänniemi et al. (2019): precision is the share of generated samples inside the real
    manifold (:func:`inside_manifold`); recall the share of real samples inside the generated
    manifold. Quality and coverage, separately."""
    return float(inside_manifold(generated, real, k).mean()), float(inside_manifold(real, generated, k).mean())


@dataclass
class Draws:
    """What every generation measure is computed from, for one sampler's decoded draws: the judge's
    ``features`` (N, F) of the draws and ``real`` (M, F) of the real digits they are compared with,
    its ``probabilities`` (N, 10) (None where only the per-draw values were kept), and per draw its
    ``confidence`` (N,) and whether it lies ``inside`` the real digits' manifold (N,) bool; against the training
    digits (latentspace/measures/copying.py: None where not measured), its ``copy_score`` (N,), whether it is
    ``authentic`` (N,) 0/1, its ``distance`` to the nearest training digit (N,) and ``cell`` (N,) int, and the run's
    copying ``reference``."""
    features: np.ndarray
    real: np.ndarray
    confidence: np.ndarray
    inside: np.ndarray
    probabilities: np.ndarray | None = None
    copy_score: np.ndarray | None = None
    authentic: np.ndarray | None = None
    distance: np.ndarray | None = None
    cell: np.ndarray | None = None
    reference: copying.Reference | None = None

    # the per-draw arrays the generation stage saves for the claims
    KEPT = ("confidence", "inside", "features", "copy_score", "authentic", "distance", "cell")

    @classmethod
    def judged(cls, probabilities: np.ndarray, features: np.ndarray, real: np.ndarray,
               copies: tuple[np.ndarray, copying.Reference] | None = None) -> "Draws":
        """A sampler's draws as the judge sees them (``probabilities`` (N, 10), ``features`` (N, F)) against the real
        digits' features ``real`` (M, F), and against ``copies``: the training digits' features (l, F) and the run's
        :class:`~latentspace.measures.copying.Reference`."""
        measured = {} if copies is None else {**copying.per_draw(features, *copies), "reference": copies[1]}
        return cls(features, real, np.max(probabilities, axis=1), inside_manifold(features, real), probabilities,
                   **measured)

    def on_rows(self, statistic: Callable[..., float], *arrays: str) -> Callable[[np.ndarray], float]:
        """``statistic`` of the named arrays, taken at the draws of a resample, as a function of its rows."""
        return lambda rows: statistic(*(getattr(self, name)[rows] for name in arrays))


FEWEST = max(NEIGHBOURS, coverage.NEIGHBOURS)  # real digits a feature set needs beyond each one's neighbours


def _recall(features: np.ndarray, real: np.ndarray) -> float:
    return float(inside_manifold(real, features).mean())


# Every generation measure, in the order of the metrics files: of one sampler's draws, as the judge
# sees them. Per-draw measures are means over the draws (compared draw by draw in the claims).
MEASURES: tuple[Measure, ...] = (
    Measure("confidence", "judge's confidence", GENERATION, claims=True, compute=lambda d: d.confidence,
            heading="confidence"),
    Measure("class_entropy", "class entropy (nats)", GENERATION, per_item=False, heading="class entropy",
            compute=lambda d: None if d.probabilities is None else d.on_rows(class_entropy, "probabilities")),
    Measure("inception_score", "Inception Score", GENERATION, per_item=False, decimals=2,
            compute=lambda d: None if d.probabilities is None else d.on_rows(inception_score, "probabilities")),
    Measure("frechet_distance", "Fréchet distance", GENERATION, larger_is_better=False, per_item=False, claims=True,
            decimals=1,
            compute=_frechet_to_real),
    Measure("precision", "precision", GENERATION, claims=True, compute=lambda d: d.inside),
    Measure("density", "density", GENERATION, decimals=2, compute=lambda d: coverage.density_per_draw(d.real, d.features)),
    Measure("coverage", "coverage", GENERATION, claims=True,  # per real digit: resampled over the real digits
            compute=lambda d: coverage.covered(d.real, d.features)),
    Measure("recall", "recall", GENERATION, per_item=False,
            compute=lambda d: lambda rows: _recall(d.features[rows], d.real)),
    # not copies of the training digits (Meehan et al. 2020; Alaa et al. 2022): about 0.5 and the validation
    # digits' authenticity when the draws are as far from the training digits as held-out digits are; 0 for copies
    # (neither end is best: above the real digits' is underfitting, so the tables mark none)
    Measure("copy_score", "copy score", GENERATION, claims=True, heading="copy score", ranked=False,
            compute=lambda d: d.copy_score),
    Measure("authenticity", "authenticity", GENERATION, claims=True, ranked=False, compute=lambda d: d.authentic),
    Measure("c_t", "C_T (Meehan et al.)", GENERATION, per_item=False, decimals=2, heading="C_T", ranked=False,
            compute=lambda d: None if d.reference is None else copying.c_t(d.distance, d.cell, d.reference)),
)


def judge_metrics(probabilities: np.ndarray, labels: np.ndarray, features_val: np.ndarray, features_eval: np.ndarray,
                  trained: dict) -> dict:
    """The judge's metrics: its accuracy on the evaluation digits (``probabilities`` (N, 10) of their ``labels``),
    its ``trained`` metrics, and the floor every generated set is measured against (``real``): every measure of
    the validation digits' features (M, F) against the evaluation digits' (M, F), as if they were generated."""
    real = Draws(features_val, features_eval, np.max(probabilities, axis=1), inside_manifold(features_val, features_eval),
                 probabilities)
    return {"eval_accuracy": float((probabilities.argmax(axis=1) == labels).mean()), **trained, "real": values(real)}


def kept_name(kept: str, sampler: str) -> str:
    """A sampler's per-draw array in the generation stage's samples file: ``confidence_prior``."""
    return f"{kept}_{sampler}"


def kept(paths, models, samplers, resamples) -> dict[str, Draws]:
    """Each (model, sampler) side's draws as the generation stage kept them (``paths["samples"]``), and the real
    digits as if drawn (:data:`REAL`: the first validation digits, as many as the draws, judged by the judge stage,
    ``paths["real"]``, measured against the training digits by the copies stage, ``paths["copies"]``), against the
    judge's features of the real evaluation digits."""
    real = load_arrays(paths["real"], ("features_eval", "features_val", "confidence_val"))
    reference = copying.Reference.from_arrays(load_arrays(paths["copies"], copying.Reference.names()))
    found = {}
    for model in models:
        arrays = load_arrays(Path(paths["samples"]) / f"{model}.npz",
                             tuple(kept_name(k, s) for k in Draws.KEPT for s in samplers))
        found.update({Side(model, s).label: Draws(real=real["features_eval"], reference=reference,
                                                  **{k: arrays[kept_name(k, s)] for k in Draws.KEPT})
                      for s in samplers})
    if found:
        n = len(next(iter(found.values())).features)
        if n > len(real["features_val"]):
            raise StageError(f"generation.num_samples = {n} is more than the {len(real['features_val'])} validation "
                             "digits the real digits' side is drawn from (as many as the draws): at most that many")
        features = real["features_val"][:n]
        found[REAL.label] = Draws(features, real["features_eval"], real["confidence_val"][:n],
                                  inside_manifold(features, real["features_eval"]),
                                  copy_score=copying.copy_scores(reference.validation[:n], reference.held_out),
                                  authentic=reference.validation_authentic[:n].astype(np.float64),
                                  distance=reference.validation[:n], cell=reference.validation_cells[:n],
                                  reference=reference)
    return found


def compared(models, samplers) -> list[tuple[Side, Side]]:
    """Every pair of (model, sampler) sides, then each side against the real digits drawn as if generated."""
    return drawn_pairs(models, samplers) + [(Side(m, s), REAL) for m in models for s in samplers]


# every pair of (model, sampler) draws and each against the real digits, on the measures that decide claims
FAMILY = Family(GENERATION, MEASURES, compares=compared, reads=kept, inputs=("samples", "real", "copies"))


def values(draws: Draws, measures: tuple[Measure, ...] = MEASURES) -> dict[str, float]:
    """``{measure: value}`` of all the draws, for every measure the draws can give."""
    result = {}
    for measure in measures:
        computed = measure.compute(draws)
        if computed is not None:
            value = float(np.mean(computed)) if measure.per_item else float(computed(slice(None)))
            if np.isfinite(value) or measure.per_item:  # C_T with no cell of enough draws has none: left out
                result[measure.name] = value
    return result
