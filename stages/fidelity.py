"""Stage fidelity@<model>: are the model's reconstructions and decoded class centroids digits, to the judge?

The judge (``--judge``) grades the evaluation digits of ``--data``, the model's reconstructions of
them (its decoder on the evaluation codes of ``--codes``: a VAE's mean codes) and its decoded class
centroids: those of all the evaluation codes, and those of class-balanced subsets of them
(latentspace/measures/fidelity.py); each reconstruction is told, by its pixels, from 99 other digits.
Out ``--values`` (.npz): per evaluation digit ``correct_real``, ``confidence_real``,
``correct_reconstructions``, ``confidence_reconstructions`` (N,) (whether the judge names the class;
its probability of the class), ``identified_reconstructions`` (N,); per subset centroid
``correct_centroids`` and ``confidence_centroids``; ``centroids_all`` (2,): both for all the codes' ten.
"""

from pathlib import Path

from latentspace.core import params
from latentspace.core.stage import Stage, dep, out, parse, stage_main
from latentspace.data.digits import load_split
from latentspace.core.outputs import load_arrays, save_arrays


STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--codes": dep("data/codes/${key}.npz"),
    "--model": dep("models/${key}"),
    "--judge": dep("models/judge.keras"),
    "--values": out("data/fidelity/${key}.npz"),
}, ("seed", "compute.threads"), foreach=True, named=True)


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    import numpy as np

    from latentspace.measures import fidelity
    from latentspace.models import runtime

    codes = load_arrays(args.codes, ("codes_eval",))["codes_eval"]
    x_eval, y_eval = load_split(load_arrays(args.data, ("x_eval", "y_eval")), "eval")
    fidelity.check(len(y_eval), len(np.unique(y_eval)), codes.shape[1])
    runtime.start(p["compute.threads"])
    from latentspace.measures.judge import judge

    decoder, judge_model = runtime.load_model(Path(args.model) / "decoder.keras"), runtime.load_model(Path(args.judge))
    values = fidelity.measure(codes, x_eval, y_eval, lambda z: runtime.predict(decoder, z),
                              lambda images: judge(judge_model, images)[0], seed=p["seed"])
    save_arrays(args.values, **values)
    print(f"{args.name}: judge's accuracy on the real digits {values['correct_real'].mean():.3f}, reconstructions "
          f"{values['correct_reconstructions'].mean():.3f} (identified {values['identified_reconstructions'].mean():.3f}), "
          f"centroids {values['centroids_all'][0]:.3f} → {args.values}")


if __name__ == "__main__":
    main()
