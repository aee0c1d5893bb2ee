"""The docs say what the code does: the README stays short, and every project file the docs name exists."""

import re

import pytest
from helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# a project file named in backticks: code, tests, web sources, the docs themselves (outputs of a run are not here)
NAMED = re.compile(r"`((?:latentspace|stages|tests|web|docs|benchmarks)/[\w./-]+\.(?:py|md|sh|js|json))`")


def test_the_readme_is_short_and_the_full_findings_live_in_docs():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 100  # a newcomer reads it in two minutes
    assert "docs/findings.md" in (ROOT / "README.md").read_text()


def test_every_project_file_the_docs_name_exists():
    missing = {(doc.name, name) for doc in DOCS for name in NAMED.findall(doc.read_text())
               if "<" not in name and "*" not in name and not (ROOT / name).exists()}
    assert not missing, sorted(missing)


@pytest.mark.parametrize("package", ["latentspace", *(str(p.parent.relative_to(ROOT)) for p in sorted(
    (ROOT / "latentspace").glob("*/**/__init__.py")))])
def test_each_package_docstring_maps_every_module_it_holds(package):
    """A package's docstring names each of its modules (``name`` or :mod:`~...name`), so its map stays whole."""
    import ast

    folder = ROOT / package
    doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
    named = set(re.findall(r"``(\w+)``|:mod:`~[\w.]*?\.(\w+)`", doc))
    named = {a or b for a, b in named}
    modules = {path.stem for path in folder.glob("*.py") if not path.stem.startswith("__")}
    modules |= {path.name for path in folder.iterdir() if (path / "__init__.py").is_file()}
    assert not modules - named, sorted(modules - named)


# an output of the pipeline named in backticks (``<model>`` and ``{a,b}`` stand for each model and each of a, b)
OUTPUT = re.compile(r"`((?:plots|metrics|models|report|data)/[\w./<>{},-]*)`")


def _expanded(name: str, models: list[str]) -> list[str]:
    """``name`` with ``<model>`` as each model, ``<sampler>`` as each fitted sampler and each ``{a,b}`` as each of
    its words."""
    from latentspace.models.samplers import SAMPLERS

    names = [name.replace("<model>", m) for m in models] if "<model>" in name else [name]
    names = [n.replace("<sampler>", s.name) for n in names for s in SAMPLERS if s.fitted] if "<sampler>" in name else names
    while any("{" in n for n in names):
        names = [n[:n.index("{")] + word + n[n.index("}") + 1:] for n in names
                 for word in n[n.index("{") + 1:n.index("}")].split(",")]
    return names


def test_every_pipeline_output_the_docs_name_is_one_that_dvc_lock_records():
    """A name like `plots/losses.csv` must be an output of the committed run, or above one, or inside a
    folder output (there, in a workspace holding the run, a file of it): a renamed output leaves no stale
    name in the docs."""
    import yaml

    lock = yaml.safe_load((ROOT / "dvc.lock").read_text())["stages"]
    outs = {out["path"].rstrip("/") for stage in lock.values() for out in stage.get("outs", [])}
    models = sorted(yaml.safe_load((ROOT / "params.yaml").read_text())["models"])

    def recorded(path: str) -> bool:
        path = path.rstrip("/")
        if any(path == out or out.startswith(path + "/") for out in outs):
            return True
        # inside a folder output: the file must be there where the workspace holds the run (a fresh clone does not)
        return any(path.startswith(out + "/") and (not (ROOT / out).is_dir() or (ROOT / path).exists()) for out in outs)

    missing = {(doc.name, name) for doc in DOCS for name in OUTPUT.findall(doc.read_text())
               if not all(recorded(n) for n in _expanded(name, models))}
    assert not missing, sorted(missing)


def _placeholders(text: str) -> str:
    """dvc.yaml's ``${key}`` (a ``foreach``'s model) and ``${item.<key>}`` (a ``matrix``'s) as the docs write them."""
    return re.sub(r"\$\{item\.(\w+)\}", r"<\1>", text.replace("${key}", "<model>"))


def _row_name(name: str, stage: dict) -> str:
    """A stage as the docs name it: ``train@<model>`` for a ``foreach``, ``samplers@<model>-<sampler>`` for a matrix."""
    if "matrix" in stage:
        return name + "@" + "-".join(f"<{key}>" for key in stage["matrix"])
    return name + ("@<model>" if "foreach" in stage else "")


