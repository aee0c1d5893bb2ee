"""Stage train@<model>: train one model of ``params.yaml``'s ``models`` section.

Outs: ``--model`` folder ({encoder,decoder}.keras), ``--metrics`` (final losses, parameter counts),
``--curves`` (a row an epoch, see latentspace/models/curves.py).
"""

from pathlib import Path

from latentspace.core import limits, params
from latentspace.core.stage import Stage, dep, metric, out, plot, parse, stage_main
from latentspace.data.digits import ARRAYS
from latentspace.core.outputs import load_arrays, write_json
from latentspace.core.schema import Train


STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--model": out("models/${key}"),
    "--metrics": metric("metrics/train/${key}.json"),
    "--curves": plot("plots/curves/${key}.csv", template="losses", x="epoch", title="Losses of ${key} (nats per image)"),
}, ("seed", "compute.threads", "model", "train", "models.${key}"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    model, latent_size = p.model(args.name), p["model.latent_size"]
    from latentspace.models import runtime

    arrays = load_arrays(args.data, ARRAYS)
    limits.at_most("model.latent_size", latent_size, len(arrays["y_train"]),
                   "the PCA baseline has at most as many components as training digits")
    width = model.keys.get("hidden_units", 0)
    limits.memory(f"models.{args.name}.hidden_units", width, 16 * 4 * 2 * 784 * width,
                  "the weights, their gradients and Adam's two moments")
    runtime.start(p["compute.threads"])  # imports TensorFlow, quietly: only once the inputs are known good
    from latentspace.models.training import train

    metrics = train(arrays, model, p.get(Train), latent_size=latent_size, seed=p["seed"], model_dir=Path(args.model),
                    curves=Path(args.curves), threads=p["compute.threads"])
    write_json(args.metrics, metrics)
    print(f"{args.name}: val_loss {metrics['val_loss']:.2f} nats/image → {args.metrics}")


if __name__ == "__main__":
    main()
