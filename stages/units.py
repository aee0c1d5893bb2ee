"""Stage units@<model>: which latent dimensions one model uses, on the evaluation digits (no TensorFlow).

Out ``--metrics``: ``active_units``, the dimensions whose posterior mean varies over the digits
more than ``units.active_threshold`` (Burda et al. 2016), of ``dimensions``; ``activity`` per
dimension (that variance); for a VAE also ``kl`` (nats per image, the KL term of the loss) and
``kl_per_dimension`` (nats).
"""

from latentspace.core import params
from latentspace.core.stage import Stage, dep, metric, parse, stage_main
from latentspace.core.outputs import load_arrays, write_json


STAGE = Stage({
    "--codes": dep("data/codes/${key}.npz"),
    "--metrics": metric("metrics/units/${key}.json"),
}, ("units",), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.measures.units import measure

    codes = load_arrays(args.codes, ("codes_eval",), optional=("log_var_eval",))
    metrics = measure(codes["codes_eval"], codes.get("log_var_eval"), p["units.active_threshold"])
    write_json(args.metrics, metrics)
    print(f"{args.name}: {metrics['active_units']} of {metrics['dimensions']} dimensions active → {args.metrics}")


if __name__ == "__main__":
    main()
