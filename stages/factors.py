"""Stage factors@<model>: what the model's units encode, read from the digits' shapes.

The evaluation digits' morphometrics (``--morphometry``, the morphometry stage: area, stroke length,
stroke thickness, slant, width, height) and class are the factors. This stage
- scores which unit carries which factor on the evaluation codes of ``--codes`` (the encoder's means):
  MIG and SAP with bootstrap intervals (``bootstrap.*``: the same resamples for every model), DCI from
  gradient-boosted trees on a held-out split (latentspace/disentanglement.py);
- decodes each unit's traversal (the explorer's range) from ``factors.anchors`` seeded evaluation codes
  and measures it: each unit's effect on each factor (latentspace/factor_effects.py);
- measures the reconstructions of a stratified, seeded subset of ``factors.digits`` evaluation digits
  and each sampler's decoded draws of ``--samples`` (the generation stage's), and compares them with
  those digits factor by factor (Wasserstein-1 in the real digits' standard deviations);
- for a VAE (its codes have ``log_var_eval``), says how far the aggregate posterior q(z) sits from
  N(0, I) (latentspace/prior_gap.py).
Out ``--metrics`` (.json, the numbers above), ``--values`` (.npz: each claim measure's value and its
bootstrap replicates, for the contrasts stage) and ``--figure`` (a unit × factor figure).
"""

from pathlib import Path

from latentspace import params
from latentspace.stage import arguments, stage_main


def interval(value, replicated, level):
    from latentspace.bootstrap import percentile_interval

    low, high = percentile_interval(replicated, level, value)
    return {"value": float(value), "low": low, "high": high}


