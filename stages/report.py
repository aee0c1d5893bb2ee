"""Stage report: assemble report/index.html from the params, metrics, curves and figures (no TensorFlow).

Per model (params.yaml's ``models``, in order) it reads ``<name>.json`` in ``--train-metrics`` and
``--silhouette-metrics``, ``<name>.csv`` in ``--curves`` and ``<name>.png`` in
``--silhouette-figures``; ``--figures`` are the side-by-side figures, captioned by file name.
"""

import json
from pathlib import Path

from latentspace import params
from latentspace.errors import StageError, arguments, stage_main
from latentspace.names import title

CAPTIONS = {
    "reconstructions": "Reconstructions of the first evaluation digits",
    "centroids": "Decoded class centroids",
    "prior": "Decoded draws of N(0, I)",
    "tsne": "t-SNE maps of the codes",
}


def _read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StageError(f"{path}: cannot read metrics ({exc})") from None


def _read_png(path):
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise StageError(f"{path}: cannot read figure ({exc.strerror})") from None


@stage_main
def main():
    args = arguments(__doc__, "--data", "--train-metrics", "--silhouette-metrics", "--curves", "--silhouette-figures",
                     "--figures", "--out", lists=("--figures",))
    p = params.for_stage()
    models = p.models()
    from latentspace import curves
    from latentspace.data import SPLITS
    from latentspace.outputs import load_arrays, write_text
    from latentspace.report import metrics_table, render

    rows = metrics_table({m: _read_json(Path(args.train_metrics) / f"{m}.json") for m in models},
                         {m: _read_json(Path(args.silhouette_metrics) / f"{m}.json") for m in models})
    figures = {CAPTIONS.get(Path(path).stem, Path(path).stem): _read_png(path) for path in args.figures}
    figures.update({f"Silhouette values of the {title(m)} codes":
                    _read_png(Path(args.silhouette_figures) / f"{m}.png") for m in models})
    labels = load_arrays(args.data, tuple(f"y_{split}" for split in SPLITS))
    sizes = {split: len(labels[f"y_{split}"]) for split in SPLITS}
    page = render(p.as_dict(), rows, {m: curves.read(Path(args.curves) / f"{m}.csv") for m in models}, figures, sizes)
    write_text(args.out, page)
    print(f"report → {args.out}")


if __name__ == "__main__":
    main()
