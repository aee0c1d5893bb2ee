"""``params.yaml``: read as DVC reads it and validated against its schema (latentspace/core/schema.py) by every stage,
before any heavy import; a section read as its frozen dataclass (:meth:`Params.get`).

The keys a stage may read are the ones its entry in ``dvc.yaml`` declares under ``params:``:
:func:`for_stage` asks DVC for them (the stage's name is in ``$DVC_STAGE`` while ``dvc repro``
runs it) and returns a :class:`Params` that refuses every other key. dvc.yaml is the one record.

``models`` holds one section a model; each names an ``architecture`` from :data:`ARCHITECTURES`
and that architecture's keys (layer sizes, loss weights).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from latentspace.core.errors import StageError
from latentspace.core.schema import (
    ARCHITECTURES, MARGINS, MAX_MODELS, MEASURE_NAME, MODEL_NAME, SCHEMA, SECTIONS, WEIGHT, ModelSection, Rule
)

PARAMS_FILE = "params.yaml"


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

    def get(self, section: type):
        """A section as its frozen dataclass (``p.get(Train).epochs``); a KeyError naming the keys of it the stage does
        not declare."""
        name = next(name for name, declared in SECTIONS.items() if declared is section)
        values = self.section(name)
        missing = [f"{name}.{f.name}" for f in fields(section) if f.name not in values]
        if missing:
            raise KeyError(f"{missing} are not among this stage's declared params {self.declared}")
        return section(**{f.name: values[f.name] for f in fields(section)})

    def model(self, name: str) -> ModelSection:
        """``models.<name>`` (declared by the stage), as a :class:`ModelSection`."""
        keys = self.section(f"models.{name}")
        if "architecture" not in keys:
            raise KeyError(f"'models.{name}' is not among this stage's declared params {self.declared}")
        return ModelSection(name, keys.pop("architecture"), keys)

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
