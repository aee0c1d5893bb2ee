"""Stage tsne@<model>: a 2-D t-SNE map of one model's evaluation codes (no TensorFlow).

Outs: ``--out`` (.npz: ``map`` (N, 2), ``labels`` (N,)); ``--plot``, the same map as a data-series
plot (CSV: ``x``, ``y``, ``digit``) for ``dvc plots show/diff`` (template .dvc/plots/tsne.json).
"""

from latentspace.core import params
from latentspace.core.errors import StageError
from latentspace.core.stage import Stage, dep, out, plot, parse, stage_main
from latentspace.core.outputs import load_arrays, save_arrays, write_text


STAGE = Stage({
    "--codes": dep("data/codes/${key}.npz"),
    "--out": out("data/tsne/${key}.npz"),
    "--plot": plot("plots/tsne/${key}.csv", template="tsne", title="t-SNE map of the ${key} codes (one colour a digit)"),
}, ("seed", "compute.threads", "tsne"), foreach=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()

    codes = load_arrays(args.codes, ("codes_eval", "labels_eval"))
    labels, perplexity = codes["labels_eval"], p["tsne.perplexity"]
    if perplexity >= len(labels):
        raise StageError(f"tsne.perplexity = {perplexity:g} must be smaller than the {len(labels)} evaluation digits")
    from latentspace.measures.analysis import tsne_map

    mapped = tsne_map(codes["codes_eval"], perplexity, p["seed"], p["tsne.backend"], p["compute.threads"])
    save_arrays(args.out, map=mapped, labels=labels)
    write_text(args.plot, "x,y,digit\n" + "".join(f"{float(x)!r},{float(y)!r},{int(d)}\n"
                                                   for (x, y), d in zip(mapped, labels)))
    print(f"t-SNE map of {len(labels)} codes → {args.out}, {args.plot}")


if __name__ == "__main__":
    main()
