"""Stage contrasts: every comparison the claims can ask for, measured on this run (no TensorFlow).

Each measure family (latentspace/measures/families.py) reads what its stage kept, per model of params.yaml's
``models``: ``--separation`` (the separation stage's per-digit values), ``--samples``, ``--real`` and ``--copies``
(the generation stage's per-draw values, the judge's features of the evaluation digits, the copies stage's
distances of the validation digits to the training digits),
``--fidelity`` (the judged reconstructions and centroids), ``--factors`` (the factors stage's values
and bootstrap replicates: MIG, SAP, each sampler's factor distances, a VAE's prior gap) and ``--likelihood``
(each digit's IWAE bound); which pairs each compares: its ``compares``. Out ``--metrics``: {"<a> vs <b>": {measure: {difference, low, high, sd}}},
paired bootstrap (``bootstrap.*``, ``seed``); no verdict: the claims stage decides from these numbers.
"""

from latentspace.core import limits, params
from latentspace.core.stage import Stage, dep, metric, parse, stage_main
from latentspace.core.outputs import write_json

STAGE = Stage({
    "--separation": dep("data/separation"),
    "--samples": dep("data/samples"),
    "--real": dep("data/judge.npz"),
    "--copies": dep("data/copies.npz"),
    "--fidelity": dep("data/fidelity"),
    "--factors": dep("data/factors"),
    "--likelihood": dep("data/likelihood"),
    "--metrics": metric("metrics/contrasts.json"),
}, ("seed", "models", "bootstrap"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.claims import contrasts
    from latentspace.models import samplers

    models, names, resamples = p.models(), [s.name for s in samplers.SAMPLERS], p["bootstrap.resamples"]
    inputs = [option[2:] for option, file in STAGE.files.items() if file.kind == "deps"]  # what the families read
    kept = contrasts.gather({name: getattr(args, name) for name in inputs}, models, names, resamples)
    items = max((contrasts.items(side) for sides in kept.values() for side in sides.values()), default=0)
    limits.memory("bootstrap.resamples", resamples, 16 * resamples * items,
                  f"resampling {items} digits or draws that often")
    result = contrasts.compare(kept, models, names, resamples=resamples, level=p["bootstrap.level"], seed=p["seed"])
    write_json(args.metrics, result)
    print(f"{len(result)} comparisons, {sum(map(len, result.values()))} measurements → {args.metrics}")


if __name__ == "__main__":
    main()
