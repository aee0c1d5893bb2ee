"""The verdict rules and the interval over seeds, on numbers whose answer is known."""

import math

import pytest

from latentspace.claims.verdicts import (
    AS_REAL, BETTER, BEYOND, DIRECTION, EQUIVALENT, INCONCLUSIVE, NOT_BETTER, NOT_MEASURED, NOT_SUPPORTED, RULES,
    SUPPORTED, alpha, over_seeds, overall
)


@pytest.mark.parametrize("difference, low, high, margin, expected", [
    (0.05, 0.03, 0.07, 0.01, SUPPORTED),          # clear win
    (-0.05, -0.07, -0.03, 0.01, NOT_SUPPORTED),   # clear loss
    (0.02, -0.01, 0.05, 0.01, INCONCLUSIVE),      # the interval straddles 0
    (0.005, 0.002, 0.008, 0.01, INCONCLUSIVE),    # sure, but below the margin
    (-0.005, -0.008, -0.002, 0.01, INCONCLUSIVE),
    (0.01, 0.001, 0.02, 0.01, SUPPORTED),         # exactly the margin counts
])
def test_the_better_rule(difference, low, high, margin, expected):
    assert BETTER.decide(difference, low, high, margin) == expected


@pytest.mark.parametrize("low, high, expected", [
    (-0.004, 0.006, SUPPORTED),        # inside ± 0.01: no real difference
    (0.012, 0.03, NOT_SUPPORTED),      # wholly above the margin: a real difference
    (-0.05, -0.02, NOT_SUPPORTED),     # wholly below
    (0.002, 0.015, INCONCLUSIVE),      # straddles the upper bound
    (-0.02, 0.02, INCONCLUSIVE),       # wider than the band
])
def test_the_equivalence_rule_inside_outside_and_straddling_the_margin(low, high, expected):
    assert EQUIVALENT.decide((low + high) / 2, low, high, 0.01) == expected


def test_the_original_conv_vae_difference_would_be_equivalent_only_if_sure():
    # 0.1183 − 0.1117 = 0.0066: below the margin, but equivalence needs the whole interval inside it
    assert EQUIVALENT.decide(0.0066, 0.004, 0.009, 0.01) == SUPPORTED
    assert EQUIVALENT.decide(0.0066, -0.005, 0.018, 0.01) == INCONCLUSIVE
    assert BETTER.decide(0.0066, 0.004, 0.009, 0.01) == INCONCLUSIVE  # "better" is not the original's claim


@pytest.mark.parametrize("low, high, expected", [
    (-0.02, 0.01, SUPPORTED),          # at most 2 points below the real digits: within 0.05
    (-0.30, -0.20, NOT_SUPPORTED),     # clearly less often recognised
    (-0.08, -0.02, INCONCLUSIVE),      # straddles −0.05
    (0.01, 0.03, SUPPORTED),           # better than the real digits is as good
])
def test_the_as_real_rule_is_non_inferiority(low, high, expected):
    assert AS_REAL.decide((low + high) / 2, low, high, 0.05) == expected


@pytest.mark.parametrize("low, high, expected", [
    (0.3, 0.9, SUPPORTED),             # the whole interval above a margin of 0.1 nats
    (0.01, 0.05, NOT_SUPPORTED),       # surely above 0, wholly below the margin
    (0.05, 0.2, INCONCLUSIVE),         # holds the margin
])
def test_the_beyond_rule_asks_the_whole_interval_past_the_margin(low, high, expected):
    assert BEYOND.decide((low + high) / 2, low, high, 0.1) == expected


@pytest.mark.parametrize("low, high, expected", [
    (-0.03, 0.005, SUPPORTED),         # below the margin of 0.01: not better by as much as the margin
    (-0.0230, -0.0025, SUPPORTED),     # worse satisfies "not better" too (fashion-50000's conv − VAE silhouette)
    (0.01, 0.03, NOT_SUPPORTED),       # the lower end reaches the margin: better by at least the margin
    (0.002, 0.015, INCONCLUSIVE),      # straddles the margin
    (-0.02, 0.0146, INCONCLUSIVE),     # three seeds' half-width wider than the margin around 0
])
def test_the_not_better_rule_is_non_superiority_below_above_and_straddling_the_margin(low, high, expected):
    assert NOT_BETTER.decide((low + high) / 2, low, high, 0.01) == expected


def test_non_superiority_and_equivalence_part_where_the_words_differ():
    # the conv VAE surely worse by 0.0127: "no real difference" fails to be shown, "not better" holds
    assert EQUIVALENT.decide(-0.0127, -0.0230, -0.0025, 0.01) == INCONCLUSIVE
    assert NOT_BETTER.decide(-0.0127, -0.0230, -0.0025, 0.01) == SUPPORTED


