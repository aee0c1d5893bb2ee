"""Stage download: read the configured source and write the seeded train/val/eval split.

Out: ``--out`` (.npz: uint8 images (N, 28, 28), uint8 labels (N,) per split).
"""

from latentspace.core import params
from latentspace.core.stage import Stage, out, parse, stage_main
from latentspace.data.digits import build_dataset, SPLITS
from latentspace.core.outputs import save_arrays


STAGE = Stage({
    "--out": out("data/dataset.npz"),
}, ("seed", "data"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()

    arrays = build_dataset(
        p["data.source"], tfds_name=p["data.tfds_name"], idx_dir=p["data.idx_dir"],
        val_fraction=p["data.val_fraction"], eval_fraction=p["data.eval_fraction"],
        subsample_size=p["data.subsample"], seed=p["seed"], train_size=p["data.train_size"],
    )
    save_arrays(args.out, **arrays)
    sizes = ", ".join(f"{split} {len(arrays['y_' + split])}" for split in SPLITS)
    print(f"{p['data.source']}: {sizes} digits → {args.out}")


if __name__ == "__main__":
    main()
