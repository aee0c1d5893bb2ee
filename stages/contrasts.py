"""Stage contrasts: every comparison the claims can ask for, measured on this run (no TensorFlow).

Per model (params.yaml's ``models``): the per-digit separation values ``<model>.npz`` of
``--separation`` (every per-digit measure it holds), the per-draw values of each sampler in
``<model>.npz`` of ``--samples`` (the generation measures that decide claims: the judge's
confidence, precision, Fréchet distance to ``--real``'s evaluation features) and the judged
reconstructions and centroids ``<model>.npz`` of ``--fidelity``. Which pairs: latentspace/contrasts.py.
Out ``--metrics``: {"<a> vs <b>": {measure: {difference, low, high, sd}}}, paired bootstrap
(``bootstrap.*``, ``seed``); no verdict: the claims stage decides from these numbers.
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "--separation", "--samples", "--real", "--fidelity", "--metrics")
    p = params.for_stage()
    from latentspace import contrasts as c
    from latentspace import limits, sample_quality, samplers, separation
    from latentspace.fidelity import JUDGED, KINDS, MEASURES as JUDGED_MEASURES, Judged
    from latentspace.measures import GENERATION, SEPARATION
    from latentspace.outputs import load_arrays, write_json
    from latentspace.sample_quality import Draws

    models, names = p.models(), [s.name for s in samplers.SAMPLERS]
    per_digit = [m.name for m in separation.MEASURES if m.per_item]
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    data = {}
    for model in models:
        data[model] = load_arrays(Path(args.separation) / f"{model}.npz", (per_digit[0],), optional=tuple(per_digit[1:]))
        kept = load_arrays(Path(args.samples) / f"{model}.npz", tuple(f"{k}_{s}" for k in Draws.KEPT for s in names))
        for sampler in names:
            data[f"{model}@{sampler}"] = Draws(real=real, **{k: kept[f"{k}_{sampler}"] for k in Draws.KEPT})
        judged = load_arrays(Path(args.fidelity) / f"{model}.npz",
                             tuple(f"{m}_{kind}" for m in ("correct", "confidence") for kind in ("real", *KINDS))
                             + ("centroids_all",))
        data.setdefault(c.REAL.label, Judged(judged["correct_real"], judged["confidence_real"]))
        data[f"{model}@reconstructions"] = Judged(judged["correct_reconstructions"], judged["confidence_reconstructions"])
        data[f"{model}@centroids"] = Judged(replicated={
            "judged_accuracy": (judged["centroids_all"][0], judged["correct_centroids"]),
            "judged_confidence": (judged["centroids_all"][1], judged["confidence_centroids"])})
    measured = {SEPARATION: lambda a, b: tuple(m for m in per_digit if m in data[a.label] and m in data[b.label]),
                GENERATION: lambda a, b: tuple(m.name for m in sample_quality.MEASURES if m.claims),
                JUDGED: lambda a, b: tuple(m.name for m in JUDGED_MEASURES)}
    compared = [(a, b, measured[kind](a, b)) for a, b, kind in c.pairs(models, names)]
    items = max((c.items(kept) for kept in data.values()), default=0)
    limits.memory("bootstrap.resamples", p["bootstrap.resamples"], 16 * p["bootstrap.resamples"] * items,
                  f"resampling {items} digits or draws that often")
    result = c.measure(compared, data, resamples=p["bootstrap.resamples"], level=p["bootstrap.level"], seed=p["seed"])
    write_json(args.metrics, result)
    print(f"{len(result)} comparisons, {sum(map(len, result.values()))} measurements → {args.metrics}")


if __name__ == "__main__":
    main()