@pytest.mark.parametrize("low, high, expected", [
    (0.001, 0.004, SUPPORTED),         # surely positive, however small: a direction needs no margin
    (-0.004, -0.001, NOT_SUPPORTED),
    (-0.001, 0.004, INCONCLUSIVE),
])
def test_the_direction_rule_is_the_sign_alone(low, high, expected):
    assert DIRECTION.decide((low + high) / 2, low, high, 0.5) == expected


def test_every_rule_states_its_hypotheses_and_the_boundaries_its_interval_must_clear():
    assert alpha(0.95) == pytest.approx(0.025) and alpha(0.9) == pytest.approx(0.05)
    for rule in RULES:
        assert rule.hypotheses.startswith("H0: ") and " · H1: " in rule.hypotheses, rule.name
        assert rule.boundaries(0.01), rule.name
    assert NOT_BETTER.boundaries(0.01) == (0.01,) and EQUIVALENT.boundaries(0.01) == (-0.01, 0.01)
    assert AS_REAL.boundaries(0.05) == (-0.05,) and BETTER.boundaries(0.01) == (0.0,)
    # a verdict changes where the interval crosses a boundary, and nowhere else
    for rule in RULES:
        for bound in rule.boundaries(0.01):
            assert rule.decide(bound + 0.02, bound + 0.001, bound + 0.04, 0.01) != rule.decide(
                bound - 0.02, bound - 0.04, bound - 0.001, 0.01), rule.name


def test_a_claim_needs_every_comparison_and_a_missing_measurement_is_said():
    assert overall([SUPPORTED, SUPPORTED]) == SUPPORTED
    assert overall([SUPPORTED, INCONCLUSIVE]) == INCONCLUSIVE
    assert overall([INCONCLUSIVE, NOT_SUPPORTED]) == NOT_SUPPORTED
    assert overall([SUPPORTED, NOT_MEASURED]) == NOT_MEASURED and overall([NOT_SUPPORTED, NOT_MEASURED]) == NOT_MEASURED
    assert overall([]) == INCONCLUSIVE


@pytest.mark.parametrize("differences, quantile", [
    ([0.1, 0.2], 12.706205),            # two seeds, no bootstrap part: t with 1 degree of freedom
    ([0.1, 0.2, 0.15], 4.302653),       # three: 2
    ([0.1, 0.2, 0.15, 0.12, 0.18], 2.776445),  # five: 4
])
def test_the_interval_over_seeds_is_students_t_when_the_seeds_spread_dominates(differences, quantile):
    n = len(differences)
    pooled = over_seeds(differences, [0.0] * n, 0.95)
    mean = sum(differences) / n
    s = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
    assert pooled["freedom"] == pytest.approx(n - 1)
    assert pooled["high"] - pooled["mean"] == pytest.approx(quantile * s / math.sqrt(n), rel=1e-5)


def test_many_seeds_or_a_dominant_bootstrap_part_approach_the_normal_quantile():
    many = over_seeds([0.1, 0.2] * 200, [0.0] * 400, 0.95)
    assert (many["high"] - many["mean"]) / many["sd"] == pytest.approx(1.96, abs=0.01)
    sure_seeds = over_seeds([0.10, 0.1001, 0.0999], [0.05] * 3, 0.95)  # bootstrap part ≫ seeds' spread
    assert sure_seeds["freedom"] > 1e6
    assert (sure_seeds["high"] - sure_seeds["mean"]) / sure_seeds["sd"] == pytest.approx(1.96, abs=0.01)
    one = over_seeds([0.1], [0.02], 0.95)
    assert one["freedom"] is None and one["high"] - 0.1 == pytest.approx(1.959964 * 0.02, rel=1e-5)


def test_the_welch_satterthwaite_freedom_in_between():
    pooled = over_seeds([0.1, 0.2, 0.15], [0.03] * 3, 0.95)
    between, within = pooled["between_seeds"], pooled["evaluation"]
    assert within == pytest.approx(0.03 ** 2)  # shared digits: does not shrink with seeds
    assert pooled["freedom"] == pytest.approx((between + within) ** 2 / (between ** 2 / 2))
    assert 2 < pooled["freedom"] < math.inf


def test_more_seeds_shrink_only_the_between_seed_part():
    few = over_seeds([0.1, 0.2], [0.03, 0.03], 0.95)
    many = over_seeds([0.1, 0.2] * 8, [0.03] * 16, 0.95)
    assert many["between_seeds"] < few["between_seeds"] and many["evaluation"] == few["evaluation"]
