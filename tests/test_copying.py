"""Data-copying measures (copy score, Meehan et al.'s C_T, authenticity) on draws whose answer is known: copies of
the training set, fresh draws of its distribution, and draws wider than it; and against scipy's Mann–Whitney U."""

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from latentspace.measures import copying as c
from latentspace.measures.bootstrap import interval, mean_interval, resamples

CELLS = 8
MODES = np.random.default_rng(100).normal(0.0, 3.0, size=(5, 8))  # an 8-d Gaussian mixture's means


def mixture(count: int, seed: int) -> np.ndarray:
    """``count`` draws (count, 8) of a five-mode Gaussian mixture (unit spread about :data:`MODES`)."""
    rng = np.random.default_rng(seed)
    return MODES[rng.integers(0, len(MODES), count)] + rng.standard_normal((count, 8))


@pytest.fixture(scope="module")
def world():
    """T, P, V and the reference computed from them."""
    train, held_out, validation = mixture(4000, 1), mixture(4000, 2), mixture(2000, 3)
    return train, c.reference(train, held_out, validation, cells=CELLS, seed=0)


def measured(draws, train, reference):
    """Mean copy score and its 95 % bootstrap interval over draws, C_T and its level, and AuthPct."""
    found = c.per_draw(draws, train, reference)
    indices = resamples(len(draws), 1000, seed=0)
    return {"copy": mean_interval(found["copy_score"], indices, 0.95),
            "c_t": c.c_t(found["distance"], found["cell"], reference)(np.arange(len(draws))),
            "level": c.c_t_level(reference, found["cell"]), "auth": 100 * found["authentic"].mean()}


