"""The real pipeline: ``dvc repro`` on tiny params in a temporary git repository."""

import json
import math
import sys

import browser
import pytest

from latentspace.outputs import load_arrays

from conftest import run, tiny_params

MODELS = ("ae", "vae", "conv_vae")
CHAIN = ("train", "codes", "tsne", "silhouette", "generation")  # the stages that run once a model
GATHER = ["compare", "report"]
ALL_STAGES = ["download", "judge", *(f"{stage}@{m}" for stage in CHAIN for m in MODELS), *GATHER]
OUTPUTS = [
    "data/dataset.npz", "data/codes/ae.npz", "data/decoded/vae.npz", "data/tsne/conv_vae.npz",
    "data/silhouette/vae.npz", "models/ae/encoder.keras", "models/vae/decoder.keras",
    "models/conv_vae/encoder.keras", "metrics/train/ae.json", "metrics/train/vae.json",
    "metrics/train/conv_vae.json", "metrics/silhouette/ae.json", "metrics/silhouette/conv_vae.json",
    "plots/curves/ae.csv", "plots/curves/vae.csv", "plots/curves/conv_vae.csv", "plots/losses.csv",
    "plots/reconstructions.png", "plots/centroids.png", "plots/prior.png", "plots/tsne.png",
    "plots/silhouette/ae.png", "plots/silhouette/vae.png", "plots/silhouette/conv_vae.png", "report/index.html",
    "models/judge.keras", "data/judge.npz", "metrics/judge.json", "metrics/generation/ae.json",
    "metrics/generation/conv_vae.json", "data/samples/vae.npz", "plots/samples/conv_vae.png", "plots/generation.png",
]


def set_beta(tree, model, beta):
    tree["models"][model]["beta"] = beta
    return tree


def test_a_full_repro_runs_every_stage_and_leaves_every_output(reproduced):
    assert sorted(reproduced.ran_first) == sorted(ALL_STAGES)
    for path in OUTPUTS:
        assert (reproduced.path / path).is_file(), path
    assert "up to date" in reproduced.dvc("status").stdout


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
    for model in MODELS:
        score = json.loads((reproduced.path / f"metrics/silhouette/{model}.json").read_text())["silhouette"]
        assert -1 <= score <= 1


def test_generation_metrics_for_every_model_and_sampler_are_in_range(reproduced):
    judge = json.loads((reproduced.path / "metrics/judge.json").read_text())
    assert 0 <= judge["eval_accuracy"] <= 1 and judge["real_frechet_distance"] >= 0
    shown = json.loads(reproduced.dvc("metrics", "show", "--json").stdout)
    (workspace,) = [entry["data"] for entry in shown.values()]
    for model in MODELS:
        metrics = workspace["metrics/generation/" + model + ".json"]["data"]
        for sampler in ("prior", "mixture"):
            m = metrics[sampler]
            assert 0 <= m["class_entropy"] <= math.log(10) + 1e-9 and 1 - 1e-9 <= m["inception_score"] <= 10
            assert 0.1 - 1e-9 <= m["confidence"] <= 1 and m["frechet_distance"] >= 0
            assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
        assert 0 <= metrics["centroids"]["accuracy"] <= 1 and 0 <= metrics["reconstructions"]["accuracy"] <= 1
    samples = load_arrays(reproduced.path / "data/samples/vae.npz", ("prior", "mixture"))
    assert samples["prior"].shape == samples["mixture"].shape == (60, 28, 28, 1)


def test_the_report_shows_params_metrics_sentences_and_every_figure(reproduced):
    page = (reproduced.path / "report/index.html").read_text()
    assert page.count("data:image/png;base64,") == 12  # curves, 3 decodings, t-SNE, generation, 3 + 3 per model
    assert "<h2>Generation</h2>" in page and "real digits (validation against evaluation)" in page
    assert page.count("<td><b>") >= 6  # the best of each generation column is marked
    assert "separate the classes best by silhouette score" in page
    assert "The original study (full MNIST, 50,000 training digits" in page
    assert "tsne.perplexity" in page and "<td>10</td>" in page  # params, and the perplexity's value
    assert "models.conv_vae.beta" in page and "Conv VAE" in page
    vae = json.loads((reproduced.path / "metrics/silhouette/vae.json").read_text())["silhouette"]
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
    assert plots["plots/prior.png"][0]["type"] == "image"
    charts = [name for name, entries in plots.items() if entries and entries[0]["type"] == "vega"]
    assert len(charts) == len(MODELS) + 1  # not a chart per loss file


def test_stages_that_neither_train_nor_decode_do_not_import_tensorflow(reproduced):
    probe = ("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__'); "
             "heavy = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules); assert not heavy, heavy")
    stages = reproduced.stages()
    for name in ("download", "tsne@vae", "silhouette@vae", "compare", "report"):  # judge, generation: TensorFlow
        command = stages[name].cmd.split()
        assert command[:2] == ["python3", f"stages/{name.split('@')[0]}.py"]
        run([sys.executable, "-c", probe, *command[1:]], cwd=reproduced.path,
            env_extra={"DVC_STAGE": name, "DVC_ROOT": str(reproduced.path)})
    assert "up to date" in reproduced.dvc("status").stdout  # the outputs were rewritten identically


