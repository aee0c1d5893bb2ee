"""Stage fidelity@<model>: are the model's reconstructions and decoded class centroids digits, to the judge?

The judge (``--judge``) grades the evaluation digits of ``--data``, the model's reconstructions of
them (its decoder on the evaluation codes of ``--codes``: a VAE's mean codes) and its decoded class
centroids: those of all the evaluation codes, and those of each of ``bootstrap.resamples`` resamples
of them (latentspace/fidelity.py), the same resamples of the same digits as every other stage.
Out ``--values`` (.npz): per evaluation digit ``correct_real``, ``confidence_real``,
``correct_reconstructions``, ``confidence_reconstructions`` (N,) (whether the judge names the class;
its probability of the class); for the centroids ``correct_centroids`` and ``confidence_centroids``
(B,): the mean over the classes of a resample, and ``centroids_all`` (2,): both for all the codes.
"""

from pathlib import Path

from latentspace import params
from latentspace.stage import arguments, stage_main


@stage_main
def main():
    args = arguments(__doc__, "name", "--data", "--codes", "--model", "--judge", "--values")
    p = params.for_stage()
    import numpy as np

    from latentspace import bootstrap, limits, runtime
    from latentspace import fidelity as f
    from latentspace.analysis import class_centroids
    from latentspace.data import load_split
    from latentspace.outputs import load_arrays, save_arrays

    codes = load_arrays(args.codes, ("codes_eval",))
    x_eval, y_eval = load_split(load_arrays(args.data, ("x_eval", "y_eval")), "eval")
    resamples, n = p["bootstrap.resamples"], len(y_eval)
    classes, centroids = class_centroids(codes["codes_eval"], y_eval)
    limits.memory("bootstrap.resamples", resamples, resamples * len(classes) * (4 * codes["codes_eval"].shape[1] + 2 * 784 * 4)
                  + 16 * resamples * n, f"decoding and judging the class centroids of that many resamples of {n} digits")
    indices = bootstrap.resamples(n, resamples, p["seed"])
    resampled, present = f.resampled_centroids(codes["codes_eval"], y_eval, classes, indices)
    runtime.start(p["compute.threads"])
    from latentspace.judge import judge

    decoder, judge_model = runtime.load_model(Path(args.model) / "decoder.keras"), runtime.load_model(Path(args.judge))

    def graded(images, labels):
        return f.graded(judge(judge_model, images)[0], labels)

    real = graded(x_eval, y_eval)
    reconstructed = graded(runtime.predict(decoder, codes["codes_eval"].astype(np.float32)), y_eval)
    whole = graded(runtime.predict(decoder, centroids.astype(np.float32)), classes)
    flat = resampled.reshape(-1, resampled.shape[-1])
    correct, confidence = (values.reshape(present.shape) for values in
                           graded(runtime.predict(decoder, flat), np.tile(classes, len(indices))))
    save_arrays(args.values, correct_real=real[0], confidence_real=real[1],
                correct_reconstructions=reconstructed[0], confidence_reconstructions=reconstructed[1],
                correct_centroids=f.per_resample(correct, present),
                confidence_centroids=f.per_resample(confidence, present),
                centroids_all=np.array([whole[0].mean(), whole[1].mean()]))
    print(f"{args.name}: judge's accuracy on the real digits {real[0].mean():.3f}, reconstructions "
          f"{reconstructed[0].mean():.3f}, centroids {whole[0].mean():.3f} → {args.values}")


if __name__ == "__main__":
    main()
