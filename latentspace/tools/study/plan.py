"""The seed plan, ``python3 -m latentspace.tools.study plan``: how many seeds each configuration's pooled
comparison on a claim's deciding (first) measure would need to clear its rule's boundaries (no TensorFlow).

The numbers are those of :func:`latentspace.claims.verdicts.over_seeds`, in the measure's own units: Δ the
pooled difference, s² the between-seed variance of the seeds' differences (units²), σ²_eval the mean of the
runs' bootstrap variances (units²; the evaluation digits are shared by every seed, so it does not shrink with
seeds). With n seeds the pooled variance is s²/n + σ²_eval, with ν(n) = (s²/n + σ²_eval)² / ((s²/n)²/(n − 1))
Welch–Satterthwaite degrees of freedom (infinite when s² = 0). For a boundary b the plan is the smallest n
(at most :data:`CAP`) with (t(1 − α, ν(n)) + t(power, ν(n))) · √(s²/n + σ²_eval) ≤ |Δ − b|: an interval of
the rule's level, α = verdicts.alpha(level) on each side, clears b on Δ's side with that power.

- **Δ is the observed pooled effect**: the plan asks how many seeds would confirm what the recorded seeds
  show. A margin-based alternative (Δ = b ± δ) is not offered: for "better" it is the smallest effect that
  counts, but for the rules whose boundaries are the margin itself (no real difference, more than the
  margin, as recognisable as the real digits) b ± δ is 0 or 2δ, no effect anyone claimed.
- **s² is planned at its upper bound**: from k seeds it has k − 1 degrees of freedom (two from three), so
  the plan uses the one-sided upper (1 − γ) chi-square bound s² (k − 1) / χ²_γ(k − 1), γ = :data:`GAMMA`.
- **Which boundaries decide**: each of ``rule.boundaries(margin)``, cleared on the side Δ lies (above a
  boundary Δ exceeds, below one it falls short of); the cell needs the most seeds any of them needs. As n
  falls with |Δ − b| that is the nearest boundary's: for "no real difference" both bounds when Δ lies inside
  ± δ (two one-sided tests), the nearer one when outside; for "better" the bound 0 on Δ's side.
- **Undecidable at this size**: no n ≤ :data:`CAP` decides the cell: Δ equals a boundary, the evaluation
  part alone is too wide ((z(1 − α) + z(power)) · √σ²_eval ≥ |Δ − b|), or Δ itself decides nothing however
  narrow its interval (under "better", |Δ| below the margin). More seeds cannot help; more evaluation
  digits (a larger evaluation set) can.
"""

from __future__ import annotations

import math

from latentspace.claims.original_claims import Claim, by_key
from latentspace.claims.verdicts import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED, Rule, alpha
from latentspace.tools.study.grid import StudyError

POWER = 0.8   # 1 − β: the chance the planned seeds decide, if Δ and the variances are as planned
GAMMA = 0.2   # s² planned at its one-sided upper 80 % chi-square bound
CAP = 1000    # seeds: beyond, "undecidable at this size"
TOO_FEW, UNDECIDABLE, ONE_SEED = "too few seeds", "undecidable at this size", "one seed: no spread to plan from"
CAPTION = (f"Under an inconclusive verdict, why, by the seed plan (study plan): {TOO_FEW}, with the seeds at which the interval would "
           f"clear the rule's boundaries with power {POWER} for the observed pooled difference, the between-seed "
           f"variance taken at its upper {1 - GAMMA:.0%} bound; or {UNDECIDABLE}: the evaluation digits' part alone "
           "too wide, or the difference on a boundary or short of the margin, so that no number of seeds decides it.")


def check(power: float) -> float:
    """``power``, or a :class:`StudyError` in one line unless 0 < power < 1."""
    if not 0 < power < 1:
        raise StudyError(f"--power {power}: a power is a probability strictly between 0 and 1 (default {POWER})")
    return power


