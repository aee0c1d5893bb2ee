"""Stage tsne: a 2-D t-SNE map of each model's evaluation codes (no TensorFlow).

Outs: data/tsne.npz (``labels`` (N,), one (N, 2) map per model), plots/tsne.png (3 panels).
"""

from latentspace import params
from latentspace.errors import StageError, stage_main
from latentspace.layout import CODES, KINDS, TITLES, TSNE, TSNE_PLOT

PARAMS = ("seed", "tsne.perplexity")


@stage_main
def main():
    p = params.load(PARAMS)
    from latentspace.outputs import load_arrays, save_arrays, save_figure

    codes = load_arrays(CODES, ("labels",) + KINDS)
    labels, perplexity = codes["labels"], p["tsne.perplexity"]
    if perplexity >= len(labels):
        raise StageError(f"tsne.perplexity = {perplexity:g} must be smaller than the {len(labels)} evaluation digits")
    from latentspace.analysis import tsne_map
    from latentspace.plotting import tsne_panels

    maps = {kind: tsne_map(codes[kind], perplexity, p["seed"]) for kind in KINDS}
    save_arrays(TSNE, labels=labels, **maps)
    save_figure(TSNE_PLOT, tsne_panels(maps, labels, TITLES))
    print(f"t-SNE maps of {len(labels)} codes → {TSNE}, {TSNE_PLOT}")


if __name__ == "__main__":
    main()
