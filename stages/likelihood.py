"""Stage likelihood@<model>: a VAE's importance-weighted log-likelihood of the evaluation digits.

``likelihood.samples`` posterior draws a digit, decoded (latentspace/likelihood.py): the IWAE bound
and the ELBO, nats per image, each the mean over the evaluation digits with its bootstrap interval
(``bootstrap.*``); and, on the first ``likelihood.check_digits`` digits, the IWAE bound again with
``likelihood.check_factor`` times as many draws: how much the estimate still moves with more samples.
The digits are grey levels, not binarised: these numbers compare the models with each other, not
with binarised-MNIST papers. The AE has no posterior: its metrics say so and hold no number.
Out: ``--metrics``.
"""

from pathlib import Path

from latentspace import params
from latentspace.stage import arguments, stage_main

BATCH = 20_000  # codes decoded at a time (memory: BATCH × 784 float32 decoded, ≈ 60 MB)


@stage_main
def main():
    args = arguments(__doc__, "name", "--data", "--codes", "--model", "--metrics")
    p = params.for_stage()
    import numpy as np

    from latentspace import limits
    from latentspace.bootstrap import mean_interval, resamples
    from latentspace.outputs import load_arrays, write_json

    codes = load_arrays(args.codes, ("codes_eval",), optional=("log_var_eval",))
    if "log_var_eval" not in codes:
        write_json(args.metrics, {"note": "a deterministic code: no posterior, no bound"})  # no nulls: DVC drops them
        print(f"{args.name}: no posterior (an AE), no likelihood → {args.metrics}")
        return
    k, seed, level = p["likelihood.samples"], p["seed"], p["bootstrap.level"]
    checked = min(p["likelihood.check_digits"], len(codes["codes_eval"]))
    more = k * p["likelihood.check_factor"]
    limits.memory("likelihood.samples", k, len(codes["codes_eval"]) * k * 8 * 4, "the log weights and draws")
    images = load_arrays(args.data, ("x_eval",))["x_eval"].reshape(len(codes["codes_eval"]), -1) / 255.0
    from latentspace import runtime
    from latentspace.likelihood import draws, elbo, iwae, log_weights

    runtime.start(p["compute.threads"])
    decoder = runtime.load_model(Path(args.model) / "decoder.keras")

    def weights(mean, log_var, x, samples, draw_seed):
        """log w (N, samples), decoding at most BATCH codes at a time."""
        z, eps = draws(mean, log_var, samples, draw_seed)
        step = max(1, BATCH // samples)
        out = []
        for start in range(0, len(mean), step):
            rows = slice(start, start + step)
            decoded = runtime.predict(decoder, z[rows].reshape(-1, z.shape[2]))
            out.append(log_weights(x[rows], decoded.reshape(z[rows].shape[0], samples, -1), z[rows], eps[rows],
                                   log_var[rows]))
        return np.concatenate(out)

    mean, log_var = codes["codes_eval"], codes["log_var_eval"]
    log_w = weights(mean, log_var, images, k, seed)
    indices = resamples(len(mean), p["bootstrap.resamples"], seed)
    bound = iwae(log_w)
    rich = iwae(weights(mean[:checked], log_var[:checked], images[:checked], more, seed + 1))
    metrics = {"samples": k, "iwae": mean_interval(bound, indices, level), "elbo": mean_interval(elbo(log_w), indices, level),
               "check": {"digits": checked, "samples": more, "iwae": float(bound[:checked].mean()),
                         "iwae_more_samples": float(rich.mean()), "change": float(rich.mean() - bound[:checked].mean())}}
    write_json(args.metrics, metrics)
    print(f"{args.name}: IWAE ({k} samples) {metrics['iwae']['value']:.2f}, ELBO {metrics['elbo']['value']:.2f} nats; "
          f"{more} samples move it by {metrics['check']['change']:+.3f} on {checked} digits → {args.metrics}")


if __name__ == "__main__":
    main()
