"""Stage download: read the configured source and write the seeded train/val/eval split.

Out: data/dataset.npz (uint8 images (N, 28, 28), uint8 labels (N,) per split).
"""

from latentspace import params
from latentspace.errors import stage_main
from latentspace.layout import DATASET

PARAMS = ("seed", "data.source", "data.tfds_name", "data.idx_dir", "data.val_fraction",
          "data.eval_fraction", "data.subsample")


@stage_main
def main():
    p = params.load(PARAMS)
    from latentspace.data import build_dataset
    from latentspace.outputs import save_arrays

    arrays = build_dataset(
        p["data.source"], tfds_name=p["data.tfds_name"], idx_dir=p["data.idx_dir"],
        val_fraction=p["data.val_fraction"], eval_fraction=p["data.eval_fraction"],
        subsample_size=p["data.subsample"], seed=p["seed"],
    )
    save_arrays(DATASET, **arrays)
    sizes = ", ".join(f"{split} {len(arrays['y_' + split])}" for split in ("train", "val", "eval"))
    print(f"{p['data.source']}: {sizes} digits → {DATASET}")


if __name__ == "__main__":
    main()
