"""The tools write only what is theirs: a folder they own (never the repository, its parents, the home folder,
``/`` or a folder with someone else's files), CSV cells a spreadsheet cannot run, seeds pooled within one commit.

Every write of latentspace.tools.folders is guarded here: a rename or removal outside the test's own
temporary folder fails the test before it happens, so a regression cannot touch the repository.
"""

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, git_init, shown_commit
from latentspace.tools import experiments, folders, over_seeds, sweep, sweep_runs, sweep_page

SHA_A = "a" * 40
SHA_B = "b" * 40


# --- hand-made `dvc exp show --json` output (DVC 3's nesting, trimmed to what the tools read) ----------

MARGINS = {"silhouette": 0.01, "knn_accuracy": 0.01, "probe_accuracy": 0.01}


def params(seed=1, beta=1.0, **extra):
    return {"seed": seed, "models": {"vae": {"architecture": "dense_vae", "beta": beta},
                                     "class_vae": {"architecture": "class_vae"}},
            "claims": {"margins": MARGINS}, **extra}


def contrasts(difference):
    return {"class_vae vs vae": {"silhouette": {"difference": difference, "low": difference - 0.01,
                                                "high": difference + 0.01, "sd": 0.0}}}


def entry(rev, name=None, run_params=None, loss=100.0, difference=0.05, experiments_=()):
    return shown_commit(rev, name, run_params or params(), {"metrics/train/vae.json": {"val_loss": loss},
                                                            "metrics/contrasts.json": contrasts(difference)},
                        [{"revs": [e], "executor": None, "name": e["name"]} for e in experiments_])


def experiment(name, sha, **kwargs):
    return entry(sha, name, **kwargs)


def one_run(**kwargs):
    return [entry(SHA_A, "main", **kwargs)]


# --- the guard: no rename or removal outside the test's folder ------------------------------------------

class _Guarded:
    """``module`` with ``names`` replaced by checks that every path argument lies under ``inside``."""

    def __init__(self, module, inside: Path, names):
        self._module, self._inside, self._names = module, inside, names

    def __getattr__(self, name):
        real = getattr(self._module, name)
        if name not in self._names:
            return real

        def guarded(*args, **kwargs):
            for arg in args[:2]:
                if isinstance(arg, (str, Path)):
                    path = Path(os.path.abspath(arg))
                    assert path != self._inside and self._inside in path.parents, f"{name}({arg}) outside the test"
            return real(*args, **kwargs)

        return guarded


@pytest.fixture(autouse=True)
def guarded(tmp_path, monkeypatch):
    monkeypatch.setattr(folders, "os", _Guarded(os, tmp_path, ("rename", "replace", "unlink", "mkdir")))
    monkeypatch.setattr(folders, "shutil", _Guarded(shutil, tmp_path, ("rmtree",)))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".profile").write_text("mine")


def snapshot(folder: Path) -> dict:
    """``{relative path: bytes (None: a folder)}`` of everything under ``folder``."""
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def asked(monkeypatch) -> list:
    """Where ``sweep.exp_show`` was asked, once a call; it answers one run."""
    calls = []
    monkeypatch.setattr(sweep, "exp_show", lambda options, where: calls.append(where) or one_run())
    return calls


@pytest.fixture
def repo(tmp_path, monkeypatch, asked):
    """A git repository with a file, the current folder."""
    path = tmp_path / "repo"
    git_init(path)
    (path / "keep.txt").write_text("precious\n")
    monkeypatch.chdir(path)
    return path


def refused(capsys, argv, asked) -> str:
    """``sweep.main(argv)``'s one-line error (it must fail before running dvc exp show)."""
    assert sweep.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to write ") and err.count("\n") == 1, err
    assert asked == []
    return err


# --- the output folder ------------------------------------------------------------------------------

@pytest.mark.parametrize("out, why", [
    ("sweep/..", "it is a repository"),
    (".", "it is a repository"),
    ("..", "it holds a repository"),
    ("/", "it is the root of the file system"),
    ("~", "it is the home folder"),
    (".git", "it is inside .git"),
    (".git/sweep", "it is inside .git"),
    ("sub/../.dvc/sweep", "it is inside .dvc"),
])
def test_the_repository_its_parents_home_root_and_git_folders_are_refused_and_nothing_changes(
        repo, asked, tmp_path, capsys, out, why):
    before = snapshot(tmp_path)
    err = refused(capsys, ["--out", out], asked)
    assert why in err and out in err
    assert snapshot(tmp_path) == before