def _stage_graph() -> list[str]:
    """docs/pipeline.md's list of what each stage reads, from dvc.yaml: a line a stage (``@<model>`` for a
    ``foreach``), in dvc.yaml's order, naming the stages whose outputs it reads."""
    import yaml

    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    norm = lambda path: _placeholders(str(path)).rstrip("/")  # noqa: E731
    bodies = {_row_name(name, stage): stage.get("do", stage) for name, stage in stages.items()}
    writer = {norm(next(iter(out)) if isinstance(out, dict) else out): name for name, body in bodies.items()
              for out in (*body.get("outs", []), *body.get("metrics", []), *body.get("plots", []))}
    lines = []
    for name, body in bodies.items():
        read = []
        for dep in map(norm, body.get("deps", [])):
            for out, stage in writer.items():
                if (dep == out or dep.startswith(out + "/") or out.startswith(dep + "/")) and stage not in read:
                    read.append(stage)
        lines.append(f"- `{name}` ← " + (", ".join(f"`{r}`" for r in read) or "the data source"))
    return lines


def test_the_pipelines_shape_in_the_docs_is_dvc_yamls():
    """docs/pipeline.md lists, a stage a line, the stages whose outputs it reads, as dvc.yaml declares them
    (a hand-drawn diagram there once showed an edge that was not a dependency)."""
    expected = "\n".join(_stage_graph())
    assert expected in (ROOT / "docs/pipeline.md").read_text(), "docs/pipeline.md should list:\n" + expected


def test_the_stage_tables_params_are_dvc_yamls():
    """docs/pipeline.md's "reads (params)" column names, a stage a row, exactly the keys of its ``params`` in
    dvc.yaml (``report``: all of params.yaml)."""
    import yaml

    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    rows = dict(re.findall(r"^\| `([\w@<>-]+)` \| ([^|]+) \|", (ROOT / "docs/pipeline.md").read_text(), re.M))
    for name, stage in stages.items():
        body = stage.get("do", stage)
        keys = [k for p in body.get("params", []) for k in (p if isinstance(p, dict) else [p])]
        row = rows[_row_name(name, stage)]
        if keys == ["params.yaml"]:
            assert row.strip() == "all of `params.yaml`", name
        else:
            assert [_placeholders(k) for k in keys] == re.findall(r"`([^`]+)`", row), name


def test_the_readme_points_to_dvc_dag_for_the_pipeline_rather_than_copying_it():
    readme = (ROOT / "README.md").read_text()
    assert "`dvc dag` draws it" in readme and "download ─┬─" not in readme


@pytest.mark.parametrize("measured", ["factors-full-size.json", "prior-full-size.json"])
def test_the_full_size_stages_times_in_the_docs_are_the_benchmarks(measured):
    """docs/performance.md shows the full-size runs' tables (the factor stages', then every stage's after the prior
    issue) as the benchmark renders them from ``benchmarks/<measured>``."""
    import json

    from latentspace.tools.benchmark import markdown

    rendered = markdown(json.loads((ROOT / "benchmarks" / measured).read_text()))
    tables = rendered.split("\n", 2)[2].strip()  # the machine line is said in words in the docs
    assert tables in (ROOT / "docs/performance.md").read_text()


def test_the_default_runs_time_in_the_docs_is_the_benchmarks():
    """docs/performance.md shows benchmarks/repro.json's stage table as the benchmark renders it, and the
    README's Quick start gives that forced run's minutes and machine."""
    import json

    from latentspace.tools.benchmark import markdown

    result = json.loads((ROOT / "benchmarks/repro.json").read_text())
    tables = markdown(result).split("\n", 2)[2].strip()
    assert tables in (ROOT / "docs/performance.md").read_text()
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"in about {round(result['repro']['total_s'] / 60)} minutes on 2 cores of an {result['machine']['cpu']}" in readme


def test_the_headline_tables_in_the_docs_are_the_committed_metrics():
    """The tables of docs/findings.md, separation.md and generation.md, as
    ``python3 -m latentspace.tools.headline`` makes them from
    ``metrics/``: a rerun that moves a number fails here until the docs show it."""
    from latentspace.tools.headline import (
        claims_table, generation_table, likelihood_table, losses_table, readme_table, separation_table
    )

    findings = (ROOT / "docs/findings.md").read_text()
    assert readme_table() in findings and losses_table() in findings and likelihood_table() in findings and claims_table() in findings
    assert separation_table() in (ROOT / "docs/separation.md").read_text()
    assert generation_table() in (ROOT / "docs/generation.md").read_text()
