"""Stage silhouette: how well each model's codes separate the classes (no TensorFlow).

Outs: metrics/silhouette.json ({model: mean score}), data/silhouette.npz (per-sample values),
plots/silhouette-<model>.png.
"""

from latentspace import params
from latentspace.errors import stage_main
from latentspace.layout import CODES, KINDS, SILHOUETTE_METRICS, SILHOUETTE_VALUES, TITLES, silhouette_plot

PARAMS = ()


@stage_main
def main():
    params.load(PARAMS)
    from latentspace.analysis import silhouette
    from latentspace.outputs import load_arrays, save_arrays, save_figure, write_json
    from latentspace.plotting import silhouette_plot as plot

    codes = load_arrays(CODES, ("labels",) + KINDS)
    labels = codes["labels"]
    scores, values = {}, {}
    for kind in KINDS:
        scores[kind], values[kind] = silhouette(codes[kind], labels)
        save_figure(silhouette_plot(kind), plot(values[kind], labels, scores[kind], f"Silhouette of {TITLES[kind]} codes"))
    save_arrays(SILHOUETTE_VALUES, labels=labels, **values)
    write_json(SILHOUETTE_METRICS, scores)
    print("silhouette " + ", ".join(f"{kind} {score:.4f}" for kind, score in scores.items()))


if __name__ == "__main__":
    main()
