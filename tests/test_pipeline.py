"""The real pipeline: ``dvc repro`` on tiny params in a temporary git repository.

All in the slow tier (``pytest -m slow``: the tiny run alone takes about seven minutes on 2 cores). The
tests that read what the shared ``reproduced`` run left come first; then those that change params and
rerun, run or queue experiments, use remotes, SSH or a browser, each on its ``own_copy`` of the project,
so no test depends on another's order.
"""

import csv
import json
import math
import re
import subprocess
import sys

from latentspace.tools import browser
import numpy as np
import pytest
import sshd

from latentspace.pages.comparison import FIGURES
from latentspace.core.outputs import load_arrays

from helpers import dvc_in, run, set_key, stages_ran, subprocess_env, tiny_params

pytestmark = pytest.mark.slow

MODELS = ("ae", "vae", "conv_vae", "class_vae", "vamp_vae", "wide_vae")
FITTED = ("prior", "mixture", "bic_mixture", "flow", "two_stage")  # the samplers a stage each (latentspace.models.samplers)
CHAIN = ("train", "codes", "tsne", "separation", "units", "likelihood", "generation", "fidelity", "factors")  # a model


def chain(model: str) -> list[str]:
    """The stages one model's section runs: its chain and its samplers' fits."""
    return [f"{stage}@{model}" for stage in CHAIN] + [f"samplers@{model}-{sampler}" for sampler in FITTED]


GATHER = ["contrasts", "claims", "compare", "explore", "report"]
ALL_STAGES = ["download", "baselines", "judge", "copies", "morphometry", *(s for m in MODELS for s in chain(m)), *GATHER]
SEPARATION = ("silhouette", "knn_accuracy", "probe_accuracy", "trustworthiness", "davies_bouldin",
              "calinski_harabasz", "kmeans_ari", "kmeans_nmi")
CLAIMS = ("reconstructions_are_digits", "ae_ok_from_known_codes", "ae_poor_from_the_prior", "centroids_nice",
          "centroids_are_digits", "ae_latent_space_has_holes", "centroid_is_a_valid_image", "ae_prior_draws_not_digits",
          "ae_draws_not_digits", "vae_draws_like_numbers", "decoder_not_powerful_enough", "vae_draws_too_naive",
          "better_models_better_draws", "conv_vae_a_bit_better", "conv_vae_improves_generation", "no_clear_improvement",
          "conv_vae_draws_more_like_digits", "better_prior_helps", "best_sampler_helps", "learned_prior_helps",
          "vaes_separate_clearly", "vaes_not_better_than_ae", "class_term_helps",
          "classes_not_far_apart", "no_big_differences_expected", "ae_expected_to_separate_better", "ae_separates_best",
          "conv_vae_silhouette_higher", "conv_vae_separates_no_better", "conv_vae_draws_beat_ae",
          "class_vae_separates_better_than_ae", "vae_units_disentangle_better", "vae_fewer_holes_than_ae",
          "mixture_draws_shaped_like_digits", "no_sampler_beats_the_chosen_one", "learned_prior_beats_the_best_ex_post",
          "learned_prior_raises_the_bound", "bigger_decoder_raises_the_bound", "draws_are_not_copies",
          "codes_depart_from_the_prior")
OUTPUTS = [
    "data/digits.npz", "data/dataset.npz", "data/codes/ae.npz", "data/decoded/vae.npz", "data/tsne/conv_vae.npz",
    "data/separation/vae.npz", "models/ae/encoder.keras", "models/vae/decoder.keras",
    "models/conv_vae/encoder.keras", "models/class_vae/encoder.keras", "metrics/train/ae.json",
    "metrics/train/vae.json", "metrics/train/conv_vae.json", "metrics/train/class_vae.json",
    "metrics/separation/ae.json", "metrics/separation/class_vae.json", "metrics/units/vae.json",
    "metrics/likelihood/vae.json", "metrics/likelihood/ae.json",
    "metrics/units/ae.json", "metrics/baselines.json", "metrics/contrasts.json", "metrics/claims.json",
    "data/fidelity/ae.npz",
    "plots/curves/ae.csv", "plots/curves/vae.csv", "plots/curves/conv_vae.csv", "plots/curves/class_vae.csv",
    "plots/losses.csv", *(f"plots/compare/{figure.name}.png" for figure in FIGURES), "plots/tsne/vae.csv",
    "plots/silhouette/ae.png", "plots/silhouette/vae.png",
    "plots/silhouette/conv_vae.png", "plots/silhouette/class_vae.png", "report/index.html", "report/explore.html",
    "plots/traversals/ae.png", "plots/traversals/conv_vae.png",
    "models/judge.keras", "data/judge.npz", "metrics/judge.json", "metrics/generation/ae.json",
    "metrics/generation/conv_vae.json", "data/samples/vae.npz", "plots/samples/conv_vae.png",
    "data/morphometry.npz", "data/factors/vae.npz", "metrics/factors/ae.json", "metrics/factors/class_vae.json",
    "plots/factors/conv_vae.png", "data/copies.npz", "data/samplers/vamp_vae/flow.npz",
    "metrics/samplers/vae/bic_mixture.json", "models/vamp_vae/pseudo_inputs.npy", "metrics/likelihood/wide_vae.json",
]


