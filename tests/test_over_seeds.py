"""Verdicts over seeds, on hand-made runs whose answer is known, read the way `dvc exp show --json` nests them."""

import pytest

from helpers import shown_commit
from latentspace.tools import over_seeds


MARGINS = {"silhouette": 0.01, "knn_accuracy": 0.01, "probe_accuracy": 0.01}


def run(name, seed, difference, perplexity=30, old=False):
    measured = {"difference": difference, "low": difference - 0.01, "high": difference + 0.01, "sd": 0.0}
    params = {"seed": seed, "tsne": {"perplexity": perplexity}, "claims": {"margins": MARGINS},
              "models": {"vae": {"architecture": "dense_vae"}, "class_vae": {"architecture": "class_vae"}}}
    files = ({over_seeds.CLAIMS_FILE: {"class_term_helps": {"verdict": "supported", "class_vae vs vae": {
        "silhouette": {**measured, "verdict": "supported"}}}}} if old else
             {over_seeds.CONTRASTS_FILE: {"class_vae vs vae": {"silhouette": measured}}})
    return shown_commit(name, name, params, files)


def shown(*entries):
    """The workspace, then a commit whose experiments are the other entries (DVC 3's layout)."""
    return [{**entries[0], "rev": "workspace"},
            shown_commit("abc", experiments=[{"revs": [entry], "executor": None, "name": entry["name"]}
                                             for entry in entries[1:]])]


def test_runs_are_found_in_the_workspace_and_in_experiments_and_grouped_by_everything_but_the_seed():
    found = over_seeds.runs(shown(run("ws", 42, 0.05), run("s1", 1, 0.04), run("s2", 2, 0.06),
                                  run("other", 1, 0.5, perplexity=10), run("again", 1, 0.04)))
    assert [r["name"] for r in found] == ["ws", "s1", "s2", "other", "again"]
    groups = over_seeds.seed_groups(found)
    assert [[r["name"] for r in group] for group in groups] == [["ws", "s1", "s2"]]  # `other` has one seed only


@pytest.mark.parametrize("differences, expected", [
    ([0.05, 0.04, 0.06], "supported"),        # every seed agrees, well beyond the margin
    ([-0.05, -0.04, -0.06], "not supported"),
    ([0.05, -0.04, 0.02], "inconclusive"),    # the seeds disagree: the interval straddles 0
    ([0.005, 0.004, 0.006], "inconclusive"),  # sure but below the margin (0.01)
])
def test_the_spread_over_seeds_decides(differences, expected):
    group = [over_seeds.runs([run(f"s{i}", i, d, old=i == 2)])[0] for i, d in enumerate(differences)]  # old runs too
    decided = over_seeds.decide(group, 0.95)["class_term_helps"]
    assert decided["verdict"] == expected and decided["seeds"] == 3
    numbers = decided["comparisons"]["class_vae vs vae"]["silhouette"]
    assert numbers["mean"] == pytest.approx(sum(differences) / 3)
    assert numbers["low"] < numbers["mean"] < numbers["high"]
    half = 4.302653 * (sum((d - numbers["mean"]) ** 2 for d in differences) / 2) ** 0.5 / 3 ** 0.5  # t(0.975, 2)
    assert numbers["high"] - numbers["mean"] == pytest.approx(half, rel=1e-5)
    assert "| class_term_helps |" in over_seeds.table({"class_term_helps": decided}, [0, 1, 2])


def test_main_fails_in_one_line_outside_a_dvc_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert over_seeds.main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: dvc exp show failed") and err.count("\n") == 1
