"""The aggregate posterior's distance from the prior, on known answers before it is trusted on real encoders.

Tolerances come from each estimator's standard error (derived in the test's docstring, or measured for scipy's
entropy estimator, whose numbers the module's docstring gives), times 4 to 5, plus its known bias.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import digamma, logsumexp
from scipy.stats import norm

from latentspace.measures import prior_gap

D, N = 10, 5000
# scipy's "ebrahimi" negentropy at N = 5,000, measured over 300 samples: (bias, standard deviation) in nats
EBRAHIMI_GAUSSIAN = (-0.0100, 0.0030)
EBRAHIMI_UNIFORM = (+0.0036, 0.0064)


def gaussian_kl(mu: np.ndarray, sigma: np.ndarray) -> float:
    """KL(N(μ, Σ) ‖ N(0, I)), the closed form."""
    return 0.5 * (np.trace(sigma) + mu @ mu - len(mu) - np.linalg.slogdet(sigma)[1])


@pytest.fixture(scope="module")
def correlated():
    """N = 5,000 Gaussian codes in D = 10 with a known mean and a known, correlated covariance."""
    rng = np.random.default_rng(5)
    a = rng.normal(size=(D, D)) / math.sqrt(D)
    sigma = a @ a.T + np.diag(np.linspace(0.3, 1.5, D))
    mu = np.linspace(-0.8, 0.8, D)
    codes = mu + rng.standard_normal((N, D)) @ np.linalg.cholesky(sigma).T
    return mu, sigma, codes


def test_the_gaussian_part_of_gaussian_codes_is_their_closed_form_kl(correlated):
    """Within 4 standard errors: to first order (delta method, Gaussian data, m and S independent)
    Var = [μᵀΣμ + ½ tr((Σ − I)²)] / N, 0.047 nats here (KL = 2.86); the unbiased estimate has no bias."""
    mu, sigma, codes = correlated
    se = math.sqrt((mu @ sigma @ mu + 0.5 * np.trace((sigma - np.eye(D)) @ (sigma - np.eye(D)))) / N)
    assert abs(prior_gap.gaussian_part(codes) - gaussian_kl(mu, sigma)) < 4 * se


def test_per_dimension_the_gaussian_part_is_each_marginals_closed_form_kl(correlated):
    """Each within 4 first-order standard errors, sqrt([μ_d² Σ_dd + ½ (Σ_dd − 1)²] / N), plus 10·max(1, Σ_dd)/N
    for the second-order terms (each a scaled χ²₁/(2N), below that unless a χ²₁ passes 10)."""
    mu, sigma, codes = correlated
    var = np.diag(sigma)
    exact = 0.5 * (var + mu ** 2 - 1 - np.log(var))
    tolerance = 4 * np.sqrt((mu ** 2 * var + 0.5 * (var - 1) ** 2) / N) + 10 * np.maximum(1, var) / N
    error = prior_gap.gaussian_part_per_dimension(codes) - exact
    assert np.all(np.abs(error) < tolerance), (error, tolerance)


def test_gaussian_marginals_have_no_non_gaussian_part(correlated):
    """Ebrahimi's negentropy of Gaussian data at N = 5,000 is −0.010 ± 0.003: within |bias| + 4 sd = 0.022 of 0."""
    _, _, codes = correlated
    bias, sd = EBRAHIMI_GAUSSIAN
    part = prior_gap.non_gaussian_part_per_dimension(codes)
    assert part.shape == (D,)
    assert np.all(np.abs(part) < abs(bias) + 4 * sd), part


def test_the_default_entropy_method_keeps_its_measured_bias_at_n_1000():
    """Means over 100 samples of N = 1,000 (sd of a mean: Gaussian 0.008/10, uniform 0.015/10): within the largest
    bias the module's docstring states, 0.012, plus 4 of those sds, of 0 and of the uniform's 0.1765."""
    rng = np.random.default_rng(12)
    gaussian = prior_gap.non_gaussian_part_per_dimension(rng.standard_normal((1000, 100)))
    uniform = prior_gap.non_gaussian_part_per_dimension(rng.uniform(-1, 1, size=(1000, 100)))
    negentropy = 0.5 * math.log(2 * math.pi * math.e / 3) - math.log(2)
    assert abs(gaussian.mean()) < 0.012 + 4 * 0.008 / 10
    assert abs(uniform.mean() - negentropy) < 0.012 + 4 * 0.015 / 10


