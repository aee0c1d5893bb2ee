"""The shape of a digit measured from its image: Morpho-MNIST's morphometrics (no TensorFlow).

Castro et al., "Morpho-MNIST: quantitative assessment and diagnostics for representation learning"
(JMLR 2019), measure each 28×28 image after upsampling it 4× (``skimage.transform.pyramid_expand``,
bicubic) and binarising it half-way between its darkest and brightest pixel:

- ``area``: the binarised pixels (px²);
- ``length``: the skeleton's length (``skimage.morphology.medial_axis``; diagonal steps count √2) (px);
- ``thickness``: twice the mean distance from the skeleton to the background (px);
- ``slant``: ``arctan(−u11 / u02)`` of the upsampled image's central moments (rad, positive leans right);
- ``width``, ``height``: the sides of the parallelogram, sheared by the slant, holding all but 2 % of
  the image's mass (1 % each side) (px).

Every length is in pixels of the 28×28 image. This module follows Morpho-MNIST's code (MIT) as it
runs on today's scikit-image, step for step; on Morpho-MNIST's own test image that gives the
published area, slant, width and height within 0.3 % and length −5.0 %, thickness +2.6 %: its
published table was made with an older scikit-image whose upsampling interpolated otherwise, and
matching it would mean writing an interpolation by hand instead of calling the library.
What is the reference's loop is vectorised here (the mass profiles, the moments, the skeleton's
length), and the medial axis's lookup table, which scikit-image rebuilds at every call (30 ms of
its 40 ms), is built once: the skeleton is scikit-image's own, tie-breaking included (a test checks
it pixel for pixel against ``medial_axis``).

Images are measured as 8-bit, as MNIST's are: decoded images (floats in [0, 1]) are rounded to
0–255 first. An image with no contrast (every pixel alike) has no shape: every factor is NaN.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from latentspace.core.errors import StageError

FACTORS = ("area", "length", "thickness", "slant", "width", "height")  # Castro et al.'s order
STROKE_FACTORS = ("length", "thickness")  # of strokes only: left out where the images are not strokes
UNITS = {"area": "px²", "length": "px", "thickness": "px", "slant": "rad", "width": "px", "height": "px"}
LABELS = {"area": "area", "length": "stroke length", "thickness": "stroke thickness", "slant": "slant",
          "width": "width", "height": "height"}

SCALE = 4  # upsampling factor (Castro et al.)
THRESHOLD = 0.5  # binarised at this fraction between the image's darkest and brightest pixel
BOUND = 0.02  # share of the mass left outside the bounding parallelogram (half each side)
SEED = 42  # the medial axis's tie-breaking (Castro et al.'s)
CHUNK = 500  # :func:`measure` spreads work over processes only in chunks at least this large
_LENGTH_MASK = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [np.sqrt(2.0), 1.0, np.sqrt(2.0)]])
_EIGHT = np.ones((3, 3), bool)


def factors(strokes: bool) -> tuple[str, ...]:
    """The factors measured: all of :data:`FACTORS` for strokes (digits), the shape's alone otherwise."""
    return FACTORS if strokes else tuple(f for f in FACTORS if f not in STROKE_FACTORS)


def as_bytes(images: np.ndarray) -> np.ndarray:
    """Images (N, 28, 28) or (N, 28, 28, 1), uint8 or floats in [0, 1] → uint8 (N, 28, 28)."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if images.dtype == np.uint8:
        return images
    return np.rint(np.clip(images.astype(np.float64), 0.0, 1.0) * 255.0).astype(np.uint8)


@cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """scikit-image's medial-axis lookup tables over the 512 3×3 patterns: whether a pixel stays
    (uint8) and its cornerness (the background pixels around it), built as ``medial_axis`` builds them."""
    from scipy import ndimage

    patterns = ((np.arange(512)[:, None] >> np.arange(9)[None, :]) & 1).astype(bool).reshape(512, 3, 3)
    centre = patterns[:, 1, 1]

    def components(pattern):
        return ndimage.label(pattern, _EIGHT)[1]

    without = patterns.copy()
    without[:, 1, 1] = False
    keep = centre & (np.array([components(p) != components(q) for p, q in zip(patterns, without)])
                     | (patterns.sum(axis=(1, 2)) < 3))
    return np.ascontiguousarray(keep, np.uint8), 9 - patterns.sum(axis=(1, 2))


def _pattern_index(binary: np.ndarray) -> np.ndarray:
    """Each pixel's 3×3 neighbourhood as an index 0–511 (bit 3·row + column, as scikit-image numbers it)."""
    from scipy import ndimage

    weights = (2 ** np.arange(9)).reshape(3, 3)
    return ndimage.correlate(binary.astype(np.int64), weights, mode="constant")


