"""Stage baselines: the separation scores of the raw pixels and of their PCA, for scale (no TensorFlow).

The same scores as separation@<model> (latentspace/measures/separation.py), with bootstrap intervals, for
two "codes" that need no training: the 784 pixels of each digit, and its projection on the first
``model.latent_size`` principal components of the training digits (as many numbers as a code).
Out ``--metrics``: {"pixels": {score: {value, low, high}}, "pca": {…}}.
"""

from latentspace.core import limits, params
from latentspace.core.stage import Stage, dep, metric, parse, stage_main
from latentspace.data.digits import ARRAYS, load_split
from latentspace.core.outputs import load_arrays, write_json
from latentspace.core.schema import Bootstrap, Separation


STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--metrics": metric("metrics/baselines.json"),
}, ("seed", "model.latent_size", "separation", "bootstrap"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.measures.separation import baselines, check

    arrays = load_arrays(args.data, ARRAYS)
    (x_train, y_train), (x_eval, y_eval) = load_split(arrays, "train"), load_split(arrays, "eval")
    check(len(y_train), len(y_eval), neighbours=p["separation.neighbours"], resamples=p["bootstrap.resamples"])
    limits.at_most("model.latent_size", p["model.latent_size"], len(y_train),
                   "the PCA baseline has at most as many components as training digits")
    metrics = baselines(x_train.reshape(len(x_train), -1), y_train, x_eval.reshape(len(x_eval), -1), y_eval,
                        p.get(Separation), p.get(Bootstrap), components=p["model.latent_size"], seed=p["seed"])
    write_json(args.metrics, metrics)
    print(f"baselines: probe accuracy pixels {metrics['pixels']['probe_accuracy']['value']:.3f}, "
          f"PCA {metrics['pca']['probe_accuracy']['value']:.3f} → {args.metrics}")


if __name__ == "__main__":
    main()
