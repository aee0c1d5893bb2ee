"""Reconstructions identifying their own digits among distractors, on inputs whose answer is known."""

import numpy as np
import pytest

from latentspace.measures import identification as ident


def digits(n, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, 28, 28))


@pytest.mark.parametrize("n", [ident.DISTRACTORS + 1, 1000, 10000])
def test_distractors_are_other_digits_drawn_without_replacement_a_fixed_count(n):
    d = ident.distractors(n, seed=0)
    assert d.shape == (n, ident.DISTRACTORS) and d.dtype == np.int64
    assert d.min() >= 0 and d.max() < n
    assert not (d == np.arange(n)[:, None]).any()
    ordered = np.sort(d, axis=1)
    assert not (ordered[:, 1:] == ordered[:, :-1]).any()  # no repeat within a row
    assert np.array_equal(d, ident.distractors(n, seed=0))
    if n > ident.DISTRACTORS + 1:  # with one digit more than the count, every other digit is a distractor
        assert not np.array_equal(d, ident.distractors(n, seed=1))


def test_distractors_are_drawn_evenly():
    n, count = 200, 20
    d = ident.distractors(n, count, seed=3)
    times = np.bincount(np.concatenate([ident.distractors(n, count, seed=s).ravel() for s in range(50)]), minlength=n)
    assert times.mean() == 50 * count  # each digit is a distractor count times per draw on average
    assert times.min() > 0.8 * 50 * count and times.max() < 1.2 * 50 * count
    assert np.bincount(d[:, 0], minlength=n).max() < 10  # first column spread too, not always the lowest
    # with n = count + 1 every other digit is a distractor
    assert np.array_equal(np.sort(ident.distractors(21, 20, seed=0), axis=1),
                          np.array([[j for j in range(21) if j != i] for i in range(21)]))


@pytest.mark.parametrize("n", [ident.DISTRACTORS, 5])
def test_too_few_digits_for_the_distractors_is_an_error_naming_the_count(n):
    with pytest.raises(ValueError, match=str(ident.DISTRACTORS)):
        ident.distractors(n)


def test_perfect_reconstructions_are_all_identified():
    originals = digits(300)
    assert ident.identified(originals, originals.copy(), ident.distractors(300, seed=0)).tolist() == [1.0] * 300


def test_a_reconstruction_that_is_a_distractor_is_not_identified():
    originals = digits(300)
    d = ident.distractors(300, seed=0)
    reconstructions = originals.copy()
    reconstructions[5] = originals[d[5, 17]]  # digit 5 reconstructed as one of its distractors
    found = ident.identified(originals, reconstructions, d)
    assert found[5] == 0.0 and found.sum() == 299
    j = next(j for j in range(300) if j != 7 and j not in d[7])
    reconstructions[7] = (originals[7] + originals[j]) / 2  # halfway to a digit that is no distractor: still its own
    assert ident.identified(originals, reconstructions, d)[7] == 1.0


def test_it_matches_a_direct_loop_whatever_the_chunk():
    rng = np.random.default_rng(1)
    originals = digits(150, seed=2)
    reconstructions = originals + rng.normal(0, 4.0, size=originals.shape)
    d = ident.distractors(150, 30, seed=4)
    direct = [float(np.linalg.norm(reconstructions[i] - originals[i])
                    < min(np.linalg.norm(reconstructions[i] - originals[j]) for j in d[i])) for i in range(150)]
    for chunk in (1, 7, 64, 1000):
        assert ident.identified(originals, reconstructions, d, chunk=chunk).tolist() == direct
    assert 0 < sum(direct) < 150


def test_the_share_identified_falls_as_the_noise_grows():
    originals = digits(300)
    noise = np.random.default_rng(5).normal(size=originals.shape)
    d = ident.distractors(300, seed=6)
    shares = [ident.identified(originals, originals + scale * noise, d).mean() for scale in np.linspace(0, 24, 9)]
    assert shares[0] == 1.0 and shares[-1] < 0.05
    assert all(a >= b for a, b in zip(shares, shares[1:]))  # along one noise direction, exactly monotone
    assert len(set(shares)) > 3


def test_mismatched_shapes_are_an_error():
    with pytest.raises(ValueError, match="same digits"):
        ident.identified(digits(200), digits(199), ident.distractors(200, seed=0))
