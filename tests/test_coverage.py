"""Density and coverage (Naeem et al. 2020) on inputs whose answer is known, and against their reference code."""

import contextlib
import io
from math import comb

import numpy as np
import pytest

from latentspace.measures import coverage as c
from latentspace.measures.bootstrap import replicates, resamples


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


def test_replicates_equal_each_resample_computed_directly():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(300, 5)), rng.normal(0.3, size=(120, 5))
    indices = resamples(len(fake), 40, seed=3)
    vectorised = c.coverage_replicates(real, fake, c.NEIGHBOURS, indices)
    direct = [c.density_coverage(real, fake[rows])[1] for rows in indices]
    assert vectorised == pytest.approx(direct, abs=1e-12)
    statistic = c.coverage_statistic(real, fake, c.NEIGHBOURS)
    assert replicates(statistic, indices) == pytest.approx(direct, abs=1e-12)
    assert statistic(slice(None)) == c.density_coverage(real, fake)[1]  # all the fakes, as values() asks
    small_chunks = c.coverage_of_rows(c.within(real, fake), indices, chunk=7)
    assert small_chunks == pytest.approx(vectorised, abs=0)


def test_a_resample_covers_no_more_than_all_the_fakes():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(500, 3)), rng.normal(size=(200, 3))
    full = c.density_coverage(real, fake)[1]
    assert np.all(c.coverage_replicates(real, fake, c.NEIGHBOURS, resamples(200, 50, seed=5)) <= full)
