"""The report's sentences, on hand-made numbers whose verdicts are known."""

from latentspace.pages import report
from latentspace.measures import sample_quality as q
from latentspace.claims.original import ORIGINAL
from latentspace.pages.report import findings, metrics_table
from latentspace.pages.report_sections import best_cells, generation_section


def rows(silhouettes, val_losses):
    train = {}
    for model, loss in val_losses.items():
        train[model] = {"val_loss": loss, "epochs": 30, "parameters": {"encoder": 1, "decoder": 2}}
        if model != "ae":
            train[model].update(val_reconst_loss=loss - 10.0, val_diverg_loss=10.0)
    return metrics_table(train, {m: {"silhouette": {"value": s, "low": s - 0.01, "high": s + 0.01}}
                                 for m, s in silhouettes.items()})


def test_the_originals_order_is_recognised_and_so_is_a_different_one():
    same = findings(rows({"ae": 0.3, "conv_vae": 0.2, "vae": 0.1}, {"ae": 90.0, "vae": 120.0, "conv_vae": 100.0}))
    assert "The AE codes separate the classes best" in same[0]
    assert "the same order as the original (AE, then Conv VAE 0.1183, then VAE 0.1117)" in same[0]
    assert "Of the VAEs the Conv VAE reaches the lowest validation loss (100.0 = 90.0 reconstruction" in same[1]
    assert "The original agrees: Conv VAE 97.3 < VAE 111.8." in same[1]
    assert f"(original: {ORIGINAL['ae']['val_loss']:.1f})" in same[2]
    other = findings(rows({"ae": 0.1, "conv_vae": 0.2, "vae": 0.3}, {"ae": 90.0, "vae": 95.0, "conv_vae": 100.0}))
    assert "The VAE codes separate the classes best" in other[0] and "a different order from" in other[0]
    assert "The original disagrees" in other[1]


def test_a_model_the_original_lacks_is_ranked_but_not_compared():
    sentences = findings(rows({"vae": 0.2, "wide_vae": 0.4}, {"vae": 120.0, "wide_vae": 110.0}))
    assert "The Wide VAE codes separate the classes best by silhouette score: Wide VAE (0.4000), then VAE" in sentences[0]
    assert "original" not in sentences[0]  # one shared model: nothing to compare an order with
    assert "The original" not in sentences[1]


def test_the_generation_table_marks_the_best_of_each_column():
    def sampler(fd, entropy, precision):
        return {"confidence": 0.9, "class_entropy": entropy, "inception_score": 5.0, "frechet_distance": fd,
                "precision": precision, "recall": 0.5}

    generation = {
        "ae": {"prior": sampler(900.0, 1.0, 0.1), "mixture": sampler(40.0, 2.2, 0.8),
               "centroids": {"accuracy": 0.6}, "reconstructions": {"accuracy": 0.9}},
        "vae": {"prior": sampler(60.0, 2.25, 0.7), "mixture": sampler(50.0, 2.2, 0.9),
                "centroids": {"accuracy": 1.0}, "reconstructions": {"accuracy": 0.8}},
    }
    best = best_cells({(m, s): generation[m][s] for m in generation for s in ("prior", "mixture")}, q.MEASURES)
    assert {key: {row for row, k in best if k == key} for key in ("frechet_distance", "class_entropy", "precision")} \
        == {"frechet_distance": {("ae", "mixture")}, "class_entropy": {("vae", "prior")},
            "precision": {("vae", "mixture")}}
    assert {row for row, key in best if key == "recall"} == {(m, s) for m in generation for s in ("prior", "mixture")}
    judge = {"eval_accuracy": 0.97, "real": {"confidence": 0.98, "class_entropy": 2.3, "inception_score": 9.5,
                                             "frechet_distance": 3.0, "precision": 0.8, "recall": 0.8}}
    page = generation_section(generation, judge)
    assert "<th>AE, mixture</th><td><b>0.9000</b></td><td>2.20</td><td><b>5.00</b></td><td><b>40.00</b></td>" in page
    assert "<th>VAE</th><td>1.00</td><td>0.8000</td>" in page  # centroids, reconstructions accuracy