@stage_main
def main():
    args = arguments(__doc__, "name", "--codes", "--morphometry", "--samples", "--model", "--metrics", "--values",
                     "--figure")
    p = params.for_stage()
    import numpy as np

    from latentspace import bootstrap, limits, morphometrics, runtime, samplers
    from latentspace import disentanglement as dis
    from latentspace import factor_effects as fe
    from latentspace import prior_gap as pg
    from latentspace.traversals import REACH, TRAVERSAL_STEPS, subset, traversal_codes
    from latentspace import replicated as replicated_values
    from latentspace.outputs import load_arrays, save_figure, write_json
    from latentspace.plotting import factors_figure

    seed, level, resamples, workers = p["seed"], p["bootstrap.level"], p["bootstrap.resamples"], p["compute.threads"]
    codes = load_arrays(args.codes, ("codes_eval", "labels_eval"), optional=("log_var_eval",))
    names = morphometrics.factors(p["factors.strokes"])
    shapes = load_arrays(args.morphometry, ("labels", *names))
    mean, labels = codes["codes_eval"].astype(np.float64), codes["labels_eval"]
    if len(shapes["labels"]) != len(labels) or not np.array_equal(shapes["labels"], labels):
        from latentspace.errors import StageError

        raise StageError(f"{args.morphometry}: its digits are not the evaluation digits of {args.codes}: "
                         "rerun the morphometry stage")
    real = {name: shapes[name] for name in names}
    spread = {name: float(np.nanstd(values)) for name, values in real.items()}
    kept = dis.measured(mean, real)
    n = int(kept.sum())
    limits.memory("bootstrap.resamples", resamples, 8 * resamples * n * (2 + mean.shape[1]),
                  f"resampling {n} digits' codes and factors that often")

    # which unit carries which factor, on the evaluation digits
    factors = {**{name: values[kept] for name, values in real.items()}, dis.CLASS: labels[kept]}
    scores = dis.scores(mean[kept], factors)
    indices = bootstrap.resamples(n, resamples, seed)
    replicated = dis.resampled(mean[kept], factors, indices)
    fitted = dis.dci(mean[kept], factors, seed)
    order = list(factors)

    # decoded: reconstructions of a subset, each sampler's draws, traversals from anchors
    chosen = subset(labels, p["factors.digits"], seed)
    rng = np.random.default_rng(seed)
    anchors = mean[np.sort(rng.choice(len(mean), size=min(p["factors.anchors"], len(mean)), replace=False))]
    sd = mean.std(axis=0)
    dimensions = list(range(mean.shape[1]))
    travelled = np.concatenate([traversal_codes(a, sd, dimensions) for a in anchors])  # (A·D·S, D)
    draws = load_arrays(args.samples, tuple(s.name for s in samplers.SAMPLERS))
    runtime.start(p["compute.threads"])
    decoder = runtime.load_model(Path(args.model) / "decoder.keras")
    reconstructed = runtime.predict(decoder, mean[chosen].astype(np.float32))
    traversed = runtime.predict(decoder, travelled)
    measured = morphometrics.measure(np.concatenate([reconstructed, traversed,
                                                     *(draws[s.name] for s in samplers.SAMPLERS)]),
                                     strokes=p["factors.strokes"], workers=workers)
    cuts = np.cumsum([len(reconstructed), len(traversed), *(len(draws[s.name]) for s in samplers.SAMPLERS)])[:-1]
    parts = {name: np.split(values, cuts) for name, values in measured.items()}
    reconstructions = {name: parts[name][0] for name in names}
    offsets = np.linspace(-REACH, REACH, TRAVERSAL_STEPS)
    shape = (len(anchors), len(dimensions), TRAVERSAL_STEPS)
    moved = fe.effects({name: parts[name][1].reshape(shape) for name in names}, offsets, spread,
                       resamples=resamples, level=level, seed=seed)

    # decoded digits against the real ones (the subset), factor by factor
    reference = {name: real[name][chosen] for name in names}
    reference_indices = bootstrap.resamples(len(chosen), resamples, seed)
    distances = {"reconstructions": {"to_real": fe.distances(reconstructions, reference, spread, reference_indices,
                                                             reference_indices)}}
    values = {(m, None): (scores[m], replicated[m]) for m in ("mig", "sap")}  # what the contrasts compare
    for position, sampler in enumerate(samplers.SAMPLERS, start=2):
        drawn = {name: parts[name][position] for name in names}
        drawn_indices = bootstrap.resamples(len(drawn[names[0]]), resamples, seed)
        distances[sampler.name] = {
            "to_real": fe.distances(drawn, reference, spread, drawn_indices, reference_indices),
            "to_reconstructions": fe.distances(drawn, reconstructions, spread, drawn_indices, reference_indices)}
        for measure, against in (("factor_distance", "to_real"), ("factor_distance_decoded", "to_reconstructions")):
            values[measure, sampler.name] = distances[sampler.name][against]["mean"]

    metrics = {
        "strokes": p["factors.strokes"], "digits": n,
        "mig": interval(scores["mig"], replicated["mig"], level),
        "sap": interval(scores["sap"], replicated["sap"], level),
        "dci": {"disentanglement": fitted["disentanglement"], "completeness": fitted["completeness"],
                "fitted_on": fitted["fitted_on"],
                "informativeness": {name: float(v) for name, v in zip(order, fitted["informativeness"])}},
        "per_factor": {name: {"mig": float(scores["mig_per_factor"][k]), "sap": float(scores["sap_per_factor"][k]),
                              "completeness": float(fitted["completeness_per_factor"][k]),
                              "entropy": float(scores["entropy"][k])} for k, name in enumerate(order)},
        "units": {f"z{d}": {
            "carries": order[int(np.argmax(scores["mutual_information"][d]))],
            "mutual_information": {name: float(scores["mutual_information"][d, k]) for k, name in enumerate(order)},
            "disentanglement": float(fitted["disentanglement_per_unit"][d]),
            "moves": {name: {"effect": float(moved["effect"][d, k]), "low": float(moved["low"][d, k]),
                             "high": float(moved["high"][d, k])} for k, name in enumerate(names)},
            "moves_most": names[int(moved["top"][d])], "moves_alone": bool(moved["alone"][d])}
            for d in dimensions},
        "traversals": {"anchors": len(anchors), "steps": TRAVERSAL_STEPS, "reach_sd": REACH},
        "distances": {what: {against: {name: interval(v, r, level) for name, (v, r) in found.items()}
                             for against, found in compared.items()} for what, compared in distances.items()},
        "compared_digits": len(chosen),
    }
    if "log_var_eval" in codes:
        log_var = codes["log_var_eval"].astype(np.float64)
        z = pg.draws(mean, log_var, seed)
        gap = pg.gaussian_part(z)
        gap_replicates = np.array([pg.gaussian_part(z[rows]) for rows in bootstrap.resamples(len(z), resamples,
                                                                                              seed)])
        per_dimension = pg.gaussian_part_per_dimension(z), pg.non_gaussian_part_per_dimension(z)
        metrics["prior_gap"] = {
            **interval(gap, gap_replicates, level),
            "per_dimension": {f"z{d}": {"gaussian": float(per_dimension[0][d]),
                                        "non_gaussian": float(per_dimension[1][d])} for d in dimensions},
            "elbo_split": pg.elbo_split(mean, log_var, seed)}
        values["prior_gap", None] = gap, gap_replicates
    write_json(args.metrics, metrics)
    replicated_values.save(args.values, values)
    save_figure(args.figure, factors_figure(args.name, scores["mutual_information"], scores["entropy"], order,
                                            moved, list(names)))
    gap_text = f", KL(q(z) ‖ N(0, I)) ≥ {metrics['prior_gap']['value']:.2f} nats" if "prior_gap" in metrics else ""
    print(f"{args.name}: MIG {scores['mig']:.3f}, SAP {scores['sap']:.3f}, DCI disentanglement "
          f"{fitted['disentanglement']:.3f}{gap_text} → {args.metrics}")


if __name__ == "__main__":
    main()
