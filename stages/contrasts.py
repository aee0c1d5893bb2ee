"""Stage contrasts: every comparison the claims can ask for, measured on this run (no TensorFlow).

Per model (params.yaml's ``models``): the per-digit separation values ``<model>.npz`` of
``--separation`` (every per-digit measure it holds), the per-draw values of each sampler in
``<model>.npz`` of ``--samples`` (the generation measures that decide claims: the judge's
confidence, precision, Fréchet distance to ``--real``'s evaluation features) and the judged
reconstructions and centroids ``<model>.npz`` of ``--fidelity``; from ``<model>.npz`` of ``--factors`` (the
factors stage) the values and bootstrap replicates of MIG and SAP (the model's codes), of each sampler's
factor distances and of a VAE's prior gap. Which pairs: latentspace/contrasts.py.
Out ``--metrics``: {"<a> vs <b>": {measure: {difference, low, high, sd}}}, paired bootstrap
(``bootstrap.*``, ``seed``); no verdict: the claims stage decides from these numbers.
"""

from pathlib import Path

from latentspace import params
from latentspace.stage import arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "--separation", "--samples", "--real", "--fidelity", "--factors", "--metrics")
    p = params.for_stage()
    import numpy as np

    from latentspace import contrasts as c
    from latentspace import disentanglement, factor_effects, limits, prior_gap, sample_quality, samplers, separation
    from latentspace.fidelity import JUDGED, KINDS, MEASURES as JUDGED_MEASURES, Judged
    from latentspace.measures import GENERATION, SEPARATION
    from latentspace.outputs import load_arrays, write_json
    from latentspace.sample_quality import Draws

    models, names = p.models(), [s.name for s in samplers.SAMPLERS]
    per_digit = [m.name for m in separation.MEASURES if m.per_item]
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    resamples = p["bootstrap.resamples"]
    data = {c.PRIOR_ITSELF.label: c.Replicated({m.name: (0.0, np.zeros(resamples)) for m in prior_gap.MEASURES})}
    coded = [m.name for m in (*disentanglement.MEASURES, *prior_gap.MEASURES)]
    distanced = [m.name for m in factor_effects.MEASURES]
    for model in models:
        separated = load_arrays(Path(args.separation) / f"{model}.npz", (per_digit[0],), optional=tuple(per_digit[1:]))
        factors = load_arrays(Path(args.factors) / f"{model}.npz", tuple(
            f"{m.name}{suffix}" for m in disentanglement.MEASURES for suffix in ("", "_replicates")), optional=tuple(
            f"{m}{suffix}" for m in (*coded, *(f"{d}_{s}" for d in distanced for s in names))
            for suffix in ("", "_replicates")))
        data[model] = c.Replicated({m: (factors[m].item(), factors[f"{m}_replicates"]) for m in coded if m in factors},
                                   also=separated)
        kept = load_arrays(Path(args.samples) / f"{model}.npz", tuple(f"{k}_{s}" for k in Draws.KEPT for s in names))
        for sampler in names:
            data[f"{model}@{sampler}"] = c.Replicated(
                {m: (factors[f"{m}_{sampler}"].item(), factors[f"{m}_{sampler}_replicates"]) for m in distanced
                 if f"{m}_{sampler}" in factors},
                also=Draws(real=real, **{k: kept[f"{k}_{sampler}"] for k in Draws.KEPT}))
        judged = load_arrays(Path(args.fidelity) / f"{model}.npz",
                             tuple(f"{m}_{kind}" for m in ("correct", "confidence") for kind in ("real", *KINDS))
                             + ("centroids_all",))
        data.setdefault(c.REAL.label, Judged(judged["correct_real"], judged["confidence_real"]))
        data[f"{model}@reconstructions"] = Judged(judged["correct_reconstructions"], judged["confidence_reconstructions"])
        data[f"{model}@centroids"] = Judged(replicated={
            "judged_accuracy": (judged["centroids_all"][0], judged["correct_centroids"]),
            "judged_confidence": (judged["centroids_all"][1], judged["confidence_centroids"])})
    def held(names):  # the measures of ``names`` both sides kept
        return lambda a, b: tuple(m for m in names if m in data[a.label] and m in data[b.label])

    measured = {SEPARATION: held(per_digit),
                GENERATION: lambda a, b: tuple(m.name for m in sample_quality.MEASURES if m.claims),
                JUDGED: lambda a, b: tuple(m.name for m in JUDGED_MEASURES),
                **{kind: held([m.name for m in declared]) for kind, declared in (
                    (disentanglement.DISENTANGLING, disentanglement.MEASURES),
                    (factor_effects.FACTORS_KIND, factor_effects.MEASURES), (prior_gap.PRIOR_KIND, prior_gap.MEASURES))}}
    compared = [(a, b, found) for a, b, kind in c.pairs(models, names) if (found := measured[kind](a, b))]
    items = max((c.items(kept) for kept in data.values()), default=0)
    limits.memory("bootstrap.resamples", p["bootstrap.resamples"], 16 * p["bootstrap.resamples"] * items,
                  f"resampling {items} digits or draws that often")
    result = c.measure(compared, data, resamples=p["bootstrap.resamples"], level=p["bootstrap.level"], seed=p["seed"])
    write_json(args.metrics, result)
    print(f"{len(result)} comparisons, {sum(map(len, result.values()))} measurements → {args.metrics}")


if __name__ == "__main__":
    main()
