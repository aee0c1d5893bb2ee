"""How close each part of the pipeline is to this machine's limit, measured in one run::

    python3 -m latentspace.tools.benchmark [--out benchmarks/latest.json] [--skip repro,tsne,...]

Writes a JSON file (``benchmarks/latest.json``) and prints it as Markdown tables. Everything is
measured on the machine at hand, in the same run, so the ratios hold where absolute numbers do not:

- ``machine``: CPU model, instruction-set extensions, cores, clock, library versions;
- ``limit``: the theoretical float32 peak (cores × clock × FLOPs a cycle of the widest FMA units:
  64 with AVX-512, 32 with AVX2), the best matrix multiply in the training framework and in NumPy,
  and the conv VAE's convolutions (forward and backward; bfloat16 too where the CPU has it). The
  fractions below divide by the highest of these, so a weak measurement never flatters them;
- ``training``: per model and precision, training images/s (the best epoch after the first,
  validation excluded), GFLOP/s from the layer shapes (6 FLOPs a multiply-add: forward, and the two
  products of the backward pass), their fraction of the limit, and the validation loss reached; then
  the same models in float32 under each other Keras backend (``--backends``, default JAX and PyTorch:
  what a JAX or PyTorch user would get), in a subprocess each;
- ``repro``: a forced default ``dvc repro`` stage by stage: wall time, and start-up (a process that
  imports exactly the stage's modules) against work; no-op ``dvc repro`` and ``dvc status``;
- ``browser``: decoding in report/explore.html in a headless Chromium (TensorFlow.js, CPU backend):
  milliseconds to decode one digit and a batch of 16, per model, the median of repeated decodes;
- ``full_size``: every stage at the original's size (the study's largest point: Fashion-MNIST through
  ``idx``, 50,000 training, 10,000 validation, 10,000 evaluation digits), each model and the judge
  trained for one epoch, in a copy of the project: each stage's wall time (``dvc repro
  --single-item --force``, DVC's share included) and the largest resident memory of its process
  tree, against the budget of :data:`FULL_SIZE_BUDGET` (stages that train are timed, not budgeted);
- ``morphometry``: the digits' morphometrics (latentspace/measures/factors/morphometrics.py) per second on real
  digits, in one process and in ``compute.threads``, against Morpho-MNIST's own loop (its per-image
  path, with scikit-image's ``medial_axis`` rebuilding its table at every call) on the same digits;
- ``tsne``: scikit-learn against openTSNE on Fashion-MNIST codes (``idx`` source) at 10,000 and
  60,000 points: seconds, their ratio, and ``sklearn.manifold.trustworthiness`` on a fixed
  subsample of each map.

Not part of the tests: it takes about 45 minutes on 2 cores (the forced repro and the 60,000-point
scikit-learn t-SNE are most of it), the full-size part 13 more. The forced repro rewrites the
default run's outputs and dvc.lock (with the same numbers, on one machine).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path


from latentspace.core.machine import facts as machine
from latentspace.core.params import read_tree
from latentspace.tools import benchmark_limits, benchmark_runs
from latentspace.tools.deps import ROOT
from latentspace.tools.folders import FolderError, check_file, own_folder, write_file

OWN = ("benchmarks/*.json",)  # the benchmark's documented outputs: the only existing files --out may replace
PARTS = ("limit", "training", "backends", "morphometry", "repro", "tsne", "browser", "full_size")


def markdown(result: dict) -> str:
    """The benchmark's tables."""
    m, lines = result["machine"], []
    lines += [f"Machine: {m['cpu']}, {m['cores']} cores, {m['ghz']} GHz, {' '.join(m['extensions'])}; "
              + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v), ""]
    if "limit" in result:
        lim = result["limit"]
        lines += ["| limit (GFLOP/s) | value |", "| --- | --- |",
                  f"| theoretical float32 peak | {lim['theoretical'] or 0:.0f} |",
                  *(f"| {what} n={n} | {v:.0f} |" for what in ("numpy_matmul", "framework_matmul",
                                                               "framework_matmul_bfloat16")
                    for n, v in lim.get(what, {}).items()),
                  *(f"| {k} | {v:.0f} |" for k, v in lim.items() if k.startswith("conv_vae")),
                  f"| **limit (highest float32)** | {lim['limit']:.0f} |", ""]
    if "training" in result:
        lines += ["| model | backend | precision | images/s | GFLOP/image | GFLOP/s | fraction of limit | val loss |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in result["training"]:
            lines.append(f"| {row['model']} | {row.get('backend', 'tensorflow')} | {row['precision']} | "
                         f"{row['images_per_s']:.0f} | "
                         f"{row['gflop_per_image']:.3f} | {row['gflop_per_s']:.1f} | {row['fraction']:.2f} | "
                         f"{row['val_loss']:.2f} (after {row['epochs']} epochs) |")
        lines.append("")
    lines += [f"Note: {note}" for note in result.get("notes", [])] + ([""] if result.get("notes") else [])
    if result.get("full_size"):
        models = list(dict.fromkeys(r["model"] for r in result["full_size"]))
        lines += ["| full size, 30 epochs (extrapolated) | " + " | ".join(models) + " |",
                  "| --- |" + " --- |" * len(models)]
        for data in benchmark_runs.FULL_SIZES:
            rows = [r for r in result["full_size"] if r["data"] == data]
            lines.append(f"| {data} | " + " | ".join(f"{r['minutes']:.0f} min" for r in rows) + " |")
        lines.append("")
    if "repro" in result:
        r = result["repro"]
        lines += ["| stage | wall s | start-up s | work s |", "| --- | --- | --- | --- |",
                  *(f"| {s['stage']} | {s['wall_s']:.1f} | {s['startup_s']:.1f} | {s['work_s']:.1f} |"
                    for s in r["stages"]),
                  f"| **forced `dvc repro`** | {r['total_s']:.0f} | {r['startup_s']:.0f} "
                  f"({r['startup_s'] / r['total_s']:.0%}) | |",
                  f"| no-op `dvc repro` / `dvc status` | {r['noop_repro_s']:.1f} / {r['status_s']:.1f} | | |", ""]
    if "browser" in result:
        if isinstance(result["browser"], str):
            lines += [f"Explorer decoding: {result['browser']}", ""]
        else:
            lines += ["| explorer, decoding in headless Chromium | TensorFlow.js backend | one digit, ms | 16 digits, ms |",
                      "| --- | --- | --- | --- |",
                      *(f"| {row['model']} | {row['backend']} | {row['ms_1']:.1f} | {row['ms_16']:.1f} |"
                        for row in result["browser"]), ""]
    if "full_size_stages" in result:
        full = result["full_size_stages"]
        if isinstance(full, str):
            lines += [f"Full size: {full}", ""]
        else:
            lines += [f"| stage at full size (50,000 / 10,000 digits) | seconds | GiB | within {full['budget']['seconds']} s"
                      f" and {full['budget']['bytes'] / 2**30:.0f} GiB |", "| --- | --- | --- | --- |",
                      *(f"| {row['stage']}{' (trains, one epoch)' if row['trains'] else ''} | {row['seconds']:.1f} | "
                        f"{row['bytes'] / 2**30:.2f} | {'FAILED' if row['failed'] else 'yes' if row['within'] else '**no**'} |"
                        for row in full["stages"]), ""]
    if "morphometry" in result:
        m = result["morphometry"]
        lines += ["| morphometrics (Morpho-MNIST's six) | processes | digits/s | 10,000 digits in |", "| --- | --- | --- | --- |",
                  *(f"| this module | {row['workers']} | {row['per_s']:.0f} | {row['digits'] / row['per_s']:.0f} s |"
                    for row in m["rows"]),
                  f"| the reference's medial_axis at every call (lower bound) | 1 | {m['reference_per_s']:.0f} | "
                  f"{10_000 / m['reference_per_s']:.0f} s |", ""]
    if "tsne" in result:
        if isinstance(result["tsne"], str):
            lines += [f"t-SNE: {result['tsne']}", ""]
        else:
            lines += ["| t-SNE points | backend | seconds | speed-up | trustworthiness |", "| --- | --- | --- | --- | --- |"]
            base = {row["points"]: row["seconds"] for row in result["tsne"] if row["backend"] == "sklearn"}
            lines += [f"| {row['points']} | {row['backend']} | {row['seconds']:.1f} | "
                      f"{base[row['points']] / row['seconds']:.1f}× | {row['trustworthiness']:.4f} |"
                      for row in result["tsne"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks/latest.json"))
    parser.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {', '.join(PARTS)}")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs a model and precision (default 5)")
    parser.add_argument("--backends", default="jax,torch", help="other Keras backends to train the models under, "
                        "float32 (default: jax,torch; comma-separated; none: '')")
    parser.add_argument("--only", default="", help="comma-separated parts to run, the others left out")
    parser.add_argument("--workspace", default=None, help="full_size: the copy of the project to run in (kept; "
                        "default: a temporary folder, removed)")
    parser.add_argument("--stages", default="", help="full_size: time only these stages (comma-separated), "
                        "in a --workspace made before")
    parser.add_argument("--precisions", default=None, help=argparse.SUPPRESS)  # the subprocess of other_backend
    parser.add_argument("--idx-dir", default="/usr/share/datasets/fashion-mnist", help="Fashion-MNIST's IDX files")
    args = parser.parse_args(argv)
    try:
        check_file(args.out, "--out", OWN)  # before 45 minutes of measuring: someone else's file fails at once
        if args.workspace is not None:  # a folder it made (marked), never the project or another repository
            args.workspace = own_folder(args.workspace, "benchmark", "--workspace", [ROOT])
    except FolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    skip = {part for part in args.skip.split(",") if part}
    only = {part for part in args.only.split(",") if part}
    unknown = (skip | only) - set(PARTS)
    if unknown:
        print(f"error: --skip/--only: no part {', '.join(sorted(unknown))} (parts: {', '.join(PARTS)})", file=sys.stderr)
        return 1
    if only:
        skip = set(PARTS) - only
    params = read_tree(ROOT / "params.yaml")  # as DVC reads it
    facts = machine()
    precisions = (args.precisions.split(",") if args.precisions else
                  ["float32", *(["mixed_bfloat16"] if "avx512_bf16" in facts["extensions"] else [])])
    from latentspace.models import runtime

    runtime.start(params["compute"]["threads"])
    result = {"machine": facts, "threads": params["compute"]["threads"]}
    if "limit" not in skip:
        result["limit"] = benchmark_limits.limit(facts, precisions)
    if "training" not in skip:
        result["training"] = benchmark_limits.training(params, args.epochs, precisions)
        if "backends" not in skip:
            for backend in filter(None, args.backends.split(",")):
                rows = benchmark_limits.other_backend(backend, epochs=3)  # 3: the conv VAE is slow under JAX on a CPU
                if isinstance(rows, str):
                    result.setdefault("notes", []).append(rows)
                else:
                    result["training"] += [row for row in rows if row["backend"] == backend]
        for row in result["training"]:
            top = result.get("limit", {}).get("limit_bfloat16" if row["precision"] != "float32" else "limit")
            row["fraction"] = row["gflop_per_s"] / top if top else float("nan")
        result["full_size"] = benchmark_runs.full_size(result["training"], params["train"]["epochs"])
    if "tsne" not in skip:
        codes = benchmark_runs.fashion_codes(args.idx_dir)
        result["tsne"] = benchmark_runs.tsne(codes, result["threads"]) if codes is not None else (
            f"no Fashion-MNIST IDX files in {args.idx_dir} (apt-get install dataset-fashion-mnist) or no models/ae")
    if "repro" not in skip:
        result["repro"] = benchmark_runs.repro()
    if "full_size" not in skip:
        with tempfile.TemporaryDirectory() as scratch:
            result["full_size_stages"] = benchmark_runs.stages_at_full_size(Path(args.workspace or scratch),
                                                             [s for s in args.stages.split(",") if s] or None)
    if "morphometry" not in skip:  # after full_size: a child's largest resident size counts its parent's at the fork
        result["morphometry"] = benchmark_runs.morphometry(result["threads"])
    if "browser" not in skip:  # after the repro: it times the page the repro wrote
        result["browser"] = benchmark_runs.browser_decoding(ROOT / "report/explore.html")
    write_file(args.out, json.dumps(result, indent=2) + "\n", "--out", OWN)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
