"""Each kind of thing is declared once and every consumer reads it: a toy measure family and its claim,
registered here and nowhere else, reach the contrasts, the claims' margins, a verdict, the report and the
study's matrix; a dummy sampler, added where samplers are declared, reaches the claims, the report and the
sweep page; the loss terms' names reach DVC's chart templates."""

import json

import numpy as np
import pytest

import helpers
from helpers import ROOT
from latentspace.claims import original_claims as claims, contrasts
from latentspace.measures import families
from latentspace.models import loss_terms, samplers
from latentspace.pages import report_claims, report_sections
from latentspace.core.errors import StageError
from latentspace.measures.registry import Family, Measure
from latentspace.core.outputs import save_arrays
from latentspace.core.params import load
from latentspace.measures.sides import Side, model_pairs
from latentspace.tools.study import cli as study
from latentspace.tools.study.pages import markdown
from latentspace.claims.verdicts import BETTER, SUPPORTED
from latentspace.claims.sentences import OWN
from latentspace.tools import sweep_runs

TOY_KIND = "toy"
# A per-digit measure whose answer the test sets: the share of each digit's strokes the model's decoder kept.
TOY_MEASURE = Measure("kept_strokes", "share of the strokes kept", TOY_KIND, claims=True)


def toy_kept(paths, models, samplers, resamples):
    """Each model's per-digit values, from ``<paths["toy"]>/<model>.npz`` (the toy family's own stage's)."""
    from latentspace.core.outputs import load_arrays

    return {model: load_arrays(f"{paths['toy']}/{model}.npz", ("kept_strokes",)) for model in models}


TOY = Family(TOY_KIND, (TOY_MEASURE,), compares=model_pairs, reads=toy_kept, inputs=("toy",))
TOY_CLAIM = claims.Claim("ae_keeps_more_strokes", "", "This study (a toy): the AE's decoder keeps more strokes.",
                         "The AE keeps a larger share of each digit's strokes than the VAE", BETTER,
                         ((Side("ae"), Side("vae")),), ("kept_strokes",), kind=OWN)


@pytest.fixture
def toy(monkeypatch, tmp_path):
    """The toy family and its claim registered; its stage's outputs for the AE (every stroke kept) and the VAE
    (half of them) in ``tmp_path/toy``."""
    monkeypatch.setattr(families, "FAMILIES", families.FAMILIES + (TOY,))
    monkeypatch.setattr(claims, "CLAIMS", claims.CLAIMS + (TOY_CLAIM,))
    save_arrays(tmp_path / "toy" / "ae.npz", kept_strokes=np.ones(40))
    save_arrays(tmp_path / "toy" / "vae.npz", kept_strokes=np.full(40, 0.5))
    return tmp_path / "toy"


def test_a_registered_family_reaches_the_contrasts_a_claim_the_report_and_the_study_matrix(toy):
    assert families.measures()["kept_strokes"] is TOY_MEASURE and families.family_of("kept_strokes") is TOY
    with pytest.raises(StageError, match="the separation measures need separation: give the contrasts stage "
                                         "--separation"):
        contrasts.gather({"toy": toy}, ["ae", "vae"], [], 20)  # every family's inputs are asked for
    kept = {TOY_KIND: TOY.reads({"toy": toy}, ["ae", "vae"], [], 20)}
    assert ("ae vs vae", TOY_KIND) in [(contrasts.key(a, b), kind) for a, b, kind in contrasts.pairs(["ae", "vae"], [])]
    measured = contrasts.compare(kept, ["ae", "vae"], [], resamples=50, level=0.9, seed=0)
    assert measured == {"ae vs vae": {"kept_strokes": {"difference": 0.5, "low": 0.5, "high": 0.5, "sd": 0.0}}}

    # its margin is asked for, as every claim measure's, and then taken
    margins = load(("claims.margins",), ROOT / "params.yaml").section("claims.margins")
    with pytest.raises(StageError, match="required key 'claims.margins.kept_strokes' is missing"):
        claims.margins(margins)
    margins = claims.margins({**margins, "kept_strokes": 0.1})

    assert TOY_CLAIM in claims.claims(["ae", "vae"]) and claims.left_out(["vae"])["ae_keeps_more_strokes"] == ["ae"]
    decided = claims.decide(TOY_CLAIM, measured, margins, 0.95)
    assert decided["verdict"] == SUPPORTED and decided["measure"] == "kept_strokes" and "agreement" not in decided

    page = report_claims.claims_section({TOY_CLAIM.key: decided}, margins, 0.9)
    assert "the AE&#39;s decoder keeps more strokes." in page and "share of the strokes kept" in page

    # the study: three seeds' records keep the measurements; the matrix decides the claim over them
    points = [study.Point("mnist-all", None, seed, ()) for seed in (1, 2, 3)]
    params = {"models.ae.architecture": "dense_ae", "models.vae.architecture": "dense_vae"}
    records = {point.id: {"point": point.id, "configuration": "mnist-all", "seed": point.seed, "code": {},
                          "params": {"seed": point.seed, **params}, "train_digits": None,
                          "measurements": {"ae vs vae": {"kept_strokes": {
                              "difference": d, "low": d - 0.05, "high": d + 0.05, "sd": 0.02}}}}
               for point, d in zip(points, (0.5, 0.45, 0.55))}
    matrix = study.matrix(points, records, {}, margins, 0.95)
    assert matrix["mnist-all"]["claims"]["ae_keeps_more_strokes"]["verdict"] == SUPPORTED
    assert "`ae_keeps_more_strokes` | **supported** (kept_strokes)" in markdown(matrix)


