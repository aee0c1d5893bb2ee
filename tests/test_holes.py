"""Holes in a latent space on codes whose holes are known: the prior's share outside the codes' manifold."""

import numpy as np
import pytest

from latentspace.measures import holes as h


def prior_draws(count: int, dim: int, seed: int) -> np.ndarray:
    """``count`` seeded N(0, I) draws in ``dim`` dimensions (count, dim)."""
    return np.random.default_rng(seed).standard_normal((count, dim))


def outside_shares(codes, held_out, draws, k: int = h.BALLS) -> dict[str, float]:
    """The share of ``draws`` and of ``held_out`` codes outside ``codes``, and the draws' excess over the codes'."""
    prior, reference = float(h.outside(draws, codes, k).mean()), float(h.outside(held_out, codes, k).mean())
    return {"prior": prior, "held_out": reference, "excess": prior - reference}


def annulus(count, inner, outer, seed):
    """Points spread evenly over the ring inner ≤ r ≤ outer in 2-D (count, 2)."""
    rng = np.random.default_rng(seed)
    radius = np.sqrt(rng.uniform(inner ** 2, outer ** 2, count))  # even in area
    angle = rng.uniform(0, 2 * np.pi, count)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def test_codes_from_the_prior_leave_no_holes_beyond_the_held_out_codes():
    codes, held_out, draws = (prior_draws(3000, 10, seed) for seed in (0, 1, 2))
    shares = outside_shares(codes, held_out, draws)
    assert shares["excess"] == pytest.approx(0.0, abs=0.04)
    assert 0.0 < shares["held_out"] < 0.8  # some fall outside by chance alone: hence the reference


def test_codes_on_an_annulus_leave_the_priors_centre_a_hole():
    codes, held_out = annulus(3000, 2.0, 3.0, 0), annulus(3000, 2.0, 3.0, 1)
    shares = outside_shares(codes, held_out, prior_draws(5000, 2, 2))
    # N(0, I) in 2-D puts 1 − e^−2 ≈ 0.86 of its mass inside radius 2
    assert shares["prior"] > 0.75
    assert shares["held_out"] < 0.05
    assert shares["excess"] > 0.7
    centre = annulus(500, 0.0, 1.0, 3)
    assert h.outside(centre, codes).all()


def test_codes_far_narrower_than_the_prior_leave_most_draws_outside():
    codes = 0.1 * prior_draws(3000, 5, 0)
    shares = outside_shares(codes, 0.1 * prior_draws(3000, 5, 1), prior_draws(3000, 5, 2))
    assert shares["prior"] > 0.9
    assert shares["excess"] > 0.7


def test_codes_far_from_the_prior_change_nothing_it_reaches():
    """A cluster of codes where the prior puts no mass is no hole, and fills none."""
    rng = np.random.default_rng(0)
    codes, draws = prior_draws(2000, 2, 1), prior_draws(2000, 2, 2)
    far = rng.normal(50.0, 0.5, size=(300, 2))
    assert np.array_equal(h.outside(draws, codes), h.outside(draws, np.concatenate([codes, far])))
    assert not h.outside(far, np.concatenate([codes, far])).all()


def test_a_half_plane_without_codes_is_a_hole_the_size_of_its_prior_mass():
    codes, held_out, draws = (prior_draws(6000, 2, seed) for seed in (0, 1, 2))
    kept = codes[codes[:, 0] < 0.0]  # no code with x ≥ 0: half the prior's mass
    shares = outside_shares(kept, held_out[held_out[:, 0] < 0.0], draws)
    assert shares["excess"] == pytest.approx(0.5, abs=0.06)
    assert h.outside(draws[draws[:, 0] > 0.5], kept).all()


def test_outside_is_the_negation_of_inside_and_takes_k():
    codes, points = prior_draws(500, 3, 0), prior_draws(200, 3, 1)
    from latentspace.measures.manifold import inside_manifold

    assert np.array_equal(h.outside(points, codes, 7), ~inside_manifold(points, codes, 7))
    assert h.outside(points, codes, 1).sum() >= h.outside(points, codes, 10).sum()  # larger balls leave fewer out
    assert not h.outside(codes, codes).any()  # every code is inside its own ball


def test_a_vaes_codes_are_its_posteriors_draws_whose_spread_fills_the_gaps_between_its_class_means():
    """Means in ten tight class clusters leave most of N(0, I) in gaps between them; the posteriors (σ² = 0.8 about
    means of variance 0.2: their mixture is N(0, I)) fill them, so against the posteriors' draws the prior puts
    about as much mass outside as held-out codes do, and against the means alone far more."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0.0, np.sqrt(0.2), size=(10, 4))
    labels = rng.integers(0, 10, 6000)
    means = centres[labels] + rng.normal(0.0, 0.02, size=(6000, 4))
    log_var = np.full((6000, 4), np.log(0.8))
    draws = {"prior": prior_draws(1000, 4, 3)}
    codes = {"codes_train": means[:5000], "codes_eval": means[5000:]}
    as_means = h.outside_all(codes, draws, seed=1)
    posterior = h.outside_all({**codes, "log_var_train": log_var[:5000], "log_var_eval": log_var[5000:]}, draws, seed=1)
    assert as_means["outside_prior"].mean() > 0.8
    excess = posterior["outside_prior"].mean() - posterior["outside_codes"].mean()
    assert abs(excess) < 0.05 and set(posterior) == {"outside_prior", "outside_codes"}
    assert np.array_equal(h.posterior_draws(means, None, 0), means)  # an AE: its codes themselves
    again = h.outside_all({**codes, "log_var_train": log_var[:5000], "log_var_eval": log_var[5000:]}, draws, seed=1)
    assert all(np.array_equal(again[k], posterior[k]) for k in posterior)  # seeded
