"""Stage compare: the figures that put every model side by side (no TensorFlow).

Reads each model's ``<name>.npz`` in ``--decoded``, ``--samples`` and ``--tsne``, ``<name>.csv`` in
``--curves`` and ``<name>.json`` in ``--generation`` and ``--units``, for the models of params.yaml's
``models`` in their order. Outs: ``--figures``, a folder of one PNG a figure of
latentspace/pages/comparison.py (reconstructions, decoded centroids and N(0, I) draws, interpolations,
latent units, t-SNE maps, generation), written whole; ``--losses`` (every model's curves in one
CSV, the data of the overlaid loss charts).
"""

from pathlib import Path

from latentspace.core import params
from latentspace.core.stage import Stage, dep, plot, parse, stage_main
from latentspace.core.outputs import load_arrays, read_json, save_figures, write_text


STAGE = Stage({
    "--decoded": dep("data/decoded"),
    "--samples": dep("data/samples"),
    "--tsne": dep("data/tsne"),
    "--curves": dep("plots/curves"),
    "--generation": dep("metrics/generation"),
    "--units": dep("metrics/units"),
    "--judge-metrics": dep("metrics/judge.json"),
    "--figures": plot("plots/compare"),
    "--losses": plot("plots/losses.csv", template="overlay", x="epoch", title="Every model's losses (nats per image)"),
}, ("models", "report.num_samples", "units.active_threshold"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    models = p.models()
    from latentspace.models import curves
    from latentspace.pages.comparison import FIGURES, Inputs

    def arrays(folder, names):
        return {m: load_arrays(Path(folder) / f"{m}.npz", names) for m in models}

    def metrics(folder):
        return {m: read_json(Path(folder) / f"{m}.json") for m in models}

    inputs = Inputs(models, arrays(args.decoded, Inputs.DECODED), arrays(args.samples, Inputs.SAMPLES),
                    arrays(args.tsne, Inputs.MAPS), metrics(args.units), metrics(args.generation),
                    read_json(args.judge_metrics), p["report.num_samples"], p["units.active_threshold"])
    save_figures(args.figures, ((figure.name, figure.draw(inputs)) for figure in FIGURES))
    write_text(args.losses, curves.overlay({m: curves.read(Path(args.curves) / f"{m}.csv") for m in models}))
    print(f"{', '.join(models)} side by side → {args.figures} ({len(FIGURES)} figures), {args.losses}")


if __name__ == "__main__":
    main()
