"""Stage download: read the configured source and write the seeded train/val/eval split.

Outs (.npz: uint8 images (N, 28, 28), uint8 labels (N,) per split): ``--digits``, every training digit, split
with ``data.split_seed`` (``seed`` where null): what the judge learns from and the morphometry measures, the
same file for every training size and (with a split seed) every model seed, so DVC's run cache gives every
point of a dataset the same judge; ``--out``, the same with ``data.train_size`` training digits drawn with
``seed``, what the models learn from.
"""

from latentspace.core import params
from latentspace.core.stage import Stage, out, parse, stage_main
from latentspace.data.digits import SPLITS, build_digits, training_subset
from latentspace.core.outputs import save_arrays


STAGE = Stage({
    "--digits": out("data/digits.npz"),
    "--out": out("data/dataset.npz"),
}, ("seed", "data"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()

    split_seed = p["seed"] if p["data.split_seed"] is None else p["data.split_seed"]
    digits = build_digits(p["data.source"], tfds_name=p["data.tfds_name"], idx_dir=p["data.idx_dir"],
                          val_fraction=p["data.val_fraction"], eval_fraction=p["data.eval_fraction"],
                          subsample_size=p["data.subsample"], seed=split_seed)
    arrays = training_subset(digits, p["data.train_size"], p["seed"], p["data.source"])
    save_arrays(args.digits, **digits)
    save_arrays(args.out, **arrays)
    sizes = ", ".join(f"{split} {len(arrays['y_' + split])}" for split in SPLITS)
    print(f"{p['data.source']}: {sizes} digits → {args.out}")


if __name__ == "__main__":
    main()
