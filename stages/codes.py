"""Stage codes@<model>: one model's latent codes of every split, and the images it decodes from them.

Outs: ``--codes`` (.npz: ``codes_<split>`` (N, latent) — the AE's code, a VAE's mean —,
``log_var_<split>`` (N, latent, VAEs only) and ``labels_<split>`` (N,) for train, val and eval; a VampPrior
model's prior, its pseudo-inputs encoded, ``prior_mean``, ``prior_log_var`` (K, latent));
``--decoded`` (.npz, images (n, 28, 28, 1) in [0, 1]: ``originals``, the first
``report.num_samples`` evaluation digits, and their ``reconstructions`` (decoded mean codes);
``interpolations`` (pairs, steps, 28, 28, 1), the straight line in code space between the first
evaluation digits of each pair of classes in latentspace.measures.analysis.INTERPOLATED, ``report.interpolation_steps``
codes decoded, with the ``pairs``). Decoded centroids and N(0, I) draws are generation@<model>'s.
"""

from pathlib import Path

from latentspace.core import params
from latentspace.core.errors import StageError
from latentspace.core.stage import Stage, dep, out, parse, stage_main
from latentspace.data.digits import ARRAYS, load_split, SPLITS
from latentspace.core.outputs import load_arrays, save_arrays


STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--model": dep("models/${key}"),
    "--codes": out("data/codes/${key}.npz"),
    "--decoded": out("data/decoded/${key}.npz"),
}, ("compute.threads", "report.num_samples", "report.interpolation_steps"), foreach=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.models import runtime
    from latentspace.measures.analysis import decoded, encoded

    arrays = load_arrays(args.data, ARRAYS)
    splits = {split: load_split(arrays, split) for split in SPLITS}
    n, (images, labels) = p["report.num_samples"], splits["eval"]
    if n > len(labels):
        raise StageError(f"report.num_samples = {n} is larger than the {len(labels)} evaluation digits")
    runtime.start(p["compute.threads"])
    encoder = runtime.load_model(Path(args.model) / "encoder.keras")
    decoder = runtime.load_model(Path(args.model) / "decoder.keras")
    codes = encoded(splits, lambda x: runtime.encode(encoder, x))
    if (pseudo := runtime.load_pseudo_inputs(args.model)) is not None:  # a VampPrior: its mixture's components
        codes["prior_mean"], codes["prior_log_var"] = runtime.encode(encoder, pseudo)
    save_arrays(args.codes, **codes)
    save_arrays(args.decoded, **decoded(images, labels, codes["codes_eval"], lambda z: runtime.predict(decoder, z),
                                        shown=n, steps=p["report.interpolation_steps"]))
    counts = ", ".join(f"{len(codes['labels_' + split])} {split}" for split in SPLITS)
    print(f"codes of {counts} digits → {args.codes}; decoded images → {args.decoded}")


if __name__ == "__main__":
    main()