def test_the_repository_named_by_its_absolute_path_or_through_a_link_is_refused(repo, asked, tmp_path, capsys):
    (tmp_path / "link").symlink_to(repo)
    before = snapshot(repo)
    for out in (str(repo), str(repo / "sweep" / ".."), str(tmp_path / "link"), str(tmp_path)):
        err = refused(capsys, ["--out", out], asked)
        assert str(repo) in err or "it holds a repository" in err
    assert snapshot(repo) == before and (repo / ".git").is_dir()


def test_a_repository_named_by_repo_is_refused_from_elsewhere(repo, asked, tmp_path, capsys, monkeypatch):
    other = tmp_path / "other"
    git_init(other)
    monkeypatch.chdir(tmp_path / "home")
    err = refused(capsys, ["--repo", str(other), "--out", str(other)], asked)
    assert "it is a repository" in err


def test_this_project_its_parents_and_a_link_to_it_are_refused_without_writing():
    for path in (ROOT, ROOT / "sweep" / "..", ROOT.parent, Path("/")):
        with pytest.raises(folders.FolderError, match=r"^refusing to write .*: it (is|holds) "):
            folders.check(path, sweep.TOOL)


def test_a_folder_with_a_strangers_file_is_refused_and_left_byte_for_byte(repo, asked, capsys):
    out = repo / "results"
    (out / "deep").mkdir(parents=True)
    (out / "notes.txt").write_bytes(b"not the tool's\x00\xff")
    (out / "deep" / "data.csv").write_text("a,b\n")
    before = snapshot(repo)
    err = refused(capsys, ["--out", "results"], asked)
    assert "results" in err and f"did not write (no {folders.MARKER})" in err
    assert snapshot(repo) == before  # no temporary sibling left either


def test_a_file_where_the_folder_would_be_is_refused(repo, asked, capsys):
    (repo / "results").write_text("a file")
    assert "it is not a folder" in refused(capsys, ["--out", "results"], asked)
    assert (repo / "results").read_text() == "a file"


def test_a_folder_the_tool_wrote_is_replaced_whole(repo, capsys):
    assert sweep.main(["--out", "results"]) == 0
    out = repo / "results"
    marker = (out / folders.MARKER).read_text().splitlines()
    assert marker == [sweep.TOOL, "index.html", "runs.csv"]
    (out / "index.html").write_text("old page")  # a file it wrote, changed: still its own
    assert sweep.main(["--out", str(out)]) == 0
    assert "Runs compared" in (out / "index.html").read_text()
    assert sorted(p.name for p in repo.iterdir()) == [".git", "keep.txt", "results"]  # no temporary left
    capsys.readouterr()


def test_a_stale_figure_of_an_earlier_page_goes_with_it(repo, monkeypatch):
    swept = [entry(SHA_A, "main", experiments_=[experiment("b4", SHA_B, run_params=params(beta=4.0), loss=140.0)])]
    sweep.build(swept, repo / "results")
    assert (repo / "results" / "models.vae.beta--val_loss.png").exists()
    sweep.build(one_run(), repo / "results")
    assert sorted(p.name for p in (repo / "results").iterdir()) == [folders.MARKER, "index.html", "runs.csv"]


def test_a_file_added_to_the_tools_folder_makes_it_someone_elses(repo, asked, capsys):
    assert sweep.main(["--out", "results"]) == 0
    (repo / "results" / "mine.txt").write_text("added by hand")
    asked.clear()
    before = snapshot(repo)
    err = refused(capsys, ["--out", "results"], asked)
    assert "it holds mine.txt, which latentspace.tools.sweep did not write" in err
    assert snapshot(repo) == before


def test_another_tools_marker_does_not_make_it_this_tools(repo, asked, capsys):
    (repo / "results").mkdir()
    (repo / "results" / folders.MARKER).write_text("latentspace.tools.other\nindex.html\n")
    (repo / "results" / "index.html").write_text("theirs")
    assert "names another tool" in refused(capsys, ["--out", "results"], asked)
    assert (repo / "results" / "index.html").read_text() == "theirs"


