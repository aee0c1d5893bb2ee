"""The verdict rules: each written once, beside its description (standard library and SciPy only).

A comparison is a difference between two sides, signed so that positive favours the claim, with an
interval (a run's paired bootstrap interval over the same evaluation digits or draws, or the
interval over seeds of :func:`over_seeds`) and the measure's margin, ``claims.margins.<measure>``:
the smallest difference that counts. A :class:`Rule` turns these into a verdict; a claim's verdict
over several comparisons is :func:`overall`.
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
    """``decide(difference, low, high, margin)`` → a verdict; ``description`` says it in words."""

    name: str
    description: str
    decide: Callable[[float, float, float, float], str]


def _better(difference: float, low: float, high: float, margin: float) -> str:
    if low > 0 and difference >= margin:
        return SUPPORTED
    if high < 0 and -difference >= margin:
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


BETTER = Rule("better", "supported when the interval lies above 0 and the difference reaches the margin; not "
              "supported when both hold the other way; inconclusive otherwise", _better)
EQUIVALENT = Rule("no real difference", "an equivalence test (two one-sided tests at the interval's level): "
                  "supported when the whole interval lies inside ± the margin; not supported when it lies wholly "
                  "outside it; inconclusive when it straddles a bound", _equivalent)
AS_REAL = Rule("as recognisable as the real digits", "non-inferiority against the judge on the real evaluation "
               "digits: supported when the interval's lower end lies above − the margin (at most a margin less "
               "recognisable); not supported when its upper end lies below − the margin; inconclusive otherwise",
               _not_worse)
BEYOND = Rule("more than the margin", "supported when the whole interval lies above the margin; not supported "
              "when it lies wholly below it; inconclusive when it holds the margin", _beyond)
RULES = (BETTER, EQUIVALENT, AS_REAL, BEYOND)


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
