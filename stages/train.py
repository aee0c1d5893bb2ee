"""Stages train-ae, train-vae, train-conv-vae: ``python stages/train.py {ae,vae,conv_vae}``.

Outs: models/<model>/{encoder,decoder}.keras, dvclive/<model>/ (curves), metrics/train-<model>.json.
"""

import sys

from latentspace import params
from latentspace.errors import StageError, stage_main
from latentspace.layout import DATASET, KINDS, live_dir, model_dir, train_metrics

SHARED = ("seed", "model.latent_size", "train.batch_size", "train.learning_rate", "train.epochs")
PARAMS = {
    "ae": SHARED + ("model.hidden_units",),
    "vae": SHARED + ("model.hidden_units", "vae.beta"),
    "conv_vae": SHARED + ("conv_vae.beta",),  # its layers are fixed by the paper; only the code size varies
}


@stage_main
def main(argv):
    if len(argv) != 1 or argv[0] not in KINDS:
        raise StageError(f"usage: python stages/train.py {{{','.join(KINDS)}}}")
    kind = argv[0]
    p = params.load(PARAMS[kind])
    from latentspace.data import ARRAYS
    from latentspace.outputs import load_arrays, write_json

    arrays = load_arrays(DATASET, ARRAYS)
    from latentspace.training import train  # imports TensorFlow: only once the inputs are known good

    metrics = train(
        kind, arrays, hidden_units=p["model.hidden_units"] if kind != "conv_vae" else 0,
        latent_size=p["model.latent_size"], beta=p[f"{kind}.beta"] if kind != "ae" else 0.0,
        batch_size=p["train.batch_size"], learning_rate=p["train.learning_rate"],
        epochs=p["train.epochs"], seed=p["seed"], model_dir=model_dir(kind), live_dir=live_dir(kind),
    )
    write_json(train_metrics(kind), metrics)
    print(f"{kind}: val_loss {metrics['val_loss']:.2f} nats/image → {train_metrics(kind)}")


if __name__ == "__main__":
    main(sys.argv[1:])
