"""Stage copies: what the data-copying measures compare each draw with (latentspace/measures/copying.py).

The judge's features of the training digits the models learned from (T), and, computed once a run, how far the
held-out evaluation digits (P) and validation digits (V) lie from their nearest training digit, each training digit
from its nearest other, and k-means cells of T (``generation.copy_cells``, seeded). The generation stage measures each
draw against them. Out ``--out`` (.npz): ``features_train`` (l, 128) float32 and the
:class:`latentspace.measures.copying.Reference` arrays.
"""

from pathlib import Path

from latentspace.core import limits, params
from latentspace.core.outputs import load_arrays, save_arrays
from latentspace.core.stage import Stage, dep, out, parse, stage_main
from latentspace.data.digits import load_split

STAGE = Stage({
    "--data": dep("data/dataset.npz"),
    "--judge": dep("models/judge.keras"),
    "--real": dep("data/judge.npz"),
    "--out": out("data/copies.npz"),
}, ("seed", "compute.threads", "generation.copy_cells"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    x_train = load_split(load_arrays(args.data, ("x_train", "y_train")), "train")[0]  # as the judge saw every digit
    real = load_arrays(args.real, ("features_eval", "features_val"))
    limits.at_most("generation.copy_cells", p["generation.copy_cells"], len(x_train),
                   "the data-copying test's cells are k-means clusters of the training digits")
    from latentspace.models import runtime

    runtime.start(p["compute.threads"])
    from latentspace.measures import copying
    from latentspace.measures.judge import judge

    features = judge(runtime.load_model(Path(args.judge)), x_train)[1]
    found = copying.reference(features, real["features_eval"], real["features_val"], cells=p["generation.copy_cells"],
                              seed=p["seed"])
    save_arrays(args.out, features_train=features, **found.arrays())
    print(f"copies: {len(features)} training digits; validation digits' copy score "
          f"{copying.copy_scores(found.validation, found.held_out).mean():.3f} (0.5: as far as held-out digits) "
          f"→ {args.out}")


if __name__ == "__main__":
    main()
