"""Reading MNIST-format IDX files (plain or gzip), refusing anything that is not 28×28 digits.

The header (magic number, dimensions) is read first, from a stream: the size it announces is
computed with Python integers (no int64 wrap-around) and checked against :data:`MAX_ITEMS` and
:data:`MAX_BYTES` before any data is read; then exactly that many bytes are read (one more, to
refuse trailing data), so a gzip bomb is never decompressed beyond the size its header claims.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from latentspace.core.errors import StageError

IMAGE_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABEL_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
SIDE = 28
MAX_ITEMS = 10_000_000  # images or labels in one file (MNIST has 60,000 + 10,000)
MAX_BYTES = 2 * 1024**3  # data in one file, after decompression (2,740,000 images of 28×28)
CHUNK = 16 * 1024**2  # bytes read at a time
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_GZIP_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def find_file(folder: Path, stem: str) -> Path:
    """``folder/stem`` or ``folder/stem.gz``, whichever exists; a StageError if neither does."""
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise StageError(f"data.idx_dir: {folder} lacks {stem} (or {stem}.gz)")


def _corrupt(path: Path, exc: BaseException) -> StageError:
    return StageError(f"{path}: corrupt or truncated gzip file ({exc})")


def _open(path: Path):
    """A binary stream of ``path``'s content: decompressed when the file starts like gzip."""
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
        return gzip.open(path, "rb") if compressed else open(path, "rb")
    except OSError as exc:
        raise StageError(f"{path}: cannot be read ({exc})") from None


def _read_at_most(stream, path: Path, count: int) -> bytes:
    """Up to ``count`` bytes of ``stream`` (fewer only at its end), read ``CHUNK`` bytes at a time."""
    parts, left = [], count
    try:
        while left > 0:
            part = stream.read(min(left, CHUNK))
            if not part:
                break
            parts.append(part)
            left -= len(part)
    except _GZIP_ERRORS as exc:
        raise _corrupt(path, exc) from None
    return b"".join(parts)


def read_header(stream, path: Path, magic: int) -> tuple[int, ...]:
    """The shape in the IDX header at the start of ``stream``, whose magic number must be ``magic``;
    refuses shapes over :data:`MAX_ITEMS` items or :data:`MAX_BYTES` bytes of data."""
    ndim = magic & 0xFF
    size = 4 + 4 * ndim
    header = _read_at_most(stream, path, size)
    if len(header) < 4:
        raise StageError(f"{path}: truncated IDX header ({len(header)} bytes)")
    (found,) = struct.unpack(">I", header[:4])
    if found != magic:
        raise StageError(f"{path}: wrong magic number 0x{found:08x}, expected 0x{magic:08x}")
    if len(header) < size:
        raise StageError(f"{path}: truncated IDX header ({len(header)} bytes)")
    shape = tuple(int(d) for d in struct.unpack(f">{ndim}I", header[4:]))
    if shape[0] > MAX_ITEMS:
        raise StageError(f"{path}: the header claims {shape[0]:,} items, more than the limit of {MAX_ITEMS:,}")
    total = math.prod(shape)  # Python integers: no wrap-around
    if total > MAX_BYTES:
        raise StageError(
            f"{path}: the header's shape {shape} needs {total:,} bytes of data, "
            f"more than the limit of {MAX_BYTES:,} (2 GiB)"
        )
    return shape


def read_data(stream, path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """The uint8 array of ``shape`` that follows the header in ``stream``: exactly that many bytes."""
    size = math.prod(shape)
    data = _read_at_most(stream, path, size + 1)
    if len(data) < size:
        raise StageError(f"{path}: {len(data)} bytes of data, the header's shape {shape} needs {size} (truncated?)")
    if len(data) > size:
        raise StageError(f"{path}: more data than the {size} bytes the header's shape {shape} needs (trailing bytes)")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def read_idx(path: Path, magic: int) -> np.ndarray:
    """The array in one IDX file whose header must carry ``magic``; uint8, shape from the header."""
    with _open(path) as stream:
        return read_data(stream, path, read_header(stream, path, magic))


def read_pair(folder: Path, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) and labels (N,) of the ``train`` or ``test`` files in ``folder``.

    Both headers are checked (28×28 images, as many labels as images) before any data is read.
    """
    image_path, label_path = (find_file(folder, stem) for stem in FILES[part])
    with _open(image_path) as images_in, _open(label_path) as labels_in:
        image_shape = read_header(images_in, image_path, IMAGE_MAGIC)
        if image_shape[1:] != (SIDE, SIDE):
            raise StageError(f"{image_path}: images are {image_shape[1]}×{image_shape[2]}, expected 28×28")
        label_shape = read_header(labels_in, label_path, LABEL_MAGIC)
        if label_shape[0] != image_shape[0]:
            raise StageError(f"{label_path}: {label_shape[0]} labels for {image_shape[0]} images in {image_path.name}")
        labels = read_data(labels_in, label_path, label_shape)
        if len(labels) and labels.max() > 9:
            raise StageError(f"{label_path}: label {int(labels.max())} is outside 0–9")
        images = read_data(images_in, image_path, image_shape)
    return images, labels
