"""Stage tsne@<model>: a 2-D t-SNE map of one model's evaluation codes (no TensorFlow).

Out: ``--out`` (.npz: ``map`` (N, 2), ``labels`` (N,)).
"""

from latentspace import params
from latentspace.errors import StageError, arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "--codes", "--out")
    p = params.for_stage()
    from latentspace.outputs import load_arrays, save_arrays

    codes = load_arrays(args.codes, ("codes_eval", "labels_eval"))
    labels, perplexity = codes["labels_eval"], p["tsne.perplexity"]
    if perplexity >= len(labels):
        raise StageError(f"tsne.perplexity = {perplexity:g} must be smaller than the {len(labels)} evaluation digits")
    from latentspace.analysis import tsne_map

    mapped = tsne_map(codes["codes_eval"], perplexity, p["seed"], p["tsne.backend"], p["compute.threads"])
    save_arrays(args.out, map=mapped, labels=labels)
    print(f"t-SNE map of {len(labels)} codes → {args.out}")


if __name__ == "__main__":
    main()
