"""MIG, SAP and DCI (latentspace/measures/factors/disentanglement.py) on synthetic codes whose structure is known:
one unit per factor, the factors mixed by a rotation, one factor spread over two units."""

from __future__ import annotations

import numpy as np
import pytest

from latentspace.measures.factors import disentanglement as dis

N = 2000


def world(seed: int = 0):
    """Three independent continuous factors and a class of 10 levels, (N,) each."""
    rng = np.random.default_rng(seed)
    factors = {"thickness": rng.normal(size=N), "slant": rng.uniform(-1, 1, N), "width": rng.normal(size=N),
               dis.CLASS: rng.integers(0, 10, N)}
    return factors, rng


def standard(values):
    values = np.asarray(values, np.float64)
    return (values - values.mean()) / values.std()


def one_unit_per_factor(seed: int = 0):
    """Unit d carries factor d alone (a little noise); two units of noise."""
    factors, rng = world(seed)
    columns = [standard(v) for v in factors.values()]
    codes = np.stack(columns + [rng.normal(size=N), rng.normal(size=N)], axis=1)
    return codes + 0.05 * rng.normal(size=codes.shape), factors


def mixed(seed: int = 0):
    """The same units rotated by a random orthogonal matrix: every unit carries every factor."""
    codes, factors = one_unit_per_factor(seed)
    q, _ = np.linalg.qr(np.random.default_rng(seed + 1).normal(size=(codes.shape[1],) * 2))
    return codes @ q, factors


def test_mutual_information_of_a_gaussian_pair_against_its_closed_form():
    """Bivariate normal with correlation ρ: I = −½ log(1 − ρ²). On 20 equal-width bins at N = 20,000 the
    plug-in estimate lies within 0.08 nats (the bins lose ≈ 0.05, the plug-in's bias adds ≈ 0.01)."""
    rng = np.random.default_rng(3)
    for rho in (0.0, 0.5, 0.9):
        x = rng.normal(size=20000)
        y = rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=20000)
        mi, _ = dis.information(dis.binned(x)[:, None], dis.binned(y)[:, None])
        assert mi[0, 0] == pytest.approx(-0.5 * np.log(1 - rho ** 2), abs=0.08), rho


def test_one_unit_per_factor_scores_high_and_mixing_scores_low():
    """One unit per factor: MIG ≥ 0.5, SAP ≥ 0.7, DCI disentanglement and completeness ≥ 0.8 and every
    factor predicted (R² ≥ 0.95, the class's accuracy ≥ 0.95). Rotated: each score falls by half or more,
    while the information stays (the predictors still recover every continuous factor, R² ≥ 0.8)."""
    codes, factors = one_unit_per_factor()
    good, good_dci = dis.scores(codes, factors), dis.dci(codes, factors, seed=0)
    assert good["mig"] >= 0.5 and good["sap"] >= 0.7
    assert good_dci["disentanglement"] >= 0.8 and good_dci["completeness"] >= 0.8
    assert (good_dci["informativeness"] >= 0.95).all()
    # the best unit for factor k is unit k
    assert list(good["mutual_information"].argmax(axis=0)) == [0, 1, 2, 3]
    codes, factors = mixed()
    bad, bad_dci = dis.scores(codes, factors), dis.dci(codes, factors, seed=0)
    assert bad["mig"] <= good["mig"] / 2 and bad["sap"] <= good["sap"] / 2
    assert bad_dci["disentanglement"] <= good_dci["disentanglement"] / 2
    assert (bad_dci["informativeness"][:3] >= 0.8).all()


def test_a_factor_in_two_units():
    """Thickness copied into two units: its MIG and SAP gaps vanish (≤ 0.05) while the other factors' stay
    (≥ 0.5); its completeness is about 1 − log 2 / log D (two of D units share it), the units' disentanglement stays."""
    factors, rng = world(1)
    columns = [standard(v) for v in factors.values()]
    codes = np.stack(columns + [columns[0].copy(), rng.normal(size=N)], axis=1) + 0.05 * rng.normal(size=(N, 6))
    result, fitted = dis.scores(codes, factors), dis.dci(codes, factors, seed=0)
    assert result["mig_per_factor"][0] <= 0.05 and result["sap_per_factor"][0] <= 0.05
    assert (result["mig_per_factor"][1:] >= 0.5).all()
    d = codes.shape[1]
    assert fitted["completeness_per_factor"][0] == pytest.approx(1 - np.log(2) / np.log(d), abs=0.15)
    assert fitted["completeness_per_factor"][0] < min(fitted["completeness_per_factor"][1:])
    assert fitted["disentanglement"] >= 0.8


def test_resampled_mig_and_sap_are_paired_and_centred():
    """On bootstrap resamples (the same indices for two codes): every resample's value is near the full
    data's (the bins are fixed), the identity resample gives it exactly, and the one-unit codes beat the
    mixed ones on every resample."""
    good_codes, factors = one_unit_per_factor()
    bad_codes, _ = mixed()
    rng = np.random.default_rng(5)
    indices = np.concatenate([np.arange(N)[None], rng.integers(0, N, (20, N))])
    good, bad = dis.resampled(good_codes, factors, indices), dis.resampled(bad_codes, factors, indices)
    full = dis.scores(good_codes, factors)
    assert good["mig"][0] == pytest.approx(full["mig"], abs=1e-12)
    assert good["sap"][0] == pytest.approx(full["sap"], abs=1e-12)
    assert np.abs(good["mig"] - full["mig"]).max() <= 0.05
    assert (good["mig"] > bad["mig"]).all() and (good["sap"] > bad["sap"]).all()


def test_unmeasured_digits_and_bad_input():
    """Digits with a NaN factor are the ones :func:`measured` leaves out; mismatched shapes are refused."""
    codes, factors = one_unit_per_factor()
    factors = dict(factors, slant=np.where(np.arange(N) < 3, np.nan, factors["slant"]))
    assert dis.measured(codes, factors).sum() == N - 3
    with pytest.raises(ValueError, match="factors\\['width'\\]"):
        dis.scores(codes, {"width": factors["width"][:-1]})
    with pytest.raises(ValueError, match="codes"):
        dis.scores(codes[:, 0], factors)
