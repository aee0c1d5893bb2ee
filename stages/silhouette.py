"""Stage silhouette@<model>: how well one model's evaluation codes separate the classes (no TensorFlow).

Outs: ``--metrics`` ({"silhouette": mean score}), ``--values`` (.npz: per-digit ``values`` (N,),
``labels`` (N,)), ``--figure`` (the values grouped by class).
"""

from latentspace.errors import arguments, stage_main
from latentspace.names import title


@stage_main
def main():
    args = arguments(__doc__, "name", "--codes", "--metrics", "--values", "--figure")
    from latentspace.analysis import silhouette
    from latentspace.outputs import load_arrays, save_arrays, save_figure, write_json
    from latentspace.plotting import silhouette_plot

    codes = load_arrays(args.codes, ("codes_eval", "labels_eval"))
    labels = codes["labels_eval"]
    score, values = silhouette(codes["codes_eval"], labels)
    save_figure(args.figure, silhouette_plot(values, labels, score, f"Silhouette of {title(args.name)} codes"))
    save_arrays(args.values, values=values, labels=labels)
    write_json(args.metrics, {"silhouette": score})
    print(f"{args.name}: silhouette {score:.4f} → {args.metrics}")


if __name__ == "__main__":
    main()
