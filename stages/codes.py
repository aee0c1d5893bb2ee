"""Stage codes@<model>: one model's latent codes of every split, and the images it decodes from them.

Outs: ``--codes`` (.npz: ``codes_<split>`` (N, latent) — the AE's code, a VAE's mean —,
``log_var_<split>`` (N, latent, VAEs only) and ``labels_<split>`` (N,) for train, val and eval);
``--decoded`` (.npz, images (n, 28, 28, 1) in [0, 1]: ``originals``, the first
``report.num_samples`` evaluation digits, and their ``reconstructions`` (decoded mean codes);
``interpolations`` (pairs, steps, 28, 28, 1), the straight line in code space between the first
evaluation digits of each pair of classes in ``INTERPOLATED``, ``report.interpolation_steps``
codes decoded, with the ``pairs``). Decoded centroids and N(0, I) draws are generation@<model>'s.
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import StageError
from latentspace.stage import arguments, stage_main

INTERPOLATED = ((0, 6), (1, 7), (3, 8), (4, 9), (2, 5))  # class pairs: look-alikes and contrasts


@stage_main
def main():
    args = arguments(__doc__, "--data", "--model", "--codes", "--decoded")
    p = params.for_stage()
    import numpy as np

    from latentspace import runtime
    from latentspace.analysis import first_of_classes, interpolations
    from latentspace.data import ARRAYS, SPLITS, load_split
    from latentspace.outputs import load_arrays, save_arrays

    arrays = load_arrays(args.data, ARRAYS)
    splits = {split: load_split(arrays, split) for split in SPLITS}
    n, eval_labels = p["report.num_samples"], splits["eval"][1]
    if n > len(eval_labels):
        raise StageError(f"report.num_samples = {n} is larger than the {len(eval_labels)} evaluation digits")
    pairs = [pair for pair in INTERPOLATED if all(c in eval_labels for c in pair)]
    runtime.start(p["compute.threads"])
    from latentspace.runtime import encode

    encoder = runtime.load_model(Path(args.model) / "encoder.keras")
    decoder = runtime.load_model(Path(args.model) / "decoder.keras")
    codes = {}
    for split, (images, labels) in splits.items():
        mean, log_var = encode(encoder, images)
        codes[f"codes_{split}"], codes[f"labels_{split}"] = mean, labels
        if log_var is not None:
            codes[f"log_var_{split}"] = log_var
    eval_codes, steps = codes["codes_eval"], p["report.interpolation_steps"]
    ends = [first_of_classes(eval_labels, [pair[i] for pair in pairs]) for i in (0, 1)]
    lines = interpolations(eval_codes[ends[0]], eval_codes[ends[1]], steps).reshape(-1, eval_codes.shape[1])
    interpolated = (runtime.predict(decoder, lines) if len(lines) else np.zeros((0, 28, 28, 1), np.float32)).reshape(
        len(pairs), steps, 28, 28, 1)
    save_arrays(args.codes, **codes)
    save_arrays(args.decoded, originals=splits["eval"][0][:n], reconstructions=runtime.predict(decoder, eval_codes[:n]),
                interpolations=interpolated, pairs=np.array(pairs, dtype=np.int64).reshape(-1, 2))
    counts = ", ".join(f"{len(codes['labels_' + split])} {split}" for split in SPLITS)
    print(f"codes of {counts} digits → {args.codes}; decoded images → {args.decoded}")


if __name__ == "__main__":
    main()