def test_a_full_repro_runs_every_stage_and_leaves_every_output(reproduced):
    assert sorted(reproduced.ran_first) == sorted(ALL_STAGES)
    for path in OUTPUTS:
        assert (reproduced.path / path).is_file(), path
    assert "up to date" in reproduced.dvc("status").stdout


def _dropped_by_dvc(value, where: str) -> list[str]:
    """The places in a metrics file that ``dvc exp show`` and ``dvc metrics diff`` leave out: lists, nulls and
    empty objects."""
    if isinstance(value, dict):
        if not value:
            return [where]
        return [found for key, inner in value.items() for found in _dropped_by_dvc(inner, f"{where}.{key}")]
    return [where] if value is None or isinstance(value, list) else []


def test_every_metrics_file_holds_only_what_dvc_shows(reproduced):
    """Numbers, strings and booleans in objects: an experiment's metrics (``dvc exp show --json``, what the
    study records) must equal the file, and DVC drops lists, nulls and empty objects from them."""
    files = sorted((reproduced.path / "metrics").rglob("*.json"))
    assert len(files) >= 4 * 6
    dropped = [found for path in files
               for found in _dropped_by_dvc(json.loads(path.read_text()), str(path.relative_to(reproduced.path)))]
    assert not dropped, dropped


def test_training_metrics_and_curves_hold_the_losses_and_parameter_counts(reproduced):
    ae = json.loads((reproduced.path / "metrics/train/ae.json").read_text())
    assert set(ae) == {"loss", "val_loss", "epochs", "parameters"}
    assert ae["epochs"] == 1 and ae["parameters"] == {"encoder": 238_510, "decoder": 239_284}
    for model in ("vae", "conv_vae"):
        m = json.loads((reproduced.path / f"metrics/train/{model}.json").read_text())
        assert abs(m["val_loss"] - m["val_reconst_loss"] - m["val_diverg_loss"]) < 1e-3
        assert m["val_diverg_loss"] >= 0 and 0 < m["val_reconst_loss"] < 784 * 0.7  # below BCE of p = 0.5
        lines = (reproduced.path / f"plots/curves/{model}.csv").read_text().splitlines()
        header, last = lines[0], lines[-1]
        assert header.split(",") == ["epoch", "loss", "reconst_loss", "diverg_loss", "val_loss", "val_reconst_loss",
                                     "val_diverg_loss"]
        assert float(last.split(",")[4]) == m["val_loss"]  # the curve ends where the metrics say
    m = json.loads((reproduced.path / "metrics/train/class_vae.json").read_text())
    assert m["val_loss"] == pytest.approx(m["val_reconst_loss"] + m["val_diverg_loss"] + m["val_class_loss"], rel=1e-6)
    assert m["val_class_loss"] > 0 and 0 <= m["val_class_accuracy"] <= 1
    header = (reproduced.path / "plots/curves/class_vae.csv").read_text().splitlines()[0]
    assert header.split(",") == ["epoch", "loss", "reconst_loss", "diverg_loss", "class_loss", "val_loss",
                                 "val_reconst_loss", "val_diverg_loss", "val_class_loss"]


