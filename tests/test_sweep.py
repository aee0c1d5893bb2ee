"""The comparison page, on hand-made `dvc exp show --json` output whose answer is known.

The nesting mirrors DVC 3.x (`dvc exp show --json -a` in a clone with saved and queued experiments and a
branch): a list of commits ({rev, name, data: {rev, timestamp, params, metrics, deps, outs, meta}, error,
experiments}), the workspace first; each commit's experiments are ranges ({revs: [commit-like], executor, name}).
"""

import csv
import json
import subprocess
import sys

import pytest

from helpers import ROOT, shown_commit, shown_experiment
from latentspace.tools import experiments, folders, over_seeds, sweep, sweep_runs, sweep_page

MODELS = ("ae", "vae")
LABELS = ["val_loss", "silhouette", "knn_accuracy", "probe_accuracy", "prior_confidence", "mixture_confidence",
          "prior_frechet_distance", "mixture_frechet_distance", "prior_precision", "mixture_precision"]


def params(seed=42, beta=1.0, gamma=10.0, latent=10):
    return {"seed": seed, "model": {"latent_size": latent}, "train": {"epochs": 30},
            "models": {"ae": {"architecture": "dense_ae", "hidden_units": 300},
                       "vae": {"architecture": "dense_vae", "hidden_units": 300, "beta": beta, "gamma": gamma}},
            "claims": {"margins": {"silhouette": 0.01}}}


def metrics(loss=135.0, silhouette=0.1, verdict="supported", skip=()):
    """Every model's metrics files, shaped like the project's; ``loss`` and ``silhouette`` are the VAE's
    (the AE's are fixed: 105 and 0.05); ``skip``: files left out."""
    files = {}
    for model in MODELS:
        own = model == "vae"
        files[f"metrics/train/{model}.json"] = {"loss": 130.0, "val_loss": loss if own else 105.0, "epochs": 30,
                                                "parameters": {"encoder": 1, "decoder": 2}}
        files[f"metrics/separation/{model}.json"] = {
            name: {"value": value, "low": value - 0.01, "high": value + 0.01}
            for name, value in (("silhouette", silhouette if own else 0.05), ("knn_accuracy", 0.9),
                                ("probe_accuracy", 0.8))}
        files[f"metrics/generation/{model}.json"] = {
            "prior": {"confidence": 0.75, "frechet_distance": 110.0 if own else 480.0, "precision": 0.7, "recall": 0.2},
            "mixture": {"confidence": 0.85, "frechet_distance": 70.0, "precision": 0.8, "recall": 0.17},
            "centroids": {"accuracy": 1.0}}
        files[f"metrics/units/{model}.json"] = {"active_units": 10, "dimensions": 10, "activity": {"z0": 1.0}}
    measured = {"difference": -30.0, "low": -35.0, "high": -25.0, "sd": 2.5}
    files["metrics/contrasts.json"] = {"vae@mixture vs vae@prior": {"frechet_distance": measured}}
    files["metrics/claims.json"] = {"better_prior_helps": {"verdict": verdict, "comparisons": {
        "vae@mixture vs vae@prior": {"frechet_distance": {**measured, "verdict": verdict}}}}}
    files["metrics/judge.json"] = {"eval_accuracy": 0.96}
    return {path: {"data": data} for path, data in files.items() if path not in skip}


def commit(rev, name=None, run_params=None, run_metrics=None, experiments=()):
    found = metrics() if run_metrics is None else run_metrics
    return shown_commit(rev, name, run_params or params(), {path: f["data"] for path, f in found.items()}, experiments)


def experiment(name, state=None, run_params=None, run_metrics=None):
    found = metrics() if run_metrics is None else run_metrics
    return shown_experiment(name, state=state, params=run_params or params(),
                            metrics={path: f["data"] for path, f in found.items()})


def exps(*names_and_kwargs, base="main", workspace=True):
    """The workspace (same as the base), the base commit and its experiments."""
    entries = [commit("workspace")] if workspace else []
    return entries + [commit("e8f9e10a8c83b3fffb01518ba94d698a8964e299", base,
                             experiments=[experiment(name, **kwargs) for name, kwargs in names_and_kwargs])]


def betas():
    """The base (beta 1) and two experiments, beta 0.25 and 4; the VAE's val_loss is 100 + 10·beta."""
    shown = exps(("b025", {"run_params": params(beta=0.25), "run_metrics": metrics(loss=102.5)}),
                 ("b4", {"run_params": params(beta=4.0), "run_metrics": metrics(loss=140.0)}))
    shown[1]["data"]["metrics"] = metrics(loss=110.0)
    shown[0]["data"]["metrics"] = metrics(loss=110.0)
    return shown


