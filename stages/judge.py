"""Stage judge: train the digit classifier that scores generated digits, and read the real digits.

Outs: ``--model`` (the classifier, .keras); ``--metrics`` (its accuracy on the evaluation digits,
and under ``real`` the floor of every generation measure of latentspace/measures/sample_quality.py: the
validation digits judged as if generated, against as many evaluation digits; the judge's
confidence and class measures of the evaluation digits); ``--real`` (.npz: the judge's ``features_eval`` (N, 128) of the evaluation digits, ``features_val``
(M, 128) and ``confidence_val`` (M,) of the validation digits: the real digits as if generated).
"""

from pathlib import Path

from latentspace.core import limits, params
from latentspace.core.errors import StageError
from latentspace.core.stage import Stage, dep, metric, out, parse, stage_main
from latentspace.data.digits import ARRAYS, load_split
from latentspace.core.outputs import load_arrays, save_arrays, write_json, written


STAGE = Stage({
    "--data": dep("data/digits.npz"),
    "--model": out("models/judge.keras"),
    "--metrics": metric("metrics/judge.json"),
    "--real": out("data/judge.npz"),
}, ("compute.threads", "judge"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()

    from latentspace.measures import sample_quality as q

    arrays = load_arrays(args.data, ARRAYS)
    (x_train, y_train), (x_val, y_val), (x_eval, y_eval) = (load_split(arrays, s) for s in ("train", "val", "eval"))
    n = min(len(y_val), len(y_eval))
    if n <= q.FEWEST:
        raise StageError(f"{args.data}: {n} validation or evaluation digits are too few to compare feature sets")

    limits.memory("data (validation and evaluation digits)", n, 16 * n * n,
                  "precision and recall compare every pair of validation and evaluation digits")
    from latentspace.models import runtime

    runtime.start(p["compute.threads"])
    from latentspace.measures import judge

    fitted = judge.train(x_train, y_train, x_val, y_val, epochs=p["judge.epochs"], seed=p["judge.seed"],
                         threads=p["compute.threads"], path=Path(args.model))
    model = runtime.load_model(written(Path(args.model)))  # saved, renamed with the other outputs at the end
    probabilities, features = judge.judge(model, x_eval)
    probabilities_val, features_val = judge.judge(model, x_val)
    metrics = q.judge_metrics(probabilities, y_eval, features_val[:n], features[:n], fitted)
    save_arrays(args.real, features_eval=features, features_val=features_val, confidence_val=probabilities_val.max(axis=1))
    write_json(args.metrics, metrics)
    print(f"judge: evaluation accuracy {metrics['eval_accuracy']:.4f}; real Fréchet distance "
          f"{metrics['real']['frechet_distance']:.2f} → {args.metrics}")


if __name__ == "__main__":
    main()
