"""The data edges the reliability issue names: IDX headers that wrap int64 or promise gigabytes (refused
from the header, before any large read), arrays from any source checked alike (tfds's (N, 28, 28, 1),
labels 1–26), splits with fewer than two classes, community tfds names, per-experiment tfds data and
a relative ``data.idx_dir`` seen from a queued experiment's temporary copy."""

import gzip
import re
import struct
import sys
import types

import numpy as np
import pytest

from latentspace.data import digits as data, idx, sources
from latentspace.core.errors import StageError

from helpers import idx_bytes, write_idx_dir

IMAGES, LABELS = idx.FILES["train"]


@pytest.fixture
def gzip_reads(monkeypatch):
    """The sizes asked of, and the byte counts returned by, every ``GzipFile.read`` from now on."""
    asked, returned = [], []
    original = gzip.GzipFile.read

    def read(self, size=-1):
        asked.append(size)
        chunk = original(self, size)
        returned.append(len(chunk))
        return chunk

    monkeypatch.setattr(gzip.GzipFile, "read", read)
    return asked, returned


# --- IDX headers ---------------------------------------------------------------------------------------

def test_a_header_whose_size_wraps_int64_is_refused_naming_the_file_and_the_limit(tmp_path):
    shape = (2**21, 2**21, 2**22)  # 2**64 bytes: np.prod in int64 wraps around to 0
    assert np.prod(shape, dtype=np.int64) == 0
    path = tmp_path / IMAGES
    path.write_bytes(struct.pack(">4I", idx.IMAGE_MAGIC, *shape))
    says = (rf"{IMAGES}: the header's shape \(2097152, 2097152, 4194304\) needs 18,446,744,073,709,551,616 bytes "
            r"of data, more than the limit of 2,147,483,648 \(2 GiB\)$")
    with pytest.raises(StageError, match=says):
        idx.read_idx(path, idx.IMAGE_MAGIC)
    folder = write_idx_dir(tmp_path / "idx", **{IMAGES: path.read_bytes()})
    with pytest.raises(StageError, match=says):
        sources.read_idx_dir(folder)


def test_a_label_count_over_the_limit_is_refused_from_the_header(tmp_path):
    folder = write_idx_dir(tmp_path / "idx", **{LABELS: struct.pack(">2I", idx.LABEL_MAGIC, 4_000_000_000)})
    with pytest.raises(StageError, match=rf"{LABELS}: the header claims 4,000,000,000 items, more than the "
                                         r"limit of 10,000,000"):
        sources.read_idx_dir(folder)


@pytest.mark.parametrize("count, says", [
    (10**9, r"the header claims 1,000,000,000 items, more than the limit of 10,000,000"),
    (3_000_000, r"needs 2,352,000,000 bytes of data, more than the limit of 2,147,483,648"),
])
def test_a_gzip_bomb_is_refused_from_its_header_before_any_large_read(tmp_path, gzip_reads, count, says):
    header = struct.pack(">4I", idx.IMAGE_MAGIC, count, 28, 28)
    folder = write_idx_dir(tmp_path / "idx", compress=True, **{IMAGES: header + bytes(4096)})
    with pytest.raises(StageError, match=rf"{IMAGES}.gz: .*{says}"):
        sources.read_idx_dir(folder)
    asked, returned = gzip_reads
    assert asked and max(asked) <= 16  # the header of the images (16 bytes) was all it asked for
    assert sum(returned) <= 16


def test_data_past_what_the_header_claims_is_refused_after_reading_only_what_it_claims(tmp_path, gzip_reads):
    images = np.zeros((60, 28, 28), dtype=np.uint8)
    bomb = idx_bytes(images) + bytes(32 * 1024**2)  # 32 MB of zeros: about 32 kB compressed
    folder = write_idx_dir(tmp_path / "idx", compress=True, **{IMAGES: bomb})
    with pytest.raises(StageError, match=rf"{IMAGES}.gz: more data than the 47040 bytes the header's shape "
                                         r"\(60, 28, 28\) needs \(trailing bytes\)"):
        sources.read_idx_dir(folder)
    asked, returned = gzip_reads
    # both files of the train pair: headers (16 + 8 bytes), 60 labels + 1, 60 images + 1
    assert max(asked) <= 60 * 28 * 28 + 1
    assert sum(returned) <= 16 + 8 + 61 + 60 * 28 * 28 + 1


