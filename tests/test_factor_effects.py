"""Traversal effects and factor distances (latentspace/measures/factors/factor_effects.py) where the answer is known:
measured values with planted slopes, a toy decoder whose units shear and stretch a drawn bar, and
samples whose Wasserstein distance has a closed form."""

from __future__ import annotations

import numpy as np
import pytest

from latentspace.measures.factors import factor_effects as fe
from latentspace.measures.factors import morphometrics
from test_morphometrics import bar

OFFSETS = np.linspace(-3, 3, 9)


def test_planted_slopes_are_recovered_with_intervals():
    """Factor k = slope[d, k] · offset + noise: each effect (the change over the traversal in spreads) is
    6 · slope / spread within its interval; unit 0 moves factor 0 alone, unit 1 two factors, unit 2 none."""
    rng = np.random.default_rng(0)
    slope = np.array([[1.0, 0.0], [1.0, 0.8], [0.0, 0.0]])  # (D, K)
    measured = {name: slope[None, :, k, None] * OFFSETS + 0.1 * rng.normal(size=(30, 3, 9))
                for k, name in enumerate(("a", "b"))}
    result = fe.effects(measured, OFFSETS, {"a": 2.0, "b": 1.0}, resamples=500, level=0.95, seed=0)
    expected = 6.0 * slope / np.array([2.0, 1.0])
    assert np.all((result["low"] <= expected) & (expected <= result["high"]))
    assert np.allclose(result["effect"], expected, atol=0.05)
    assert list(result["alone"]) == [True, False, False]
    assert list(result["top"][:2]) == [0, 1]


def test_slopes_ignore_blank_steps():
    """A NaN step (a blank decoded image) is left out of its slope; fewer than two steps give NaN."""
    values = np.array([[[0.0, 1.0, np.nan, 3.0]], [[np.nan, np.nan, np.nan, 5.0]]])
    got = fe.slopes(values, np.arange(4.0))
    assert got[0, 0] == pytest.approx(1.0) and np.isnan(got[1, 0])


def toy_decoder(codes: np.ndarray) -> np.ndarray:
    """Unit 0 shears a 3 × 14 px bar (0.1 a unit), unit 1 makes it taller (1 px a unit), unit 2 does nothing."""
    return np.stack([bar(3, 14 + z[1], 0.1 * z[0]) for z in codes])


SPREAD = {"area": 30.0, "length": 8.0, "thickness": 0.5, "slant": 0.2, "width": 3.0, "height": 2.0}


def test_a_toy_decoders_units_are_read_from_its_traversals():
    """Traversals of the toy decoder from 5 anchors, measured: unit 0's top factor is the slant and it moves
    alone; unit 1's is the height (the area and length follow, less in their spreads); unit 2 moves nothing."""
    rng = np.random.default_rng(1)
    anchors = rng.normal(scale=0.3, size=(5, 3))
    codes = np.repeat(anchors[:, None, None, :], 3, axis=1).repeat(len(OFFSETS), axis=2)  # (A, D, S, D)
    for d in range(3):
        codes[:, d, :, d] += OFFSETS
    images = toy_decoder(codes.reshape(-1, 3))
    values = {name: v.reshape(5, 3, len(OFFSETS)) for name, v in morphometrics.measure(images).items()}
    result = fe.effects(values, OFFSETS, SPREAD, resamples=300, level=0.95, seed=0)
    names = list(values)
    assert names[result["top"][0]] == "slant" and result["alone"][0]
    assert names[result["top"][1]] == "height" and result["alone"][1]
    assert np.abs(result["effect"][2]).max() < 0.05 and not result["alone"][2]


def test_distances_against_the_closed_form():
    """W1 between N(μ, σ²) and N(0, σ²) is |μ|: in spreads σ, |μ|/σ within 0.05 at 4,000 values; the mean
    over factors is the factors' mean; identical sets give 0 on the full sets."""
    rng = np.random.default_rng(2)
    reference = {"a": rng.normal(0, 2, 4000), "b": rng.normal(0, 1, 4000)}
    decoded = {"a": rng.normal(1, 2, 3000), "b": reference["b"][:3000].copy()}
    indices = (rng.integers(0, 3000, (50, 3000)), rng.integers(0, 4000, (50, 4000)))
    got = fe.distances(decoded, reference, {"a": 2.0, "b": 1.0}, *indices)
    assert got["a"][0] == pytest.approx(0.5, abs=0.05)
    assert got["b"][0] < 0.03
    assert got["mean"][0] == pytest.approx((got["a"][0] + got["b"][0]) / 2)
    assert got["a"][1].shape == (50,) and abs(np.median(got["a"][1]) - got["a"][0]) < 0.05
