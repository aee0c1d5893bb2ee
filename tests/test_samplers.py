"""The samplers fitted behind one decoder (latentspace/models/samplers.py, fits.py) on codes whose density is known:
the prior's log-density is N(0, I)'s (or the learnt mixture's), BIC picks the planted number of components and the
fit gives held-out codes their true likelihood, and the best sampler is chosen on the validation codes alone.
The flow and the two-stage VAE have their own tests (test_flows.py, test_two_stage.py)."""

import numpy as np
import pytest
from scipy import stats

from latentspace.core.errors import StageError
from latentspace.models import fits, samplers
from latentspace.models.fits import Fitted

from helpers import generation_settings

MEANS = np.array([[0.0, 0.0, 0.0, 0.0], [6.0, 0.0, 0.0, 0.0], [0.0, 6.0, 0.0, 0.0]])  # 6 sd apart


def planted(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` codes of an even 3-component mixture of unit Gaussians at :data:`MEANS`, and their true log-density."""
    rng = np.random.default_rng(seed)
    codes = MEANS[rng.integers(3, size=n)] + rng.standard_normal((n, 4))
    density = np.log(np.mean([stats.multivariate_normal(m, np.eye(4)).pdf(codes) for m in MEANS], axis=0))
    return codes, density


def test_the_priors_log_density_is_the_standard_normals_and_its_draws_are_seeded():
    codes = np.random.default_rng(0).normal(size=(50, 3))
    prior = samplers.Prior().fit(codes, 0, generation_settings())
    np.testing.assert_allclose(prior.log_density(codes), stats.multivariate_normal(np.zeros(3)).logpdf(codes),
                               rtol=0, atol=1e-10)
    np.testing.assert_array_equal(prior.draw(7, 5),
                                  np.random.default_rng(5).standard_normal((7, 3)).astype(np.float32))


def test_a_learnt_prior_is_drawn_and_scored_as_its_mixture():
    """A VampPrior model's codes file holds its mixture: the prior sampler draws and scores that, not N(0, I)."""
    mean, log_var = np.array([[4.0, 0.0], [-4.0, 0.0]]), np.log(np.array([[0.25, 0.25], [0.25, 0.25]]))
    codes = {"codes_train": np.zeros((10, 2)), "prior_mean": mean, "prior_log_var": log_var}
    prior = samplers.Prior.for_codes(codes).fit(codes["codes_train"], 0, generation_settings())
    draws = prior.draw(20_000, 3)
    assert abs(np.mean(draws[:, 0] > 0) - 0.5) < 0.02 and abs(np.abs(draws[:, 0]).mean() - 4.0) < 0.02
    z = np.array([[4.0, 0.0], [0.0, 0.0]])
    truth = np.log(0.5 * stats.multivariate_normal(mean[0], 0.25 * np.eye(2)).pdf(z)
                   + 0.5 * stats.multivariate_normal(mean[1], 0.25 * np.eye(2)).pdf(z))
    np.testing.assert_allclose(prior.log_density(z), truth, rtol=1e-10)
    assert samplers.Prior.for_codes({"codes_train": np.zeros((10, 2))}).learnt is None


def test_bic_picks_the_planted_number_of_components_and_the_fit_gives_held_out_codes_their_likelihood():
    codes, _ = planted(3000, 1)
    held_out, truth = planted(2000, 2)
    settings = generation_settings(bic_max_components=10)
    fitted = samplers.BicMixture().fit(codes, 0, settings)
    assert fitted.summary()["components"] == 3 and set(fitted.summary()["bic"]) == {"1", "2", "3", "4", "5", "6",
                                                                                   "8", "10"}
    assert abs(fitted.log_density(held_out).mean() - truth.mean()) < 0.05  # nats a code
    single = np.random.default_rng(3).normal(size=(3000, 4))
    assert samplers.BicMixture().fit(single, 0, settings).summary()["components"] == 1
    # the cap: never more components than bic_max_components, nor than half the codes
    assert samplers.BicMixture().fit(codes[:6], 0, settings).summary()["components"] <= 3


def test_the_best_sampler_is_the_ex_post_fit_with_the_highest_validation_log_density_never_the_prior():
    def fit(score):
        return Fitted(np.zeros((2, 2), np.float32), np.full(3, score), {"val_log_density": score})

    assert fits.best({"prior": fit(0.0), "mixture": fit(-2.0), "flow": fit(-1.0)}) == "flow"
    drawn = {"prior": fit(0.0), "mixture": fit(-2.0)}
    assert fits.best(drawn) == "mixture"  # the prior scores best here and is still not "best ex-post"


def test_the_fitted_samplers_draws_and_scores_are_seeded_and_a_divergence_is_one_line():
    codes, _ = planted(600, 4)
    arrays = {"codes_train": codes[:400], "codes_val": codes[400:]}
    settings = generation_settings(num_samples=50, mixture_components=3, bic_max_components=4)
    first, again = (fits.fit_sampler("bic_mixture", arrays, settings, seed=9) for _ in range(2))
    assert first.codes.dtype == np.float32 and first.codes.shape == (50, 4)
    assert first.codes.tobytes() == again.codes.tobytes()
    assert first.log_density_val.tobytes() == again.log_density_val.tobytes()
    assert first.metrics["components"] == 3 and first.metrics["bound"] is False
    broken = {"codes_train": arrays["codes_train"], "codes_val": np.full((5, 4), np.inf)}
    with pytest.raises(StageError, match="codes_val hold non-finite values") as raised:
        fits.fit_sampler("mixture", broken, settings, seed=9)
    assert "\n" not in str(raised.value)


def test_the_generation_stage_reads_back_what_the_samplers_stage_wrote(tmp_path):
    from latentspace.core.outputs import save_arrays

    written = {}
    for name in ("prior", "mixture", "bic_mixture", "flow", "two_stage"):
        written[name] = Fitted(np.full((20, 4), len(name), np.float32), np.full(100, -float(len(name))), {})
        save_arrays(tmp_path / f"{name}.npz", codes=written[name].codes, log_density_val=written[name].log_density_val)
    loaded = fits.load_fits(tmp_path)
    assert list(loaded) == [s.name for s in samplers.SAMPLERS if s.fitted]
    assert loaded["flow"].metrics == {"val_log_density": -4.0, "bound": False}
    assert loaded["two_stage"].metrics["bound"] is True
    drawn = fits.drawn(tmp_path)
    assert fits.best(loaded) == "flow" and np.array_equal(drawn[samplers.BEST], written["flow"].codes)
    (tmp_path / "flow.npz").unlink()
    with pytest.raises(StageError, match="flow.npz"):
        fits.load_fits(tmp_path)
