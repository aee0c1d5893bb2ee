"""The real pipeline: ``dvc repro`` on tiny params in a temporary git repository."""

import json
import sys

import yaml

from latentspace.layout import KINDS

from conftest import run, tiny_params

TRAIN_STAGES = {"train-ae", "train-vae", "train-conv-vae"}
ALL_STAGES = ["download", *sorted(TRAIN_STAGES), "embed", "generate", "tsne", "silhouette", "report"]
OUTPUTS = [
    "data/dataset.npz", "data/codes.npz", "data/tsne.npz", "data/silhouette.npz",
    "models/ae/encoder.keras", "models/vae/decoder.keras", "models/conv-vae/encoder.keras",
    "metrics/train-ae.json", "metrics/train-vae.json", "metrics/train-conv-vae.json", "metrics/silhouette.json",
    "dvclive/vae/plots/metrics/eval/diverg_loss.tsv", "dvclive/conv-vae/plots/metrics/train/reconst_loss.tsv",
    "plots/reconstructions.png", "plots/centroids.png", "plots/prior.png", "plots/tsne.png",
    "plots/silhouette-ae.png", "plots/silhouette-vae.png", "plots/silhouette-conv-vae.png", "report/index.html",
]


def test_a_full_repro_runs_every_stage_and_leaves_every_output(reproduced):
    assert sorted(reproduced.ran_first) == sorted(ALL_STAGES)
    for path in OUTPUTS:
        assert (reproduced.path / path).is_file(), path
    assert "up to date" in reproduced.dvc("status").stdout


def test_training_metrics_hold_the_losses_and_parameter_counts(reproduced):
    ae = json.loads((reproduced.path / "metrics/train-ae.json").read_text())
    assert set(ae) == {"loss", "val_loss", "epochs", "parameters"}
    assert ae["epochs"] == 1 and ae["parameters"] == {"encoder": 238_510, "decoder": 239_284}
    for kind in ("vae", "conv-vae"):
        m = json.loads((reproduced.path / f"metrics/train-{kind}.json").read_text())
        assert abs(m["val_loss"] - m["val_reconst_loss"] - m["val_diverg_loss"]) < 1e-3
        assert m["val_diverg_loss"] >= 0 and 0 < m["val_reconst_loss"] < 784 * 0.7  # below BCE of p = 0.5
    scores = json.loads((reproduced.path / "metrics/silhouette.json").read_text())
    assert set(scores) == set(KINDS) and all(-1 <= s <= 1 for s in scores.values())


def test_the_report_shows_params_metrics_sentences_and_every_figure(reproduced):
    page = (reproduced.path / "report/index.html").read_text()
    assert page.count("data:image/png;base64,") == 8  # curves + 3 decodings + t-SNE + 3 silhouettes
    assert "separate the classes best by silhouette score" in page
    assert "tsne.perplexity" in page and "<td>10</td>" in page  # params, and the perplexity's value
    assert f"{json.loads((reproduced.path / 'metrics/silhouette.json').read_text())['vae']:.4f}" in page


def test_dvc_plots_show_renders_the_curves_and_figures(reproduced):
    plots = json.loads(reproduced.dvc("plots", "show", "--json").stdout)["data"]
    for curve, column in (("total-loss", "loss"), ("reconstruction-loss", "reconst_loss"), ("kl-loss", "diverg_loss")):
        rows = plots[curve][0]["content"]["data"]["values"]
        files = {row["filename"] for row in rows}
        assert any("conv-vae" in f and "/eval/" in f for f in files) and any("/train/" in f for f in files)
        assert all(float(row[column]) >= 0 for row in rows)
    assert len(plots["total-loss"][0]["content"]["data"]["values"]) == 6  # 3 models × train/eval × 1 epoch
    assert plots["plots/prior.png"][0]["type"] == "image"


def test_analysis_stages_do_not_import_tensorflow(reproduced):
    for stage in ("tsne", "silhouette", "report"):
        probe = (
            "import runpy, sys; runpy.run_path('stages/%s.py', run_name='__main__'); "
            "heavy = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules); "
            "assert not heavy, heavy" % stage
        )
        run([sys.executable, "-c", probe], cwd=reproduced.path)
    reproduced.dvc("status")


def test_changing_perplexity_reruns_tsne_and_report_only(reproduced):
    tree = tiny_params()
    tree["tsne"]["perplexity"] = 12
    reproduced.write_params(tree)
    ran = reproduced.repro()
    assert ran == ["tsne", "report"]
    reproduced.write_params(tiny_params())  # back: restored from the run cache, nothing retrains
    assert not TRAIN_STAGES & set(reproduced.repro())
    assert "up to date" in reproduced.dvc("status").stdout


def test_changing_conv_vae_beta_retrains_only_the_conv_vae_and_metrics_diff_shows_it(reproduced):
    tree = tiny_params()
    tree["conv_vae"]["beta"] = 4.0
    reproduced.write_params(tree)
    ran = reproduced.repro()
    assert "train-conv-vae" in ran and "embed" in ran and "report" in ran
    assert not {"download", "train-ae", "train-vae"} & set(ran)
    reproduced.commit("conv_vae.beta = 4")
    diff = json.loads(reproduced.dvc("metrics", "diff", "HEAD~1", "--json").stdout)
    assert "metrics/train-conv-vae.json" in diff and "val_loss" in diff["metrics/train-conv-vae.json"]
    assert "metrics/train-ae.json" not in diff
    params_diff = json.loads(reproduced.dvc("params", "diff", "HEAD~1", "--json").stdout)
    change = params_diff["params.yaml"]["conv_vae.beta"]
    assert (change["old"], change["new"]) == (1.0, 4.0)
    assert yaml.safe_load((reproduced.path / "params.yaml").read_text())["conv_vae"]["beta"] == 4.0