def found_of(shown):
    return sweep_runs.comparable(experiments.all_runs(shown))[0]


def test_the_walk_finds_the_workspace_commits_experiments_and_flattens_every_metrics_file():
    shown = exps(("b4", {"run_params": params(beta=4.0)}), ("queued", {"state": "queued", "run_metrics": {}}))
    shown[1]["data"]["metrics"]["metrics/broken.json"] = {"error": {"msg": "cannot read", "type": "YAMLError"}}
    found = experiments.all_runs(shown)
    assert [(r["name"], r["baseline"], r["state"]) for r in found] == [
        ("workspace", None, None), ("main", None, None), ("b4", "main", None), ("queued", "main", "queued")]
    run = found[2]
    assert run["params"]["models.vae.beta"] == 4.0 and run["params"]["seed"] == 42
    assert run["metrics"]["metrics/train/vae.json:val_loss"] == 135.0
    assert run["metrics"]["metrics/separation/vae.json:silhouette.value"] == 0.1
    assert run["metrics"]["metrics/claims.json:better_prior_helps.verdict"] == "supported"
    assert run["metrics"]["metrics/judge.json:eval_accuracy"] == 0.96
    assert "metrics/broken.json" not in found[1]["files"]
    kept, left = sweep_runs.comparable(found)
    assert [r["name"] for r in kept] == ["main", "b4"]
    assert left == [("queued", "queued"), ("workspace", "same as main")]


def test_over_seeds_runs_are_built_on_the_walk_and_skip_unfinished_runs():
    shown = exps(("s1", {"run_params": params(seed=1)}), ("failed", {"state": "failed", "run_params": params(seed=2)}))
    assert [r["name"] for r in over_seeds.runs(shown)] == ["workspace", "main", "s1"]
    assert over_seeds.runs(shown)[2]["measurements"]["vae@mixture vs vae@prior"]["frechet_distance"]["sd"] == 2.5


def test_an_unnamed_commit_is_named_by_its_short_sha():
    found = experiments.all_runs([commit("0123456789abcdef0123456789abcdef01234567")])
    assert found[0]["name"] == "0123456"


def test_three_betas_make_three_rows_one_varying_param_and_a_figure_a_key_metric(tmp_path):
    out = tmp_path / "sweep"
    summary = sweep.build(betas(), out)
    found = found_of(betas())
    assert sweep_runs.varying_params(found) == ["models.vae.beta"] and sweep_runs.swept_params(found) == ["models.vae.beta"]
    columns = sweep_runs.key_columns(found)
    assert [(c.group, c.label) for c in columns] == [
        *((model, label) for model in MODELS for label in LABELS), ("claims", "better_prior_helps")]
    rows = sweep_page.table(found, ["models.vae.beta"], columns)
    vae_loss = columns.index(sweep_runs.Column("metrics/train/vae.json:val_loss", "vae", "val_loss"))
    assert [(r[0], r[1], r[2], r[3 + vae_loss]) for r in rows] == [
        ("main", None, 1.0, 110.0), ("b025", "main", 0.25, 102.5), ("b4", "main", 4.0, 140.0)]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [folders.MARKER, "index.html", "runs.csv"] + [f"models.vae.beta--{label}.png" for label in LABELS])
    page = (out / "index.html").read_text()
    assert page.count("<tr><th>b025</th>") == 1 and page.count("<tr><th>b4</th>") == 1
    assert 'src="models.vae.beta--val_loss.png"' in page and "workspace: same as main" in page
    with open(out / "runs.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["name"], r["baseline"], float(r["models.vae.beta"]), float(r["metrics/train/vae.json:val_loss"]))
            for r in table] == [("main", "", 1.0, 110.0), ("b025", "main", 0.25, 102.5), ("b4", "main", 4.0, 140.0)]
    assert table[0]["metrics/claims.json:better_prior_helps.verdict"] == "supported"
    lines = summary.splitlines()
    assert lines[0].startswith("| run | based on | models.vae.beta | AE val_loss |") and len(lines) == 5
    assert "| b4 | main | 4 | 105 |" in summary


def test_points_are_the_mean_over_seeds_with_the_min_max_spread():
    shown = exps(*[(f"b{beta}s{seed}", {"run_params": params(seed=seed, beta=beta),
                                       "run_metrics": metrics(loss=100.0 + 10 * beta + seed)})
                   for beta in (1.0, 4.0) for seed in (1, 2, 3)], workspace=False)
    shown[0]["data"]["metrics"] = {}  # the base has no metrics: left out
    found = found_of(shown)
    [(label, runs)] = sweep_page.contexts(found, "models.vae.beta")
    assert label == "" and len(runs) == 6
    assert sweep_page.points(runs, "models.vae.beta", "metrics/train/vae.json:val_loss") == [
        (1.0, 112.0, 111.0, 113.0, 3), (4.0, 142.0, 141.0, 143.0, 3)]


