"""Stage compare: the figures that put every model side by side (no TensorFlow).

Reads each model's ``<name>.npz`` in ``--decoded`` and ``--tsne``, ``<name>.csv`` in ``--curves``
and ``<name>.json`` in ``--generation`` and ``--units``, for the models of params.yaml's ``models``
in their order. Outs: ``--reconstructions``, ``--centroids``, ``--prior`` (image grids, a row a
model), ``--interpolation-figure`` (a row a pair of digits and model: the decoded straight line
between their codes), ``--units-figure`` (each dimension's activity and KL, the threshold
``units.active_threshold`` dashed),
``--tsne-figure`` (a panel a model), ``--generation-figure`` (Fréchet distance against class
entropy for each model and sampler, the real digits' distance from ``--judge-metrics`` marked),
``--losses`` (every model's curves in one CSV, the data of the overlaid loss charts).
"""

from pathlib import Path

from latentspace import params
from latentspace.errors import arguments, stage_main
from latentspace.names import title


@stage_main
def main():
    args = arguments(__doc__, "--decoded", "--tsne", "--curves", "--generation", "--units", "--judge-metrics",
                     "--reconstructions", "--centroids", "--prior", "--interpolation-figure", "--units-figure",
                     "--tsne-figure", "--generation-figure", "--losses")
    p = params.for_stage()
    models = p.models()
    import numpy as np

    from latentspace import curves, plotting
    from latentspace.outputs import load_arrays, read_json, save_figure, write_text

    decoded = {m: load_arrays(Path(args.decoded) / f"{m}.npz", ("originals", "reconstructions", "classes",
                                                                  "centroids", "prior", "interpolations", "pairs"))
               for m in models}
    maps = {m: load_arrays(Path(args.tsne) / f"{m}.npz", ("map", "labels")) for m in models}
    n = len(decoded[models[0]]["prior"])
    rows = {"original": decoded[models[0]]["originals"]}
    rows.update({title(m): decoded[m]["reconstructions"] for m in models})
    save_figure(args.reconstructions, plotting.image_grid(
        rows, "Reconstructions of the first evaluation digits (VAEs decode the mean code)"))
    save_figure(args.centroids, plotting.image_grid(
        {title(m): decoded[m]["centroids"] for m in models}, "Decoded class centroids of the evaluation codes",
        [str(c) for c in decoded[models[0]]["classes"]]))
    save_figure(args.prior, plotting.image_grid(
        {title(m): decoded[m]["prior"] for m in models}, f"The same {n} draws of z ~ N(0, I) through each decoder"))
    pairs = decoded[models[0]]["pairs"]
    save_figure(args.interpolation_figure, plotting.image_grid(
        {f"{a}→{b}, {title(m)}": decoded[m]["interpolations"][i] for i, (a, b) in enumerate(pairs) for m in models},
        "Straight lines in code space between two evaluation digits, decoded"))
    units = {m: read_json(Path(args.units) / f"{m}.json") for m in models}
    save_figure(args.units_figure, plotting.units_panel(
        {title(m): np.array(list(units[m]["activity"].values())) for m in models},
        {title(m): np.array(list(units[m]["kl_per_dimension"].values())) for m in models if "kl_per_dimension" in units[m]},
        p["units.active_threshold"]))
    save_figure(args.tsne_figure, plotting.tsne_panels(
        {title(m): (maps[m]["map"], maps[m]["labels"]) for m in models}))
    generation = {m: read_json(Path(args.generation) / f"{m}.json") for m in models}
    points = {title(m): {s: (generation[m][s]["frechet_distance"], generation[m][s]["class_entropy"])
                         for s in ("prior", "mixture")} for m in models}
    floor = read_json(args.judge_metrics)["real_frechet_distance"]
    save_figure(args.generation_figure, plotting.generation_panel(points, floor))
    write_text(args.losses, curves.overlay({m: curves.read(Path(args.curves) / f"{m}.csv") for m in models}))
    print(f"{', '.join(models)} side by side → {args.reconstructions}, {args.centroids}, {args.prior}, "
          f"{args.interpolation_figure}, {args.units_figure}, {args.tsne_figure}, {args.generation_figure}, {args.losses}")


if __name__ == "__main__":
    main()
