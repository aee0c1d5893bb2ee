"""Which latent unit carries which factor: MIG, SAP and DCI on a model's codes (no TensorFlow).

The factors are the digits' morphometrics (latentspace/measures/factors/morphometrics.py) and the class, measured on
the same N evaluation digits for every model, so that an estimator's bias, set by N and the bins,
is shared by the models it compares. ``codes`` are the encoder's means (N, D); ``factors`` maps a
factor's name to its values (N,); the class (:data:`CLASS`) is discrete, the rest continuous.

- **Mutual information** I(z_d; v_k) (nats), the plug-in estimate on :data:`BINS` equal-width bins of each unit
  and continuous factor (disentanglement_lib's, Morpho-MNIST's). Its bias is upward and differs by factor, set by
  the bins each fills (Miller–Madow: ≈ (bins_z − 1)(bins_v − 1) / 2N): on 1,000 digits 0.086 nats for the class,
  0.107–0.160 for the shape factors; it also loses what the bins hide.
- **MIG** (Chen et al. 2018), as published: per factor, the gap between the two units with the most plug-in
  information over the factor's plug-in entropy, the mean over factors. Uncorrected, as in the literature: the
  two units' biases mostly cancel in the gap, what remains (≤ the bias above over H) differs by factor.
- **Which factor a unit carries** (this study's statement, :func:`shares`): the factor of the largest (I − I₀) / H,
  I₀ the unit's mean plug-in information against :data:`PERMUTATIONS` seeded permutations of the factors' values
  (these very bins' and marginals' bias: 0 expected of an independent unit, whatever the factor), H the factor's
  plug-in entropy (biased down by ≤ (bins − 1) / 2N ≈ 0.01 nats). Chosen over Miller–Madow, whose count of
  occupied bins under-corrects with 400 cells on 1,000 digits.
- **SAP** (Kumar et al. 2018, disentanglement_lib's sap_score.py): per factor, the gap between the two
  units that predict it best alone, the mean over factors: a continuous factor's squared correlation; for
  the class, the held-out accuracy of a linear SVC on the one unit (:func:`classified`). ``sap_eta2``, this
  study's former variant, takes η² (the class's share of the unit's variance) for the class instead.
- **DCI** (Eastwood & Williams 2018): one gradient-boosted trees predictor per factor (scikit-learn's,
  disentanglement_lib's choice) fitted on a seeded half of the digits (at most :data:`FIT`); the trees'
  impurity importances make the unit × factor matrix R. Disentanglement: 1 − the entropy (base K) of
  each unit's row, weighted by the unit's share of R; completeness: 1 − the entropy (base D) of each
  factor's column, weighted alike; informativeness: the predictor's R² (accuracy for the class) on
  the held-out half. One fit: no interval on D and C; informativeness has the held-out digits' bootstrap.

MIG and SAP get intervals from bootstrap resamples of the digits (:func:`resampled`): the same
resamples for every model make paired differences; SAP's classifiers are fitted once, their held-out digits resampled.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentspace.measures import replicated
from latentspace.measures.registry import Family, Measure
from latentspace.measures.sides import model_pairs

DISENTANGLING = "disentanglement"  # the kind of the measures below: of a model's codes against the factors
MEASURES: tuple[Measure, ...] = (
    Measure("mig", "MIG", DISENTANGLING, per_item=False, claims=True),
    Measure("sap", "SAP", DISENTANGLING, per_item=False, claims=True),
)


def kept(paths, models, samplers, resamples):
    """Each model's MIG and SAP with their bootstrap replicates, as the factors stage kept them (``paths["factors"]``)."""
    return {model: replicated.load(Path(paths["factors"]) / f"{model}.npz", [m.name for m in MEASURES], required=True)
            for model in models}


FAMILY = Family(DISENTANGLING, MEASURES, compares=model_pairs, reads=kept, inputs=("factors",))

BINS = 20  # equal-width bins of each unit and continuous factor (disentanglement_lib's default)
FIT = 1000  # at most this many digits fit DCI's predictors (10 s a model at 2,000: the study's budget), as many score them
CLASS = "class"  # the digit's class: the one discrete factor
PERMUTATIONS = 100  # permutations of the factors' values whose mean information is chance's (sd of the mean ≈ 0.001 nats)
SVC_C = 0.01  # SAP's class classifier: disentanglement_lib's LinearSVC(C=0.01, class_weight="balanced")


