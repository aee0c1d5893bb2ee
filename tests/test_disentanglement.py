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
    good, good_dci = dis.scores(codes, factors, seed=0), dis.dci(codes, factors, seed=0)
    assert good["mig"] >= 0.5 and good["sap"] >= 0.7
    assert good_dci["disentanglement"] >= 0.8 and good_dci["completeness"] >= 0.8
    assert (good_dci["informativeness"] >= 0.95).all()
    # the best unit for factor k is unit k
    assert list(good["mutual_information"].argmax(axis=0)) == [0, 1, 2, 3]
    assert dis.carried(good["share"], list(factors))[:4] == list(factors)  # and unit k carries factor k
    codes, factors = mixed()
    bad, bad_dci = dis.scores(codes, factors, seed=0), dis.dci(codes, factors, seed=0)
    assert bad["mig"] <= good["mig"] / 2 and bad["sap"] <= good["sap"] / 2
    assert bad_dci["disentanglement"] <= good_dci["disentanglement"] / 2
    assert (bad_dci["informativeness"][:3] >= 0.8).all()


def test_a_factor_in_two_units():
    """Thickness copied into two units: its MIG and SAP gaps vanish (≤ 0.05) while the other factors' stay
    (≥ 0.5); its completeness is about 1 − log 2 / log D (two of D units share it), the units' disentanglement stays."""
    factors, rng = world(1)
    columns = [standard(v) for v in factors.values()]
    codes = np.stack(columns + [columns[0].copy(), rng.normal(size=N)], axis=1) + 0.05 * rng.normal(size=(N, 6))
    result, fitted = dis.scores(codes, factors, seed=0), dis.dci(codes, factors, seed=0)
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
    good, bad = dis.resampled(good_codes, factors, indices, 0), dis.resampled(bad_codes, factors, indices, 0)
    full = dis.scores(good_codes, factors, seed=0)
    assert good["mig"][0] == pytest.approx(full["mig"], abs=1e-12)
    assert good["sap"][0] == pytest.approx(full["sap"], abs=1e-12)
    assert good["sap_eta2"][0] == pytest.approx(full["sap_eta2"], abs=1e-12)
    assert np.abs(good["mig"] - full["mig"]).max() <= 0.05
    assert (good["mig"] > bad["mig"]).all() and (good["sap"] > bad["sap"]).all()


def test_unmeasured_digits_and_bad_input():
    """Digits with a NaN factor are the ones :func:`measured` leaves out; mismatched shapes are refused."""
    codes, factors = one_unit_per_factor()
    factors = dict(factors, slant=np.where(np.arange(N) < 3, np.nan, factors["slant"]))
    assert dis.measured(codes, factors).sum() == N - 3
    with pytest.raises(ValueError, match="factors\\['width'\\]"):
        dis.scores(codes, {"width": factors["width"][:-1]}, seed=0)
    with pytest.raises(ValueError, match="codes"):
        dis.scores(codes[:, 0], factors, seed=0)


def unequal(seed: int, n: int = 1000):
    """Factors of unequal entropy: two levels (0.69 nats), ten levels (2.30), uniform (≈ 3.0 on 20 bins); z0
    copies the two-level factor, z1 the ten-level one, z2 tracks the two-level one weakly (true I ≈ 0.03
    nats), z3 and z4 are noise."""
    rng = np.random.default_rng(seed)
    factors = {"two": rng.integers(0, 2, n).astype(float), "ten": rng.integers(0, 10, n).astype(float),
               "uniform": rng.uniform(0, 1, n)}
    codes = np.stack([factors["two"], factors["ten"], 0.5 * factors["two"] + rng.normal(size=n),
                      rng.normal(size=n), rng.normal(size=n)], axis=1)
    return codes + 0.01 * rng.normal(size=codes.shape), factors


def test_units_are_labelled_by_information_beyond_chance_not_by_raw_information():
    """The raw plug-in information's bias grows with the bins a factor fills, so z2, which knows only the
    two-level factor, has the most raw information about the uniform one in every seed, and the most over
    the factor's entropy in some; the share beyond chance labels it (and z0, z1) right in every seed."""
    raw_wrong = normalised_wrong = 0
    for seed in range(10):
        codes, factors = unequal(seed)
        found = dis.scores(codes, factors, seed=seed)
        names = list(factors)
        assert dis.carried(found["share"], names)[:3] == ["two", "ten", "two"], seed
        raw_wrong += names[int(found["mutual_information"][2].argmax())] != "two"
        normalised_wrong += names[int((found["mutual_information"][2] / found["entropy"]).argmax())] != "two"
    assert raw_wrong == 10 and normalised_wrong >= 1


def test_an_independent_units_share_is_near_zero_whatever_the_factors_entropy():
    """Noise units: the raw information differs by factor by far more than the share beyond chance does
    (within ± 0.02 of 0 for every factor); a copy's share is about 1."""
    codes, factors = unequal(0)
    found = dis.scores(codes, factors, seed=0)
    raw = found["mutual_information"][3:]
    assert (raw[:, 2] - raw[:, 0] > 0.1).all()  # uniform's bias against the two-level factor's
    assert np.abs(found["share"][3:]).max() < 0.02
    assert found["share"][0, 0] == pytest.approx(1, abs=0.02) and found["share"][1, 1] == pytest.approx(1, abs=0.05)
    assert found["share"] == pytest.approx(dis.shares(found["mutual_information"], found["chance"], found["entropy"]))


def two_classes(copies: int, seed: int = 0):
    """A balanced two-level class, ``copies`` units equal to it (a little noise each), three noise units."""
    rng = np.random.default_rng(seed)
    labels = np.arange(N) % 2
    codes = np.stack([labels + 0.05 * rng.normal(size=N) for _ in range(copies)]
                     + [rng.normal(size=N) for _ in range(3)], axis=1)
    return codes, {dis.CLASS: labels}


def test_sap_of_the_class_is_the_held_out_svc_accuracy_gap():
    """One unit that separates two balanced classes: its SVC is right on every held-out digit, a noise unit's
    on about half, so SAP ≈ 1 − 0.5 (η² gives ≈ 1); two such units: SAP 0 (both right on every digit)."""
    codes, factors = two_classes(1)
    found = dis.scores(codes, factors, seed=0)
    assert found["sap_scores"][0, 0] == pytest.approx(1.0) and np.abs(found["sap_scores"][1:, 0] - 0.5).max() < 0.06
    assert found["sap"] == pytest.approx(0.5, abs=0.06) and found["sap_eta2"] > 0.98
    assert dis.scores(*two_classes(2), seed=0)["sap"] == pytest.approx(0.0, abs=1e-12)


def test_sap_of_the_class_follows_disentanglement_lib():
    """The class column is LinearSVC(C=0.01, class_weight="balanced") on one unit, fitted on a seeded half and
    scored on the other (disentanglement_lib's sap_score.py); for ten classes on one clean unit it sits far
    below η² (a linear classifier on one unit cannot single out the middle classes)."""
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, N)
    codes = np.stack([labels + 0.05 * rng.normal(size=N), rng.normal(size=N)], axis=1)
    found = dis.scores(codes, {dis.CLASS: labels}, seed=3)
    order = np.random.default_rng(3).permutation(N)
    fit, held = order[:N // 2], order[N // 2:]
    svc = LinearSVC(C=0.01, class_weight="balanced", random_state=3).fit(codes[fit, :1], labels[fit])
    assert found["sap_scores"][0, 0] == pytest.approx(np.mean(svc.predict(codes[held, :1]) == labels[held]))
    assert found["sap_scores"][0, 0] < 0.8 < 0.98 < found["sap_eta2"]
