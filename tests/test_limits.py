"""Values checked against the data and the machine, before any work; state outside the outputs ignored."""

import json
import subprocess
import sys

import pytest
import yaml

from helpers import ROOT, dvc_stages, subprocess_env
from latentspace.claims import contrasts
from latentspace.core import limits
from latentspace.pages import report_claims
from latentspace.measures import separation
from latentspace.claims.contrasts import Side, split_pair
from latentspace.core.errors import StageError


def test_a_value_whose_memory_exceeds_half_the_machine_is_refused_naming_it(monkeypatch):
    monkeypatch.setattr(limits, "machine_memory", lambda: 8 * 2**30)
    limits.memory("bootstrap.resamples", 1000, 4 * 2**30 - 1, "resampling")  # just fits
    with pytest.raises(StageError, match=r"bootstrap.resamples = 2000: resampling would need 4.0 GiB, more than "
                                         r"the 4.0 GiB a stage may use on this machine \(50% of its memory\)"):
        limits.memory("bootstrap.resamples", 2000, 4 * 2**30 + 1, "resampling")
    assert limits.machine_memory.__module__  # the real one reads the machine: more than a GiB anywhere we run
    monkeypatch.undo()
    assert limits.machine_memory() > 2**30


@pytest.mark.parametrize("neighbours, resamples, says", [
    (181, 100, "separation.neighbours = 181 is too large for these data: at most 180"),
    (30, 100, "must be below 30.0 (trustworthiness needs fewer neighbours than half the 60 evaluation digits)"),
    (5, 100_000, "bootstrap.resamples = 100000: resampling 60 evaluation digits that often would need"),
])
def test_separation_refuses_what_these_splits_or_this_machine_cannot_take(monkeypatch, neighbours, resamples, says):
    monkeypatch.setattr(limits, "machine_memory", lambda: 2**26)  # 64 MiB: 100,000 × 60 digits do not fit
    with pytest.raises(StageError) as error:
        separation.check(180, 60, neighbours=neighbours, resamples=resamples)
    assert says in str(error.value) and "\n" not in str(error.value)
    separation.check(180, 60, neighbours=5, resamples=100)


def test_no_model_name_can_be_taken_for_a_claim_label():
    models = ["ae", "ae_prior", "a_vs_b", "vae", "conv_vae"]  # valid names that look like the old labels
    compared = contrasts.pairs(models, ["prior", "mixture"])
    labels = [side.label for a, b, _ in compared for side in (a, b)]
    assert "ae@prior" in labels and "ae_prior" in labels  # the model ae_prior and the AE's prior: two labels
    for better, worse, _ in compared:
        assert split_pair(contrasts.key(better, worse)) == (better, worse)
    assert split_pair("a_vs_b vs ae") == (Side("a_vs_b"), Side("ae"))
    assert report_claims.side_label(Side("ae_prior")) == "AE Prior" and report_claims.side_label(Side("ae", "prior")) == "AE (N(0, I))"


def test_the_committed_lock_holds_only_stages_that_dvc_yaml_defines():
    locked = set(yaml.safe_load((ROOT / "dvc.lock").read_text())["stages"])
    defined = set(dvc_stages(ROOT))
    assert locked <= defined, sorted(locked - defined)


def test_keras_user_config_does_not_change_the_stages_numbers(tmp_path):
    home = tmp_path / "keras"
    home.mkdir()
    (home / "keras.json").write_text(json.dumps({"epsilon": 0.1, "floatx": "float16", "backend": "jax",
                                                 "image_data_format": "channels_first"}))
    env = {k: v for k, v in subprocess_env().items() if k != "KERAS_BACKEND"}
    script = ("from latentspace.models import runtime; keras = runtime.start(2); "
              "print(keras.backend.backend(), keras.config.epsilon(), keras.config.floatx(), "
              "keras.config.image_data_format())")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**env, "KERAS_HOME": str(home)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["tensorflow", "1e-07", "float32", "channels_last"]
    assert "oneDNN" not in result.stderr and "absl" not in result.stderr  # TensorFlow's start-up lines held back


def test_a_dotted_key_is_refused_as_dvc_would_read_it_otherwise():
    from helpers import default_params
    from latentspace.core import params

    tree = default_params()
    tree["train.epochs"] = 1  # DVC would record train: {epochs: 30}; a stage merging it would run 1
    with pytest.raises(StageError, match=r"key 'train.epochs' is not allowed: write sections nested"):
        params.validate(tree)


def test_an_output_on_another_file_system_gets_its_temporary_beside_it(tmp_path, monkeypatch):
    from latentspace.core import outputs

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".dvc").mkdir()
    inside = outputs._temporary_for(tmp_path / "metrics" / "a.json")
    assert inside.parent == tmp_path / outputs.PARTIAL
    monkeypatch.setattr(outputs, "_device", lambda path: 1 if outputs.PARTIAL.parts[0] in path.parts else 2)
    beside = outputs._temporary_for(tmp_path / "scratch" / "b.npz")
    assert beside.parent == tmp_path / "scratch" and beside.name.startswith(".b.tmp-") and beside.suffix == ".npz"


def test_a_split_too_small_for_its_classes_is_one_line():
    import numpy as np

    from latentspace.data import digits as data

    labels = np.arange(40) % 10
    with pytest.raises(StageError, match=r"data.val_fraction \+ data.eval_fraction: leave 2 of 40 digits"):
        data.split_stratified(np.zeros((40, 28, 28)), labels, 0.5, 0.45, seed=0)
    lopsided = np.array([0] * 24 + [1])
    with pytest.raises(StageError, match=r"cannot be split stratified"):
        data.split_stratified(np.zeros((25, 28, 28)), lopsided, 0.4, 0.4, seed=0)