def test_changing_perplexity_reruns_the_maps_compare_and_report_only(reproduced):
    tree = tiny_params()
    tree["tsne"]["perplexity"] = 12
    reproduced.write_params(tree)
    assert reproduced.repro() == [f"tsne@{m}" for m in MODELS] + GATHER
    reproduced.write_params(tiny_params())  # back: restored from the run cache, nothing reruns
    assert reproduced.repro() == []
    assert "up to date" in reproduced.dvc("status").stdout


def test_changing_vae_beta_reruns_exactly_the_vae_chain_and_metrics_diff_shows_it(reproduced):
    reproduced.write_params(set_beta(tiny_params(), "vae", 4.0))
    ran = reproduced.repro()
    assert sorted(ran) == sorted([f"{stage}@vae" for stage in CHAIN] + GATHER)
    reproduced.commit("models.vae.beta = 4")
    diff = json.loads(reproduced.dvc("metrics", "diff", "HEAD~1", "--json").stdout)
    assert "val_loss" in diff["metrics/train/vae.json"] and "silhouette" in diff["metrics/silhouette/vae.json"]
    assert "prior.frechet_distance" in diff["metrics/generation/vae.json"]
    assert not {"metrics/train/ae.json", "metrics/train/conv_vae.json", "metrics/generation/ae.json",
                "metrics/judge.json"} & set(diff)
    change = json.loads(reproduced.dvc("params", "diff", "HEAD~1", "--json").stdout)["params.yaml"]
    assert (change["models.vae.beta"]["old"], change["models.vae.beta"]["new"]) == (1.0, 4.0)
    reproduced.write_params(tiny_params())
    assert not {"train@vae", "train@ae", "train@conv_vae"} & set(reproduced.repro())  # run cache
    reproduced.commit("models.vae.beta back to 1")


def test_plots_diff_in_a_fresh_clone_shows_both_revisions_curves(reproduced, tmp_path):
    """No DVC cache, no remote: the curves are in git, so both revisions are there."""
    reproduced.write_params(set_beta(tiny_params(), "vae", 2.0))
    reproduced.repro()
    reproduced.commit("models.vae.beta = 2")
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(reproduced.path), str(clone)], cwd=tmp_path)
    assert not (clone / ".dvc" / "cache").exists()
    result = run([sys.executable, "-m", "dvc", "plots", "diff", "HEAD~1", "HEAD", "--json"], cwd=clone)
    charts = json.loads(result.stdout)["data"]
    rows = charts["plots/curves/vae.csv"][0]["content"]["data"]["values"]
    by_rev = {}
    for row in rows:
        by_rev.setdefault(row["rev"], row["val_loss"])
    assert len(by_rev) == 2 and len(set(by_rev.values())) == 2, by_rev  # two revisions, two different curves
    overlay = charts["plots/losses.csv"][0]["content"]["data"]["values"]
    assert {row["rev"] for row in overlay} == set(by_rev)
    reproduced.write_params(tiny_params())
    reproduced.repro()
    reproduced.commit("models.vae.beta back to 1")


def test_an_experiment_in_a_temporary_copy_reads_its_own_params(reproduced):
    """``dvc exp run --temp`` (like a queued experiment) runs the stages in a copy under .dvc/tmp/exps."""
    output = reproduced.dvc("exp", "run", "--temp", "-n", "perplexity11", "-S", "tsne.perplexity=11").stdout
    ran = [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]
    assert ran == [f"tsne@{m}" for m in MODELS] + GATHER
    shown = json.loads(reproduced.dvc("exp", "show", "--json").stdout)
    names = [exp.get("name") for entry in shown for exp in entry.get("experiments") or []]
    assert "perplexity11" in names


@pytest.fixture(scope="session")
def chromium_path():
    path, why = browser.chromium()
    if path is None:
        pytest.skip(f"no headless Chromium: {why}")
    return path


def test_the_report_opens_from_disk_in_chromium_and_every_image_loads(reproduced, chromium_path, tmp_path):
    with browser.Browser(chromium_path) as chromium:
        chromium.open((reproduced.path / "report/index.html").as_uri())
        images = chromium.evaluate("[...document.images].map(i => [i.alt, i.complete, i.naturalWidth])")
        heading = chromium.evaluate("document.querySelector('h2 + p') && document.title")
        loaded = len(images) == 12 and all(complete and width > 0 for _, complete, width in images)
        if not loaded:
            (tmp_path / "report.png").write_bytes(chromium.screenshot())
    assert loaded, f"images {images}; screenshot of the page: {tmp_path / 'report.png'}"
    assert heading == "Latent spaces of auto-encoders"
