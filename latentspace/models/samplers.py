"""Where the codes of generated digits come from: samplers behind one interface (no TensorFlow at import).

A sampler is fitted to a model's training codes (N, D), with its held-out codes (M, D) beside them (early stopping,
and its fit's log-likelihood on codes it never saw), and then draws codes (n, D) float32, both seeded. Each fitted
sampler of :data:`SAMPLERS` is a stage of its own (``samplers@<model>-<sampler>``, a DVC matrix: stages/samplers.py),
so the decoder stays the same and only the sampler changes (Ghosh et al. 2020's ex-post density estimation); the
generation stage decodes and judges their draws, and the report, the figures and the claims name them from here.
Adding a sampler is one class here plus its test. Log-densities are in nats per code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from latentspace.core.schema import Generation

# components the BIC mixture tries, up to generation.bic_max_components (the schema's bound is the ladder's top)
BIC_LADDER = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000)


class Sampler:
    """``name`` keys the metrics, stages and arrays; ``label`` names it in tables and figures; ``marker`` is its
    matplotlib marker. ``settings`` are the ``generation`` section (latentspace.core.schema.Generation).
    ``bound``: its :meth:`log_density` is a lower bound (an IWAE bound), not the density itself. ``fitted``: a
    stage fits it (False: derived from the fitted ones, :class:`Best`). ``keras``: its fit trains a Keras model (the
    stage starts the runtime first)."""

    name: ClassVar[str]
    label: ClassVar[str]
    marker: ClassVar[str] = "^"
    bound: ClassVar[bool] = False
    fitted: ClassVar[bool] = True
    keras: ClassVar[bool] = False

    @classmethod
    def for_codes(cls, codes: dict[str, np.ndarray]) -> "Sampler":
        """The sampler for one model's codes file ``codes`` (what it reads of it beyond the codes: the prior's
        :meth:`Prior.for_codes`)."""
        return cls()

    def fit(self, codes: np.ndarray, seed: int, settings: "Generation", held_out: np.ndarray | None = None) -> "Sampler":
        """Fit to training codes (N, D) (``held_out`` (M, D): codes it may watch, never fit); returns the sampler."""
        self.dimensions = codes.shape[1]
        return self

    def draw(self, n: int, seed: int) -> np.ndarray:
        """``n`` codes (n, D) float32."""
        raise NotImplementedError

    def log_density(self, codes: np.ndarray) -> np.ndarray:
        """log p(z) of each code (M, D) under the fitted sampler: (M,) float64, nats."""
        raise NotImplementedError

    def summary(self) -> dict:
        """What the fit chose (the BIC mixture's number of components, a fit's steps), for the metrics."""
        return {}

    def describe(self, settings: "Generation") -> str:
        """What it draws from, for figure titles."""
        return self.label


def standard_normal_log_density(codes: np.ndarray) -> np.ndarray:
    """log N(z; 0, I) (M,) of codes (M, D), nats."""
    codes = np.asarray(codes, np.float64)
    return -0.5 * np.sum(codes ** 2 + np.log(2 * np.pi), axis=1)


class Prior(Sampler):
    """The model's prior: N(0, I), the same draws for every model of the same code size and seed; for a model
    that learnt its prior (a VampPrior: latentspace/models/priors.py), that mixture, ``learnt`` = its components'
    means and log-variances (K, D)."""

    name, label, marker = "prior", "N(0, I)", "o"

    def __init__(self, learnt: tuple[np.ndarray, np.ndarray] | None = None):
        self.learnt = learnt

    @classmethod
    def for_codes(cls, codes: dict[str, np.ndarray]) -> "Prior":
        from latentspace.models.priors import PRIOR_ARRAYS

        return cls(tuple(codes[name] for name in PRIOR_ARRAYS) if all(n in codes for n in PRIOR_ARRAYS) else None)

    def draw(self, n: int, seed: int) -> np.ndarray:
        if self.learnt is not None:
            from latentspace.models.priors import vamp_draw

            return vamp_draw(n, seed, *self.learnt)
        return np.random.default_rng(seed).standard_normal((n, self.dimensions)).astype(np.float32)

    def log_density(self, codes: np.ndarray) -> np.ndarray:
        if self.learnt is not None:
            from latentspace.models.priors import vamp_log_density

            return vamp_log_density(codes, *self.learnt)
        return standard_normal_log_density(codes)

    def summary(self) -> dict:
        return {} if self.learnt is None else {"learnt_components": len(self.learnt[0])}

    def describe(self, settings: "Generation") -> str:
        return self.label if self.learnt is None else "the learnt prior (VampPrior)"


def _mixture(codes: np.ndarray, components: int, settings: "Generation", seed: int, key: str = "mixture_components"):
    """sklearn's GaussianMixture of ``components`` fitted to ``codes``, or a one-line error naming the keys (``key``:
    the ``generation`` key that set the number of components)."""
    from sklearn.mixture import GaussianMixture

    from latentspace.core.errors import StageError

    try:
        return GaussianMixture(n_components=components, covariance_type=settings.mixture_covariance,
                               random_state=seed).fit(codes)
    except ValueError as exc:  # e.g. an ill-defined covariance: too many components for the codes
        raise StageError(f"generation.{key} = {getattr(settings, key)}, generation.mixture_covariance = "
                         f"{settings.mixture_covariance}: a mixture of {components} components cannot be fitted to "
                         f"these codes ({str(exc).splitlines()[0]})") from None


class Mixture(Sampler):
    """A Gaussian mixture of ``generation.mixture_components`` components (covariance
    ``generation.mixture_covariance``) fitted to the training codes: hypothesis (a)'s better prior as the original's
    first alternative, the number of components fixed."""

    name, label, marker = "mixture", "mixture", "s"

    def fit(self, codes, seed, settings, held_out=None) -> "Mixture":
        self.mixture = _mixture(codes, settings.mixture_components, settings, seed)
        return super().fit(codes, seed, settings)

    def describe(self, settings: "Generation") -> str:
        return f"a {settings.mixture_components}-component mixture"

    def draw(self, n: int, seed: int) -> np.ndarray:
        self.mixture.random_state = seed
        codes, _ = self.mixture.sample(n)
        return codes[np.random.default_rng(seed).permutation(n)].astype(np.float32)

    def log_density(self, codes: np.ndarray) -> np.ndarray:
        return self.mixture.score_samples(np.asarray(codes, np.float64))

    def summary(self) -> dict:
        return {"components": int(self.mixture.n_components)}


class BicMixture(Mixture):
    """A Gaussian mixture whose number of components is chosen by the Bayesian information criterion on the
    training codes (sklearn's ``GaussianMixture.bic``: −2 log L + parameters · ln N, the smallest wins), from
    :data:`BIC_LADDER` up to ``generation.bic_max_components`` (and at most half the codes)."""

    name, label, marker = "bic_mixture", "BIC mixture", "D"

    def fit(self, codes, seed, settings, held_out=None) -> "BicMixture":
        tried = [k for k in BIC_LADDER if k <= min(settings.bic_max_components, len(codes) // 2)] or [1]
        fits = {k: _mixture(codes, k, settings, seed, "bic_max_components") for k in tried}
        self.bic = {k: float(fit.bic(codes)) for k, fit in fits.items()}
        self.mixture = fits[min(self.bic, key=self.bic.get)]
        return Sampler.fit(self, codes, seed, settings)

    def describe(self, settings: "Generation") -> str:
        return f"a {self.mixture.n_components}-component mixture (BIC)" if hasattr(self, "mixture") else self.label

    def summary(self) -> dict:
        return {"components": int(self.mixture.n_components), "bic": {str(k): v for k, v in self.bic.items()}}


class Trained(Sampler):
    """A sampler whose fit trains a Keras model on the codes (latentspace/models/density_fit.py). Its ``module``
    (of latentspace.models) holds ``fit(codes, seed, settings, held_out)`` → the fitted density (its draws and
    log-densities); it is imported when the sampler is fitted, never at this module's import, and the samplers
    stage (stages/samplers.py) imports each one (so it, and no stage that only names or reads samplers, depends on
    their code)."""

    keras = True
    module: ClassVar[str]

    def fit(self, codes, seed, settings, held_out=None) -> "Trained":
        from importlib import import_module

        self.density = import_module(f"latentspace.models.{self.module}").fit(codes, seed, settings, held_out)
        return super().fit(codes, seed, settings)

    def draw(self, n: int, seed: int) -> np.ndarray:
        return self.density.draw(n, seed)

    def log_density(self, codes: np.ndarray) -> np.ndarray:
        return self.density.log_density(codes)

    def summary(self) -> dict:
        """The fit's steps, the step whose weights it kept, their held-out log-likelihood and the parameters."""
        return self.density.summary()


class Flow(Trained):
    """A RealNVP normalising flow (Dinh et al. 2017) of ``generation.flow_layers`` affine couplings fitted to the
    training codes by maximum likelihood, early stopped on the held-out codes (latentspace/models/flows.py)."""

    name, label, marker, module = "flow", "RealNVP flow", "v", "flows"

    def describe(self, settings: "Generation") -> str:
        return f"a RealNVP flow ({settings.flow_layers} couplings)"


class TwoStage(Trained):
    """The second-stage VAE of Dai & Wipf 2019 on the training codes, early stopped on the held-out codes' ELBO
    (latentspace/models/two_stage.py); its log-density is the IWAE bound of ``generation.bound_samples``
    importance samples."""

    name, label, marker, module = "two_stage", "two-stage VAE", "P", "two_stage"
    bound = True

    def describe(self, settings: "Generation") -> str:
        return f"a two-stage VAE ({settings.two_stage_depth} × {settings.two_stage_units} units)"


class Best(Sampler):
    """Not fitted: the ex-post sampler (every fitted one but the prior) whose fit gives the validation codes the
    highest mean log-density (latentspace.models.fits.best), its draws judged under this name too. The
    validation codes are judged nowhere, so "the best sampler against N(0, I)" is not chosen on the draws it is
    tested on."""

    name, label, marker = "best", "best ex-post", "*"
    fitted = False


SAMPLERS: tuple[type[Sampler], ...] = (Prior, Mixture, BicMixture, Flow, TwoStage, Best)
PRIOR = Prior.name  # the sampler the original's claims about "the prior" mean
BEST = Best.name  # the ex-post sampler chosen on validation codes
CHOSEN = "best_sampler"  # the generation metrics' block naming the sampler that ``best`` is, and every fit's score


def by_name(name: str) -> type[Sampler]:
    """The sampler of :data:`SAMPLERS` called ``name`` (a KeyError naming the known ones where none is)."""
    for sampler in SAMPLERS:
        if sampler.name == name:
            return sampler
    raise KeyError(f"no sampler '{name}': {', '.join(s.name for s in SAMPLERS)}")


def labels() -> dict[str, str]:
    """``{name: label}`` of every sampler, in order."""
    return {sampler.name: sampler.label for sampler in SAMPLERS}


LEARNT = "learnt prior"  # the prior sampler's label for a model whose prior is learnt (a VampPrior), not N(0, I)


def row_label(sampler: str, chosen: dict) -> str:
    """A sampler's row in the figures and tables: its label; the best one's names the sampler it is (``chosen``:
    the metrics' :data:`CHOSEN` block); a learnt prior says so."""
    labels_ = labels()
    if sampler == BEST and chosen.get("sampler") in labels_:
        return f"{labels_[sampler]} ({labels_[chosen['sampler']]})"
    return LEARNT if sampler == PRIOR and chosen.get("learnt_prior") else labels_[sampler]
