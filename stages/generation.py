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
from latentspace.names import title
from latentspace.stage import Stage, dep, metric, out, plot, parse, stage_main


STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--codes": dep("data/codes/${key}.npz"),
    "--model": dep("models/${key}"),
    "--judge": dep("models/judge.keras"),
    "--real": dep("data/judge.npz"),
    "--metrics": metric("metrics/generation/${key}.json"),
    "--samples": out("data/samples/${key}.npz"),
    "--figure": plot("plots/samples/${key}.png"),
}, ("seed", "compute.threads", "generation"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace import generation, runtime
    from latentspace.outputs import load_arrays, save_arrays, save_figure, write_json
    from latentspace.plotting import image_grid
    from latentspace.schema import Generation

    codes = load_arrays(args.codes, ("codes_train", "codes_eval", "labels_eval"))
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    settings = p.get(Generation)
    drawn = generation.draw(codes, len(real), settings, seed=p["seed"])
    runtime.start(p["compute.threads"])
    from latentspace.judge import judge

    decoder, judge_model = runtime.load_model(Path(args.model) / "decoder.keras"), runtime.load_model(Path(args.judge))
    judged = generation.judge(drawn, codes["codes_eval"], load_arrays(args.data, ("y_eval",))["y_eval"], real,
                              lambda z: runtime.predict(decoder, z), lambda images: judge(judge_model, images))
    save_arrays(args.samples, **judged.arrays)
    save_figure(args.figure, image_grid(judged.rows, f"{title(args.name)}: decoded draws of " + " and of ".join(
        sampler.describe(settings) for sampler in drawn.samplers), columns=10))
    write_json(args.metrics, judged.metrics)
    print(f"{args.name}: Fréchet distance " + ", ".join(f"{name} {judged.metrics[name]['frechet_distance']:.2f}"
                                                         for name in drawn.codes) + f" → {args.metrics}")


if __name__ == "__main__":
    main()