def test_separation_units_baselines_and_claims_are_metrics_with_intervals(reproduced):
    shown = json.loads(reproduced.dvc("metrics", "show", "--json").stdout)
    (workspace,) = [entry["data"] for entry in shown.values()]
    for model in MODELS:
        scores = workspace[f"metrics/separation/{model}.json"]["data"]
        assert set(scores) == set(SEPARATION)
        for name, s in scores.items():
            assert s["low"] <= s["high"], name
            if name in ("silhouette", "knn_accuracy", "probe_accuracy", "trustworthiness"):  # means of per-digit values
                assert s["low"] <= s["value"] <= s["high"], name
        assert -1 <= scores["silhouette"]["value"] <= 1 and 0 <= scores["trustworthiness"]["value"] <= 1
        units = workspace[f"metrics/units/{model}.json"]["data"]
        assert 0 <= units["active_units"] <= units["dimensions"] == 10
        if model != "ae":  # the KL per dimension adds up to the KL term of the loss (evaluation digits here)
            assert sum(units["kl_per_dimension"].values()) == pytest.approx(units["kl"]) and units["kl"] > 0
    baselines = workspace["metrics/baselines.json"]["data"]
    assert set(baselines) == {"pixels", "pca"} and set(baselines["pca"]) == set(SEPARATION) - {"trustworthiness"}
    claims = workspace["metrics/claims.json"]["data"]
    assert list(claims) == list(CLAIMS)
    for claim in claims.values():  # every claim measured: a verdict of its first measure and of each agreement column
        assert claim["verdict"] in ("supported", "not supported", "inconclusive")
        # a claim with no agreement measure (the prior gap) has none: dvc metrics show drops the empty mapping
        assert set(claim.get("agreement", {}).values()) <= {"supported", "not supported", "inconclusive"}
        comparisons = claim["comparisons"]
        assert comparisons and all(m["low"] <= m["high"] for c in comparisons.values() for m in c.values())
    assert set(claims["better_prior_helps"]["comparisons"]) == {"vae@mixture vs vae@prior",
                                                                "conv_vae@mixture vs conv_vae@prior"}
    contrasts = workspace["metrics/contrasts.json"]["data"]
    # pairs of 6 models, each model against 2 places on the silhouette's scale and each VAE against the prior itself;
    # pairs of their 36 (model, sampler) sides that share a model (6 × 15) or a sampler (6 × 15), or are one model's
    # prior against another's best (30); each model's held-out codes against its 6 samplers' draws (holes); each side
    # against the real digits, and 2 judged kinds a model
    assert len(contrasts) == 15 + 12 + 5 + 90 + 90 + 30 + 36 + 36 + 12
    assert set(contrasts["ae@codes vs ae@prior"]) == {"holes"} and "coverage" in contrasts["vae@prior vs real digits"]
    assert set(contrasts["vae@reconstructions vs real digits"]) == {"identified", "judged_accuracy", "judged_confidence"}
    assert set(contrasts["vae@centroids vs real digits"]) == {"judged_accuracy", "judged_confidence"}
    assert "iwae" in contrasts["vae vs conv_vae"] and "iwae" not in contrasts["ae vs vae"]  # the AE has no posterior
    assert set(contrasts["ae vs vae"]) >= {"silhouette", "mig", "sap"} and "ae vs the prior" not in contrasts
    assert contrasts["vae vs the prior"]["prior_gap"]["difference"] == pytest.approx(
        workspace["metrics/factors/vae.json"]["data"]["prior_gap"]["value"])
    assert contrasts["ae vs vae"]["silhouette"]["difference"] == pytest.approx(
        workspace["metrics/separation/ae.json"]["data"]["silhouette"]["value"]
        - workspace["metrics/separation/vae.json"]["data"]["silhouette"]["value"])


def test_what_the_units_encode_is_measured_for_every_model(reproduced):
    """Every model: MIG and SAP in [0, 1] with their intervals, a DCI fit, each unit's mutual information and
    traversal effects on the six factors and the class, each sampler's draws against the real digits and the
    reconstructions; a prior gap for the VAEs only; and the evaluation digits' factors measured once."""
    shapes = load_arrays(reproduced.path / "data/morphometry.npz", ("labels", "area", "thickness", "slant"))
    assert len(shapes["labels"]) == 60 and np.all(shapes["area"] > 0)
    for model in MODELS:
        found = json.loads((reproduced.path / f"metrics/factors/{model}.json").read_text())
        factors = ["area", "length", "thickness", "slant", "width", "height"]
        assert found["strokes"] and list(found["per_factor"]) == [*factors, "class"]
        for score in ("mig", "sap"):
            assert 0 <= found[score]["low"] <= found[score]["high"] <= 1, (model, score)
        assert 0 <= found["dci"]["disentanglement"] <= 1 and set(found["dci"]["informativeness"]) == {
            *factors, "class"}
        assert len(found["units"]) == 10 and all(set(u["moves"]) == set(factors) for u in found["units"].values())
        assert set(found["distances"]) == {"reconstructions", *FITTED, "best"}
        assert found["distances"]["prior"]["to_reconstructions"]["mean"]["value"] >= 0
        assert ("prior_gap" in found) == (model != "ae"), model


def test_each_vae_has_an_iwae_bound_with_an_interval_above_its_elbo_and_the_ae_none(reproduced):
    for model in ("vae", "conv_vae", "class_vae"):
        n = json.loads((reproduced.path / f"metrics/likelihood/{model}.json").read_text())
        for bound in ("iwae", "elbo"):
            assert n[bound]["low"] <= n[bound]["value"] <= n[bound]["high"] < 0, (model, n)
        assert n["iwae"]["value"] >= n["elbo"]["value"], (model, n)  # the IWAE bound is the tighter one
        assert n["samples"] == 4 and n["check"]["samples"] == 16 and math.isfinite(n["check"]["change"])
        assert n["iwae"]["value"] > -784 * math.log(2) * 2  # far better than a coin a pixel, even after one epoch
    assert "iwae" not in json.loads((reproduced.path / "metrics/likelihood/ae.json").read_text())  # no posterior


