"""Stage factors@<model>: what the model's units encode, read from the digits' shapes (latentspace/measures/factors/per_model.py).

In: the evaluation codes of ``--codes`` (the encoder's means; a VAE's log-variances), the evaluation digits'
morphometrics and class (``--morphometry``), each sampler's decoded draws (``--samples``, the generation
stage's) and the model's decoder (``--model``). Settings: ``factors.*``, ``bootstrap.*``, ``seed``,
``compute.threads`` (TensorFlow's threads and the morphometry's processes).
Out ``--metrics`` (.json: MIG, SAP, DCI, each unit's traversal effects, the decoded digits' factor distances, a
VAE's prior gap), ``--values`` (.npz, latentspace/measures/replicated.py: each claim measure's value and bootstrap
replicates, for the contrasts stage) and ``--figure`` (a unit × factor figure).
"""

from pathlib import Path

from latentspace.core import params
from latentspace.core.stage import Stage, dep, metric, out, plot, parse, stage_main
from latentspace.core.outputs import load_arrays, save_figure, write_json
from latentspace.core.schema import Bootstrap, Factors


STAGE = Stage({
    "--codes": dep("data/codes/${key}.npz"),
    "--morphometry": dep("data/morphometry.npz"),
    "--samples": dep("data/samples/${key}.npz"),
    "--model": dep("models/${key}"),
    "--metrics": metric("metrics/factors/${key}.json"),
    "--values": out("data/factors/${key}.npz"),
    "--figure": plot("plots/factors/${key}.png"),
}, ("seed", "compute.threads", "bootstrap", "factors"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.measures.factors import per_model as factors, morphometrics
    from latentspace.measures import replicated
    from latentspace.models import runtime, samplers
    from latentspace.pages.plotting import factors_figure

    settings = p.get(Factors)
    codes = load_arrays(args.codes, ("codes_eval", "labels_eval"), optional=("log_var_eval",))
    shapes = load_arrays(args.morphometry, ("labels", *morphometrics.factors(settings.strokes)))
    morphometrics.check_same_digits(shapes["labels"], codes["labels_eval"], args.morphometry, args.codes)
    draws = load_arrays(args.samples, tuple(s.name for s in samplers.SAMPLERS))
    runtime.start(p["compute.threads"])
    decoder = runtime.load_model(Path(args.model) / "decoder.keras")
    measured = factors.measure(codes["codes_eval"], codes["labels_eval"], shapes, draws,
                               lambda z: runtime.predict(decoder, z), settings, p.get(Bootstrap), seed=p["seed"],
                               workers=p["compute.threads"], log_var=codes.get("log_var_eval"))
    write_json(args.metrics, measured.metrics)
    replicated.save(args.values, measured.kept)
    save_figure(args.figure, factors_figure(args.name, **measured.figure))
    m = measured.metrics
    gap = f", KL(q(z) ‖ N(0, I)) ≥ {m['prior_gap']['value']:.2f} nats" if "prior_gap" in m else ""
    print(f"{args.name}: MIG {m['mig']['value']:.3f}, SAP {m['sap']['value']:.3f}, DCI disentanglement "
          f"{m['dci']['disentanglement']:.3f}{gap} → {args.metrics}")


if __name__ == "__main__":
    main()