def test_a_new_measure_joins_no_existing_claim_unless_a_claim_names_it(toy):
    assert all("kept_strokes" not in claim.measures for claim in claims.CLAIMS if claim is not TOY_CLAIM)
    assert claims.by_key()["ae_separates_best"].measures == ("silhouette", "knn_accuracy", "probe_accuracy")


def test_a_new_separation_measure_reaches_the_docs_table_and_no_claim(monkeypatch):
    """A measure declared in latentspace/measures/separation.py's MEASURES gets its column in docs/separation.md's table
    (headline.separation_table, from its heading and decimals; – where the committed metrics lack it), and
    joins no claim until a claim names it."""
    from latentspace.measures import separation
    from latentspace.tools import headline

    dummy = Measure("same_class_share", "same-class share", "separation", claims=True, heading="same class",
                    larger_is_better=False, decimals=2)
    monkeypatch.setattr(separation, "MEASURES", separation.MEASURES + (dummy,))
    header, _, first = headline.separation_table().split("\n")[:3]
    assert header.endswith("| k-means NMI | same class ↓ |") and first.endswith("| – |")
    assert all("same_class_share" not in claim.measures for claim in claims.CLAIMS)


def test_every_claim_decides_on_measures_of_one_family_that_decide_claims():
    for claim in claims.CLAIMS:
        assert len({families.family_of(name).kind for name in claim.measures}) == 1, claim.key
        assert set(claim.measures) <= set(families.family_of(claim.measures[0]).claim_measures()), claim.key


def test_each_family_declares_measures_of_its_own_kind_named_once():
    names = [m.name for family in families.FAMILIES for m in family.measures]
    assert len(names) == len(set(names))
    assert all(m.kind == family.kind for family in families.FAMILIES for m in family.measures)


class Corner(samplers.Sampler):
    """A dummy sampler: every draw is the code (3, 3, …), and every code is as likely as N(0, I) makes the
    origin."""

    name, label = "corner", "a corner"

    def draw(self, n, seed):
        return np.full((n, self.dimensions), 3.0, np.float32)

    def log_density(self, codes):
        return np.full(len(codes), samplers.standard_normal_log_density(np.zeros((1, self.dimensions)))[0])


@pytest.fixture
def dummy_sampler(monkeypatch):
    monkeypatch.setattr(samplers, "SAMPLERS", samplers.SAMPLERS + (Corner,))


def test_a_new_sampler_is_drawn_claimed_reported_and_swept(dummy_sampler):
    from latentspace.models import fits
    from latentspace.tools import pipeline

    fitted = Corner().fit(np.zeros((5, 4)), seed=0, settings={})
    assert fitted.draw(3, seed=1).tolist() == [[3.0] * 4] * 3

    # it is a stage of its own for each model (dvc.yaml's matrix), fitted and drawn by the samplers stage's function,
    # and a candidate for the best ex-post sampler (its log-density beats the others' on these codes)
    assert "      sampler: [prior, mixture, bic_mixture, flow, two_stage, corner]" in pipeline.stage_text("samplers")
    rng = np.random.default_rng(0)
    codes = {"codes_train": rng.normal(size=(200, 2)), "codes_val": rng.normal(size=(50, 2))}
    settings = helpers.generation_settings(num_samples=8, mixture_components=2, bic_max_components=2)
    fits_ = {name: fits.fit_sampler(name, codes, settings, seed=0) for name in ("prior", "mixture", "corner")}
    assert fits_["corner"].codes.tolist() == [[3.0, 3.0]] * 8 and fits.best(fits_) == "corner"

    # every sampler is measured against every other side; hypothesis (a) names the mixture, as the issue decides
    compared = [(a, b) for a, b, _ in contrasts.pairs(["vae"], [s.name for s in samplers.SAMPLERS])]
    assert (Side("vae", "mixture"), Side("vae", "corner")) in compared
    assert Side.parse("conv_vae@corner") == Side("conv_vae", "corner") and Side.parse("conv_vae") == Side("conv_vae")

    numbers = {"confidence": 0.5, "class_entropy": 1.0, "inception_score": 2.0, "frechet_distance": 9.0,
               "precision": 0.5, "recall": 0.5}
    generation = {"vae": {"prior": numbers, "mixture": numbers, "corner": {**numbers, "frechet_distance": 1.0},
                          "centroids": {"accuracy": 1.0}, "reconstructions": {"accuracy": 1.0}}}
    page = report_sections.generation_section(generation, {"eval_accuracy": 0.9, "real": numbers})
    assert "<th>VAE, a corner</th>" in page and "<td><b>1.00</b></td>" in page  # its Fréchet distance is the best
    assert ("metrics/generation/{model}.json", "corner.frechet_distance", "corner_frechet_distance") \
        in sweep_runs.key_metrics()


@pytest.mark.parametrize("template", ["losses", "overlay"])
def test_the_chart_templates_name_the_declared_loss_terms(template):
    spec = json.loads((ROOT / ".dvc" / "plots" / f"{template}.json").read_text(encoding="utf-8"))
    (fold,) = [step["fold"] for step in spec["transform"] if "fold" in step]
    (labels,) = [step["calculate"] for step in spec["transform"] if step.get("as") == "term"]
    assert fold == loss_terms.vega_fold()
    assert labels == loss_terms.vega_labels()
    assert spec["encoding"]["column"]["sort"] == list(loss_terms.labels().values())
