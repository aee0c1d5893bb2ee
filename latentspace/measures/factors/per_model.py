"""What a model's units encode, read from the digits' shapes: the factors stage's measurements (no TensorFlow).

:func:`measure` takes one model's evaluation codes, the evaluation digits' factors (their morphometrics,
latentspace/measures/factors/morphometrics.py, and class), each sampler's decoded draws and the model's decoder as a function,
and gives
- which unit carries which factor: MIG, SAP (and SAP with η² for the class) with bootstrap intervals (the same
  resamples for every model), DCI from gradient-boosted trees on a held-out split, and each unit's label, the
  factor it knows most of beyond chance (latentspace/measures/factors/disentanglement.py's ``shares``: the JSON's
  ``carries`` and the figure's left panel read the same matrix);
- each unit's traversal (the explorer's range, from ``anchors`` seeded evaluation codes), decoded and
  measured: its effect on each factor (latentspace/measures/factors/factor_effects.py);
- the reconstructions of a stratified, seeded subset of ``digits`` evaluation digits and each sampler's
  draws, compared with those digits factor by factor (Wasserstein-1 in the real digits' standard deviations);
- for a VAE (``log_var`` given), how far the aggregate posterior q(z) sits from N(0, I)
  (latentspace/measures/prior_gap.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from latentspace.measures import bootstrap
from latentspace.core import limits
from latentspace.measures.factors import morphometrics
from latentspace.measures.factors import disentanglement as dis
from latentspace.measures.factors import factor_effects as fe
from latentspace.measures import prior_gap as pg
from latentspace.core.schema import Bootstrap, Factors
from latentspace.measures.factors.traversals import REACH, TRAVERSAL_STEPS, subset, traversal_codes


@dataclass(frozen=True)
class Measured:
    """:func:`measure`'s results: ``metrics`` (the factors metrics file), ``kept`` (``{(measure, sampler or
    None): (value, (B,) replicates)}``, latentspace/measures/replicated.py's, for the contrasts) and ``figure``
    (the keyword arguments of latentspace.pages.plotting.factors_figure but its title)."""

    metrics: dict
    kept: dict
    figure: dict


@dataclass(frozen=True)
class _Settings:
    """Every setting :func:`measure` reads, under one short name."""

    strokes: bool
    digits: int
    anchors: int
    seed: int
    level: float
    resamples: int
    workers: int


def interval(value, replicated, level: float) -> dict:
    """``{value, low, high}``: a value and its percentile bootstrap interval."""
    low, high = bootstrap.percentile_interval(replicated, level, value)
    return {"value": float(value), "low": low, "high": high}


def measure(mean: np.ndarray, labels: np.ndarray, shapes: dict[str, np.ndarray], draws: dict[str, np.ndarray],
            decode: Callable[[np.ndarray], np.ndarray], settings: Factors, bootstrap_settings: Bootstrap, *, seed: int,
            workers: int = 1, log_var: np.ndarray | None = None) -> Measured:
    """One model's factors. ``mean`` (N, D) its evaluation codes (the encoder's means), ``labels`` (N,) their
    classes, ``shapes`` the same digits' ``labels`` and factors (latentspace.measures.factors.morphometrics.factors), ``draws``
    each sampler's decoded images ``{sampler: (M, 28, 28[, 1])}`` in order (the same digits as ``labels``:
    latentspace.measures.factors.morphometrics.check_same_digits), ``decode`` codes (K, D) float32 →
    images (K, 28, 28[, 1]), ``log_var`` (N, D) a VAE's encoder's log-variances. ``settings``: the ``factors``
    section (strokes measured; digits compared; traversals' anchors); ``bootstrap_settings``: every interval's
    resamples and level; ``workers``: the morphometry's processes."""
    s = _Settings(settings.strokes, settings.digits, settings.anchors, seed, bootstrap_settings.level,
                  bootstrap_settings.resamples, workers)
    names = morphometrics.factors(s.strokes)
    mean = np.asarray(mean, np.float64)
    real = {name: shapes[name] for name in names}
    spread = {name: float(np.nanstd(values)) for name, values in real.items()}
    kept = dis.measured(mean, real)
    n = int(kept.sum())
    limits.memory("bootstrap.resamples", s.resamples, 8 * s.resamples * n * (2 + mean.shape[1]),
                  f"resampling {n} digits' codes and factors that often")

    # which unit carries which factor, on the evaluation digits
    factors = {**{name: values[kept] for name, values in real.items()}, dis.CLASS: labels[kept]}
    scores = dis.scores(mean[kept], factors, s.seed)
    replicated = dis.resampled(mean[kept], factors, bootstrap.resamples(n, s.resamples, s.seed), s.seed)
    fitted = dis.dci(mean[kept], factors, s.seed)
    order = list(factors)

    # decoded: reconstructions of a subset, traversals from anchors, each sampler's draws
    chosen = subset(labels, s.digits, s.seed)
    rng = np.random.default_rng(s.seed)
    anchors = mean[np.sort(rng.choice(len(mean), size=min(s.anchors, len(mean)), replace=False))]
    sd, dimensions = mean.std(axis=0), list(range(mean.shape[1]))
    travelled = np.concatenate([traversal_codes(a, sd, dimensions) for a in anchors])  # (A·D·S, D)
    reconstructed = decode(mean[chosen].astype(np.float32))
    traversed = decode(travelled)
    measured = morphometrics.measure(np.concatenate([reconstructed, traversed, *draws.values()]),
                                     strokes=s.strokes, workers=s.workers)
    cuts = np.cumsum([len(reconstructed), len(traversed), *(len(d) for d in draws.values())])[:-1]
    parts = {name: np.split(values, cuts) for name, values in measured.items()}
    reconstructions = {name: parts[name][0] for name in names}
    moved = fe.effects({name: parts[name][1].reshape(len(anchors), len(dimensions), TRAVERSAL_STEPS) for name in names},
                       np.linspace(-REACH, REACH, TRAVERSAL_STEPS), spread, resamples=s.resamples, level=s.level,
                       seed=s.seed)

    # decoded digits against the real ones (the subset), factor by factor
    reference = {name: real[name][chosen] for name in names}
    reference_indices = bootstrap.resamples(len(chosen), s.resamples, s.seed)
    distances = {"reconstructions": {"to_real": fe.distances(reconstructions, reference, spread, reference_indices,
                                                             reference_indices)}}
    values = {(m, None): (scores[m], replicated[m]) for m in ("mig", "sap")}  # what the contrasts compare
    for position, sampler in enumerate(draws, start=2):
        drawn = {name: parts[name][position] for name in names}
        drawn_indices = bootstrap.resamples(len(drawn[names[0]]), s.resamples, s.seed)
        distances[sampler] = {
            "to_real": fe.distances(drawn, reference, spread, drawn_indices, reference_indices),
            "to_reconstructions": fe.distances(drawn, reconstructions, spread, drawn_indices, reference_indices)}
        for name, against in (("factor_distance", "to_real"), ("factor_distance_decoded", "to_reconstructions")):
            values[name, sampler] = distances[sampler][against]["mean"]

    carries = dis.carried(scores["share"], order)
    metrics = {
        "strokes": s.strokes, "digits": n,
        "mig": interval(scores["mig"], replicated["mig"], s.level),
        "sap": interval(scores["sap"], replicated["sap"], s.level),
        "sap_eta2": interval(scores["sap_eta2"], replicated["sap_eta2"], s.level),
        "permutations": dis.PERMUTATIONS,
        "dci": {"disentanglement": fitted["disentanglement"], "completeness": fitted["completeness"],
                "fitted_on": fitted["fitted_on"],
                "informativeness": {name: float(v) for name, v in zip(order, fitted["informativeness"])}},
        "per_factor": {name: {"mig": float(scores["mig_per_factor"][k]), "sap": float(scores["sap_per_factor"][k]),
                              "sap_eta2": float(scores["sap_eta2_per_factor"][k]),
                              "completeness": float(fitted["completeness_per_factor"][k]),
                              "entropy": float(scores["entropy"][k])} for k, name in enumerate(order)},
        "units": {f"z{d}": {
            "carries": carries[d],
            "share": {name: float(scores["share"][d, k]) for k, name in enumerate(order)},
            "mutual_information": {name: float(scores["mutual_information"][d, k]) for k, name in enumerate(order)},
            "disentanglement": float(fitted["disentanglement_per_unit"][d]),
            "moves": {name: {"effect": float(moved["effect"][d, k]), "low": float(moved["low"][d, k]),
                             "high": float(moved["high"][d, k])} for k, name in enumerate(names)},
            "moves_most": names[int(moved["top"][d])], "moves_alone": bool(moved["alone"][d])}
            for d in dimensions},
        "traversals": {"anchors": len(anchors), "steps": TRAVERSAL_STEPS, "reach_sd": REACH},
        "distances": {what: {against: {name: interval(v, r, s.level) for name, (v, r) in found.items()}
                             for against, found in compared.items()} for what, compared in distances.items()},
        "compared_digits": len(chosen),
    }
    if log_var is not None:
        metrics["prior_gap"], values["prior_gap", None] = _prior_gap(mean, np.asarray(log_var, np.float64), s)
    figure = {"share": scores["share"], "factors": order, "moved": moved, "measured": list(names)}
    return Measured(metrics, values, figure)


def _prior_gap(mean: np.ndarray, log_var: np.ndarray, s: _Settings) -> tuple[dict, tuple[float, np.ndarray]]:
    """The prior gap's metrics (its interval, per unit, the ELBO's split) and its (value, replicates)."""
    z = pg.draws(mean, log_var, s.seed)
    gap = pg.gaussian_part(z)
    replicates = np.array([pg.gaussian_part(z[rows]) for rows in bootstrap.resamples(len(z), s.resamples, s.seed)])
    gaussian, non_gaussian = pg.gaussian_part_per_dimension(z), pg.non_gaussian_part_per_dimension(z)
    metrics = {**interval(gap, replicates, s.level),
               "per_dimension": {f"z{d}": {"gaussian": float(gaussian[d]), "non_gaussian": float(non_gaussian[d])}
                                 for d in range(mean.shape[1])},
               "elbo_split": pg.elbo_split(mean, log_var, s.seed)}
    return metrics, (gap, replicates)
