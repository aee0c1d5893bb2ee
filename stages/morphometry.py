"""Stage morphometry: the shape of every evaluation digit, measured once for all models (no TensorFlow).

Morpho-MNIST's morphometrics (latentspace/measures/factors/morphometrics.py) of the evaluation digits of ``--data``:
area, stroke length, stroke thickness, slant, width and height, in pixels of the 28×28 image (slant
in radians); where the images are not strokes (``factors.strokes: false``, Fashion-MNIST) the shape's
four alone. Measured in ``compute.threads`` processes. Out ``--out`` (.npz): ``<factor>`` (N,) each,
NaN where an image has no contrast, and ``labels`` (N,).
"""

from latentspace.core import params
from latentspace.core.stage import Stage, dep, out, parse, stage_main
from latentspace.data.digits import load_split
from latentspace.core.outputs import load_arrays, save_arrays


STAGE = Stage({
    "--data": dep("data/digits.npz"),
    "--out": out("data/morphometry.npz"),
}, ("compute.threads", "factors.strokes"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    import numpy as np

    from latentspace.measures.factors import morphometrics

    images, labels = load_split(load_arrays(args.data, ("x_eval", "y_eval")), "eval")
    measured = morphometrics.measure(images, strokes=p["factors.strokes"], workers=p["compute.threads"])
    save_arrays(args.out, labels=np.asarray(labels), **measured)
    medians = ", ".join(f"{name} {np.nanmedian(values):.3g} {morphometrics.UNITS[name]}"
                        for name, values in measured.items())
    print(f"{len(labels)} evaluation digits measured (medians: {medians}) → {args.out}")


if __name__ == "__main__":
    main()
