"""Stage report: report/index.html from the params, metrics and figures (latentspace/pages/report.py; no TensorFlow).

Per model (params.yaml's ``models``, in order) its metrics, curves and figures, the claims' verdicts, the
baselines, the judge's floor, compare's figures (captioned as latentspace/pages/comparison.py declares them), the
explorer and the study's matrix over seeds (both linked); ``STAGE`` names each folder or file.
"""

import os
from pathlib import Path

from latentspace.core import params
from latentspace.core.names import title
from latentspace.core.stage import Stage, dep, out, parse, stage_main
from latentspace.data.digits import SPLITS
from latentspace.core.outputs import load_arrays, read_json, read_png, write_text


STAGE = Stage({
    "--data": dep("data/dataset.npz"), "--train-metrics": dep("metrics/train"),
    "--separation-metrics": dep("metrics/separation"), "--units-metrics": dep("metrics/units"),
    "--likelihood-metrics": dep("metrics/likelihood"), "--baselines": dep("metrics/baselines.json"),
    "--claims": dep("metrics/claims.json"), "--curves": dep("plots/curves"),
    "--silhouette-figures": dep("plots/silhouette"), "--generation": dep("metrics/generation"),
    "--judge-metrics": dep("metrics/judge.json"), "--sample-figures": dep("plots/samples"),
    "--figures": dep("plots/compare"), "--explorer": dep("report/explore.html"),
    "--traversals": dep("plots/traversals"), "--study": dep("study/verdicts.json"),
    "--factors-metrics": dep("metrics/factors"), "--factor-figures": dep("plots/factors"),
    "--out": out("report/index.html"),
}, None)  # all of params.yaml: the page lists every setting


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    models = p.models()
    from latentspace.models import curves
    from latentspace.pages import comparison, report

    def per_model(folder, read=read_json, suffix=".json", key=lambda m: m):
        return {key(m): read(Path(folder) / f"{m}{suffix}") for m in models}

    figures = report.figures_of({f.caption: read_png(Path(args.figures) / f"{f.name}.png") for f in comparison.FIGURES},
                                per_model(args.silhouette_figures, read_png, ".png"),
                                per_model(args.sample_figures, read_png, ".png"))
    labels, here = load_arrays(args.data, tuple(f"y_{split}" for split in SPLITS)), Path(args.out).parent
    page = report.page(report.Inputs(
        models, per_model(args.train_metrics), per_model(args.separation_metrics), per_model(args.units_metrics),
        per_model(args.likelihood_metrics), per_model(args.generation), per_model(args.factors_metrics),
        per_model(args.curves, curves.read, ".csv"), read_json(args.baselines), read_json(args.claims),
        read_json(args.judge_metrics), read_json(args.study), figures,
        per_model(args.factor_figures, read_png, ".png", title), per_model(args.traversals, read_png, ".png", title),
        os.path.relpath(args.explorer, here), os.path.relpath(Path(args.study).with_name("index.html"), here),
        {split: len(labels[f"y_{split}"]) for split in SPLITS}, p.as_dict()))
    write_text(args.out, page)
    print(f"report → {args.out}")


if __name__ == "__main__":
    main()
