"""The verdict rules: each written once, beside its description (standard library and SciPy only).

A comparison is a difference between two sides, signed so that positive favours the claim, with an
interval (a run's paired bootstrap interval over the same evaluation digits or draws, or the
interval over seeds of :func:`over_seeds`) and the measure's margin, ``claims.margins.<measure>``:
the smallest difference that counts (δ). A :class:`Rule` turns these into a verdict, each written once as
its hypotheses and its one-sided level α = (1 − level) / 2 beside its description; a claim's verdict over
several comparisons is :func:`overall`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import mean, variance
from typing import Callable

SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE = "supported", "not supported", "inconclusive"
NOT_MEASURED = "not measured"  # a measurement the run (or a study record) does not hold
VERDICTS = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE, NOT_MEASURED)


@dataclass(frozen=True)
class Rule:
    """``decide(difference, low, high, margin)`` → a verdict, from a two-sided interval at ``level``: each bound is
    a one-sided test at α = (1 − level) / 2 (:func:`alpha`; 2.5 % at the 95 % interval). ``hypotheses(margin)``
    states what it tests (Δ: the difference, signed so that positive favours the claim); ``boundaries(margin)``
    are the values the interval must clear (the seed plan's targets: latentspace/tools/study/plan.py);
    ``description`` says it in words."""

    name: str
    description: str
    hypotheses: str       # "H0: … · H1: …" with δ for the margin; a refutation tests the mirror
    decide: Callable[[float, float, float, float], str]
    boundaries: Callable[[float], tuple[float, ...]]


def alpha(level: float) -> float:
    """The one-sided level of each test a rule makes from a two-sided ``level`` interval: (1 − level) / 2."""
    return (1.0 - level) / 2.0


def _better(difference: float, low: float, high: float, margin: float) -> str:
    if low > 0 and difference >= margin:
        return SUPPORTED
    if high < 0 and -difference >= margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def _direction(difference: float, low: float, high: float, margin: float) -> str:
    if low > 0:
        return SUPPORTED
    if high < 0:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def _not_better(difference: float, low: float, high: float, margin: float) -> str:
    if high < margin:
        return SUPPORTED
    if low >= margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def _equivalent(difference: float, low: float, high: float, margin: float) -> str:
    if -margin < low and high < margin:
        return SUPPORTED
    if low >= margin or high <= -margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def _not_worse(difference: float, low: float, high: float, margin: float) -> str:
    if low > -margin:
        return SUPPORTED
    if high < -margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def _beyond(difference: float, low: float, high: float, margin: float) -> str:
    if low > margin:
        return SUPPORTED
    if high < margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


BETTER = Rule("better", "superiority with a relevance threshold: supported when the interval lies above 0 and the "
              "estimate reaches the margin; not supported when both hold the other way (the other side better by "
              "the margin); inconclusive otherwise", "H0: Δ ≤ 0 · H1: Δ > 0, and the estimate ≥ δ", _better,
              lambda margin: (0.0,))
DIRECTION = Rule("in that direction", "a one-sided test of the sign alone, for a sentence that states a direction "
                 "or a place on a published scale and no size: supported when the interval lies above 0; not "
                 "supported when it lies below 0; inconclusive otherwise (the margin plays no part)",
                 "H0: Δ ≤ 0 · H1: Δ > 0", _direction, lambda margin: (0.0,))
NOT_BETTER = Rule("not better", "non-superiority, for \"not better\" and \"not big enough to consider … better\": "
                  "supported when the interval's upper end lies below the margin (not better by as much as the "
                  "margin; worse satisfies it too); not supported when its lower end reaches the margin; "
                  "inconclusive otherwise", "H0: Δ ≥ δ · H1: Δ < δ", _not_better, lambda margin: (margin,))
EQUIVALENT = Rule("no real difference", "an equivalence test (two one-sided tests, each at α), only where the words "
                  "claim no difference either way: supported when the whole interval lies inside ± the margin; not "
                  "supported when it lies wholly outside it; inconclusive when it straddles a bound",
                  "H0: |Δ| ≥ δ · H1: |Δ| < δ", _equivalent, lambda margin: (-margin, margin))
AS_REAL = Rule("as recognisable as the real digits", "non-inferiority against the real digits' own score: supported "
               "when the interval's lower end lies above − the margin (at most a margin worse than the real digits); "
               "not supported when its upper end lies below − the margin; inconclusive otherwise",
               "H0: Δ ≤ −δ · H1: Δ > −δ", _not_worse, lambda margin: (-margin,))
BEYOND = Rule("more than the margin", "supported when the whole interval lies above the margin; not supported "
              "when it lies wholly below it; inconclusive when it holds the margin", "H0: Δ ≤ δ · H1: Δ > δ", _beyond,
              lambda margin: (margin,))
RULES = (BETTER, DIRECTION, NOT_BETTER, EQUIVALENT, AS_REAL, BEYOND)


def overall(verdicts: list[str]) -> str:
    """One verdict from several comparisons': any unmeasured → not measured; one clear contradiction
    refutes; all must support; otherwise inconclusive (also for none)."""
    if NOT_MEASURED in verdicts:
        return NOT_MEASURED
    if NOT_SUPPORTED in verdicts:
        return NOT_SUPPORTED
    return SUPPORTED if verdicts and all(v == SUPPORTED for v in verdicts) else INCONCLUSIVE


def t_quantile(probability: float, freedom: float) -> float:
    """Student's t quantile with ``freedom`` degrees of freedom (infinite: the normal quantile)."""
    from scipy.stats import norm, t

    return float(norm.ppf(probability) if math.isinf(freedom) else t.ppf(probability, freedom))


POOLED_RULE = ("Over seeds, each comparison's difference is the mean of the seeds' differences; its variance is the "
               "between-seed variance over the number of seeds plus the mean of the runs' own bootstrap variances "
               "(the evaluation digits are shared by every seed, so that part does not shrink with more seeds, and "
               "is counted as known); the interval uses Student's t with the Welch–Satterthwaite degrees of freedom "
               "of that sum (two seeds: 1, three: 2, when the seeds' spread dominates; the normal quantile for one "
               "seed). Each claim's rule and margins are those of one run.")


def over_seeds(differences: list[float], sds: list[float], level: float) -> dict:
    """One comparison over seeds (:data:`POOLED_RULE`): ``differences`` (one a seed) and their bootstrap sds.

    Returns ``{"mean", "low", "high", "sd", "freedom", "between_seeds", "evaluation", "seeds", "differences"}``:
    ``between_seeds`` and ``evaluation`` are the two variance parts, ``freedom`` the degrees of freedom.
    """
    n = len(differences)
    centre = mean(differences)
    between = variance(differences) / n if n > 1 else 0.0
    within = mean(sd * sd for sd in sds)
    total = between + within
    # Welch–Satterthwaite: the between-seed part has n − 1 degrees of freedom, the bootstrap part infinitely many
    freedom = total * total / (between * between / (n - 1)) if n > 1 and between > 0 else math.inf
    half = t_quantile(0.5 + level / 2.0, freedom) * math.sqrt(total)
    return {"mean": centre, "low": centre - half, "high": centre + half, "sd": math.sqrt(total),
            "freedom": freedom if math.isfinite(freedom) else None, "between_seeds": between, "evaluation": within,
            "seeds": n, "differences": list(differences)}
