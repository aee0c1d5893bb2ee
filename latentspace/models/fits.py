"""A sampler fitted to one model's codes (latentspace/models/samplers.py), as the samplers stage fits it and the
generation stage reads it back: its draws, the log-density it gives the held-out codes, and which ex-post sampler
is the best (no TensorFlow at import; a sampler trained in Keras starts the runtime)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentspace.core import limits
from latentspace.core.errors import StageError
from latentspace.core.outputs import load_arrays
from latentspace.core.schema import Generation
from latentspace.models import samplers
from latentspace.models.samplers import SAMPLERS


@dataclass(frozen=True)
class Fitted:
    """One sampler fitted to one model's codes: its ``codes`` (n, D) float32 drawn with the run's seed, the
    log-density it gives each validation code ``log_density_val`` (M,) float64 (nats; a lower bound where the
    sampler says ``bound``), and its ``metrics`` (their mean, ``bound``, what the fit chose)."""

    codes: np.ndarray
    log_density_val: np.ndarray
    metrics: dict


# The validation codes, halved: the trained samplers stop early on the first half (STOP); every fit is scored, and
# the best ex-post sampler chosen, on the second (CHOOSE), which no fit has seen, so the flow's and the two-stage
# VAE's choice of checkpoint does not also choose them.
STOP, CHOOSE = slice(0, None, 2), slice(1, None, 2)


def fit_sampler(name: str, codes: dict[str, np.ndarray], settings: Generation, *, seed: int) -> Fitted:
    """The sampler ``name`` fitted to ``codes["codes_train"]`` (N, D), ``codes["codes_val"]`` held out, and
    ``settings.num_samples`` codes drawn from it (a sampler trained in Keras: start the runtime first). Its
    ``log_density_val`` is of every validation code; its ``val_log_density``, the mean over the :data:`CHOOSE` half."""
    sampler = samplers.by_name(name)
    limits.at_most("generation.mixture_components", settings.mixture_components, len(codes["codes_train"]),
                   "the mixture is fitted to the training codes, at least one a component")
    for split in ("codes_train", "codes_val"):
        if not np.isfinite(codes[split]).all():
            raise StageError(f"the model's {split} hold non-finite values: no sampler can be fitted to them")
    fitted = sampler.for_codes(codes).fit(codes["codes_train"], seed, settings, held_out=codes["codes_val"][STOP])
    drawn = fitted.draw(settings.num_samples, seed)
    density = np.asarray(fitted.log_density(codes["codes_val"]), np.float64)
    if not (np.isfinite(drawn).all() and np.isfinite(density).all()):
        raise StageError(f"the {sampler.label} sampler fitted to these codes gives non-finite draws or log-densities "
                         "(diverged): lower generation.fit_steps or change its settings")
    return Fitted(drawn, density, {"val_log_density": float(density[CHOOSE].mean()), "bound": sampler.bound,
                                   **fitted.summary()})


def best(fits: dict[str, Fitted]) -> str:
    """The ex-post sampler (fitted, not the prior) whose fit gives the :data:`CHOOSE` half of the validation codes
    the highest mean log-density: chosen on codes no fit has seen and no draw is judged on, so the draws that test
    it did not choose it. A bound (the two-stage VAE's) competes as it is: that can only count against it."""
    candidates = {name: fit.metrics["val_log_density"] for name, fit in fits.items() if name != samplers.PRIOR}
    return max(candidates, key=candidates.get)


def load_fits(folder) -> dict[str, Fitted]:
    """Each fitted sampler's draws and validation log-densities, as the samplers stages wrote them in ``folder``
    (data/samplers/<model>/<sampler>.npz and metrics/samplers/<model>/<sampler>.json beside)."""
    fits = {}
    for sampler in SAMPLERS:
        if sampler.fitted:
            arrays = load_arrays(Path(folder) / f"{sampler.name}.npz", ("codes", "log_density_val"))
            fits[sampler.name] = Fitted(arrays["codes"], arrays["log_density_val"],
                                        {"val_log_density": float(np.mean(arrays["log_density_val"][CHOOSE])),
                                         "bound": sampler.bound})
    return fits


def drawn(folder) -> dict[str, np.ndarray]:
    """``{sampler: codes (n, D)}`` of every sampler of :data:`SAMPLERS` as the samplers stages drew them into
    ``folder``, :data:`~latentspace.models.samplers.BEST` the chosen one's."""
    fits = load_fits(folder)
    return {**{name: fit.codes for name, fit in fits.items()}, samplers.BEST: fits[best(fits)].codes}
