"""Stage generation@<model>: digits the model generates, judged by numbers.

Samplers (latentspace/samplers.py), ``generation.num_samples`` codes each: ``prior`` draws of
N(0, I); ``mixture`` draws of a Gaussian mixture fitted to the model's training codes
(``generation.mixture_*``). Each is decoded and shown to the judge; so are each class's mean
evaluation code (the centroids) and the evaluation digits' reconstructions.
Outs: ``--metrics`` (per sampler, every measure of latentspace/sample_quality.py: the judge's mean
confidence, the entropy of its predicted classes, Inception Score, Fréchet distance to the
evaluation digits' features, precision and recall; for centroids and for the reconstructions of
the evaluation digits, the judge's accuracy against their class); ``--samples`` (.npz: per sampler
the decoded images ``<sampler>`` (n, 28, 28, 1) and, per draw, the judge's ``confidence_<sampler>``
(n,), its features ``features_<sampler>`` (n, F) and ``inside_<sampler>`` (n,), whether the draw
lies in the real digits' manifold: the per-draw values that the claims stage compares; the decoded
``centroids`` (K, 28, 28, 1) of the ``classes`` (K,)); ``--figure`` (the first draws of every sampler).
"""

from pathlib import Path

from latentspace import params
from latentspace.stage import arguments, stage_main
from latentspace.names import title

FIGURE_SAMPLES = 30  # draws of each sampler in the figure


@stage_main
def main():
    args = arguments(__doc__, "name", "--data", "--codes", "--model", "--judge", "--real", "--metrics", "--samples",
                     "--figure")
    p = params.for_stage()
    import numpy as np

    from latentspace import limits, runtime
    from latentspace import sample_quality as q
    from latentspace.analysis import class_centroids
    from latentspace.outputs import load_arrays, save_arrays, save_figure, write_json
    from latentspace.plotting import image_grid
    from latentspace.samplers import SAMPLERS

    codes = load_arrays(args.codes, ("codes_train", "codes_eval", "labels_eval"))
    y_eval = load_arrays(args.data, ("y_eval",))["y_eval"]
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    n, seed, settings = p["generation.num_samples"], p["seed"], p.section("generation")
    limits.at_most("generation.mixture_components", settings["mixture_components"], len(codes["codes_train"]),
                   "the mixture is fitted to the training codes, at least one a component")
    limits.memory("generation.num_samples", n, n * len(SAMPLERS) * (2 * 784 * 4 + 2 * 8 * len(real)),
                  f"decoding and judging that many draws against {len(real)} real digits")
    samplers = [sampler().fit(codes["codes_train"], seed, settings) for sampler in SAMPLERS]
    draws = {sampler.name: sampler.draw(n, seed) for sampler in samplers}
    classes, centroids = class_centroids(codes["codes_eval"], codes["labels_eval"])
    runtime.start(p["compute.threads"])
    from latentspace.judge import judge

    decoder, judge_model = runtime.load_model(Path(args.model) / "decoder.keras"), runtime.load_model(Path(args.judge))
    images = {name: runtime.predict(decoder, z) for name, z in draws.items()}
    metrics, per_draw = {}, {}
    for name, decoded in images.items():
        judged = q.Draws.judged(*judge(judge_model, decoded), real)
        per_draw.update({f"{kept}_{name}": getattr(judged, kept) for kept in q.Draws.KEPT})
        metrics[name] = q.values(judged)
    decoded_centroids = runtime.predict(decoder, centroids.astype(np.float32))
    centroid_probabilities, _ = judge(judge_model, decoded_centroids)
    metrics["centroids"] = {"accuracy": float((centroid_probabilities.argmax(axis=1) == classes).mean())}
    reconstructed, _ = judge(judge_model, runtime.predict(decoder, codes["codes_eval"]))
    metrics["reconstructions"] = {"accuracy": float((reconstructed.argmax(axis=1) == y_eval).mean())}
    save_arrays(args.samples, **images, **per_draw, centroids=decoded_centroids, classes=classes)
    shown = min(FIGURE_SAMPLES, n)
    save_figure(args.figure, image_grid(
        {sampler.label: images[sampler.name][:shown] for sampler in samplers},
        f"{title(args.name)}: decoded draws of " + " and of ".join(sampler.describe(settings) for sampler in samplers),
        columns=10))
    write_json(args.metrics, metrics)
    print(f"{args.name}: Fréchet distance " + ", ".join(f"{name} {metrics[name]['frechet_distance']:.2f}"
                                                         for name in draws) + f" → {args.metrics}")


if __name__ == "__main__":
    main()