def test_the_findings_table_shows_each_claim_its_verdict_and_the_numbers_that_decided_it():
    from latentspace.pages.report_claims import claims_section

    verdicts = {"class_term_helps": {"verdict": "supported", "section": "3.4.1", "measure": "silhouette",
                                     "agreement": {"probe_accuracy": "supported"}, "comparisons": {"class_vae vs vae": {
        "silhouette": {"difference": 0.05, "low": 0.03, "high": 0.07, "verdict": "supported"},
        "probe_accuracy": {"difference": 0.1, "low": 0.08, "high": 0.12, "verdict": "supported"}}}},
        "better_prior_helps": {"verdict": "inconclusive", "section": "3.3.2", "measure": "confidence", "agreement": {},
                               "comparisons": {"vae@mixture vs vae@prior": {
            "frechet_distance": {"difference": 2.0, "low": -1.0, "high": 5.0, "verdict": "inconclusive"}},
            "vae@centroids vs real digits": {"judged_accuracy": {"verdict": "not measured"}}}}}
    page = claims_section(verdicts, {"silhouette": 0.01}, 0.95)
    assert '<td rowspan="2" class="claim">3.4.1 (hypothesis) <q>Our hypothesis is that clustering' in page
    assert "(H0: Δ ≤ 0 · H1: Δ &gt; 0, and the estimate ≥ δ)" in page and "one-sided test at α = 2.5%" in page
    assert "3.4.2 <q>From the *Silhouette* scores obtained for the evaluated models confirm" in page  # undecided
    assert "<td>Class VAE vs VAE</td><td>linear-probe accuracy</td><td>+0.1 [+0.08, +0.12]</td>" in page
    assert "<td>VAE (mixture) vs VAE (N(0, I))</td><td>Fréchet distance</td><td>+2 [-1, +5]</td>" in page
    assert "<td>VAE (centroids) vs the real digits</td><td>judge&#39;s accuracy</td><td>–</td>" in page
    assert page.count(">supported</b>") == 4 and page.count(">inconclusive</b>") == 2
    assert "paired 95% bootstrap interval" in page and "silhouette 0.01" in page
    assert "equivalence test" in page  # every rule's description, written once in latentspace/claims/verdicts.py
    untested = page.split("Not tested in this run", 1)[1]  # the claims these verdicts lack, named with their models
    assert "3.4.2" in untested and "Class VAE" in untested and "3.4.1 <q>" not in untested


def test_the_separation_table_bolds_the_best_model_per_column_lower_davies_bouldin_being_better():
    from latentspace.pages.report_sections import separation_section

    def scores(silhouette, db):
        return {"silhouette": {"value": silhouette, "low": silhouette - 0.01, "high": silhouette + 0.01},
                "davies_bouldin": {"value": db, "low": db - 0.1, "high": db + 0.1}}

    page = separation_section({"ae": scores(0.2, 3.0), "vae": scores(0.1, 2.0)}, {"pixels": scores(0.5, 1.0)}, 0.95, 5)
    assert "<th>AE</th><td><b>0.2000 <small>[0.1900, 0.2100]</small></b></td><td>–</td>" in page
    assert "<td><b>2.00 <small>[1.90, 2.10]</small></b></td>" in page  # the VAE's Davies–Bouldin
    assert "<th>raw pixels (baseline)</th><td>0.5000" in page  # baselines are shown, never bolded


def test_the_units_and_likelihood_sections_escape_what_a_metrics_file_holds():
    from latentspace.pages.report_sections import likelihood_section, units_section

    hostile = "<script>alert(1)</script>"
    units = units_section({"vae": {"active_units": hostile, "dimensions": hostile, "kl": 1.0,
                                   "kl_per_dimension": {"z0": 1.0}}}, 0.01)
    bound = {"value": -100.0, "low": -101.0, "high": -99.0}
    likelihood = likelihood_section({"vae": {"iwae": bound, "elbo": bound, "samples": hostile,
                                             "check": {"change": 1.0, "samples": hostile, "digits": hostile}},
                                     "ae": {"note": hostile}}, 0.95)
    for page in (units, likelihood):
        assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_whole_page_is_built_from_the_committed_metrics_and_figures():
    """report.page, as the report stage calls it, on the committed metrics/, plots/ and study/ files (the default
    run's; the dataset's split sizes given): every model, claim, section and figure on one page."""
    from markupsafe import escape
    import json

    from helpers import ROOT
    from latentspace.claims import original_claims as claims
    from latentspace.pages import comparison
    from latentspace.models import curves
    from latentspace.core.names import title
    from latentspace.core.params import load

    p = load(None, ROOT / "params.yaml")
    models = p.models()

    def per_model(folder, suffix=".json", key=lambda m: m):
        read = (lambda path: json.loads(path.read_text())) if suffix == ".json" else (
            curves.read if suffix == ".csv" else (lambda path: path.read_bytes()))
        return {key(m): read(ROOT / folder / f"{m}{suffix}") for m in models}

    inputs = report.Inputs(
        models, per_model("metrics/train"), per_model("metrics/separation"), per_model("metrics/units"),
        per_model("metrics/likelihood"), per_model("metrics/generation"), per_model("metrics/factors"),
        per_model("plots/curves", ".csv"), json.loads((ROOT / "metrics/baselines.json").read_text()),
        json.loads((ROOT / "metrics/claims.json").read_text()), json.loads((ROOT / "metrics/judge.json").read_text()),
        json.loads((ROOT / "study/verdicts.json").read_text()),
        {f.caption: (ROOT / "plots/compare" / f"{f.name}.png").read_bytes() for f in comparison.FIGURES},
        per_model("plots/factors", ".png", title), per_model("plots/traversals", ".png", title), "explore.html",
        "../study/index.html", {"train": 3000, "val": 1000, "eval": 1000}, p.as_dict())
    page = report.page(inputs)
    assert page.startswith("<!doctype html>") and page.count("<h2>") >= 8
    assert all(title(m) in page for m in models)
    assert all(escape(claims.by_key()[key].decided) in page for key in inputs.claims)
    assert page.count("<img") >= len(comparison.FIGURES) + 2 * len(models)
    assert 'href="explore.html"' in page and 'href="../study/index.html"' in page
    assert "3,000 train, 1,000 val, 1,000 eval" in page
