"""Holes in a latent space: how much of the prior's mass lies where no training code is (no TensorFlow).

A VAE's codes are its aggregate posterior (one draw of each digit's posterior: :func:`posterior_draws`),
an AE's its deterministic codes. The codes' manifold is estimated as Kynkäänniemi et al. (2019) estimate a
real set's: the union of balls around each code reaching its k-th nearest other code
(:func:`latentspace.measures.manifold.inside_manifold`). A prior draw outside it decodes from
a region no training digit was encoded to. Even without holes, some draws from the codes' own
distribution fall outside such an estimate (between the balls, beyond the outermost), so the share of
prior draws outside is read against the share of held-out codes outside (the no-holes reference):
``prior_share − held_out_share`` is the mass the prior puts in holes, over what sampling alone leaves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentspace.core.outputs import load_arrays
from latentspace.measures.registry import Family, Measure
from latentspace.measures.sides import Side, drawn_pairs

from latentspace.measures.manifold import NEIGHBOURS, inside_manifold

# k of the manifold's balls: that of precision and recall (3), so "outside" here is what precision counts
# as not realistic there, in the latent space instead of the judge's features. A larger k fills
# small gaps between sparse codes (fewer false holes in many dimensions) but also bridges small real holes.
BALLS = NEIGHBOURS


def outside(points: np.ndarray, codes: np.ndarray, k: int = BALLS) -> np.ndarray:
    """Whether each point (N, D) lies outside the codes' (M, D) manifold (N,) bool: a per-item measure."""
    return ~inside_manifold(points, codes, k)


STREAM = 7919  # the posterior draws' random stream beside ``seed``: N(0, I)'s sampler draws from default_rng(seed)
# itself, and a training code must not be its prior draw's twin (μ_j + σ_j·ε_j with the prior's ε_j)


def posterior_draws(mean: np.ndarray, log_var: np.ndarray | None, seed: int) -> np.ndarray:
    """One seeded draw z = μ + σ·ε of each code's posterior N(μ, diag σ²) (N, D): a VAE's codes as its decoder
    learnt from them (the aggregate posterior q(z), what the prior should match: its class clusters' means
    alone leave gaps the posteriors' spread fills); ``mean`` itself where there is no posterior (an AE)."""
    mean = np.asarray(mean, np.float64)
    if log_var is None:
        return mean
    noise = np.random.default_rng([seed, STREAM]).standard_normal(mean.shape)  # not the prior sampler's stream
    return mean + np.exp(0.5 * np.asarray(log_var, np.float64)) * noise


HOLES = "holes"  # the kind of the measure below: of points in a model's latent space against its training codes
CODES = "codes"  # the held-out evaluation codes: a side's "sampler" slot (ae@codes), the no-holes reference


def kept_name(what: str) -> str:
    """The generation stage's samples-file array of whether each point of ``what`` (a sampler, or :data:`CODES`)
    lies outside the training codes: ``outside_prior``, ``outside_codes``."""
    return f"outside_{what}"


def outside_all(codes: dict[str, np.ndarray], draws: dict[str, np.ndarray], *, seed: int, k: int = BALLS) -> dict:
    """``{kept_name(what): (n,) float 0/1}`` for each sampler's ``draws`` (n, D) and the held-out evaluation codes
    against the training codes, both as :func:`posterior_draws` of ``codes`` (the codes stage's ``codes_train``,
    ``codes_eval`` (N, D) and, for a VAE, ``log_var_train``, ``log_var_eval``): the arrays the generation stage keeps."""
    train = posterior_draws(codes["codes_train"], codes.get("log_var_train"), seed)
    held_out = posterior_draws(codes["codes_eval"], codes.get("log_var_eval"), seed + 1)
    return {kept_name(what): outside(z, train, k).astype(np.float64) for what, z in {**draws, CODES: held_out}.items()}


MEASURES: tuple[Measure, ...] = (
    Measure(HOLES, "outside the codes", HOLES, larger_is_better=False, claims=True, compute=lambda values: values,
            heading="holes"),
)


def compared(models, samplers) -> list[tuple[Side, Side]]:
    """Each model's held-out codes against each of its samplers' draws, then every pair of (model, sampler) draws."""
    return [(Side(m, CODES), Side(m, s)) for m in models for s in samplers] + drawn_pairs(models, samplers)


def kept(paths, models, samplers, resamples) -> dict[str, dict[str, np.ndarray]]:
    """Each model's held-out codes and each sampler's draws: ``{side: {"holes": (n,) 0/1}}``, as the generation
    stage kept them (``paths["samples"]``)."""
    found = {}
    for model in models:
        arrays = load_arrays(Path(paths["samples"]) / f"{model}.npz", tuple(kept_name(w) for w in (*samplers, CODES)))
        found.update({Side(model, what).label: {HOLES: arrays[kept_name(what)]} for what in (*samplers, CODES)})
    return found


FAMILY = Family(HOLES, MEASURES, compares=compared, reads=kept, inputs=("samples",))
