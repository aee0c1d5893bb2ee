"""Stage samplers@<model>-<sampler>: one sampler of latentspace/models/samplers.py fitted to one model's codes.

DVC's matrix runs it for every model of params.yaml and every fitted sampler, so each sampler is fitted behind the
same decoder (the decoder never sees it) and a new sampler is one declaration. The sampler is fitted to the training
codes (the posterior means of a VAE) with the validation codes held out (half of them stop a trained sampler early; the other half scores every fit). Out ``--fitted`` (.npz): ``codes``
(generation.num_samples, D) float32 drawn with the run's seed, ``log_density_val`` (M,) float64, the log-density
(nats) the fit gives each validation code (a lower bound where the sampler says ``bound``); ``--metrics``: their mean
and what the fit chose (latentspace.models.fits.fit_sampler).
"""

from latentspace.core import params
from latentspace.core.outputs import load_arrays, save_arrays, write_json
from latentspace.core.schema import Generation
from latentspace.core.stage import Stage, dep, metric, out, parse, stage_main
from latentspace.models.priors import PRIOR_ARRAYS
from latentspace.models.samplers import SAMPLERS, by_name

STAGE = Stage({
    "--codes": dep("data/codes/${item.model}.npz"),
    "--fitted": out("data/samplers/${item.model}/${item.sampler}.npz"),
    "--metrics": metric("metrics/samplers/${item.model}/${item.sampler}.json"),
}, ("seed", "compute.threads", "generation"), matrix=(("model", "${models}"),
                                                      ("sampler", tuple(s.name for s in SAMPLERS if s.fitted))))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    codes = load_arrays(args.codes, ("codes_train", "codes_val"), optional=PRIOR_ARRAYS)
    if by_name(args.sampler).keras:
        from latentspace.models import runtime

        runtime.start(p["compute.threads"])
        from latentspace.models import flows, two_stage  # noqa: F401  each Trained sampler's module: its code a dep
    from latentspace.models.fits import fit_sampler

    fitted = fit_sampler(args.sampler, codes, p.get(Generation), seed=p["seed"])
    save_arrays(args.fitted, codes=fitted.codes, log_density_val=fitted.log_density_val)
    write_json(args.metrics, fitted.metrics)
    print(f"{args.model}: {args.sampler} fitted, validation codes' log-density {fitted.metrics['val_log_density']:.2f} "
          f"nats → {args.fitted}")


if __name__ == "__main__":
    main()
