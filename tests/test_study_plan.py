"""The seed plan (latentspace/tools/study/plan.py): seeds needed on known answers, undecidable cells, a simulated
check that the planned seeds decide, why a pooled verdict is inconclusive, and `study plan` on the committed records."""

import json
import math

import numpy as np
import pytest
from scipy.stats import t

from helpers import ROOT
from latentspace.claims.original_claims import CLAIMS
from latentspace.claims.verdicts import BETTER, EQUIVALENT, INCONCLUSIVE, SUPPORTED, alpha, over_seeds
from latentspace.tools.study import cli as study
from latentspace.tools.study import plan

LEVEL = 0.95
A = alpha(LEVEL)  # 0.025 a side


def direct(distance, s2, one_sided=A, power=plan.POWER):
    """The smallest n by a plain search with σ²_eval = 0: then ν(n) = n − 1."""
    for n in range(2, plan.CAP + 1):
        if (t.ppf(1 - one_sided, n - 1) + t.ppf(power, n - 1)) * math.sqrt(s2 / n) <= distance:
            return n
    return None


@pytest.mark.parametrize("distance, s2, power", [(0.01, 1e-4, 0.8), (0.02, 1e-4, 0.8), (0.005, 4e-4, 0.9),
                                                 (1.0, 2.0, 0.8), (0.3, 1.0, 0.5)])
def test_without_evaluation_noise_the_plan_is_the_t_search(distance, s2, power):
    n = plan.seeds_for(distance, s2, 0.0, A, power)
    assert n == direct(distance, s2, power=power) and n is not None and n > 2
    assert plan.seeds_for(-distance, s2, 0.0, A, power) == n  # |Δ − b|: the side does not matter
    assert plan.freedom(s2, n, 0.0) == pytest.approx(n - 1)
    worse = (t.ppf(1 - A, n - 2) + t.ppf(power, n - 2)) * math.sqrt(s2 / (n - 1))
    assert worse > distance  # n − 1 seeds would not do


def test_the_evaluation_part_alone_too_wide_is_undecidable():
    evaluation = 1e-4  # (z(0.975) + z(0.8)) · 0.01 ≈ 0.028
    assert plan.seeds_for(0.027, 1e-4, evaluation, A) is None
    assert plan.seeds_for(0.029, 1e-4, evaluation, A) is not None
    assert plan.seeds_for(0.0, 1e-4, 0.0, A) is None  # Δ on the boundary
    assert plan.seeds_for(0.01, 0.0, 0.0, A) == 1 and plan.freedom(0.0, 5, 1e-4) == math.inf
    assert plan.seeds_for(1e-6, 1.0, 0.0, A) is None  # beyond the cap
    numbers = {"mean": 0.03, "seeds": 3, "between_seeds": 1e-4 / 3, "evaluation": 0.01, "verdict": INCONCLUSIVE}
    assert plan.comparison(BETTER, numbers, 0.01, LEVEL)["needed"] is None


def test_seeds_needed_fall_as_the_effect_moves_from_the_boundary():
    needs = [plan.seeds_for(d, 1e-3, 1e-6, A) for d in np.linspace(0.005, 0.2, 40)]
    assert None not in needs and needs == sorted(needs, reverse=True) and needs[0] > needs[-1]


def test_s2_is_planned_at_its_upper_chi_square_bound():
    # two degrees of freedom: χ²_γ(2) = −2 ln(1 − γ), so the bound is s² / −ln(1 − γ)
    assert plan.upper_variance(1.0, 3, 0.2) == pytest.approx(1 / -math.log(0.8))
    assert plan.upper_variance(1.0, 30, 0.2) < plan.upper_variance(1.0, 3, 0.2)  # more seeds, a tighter bound
    numbers = {"mean": 0.05, "seeds": 3, "between_seeds": 1e-3 / 3, "evaluation": 1e-6, "verdict": INCONCLUSIVE}
    found = plan.comparison(BETTER, numbers, 0.01, LEVEL)
    assert found["s2"] == pytest.approx(1e-3) and found["needed"] == plan.seeds_for(0.05, found["s2 planned"], 1e-6, A)
    assert found["needed"] > plan.seeds_for(0.05, 1e-3, 1e-6, A)


def test_the_boundaries_that_decide_lie_on_the_estimates_side():
    numbers = {"seeds": 3, "between_seeds": 1e-4 / 3, "evaluation": 1e-7, "verdict": INCONCLUSIVE}
    margin, planned = 0.02, plan.upper_variance(1e-4, 3)
    inside = plan.comparison(EQUIVALENT, {**numbers, "mean": 0.012}, margin, LEVEL)  # both bounds; +δ the nearer
    assert inside["expected"] == SUPPORTED and inside["needed"] == plan.seeds_for(0.008, planned, 1e-7, A)
    outside = plan.comparison(EQUIVALENT, {**numbers, "mean": 0.03}, margin, LEVEL)  # +δ alone
    assert outside["needed"] == plan.seeds_for(0.01, planned, 1e-7, A)
    # "better" must also reach the margin: an estimate below it decides nothing however many seeds
    assert plan.comparison(BETTER, {**numbers, "mean": 0.005}, margin, LEVEL)["needed"] is None
    assert plan.comparison(BETTER, {**numbers, "mean": -0.03}, margin, LEVEL)["expected"] == "not supported"