def test_an_empty_or_missing_folder_is_fine(repo, capsys):
    (repo / "empty").mkdir()
    assert sweep.main(["--out", "empty"]) == 0 and (repo / "empty" / "index.html").exists()
    assert sweep.main(["--out", "new/deeper"]) == 0 and (repo / "new" / "deeper" / folders.MARKER).exists()


def test_a_failure_while_writing_leaves_the_old_folder_and_no_temporary(repo, monkeypatch):
    sweep.build(one_run(), repo / "results")
    before = snapshot(repo)

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(sweep, "runs_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        sweep.build(one_run(loss=1.0), repo / "results")
    assert snapshot(repo) == before


def test_a_file_named_by_json_must_not_be_a_folder_or_in_git(repo, capsys, monkeypatch):
    monkeypatch.setattr(over_seeds, "exp_show", lambda options: pytest.fail("ran dvc exp show"))
    for path, why in ((".", "it is a folder"), (".git/verdicts.json", "it is inside .git")):
        assert over_seeds.main(["--json", path]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: refusing to write --json ") and why in err and err.count("\n") == 1


# --- runs.csv: no formulas ---------------------------------------------------------------------------

def test_csv_cells_that_a_spreadsheet_would_run_are_escaped_and_numbers_stay_numbers(repo):
    shown = [entry(SHA_A, "=HYPERLINK(\"http://x.invalid\",\"click\")", run_params=params(offset=-1, command="-cmd",
                                                                                      text="-1.5e3", tab="\tx",
                                                                                      at="@SUM(A1)", plain="ok")),
             entry(SHA_B, "+other", run_params=params(offset=-2.5, command="=1+1", text="+2", tab="x", at="a@b",
                                                       plain="-"))]
    sweep.build(shown, repo / "results")
    with open(repo / "results" / "runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first, second = rows
    assert first["name"] == "'=HYPERLINK(\"http://x.invalid\",\"click\")" and second["name"] == "'+other"
    assert (first["offset"], second["offset"]) == ("-1", "-2.5")          # numbers stay numbers
    assert (first["command"], second["command"]) == ("'-cmd", "'=1+1")
    assert (first["text"], second["text"]) == ("-1.5e3", "+2")          # text that is a number is a number
    assert (first["tab"], first["at"], second["at"]) == ("'\tx", "'@SUM(A1)", "a@b")
    assert (first["plain"], second["plain"]) == ("ok", "'-")
    assert first["metrics/train/vae.json:val_loss"] == "100.0"


@pytest.mark.parametrize("value, cell", [
    (-1, -1), (-0.5, -0.5), ("-1", "-1"), ("-cmd", "'-cmd"), ("=1", "'=1"), ("\r=1", "'\r=1"), ("@x", "'@x"),
    ("+", "'+"), ("", ""), (None, ""), ([1, "=x"], "[1, \"=x\"]"), ({"a": 1}, '{"a": 1}'), ("-١", "'-١"),
])
def test_csv_cell(value, cell):
    assert sweep_page.csv_cell(value) == cell


# --- seeds pool within one commit only -----------------------------------------------------------------

def two_commits_equal_params():
    """Two commits (say two branches, `-a`; their own params apart), each with one experiment: the two
    experiments' params are equal but for the seed (1 and 2)."""
    return [entry("workspace"),
            entry(SHA_A, "main", run_params=params(seed=9, beta=2.0), experiments_=[experiment("s1", "1" * 40)]),
            entry(SHA_B, "other", run_params=params(seed=9, beta=4.0),
                  experiments_=[experiment("s2", "2" * 40, run_params=params(seed=2), difference=0.0501)])]


def test_runs_know_the_commit_whose_code_they_ran():
    found = experiments.all_runs(two_commits_equal_params(), head=SHA_B)
    assert [(r["name"], r["baseline"], r["commit"]) for r in found] == [
        ("workspace", None, SHA_B), ("main", None, SHA_A), ("s1", "main", SHA_A), ("other", None, SHA_B),
        ("s2", "other", SHA_B)]
    assert experiments.all_runs(two_commits_equal_params())[0]["commit"] == SHA_A  # no head: the first commit shown


def test_runs_of_different_commits_with_equal_params_are_two_groups_of_one_seed_not_one_of_two():
    found = over_seeds.runs(two_commits_equal_params(), head=SHA_A)
    s1, s2 = (next(r for r in found if r["name"] == name) for name in ("s1", "s2"))
    assert s1["params"] == {**s2["params"], "seed": 1} and s1["commit"] != s2["commit"]
    assert over_seeds.seed_groups([s1, s2]) == []  # one seed each: no verdict
    assert over_seeds.seed_groups([s1, {**s2, "commit": s1["commit"]}]) == [[s1, {**s2, "commit": s1["commit"]}]]


def test_the_workspace_pools_with_the_experiments_of_its_head():
    shown = two_commits_equal_params()
    shown[0]["data"]["params"]["params.yaml"]["data"] = params(seed=3)
    names = lambda groups: [[r["name"] for r in group] for group in groups]  # noqa: E731
    assert names(over_seeds.seed_groups(over_seeds.runs(shown, head=SHA_A))) == [["workspace", "s1"]]
    assert names(over_seeds.seed_groups(over_seeds.runs(shown, head=SHA_B))) == [["workspace", "s2"]]


def test_over_seeds_main_says_no_group_when_the_seeds_come_from_different_commits(monkeypatch, capsys):
    monkeypatch.setattr(over_seeds, "exp_show", lambda options: two_commits_equal_params())
    monkeypatch.setattr(over_seeds, "head_commit", lambda: "c" * 40)
    assert over_seeds.main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("no runs of one commit that differ only in seed") and err.count("\n") == 1


def test_over_seeds_decides_each_commits_seeds_with_the_groups_margins(monkeypatch, capsys, tmp_path):
    shown = two_commits_equal_params()
    shown[1]["experiments"].append({"revs": [experiment("s2a", "3" * 40, run_params=params(seed=2), difference=0.0501)]})
    shown[2]["experiments"][0]["revs"][0]["data"]["params"]["params.yaml"]["data"]["claims"]["margins"] = {
        **MARGINS, "silhouette": 1.0}
    shown[2]["experiments"].append({"revs": [experiment("s1b", "4" * 40, run_params=params(
        seed=1, claims={"margins": {**MARGINS, "silhouette": 1.0}}), difference=0.05)]})
    monkeypatch.setattr(over_seeds, "exp_show", lambda options: shown)
    monkeypatch.setattr(over_seeds, "head_commit", lambda: "c" * 40)
    assert over_seeds.main(["--json", str(tmp_path / "verdicts.json")]) == 0
    out = capsys.readouterr().out
    assert f"Seeds 1, 2 of commit {SHA_A[:7]}" in out and f"Seeds 2, 1 of commit {SHA_B[:7]}" in out
    decided = json.loads((tmp_path / "verdicts.json").read_text())
    assert [(d["commit"], d["runs"]) for d in decided] == [(SHA_A, ["s1", "s2a"]), (SHA_B, ["s2", "s1b"])]
    verdicts = [d["claims"]["class_term_helps"]["verdict"] for d in decided]
    assert verdicts == ["supported", "inconclusive"]  # the same differences; the second group's margin is 1.0


def test_the_sweep_pages_seed_statistics_group_by_commit_too(repo):
    shown = two_commits_equal_params()
    found = sweep_runs.comparable(experiments.all_runs(shown, head=SHA_A))[0]
    assert sweep_runs.seed_statistics(found, sweep_runs.key_columns(found)) == []
    shown[1]["experiments"].append({"revs": [experiment("s2a", "3" * 40, run_params=params(seed=2), loss=110.0)]})
    found = sweep_runs.comparable(experiments.all_runs(shown, head=SHA_A))[0]
    [group] = sweep_runs.seed_statistics(found, sweep_runs.key_columns(found))
    assert group["runs"] == ["s1", "s2a"] and group["commit"] == SHA_A
    assert group["stats"]["metrics/train/vae.json:val_loss"]["mean"] == 105.0
    sweep.build(shown, repo / "results", head=SHA_A)
    assert f"(commit {SHA_A[:7]})" in (repo / "results" / "index.html").read_text()
