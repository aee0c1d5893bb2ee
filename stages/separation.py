"""Stage separation@<model>: how well one model's evaluation codes separate the digits (no TensorFlow).

Scores, each with a bootstrap interval over the evaluation digits (``bootstrap.*``): silhouette;
the accuracy of a k-nearest-neighbour vote and of a linear probe, both fitted on the training
codes; the Davies–Bouldin (lower is better) and Calinski–Harabasz indices; the agreement of a
ten-cluster k-means with the labels (adjusted Rand index, normalised mutual information); the
trustworthiness of the t-SNE map ``--tsne`` (k = ``separation.neighbours``, as the kNN's).
Outs: ``--metrics`` ({score: {value, low, high}}), ``--values`` (.npz: the per-digit scores (N,)
and ``labels``), ``--figure`` (the silhouette values grouped by class).
"""

from latentspace.core import params
from latentspace.core.stage import Stage, dep, metric, out, plot, parse, stage_main
from latentspace.core.names import title
from latentspace.core.outputs import load_arrays, save_arrays, save_figure, write_json


STAGE = Stage({
    "--codes": dep("data/codes/${key}.npz"),
    "--tsne": dep("data/tsne/${key}.npz"),
    "--metrics": metric("metrics/separation/${key}.json"),
    "--values": out("data/separation/${key}.npz"),
    "--figure": plot("plots/silhouette/${key}.png"),
}, ("seed", "separation", "bootstrap"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.pages.plotting import silhouette_plot
    from latentspace.measures.separation import Codes, check, scores

    codes = load_arrays(args.codes, ("codes_train", "labels_train", "codes_eval", "labels_eval"))
    embedded = load_arrays(args.tsne, ("map",))["map"]
    labels, k = codes["labels_eval"], p["separation.neighbours"]
    check(len(codes["labels_train"]), len(labels), neighbours=k, resamples=p["bootstrap.resamples"])
    metrics, values = scores(Codes(codes["codes_train"], codes["labels_train"], codes["codes_eval"], labels,
                                   neighbours=k, tolerance=p["separation.probe_tolerance"], seed=p["seed"],
                                   embedded=embedded),
                             resamples=p["bootstrap.resamples"], level=p["bootstrap.level"])
    score = metrics["silhouette"]["value"]
    save_figure(args.figure, silhouette_plot(values["silhouette"], labels, score,
                                             f"Silhouette of {title(args.name)} codes"))
    save_arrays(args.values, labels=labels, **values)
    write_json(args.metrics, metrics)
    print(f"{args.name}: silhouette {score:.4f}, kNN {metrics['knn_accuracy']['value']:.3f}, "
          f"probe {metrics['probe_accuracy']['value']:.3f} → {args.metrics}")


if __name__ == "__main__":
    main()