def brute_nearest(queries, points, exclude_self=False):
    distances = np.sqrt(((queries[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    if exclude_self:
        np.fill_diagonal(distances, np.inf)
    found = distances.argmin(axis=1)
    return distances[np.arange(len(queries)), found], found


def test_copies_of_training_rows_score_0_fail_c_t_and_are_inauthentic(world):
    train, reference = world
    draws = train[np.random.default_rng(4).choice(len(train), 1000, replace=False)]
    result = measured(draws, train, reference)
    assert result["copy"]["value"] < 0.05 and result["copy"]["high"] < 0.05
    assert result["c_t"] < -10 * result["level"] < 0
    assert result["auth"] == 0.0


def test_fresh_draws_of_the_training_distribution_score_like_held_out_digits(world):
    train, reference = world
    result = measured(mixture(1000, 5), train, reference)
    assert result["copy"]["low"] <= 0.5 <= result["copy"]["high"]
    assert abs(result["c_t"]) <= result["level"]
    validation_auth = 100 * reference.validation_authentic.mean()
    assert 10 < validation_auth < 90 and abs(result["auth"] - validation_auth) < 6
    # the validation digits themselves: the reference side, ≈ ½ and within the level
    assert c.copy_scores(reference.validation, reference.held_out).mean() == pytest.approx(0.5, abs=0.02)
    ct = c.c_t(reference.validation, reference.validation_cells, reference)(np.arange(len(reference.validation)))
    assert abs(ct) <= c.c_t_level(reference, reference.validation_cells)


def test_draws_wider_than_the_training_distribution_underfit_rather_than_copy(world):
    train, reference = world
    rng = np.random.default_rng(6)
    draws = train[rng.choice(len(train), 1000, replace=False)] + rng.standard_normal((1000, 8))
    result = measured(draws, train, reference)
    assert result["copy"]["low"] > 0.5
    assert result["c_t"] > result["level"] > 0
    assert result["auth"] > 100 * reference.validation_authentic.mean()


def test_copy_scores_and_cell_z_equal_scipys_mann_whitney_u_with_ties():
    """Integer features: distances are square roots of small integers, so L(q) and L(p) tie often."""
    rng = np.random.default_rng(7)
    train, held_out, validation, draws = (rng.integers(0, 4, size=(count, 3)).astype(float) + [0, 0, 0.5]
                                          for count in (40, 600, 300, 500))
    reference = c.reference(train, held_out, validation, cells=3, seed=0)
    found = c.per_draw(draws, train, reference)
    lq, lp = found["distance"], reference.held_out
    assert len(np.unique(np.concatenate([lq, lp]))) < 20  # ties everywhere
    u = mannwhitneyu(lq, lp).statistic
    assert found["copy_score"].mean() == pytest.approx(u / (len(lq) * len(lp)), abs=1e-12)
    z = c.cell_z(lq, found["cell"], reference)(np.arange(len(draws)))
    expected = []
    for cell in range(3):
        q, p = lq[found["cell"] == cell], lp[reference.held_out_cells == cell]
        m, n = len(q), len(p)
        assert m > c.MIN_DRAWS and n > 0
        expected.append((mannwhitneyu(q, p).statistic - (m * n / 2 - 0.5)) / np.sqrt(m * n * (n + m + 1) / 12))
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-12)
    weights = np.bincount(reference.held_out_cells, minlength=3) / len(lp)
    ct = c.c_t(lq, found["cell"], reference)(np.arange(len(draws)))
    assert ct == pytest.approx(weights @ np.array(expected) / weights.sum(), abs=1e-12)
    assert c.c_t_level(reference, found["cell"]) == pytest.approx(1.96 * np.sqrt(np.sum(weights ** 2)), rel=1e-4)


def test_copy_scores_count_ties_as_half():
    held_out = np.array([1.0, 2.0, 2.0, 3.0])
    np.testing.assert_array_equal(c.copy_scores([0.5, 1.0, 2.0, 2.5, 4.0], held_out),
                                  np.array([0.0, 0.5, 2.0, 3.0, 4.0]) / 4)


def test_c_t_of_a_resample_is_c_t_of_the_resampled_draws(world):
    train, reference = world
    found = c.per_draw(mixture(600, 8), train, reference)
    statistic = c.c_t(found["distance"], found["cell"], reference)
    for rows in resamples(600, 5, seed=1):
        again = c.c_t(found["distance"][rows], found["cell"][rows], reference)(np.arange(600))
        assert statistic(rows) == pytest.approx(again, abs=1e-12)
    bounds = interval(statistic, resamples(600, 200, seed=1), 0.95)
    assert bounds["low"] <= bounds["value"] <= bounds["high"]
    few = np.flatnonzero(found["cell"] == found["cell"][0])[: c.MIN_DRAWS]  # one cell, too few draws for Π_τ
    assert np.isnan(statistic(few)) and np.isnan(c.c_t_level(reference, found["cell"][few]))


def test_nearest_equals_brute_force_with_and_without_self():
    rng = np.random.default_rng(9)
    points, queries = rng.normal(size=(300, 5)), rng.normal(size=(120, 5))
    for got, expected in ((c.nearest(queries, points), brute_nearest(queries, points)),
                          (c.nearest(points, points, exclude_self=True), brute_nearest(points, points, True))):
        np.testing.assert_array_equal(got[1], expected[1])
        np.testing.assert_allclose(got[0], expected[0], rtol=0, atol=1e-12)
    twins = np.concatenate([points, points[:1]])  # row 300 is row 0's twin: each other's nearest, at 0
    distances, indices = c.nearest(twins, twins, exclude_self=True)
    assert distances[0] == distances[300] == 0.0 and indices[0] == 300 and indices[300] == 0
    assert c.nearest(points[:7], points)[0].tolist() == [0.0] * 7  # a copy lies exactly at 0
    with pytest.raises(ValueError):
        c.nearest(queries, points, exclude_self=True)


def test_authenticity_is_dgm_evals_rule():
    """Inauthentic when the draw is no farther from its nearest training point than that point's own nearest."""
    rng = np.random.default_rng(10)
    train, draws = rng.normal(size=(200, 4)), rng.normal(size=(150, 4))
    own, _ = brute_nearest(train, train, exclude_self=True)
    np.testing.assert_allclose(c.reference(train, draws, draws, cells=2, seed=0).own, own, atol=1e-12)
    all_pairs = np.sqrt(((draws[:, None] - train[None]) ** 2).sum(-1))
    expected = own[all_pairs.argmin(axis=1)] < all_pairs.min(axis=1)
    np.testing.assert_array_equal(c.authentic(draws, train, own), expected)
    assert not c.authentic(train[:20], train, own).any()


def test_reference_round_trips_through_an_npz(world, tmp_path):
    train, reference = world
    np.savez(tmp_path / "reference.npz", **reference.arrays())
    with np.load(tmp_path / "reference.npz", allow_pickle=False) as saved:
        loaded = c.Reference.from_arrays(saved)
    for name, array in reference.arrays().items():
        assert getattr(loaded, name).dtype == array.dtype
        np.testing.assert_array_equal(getattr(loaded, name), array)
    draws = mixture(300, 11)
    for name, array in c.per_draw(draws, train, reference).items():
        np.testing.assert_array_equal(c.per_draw(draws, train, loaded)[name], array)
    assert reference.held_out.shape == reference.held_out_cells.shape == (4000,)
    assert reference.own.shape == (4000,) and reference.centres.shape == (CELLS, 8)
    assert reference.validation_authentic.dtype == bool and reference.validation.shape == (2000,)