def test_a_gzip_stream_truncated_inside_the_data_is_still_a_corrupt_gzip_file(tmp_path):
    folder = write_idx_dir(tmp_path / "idx", compress=True)
    target = folder / f"{IMAGES}.gz"
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])
    with pytest.raises(StageError, match=rf"{IMAGES}.gz: corrupt or truncated gzip file"):
        sources.read_idx_dir(folder)


# --- one check for every source's arrays ---------------------------------------------------------------

def test_tfds_like_arrays_are_squeezed_and_cast_and_letters_are_refused():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (30, 28, 28, 1)).astype(np.uint8)  # tfds: one trailing channel
    digits = np.arange(30, dtype=np.int64) % 10
    checked_images, checked_labels = sources.check_digits(images, digits, "data.tfds_name: 'mnist' (train split)")
    assert checked_images.shape == (30, 28, 28) and checked_images.dtype == np.uint8
    assert checked_labels.dtype == np.uint8 and checked_labels.tolist() == digits.tolist()

    letters = np.arange(30, dtype=np.int64) % 26 + 1  # emnist/letters: labels 1–26
    with pytest.raises(StageError, match=r"^data.tfds_name: 'emnist/letters' \(train split\): labels span 1–26, "
                                         r"expected the digits 0–9$"):
        sources.check_digits(images, letters, "data.tfds_name: 'emnist/letters' (train split)")


@pytest.mark.parametrize("images, labels, says", [
    (np.zeros((30, 32, 32, 3)), np.arange(30) % 10, r"images of shape \(30, 32, 32, 3\), expected \(N, 28, 28\)"),
    (np.zeros((0, 28, 28)), np.zeros(0, dtype=int), r"no digits \(0 images\)"),
    (np.zeros((30, 28, 28)), np.arange(29) % 10, r"labels of shape \(29,\) for 30 images"),
    (np.full((30, 28, 28), 0.5), np.arange(30) % 10, r"pixel values span 0.5–0.5, expected whole numbers in 0–255"),
    (np.full((30, 28, 28), 300), np.arange(30) % 10, r"pixel values span 300–300"),
    (np.zeros((30, 28, 28)), np.full(30, 3), r"every label is 3; the digits need at least two classes"),
    (np.zeros((30, 28, 28)), np.arange(30) % 10 - 1, r"labels span -1–8, expected the digits 0–9"),
    (np.zeros((30, 28, 28)), np.arange(30) % 10 + 0.5, r"labels of type float64, expected integers 0–9"),
])
def test_arrays_that_are_not_digits_are_refused_naming_the_source(images, labels, says):
    with pytest.raises(StageError, match=rf"^somewhere: {says}"):
        sources.check_digits(images, labels, "somewhere")


def test_read_tfds_checks_the_arrays_and_downloads_into_this_experiments_folder(tmp_path, monkeypatch):
    calls = {}

    class Builder:
        def download_and_prepare(self):
            calls["prepared"] = True

        def as_dataset(self, split, batch_size, as_supervised):
            n = 26
            return np.zeros((n, 28, 28, 1), dtype=np.uint8), np.arange(n, dtype=np.int64) + 1

    def builder(name, data_dir):
        calls["name"], calls["data_dir"] = name, data_dir
        return Builder()

    fake = types.ModuleType("tensorflow_datasets")
    fake.builder, fake.as_numpy = builder, lambda pair: pair
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", fake)
    monkeypatch.setattr(sources, "_reachable", lambda address, timeout: True)
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)
    copy = tmp_path / "project" / ".dvc" / "tmp" / "exps" / "tmpq1w2e3"  # a queued experiment's copy
    copy.mkdir(parents=True)
    monkeypatch.chdir(copy)
    with pytest.raises(StageError, match=r"^data.tfds_name: 'emnist/letters' \(train split\): labels span 1–26"):
        sources.read_tfds("emnist/letters")
    assert calls == {"name": "emnist/letters", "data_dir": str(copy / ".dvc" / "tmp" / "tfds"), "prepared": True}