def medial_axis(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``skimage.morphology.medial_axis(binary, return_distance=True, rng=SEED)`` of one (H, W) bool
    image, with the lookup table built once: the skeleton (H, W) bool and the distance map (H, W)."""
    from scipy import ndimage
    from skimage.morphology._skeletonize import _skeletonize_loop  # the loop medial_axis runs

    keep, cornerness = _tables()
    distance = ndimage.distance_transform_edt(binary)
    corner = cornerness[_pattern_index(binary)]
    rows, cols = np.nonzero(binary)  # row-major: the order medial_axis's masks give
    tiebreaker = np.random.default_rng(SEED).permutation(np.arange(len(rows)))
    order = np.ascontiguousarray(np.lexsort((tiebreaker, corner[rows, cols], distance[rows, cols])), np.int32)
    result = np.ascontiguousarray(binary, np.uint8)
    _skeletonize_loop(result, rows.astype(np.intp), cols.astype(np.intp), order, keep)
    return result.astype(bool), distance


def _upsampled(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W) → uint8 (N, 4H, 4W): bicubic, smoothed (``pyramid_expand``), truncated to 8 bits."""
    from skimage.transform import pyramid_expand

    if len(images) == 0:
        return np.zeros((0, images.shape[1] * SCALE, images.shape[2] * SCALE), np.uint8)
    # one image at a time: the upsampling clips to each image's own range, as the reference does
    return np.stack([(255.0 * pyramid_expand(image, upscale=SCALE, order=3, channel_axis=None)).astype(np.uint8)
                     for image in images])


def _mass_quantiles(cdf: np.ndarray, locations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each row's cumulative mass (N, L) at ``locations`` (L,) first reaches BOUND/2 and 1 − BOUND/2."""
    low, high = BOUND / 2, 1.0 - BOUND / 2
    return (np.array([np.interp(low, row, locations) for row in cdf]),
            np.array([np.interp(high, row, locations) for row in cdf]))


def _shape(hires: np.ndarray) -> dict[str, np.ndarray]:
    """Slant, width and height of upsampled images (N, h, w) from their moments and mass profiles."""
    n, h, w = hires.shape
    mass = hires.astype(np.float64)
    x = np.arange(w, dtype=np.float64)[None, None, :]
    y = np.arange(h, dtype=np.float64)[None, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        total = mass.sum(axis=(1, 2))
        mx = (x * mass).sum(axis=(1, 2)) / total
        my = (y * mass).sum(axis=(1, 2)) / total
        u11 = (x * y * mass).sum(axis=(1, 2)) / total - mx * my
        u02 = (y ** 2 * mass).sum(axis=(1, 2)) / total - my ** 2
        shear = u11 / u02
        # the mass left of the sheared line x + ½ = t + shear (y − ȳ), for t = 0 … w−1: a pixel counts for
        # every t above its sheared position, so each pixel's mass goes to the first such t and is summed on
        offset = x + 0.5 - shear[:, None, None] * (y - my[:, None, None])
        first = np.clip(np.floor(offset) + 1, 0, w).astype(np.int64)  # smallest t > offset
        bins = (first + (w + 1) * np.arange(n)[:, None, None]).ravel()
        horizontal = np.bincount(bins, weights=mass.ravel(), minlength=n * (w + 1)).reshape(n, w + 1)
        horizontal = np.cumsum(horizontal, axis=1)[:, :w] / total[:, None]
        rows = mass.sum(axis=2)
        vertical = np.concatenate([np.zeros((n, 1)), np.cumsum(rows, axis=1)[:, :-1]], axis=1) / total[:, None]
    left, right = _mass_quantiles(horizontal, np.arange(w, dtype=np.float64))
    top, bottom = _mass_quantiles(vertical, np.arange(h, dtype=np.float64))
    return {"slant": np.arctan(-shear), "width": (right - left) / SCALE, "height": (bottom - top) / SCALE}


def measure(images: np.ndarray, strokes: bool = True, workers: int = 1) -> dict[str, np.ndarray]:
    """Each image's morphometrics: images (N, 28, 28[, 1]), uint8 or floats in [0, 1] → {factor: (N,)
    float64} for :func:`factors` (``strokes`` false: the stroke factors left out); NaN where an image has
    no contrast (and thickness where its skeleton is empty). ``workers`` > 1 measures chunks of at least
    :data:`CHUNK` images in that many fresh processes (each image alone: the same numbers)."""
    images = as_bytes(images)
    chunks = min(workers, len(images) // CHUNK)
    if chunks > 1:
        from functools import partial
        from multiprocessing import get_context

        # spawned, not forked: a stage that has started TensorFlow's threads must not fork. Leaving the
        # block terminates the workers, so a stage stopped by SIGTERM does not wait for their chunks.
        with get_context("spawn").Pool(chunks) as pool:
            parts = pool.map(partial(_measure, strokes=strokes), np.array_split(images, chunks))
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return _measure(images, strokes)


def _measure(images: np.ndarray, strokes: bool) -> dict[str, np.ndarray]:
    """:func:`measure` in one process, :data:`CHUNK` images at a time (an upsampled chunk's moments hold
    a few hundred MB; 10,000 images at once would hold several GB)."""
    if len(images) > CHUNK:
        parts = [_measure_chunk(images[i:i + CHUNK], strokes) for i in range(0, len(images), CHUNK)]
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return _measure_chunk(images, strokes)


def _measure_chunk(images: np.ndarray, strokes: bool) -> dict[str, np.ndarray]:
    from scipy import ndimage

    hires = _upsampled(images)
    n = len(hires)
    low = hires.reshape(n, -1).min(axis=1) if n else np.zeros(0, np.uint8)
    high = hires.reshape(n, -1).max(axis=1) if n else np.zeros(0, np.uint8)
    flat = low == high
    binary = hires >= (low + (high.astype(np.float64) - low) * THRESHOLD)[:, None, None]
    out = {"area": binary.sum(axis=(1, 2)) / SCALE ** 2}
    if strokes:
        length, thickness = np.full(n, np.nan), np.full(n, np.nan)
        for i in np.flatnonzero(~flat):
            skeleton, distance = medial_axis(binary[i])
            steps = ndimage.correlate(skeleton.astype(np.float64), _LENGTH_MASK, mode="constant")
            length[i] = float((steps * skeleton).sum()) / SCALE
            if skeleton.any():
                thickness[i] = 2.0 * float(distance[skeleton].mean()) / SCALE
        out.update(length=length, thickness=thickness)
    shape = _shape(hires[~flat])
    for name, values in shape.items():
        out[name] = np.full(n, np.nan)
        out[name][~flat] = values
    for name in out:
        out[name] = np.where(flat, np.nan, out[name]).astype(np.float64)
    return {name: out[name] for name in factors(strokes)}


def check_same_digits(measured: np.ndarray, labels: np.ndarray, morphometry: str, other: str) -> None:
    """Refuse the morphometry file ``morphometry`` whose digits' labels ``measured`` (N,) are not ``other``'s
    evaluation digits' ``labels``: a :class:`StageError` naming both files."""
    if not np.array_equal(measured, labels):
        raise StageError(f"{morphometry}: its digits are not the evaluation digits of {other}: "
                         "rerun the morphometry stage")