def test_generation_metrics_for_every_model_and_sampler_are_in_range(reproduced):
    judge = json.loads((reproduced.path / "metrics/judge.json").read_text())
    assert 0 <= judge["eval_accuracy"] <= 1 and judge["real"]["frechet_distance"] >= 0
    shown = json.loads(reproduced.dvc("metrics", "show", "--json").stdout)
    (workspace,) = [entry["data"] for entry in shown.values()]
    for model in MODELS:
        metrics = workspace["metrics/generation/" + model + ".json"]["data"]
        assert metrics["best_sampler"]["sampler"] in FITTED[1:] and set(metrics["best_sampler"]["val_log_density"]) == set(FITTED)
        for sampler in (*FITTED, "best"):
            m = metrics[sampler]
            assert 0 <= m["copy_score"] <= 1 and 0 <= m["authenticity"] <= 1
            assert 0 <= m["class_entropy"] <= math.log(10) + 1e-9 and 1 - 1e-9 <= m["inception_score"] <= 10
            assert 0.1 - 1e-9 <= m["confidence"] <= 1 and m["frechet_distance"] >= 0
            assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
        assert 0 <= metrics["centroids"]["accuracy"] <= 1 and 0 <= metrics["reconstructions"]["accuracy"] <= 1
    samples = load_arrays(reproduced.path / "data/samples/vae.npz", ("prior", "mixture"))
    assert samples["prior"].shape == samples["mixture"].shape == (60, 28, 28, 1)


def test_the_copies_stage_sees_the_training_digits_as_the_judge_sees_every_digit(reproduced):
    """data/copies.npz's training features are the judge's features of the training digits as every other digit is
    shown to it (float in [0, 1]), and the distances it keeps are those of the judge stage's features."""
    from latentspace.data.digits import load_split
    from latentspace.measures import copying
    from latentspace.measures.judge import judge
    from latentspace.models import runtime

    runtime.start()
    train, reference = copying.load(reproduced.path / "data/copies.npz")
    images = load_split(load_arrays(reproduced.path / "data/dataset.npz", ("x_train", "y_train")), "train")[0]
    found = judge(runtime.load_model(reproduced.path / "models/judge.keras"), images[:20])[1]
    np.testing.assert_allclose(found, train[:20], rtol=1e-5, atol=1e-5)
    real = load_arrays(reproduced.path / "data/judge.npz", ("features_val",))["features_val"]
    np.testing.assert_allclose(copying.nearest(real, train)[0], reference.validation, rtol=1e-6)


def test_the_report_shows_params_metrics_sentences_and_every_figure(reproduced):
    page = (reproduced.path / "report/index.html").read_text()
    # curves, 3 decodings, interpolation, units, t-SNE, generation; a model: silhouette, samples, traversal, units × factors
    assert page.count("data:image/png;base64,") == 8 + 4 * len(MODELS)
    assert "<h2>What the units encode</h2>" in page and "Morpho-MNIST" in page and "KL(q(z) ‖ N(0, I))" in page
    assert '<a href="explore.html"><b>Open the explorer</b></a>' in page  # the explorer, beside the report
    assert '<a href="../study/index.html">the study page</a>' in page  # the study's matrix, then this run's table
    assert "<h2>Generation</h2>" in page and "real digits (validation against evaluation)" in page
    assert "<h2>Separation</h2>" in page and "raw pixels (baseline)" in page and "<h2>Latent units</h2>" in page
    assert len(re.findall(r'rowspan="\d+" class="claim"', page)) == len(CLAIMS)  # each claim with its sentence:
    assert "3.4.2 (finding) <q>The standard auto-encoder performs best in the clustering task than the VAE models.</q>" in page
    assert "rule: not better (H0: Δ ≥ δ · H1: Δ &lt; δ)" in page and "This study: " in page
    assert "one-sided test at α = 2.5%" in page and "that no number of this run decides" in page
    from latentspace.pages.page_parts import PAGE_POLICY

    assert PAGE_POLICY in page and "<script" not in page  # no script runs in the report
    assert page.count("<td><b>") >= 6  # the best of each generation column is marked
    assert "separate the classes best by silhouette score" in page
    assert "The original study (full MNIST, 50,000 training digits" in page
    assert "tsne.perplexity" in page and "<td>10</td>" in page  # params, and the perplexity's value
    assert "models.conv_vae.beta" in page and "Conv VAE" in page
    vae = json.loads((reproduced.path / "metrics/separation/vae.json").read_text())["silhouette"]["value"]
    assert f"{vae:.4f}" in page