def _decided_share(delta, s2, evaluation, n, margin, runs=1500, seed=0):
    """How often n seeds decide "better", each seed's difference Δ + N(0, s²) plus the shared evaluation digits' error."""
    rng = np.random.default_rng(seed)
    decided = 0
    for _ in range(runs):
        differences = delta + rng.normal(0, math.sqrt(evaluation)) + rng.normal(0, math.sqrt(s2), n)
        pooled = over_seeds(list(differences), [math.sqrt(evaluation)] * n, LEVEL)
        decided += BETTER.decide(pooled["mean"], pooled["low"], pooled["high"], margin) == SUPPORTED
    return decided / runs


def test_three_inconclusive_seeds_and_the_planned_seeds_mostly_decide():
    pooled = over_seeds([0.03, 0.0, 0.05], [0.005] * 3, LEVEL)
    assert BETTER.decide(pooled["mean"], pooled["low"], pooled["high"], 0.01) == INCONCLUSIVE
    found = plan.comparison(BETTER, {**pooled, "verdict": INCONCLUSIVE}, 0.01, LEVEL)
    delta, s2, evaluation = found["difference"], found["s2"], found["evaluation"]
    assert found["needed"] > 3
    at_estimate = plan.seeds_for(delta, s2, evaluation, A)  # the plan without the upper bound: power ≈ 0.8
    assert 3 < at_estimate < found["needed"]
    assert 0.75 <= _decided_share(delta, s2, evaluation, at_estimate, 0.01) <= 0.92
    assert _decided_share(delta, s2, evaluation, found["needed"], 0.01) >= 0.9  # the upper bound: more than planned
    assert _decided_share(delta, s2, evaluation, 3, 0.01) < 0.3


def _result(claim, cells):
    """A pooled claim as decide_pooled gives it, its deciding measure's comparisons only."""
    comparisons = {pair: {claim.measures[0]: numbers} for pair, numbers in cells.items()}
    return {"verdict": INCONCLUSIVE, "measure": claim.measures[0], "comparisons": comparisons}


def test_why_a_pooled_verdict_is_inconclusive():
    claim = next(c for c in CLAIMS if c.rule is BETTER)
    margins = {claim.measures[0]: 0.01}
    cell = {"mean": 0.03, "seeds": 3, "between_seeds": 3e-4 / 3, "evaluation": 1e-6, "verdict": INCONCLUSIVE}
    few = plan.why(claim, _result(claim, {"a vs b": cell}), margins, LEVEL)
    assert few["reason"] == plan.TOO_FEW and few["seeds"] == plan.comparison(BETTER, cell, 0.01, LEVEL)["needed"] > 3
    assert plan.said(few) == f"too few seeds ({few['seeds']} planned)"
    wide = plan.why(claim, _result(claim, {"a vs b": {**cell, "evaluation": 1e-3}}), margins, LEVEL)
    assert wide == {"reason": plan.UNDECIDABLE} and plan.said(wide) == "undecidable at this size"
    # one comparison supported already, another needing seeds: the claim needs those
    both = {"a vs b": {**cell, "verdict": SUPPORTED}, "c vs d": cell}
    assert plan.why(claim, _result(claim, both), margins, LEVEL) == few
    # one comparison headed for "not supported" decides the claim on its own, sooner than the other would support it
    refuting = {**cell, "mean": -0.2}
    mixed = plan.why(claim, _result(claim, {"a vs b": cell, "c vs d": refuting}), margins, LEVEL)
    assert mixed["seeds"] == plan.comparison(BETTER, refuting, 0.01, LEVEL)["needed"] < few["seeds"]
    assert plan.why(claim, {**_result(claim, {"a vs b": cell}), "verdict": SUPPORTED}, margins, LEVEL) is None


def test_the_study_page_says_why_a_cell_is_inconclusive():
    from latentspace.tools.study.pages import page

    claim = next(c for c in CLAIMS if c.rule is BETTER)
    cell = {"mean": 0.03, "low": -0.01, "high": 0.07, "seeds": 3, "between_seeds": 1e-4, "evaluation": 1e-6,
            "differences": [0.01, 0.03, 0.05], "freedom": 2.0, "verdict": INCONCLUSIVE}
    result = {**_result(claim, {"a vs b": cell}), "plan": {"reason": plan.TOO_FEW, "seeds": 12}}
    shown = page({"<x>": {"seeds": [1, 2, 3], "claims": {claim.key: result}}})
    assert "inconclusive</b><br><small>too few seeds (12 planned)</small>" in shown and "<x>" not in shown


def test_study_plan_on_the_committed_records(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert study.main(["plan"]) == 0
    out = capsys.readouterr().out
    committed = json.loads((ROOT / "study" / "verdicts.json").read_text())
    assert "seeds needed" in out and "Δ (observed)" in out
    shown = [key for entry in committed.values() for key in entry["claims"] if f"{key} (" in out]
    assert shown and all(name in out for name in committed)
    rows = [line for line in out.splitlines() if line.startswith(tuple(shown))]
    assert rows and all(line.rstrip().endswith(plan.UNDECIDABLE) or line.split()[-1].isdigit() for line in rows)


@pytest.mark.parametrize("argv, says", [(["plan", "--power", "1.5"], "--power 1.5: a power is a probability"),
                                        (["plan", "--study", "no-such-study.yaml"], "no-such-study.yaml")])
def test_bad_plan_input_is_one_line_and_a_failing_exit(argv, says, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert study.main(argv) == 1
    captured = capsys.readouterr()
    assert says in captured.err and captured.err.count("\n") == 1 and captured.out == ""