@pytest.mark.parametrize("shape, classes, says", [
    ((32, 32, 3), 10, r"has images of shape \(32, 32, 3\), expected \(28, 28, 1\)"),
    ((28, 28, 1), 37, r"has 37 classes, expected at most the 10 digits"),  # emnist/letters declares 37
])
def test_read_tfds_refuses_declared_features_that_cannot_be_digits_before_downloading(
        tmp_path, monkeypatch, shape, classes, says):
    prepared = []
    builder = types.SimpleNamespace(
        info=types.SimpleNamespace(
            supervised_keys=("image", "label"),
            features={"image": types.SimpleNamespace(shape=shape), "label": types.SimpleNamespace(num_classes=classes)},
        ),
        download_and_prepare=lambda: prepared.append(True),
    )
    fake = types.ModuleType("tensorflow_datasets")
    fake.builder = lambda name, data_dir: builder
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", fake)
    monkeypatch.setattr(sources, "_reachable", lambda address, timeout: True)
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    with pytest.raises(StageError, match=rf"^data.tfds_name: 'some_set' {says}; refused before downloading$"):
        sources.read_tfds("some_set")
    assert not prepared


def test_tfds_data_lives_under_the_stages_working_directory_unless_tfds_data_dir_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)
    copy = "/home/me/study/.dvc/tmp/exps/tmpab12cd"
    assert sources.tfds_data_dir(copy).as_posix() == f"{copy}/.dvc/tmp/tfds"  # one per queued experiment
    assert sources.tfds_data_dir("/home/me/study").as_posix() == "/home/me/study/.dvc/tmp/tfds"
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    assert sources.tfds_data_dir(copy) == tmp_path


# --- splits ---------------------------------------------------------------------------------------------

def _labels_file(labels) -> bytes:
    return idx_bytes(np.asarray(labels))


def test_a_test_file_of_one_class_is_refused_naming_the_file(tmp_path):
    folder = write_idx_dir(tmp_path / "idx", **{"t10k-labels-idx1-ubyte": _labels_file(np.full(20, 3))})
    with pytest.raises(StageError, match=r"t10k-labels-idx1-ubyte: every label is 3; the digits need at least two "
                                         r"classes"):
        data.build_dataset("idx", tfds_name="", idx_dir=str(folder), val_fraction=0.25, eval_fraction=0.2,
                           subsample_size=None, seed=0)


def test_a_split_of_one_class_is_refused_before_the_stages_that_score_it():
    pool = np.repeat(np.arange(10), 6)
    splits = {"train": (pool, pool), "val": (pool, pool), "eval": (np.zeros(6), np.full(6, 3))}
    with pytest.raises(StageError, match=r"^data: the eval split holds only class 3; every split needs at least two "
                                         r"classes \(data.source idx: .*eval is the test file\)$"):
        data.check_splits(splits, "idx")


def test_a_tail_split_of_one_class_and_classes_the_train_split_lacks_are_refused(tmp_path):
    sorted_labels = _labels_file(np.repeat(np.arange(10), 6))  # the last 6 digits are all 9s
    folder = write_idx_dir(tmp_path / "sorted", **{"train-labels-idx1-ubyte": sorted_labels})
    with pytest.raises(StageError, match=r"^data: the val split holds only class 9; every split needs at least two "
                                         r"classes \(data.source idx: train and val are the head and the tail "
                                         r"\(data.val_fraction\)"):
        data.build_dataset("idx", tfds_name="", idx_dir=str(folder), val_fraction=0.1, eval_fraction=0.2,
                           subsample_size=None, seed=0)

    five = _labels_file(np.arange(60) % 5)  # training file: digits 0–4 only; the test file has 0–9
    folder = write_idx_dir(tmp_path / "five", **{"train-labels-idx1-ubyte": five})
    with pytest.raises(StageError, match=r"^data: the eval split holds classes 5, 6, 7, 8, 9, which the train split "
                                         r"lacks; every class scored must be trained on"):
        data.build_dataset("idx", tfds_name="", idx_dir=str(folder), val_fraction=0.25, eval_fraction=0.2,
                           subsample_size=None, seed=0)


