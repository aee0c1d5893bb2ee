"""Stage generation@<model>: digits the model generates, judged by numbers.

Samplers, ``generation.num_samples`` codes each: ``prior`` draws of N(0, I); ``mixture`` draws of
a Gaussian mixture fitted to the model's training codes (``generation.mixture_*``); ``centroids``,
each class's mean evaluation code. Each is decoded and shown to the judge.
Outs: ``--metrics`` (per sampler: the judge's mean confidence, the entropy of its predicted
classes, Inception Score, Fréchet distance to the evaluation digits' features, precision and
recall; for centroids and for the reconstructions of the evaluation digits, the judge's accuracy
against their class); ``--samples`` (.npz: per sampler the decoded images ``<sampler>`` (n, 28,
28, 1) and, per draw, the judge's ``confidence_<sampler>`` (n,), its features ``features_<sampler>``
(n, F) and ``inside_<sampler>`` (n,), whether the draw lies in the real digits' manifold: the
per-draw values that precision and the Fréchet distance summarise, for the claims stage);
``--figure`` (the first draws of both samplers).
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import arguments, stage_main
from latentspace.names import title

FIGURE_SAMPLES = 30  # draws of each sampler in the figure


@stage_main
def main():
    args = arguments(__doc__, "name", "--data", "--codes", "--model", "--judge", "--real", "--metrics", "--samples",
                     "--figure")
    p = params.for_stage()
    import numpy as np

    from latentspace import sample_quality as q
    from latentspace.analysis import class_centroids
    from latentspace.outputs import load_arrays, save_arrays, save_figure, write_json
    from latentspace.plotting import image_grid

    codes = load_arrays(args.codes, ("codes_train", "codes_eval", "labels_eval"))
    y_eval = load_arrays(args.data, ("y_eval",))["y_eval"]
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    n, seed = p["generation.num_samples"], p["seed"]
    mixture = q.fit_mixture(codes["codes_train"], p["generation.mixture_components"],
                            p["generation.mixture_covariance"], seed)
    classes, centroids = class_centroids(codes["codes_eval"], codes["labels_eval"])
    draws = {"prior": np.random.default_rng(seed).standard_normal((n, centroids.shape[1])).astype(np.float32),
             "mixture": q.sample_mixture(mixture, n, seed)}
    from latentspace import judge  # imports TensorFlow
    from latentspace.models import load_model, use_threads

    use_threads(p["compute.threads"])

    def decode(decoder, codes):
        return decoder.predict(codes, batch_size=500, verbose=0)

    decoder, judge_model = load_model(Path(args.model) / "decoder.keras"), judge.load(Path(args.judge))
    images = {sampler: decode(decoder, z) for sampler, z in draws.items()}
    metrics, per_draw = {}, {}
    for sampler, decoded in images.items():
        probabilities, features = judge.judge(judge_model, decoded)
        precision, recall = q.precision_recall(real, features)
        per_draw.update({f"confidence_{sampler}": probabilities.max(axis=1), f"features_{sampler}": features,
                         f"inside_{sampler}": q.inside_manifold(features, real)})
        metrics[sampler] = {
            "confidence": q.mean_confidence(probabilities), "class_entropy": q.class_entropy(probabilities),
            "inception_score": q.inception_score(probabilities), "frechet_distance": q.frechet_distance(features, real),
            "precision": precision, "recall": recall,
        }
    centroid_probabilities, _ = judge.judge(judge_model, decode(decoder, centroids.astype(np.float32)))
    metrics["centroids"] = {"accuracy": float((centroid_probabilities.argmax(axis=1) == classes).mean())}
    reconstructed, _ = judge.judge(judge_model, decode(decoder, codes["codes_eval"]))
    metrics["reconstructions"] = {"accuracy": float((reconstructed.argmax(axis=1) == y_eval).mean())}
    save_arrays(args.samples, **images, **per_draw)
    shown = min(FIGURE_SAMPLES, n)
    save_figure(args.figure, image_grid(
        {"N(0, I)": images["prior"][:shown], "mixture": images["mixture"][:shown]},
        f"{title(args.name)}: decoded draws of N(0, I) and of a {p['generation.mixture_components']}-component mixture",
        columns=10))
    write_json(args.metrics, metrics)
    print(f"{args.name}: Fréchet distance prior {metrics['prior']['frechet_distance']:.2f}, "
          f"mixture {metrics['mixture']['frechet_distance']:.2f} → {args.metrics}")


if __name__ == "__main__":
    main()
