"""Stage generate: decode with each model: reconstructions, class centroids, samples of N(0, I).

Outs: plots/reconstructions.png (the first ``report.num_samples`` evaluation digits and each
model's reconstruction of them), plots/centroids.png (each class's mean code, decoded),
plots/prior.png (the same ``report.num_samples`` draws of N(0, I) through every decoder).
"""

from latentspace import params
from latentspace.errors import StageError, stage_main
from latentspace.layout import CENTROIDS, CODES, DATASET, KINDS, PRIOR, RECONSTRUCTIONS, TITLES, model_dir

PARAMS = ("seed", "report.num_samples")


@stage_main
def main():
    p = params.load(PARAMS)
    import numpy as np

    from latentspace.analysis import class_centroids
    from latentspace.data import load_split
    from latentspace.outputs import load_arrays, save_figure

    images, labels = load_split(load_arrays(DATASET, ("x_eval", "y_eval")), "eval")
    codes = load_arrays(CODES, ("labels",) + KINDS)
    n = p["report.num_samples"]
    if n > len(images):
        raise StageError(f"report.num_samples = {n} is larger than the {len(images)} evaluation digits")
    latent_size = codes["ae"].shape[1]
    draws = np.random.default_rng(p["seed"]).standard_normal((n, latent_size)).astype(np.float32)

    from latentspace import plotting
    from latentspace.models import decode, encode, load_model

    reconstructions, centroids, prior = {"original": images[:n]}, {}, {}
    for kind in KINDS:
        encoder = load_model(model_dir(kind) / "encoder.keras")
        decoder = load_model(model_dir(kind) / "decoder.keras")
        reconstructions[TITLES[kind]] = decode(decoder, encode(encoder, images[:n]))
        classes, means = class_centroids(codes[kind], codes["labels"])
        centroids[TITLES[kind]] = decode(decoder, means.astype(np.float32))
        prior[TITLES[kind]] = decode(decoder, draws)
    save_figure(RECONSTRUCTIONS, plotting.image_grid(
        reconstructions, "Reconstructions of the first evaluation digits (VAEs decode the mean code)"))
    save_figure(CENTROIDS, plotting.image_grid(
        centroids, "Decoded class centroids of the evaluation codes", [str(c) for c in classes]))
    save_figure(PRIOR, plotting.image_grid(prior, f"The same {n} draws of z ~ N(0, I) through each decoder"))
    print(f"wrote {RECONSTRUCTIONS}, {CENTROIDS}, {PRIOR}")


if __name__ == "__main__":
    main()