def test_codes_drawn_from_the_prior_are_near_it_on_every_measure():
    """Σ = I, μ = 0: the first-order error vanishes; the estimate is (χ²_D + χ²_{D(D+1)/2})/(2N) less its mean, sd
    sqrt(2D + D(D+1))/(2N) = 0.0011: within 5 sd of 0. Per dimension (χ²₁ + χ²₁)/(2N) less its mean: below 10/N
    (p = e⁻¹⁰ per dimension) and above −1/N (less than its mean). Negentropy as for any Gaussian data (0.022)."""
    codes = np.random.default_rng(11).standard_normal((N, D))
    assert abs(prior_gap.gaussian_part(codes)) < 5 * math.sqrt(2 * D + D * (D + 1)) / (2 * N)
    per_dimension = prior_gap.gaussian_part_per_dimension(codes)
    assert np.all((per_dimension > -1 / N) & (per_dimension < 10 / N)), per_dimension
    bias, sd = EBRAHIMI_GAUSSIAN
    assert np.all(np.abs(prior_gap.non_gaussian_part_per_dimension(codes)) < abs(bias) + 4 * sd)


def whitened(n: int, d: int, seed: int) -> np.ndarray:
    """Codes whose sample mean is 0 and sample covariance (divisor n − 1) is I, exactly."""
    x = np.random.default_rng(seed).standard_normal((n, d))
    x -= x.mean(axis=0)
    return x @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False))).T


def test_codes_with_the_priors_exact_moments_have_a_plug_in_gaussian_part_of_zero():
    """m = 0 and S = I exactly: the plug-in value is 0 (to rounding, 1e-12), and the unbiased one is minus its two
    corrections, ½ (Σ_{i<D} ψ((N−1−i)/2) + D log(2/(N−1)) − D/N), ≈ −D(D+1)/(4N) − D/(2N) to O(D³/N²) (1%)."""
    codes = whitened(N, D, 2)
    assert abs(prior_gap.gaussian_part(codes, unbiased=False)) < 1e-12
    np.testing.assert_allclose(prior_gap.gaussian_part_per_dimension(codes, unbiased=False), 0, atol=1e-12)
    log_det_bias = np.sum(digamma((N - 1 - np.arange(D)) / 2)) + D * math.log(2 / (N - 1))
    unbiased = prior_gap.gaussian_part(codes)
    assert abs(unbiased - 0.5 * (log_det_bias - D / N)) < 1e-12
    assert unbiased == pytest.approx(-D * (D + 1) / (4 * N) - D / (2 * N), rel=0.01)


def test_the_corrections_remove_the_plug_in_bias_over_many_small_samples():
    """400 samples of N = 50 from N(0, I) in D = 5 (sd of one estimate sqrt(2D + D(D+1))/(2N) = 0.063, of the
    mean 0.0032): the unbiased mean within 5 of those (0.016) of 0; the plug-in's within it of its exact expectation
    ½ (D/N − Σ_{i<D} ψ((N−1−i)/2) − D log(2/(N−1))) = 0.209, which its stated approximation D/(2N) + D(D+1)/(4N)
    = 0.2 matches to 0.016 too."""
    d, n, reps = 5, 50, 400
    rng = np.random.default_rng(3)
    samples = rng.standard_normal((reps, n, d))
    unbiased = np.array([prior_gap.gaussian_part(x) for x in samples])
    plug_in = np.array([prior_gap.gaussian_part(x, unbiased=False) for x in samples])
    tolerance = 5 * math.sqrt(2 * d + d * (d + 1)) / (2 * n) / math.sqrt(reps)
    expected = 0.5 * (d / n - np.sum(digamma((n - 1 - np.arange(d)) / 2)) - d * math.log(2 / (n - 1)))
    assert abs(unbiased.mean()) < tolerance
    assert abs(plug_in.mean() - expected) < tolerance
    assert abs(expected - (d / (2 * n) + d * (d + 1) / (4 * n))) < tolerance


def test_the_plug_in_gaussian_part_is_the_marginals_plus_the_gaussian_total_correlation(correlated):
    """An identity of the plug-in values (to 1e-10): KL(g ‖ p) = Σ_d KL(g_d ‖ p_d) − ½ log det(correlation of S)."""
    _, _, codes = correlated
    correlation = np.corrcoef(codes, rowvar=False)
    total = prior_gap.gaussian_part_per_dimension(codes, unbiased=False).sum() - 0.5 * np.linalg.slogdet(correlation)[1]
    assert prior_gap.gaussian_part(codes, unbiased=False) == pytest.approx(total, abs=1e-10)