def test_dvc_plots_show_draws_a_chart_a_model_and_one_that_overlays_them(reproduced):
    plots = json.loads(reproduced.dvc("plots", "show", "--json").stdout)["data"]
    for model in MODELS:
        chart = plots[f"plots/curves/{model}.csv"][0]["content"]
        assert chart["encoding"]["column"]["field"] == "term"  # our template: total, reconstruction, β·KL
        assert [row["epoch"] for row in chart["data"]["values"]] == ["1"]
    overlay = plots["plots/losses.csv"][0]["content"]
    assert overlay["encoding"]["color"]["field"] == "model"
    assert sorted(row["model"] for row in overlay["data"]["values"]) == sorted(MODELS)  # 1 epoch each
    assert plots["plots/compare/prior.png"][0]["type"] == "image"
    for model in MODELS:  # each t-SNE map a data series: x, y and the digit, for plots diff between revisions
        tsne = plots[f"plots/tsne/{model}.csv"][0]["content"]
        assert tsne["encoding"]["color"]["field"] == "digit" and len(tsne["data"]["values"]) == 60
    charts = [name for name, entries in plots.items() if entries and entries[0]["type"] == "vega"]
    assert len(charts) == 2 * len(MODELS) + 1  # a loss chart and a map a model, and the overlay


# runs eight stages again, a minute on 2 cores; test_dvc_yaml checks their imports statically
def test_stages_that_neither_train_nor_decode_do_not_import_tensorflow(own_copy):
    probe = ("import runpy, sys; sys.argv = sys.argv[1:]; sys.path.insert(0, '.'); "
             "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True); "
             "heavy = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules); assert not heavy, heavy")
    stages = own_copy.stages()
    for name in ("download", "baselines", "tsne@vae", "separation@vae", "units@vae", "claims", "compare", "report"):
        command = stages[name].cmd.split()
        assert command[:3] == ["python3", "-m", f"stages.{name.split('@')[0]}"]
        run([sys.executable, "-c", probe, *command[2:]], cwd=own_copy.path,
            env_extra={"DVC_STAGE": name, "DVC_ROOT": str(own_copy.path)})
    assert "up to date" in own_copy.dvc("status").stdout  # the outputs were rewritten identically


MAPS = sorted([f"tsne@{m}" for m in MODELS] + [f"separation@{m}" for m in MODELS] + GATHER)  # trustworthiness


def test_changing_perplexity_reruns_the_maps_their_scores_and_the_gathering_stages_only(own_copy):
    own_copy.write_params(set_key(tiny_params(), "tsne.perplexity", 12))
    assert sorted(own_copy.repro()) == MAPS
    own_copy.write_params(tiny_params())  # back: restored from the run cache, nothing reruns
    assert own_copy.repro() == []
    assert "up to date" in own_copy.dvc("status").stdout


def test_images_that_are_not_strokes_get_the_shape_factors_only(own_copy):
    """factors.strokes: false (Fashion-MNIST's clothes): the digits are measured again and every model's factors
    rescored on area, slant, width and height without an error, nothing retrained; the report says what is left out."""
    own_copy.write_params(set_key(tiny_params(), "factors.strokes", False))
    ran = own_copy.repro()
    assert "morphometry" in ran and {f"factors@{m}" for m in MODELS} <= set(ran)
    assert not [stage for stage in ran if stage.startswith(("train@", "codes@", "generation@"))]
    found = json.loads((own_copy.path / "metrics/factors/vae.json").read_text())
    assert list(found["per_factor"]) == ["area", "slant", "width", "height", "class"] and not found["strokes"]
    assert set(found["dci"]["informativeness"]) == {"area", "slant", "width", "height", "class"}
    report = (own_copy.path / "report/index.html").read_text()
    assert "stroke length and stroke thickness are not measured" in report


def test_another_model_seed_and_training_size_keep_the_judge_and_the_measured_digits(own_copy):
    """One instrument a dataset: with the split seed fixed, a point of another model seed and training size
    retrains the models but neither the judge nor the morphometry (data/digits.npz is the same file)."""
    import yaml

    def locked(path):
        lock = yaml.safe_load((own_copy.path / "dvc.lock").read_text())["stages"]
        return next(out["md5"] for stage in lock.values() for out in stage.get("outs", []) if out["path"] == path)

    before = {path: locked(path) for path in ("models/judge.keras", "data/digits.npz", "data/dataset.npz")}
    tree = tiny_params()
    tree = set_key(set_key(tree, "data.split_seed", tree["seed"]), "data.train_size", 100)
    own_copy.write_params(set_key(tree, "seed", 7))
    ran = own_copy.repro("train@vae", "judge", "morphometry")  # a model's training and the two instruments
    assert "download" in ran and "train@vae" in ran and not {"judge", "morphometry"} & set(ran)
    assert locked("models/judge.keras") == before["models/judge.keras"]
    assert locked("data/digits.npz") == before["data/digits.npz"] != locked("data/dataset.npz")