def upper_variance(s2: float, seeds: int, gamma: float = GAMMA) -> float:
    """The one-sided upper (1 − γ) bound of a variance ``s2`` (units²) from ``seeds`` values: s² (k − 1) / χ²_γ(k − 1)."""
    from scipy.stats import chi2

    return s2 if seeds < 2 or s2 == 0 else s2 * (seeds - 1) / float(chi2.ppf(gamma, seeds - 1))


def freedom(s2: float, n: int, evaluation: float) -> float:
    """ν(n): the Welch–Satterthwaite degrees of freedom of s²/n + σ²_eval, s² with n − 1 of them (infinite when s² = 0)."""
    if s2 == 0 or n < 2:
        return math.inf
    return (s2 / n + evaluation) ** 2 / ((s2 / n) ** 2 / (n - 1))


def seeds_for(distance: float, s2: float, evaluation: float, one_sided: float, power: float = POWER,
              cap: int = CAP) -> int | None:
    """The smallest n ≤ ``cap`` with (t(1 − α, ν(n)) + t(power, ν(n))) · √(s²/n + σ²_eval) ≤ |``distance``| (|Δ − b|,
    in the measure's units; ``s2``, ``evaluation`` in units²; ``one_sided`` = α); None: undecidable at this size."""
    import numpy as np
    from scipy.stats import norm, t

    distance = abs(distance)
    if distance == 0 or (norm.ppf(1 - one_sided) + norm.ppf(power)) * math.sqrt(evaluation) >= distance:
        return None  # the evaluation digits' part alone is too wide, or Δ sits on the boundary
    if s2 == 0:
        return 1
    n = np.arange(2, cap + 1)
    variance = s2 / n + evaluation
    nu = variance ** 2 / ((s2 / n) ** 2 / (n - 1))
    ok = np.flatnonzero((t.ppf(1 - one_sided, nu) + t.ppf(power, nu)) * np.sqrt(variance) <= distance)
    return int(n[ok[0]]) if ok.size else None


def comparison(rule: Rule, numbers: dict, margin: float, level: float, power: float = POWER,
               gamma: float = GAMMA, cap: int = CAP) -> dict:
    """One pooled comparison (:func:`~latentspace.claims.verdicts.over_seeds`'s numbers) planned: ``{"seeds", "difference"
    (Δ, observed), "s2", "s2 planned", "evaluation" (σ²_eval), "verdict", "expected" (Δ's own verdict), "needed"}``;
    ``needed`` None where no n ≤ ``cap`` decides it (or one seed: ``"expected"`` is then ONE_SEED)."""
    k, delta = numbers["seeds"], numbers["mean"]
    s2 = numbers["between_seeds"] * k  # over_seeds keeps s²/k
    planned = upper_variance(s2, k, gamma)
    expected = rule.decide(delta, delta, delta, margin)  # the verdict of an interval narrowed onto Δ
    needs = [seeds_for(delta - b, planned, numbers["evaluation"], alpha(level), power, cap)
             for b in rule.boundaries(margin)]
    needed = None if k < 2 or expected == INCONCLUSIVE or None in needs else max(needs)
    return {"seeds": k, "difference": delta, "s2": s2, "s2 planned": planned, "evaluation": numbers["evaluation"],
            "verdict": numbers["verdict"], "expected": ONE_SEED if k < 2 else expected, "needed": needed}


def planned(claim: Claim, result: dict, margins: dict[str, float], level: float, power: float = POWER,
            gamma: float = GAMMA, cap: int = CAP) -> dict[str, dict]:
    """``{"<a> vs <b>": comparison(...)}`` of a pooled claim (original_claims.decide_pooled) on its deciding measure;
    unmeasured comparisons left out."""
    measure = claim.measures[0]
    return {pair: comparison(claim.rule, measures[measure], margins[measure], level, power, gamma, cap)
            for pair, measures in result["comparisons"].items() if "mean" in measures.get(measure, {})}


