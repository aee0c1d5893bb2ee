"""Stage codes@<model>: one model's latent codes of every split, and the images it decodes.

Outs: ``--codes`` (.npz: ``codes_<split>`` (N, latent) — the AE's code, a VAE's mean — and
``labels_<split>`` (N,) for train, val and eval); ``--decoded`` (.npz, images (n, 28, 28, 1) in
[0, 1]: ``originals``, the first ``report.num_samples`` evaluation digits, and their
``reconstructions`` (decoded mean codes); ``centroids``, each class's mean evaluation code
decoded, with its ``classes``; ``prior``, ``report.num_samples`` draws of N(0, I) decoded, the
same draws for every model with the same ``seed``).
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import StageError, arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "--data", "--model", "--codes", "--decoded")
    p = params.for_stage()
    import numpy as np

    from latentspace.analysis import class_centroids
    from latentspace.data import ARRAYS, SPLITS, load_split
    from latentspace.outputs import load_arrays, save_arrays

    arrays = load_arrays(args.data, ARRAYS)
    splits = {split: load_split(arrays, split) for split in SPLITS}
    n = p["report.num_samples"]
    if n > len(splits["eval"][1]):
        raise StageError(f"report.num_samples = {n} is larger than the {len(splits['eval'][1])} evaluation digits")
    from latentspace.models import decode, encode, load_model  # imports TensorFlow

    encoder = load_model(Path(args.model) / "encoder.keras")
    decoder = load_model(Path(args.model) / "decoder.keras")
    codes = {}
    for split, (images, labels) in splits.items():
        codes[f"codes_{split}"], codes[f"labels_{split}"] = encode(encoder, images), labels
    images = splits["eval"][0][:n]
    classes, means = class_centroids(codes["codes_eval"], codes["labels_eval"])
    draws = np.random.default_rng(p["seed"]).standard_normal((n, means.shape[1])).astype(np.float32)
    save_arrays(args.codes, **codes)
    save_arrays(args.decoded, originals=images, reconstructions=decode(decoder, codes["codes_eval"][:n]),
                classes=classes, centroids=decode(decoder, means.astype(np.float32)), prior=decode(decoder, draws))
    counts = ", ".join(f"{len(codes['labels_' + split])} {split}" for split in SPLITS)
    print(f"codes of {counts} digits → {args.codes}; decoded images → {args.decoded}")


if __name__ == "__main__":
    main()
