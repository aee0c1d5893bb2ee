"""Stage explore: report/explore.html (one panel a model: its codes, map, units and draws, decoded in the browser
by the model's own decoder) and each model's traversal figure (latentspace/pages/explorer.py)."""

from pathlib import Path

from latentspace.core import limits, params
from latentspace.core.names import title
from latentspace.core.stage import Stage, dep, out, plot, parse, stage_main
from latentspace.core.outputs import load_arrays, read_json, save_figures, write_text, written
from latentspace.models import fits, priors


STAGE = Stage({
    "--data": dep("data/dataset.npz"), "--morphometry": dep("data/morphometry.npz"), "--models": dep("models"),
    "--codes": dep("data/codes"), "--samplers": dep("data/samplers"), "--tsne": dep("data/tsne"),
    "--units": dep("metrics/units"), "--web": dep("web/explorer"), "--out": out("report/explore.html"), "--figures": plot("plots/traversals"),
}, ("seed", "models", "compute.threads", "generation.num_samples", "explore", "report.interpolation_steps"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    models = p.models()
    from latentspace.pages import explorer, plotting
    from latentspace.measures.factors import morphometrics, traversals
    from latentspace.models import runtime, samplers

    runtime_js, script = (explorer.read_script(Path(args.web) / name) for name in ("tfjs.js", "explorer.js"))
    digits = load_arrays(args.data, ("x_eval", "y_eval"))
    limits.at_most("explore.draws", p["explore.draws"], p["generation.num_samples"], "the page shows the samplers' draws")
    shown = traversals.subset(digits["y_eval"], p["explore.points"], p["seed"])
    measured = load_arrays(args.morphometry, ("labels",), optional=morphometrics.FACTORS)
    morphometrics.check_same_digits(measured["labels"], digits["y_eval"], args.morphometry, args.data)
    factors = {name: measured[name] for name in morphometrics.FACTORS if name in measured}
    latent = load_arrays(Path(args.codes) / f"{models[0]}.npz", ("codes_eval",))["codes_eval"].shape[1]
    explorer.check_size(len(models), len(shown), p["explore.points"], p["explore.draws"], len(samplers.SAMPLERS), latent)
    runtime.start(p["compute.threads"])
    panels, grids = [], {}
    for name in models:
        codes = load_arrays(Path(args.codes) / f"{name}.npz", ("codes_eval", "codes_train"), optional=priors.PRIOR_ARRAYS)
        mapped = load_arrays(Path(args.tsne) / f"{name}.npz", ("map",))["map"]
        explorer.check_codes(name, codes["codes_eval"], mapped, len(digits["y_eval"]))
        decoder = runtime.load_model(path := Path(args.models) / name / "decoder.keras")
        explorer.check_layers(decoder.get_config(), str(path), explorer.layer_kinds(script))
        panels.append(explorer.panel(
            name, title(name), codes, mapped, read_json(Path(args.units) / f"{name}.json"),
            (decoder.get_config(), {layer.name: layer.get_weights() for layer in decoder.layers}), shown,
            factors, draws=p["explore.draws"], drawn=fits.drawn(Path(args.samplers) / name)))
        images = runtime.predict(decoder, explorer.sweep(codes["codes_eval"], shown, panels[-1]))
        grids[name] = plotting.traversal_figure(title(name), explorer.sweep_rows(panels[-1], images))
    data = explorer.data(panels, digits["y_eval"], digits["x_eval"], factors, shown, p["report.interpolation_steps"])
    save_figures(args.figures, grids.items())
    write_text(args.out, explorer.page(data, runtime_js, script, "Explore the latent spaces"))
    print(f"explorer of {len(models)} models, {len(shown)} digits a map → {args.out} "
          f"({written(args.out).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