def _check(codes: np.ndarray, factors: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    codes = np.asarray(codes, np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise ValueError(f"codes: expected (N ≥ 2, D), got shape {codes.shape}")
    out = {name: np.asarray(values) for name, values in factors.items()}
    for name, values in out.items():
        if values.shape != (len(codes),):
            raise ValueError(f"factors[{name!r}]: expected ({len(codes)},), got shape {values.shape}")
    if not out:
        raise ValueError("factors: none given")
    if not np.isfinite(codes).all():
        raise ValueError("codes: not all finite")
    return codes, out


def measured(codes: np.ndarray, factors: dict[str, np.ndarray]) -> np.ndarray:
    """The digits (N,) bool whose every factor was measured (not NaN: a blank image has no shape)."""
    keep = np.ones(len(codes), bool)
    for values in factors.values():
        if np.issubdtype(np.asarray(values).dtype, np.floating):
            keep &= np.isfinite(values)
    return keep


def binned(values: np.ndarray, discrete: bool = False) -> np.ndarray:
    """A unit's or factor's values (N,) as bin indices (N,) int: :data:`BINS` equal-width bins over the
    values' range (disentanglement_lib's ``np.digitize`` on ``histogram_bin_edges``), a discrete
    factor's values as the index of their level."""
    values = np.asarray(values)
    if discrete:
        return np.unique(values, return_inverse=True)[1].astype(np.int64)
    edges = np.histogram_bin_edges(values.astype(np.float64), BINS)
    return np.clip(np.digitize(values, edges[1:-1]), 0, BINS - 1).astype(np.int64)


def _entropy(counts: np.ndarray, axis) -> np.ndarray:
    """Plug-in entropy (nats) of counts summed to probabilities over ``axis``."""
    total = counts.sum(axis=axis, keepdims=True)
    p = np.divide(counts, total, out=np.zeros_like(counts, dtype=np.float64), where=total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(p), 0.0).sum(axis=axis)


def _cells(code_bins: np.ndarray, factor_bins: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Each digit's cell of every (unit, factor) joint histogram as one flat index (N, D·K), and the shape
    (D, K, unit bins, factor bins) of those histograms."""
    d, k = code_bins.shape[1], factor_bins.shape[1]
    bz, bv = int(code_bins.max()) + 1, int(factor_bins.max()) + 1
    pair = (np.arange(d)[:, None] * k + np.arange(k)[None, :]) * (bz * bv)  # (D, K)
    index = pair[None] + code_bins[:, :, None] * bv + factor_bins[:, None, :]  # (N, D, K)
    return index.reshape(len(code_bins), -1), (d, k, bz, bv)


def information(code_bins: np.ndarray, factor_bins: np.ndarray, weights: np.ndarray | None = None,
                cells: tuple[np.ndarray, tuple[int, int, int, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Plug-in mutual information (D, K) nats between binned units (N, D) and factors (N, K), and each
    factor's entropy (K,) nats, the digits counted ``weights`` (N,) times (a bootstrap resample's counts);
    ``cells``: :func:`_cells` of the same bins, computed once for many resamples."""
    index, (d, k, bz, bv) = cells if cells is not None else _cells(code_bins, factor_bins)
    w = np.ones(len(index)) if weights is None else np.asarray(weights, np.float64)
    joint = np.bincount(index.ravel(), weights=np.repeat(w, d * k), minlength=d * k * bz * bv).reshape(d, k, bz, bv)
    h_z = _entropy(joint.sum(axis=3), axis=2)  # (D, K): each unit's entropy (the same for every k)
    h_v = _entropy(joint.sum(axis=2), axis=2)  # (D, K): each factor's (the same for every d)
    h_zv = _entropy(joint.reshape(d, k, -1), axis=2)
    return np.maximum(h_z + h_v - h_zv, 0.0), h_v[0]


def gaps(scores: np.ndarray) -> np.ndarray:
    """Per factor (K,): the best unit's score minus the second best's, from scores (D, K)."""
    top = np.sort(scores, axis=0)
    return top[-1] - top[-2] if len(top) > 1 else top[-1]


def mig(mi: np.ndarray, entropy: np.ndarray) -> tuple[float, np.ndarray]:
    """MIG and its per-factor gaps (K,) from mutual information (D, K) and the factors' entropies (K,)."""
    per_factor = gaps(mi) / np.maximum(entropy, 1e-12)
    return float(per_factor.mean()), per_factor


def chance(code_bins: np.ndarray, factor_bins: np.ndarray, seed: int, permutations: int = PERMUTATIONS) -> np.ndarray:
    """The plug-in information (D, K) nats of units independent of the factors: its mean over ``permutations``
    seeded permutations of the digits' factor values (N, K), the units' bins (N, D) and every marginal kept."""
    rng = np.random.default_rng(seed)
    return np.mean([information(code_bins, factor_bins[rng.permutation(len(factor_bins))])[0]
                    for _ in range(permutations)], axis=0)


def shares(mi: np.ndarray, null: np.ndarray, entropy: np.ndarray) -> np.ndarray:
    """What each unit knows of each factor beyond chance, as a share of the factor's entropy (D, K):
    (I − I₀) / H from the information (D, K) nats, chance's (D, K) and the entropies (K,); about 0 for an
    independent unit whatever the factor, 1 for a copy. Its argmax over factors is the factor a unit carries."""
    return (mi - null) / np.maximum(entropy, 1e-12)[None, :]


def carried(share: np.ndarray, names: list[str]) -> list[str]:
    """The factor each unit carries (D,): the name of its row's largest :func:`shares`."""
    return [names[int(k)] for k in np.argmax(share, axis=1)]


def classified(codes: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """SAP's class column as disentanglement_lib computes it: per unit, LinearSVC(C=:data:`SVC_C`,
    class_weight="balanced") on that unit alone, unscaled (so the score depends on the codes' scale), fitted
    on a seeded half of the digits; the other half's indices (M,) and whether each unit predicts them (D, M)."""
    from sklearn.svm import LinearSVC

    order = np.random.default_rng(seed).permutation(len(codes))
    fit, held = order[:len(codes) // 2], order[len(codes) // 2:]
    right = [LinearSVC(C=SVC_C, class_weight="balanced", random_state=seed).fit(codes[fit, d:d + 1], labels[fit])
             .predict(codes[held, d:d + 1]) == labels[held] for d in range(codes.shape[1])]
    return held, np.asarray(right, np.float64)


def predictiveness(codes: np.ndarray, factors: dict[str, np.ndarray], weights: np.ndarray | None = None,
                   classes: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """SAP's score matrix (D, K): how well each unit alone predicts each factor, in [0, 1]: the squared
    correlation for a continuous factor; for the class, the accuracy on the held-out digits of ``classes``
    (:func:`classified`), or η² (between-class share of the unit's variance) when it is None."""
    codes = np.asarray(codes, np.float64)
    w = np.ones(len(codes)) if weights is None else np.asarray(weights, np.float64)
    w = w / w.sum()
    centred = codes - w @ codes
    var_z = w @ centred ** 2  # (D,)
    scores = []
    for name, values in factors.items():
        if name == CLASS and classes is not None:  # the held-out digits' accuracy, each counted w times
            held, right = classes
            scores.append(right @ w[held] / max(float(w[held].sum()), 1e-300))
        elif name == CLASS:
            onehot = (np.asarray(values)[:, None] == np.unique(values)[None, :]).astype(np.float64)
            share = w @ onehot  # (C,)
            means = (onehot * w[:, None]).T @ centred / np.maximum(share, 1e-300)[:, None]  # (C, D)
            between = share @ means ** 2
            scores.append(np.divide(between, var_z, out=np.zeros_like(var_z), where=var_z > 0))
        else:
            v = np.asarray(values, np.float64)
            v = v - w @ v
            denominator = var_z * (w @ v ** 2)
            scores.append(np.divide(((w * v) @ centred) ** 2, denominator, out=np.zeros_like(var_z),
                                    where=denominator > 0))
    return np.stack(scores, axis=1)


def sap(codes: np.ndarray, factors: dict[str, np.ndarray], weights: np.ndarray | None = None,
        classes: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """SAP, its per-factor gaps (K,) and the score matrix (D, K) (:func:`predictiveness`'s)."""
    scores = predictiveness(codes, factors, weights, classes)
    return float(gaps(scores).mean()), gaps(scores), scores


def _bins(codes: np.ndarray, factors: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    code_bins = np.stack([binned(c) for c in codes.T], axis=1)
    factor_bins = np.stack([binned(v, discrete=name == CLASS) for name, v in factors.items()], axis=1)
    return code_bins, factor_bins


def scores(codes: np.ndarray, factors: dict[str, np.ndarray], seed: int) -> dict:
    """MIG, SAP (the published) and SAP with η² of codes (N, D) against factors ({name: (N,)}), their
    per-factor gaps (K,) and matrices (D, K): the plug-in information and chance's (nats), :func:`shares`
    (which the factor labels and the figure both read), SAP's scores; the factors' entropies (K,) nats."""
    codes, factors = _check(codes, factors)
    code_bins, factor_bins = _bins(codes, factors)
    mi, entropy = information(code_bins, factor_bins)
    null = chance(code_bins, factor_bins, seed)
    mig_value, mig_gaps = mig(mi, entropy)
    classes = classified(codes, factors[CLASS], seed) if CLASS in factors else None
    sap_value, sap_gaps, sap_scores = sap(codes, factors, classes=classes)
    eta2_value, eta2_gaps, _ = sap(codes, factors)
    return {"mig": mig_value, "mig_per_factor": mig_gaps, "mutual_information": mi, "entropy": entropy,
            "chance": null, "share": shares(mi, null, entropy), "sap": sap_value, "sap_per_factor": sap_gaps,
            "sap_scores": sap_scores, "sap_eta2": eta2_value, "sap_eta2_per_factor": eta2_gaps}


def resampled(codes: np.ndarray, factors: dict[str, np.ndarray], indices: np.ndarray, seed: int
              ) -> dict[str, np.ndarray]:
    """MIG, SAP and SAP with η² on each bootstrap resample (B, N) of the digits: {"mig": (B,), "sap": (B,),
    "sap_eta2": (B,)}; the bins and SAP's classifiers (fitted with ``seed``) stay those of all the digits."""
    codes, factors = _check(codes, factors)
    code_bins, factor_bins = _bins(codes, factors)
    cells = _cells(code_bins, factor_bins)
    classes = classified(codes, factors[CLASS], seed) if CLASS in factors else None
    out = {name: np.empty(len(indices)) for name in ("mig", "sap", "sap_eta2")}
    for b, resample in enumerate(np.asarray(indices)):
        counts = np.bincount(resample, minlength=len(codes)).astype(np.float64)
        out["mig"][b] = mig(*information(code_bins, factor_bins, counts, cells))[0]
        out["sap"][b] = sap(codes, factors, counts, classes)[0]
        out["sap_eta2"][b] = sap(codes, factors, counts)[0]
    return out


def _normalised_entropy(p: np.ndarray, base: int) -> np.ndarray:
    """Entropy in base ``base`` of the rows of p (R, C) normalised to sum 1 (a zero row counts as uniform)."""
    total = p.sum(axis=1, keepdims=True)
    p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / p.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1) / np.log(base)


def dci(codes: np.ndarray, factors: dict[str, np.ndarray], seed: int) -> dict:
    """DCI from gradient-boosted trees, one a factor, fitted on a seeded half of the digits (at most
    :data:`FIT`) and scored on the rest (at most as many): disentanglement and completeness (floats),
    their per-unit (D,) and per-factor (K,) values, the importance matrix (D, K), and per factor the
    held-out R² or accuracy (K,) with each held-out digit's squared error or correctness
    ({name: (M,)}) for an interval."""
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    codes, factors = _check(codes, factors)
    order = np.random.default_rng(seed).permutation(len(codes))
    half = min(len(codes) // 2, FIT)
    fit, held = order[:half], order[half:half + min(len(codes) - half, FIT)]
    importance, informativeness, per_digit = [], [], {}
    for name, values in factors.items():
        values = np.asarray(values)
        if name == CLASS:
            model = GradientBoostingClassifier(random_state=seed).fit(codes[fit], values[fit])
            correct = (model.predict(codes[held]) == values[held]).astype(np.float64)
            informativeness.append(float(correct.mean()))
            per_digit[name] = correct
        else:
            target = values.astype(np.float64)
            model = GradientBoostingRegressor(random_state=seed).fit(codes[fit], target[fit])
            error = (model.predict(codes[held]) - target[held]) ** 2
            informativeness.append(float(1.0 - error.mean() / target[held].var()))
            per_digit[name] = error
        importance.append(model.feature_importances_)
    r = np.abs(np.stack(importance, axis=1))  # (D, K)
    d, k = r.shape
    per_unit = 1.0 - _normalised_entropy(r, k)
    per_factor = 1.0 - _normalised_entropy(r.T, d)
    total = r.sum()
    unit_share = r.sum(axis=1) / total if total > 0 else np.full(d, 1.0 / d)
    factor_share = r.sum(axis=0) / total if total > 0 else np.full(k, 1.0 / k)
    return {"disentanglement": float(per_unit @ unit_share), "completeness": float(per_factor @ factor_share),
            "disentanglement_per_unit": per_unit, "completeness_per_factor": per_factor, "importance": r,
            "informativeness": np.array(informativeness), "held_out": per_digit, "fitted_on": len(fit)}
