"""Density and coverage (Naeem et al. 2020) on inputs whose answer is known, and against their reference code."""

import contextlib
import io
from math import comb

import numpy as np
import pytest

from latentspace.measures import coverage as c
from latentspace.measures.bootstrap import resamples


def prdc_values(real, fake, k):
    prdc = pytest.importorskip("prdc", reason="prdc (Naeem et al.'s reference code, a test dependency) is not installed")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints the sample counts
        return prdc.compute_prdc(real, fake, k)


@pytest.mark.parametrize("k", [c.NEIGHBOURS, 3])
@pytest.mark.parametrize("shift", [0.0, 0.7])
def test_density_and_coverage_match_the_reference_implementation(k, shift):
    rng = np.random.default_rng(k)
    real, fake = rng.normal(size=(400, 6)), rng.normal(shift, 1.3, size=(300, 6))
    density, coverage = c.density_coverage(real, fake, k)
    expected = prdc_values(real, fake, k)
    assert density == pytest.approx(expected["density"], abs=1e-9)
    assert coverage == pytest.approx(expected["coverage"], abs=1e-9)
    assert c.density_per_draw(real, fake, k).mean() == pytest.approx(density, abs=1e-12)


def test_one_distribution_gives_density_1_and_naeems_expected_coverage():
    rng = np.random.default_rng(0)
    m = n = 2000
    real, fake = rng.normal(size=(m, 8)), rng.normal(size=(n, 8))
    density, coverage = c.density_coverage(real, fake)
    k = c.NEIGHBOURS
    expected = 1 - comb(m - 1, k) / comb(m + n - 1, k)  # ≈ 1 − 2^−k = 0.969 for k = 5
    assert expected == pytest.approx(1 - 0.5 ** k, abs=2e-3)
    assert coverage == pytest.approx(expected, abs=0.015)
    assert density == pytest.approx(1.0, abs=0.05)


def test_fakes_on_one_of_two_modes_cover_half_the_real_balls():
    rng = np.random.default_rng(1)
    real = np.concatenate([rng.normal(-20, 1, size=(1000, 4)), rng.normal(20, 1, size=(1000, 4))])
    fake = rng.normal(20, 1, size=(2000, 4))
    density, coverage = c.density_coverage(real, fake)
    assert coverage == pytest.approx(0.5, abs=0.01)
    assert not c.within(real, fake)[:1000].any()  # no ball of the other mode holds a fake
    assert density == pytest.approx(1.0, abs=0.05)  # fidelity, not diversity: each fake is as real as a real one


def test_coverage_is_the_mean_of_each_real_digits_ball_holding_a_draw_and_its_interval_holds_it():
    """Kept per real sample, the coverage is their mean; resampling the real samples (as the contrasts do) centres
    the replicates on it, where resampling the draws (a set statistic) lies below it in nearly every resample."""
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(400, 8)), rng.normal(size=(300, 8))
    per_real = c.covered(real, fake)
    assert per_real.shape == (400,) and set(np.unique(per_real)) <= {0.0, 1.0}
    assert per_real.mean() == pytest.approx(c.density_coverage(real, fake)[1])
    indices = resamples(400, 500, seed=1)
    replicated = per_real[indices].mean(axis=1)
    assert abs(replicated.mean() - per_real.mean()) < 0.005
    draws = resamples(300, 200, seed=1)  # the draws resampled instead: a set statistic, biased low
    below = [c.covered(real, fake[rows]).mean() < per_real.mean() for rows in draws]
    assert np.mean(below) > 0.95