def test_uniform_marginals_parts_add_up_to_their_closed_form_kl():
    """U(−a, a): KL to N(0, 1) is −log 2a + ½ log 2π + a²/6 and the negentropy ½ log(2πe/3) − log 2 = 0.1765.
    Negentropy within |bias| + 4 sd (0.029); the Gaussian part's first-order sd is sqrt(0.2 (σ² − 1)² / N)
    (σ² = a²/3, Var s² = 0.8 σ⁴/N for a uniform), its ½ m² term below 5σ²/N (χ²₁ < 10); the sum within the sum."""
    a = np.array([0.8, 1.2, math.sqrt(3), 2.0, 2.5])
    codes = np.random.default_rng(7).uniform(-a, a, size=(N, len(a)))
    bias, sd = EBRAHIMI_UNIFORM
    var = a ** 2 / 3
    gaussian_slack = 4 * np.sqrt(0.2 * (var - 1) ** 2 / N) + 5 * var / N
    negentropy = 0.5 * math.log(2 * math.pi * math.e / 3) - math.log(2)
    non_gaussian = prior_gap.non_gaussian_part_per_dimension(codes)
    gaussian = prior_gap.gaussian_part_per_dimension(codes)
    assert np.all(np.abs(non_gaussian - negentropy) < abs(bias) + 4 * sd), non_gaussian
    assert np.all(np.abs(gaussian - 0.5 * (var - 1 - np.log(var))) < gaussian_slack), gaussian
    exact = -np.log(2 * a) + 0.5 * math.log(2 * math.pi) + a ** 2 / 6
    assert np.all(np.abs(gaussian + non_gaussian - exact) < abs(bias) + 4 * sd + gaussian_slack)


def test_identical_posteriors_carry_no_information():
    """Every z_n is equally likely under every posterior: each term is exactly 0 (to rounding, 1e-12), and the
    KL term is D · ½ (c² + e^l − 1 − l) exactly."""
    n, d, c, log_var = 300, 4, 0.7, math.log(0.5)
    split = prior_gap.elbo_split(np.full((n, d), c), np.full((n, d), log_var), seed=0)
    assert split["kl_term"] == pytest.approx(d * 0.5 * (c ** 2 + math.exp(log_var) - 1 - log_var), rel=1e-12)
    assert abs(split["mutual_information"]) < 1e-12
    assert split["marginal_kl"] == pytest.approx(split["kl_term"], abs=1e-12)
    assert split["log_n"] == pytest.approx(math.log(n), rel=1e-15)
    prior = prior_gap.elbo_split(np.zeros((n, d)), np.zeros((n, d)), seed=1)
    assert abs(prior["kl_term"]) < 1e-15 and abs(prior["mutual_information"]) < 1e-12


def test_narrow_well_separated_posteriors_reach_log_n():
    """Means on a unit grid, σ = 0.001: a draw's density under any other posterior is below e^{−(1−0.01)²/(2·0.001²)}
    of its own, nothing, so every term is log N, to rounding (1e-12: its own density must be computed exactly, as the
    expanded quadratics lose about 1e-9 nats here)."""
    grid = np.stack(np.meshgrid(np.arange(20.0), np.arange(15.0)), axis=-1).reshape(-1, 2) - 7.0
    split = prior_gap.elbo_split(grid, np.full(grid.shape, 2 * math.log(0.001)), seed=4, chunk=64)
    assert split["mutual_information"] == pytest.approx(math.log(len(grid)), abs=1e-12)
    assert split["marginal_kl"] == pytest.approx(split["kl_term"] - math.log(len(grid)), abs=1e-12)