# --- tfds names -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, parsed", [
    ("mnist", ("mnist", None, None)),
    ("mnist:3.0.1", ("mnist", None, "3.0.1")),  # name:version, not namespace:name
    ("emnist/letters", ("emnist", "letters", None)),
    ("emnist/letters:3.*.*", ("emnist", "letters", "3.*.*")),
    ("fashion_mnist:3.0.1", ("fashion_mnist", None, "3.0.1")),
])
def test_builtin_tfds_names_parse_as_tensorflow_datasets_parses_them(name, parsed):
    from tensorflow_datasets.core import naming  # the parser tfds.builder uses; no TensorFlow import

    assert sources.parse_tfds_name(name) == parsed
    dataset, kwargs = naming.parse_builder_name_kwargs(name)
    assert dataset.namespace is None
    assert (dataset.name, kwargs.get("config"), kwargs.get("version")) == parsed


@pytest.mark.parametrize("name, namespace", [
    ("huggingface:mnist", "huggingface"),
    ("kaggle:ds/cfg:1.2.3", "kaggle"),
    ("my-lab:digits:1.0.0", "my-lab"),
])
def test_community_tfds_names_are_refused_before_tensorflow_datasets_sees_them(monkeypatch, name, namespace):
    from tensorflow_datasets.core import naming

    assert naming.parse_builder_name_kwargs(name)[0].namespace == namespace  # tfds would fetch its builder
    monkeypatch.setattr(sources, "_reachable", lambda *args, **kwargs: pytest.fail("probed the network"))
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # importing it would fail the test
    with pytest.raises(StageError, match=rf"^data.tfds_name: '{name}' names a community dataset \(namespace "
                                         rf"'{namespace}'\), whose builder is code from the network; not allowed"):
        sources.read_tfds(name)


@pytest.mark.parametrize("name, says", [
    ("mnist/data_dir=/tmp", r"passes builder arguments \('data_dir=/tmp'\); only dataset\[/config\]\[:version\]"),
    ("3mnist", r"is not a tensorflow-datasets name"),
    ("", r"is not a tensorflow-datasets name"),
    ("mnist:3.0.1\n", r"is not a tensorflow-datasets name"),
])
def test_tfds_names_with_builder_arguments_or_no_name_are_refused(name, says):
    with pytest.raises(StageError, match=rf"^data.tfds_name: .* {says}") as error:
        sources.parse_tfds_name(name)
    assert "\n" not in str(error.value)  # one line, whatever the name holds


# --- a relative data.idx_dir ----------------------------------------------------------------------------

@pytest.mark.parametrize("cwd, root", [
    ("/home/me/study", "/home/me/study"),
    ("/home/me/study/.dvc/tmp/exps/tmpab12cd", "/home/me/study"),
    ("/home/me/study/.dvc/tmp/exps/tmpab12cd/", "/home/me/study"),
    ("/home/me/study/.dvc/tmp/exps/run/ABC123/workspace", "/home/me/study"),
])
def test_the_project_root_is_found_from_a_queued_experiments_copy(cwd, root):
    assert sources.project_root(cwd).as_posix() == root
    assert sources.resolve_idx_dir("digits/idx", cwd).as_posix() == f"{root}/digits/idx"
    assert sources.resolve_idx_dir("/srv/idx", cwd).as_posix() == "/srv/idx"  # absolute: unchanged


def test_a_relative_idx_dir_is_read_from_the_project_root_not_the_experiments_copy(tmp_path, monkeypatch):
    root = tmp_path / "study"
    write_idx_dir(root / "digits")
    copy = root / ".dvc" / "tmp" / "exps" / "tmpab12cd"
    copy.mkdir(parents=True)
    monkeypatch.chdir(copy)
    arrays = data.build_dataset("idx", tfds_name="", idx_dir="digits", val_fraction=0.25, eval_fraction=0.2,
                                subsample_size=None, seed=0)
    assert len(arrays["y_train"]) == 45 and len(arrays["y_eval"]) == 20
    with pytest.raises(StageError, match=rf"^data.idx_dir: 'elsewhere' \(resolved against the project root: "
                                         rf"{re.escape(str(root))}/elsewhere\) does not exist$"):
        sources.read_idx_dir("elsewhere")
    with pytest.raises(StageError, match=r"^data.idx_dir: empty; set it to the folder that holds the four IDX files$"):
        sources.read_idx_dir("")
