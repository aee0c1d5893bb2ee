"""Stage claims: a verdict on each of the original study's claims, from this run's numbers (no TensorFlow).

The claims and the verdict rule are in latentspace/claims.py. Separation claims compare the
per-digit scores of ``<model>.npz`` in ``--separation`` (silhouette, kNN and probe accuracy);
generation claims the per-draw values of ``<model>.npz`` in ``--samples`` (the judge's confidence,
precision, Fréchet distance to ``--real``'s evaluation features). Each difference gets a paired
bootstrap interval (``bootstrap.*``) and counts only beyond ``claims.margins``.
Out ``--metrics``: {claim: {"verdict", "<better> vs <worse>": {measure: {difference, low, high, sd, verdict}}}}.
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "--separation", "--samples", "--real", "--metrics")
    p = params.for_stage()
    from latentspace import claims, limits
    from latentspace.outputs import load_arrays, write_json
    from latentspace.sample_quality import Draws

    tested = claims.claims(p.models())
    real = load_arrays(args.real, ("features_eval",))["features_eval"]
    data = {}
    for side in {side for claim in tested for pair in claim.pairs for side in pair}:
        if side.sampler is None:
            data[side.label] = load_arrays(Path(args.separation) / f"{side.model}.npz",
                                           claims.separation_measures())
        else:
            kept = load_arrays(Path(args.samples) / f"{side.model}.npz",
                               tuple(f"{name}_{side.sampler}" for name in Draws.KEPT))
            data[side.label] = Draws(real=real, **{name: kept[f"{name}_{side.sampler}"] for name in Draws.KEPT})
    items = max((claims.items(kept) for kept in data.values()), default=0)
    limits.memory("bootstrap.resamples", p["bootstrap.resamples"], 16 * p["bootstrap.resamples"] * items,
                  f"resampling {items} digits or draws that often")
    margins, replicated = p.section("claims.margins"), {}  # each side's replicates, shared by the claims
    verdicts = {claim.key: claims.decide(claim, data, margins=margins, resamples=p["bootstrap.resamples"],
                                         level=p["bootstrap.level"], seed=p["seed"], cache=replicated)
                for claim in tested}
    write_json(args.metrics, verdicts)
    for key, result in verdicts.items():
        print(f"{key}: {result['verdict']}")


if __name__ == "__main__":
    main()