def test_two_clusters_of_posteriors_give_their_known_information():
    """Half the digits N(−1, 1), half N(+1, 1): I(x; z) = E[log 2 − log(1 + e^{−2z})], z ~ N(1, 1), by quadrature
    (0.3368), with the per-draw sd from quadrature too (0.563): within 4 sd/√N of it; KL term 0.5 exactly."""
    n = 2000
    mean = np.repeat([[-1.0], [1.0]], n // 2, axis=0)

    def term(z):
        return math.log(2) - np.logaddexp(0, -2 * z)

    information = quad(lambda z: norm.pdf(z, 1) * term(z), -12, 14)[0]
    sd = math.sqrt(quad(lambda z: norm.pdf(z, 1) * term(z) ** 2, -12, 14)[0] - information ** 2)
    split = prior_gap.elbo_split(mean, np.zeros_like(mean), seed=9)
    assert split["kl_term"] == pytest.approx(0.5, rel=1e-12)
    assert abs(split["mutual_information"] - information) < 4 * sd / math.sqrt(n)


@pytest.mark.parametrize("seed", range(5))
def test_the_information_never_exceeds_log_n(seed):
    """Each term is log q(z_n|x_n) − log Σ_m q(z_n|x_m) + log N ≤ log N, the sum including the term itself:
    the estimate is at most log N with no Monte Carlo slack (1e-12 for rounding), whatever the posteriors."""
    rng = np.random.default_rng(seed)
    n, d = 100, 3
    mean, log_var = rng.normal(0, 3, size=(n, d)), rng.uniform(-12, 1, size=(n, d))
    split = prior_gap.elbo_split(mean, log_var, seed=seed)
    assert 0.0 < split["mutual_information"] <= math.log(n) + 1e-12


def test_chunks_give_the_direct_computation():
    """The (N, N, D) densities from scipy's norm.logpdf on N = 60, far from the origin (at 1,000, where expanded
    quadratics lose digits unless centred): every chunk size within 1e-12 of it."""
    rng = np.random.default_rng(8)
    n = 60
    mean, log_var = rng.normal(size=(n, 3)) + 1000.0, rng.normal(-1, 0.5, size=(n, 3))
    z = prior_gap.draws(mean, log_var, seed=3)
    log_q = norm.logpdf(z[:, None, :], mean[None], np.exp(log_var / 2)[None]).sum(axis=-1)
    direct = np.mean(np.diag(log_q) - logsumexp(log_q, axis=1)) + math.log(n)
    for chunk in (1, 7, 60, 1000):
        assert abs(prior_gap.elbo_split(mean, log_var, seed=3, chunk=chunk)["mutual_information"] - direct) < 1e-12


def test_the_split_never_holds_an_n_by_n_array():
    """N = 3,000 in D = 10 by chunks of 64 rows: the peak traced allocation stays under a quarter of one N × N
    float64 array (18 MB), let alone N × N × D (720 MB)."""
    rng = np.random.default_rng(0)
    n = 3000
    mean, log_var = rng.normal(size=(n, 10)), rng.normal(-2, 1, size=(n, 10))
    tracemalloc.start()
    try:
        prior_gap.elbo_split(mean, log_var, seed=1, chunk=64)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < n * n * 8 / 4


def test_draws_of_an_ae_are_its_codes_and_a_seed_repeats_them():
    """log_var None: the means, as float64. Same seed: identical arrays; another: different ones. N(3, 4) draws:
    sample mean within 4 · 2/√N of 3, sample sd within 4 · 2/√(2N) of 2."""
    codes = np.arange(12, dtype=np.float32).reshape(6, 2)
    points = prior_gap.draws(codes, None, seed=0)
    assert points.dtype == np.float64 and np.array_equal(points, codes)
    mean, log_var = np.full((N, 2), 3.0), np.full((N, 2), math.log(4.0))
    first, again = prior_gap.draws(mean, log_var, seed=1), prior_gap.draws(mean, log_var, seed=1)
    assert first.shape == (N, 2) and np.array_equal(first, again)
    assert not np.array_equal(first, prior_gap.draws(mean, log_var, seed=2))
    assert np.all(np.abs(first.mean(axis=0) - 3) < 4 * 2 / math.sqrt(N))
    assert np.all(np.abs(first.std(axis=0, ddof=1) - 2) < 4 * 2 / math.sqrt(2 * N))


GOOD = np.zeros((4, 2))


@pytest.mark.parametrize("call, name", [
    (lambda: prior_gap.draws(np.zeros(4), None, 0), "mean"),
    (lambda: prior_gap.draws(np.zeros((1, 2)), None, 0), "mean"),
    (lambda: prior_gap.draws(np.zeros((4, 0)), None, 0), "mean"),
    (lambda: prior_gap.draws(np.array([[0.0, np.nan]] * 3), None, 0), "mean"),
    (lambda: prior_gap.draws(GOOD, np.zeros((4, 3)), 0), "log_var"),
    (lambda: prior_gap.draws(GOOD, np.full((4, 2), np.inf), 0), "log_var"),
    (lambda: prior_gap.gaussian_part(np.zeros(5)), "codes"),
    (lambda: prior_gap.gaussian_part_per_dimension(np.array([[1.0, np.inf]] * 3)), "codes"),
    (lambda: prior_gap.non_gaussian_part_per_dimension(np.zeros((1, 3))), "codes"),
    (lambda: prior_gap.elbo_split(GOOD, None, 0), "log_var"),
    (lambda: prior_gap.elbo_split(GOOD, np.zeros((3, 2)), 0), "log_var"),
    (lambda: prior_gap.elbo_split(GOOD, GOOD, 0, chunk=0), "chunk"),
])
def test_bad_input_is_refused_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


def test_the_units_metrics_count_the_active_dimensions_and_give_a_vaes_kl_per_dimension():
    """units.measure as the units stage calls it: one dimension varies, one does not; a VAE whose posteriors are
    the prior has 0 nats in every dimension, and the AE (no log-variances) has no KL."""
    from latentspace.measures import units

    mean = np.stack([np.linspace(-1, 1, 50), np.zeros(50)], axis=1)
    vae = units.measure(mean, np.zeros_like(mean), 0.01)
    assert vae["active_units"] == 1 and vae["dimensions"] == 2 and vae["activity"]["z1"] == 0.0
    assert vae["kl_per_dimension"]["z1"] == 0.0 and vae["kl"] == pytest.approx(0.5 * np.mean(mean[:, 0] ** 2))
    assert "kl" not in units.measure(mean, None, 0.01)
