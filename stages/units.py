"""Stage units@<model>: which latent dimensions one model uses, on the evaluation digits (no TensorFlow).

Out ``--metrics``: ``active_units``, the dimensions whose posterior mean varies over the digits
more than ``units.active_threshold`` (Burda et al. 2016), of ``dimensions``; ``activity`` per
dimension (that variance); for a VAE also ``kl`` (nats per image, the KL term of the loss) and
``kl_per_dimension`` (nats).
"""

from latentspace import params
from latentspace.stage import arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "name", "--codes", "--metrics")
    p = params.for_stage()
    from latentspace.outputs import load_arrays, write_json
    from latentspace.units import active_units, activity, kl_per_dimension

    codes = load_arrays(args.codes, ("codes_eval",), optional=("log_var_eval",))
    mean, log_var = codes["codes_eval"], codes.get("log_var_eval")
    metrics = {"active_units": active_units(mean, p["units.active_threshold"]), "dimensions": int(mean.shape[1]),
               "activity": {f"z{d}": float(v) for d, v in enumerate(activity(mean))}}
    if log_var is not None:
        kl = kl_per_dimension(mean, log_var)
        metrics["kl"] = float(kl.sum())
        metrics["kl_per_dimension"] = {f"z{d}": float(v) for d, v in enumerate(kl)}
    write_json(args.metrics, metrics)
    print(f"{args.name}: {metrics['active_units']} of {metrics['dimensions']} dimensions active → {args.metrics}")


if __name__ == "__main__":
    main()