def test_seed_groups_give_mean_sd_and_n_and_count_verdicts(tmp_path):
    losses, verdicts = {1: 100.0, 2: 104.0, 3: 109.0}, {1: "supported", 2: "supported", 3: "inconclusive"}
    shown = exps(*[(f"s{seed}", {"run_params": params(seed=seed), "run_metrics": metrics(loss, verdict=verdicts[seed])})
                   for seed, loss in losses.items()], ("other", {"run_params": params(seed=1, beta=4.0)}),
                 workspace=False)
    shown[0]["data"]["params"]["params.yaml"]["data"]["seed"] = 1  # the base repeats s1's seed: counted once
    found = found_of(shown)
    [group] = sweep_runs.seed_statistics(found, sweep_runs.key_columns(found))
    assert group["runs"] == ["main", "s2", "s3"] and group["seeds"] == [1, 2, 3]
    assert group["params"] == {"models.vae.beta": 1.0}
    loss = group["stats"]["metrics/train/vae.json:val_loss"]
    mean = (135.0 + 104.0 + 109.0) / 3  # the base's own loss is the default 135
    sd = (sum((v - mean) ** 2 for v in (135.0, 104.0, 109.0)) / 2) ** 0.5
    assert loss["n"] == 3 and loss["mean"] == pytest.approx(mean) and loss["sd"] == pytest.approx(sd)
    assert group["stats"]["metrics/train/ae.json:val_loss"] == {"n": 3, "mean": 105.0, "sd": 0.0}
    assert group["stats"]["metrics/claims.json:better_prior_helps.verdict"] == {
        "n": 3, "counts": {"supported": 2, "inconclusive": 1}}
    sweep.build(shown, tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text()
    assert "main (seed 1), s2 (seed 2), s3 (seed 3)" in page and "supported ×2, inconclusive ×1" in page
    assert f"<td>{mean:.4g}</td><td>{sd:.4g}</td>" in page


def test_statistics_of_one_value_and_of_none():
    assert sweep_runs.statistics([3.0, None]) == {"n": 1, "mean": 3.0, "sd": None}
    assert sweep_runs.statistics([None]) == {"n": 0, "counts": {}}


def test_a_run_lacking_a_metrics_file_shows_blank_cells(tmp_path):
    shown = exps(("nogen", {"run_params": params(beta=4.0), "run_metrics": metrics(skip=("metrics/generation/vae.json",
                                                                                         "metrics/claims.json"))}))
    found = found_of(shown)
    columns = sweep_runs.key_columns(found)
    frechet = [c.key for c in columns].index("metrics/generation/vae.json:prior.frechet_distance")
    claim = [c.key for c in columns].index("metrics/claims.json:better_prior_helps.verdict")
    rows = sweep_page.table(found, ["models.vae.beta"], columns)
    assert rows[1][3 + frechet] is None and rows[1][3 + claim] is None and rows[0][3 + frechet] == 110.0
    summary = sweep.build(shown, tmp_path / "out")
    assert summary.splitlines()[-1].endswith("| 0.8 |" + "  |" * 7)  # VAE probe, the VAE's 6 generation ones, the claim
    with open(tmp_path / "out" / "runs.csv", newline="") as handle:
        assert list(csv.DictReader(handle))[1]["metrics/generation/vae.json:prior.frechet_distance"] == ""
    assert "<td></td>" in (tmp_path / "out" / "index.html").read_text()


def test_a_column_no_run_has_is_left_out_and_the_list_extends():
    found = found_of(exps(workspace=False))
    specs = (*sweep_runs.key_metrics(), ("metrics/units/{model}.json", "active_units", "active_units"),
             ("metrics/nowhere/{model}.json", "x", "x"), ("metrics/judge.json", "eval_accuracy", "judge accuracy"))
    columns = sweep_runs.key_columns(found, specs)
    assert sweep_runs.Column("metrics/units/vae.json:active_units", "vae", "active_units") in columns
    assert columns[-1] == sweep_runs.Column("metrics/judge.json:eval_accuracy", "judge", "judge accuracy")
    assert not [c for c in columns if c.label == "x"]


def test_a_lone_run_shows_every_param_and_no_figure(tmp_path):
    found = found_of(exps(workspace=False))
    assert "models.vae.beta" in sweep_runs.varying_params(found) and "seed" in sweep_runs.varying_params(found)
    sweep.build(exps(workspace=False), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [folders.MARKER, "index.html", "runs.csv"]
    assert "No param is swept." in (tmp_path / "out" / "index.html").read_text()


def test_branches_and_experiments_appear_by_name_and_each_sweep_keeps_the_other_params_fixed(tmp_path):
    """`dvc exp show -a`: a branch is a commit named after it; beta and gamma swept from main."""
    shown = exps(("b4", {"run_params": params(beta=4.0)}), ("g0", {"run_params": params(gamma=0.0)}),
                 ("g0b4", {"run_params": params(beta=4.0, gamma=0.0)}))
    shown.append(commit("c7bea81bf36deaee70876dfdba44ce28a76e9918", "wide", run_params=params(latent=20)))
    found = found_of(shown)
    assert [(r["name"], r["baseline"]) for r in found] == [
        ("main", None), ("b4", "main"), ("g0", "main"), ("g0b4", "main"), ("wide", None)]
    assert sweep_runs.swept_params(found) == ["model.latent_size", "models.vae.beta", "models.vae.gamma"]
    sweeps = sweep_page.contexts(found, "models.vae.beta")
    assert [(label, [r["name"] for r in runs]) for label, runs in sweeps] == [
        ("models.vae.gamma=10", ["main", "b4"]), ("models.vae.gamma=0", ["g0", "g0b4"])]
    [(label, runs)] = sweep_page.contexts(found, "model.latent_size")
    assert label == "" and [r["name"] for r in runs] == ["main", "wide"]
    summary = sweep.build(shown, tmp_path / "out")
    assert "| wide |  | 20 |" in summary and "| g0b4 | main | 10 | 4 | 0 |" in summary
    assert len(list((tmp_path / "out").glob("*.png"))) == 3 * len(LABELS)


def test_every_string_from_the_data_is_escaped(tmp_path):
    shown = exps(("<script>x</script>", {"run_params": params(beta=4.0),
                                         "run_metrics": metrics(verdict="a & <b>")}))
    sweep.build(shown, tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "a &amp; &lt;b&gt;" in page


def test_no_run_with_metrics_is_an_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("kept")
    shown = exps(("queued", {"state": "queued", "run_metrics": {}}), workspace=False)
    shown[0]["data"]["metrics"] = {}
    with pytest.raises(sweep.SweepError):
        sweep.build(shown, out)
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and (out / "old.txt").read_text() == "kept"


def test_main_passes_the_flags_to_dvc_exp_show_and_replaces_the_folder(tmp_path, monkeypatch, capsys):
    asked = []
    monkeypatch.setattr(sweep, "exp_show", lambda options, repo: asked.append((options, repo)) or betas())
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.png").write_text("old")
    (out / folders.MARKER).write_text(f"{sweep.TOOL}\nstale.png\n")  # a page this tool wrote before
    argv = ["--out", str(out), "--repo", "elsewhere", "-a", "-T", "--rev", "abc", "--rev", "main", "-n", "3"]
    assert sweep.main(argv) == 0
    assert asked == [(["-a", "-T", "--rev", "abc", "--rev", "main", "-n", "3"], "elsewhere")]
    assert not (out / "stale.png").exists() and (out / "index.html").exists()
    assert "| b4 | main |" in capsys.readouterr().out
    assert "dvc exp show --json -a -T --rev abc --rev main -n 3" in (out / "index.html").read_text()
    assert sweep.main(["--out", str(out), "-A"]) == 0 and asked[-1][0] == ["-A"]


def test_main_fails_in_one_line_when_dvc_exp_show_fails(tmp_path, capsys):
    out = tmp_path / "out"
    assert sweep.main(["--repo", str(tmp_path), "--out", str(out)]) == 1  # not a DVC project
    err = capsys.readouterr().err
    assert err.startswith("error: dvc exp show failed") and err.count("\n") == 1
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == []


def test_dvc_exp_show_that_gives_no_answer_in_time_is_killed_and_named_in_one_line(tmp_path):
    """A ``dvc exp show`` that outlasts its time (here 10 ms, less than Python takes to start) is killed: one
    line that says how long it waited and what to do, never a wait without end."""
    with pytest.raises(experiments.ExperimentsError) as raised:
        experiments.exp_show([], tmp_path, timeout_s=0.01)
    assert str(raised.value).startswith("dvc exp show gave no answer in 0.01 s") and "\n" not in str(raised.value)
    assert "dvc queue status" in str(raised.value)
    docs = (ROOT / "docs" / "sweeps.md").read_text()
    assert f"`EXP_SHOW_TIMEOUT_S` ({experiments.EXP_SHOW_TIMEOUT_S:g} s" in docs  # the time the docs give is the code's


def test_importing_the_command_imports_neither_tensorflow_nor_keras():
    code = ("import sys, latentspace.tools.sweep, latentspace.tools.sweep_page as s; s.sweep_figure('x', 'y', {('vae', ''): [(1, 2, 2, 2, 1)]}); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))))")
    done = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
