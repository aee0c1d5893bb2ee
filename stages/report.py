"""Stage report: assemble report/index.html from the params, metrics, curves and figures (no TensorFlow)."""

import json

from latentspace import params
from latentspace.errors import StageError, stage_main
from latentspace.layout import (CENTROIDS, DATASET, KINDS, PRIOR, RECONSTRUCTIONS, REPORT, SILHOUETTE_METRICS,
                                TITLES, TSNE_PLOT, live_dir, silhouette_plot, train_metrics)

PARAMS = tuple(params.SCHEMA)  # the report shows every parameter


def _read_json(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StageError(f"{path}: cannot read metrics ({exc})") from None


def _read_png(path):
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StageError(f"{path}: cannot read figure ({exc.strerror})") from None


@stage_main
def main():
    p = params.load(PARAMS)
    from latentspace.outputs import load_arrays, write_text
    from latentspace.report import metrics_table, read_curves, render

    rows = metrics_table({kind: _read_json(train_metrics(kind)) for kind in KINDS}, _read_json(SILHOUETTE_METRICS))
    curves = {kind: read_curves(live_dir(kind)) for kind in KINDS}
    figures = {
        "Reconstructions of the first evaluation digits": RECONSTRUCTIONS,
        "Decoded class centroids": CENTROIDS,
        "Decoded draws of N(0, I)": PRIOR,
        "t-SNE maps of the codes": TSNE_PLOT,
        **{f"Silhouette values of the {TITLES[kind]} codes": silhouette_plot(kind) for kind in KINDS},
    }
    labels = load_arrays(DATASET, ("y_train", "y_val", "y_eval"))
    sizes = {split: len(labels[f"y_{split}"]) for split in ("train", "val", "eval")}
    page = render(p.as_dict(), rows, curves, {caption: _read_png(path) for caption, path in figures.items()}, sizes)
    write_text(REPORT, page)
    print(f"report → {REPORT}")


if __name__ == "__main__":
    main()
