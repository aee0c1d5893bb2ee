"""Stage embed: the latent code of every evaluation digit under each model.

Out: data/codes.npz with ``labels`` (N,) and one (N, latent) array per model (AE codes, VAE means).
"""

from latentspace import params
from latentspace.errors import stage_main
from latentspace.layout import CODES, DATASET, KINDS, model_dir

PARAMS = ()


@stage_main
def main():
    params.load(PARAMS)
    from latentspace.data import load_split
    from latentspace.outputs import load_arrays, save_arrays

    images, labels = load_split(load_arrays(DATASET, ("x_eval", "y_eval")), "eval")
    from latentspace.models import encode, load_model

    codes = {kind: encode(load_model(model_dir(kind) / "encoder.keras"), images) for kind in KINDS}
    save_arrays(CODES, labels=labels, **codes)
    print(f"{len(labels)} evaluation digits encoded by {', '.join(KINDS)} → {CODES}")


if __name__ == "__main__":
    main()
