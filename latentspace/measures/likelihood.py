"""The number VAE papers report: the importance-weighted (IWAE) bound on log p(x) (no TensorFlow).

For a digit x with posterior N(μ, diag σ²) and K draws z_k = μ + σ·ε_k, the log importance weights

    log w_k = log p(x | z_k) + log p(z_k) − log N(z_k; μ, σ²)

(the prior p(z) is N(0, I), or a VampPrior model's learnt mixture: ``log_prior``) give the IWAE bound
log (1/K) Σ_k w_k (Burda et al. 2016), which rises towards log p(x) as K grows,
and the ELBO, the mean of log w_k. log p(x | z) is the decoder's Bernoulli log-likelihood of the
pixels, the negative of the training loss's reconstruction term (latentspace/models/losses.py), with the
same clipping. These digits are grey levels in [0, 1], not binarised: the numbers compare these
models with each other, not with binarised-MNIST papers. All in nats per image (higher is better).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from latentspace.core import limits
from latentspace.measures.bootstrap import mean_interval, resamples as resampled
from latentspace.core.schema import Bootstrap, Likelihood
from latentspace.measures.registry import Family, Measure
from latentspace.measures.sides import model_pairs

EPSILON = 1e-7  # Keras' epsilon: the decoder's outputs are clipped to [ε, 1 − ε], as in the loss
LOG_2PI = math.log(2.0 * math.pi)


def draws(mean: np.ndarray, log_var: np.ndarray, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``samples`` posterior draws a digit: z (N, K, D) float32 and their standard-normal ε (N, K, D) float64."""
    eps = np.random.default_rng(seed).standard_normal((mean.shape[0], samples, mean.shape[1]))
    z = np.asarray(mean, np.float64)[:, None, :] + np.exp(0.5 * np.asarray(log_var, np.float64))[:, None, :] * eps
    return z.astype(np.float32), eps


def standard_normal(z: np.ndarray) -> np.ndarray:
    """log N(z; 0, I) (M,) float64 nats of codes ``z`` (M, D): the VAEs' prior, every bound's default."""
    return -0.5 * (np.square(np.asarray(z, np.float64)) + LOG_2PI).sum(axis=1)


LogPrior = Callable[[np.ndarray], np.ndarray]  # codes (M, D) → log p(z) (M,) float64 nats


def log_weights(images: np.ndarray, decoded: np.ndarray, z: np.ndarray, eps: np.ndarray,
                log_var: np.ndarray, log_prior: LogPrior = standard_normal) -> np.ndarray:
    """log w (N, K) float64: ``images`` (N, 784) in [0, 1], their draws' decodings ``decoded`` (N, K, 784),
    the draws ``z`` (N, K, D) with their ``eps`` (N, K, D), the posteriors' ``log_var`` (N, D), the prior's
    ``log_prior`` (default N(0, I); a VampPrior's: ``functools.partial(latentspace.models.priors.vamp_log_density,
    mean=…, log_var=…)``)."""
    x = np.asarray(images, np.float64)[:, None, :]
    p = np.clip(np.asarray(decoded, np.float64), EPSILON, 1.0 - EPSILON)
    log_likelihood = (x * np.log(p) + (1.0 - x) * np.log(1.0 - p)).sum(axis=2)
    prior = log_prior(np.asarray(z, np.float64).reshape(-1, z.shape[2])).reshape(z.shape[:2])
    log_posterior = -0.5 * (np.square(eps) + LOG_2PI + np.asarray(log_var, np.float64)[:, None, :]).sum(axis=2)
    return log_likelihood + prior - log_posterior


def iwae(log_w: np.ndarray) -> np.ndarray:
    """The IWAE bound of each digit (N,) from its log weights (N, K): log mean exp, computed stably."""
    top = log_w.max(axis=1, keepdims=True)
    return (top + np.log(np.mean(np.exp(log_w - top), axis=1, keepdims=True)))[:, 0]


def elbo(log_w: np.ndarray) -> np.ndarray:
    """The ELBO of each digit (N,), estimated by the mean of its log weights (N, K)."""
    return log_w.mean(axis=1)


BATCH = 20_000  # codes decoded at a time (memory: BATCH × 784 float32 decoded, ≈ 60 MB)


