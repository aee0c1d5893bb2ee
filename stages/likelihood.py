"""Stage likelihood@<model>: a VAE's importance-weighted log-likelihood of the evaluation digits.

``likelihood.samples`` posterior draws a digit, decoded (latentspace/measures/likelihood.py): the IWAE bound and the
ELBO, nats per image, each the mean over the evaluation digits with its bootstrap interval (``bootstrap.*``); and, on
the first ``likelihood.check_digits`` digits, the IWAE bound again with ``likelihood.check_factor`` times as many
draws: how much the estimate still moves with more samples. The prior is N(0, I), or a VampPrior model's learnt
mixture (its codes' ``prior_mean``, ``prior_log_var``). The digits are grey levels, not binarised: these numbers
compare the models with each other, not with binarised-MNIST papers. The AE has no posterior: its metrics say so.
Outs: ``--metrics``; ``--values`` (.npz: ``iwae`` (N,), each evaluation digit's bound; empty for the AE).
"""

from pathlib import Path

from latentspace.core import params
from latentspace.core.stage import Stage, dep, metric, out, parse, stage_main
from latentspace.core.outputs import load_arrays, save_arrays, write_json
from latentspace.core.schema import Bootstrap, Likelihood


STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--codes": dep("data/codes/${key}.npz"),
    "--model": dep("models/${key}"),
    "--metrics": metric("metrics/likelihood/${key}.json"),
    "--values": out("data/likelihood/${key}.npz"),
}, ("seed", "compute.threads", "bootstrap", "likelihood"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    import numpy as np

    from latentspace.measures import likelihood

    codes = load_arrays(args.codes, ("codes_eval",), optional=("log_var_eval", "prior_mean", "prior_log_var"))
    if "log_var_eval" not in codes:
        save_arrays(args.values, posterior=np.array(False))  # no iwae: compared with no one
        write_json(args.metrics, {"note": "a deterministic code: no posterior, no bound"})  # no nulls: DVC drops them
        print(f"{args.name}: no posterior (an AE), no likelihood → {args.metrics}")
        return
    likelihood.check(len(codes["codes_eval"]), p["likelihood.samples"])
    images = load_arrays(args.data, ("x_eval",))["x_eval"].reshape(len(codes["codes_eval"]), -1) / 255.0
    from latentspace.models import priors, runtime

    runtime.start(p["compute.threads"])
    decoder, log_prior = runtime.load_model(Path(args.model) / "decoder.keras"), priors.learnt_log_density(codes)
    m, bound = likelihood.measure(codes["codes_eval"], codes["log_var_eval"], images,
                                  lambda z: runtime.predict(decoder, z), p.get(Likelihood), p.get(Bootstrap),
                                  seed=p["seed"], log_prior=log_prior or likelihood.standard_normal)  # or N(0, I)
    save_arrays(args.values, iwae=bound)
    write_json(args.metrics, m)
    print(f"{args.name}: IWAE ({m['samples']} samples) {m['iwae']['value']:.2f}, ELBO {m['elbo']['value']:.2f} nats; "
          f"{m['check']['samples']} samples move it by {m['check']['change']:+.3f} on {m['check']['digits']} digits "
          f"→ {args.metrics}")


if __name__ == "__main__":
    main()
