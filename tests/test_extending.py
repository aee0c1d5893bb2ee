"""Each kind of thing is declared once and every consumer reads it: a dummy separation score and a
dummy sampler, added where their kind is declared, reach the claims, the report and the sweep page;
the loss terms' names reach DVC's chart templates."""

import json

import numpy as np
import pytest

from helpers import ROOT
from latentspace import claims, contrasts, loss_terms, report, samplers, separation
from latentspace.contrasts import Side
from latentspace.verdicts import SUPPORTED
from latentspace.measures import SEPARATION, Measure
from latentspace.params import SCHEMA
from latentspace.tools import sweep

# A per-digit score whose answer is known: the share of the training codes that have the digit's class.
DUMMY_SCORE = Measure("same_class_share", "same-class share", SEPARATION, claims=True,
                      compute=lambda c: np.array([np.mean(c.train_labels == label) for label in c.eval_labels]))


class Corner(samplers.Sampler):
    """A dummy sampler: every draw is the code (3, 3, …)."""

    name, label = "corner", "a corner"

    def draw(self, n, seed):
        return np.full((n, self.dimensions), 3.0, np.float32)


@pytest.fixture
def dummy_score(monkeypatch):
    monkeypatch.setattr(separation, "MEASURES", separation.MEASURES + (DUMMY_SCORE,))


@pytest.fixture
def dummy_sampler(monkeypatch):
    monkeypatch.setattr(samplers, "SAMPLERS", samplers.SAMPLERS + (Corner,))


def codes(labels_train, labels_eval):
    rng = np.random.default_rng(0)
    return separation.Codes(rng.normal(size=(len(labels_train), 3)), np.asarray(labels_train),
                            rng.normal(size=(len(labels_eval), 3)), np.asarray(labels_eval), neighbours=1, seed=0)


def test_a_new_separation_score_is_computed_compared_reported_and_swept(dummy_score):
    result, values = separation.scores(codes([0] * 10 + [1] * 10, [0, 1] * 20), resamples=20, level=0.9)
    assert result["same_class_share"] == {"value": 0.5, "low": 0.5, "high": 0.5}  # half the training codes each
    assert values["same_class_share"].shape == (40,)

    best = claims.by_key()["ae_separates_best"]
    assert best.measures[0] == "silhouette" and "same_class_share" in best.measures  # an agreement column
    kept = {"ae": {name: np.ones(50) for name in best.measures},
            "vae": {**{name: np.ones(50) for name in best.measures}, "same_class_share": np.full(50, 0.5)}}
    measured = contrasts.measure([(Side("ae"), Side("vae"), best.measures)], kept, resamples=50, level=0.9, seed=0)
    decided = claims.decide(best, measured, margins=dict.fromkeys(best.measures, 0.01))
    assert decided["comparisons"]["ae vs vae"]["same_class_share"]["verdict"] == SUPPORTED
    assert decided["agreement"]["same_class_share"] == "not measured"  # the AE against the conv VAE is not

    page = report.separation_section({"ae": result}, {}, 0.9, 1)
    assert "<th>same-class share</th>" in page
    assert ("metrics/separation/{model}.json", "same_class_share.value", "same_class_share") in sweep.key_metrics()
    # the schema must gain its margin: the test that holds claims.margins.* to the measures says so
    assert "claims.margins.same_class_share" not in SCHEMA
    assert "same_class_share" in claims.measures_with_margins()


def test_a_new_sampler_is_drawn_claimed_reported_and_swept(dummy_sampler):
    fitted = Corner().fit(np.zeros((5, 4)), seed=0, settings={})
    assert fitted.draw(3, seed=1).tolist() == [[3.0] * 4] * 3

    # every sampler is measured against every other side; hypothesis (a) names the mixture, as the issue decides
    compared = [(a, b) for a, b, _ in contrasts.pairs(["vae"], [s.name for s in samplers.SAMPLERS])]
    assert (Side("vae", "mixture"), Side("vae", "corner")) in compared
    assert Side.parse("conv_vae@corner") == Side("conv_vae", "corner") and Side.parse("conv_vae") == Side("conv_vae")

    numbers = {"confidence": 0.5, "class_entropy": 1.0, "inception_score": 2.0, "frechet_distance": 9.0,
               "precision": 0.5, "recall": 0.5}
    generation = {"vae": {"prior": numbers, "mixture": numbers, "corner": {**numbers, "frechet_distance": 1.0},
                          "centroids": {"accuracy": 1.0}, "reconstructions": {"accuracy": 1.0}}}
    page = report.generation_section(generation, {"eval_accuracy": 0.9, "real": numbers})
    assert "<th>VAE, a corner</th>" in page and "<td><b>1.00</b></td>" in page  # its Fréchet distance is the best
    assert ("metrics/generation/{model}.json", "corner.frechet_distance", "corner_frechet_distance") \
        in sweep.key_metrics()


@pytest.mark.parametrize("template", ["losses", "overlay"])
def test_the_chart_templates_name_the_declared_loss_terms(template):
    spec = json.loads((ROOT / ".dvc" / "plots" / f"{template}.json").read_text(encoding="utf-8"))
    (fold,) = [step["fold"] for step in spec["transform"] if "fold" in step]
    (labels,) = [step["calculate"] for step in spec["transform"] if step.get("as") == "term"]
    assert fold == loss_terms.vega_fold()
    assert labels == loss_terms.vega_labels()
    assert spec["encoding"]["column"]["sort"] == list(loss_terms.labels().values())