def test_changing_vae_beta_reruns_exactly_the_vae_chain_and_metrics_diff_shows_it(own_copy):
    own_copy.write_params(set_key(tiny_params(), "models.vae.beta", 4.0))
    ran = own_copy.repro()
    assert sorted(ran) == sorted(chain("vae") + GATHER)
    own_copy.commit("models.vae.beta = 4")
    diff = json.loads(own_copy.dvc("metrics", "diff", "HEAD~1", "--json").stdout)
    assert "val_loss" in diff["metrics/train/vae.json"] and "silhouette.value" in diff["metrics/separation/vae.json"]
    assert "prior.frechet_distance" in diff["metrics/generation/vae.json"]
    assert "class_term_helps.comparisons.class_vae vs vae.silhouette.difference" in diff["metrics/claims.json"]
    assert "ae vs vae.silhouette.difference" in diff["metrics/contrasts.json"]
    assert not {"metrics/train/ae.json", "metrics/train/conv_vae.json", "metrics/generation/ae.json",
                "metrics/train/class_vae.json", "metrics/judge.json", "metrics/baselines.json"} & set(diff)
    change = json.loads(own_copy.dvc("params", "diff", "HEAD~1", "--json").stdout)["params.yaml"]
    assert (change["models.vae.beta"]["old"], change["models.vae.beta"]["new"]) == (1.0, 4.0)
    own_copy.write_params(tiny_params())
    assert not {f"train@{m}" for m in MODELS} & set(own_copy.repro())  # run cache


def test_plots_diff_in_a_fresh_clone_shows_both_revisions_curves(own_copy, tmp_path):
    """No DVC cache, no remote: the curves are in git, so both revisions are there."""
    own_copy.write_params(set_key(tiny_params(), "models.vae.beta", 2.0))
    own_copy.repro("compare")  # the curves, and the stage that overlays them
    own_copy.commit("models.vae.beta = 2")
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(own_copy.path), str(clone)], cwd=tmp_path)
    assert not (clone / ".dvc" / "cache").exists()
    charts = json.loads(dvc_in(clone)("plots", "diff", "HEAD~1", "HEAD", "--json").stdout)["data"]
    rows = charts["plots/curves/vae.csv"][0]["content"]["data"]["values"]
    by_rev = {}
    for row in rows:
        by_rev.setdefault(row["rev"], row["val_loss"])
    assert len(by_rev) == 2 and len(set(by_rev.values())) == 2, by_rev  # two revisions, two different curves
    overlay = charts["plots/losses.csv"][0]["content"]["data"]["values"]
    assert {row["rev"] for row in overlay} == set(by_rev)


def test_an_experiment_in_a_temporary_copy_reads_its_own_params(own_copy):
    """``dvc exp run --temp`` (like a queued experiment) runs the stages in a copy under .dvc/tmp/exps."""
    output = own_copy.dvc("exp", "run", "--temp", "-n", "perplexity11", "-S", "tsne.perplexity=11").stdout
    assert sorted(stages_ran(output)) == MAPS
    shown = json.loads(own_copy.dvc("exp", "show", "--json").stdout)
    names = [exp.get("name") for entry in shown for exp in entry.get("experiments") or []]
    assert "perplexity11" in names
    from latentspace.tools import over_seeds  # reads the verdicts of every run the way `dvc exp show --json` nests them

    found = {run["name"]: run for run in over_seeds.runs(shown)}
    assert "perplexity11" in found and found["perplexity11"]["params"]["tsne.perplexity"] == 11
    assert "vae vs class_vae" in found["perplexity11"]["measurements"]  # each pair once, in params.yaml's order
    assert over_seeds.seed_groups(list(found.values())) == []  # they differ in perplexity, not in seed


def _experiments(where) -> dict:
    """``{experiment name: run}`` of ``dvc exp show --json`` in ``where`` (latentspace.tools.experiments.all_runs)."""
    from latentspace.tools.experiments import all_runs

    done = dvc_in(where)("exp", "show", "--json")
    return {r["name"]: r for r in all_runs(json.loads(done.stdout)) if r["baseline"]}


def _queue_states(where, names) -> dict:
    """``{name: status}`` ("Queued", "Running", "Success", "Failed") of the experiments ``names`` as
    ``dvc queue status`` lists them, as docs/sweeps.md "Sweeps" says to poll; a name it does not list maps to None.

    ``dvc exp show`` is no poll while workers run: it can meet a worker's temporary copy half made or half
    removed and fail, or read a blob of a commit a worker is replacing, where pygit2's BlobIO waits forever
    (its writer thread raised "object not found"; CI, 2026-12-06). ``queue status`` reads the queue and the
    commits' times only; a poll that fails or takes more than two minutes counts as no answer (all None)."""
    try:
        done = run([sys.executable, "-m", "dvc", "queue", "status"], cwd=where, check=False, timeout=120)
    except subprocess.TimeoutExpired:
        return dict.fromkeys(names)
    if done.returncode != 0:
        return dict.fromkeys(names)
    rows = [line.split() for line in done.stdout.splitlines()]
    return {name: next((row[-1] for row in rows if len(row) >= 3 and row[1] == name), None) for name in names}


