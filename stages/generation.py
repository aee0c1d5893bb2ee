"""Stage generation@<model>: digits the model generates, judged by numbers (latentspace/measures/generation.py).

Each sampler's ``generation.num_samples`` codes (the samplers stages': ``--samplers``) are decoded and judged, as are
the class centroids and the reconstructions; each draw is measured against the training digits (``--copies``). Out:
the metrics (every measure of latentspace/measures/sample_quality.py a sampler, and which is ``best``; the centroids'
and reconstructions' accuracy), the samples file (each sampler's images and per-draw values, read back by the
contrasts; the decoded centroids) and a figure (a row a sampler).
"""

from pathlib import Path
from latentspace.core import params
from latentspace.core.names import title
from latentspace.core.stage import Stage, dep, metric, out, plot, parse, stage_main
from latentspace.core.outputs import load_arrays, save_arrays, save_figure, write_json
from latentspace.core.schema import Generation
from latentspace.measures.copying import load as copies
from latentspace.models.fits import load_fits
from latentspace.models.priors import PRIOR_ARRAYS

STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--codes": dep("data/codes/${key}.npz"),
    "--samplers": dep("data/samplers/${key}"),
    "--model": dep("models/${key}"),
    "--judge": dep("models/judge.keras"),
    "--real": dep("data/judge.npz"),
    "--copies": dep("data/copies.npz"),
    "--metrics": metric("metrics/generation/${key}.json"),
    "--samples": out("data/samples/${key}.npz"),
    "--figure": plot("plots/samples/${key}.png"),
}, ("seed", "compute.threads", "generation"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.measures import generation
    from latentspace.models import runtime
    from latentspace.pages.plotting import image_grid

    codes = load_arrays(args.codes, ("codes_train", "codes_eval", "labels_eval"),
                        optional=("log_var_train", "log_var_eval", *PRIOR_ARRAYS))
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    drawn = generation.draw(codes, load_fits(args.samplers), len(real), p.get(Generation), seed=p["seed"])
    runtime.start(p["compute.threads"])
    from latentspace.measures.judge import judge

    decoder, judge_model = runtime.load_model(Path(args.model) / "decoder.keras"), runtime.load_model(Path(args.judge))
    judged = generation.judge(drawn, codes["codes_eval"], load_arrays(args.data, ("y_eval",))["y_eval"], real,
                              lambda z: runtime.predict(decoder, z), lambda images: judge(judge_model, images),
                              copies(args.copies))
    save_arrays(args.samples, **judged.arrays)
    save_figure(args.figure, image_grid(judged.rows, f"{title(args.name)}: decoded draws of each sampler", columns=10))
    write_json(args.metrics, judged.metrics)
    print(f"{args.name}: {generation.summary(judged.metrics)} → {args.metrics}")


if __name__ == "__main__":
    main()
