"""Where the codes of generated digits come from: samplers behind one interface (no TensorFlow).

A sampler is fitted to a model's training codes (N, D) and then draws codes (n, D) float32, both
seeded; the generation stage decodes and judges every sampler of :data:`SAMPLERS`, and the report,
the figures and the claims name them from here. Adding a sampler is one class here plus its test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from latentspace.core.schema import Generation


class Sampler:
    """``name`` keys the metrics files and arrays; ``label`` names it in tables and figures;
    ``marker`` is its matplotlib marker. ``settings`` are the ``generation`` section (latentspace.core.schema.Generation)."""

    name: ClassVar[str]
    label: ClassVar[str]
    marker: ClassVar[str] = "^"

    def fit(self, codes: np.ndarray, seed: int, settings: "Generation") -> "Sampler":
        """Fit to training codes (N, D); returns the sampler."""
        self.dimensions = codes.shape[1]
        return self

    def draw(self, n: int, seed: int) -> np.ndarray:
        """``n`` codes (n, D) float32."""
        raise NotImplementedError

    def describe(self, settings: "Generation") -> str:
        """What it draws from, for figure titles."""
        return self.label


class Prior(Sampler):
    """The VAEs' prior N(0, I): the same draws for every model of the same code size and seed."""

    name, label, marker = "prior", "N(0, I)", "o"

    def draw(self, n: int, seed: int) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal((n, self.dimensions)).astype(np.float32)


class Mixture(Sampler):
    """A Gaussian mixture of ``generation.mixture_components`` components (covariance
    ``generation.mixture_covariance``) fitted to the training codes: hypothesis (a)'s better prior."""

    name, label, marker = "mixture", "mixture", "s"

    def fit(self, codes: np.ndarray, seed: int, settings: "Generation") -> "Mixture":
        from sklearn.mixture import GaussianMixture

        from latentspace.core.errors import StageError

        try:
            self.mixture = GaussianMixture(n_components=settings.mixture_components,
                                           covariance_type=settings.mixture_covariance, random_state=seed).fit(codes)
        except ValueError as exc:  # e.g. an ill-defined covariance: too many components for the codes
            raise StageError(f"generation.mixture_components = {settings.mixture_components}, "
                             f"generation.mixture_covariance = {settings.mixture_covariance}: the mixture cannot be "
                             f"fitted to these codes ({str(exc).splitlines()[0]})") from None
        return super().fit(codes, seed, settings)

    def describe(self, settings: "Generation") -> str:
        return f"a {settings.mixture_components}-component mixture"

    def draw(self, n: int, seed: int) -> np.ndarray:
        self.mixture.random_state = seed
        codes, _ = self.mixture.sample(n)
        return codes[np.random.default_rng(seed).permutation(n)].astype(np.float32)


SAMPLERS: tuple[type[Sampler], ...] = (Prior, Mixture)
PRIOR = Prior.name  # the sampler the original's claims about "the prior" mean


def labels() -> dict[str, str]:
    """``{name: label}`` of every sampler, in order."""
    return {sampler.name: sampler.label for sampler in SAMPLERS}