def test_a_queued_sweep_run_two_at_a_time_equals_dvc_repro_and_the_comparison_page_lists_it(own_copy, tmp_path):
    """docs/sweeps.md "Sweeps": two experiments queued, ``dvc queue start -j 2`` (they run side by side); each
    trains (the AE's width) with the thread count fixed by ``compute.threads``, so its numbers equal a
    plain ``dvc repro`` of the same params; ``python3 -m latentspace.tools.sweep`` puts both on one page.
    The runs reproduce ``separation@ae`` (the AE's training, codes and separation), not every stage after it."""
    import time

    from latentspace.tools import sweep

    widths, target = {f"ae-width{w}": w for w in (20, 40)}, "separation@ae"
    for name, width in widths.items():
        own_copy.dvc("exp", "run", "--queue", "-n", name, "-S", f"models.ae.hidden_units={width}", target)
    # The workers are daemons that keep the stdout they inherit: with output captured, `queue start` would
    # return only when they exit; with none, it returns at once and the loop below waits for the runs.
    started = subprocess.run([sys.executable, "-m", "dvc", "queue", "start", "-j", "2"], cwd=own_copy.path,
                             env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    assert started.returncode == 0
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        states = _queue_states(own_copy.path, widths)
        if all(state in ("Success", "Failed") for state in states.values()):
            break
        time.sleep(5)
    assert set(states.values()) == {"Success"}, (states, own_copy.dvc("queue", "status").stdout)
    found = _experiments(own_copy.path)

    # the same params as one of them, run by `dvc repro` alone (no run cache)
    own_copy.write_params(set_key(tiny_params(), "models.ae.hidden_units", 40))
    assert "train@ae" in own_copy.repro("--no-run-cache", target)
    queued = found["ae-width40"]["files"]
    assert {"metrics/train/ae.json", "metrics/separation/ae.json", "metrics/claims.json"} <= set(queued)
    for path, data in queued.items():
        assert json.loads((own_copy.path / path).read_text()) == data, path
    assert found["ae-width20"]["files"]["metrics/train/ae.json"] != queued["metrics/train/ae.json"]
    assert found["ae-width20"]["files"]["metrics/separation/ae.json"] != queued["metrics/separation/ae.json"]
    own_copy.write_params(tiny_params())
    assert "train@ae" not in own_copy.repro(target)  # restored from the run cache
    assert "up to date" in own_copy.dvc("status").stdout

    out = tmp_path / "sweep"
    assert sweep.main(["--repo", str(own_copy.path), "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    assert all(name in page for name in widths)
    rows = {row["name"]: row for row in csv.DictReader((out / "runs.csv").open())}
    for name, width in widths.items():
        assert int(rows[name]["models.ae.hidden_units"]) == width
        assert float(rows[name]["metrics/train/ae.json:val_loss"]) == found[name]["files"]["metrics/train/ae.json"][
            "val_loss"]
    assert [p.name for p in out.glob("*hidden_units*val_loss*.png")], sorted(p.name for p in out.iterdir())


def test_two_hosts_share_a_sweep_through_one_git_origin_and_one_dvc_remote(own_copy, tmp_path):
    """docs/sharing.md "Bigger machines": two clones act as two hosts. Each pulls, runs its share with
    ``dvc exp run`` and pushes it; either then pulls all and compares them."""
    from latentspace.tools import sweep

    origin, remote = tmp_path / "origin.git", tmp_path / "remote"
    run(["git", "init", "-q", "--bare", str(origin)], cwd=tmp_path)
    own_copy.dvc("remote", "add", "-d", "hosts", str(remote))
    own_copy.commit("the hosts' DVC remote")
    own_copy.git("push", "-q", str(origin), "HEAD:refs/heads/main")
    own_copy.dvc("push", "--run-cache")
    shares = {"a": 3, "b": 7}  # separation.neighbours: each host's share of the sweep
    for host, neighbours in shares.items():
        run(["git", "clone", "-q", "-b", "main", str(origin), str(tmp_path / host)], cwd=tmp_path)
        dvc = dvc_in(tmp_path / host)
        dvc("pull", "--run-cache")
        ran = stages_ran(dvc("exp", "run", "-n", f"k{neighbours}", "-S", f"separation.neighbours={neighbours}",
                             "separation@ae").stdout)  # the AE's share (the gathering stages' too would be minutes)
        assert "separation@ae" in ran and "train@ae" not in ran
        dvc("exp", "push", "origin", f"k{neighbours}")
    here = tmp_path / "a"
    dvc_in(here)("exp", "pull", "origin")  # every experiment of main
    found = _experiments(here)
    assert {"k3", "k7"} <= set(found)
    b_run = _experiments(tmp_path / "b")["k7"]
    assert found["k7"]["files"] == b_run["files"]  # host b's numbers, as b has them
    assert found["k3"]["params"]["separation.neighbours"] == 3
    out = tmp_path / "sweep"
    assert sweep.main(["--repo", str(here), "--out", str(out)]) == 0
    rows = {row["name"]: row for row in csv.DictReader((out / "runs.csv").open())}
    assert {"k3", "k7"} <= set(rows) and rows["k7"]["separation.neighbours"] == "7"
    dvc_in(here)("exp", "apply", "k7")  # its outputs come from the remote
    assert json.loads((here / "metrics/separation/ae.json").read_text()) == found["k7"]["files"][
        "metrics/separation/ae.json"]


def test_the_report_opens_from_disk_in_chromium_and_every_image_loads(reproduced, chromium_path, tmp_path):
    with browser.Browser(chromium_path) as chromium:
        chromium.open((reproduced.path / "report/index.html").as_uri())
        images = chromium.evaluate("[...document.images].map(i => [i.alt, i.complete, i.naturalWidth])")
        heading = chromium.evaluate("document.querySelector('h2 + p') && document.title")
        loaded = len(images) == 8 + 4 * len(MODELS) and all(complete and width > 0 for _, complete, width in images)
        if not loaded:
            (tmp_path / "report.png").write_bytes(chromium.screenshot())
    assert loaded, f"images {images}; screenshot of the page: {tmp_path / 'report.png'}"
    assert heading == "Latent spaces of auto-encoders"


@pytest.fixture(params=["local", "ssh"])
def shared_remote(request, tmp_path):
    """``(add, configure_clone, threshold)``: add the DVC remote to the pipeline's project; give a clone
    what its config.local needs; the experiment's param.
    Local: a folder. SSH: a real OpenSSH server on localhost (Debian's openssh-server, dvc-ssh)."""
    if request.param == "local":
        return (lambda project: project.dvc("remote", "add", "-d", "shared", str(tmp_path / "remote")),
                lambda clone: None, 0.5)
    server = request.getfixturevalue("ssh_server")
    return (lambda project: sshd.configure_dvc_remote(project.dvc, "shared-ssh", server, tmp_path / "remote"),
            lambda clone: sshd.configure_dvc_remote(dvc_in(clone), "shared-ssh", server), 0.4)


def test_a_fresh_clone_pulls_every_output_and_an_experiment_from_shared_remotes_and_reruns_nothing(
        own_copy, shared_remote, tmp_path):
    """The team story with a DVC remote (a folder, then SSH) and a bare git origin: push outputs, run
    cache and an experiment from one clone; pull them in another."""
    add_remote, configure_clone, threshold = shared_remote
    remote, origin = tmp_path / "remote", tmp_path / "origin.git"
    run(["git", "init", "-q", "--bare", str(origin)], cwd=tmp_path)
    add_remote(own_copy)
    own_copy.commit("a shared DVC remote")
    own_copy.git("push", "-q", str(origin), "HEAD:refs/heads/main")
    own_copy.dvc("push", "--run-cache")
    assert any((remote / "files").rglob("*")) and any((remote / "runs").rglob("*")), "nothing was pushed"
    name = f"threshold{threshold}".replace(".", "")
    own_copy.dvc("exp", "run", "--temp", "-n", name, "-S", f"units.active_threshold={threshold}")  # units … report
    own_copy.dvc("exp", "push", str(origin), name)
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", "-b", "main", str(origin), str(clone)], cwd=tmp_path)
    configure_clone(clone)
    assert not (clone / "models").exists() or not any((clone / "models").rglob("*.keras"))  # only git's files
    in_clone = dvc_in(clone)
    in_clone("pull", "--run-cache")
    assert stages_ran(in_clone("repro").stdout) == []
    for path in ("models/class_vae/encoder.keras", "data/separation/vae.npz", "report/index.html",
                 "metrics/claims.json", "metrics/separation/conv_vae.json"):
        assert (clone / path).read_bytes() == (own_copy.path / path).read_bytes(), path
    shown = [json.loads(dvc_in(where)("metrics", "show", "--json").stdout) for where in (clone, own_copy.path)]
    assert [list(s.values())[0]["data"] for s in shown][0] == [list(s.values())[0]["data"] for s in shown][1]
    in_clone("exp", "pull", str(origin), name)
    in_clone("exp", "apply", name)
    pulled = json.loads((clone / "metrics/units/vae.json").read_text())  # the experiment's numbers and report
    assert pulled["active_units"] == sum(value > threshold for value in pulled["activity"].values())
    assert f"more than {threshold} (Burda et al. 2016)" in (clone / "report/index.html").read_text()
    assert (clone / "plots/curves/vae.csv").read_bytes() == (own_copy.path / "plots/curves/vae.csv").read_bytes()
    assert stages_ran(in_clone("repro").stdout) == []