def claim_seeds(plans: dict[str, dict]) -> int | None:
    """The seeds a claim needs: the fewest at which one comparison refutes it, else the most its comparisons need
    to all support it (a comparison decided already needs its recorded seeds); None: no n decides it."""
    need = {pair: p["seeds"] if p["verdict"] in (SUPPORTED, NOT_SUPPORTED) else p["needed"] for pair, p in plans.items()}
    refuting = [need[pair] for pair, p in plans.items()
                if need[pair] is not None and NOT_SUPPORTED in (p["verdict"], p["expected"])]
    supporting = [need[pair] for pair, p in plans.items() if SUPPORTED in (p["verdict"], p["expected"])]
    if plans and len(supporting) == len(plans) and None not in supporting:
        refuting.append(max(supporting))
    return min(refuting) if refuting else None


def why(claim: Claim, result: dict, margins: dict[str, float], level: float, power: float = POWER,
        gamma: float = GAMMA) -> dict | None:
    """Why a pooled claim is inconclusive: ``{"reason": TOO_FEW, "seeds": n}`` (n seeds would decide it, on the plan)
    or ``{"reason": UNDECIDABLE}`` (no n ≤ CAP would; or ONE_SEED); None for a decided or unmeasured claim."""
    if result["verdict"] != INCONCLUSIVE:
        return None
    plans = planned(claim, result, margins, level, power, gamma)
    if any(p["seeds"] < 2 for p in plans.values()):
        return {"reason": ONE_SEED}
    seeds = claim_seeds(plans)
    return {"reason": UNDECIDABLE} if seeds is None else {"reason": TOO_FEW, "seeds": seeds}


def said(reason: dict) -> str:
    """``why``'s answer in words: "too few seeds (12 planned)", "undecidable at this size"."""
    return f"{reason['reason']} ({reason['seeds']} planned)" if "seeds" in reason else reason["reason"]


HEADER = ("claim", "configuration", "comparison", "verdict", "seeds", "Δ (observed)", "s²", "σ²_eval", "seeds needed")


def rows(decided: dict, margins: dict[str, float], level: float, power: float = POWER,
         gamma: float = GAMMA) -> list[list[str]]:
    """A row a claim × configuration × comparison on the claim's deciding measure, of the verdict matrix ``decided``
    (latentspace.tools.study.matrix.matrix); a configuration whose records ran older code says so."""
    declared, found = by_key(), []
    for name, entry in decided.items():
        configuration = f"{name} (older code)" if entry.get("older code") else name
        for key, result in entry["claims"].items():
            if key not in declared:
                continue
            for pair, p in planned(declared[key], result, margins, level, power, gamma).items():
                needed = (str(p["needed"]) if p["needed"] is not None else
                          p["expected"] if p["expected"] == ONE_SEED else UNDECIDABLE)
                found.append([f"{key} ({result['measure']})", configuration, pair, p["verdict"], str(p["seeds"]),
                              f"{p['difference']:+.4g}", f"{p['s2']:.3g}", f"{p['evaluation']:.3g}", needed])
    return found


def table(decided: dict, margins: dict[str, float], level: float, power: float = POWER, gamma: float = GAMMA) -> str:
    """The plan as text: what it assumes, then :func:`rows` in aligned columns."""
    found = [list(HEADER), *rows(decided, margins, level, power, gamma)]
    widths = [max(len(row[i]) for row in found) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in found]
    older = [name for name, entry in decided.items() if entry.get("older code")]
    notes = [f"Seeds each comparison needs for its claim's rule at level {level} (α = {alpha(level):.3g} a side) with "
             f"power {power}: Δ is the observed pooled effect, s² planned at its upper {1 - gamma:.0%} chi-square "
             f"bound, σ²_eval does not shrink with seeds (latentspace/tools/study/plan.py); \"{UNDECIDABLE}\": "
             f"no n ≤ {CAP} decides it."]
    if older:
        notes.append(f"{len(older)} of {len(decided)} configurations planned from records that ran older code "
                     f"(stale: {', '.join(older)}), as `study report` decides them.")
    return "\n".join([*notes, "", lines[0], "  ".join("-" * w for w in widths), *lines[1:]])
