"""Reading MNIST-format IDX files (plain or gzip), refusing anything that is not 28×28 digits."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from .errors import StageError

IMAGE_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABEL_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
SIDE = 28
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def find_file(folder: Path, stem: str) -> Path:
    """``folder/stem`` or ``folder/stem.gz``, whichever exists; a StageError if neither does."""
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise StageError(f"data.idx_dir: {folder} lacks {stem} (or {stem}.gz)")


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            return gzip.decompress(raw)
        return raw
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise StageError(f"{path}: corrupt or truncated gzip file ({exc})") from None


def read_idx(path: Path, magic: int) -> np.ndarray:
    """The array in one IDX file whose header must carry ``magic``; uint8, shape from the header."""
    data = _read_bytes(path)
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise StageError(f"{path}: truncated IDX header ({len(data)} bytes)")
    (found,) = struct.unpack(">I", data[:4])
    if found != magic:
        raise StageError(f"{path}: wrong magic number 0x{found:08x}, expected 0x{magic:08x}")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    size = int(np.prod(shape, dtype=np.int64))
    if len(data) - header != size:
        raise StageError(
            f"{path}: {len(data) - header} bytes of data, the header's shape {shape} needs {size} (truncated?)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_pair(folder: Path, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) and labels (N,) of the ``train`` or ``test`` files in ``folder``."""
    image_path, label_path = (find_file(folder, stem) for stem in FILES[part])
    images = read_idx(image_path, IMAGE_MAGIC)
    labels = read_idx(label_path, LABEL_MAGIC)
    if images.shape[1:] != (SIDE, SIDE):
        raise StageError(f"{image_path}: images are {images.shape[1]}×{images.shape[2]}, expected 28×28")
    if len(images) != len(labels):
        raise StageError(f"{label_path}: {len(labels)} labels for {len(images)} images in {image_path.name}")
    if len(labels) and labels.max() > 9:
        raise StageError(f"{label_path}: label {int(labels.max())} is outside 0–9")
    return images, labels
