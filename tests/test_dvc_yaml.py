"""dvc.yaml as the one source of truth: deps are exactly the code each stage runs, and every path a
script is handed on its command line is a declared dependency or output (and the other way round)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, dvc_stages, subprocess_env

from latentspace.tools import pipeline
from latentspace.tools.deps import code_deps, import_closure, imported_modules  # the closure dvc.yaml's deps are held to


@pytest.fixture(scope="module")
def stages():
    return dvc_stages(ROOT)


def script_of(stage) -> Path:
    command = stage.cmd.split()
    assert command[:2] == ["python3", "-m"] and command[2].startswith("stages."), stage.cmd
    return ROOT / (command[2].replace(".", "/") + ".py")


def test_the_closure_finds_lazy_relative_and_package_imports(tmp_path):
    closure = import_closure(ROOT / "stages" / "train.py")
    assert "latentspace/models/training.py" in closure  # imported inside main()
    assert "latentspace/models/losses.py" in closure  # through training.py's relative import
    assert "latentspace/__init__.py" in closure
    assert "latentspace/pages/plotting.py" not in closure  # a figure helper must not retrain a model


def test_a_stage_that_renders_a_template_depends_on_the_templates():
    """The report's page comes from latentspace/pages/templates (page_parts.py's ``READS``): editing a template
    reruns the report and no stage that draws no page."""
    assert "latentspace/pages/templates" in code_deps(ROOT / "stages" / "report.py")
    assert "latentspace/pages/templates" not in code_deps(ROOT / "stages" / "train.py")


def test_every_stage_depends_on_exactly_the_code_it_runs(stages):
    assert len(stages) > 5
    for name, stage in stages.items():
        code = {str(dep) for dep in stage.deps if str(dep).endswith(".py") or str(dep).startswith("latentspace/")}
        assert code == code_deps(script_of(stage)), name


def test_every_path_on_a_command_line_is_declared_and_every_declared_path_is_on_it(stages):
    for name, stage in stages.items():
        arguments = set(stage.cmd.split()[3:])
        data = {str(dep) for dep in stage.deps if not str(dep).endswith(".py") and dep.def_path != "params.yaml"
                and not str(dep).startswith("latentspace/")}  # the templates the library reads
        data -= {"params.yaml"}
        outs = {str(out) for out in stage.outs}
        paths = {arg for arg in arguments if "/" in arg or arg in data | outs}  # "models": a top folder
        assert paths == data | outs, name


def test_stages_that_neither_train_nor_decode_import_no_tensorflow_code(stages):
    heavy = {"latentspace/models/architectures.py", "latentspace/models/training.py", "latentspace/models/losses.py"}
    light = [name for name in stages if name.split("@")[0] not in ("train", "codes", "judge", "generation", "fidelity", "explore",
                                                                    "likelihood", "factors", "samplers", "copies")]
    assert {"download", "baselines", "tsne@vae", "separation@ae", "units@vae", "contrasts", "claims", "compare",
            "report"} <= set(light)
    for name in light:
        closure = import_closure(script_of(stages[name]))
        assert not heavy & closure, name
        for path in closure:
            modules = imported_modules(ROOT / path)
            assert not {m for m in modules if m.split(".")[0] in ("tensorflow", "keras")}, (name, path)


def test_a_stage_runs_the_library_of_the_repository_it_runs_in(tmp_path):
    """A queued experiment runs in a copy of the repository: its stages must import the copy's
    latentspace (the code its deps hash), not the installed one of the workspace."""
    for folder in ("stages", "latentspace"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    with (tmp_path / "latentspace" / "__init__.py").open("a") as handle:
        handle.write("\nprint('library:', __file__)\n")
    (stage,) = [s for s in dvc_stages(ROOT).values() if s.name == "units@ae"]
    command = stage.cmd.split()[:3] + ["--help"]
    result = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, env=subprocess_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"library: {tmp_path / 'latentspace' / '__init__.py'}" in result.stdout


def test_dvc_yaml_is_what_the_pipeline_command_writes_from_the_stages_declarations():
    """dvc.yaml is generated (python3 -m latentspace.tools.pipeline): each stage's files and params as its STAGE
    declares them, its code deps from its imports; a stale dvc.yaml fails --check, naming the command."""
    assert pipeline.text() == (ROOT / "dvc.yaml").read_text()
    done = subprocess.run([sys.executable, "-m", "latentspace.tools.pipeline", "--check"], cwd=ROOT,
                          capture_output=True, text=True, env=subprocess_env())
    assert done.returncode == 0, done.stderr


def test_each_stage_of_the_table_of_contents_is_a_stage_script_and_each_script_is_a_stage():
    scripts = {path.stem for path in (ROOT / "stages").glob("*.py") if path.stem != "__init__"}
    import yaml

    written = list(yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"])
    assert [name for name, _ in pipeline.CONTENTS] == written and set(dict(pipeline.CONTENTS)) == scripts


def test_a_stage_parses_the_command_line_its_declaration_gives_dvc_yaml(monkeypatch):
    """latentspace.core.stage.parse reads exactly the options a STAGE declares (and the model's name where it takes it)."""
    from latentspace.core.stage import parse

    declared = pipeline.declaration("separation")
    words = ["vae", *(w for option, f in declared.files.items() for w in (option, f.path.replace("${key}", "vae")))]
    monkeypatch.setattr(sys, "argv", ["separation", *words])
    args = parse(declared, "Stage separation.")
    assert args.name == "vae" and args.codes == "data/codes/vae.npz" and args.figure == "plots/silhouette/vae.png"


def test_the_samplers_stage_depends_on_every_trained_samplers_code_and_no_stage_that_only_names_them_does():
    """A trained sampler's module (latentspace.models.samplers.Trained.module) is imported when it is fitted only:
    the samplers stage must still depend on it, and stages that only name the samplers (their labels, markers)
    must not."""
    from latentspace.models.samplers import SAMPLERS, Trained

    modules = {f"latentspace/models/{s.module}.py" for s in SAMPLERS if issubclass(s, Trained)}
    assert modules and modules <= code_deps(ROOT / "stages/samplers.py")
    for light in ("contrasts", "claims", "report", "separation"):
        assert not modules & code_deps(ROOT / f"stages/{light}.py"), light