def weighed(mean: np.ndarray, log_var: np.ndarray, images: np.ndarray, samples: int, seed: int,
            decode: Callable[[np.ndarray], np.ndarray], log_prior: LogPrior = standard_normal) -> np.ndarray:
    """log w (N, samples) of ``samples`` seeded posterior draws a digit, decoded by ``decode`` (codes (K, D) →
    images) at most :data:`BATCH` codes at a time; ``images`` (N, 784) in [0, 1]; ``log_prior`` as
    :func:`log_weights`'s."""
    z, eps = draws(mean, log_var, samples, seed)
    step = max(1, BATCH // samples)
    out = []
    for start in range(0, len(mean), step):
        rows = slice(start, start + step)
        decoded = decode(z[rows].reshape(-1, z.shape[2]))
        out.append(log_weights(images[rows], decoded.reshape(z[rows].shape[0], samples, -1), z[rows], eps[rows],
                               log_var[rows], log_prior))
    return np.concatenate(out)


def check(digits: int, samples: int) -> None:
    """Refuse, before any work, ``likelihood.samples`` draws of ``digits`` digits that this machine cannot hold."""
    limits.memory("likelihood.samples", samples, digits * samples * 8 * 4, "the log weights and draws")


def measure(mean: np.ndarray, log_var: np.ndarray, images: np.ndarray, decode: Callable[[np.ndarray], np.ndarray],
            settings: Likelihood, bootstrap_settings: Bootstrap, *, seed: int,
            log_prior: LogPrior = standard_normal) -> tuple[dict, np.ndarray]:
    """A VAE's likelihood metrics: the IWAE bound and the ELBO of ``settings.samples`` draws a digit, nats per image,
    mean and bootstrap interval over the digits (``bootstrap_settings``); and on the first ``settings.check_digits``
    digits the bound again with ``settings.check_factor`` times the draws (how much it still moves). ``mean``,
    ``log_var`` (N, D) the posteriors of the N digits ``images`` (N, 784) in [0, 1]. Returns the metrics and each
    digit's IWAE bound (N,), which the contrasts compare digit by digit (:data:`FAMILY`). ``log_prior``: the
    model's prior, as :func:`log_weights` takes it (default N(0, I))."""
    samples, check_digits, check_factor = settings.samples, settings.check_digits, settings.check_factor
    resamples, level = bootstrap_settings.resamples, bootstrap_settings.level
    checked, more = min(check_digits, len(mean)), samples * check_factor
    log_w = weighed(mean, log_var, images, samples, seed, decode, log_prior)
    indices = resampled(len(mean), resamples, seed)
    bound = iwae(log_w)
    rich = iwae(weighed(mean[:checked], log_var[:checked], images[:checked], more, seed + 1, decode, log_prior))
    return {"samples": samples, "iwae": mean_interval(bound, indices, level),
            "elbo": mean_interval(elbo(log_w), indices, level),
            "check": {"digits": checked, "samples": more, "iwae": float(bound[:checked].mean()),
                      "iwae_more_samples": float(rich.mean()), "change": float(rich.mean() - bound[:checked].mean())}}, bound


LIKELIHOOD = "likelihood"  # the kind of the measure below: of a model's posterior and decoder on the evaluation digits

MEASURES: tuple[Measure, ...] = (
    Measure("iwae", "IWAE bound on log p(x) (nats)", LIKELIHOOD, claims=True, decimals=1, heading="IWAE",
            compute=lambda values: values),
)


def kept(paths, models, samplers, resamples) -> dict[str, dict[str, np.ndarray]]:
    """Each model's per-digit IWAE bounds ``{"iwae": (N,)}`` as the likelihood stage kept them
    (``paths["likelihood"]``); a model without a posterior (the AE) keeps none and is compared with no one."""
    from pathlib import Path

    from latentspace.core.outputs import load_arrays

    found = {model: load_arrays(Path(paths["likelihood"]) / f"{model}.npz", (), optional=("iwae",)) for model in models}
    return {model: values for model, values in found.items() if "iwae" in values}


# every pair of models with a posterior, digit by digit (the same evaluation digits)
FAMILY = Family(LIKELIHOOD, MEASURES, compares=model_pairs, reads=kept, inputs=("likelihood",))
