"""Stage explore: the latent-space explorer page and each model's traversal figure.

For every model of params.yaml's ``models`` it reads ``<name>/decoder.keras`` in ``--models``,
``<name>.npz`` in ``--codes`` (evaluation and training codes), ``--tsne`` (the map) and
``<name>.json`` in ``--units`` (how much each dimension is used); ``--data`` gives the evaluation
digits, ``--morphometry`` their shapes (the morphometry stage: the map can be coloured by each, and
one slider a factor moves the code along the direction a linear fit of the factor on the codes
gives, :func:`latentspace.explorer.factor_direction`), and ``--web`` the page's script
(explorer.js) and TensorFlow.js (tfjs.js).
Outs: ``--out`` (report/explore.html: one panel a model, decoded in the browser; at most
``explore.points`` digits a map, ``explore.draws`` codes of each sampler of latentspace/samplers.py,
drawn here with the generation stage's fit and seed, decoded in the page) and ``--figures``
(``<name>.png``: each dimension, most used first, swept from −3 to +3 standard deviations of the
evaluation codes around the code nearest their mean, decoded).
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import StageError
from latentspace.stage import arguments, stage_main
from latentspace.names import title


def _read_text(path):
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StageError(f"{path}: cannot read the explorer's script ({exc.strerror})") from None


@stage_main
def main():
    args = arguments(__doc__, "--data", "--morphometry", "--models", "--codes", "--tsne", "--units", "--web", "--out",
                     "--figures")
    p = params.for_stage()
    models = p.models()
    import numpy as np

    from latentspace import explorer, morphometrics, runtime, traversals
    from latentspace.outputs import atomic_path, figure_png, load_arrays, read_json, write_text, written
    from latentspace.plotting import image_grid
    from latentspace.samplers import SAMPLERS

    runtime_js, script = _read_text(Path(args.web) / "tfjs.js"), _read_text(Path(args.web) / "explorer.js")
    digits = load_arrays(args.data, ("x_eval", "y_eval"))
    seed, settings = p["seed"], p.section("generation")
    shown = traversals.subset(digits["y_eval"], p["explore.points"], seed)
    measured = load_arrays(args.morphometry, ("labels",), optional=morphometrics.FACTORS)
    morphometrics.check_same_digits(measured["labels"], digits["y_eval"], args.morphometry, args.data)
    factors = [name for name in morphometrics.FACTORS if name in measured]
    latent = load_arrays(Path(args.codes) / f"{models[0]}.npz", ("codes_eval",))["codes_eval"].shape[1]
    explorer.check_size(len(models), len(shown), p["explore.points"], p["explore.draws"], len(SAMPLERS), latent)
    runtime.start(p["compute.threads"])
    panels, grids = [], {}
    for name in models:
        codes = load_arrays(Path(args.codes) / f"{name}.npz", ("codes_eval", "codes_train"))
        mapped = load_arrays(Path(args.tsne) / f"{name}.npz", ("map",))["map"]
        evaluation = codes["codes_eval"]
        if len(evaluation) != len(digits["y_eval"]) or len(mapped) != len(evaluation):
            raise StageError(f"{name}: {len(evaluation)} codes and {len(mapped)} map points for "
                             f"{len(digits['y_eval'])} evaluation digits: rerun its codes and tsne stages")
        used, measure = traversals.usage(read_json(Path(args.units) / f"{name}.json"))
        dimensions = traversals.order(used)
        mean, sd = evaluation.astype(np.float64).mean(axis=0), evaluation.astype(np.float64).std(axis=0)
        decoder = runtime.load_model(Path(args.models) / name / "decoder.keras")
        config = decoder.get_config()
        explorer.check_layers(config, f"{Path(args.models) / name / 'decoder.keras'}")
        start = traversals.anchor(evaluation[shown])
        samplers = [sampler().fit(codes["codes_train"], seed, settings) for sampler in SAMPLERS]
        panels.append({
            "name": name, "title": title(name), "dimensions": int(evaluation.shape[1]),
            "decoder": explorer.decoder_data(config, {layer.name: layer.get_weights() for layer in decoder.layers}),
            "codes": explorer.floats(evaluation[shown]), "map": explorer.floats(mapped[shown]), "anchor": start,
            "order": dimensions, "order_by": measure, "usage": used.tolist(), "mean": mean.tolist(), "sd": sd.tolist(),
            "directions": {f: explorer.factor_direction(evaluation, measured[f]).tolist() for f in factors},
            "samplers": [{"name": s.name, "label": s.label, "codes": explorer.floats(s.draw(p["explore.draws"], seed))}
                         for s in samplers]})
        swept = traversals.traversal_codes(evaluation[shown][start], sd, dimensions)
        images = runtime.predict(decoder, swept).reshape(len(dimensions), traversals.TRAVERSAL_STEPS, 28, 28, 1)
        steps = np.linspace(-traversals.REACH, traversals.REACH, traversals.TRAVERSAL_STEPS)
        grids[name] = image_grid(
            {f"z{d} ({measure} {used[d]:.3g})": images[row] for row, d in enumerate(dimensions)},
            f"{title(name)}: each dimension swept around one code", [f"{s:+g} sd" for s in steps])
    data = {"models": panels, "labels": digits["y_eval"][shown].tolist(), "index": shown.tolist(),
            "factors": [{"name": f, "label": morphometrics.LABELS[f], "unit": morphometrics.UNITS[f],
                         "values": [None if not np.isfinite(v) else round(float(v), 4) for v in measured[f][shown]]}
                        for f in factors],
            "digits": explorer.base64_bytes(digits["x_eval"][shown]), "steps": p["report.interpolation_steps"]}
    with atomic_path(args.figures) as folder:
        folder.mkdir()
        for name, figure in grids.items():
            (folder / f"{name}.png").write_bytes(figure_png(figure))
    write_text(args.out, explorer.page(data, runtime_js, script, "Explore the latent spaces"))
    size = written(args.out).stat().st_size
    print(f"explorer of {len(models)} models, {len(shown)} digits a map → {args.out} ({size / 1e6:.1f} MB); "
          f"traversals → {args.figures}")


if __name__ == "__main__":
    main()
