"""The original study's claims as it made them, and this study's own, decided from measured contrasts (no TensorFlow).

Each claim quotes its sentence and section of the original (``../shared/original/``), compares only
the models *that experiment* compared, by fixed names (adding a model section changes none of its
comparisons), and is decided by a rule of latentspace/claims/verdicts.py (better; no real difference;
as recognisable as the real digits) on its **first measure**, the original's: silhouette for
separation, the judge's confidence for "looks like a digit", the judge's accuracy for "is a digit".
Its other measures are agreement columns, each decided by the same rule. Over several comparisons
a measure's verdict is :func:`latentspace.claims.verdicts.overall` of theirs.

The numbers come from ``metrics/contrasts.json`` (latentspace/claims/contrasts.py): one run's paired
bootstrap intervals (:func:`decide`), or the runs of a study's configuration pooled over seeds
(:func:`decide_pooled`). A measurement the contrasts do not hold gives "not measured". Claims
about models the original did not have are this study's own (``original=False``), never under the
original's name. A claim whose models a run lacks is left out, and said so (:func:`left_out`).
"""

from __future__ import annotations

from dataclasses import dataclass

from latentspace.measures import families
from latentspace.claims.contrasts import find
from latentspace.core.errors import StageError
from latentspace.models.samplers import PRIOR
from latentspace.measures.sides import PRIOR_ITSELF, REAL, REFERENCES, Side, key
from latentspace.claims.verdicts import AS_REAL, BETTER, BEYOND, EQUIVALENT, NOT_MEASURED, Rule, over_seeds, overall

# Each claim's measures: the first decides, the original's where the original measured; the others are
# agreement columns, each decided by the same rule. Named once here, so a new measure joins no claim
# unless one of these lists names it.
SEPARATING = ("silhouette", "knn_accuracy", "probe_accuracy")  # separation: the original's silhouette first
LOOKING = ("confidence", "frechet_distance", "precision")  # "looks like a digit": the judge's confidence first
RECOGNISED = ("judged_accuracy", "judged_confidence")  # "is a digit": the judge's accuracy on decoded images
# this study's hypotheses on what the units encode (issue 25)
DISENTANGLED = ("mig", "sap")  # "one unit a factor": the mutual information gap over the digits' factors
MATCHED = ("factor_distance", "factor_distance_decoded")  # "shaped like real digits": the draws' factors
DEPARTING = ("prior_gap",)  # "the codes are not N(0, I)": KL(q(z) ‖ N(0, I)), its Gaussian part
MIXTURE = "mixture"  # the sampler of hypothesis (a)'s better prior (latentspace.models.samplers.Mixture)


@dataclass(frozen=True)
class Claim:
    key: str
    section: str      # of the original; "" for this study's own
    sentence: str     # quoted from the original (or this study's statement)
    decided: str      # what the numbers decide, in this study's words
    rule: Rule
    pairs: tuple[tuple[Side, Side], ...]  # (a, b): the claim says a is better than (or as good as) b
    measures: tuple[str, ...]             # the first decides; the others are agreement columns
    original: bool = True

    @property
    def models(self) -> set[str]:
        return {side.model for pair in self.pairs for side in pair if side not in REFERENCES}


CLAIMS: tuple[Claim, ...] = (
    Claim("reconstructions_are_digits", "3.1",
          "We should expect reconstructions to be fairly similar to original images.",
          "The judge recognises the AE's and the VAE's reconstructions of the evaluation digits about as often "
          "as the digits themselves", AS_REAL,
          ((Side("ae", "reconstructions"), REAL), (Side("vae", "reconstructions"), REAL)), RECOGNISED),
    Claim("centroids_are_digits", "3.2.1",
          "As we expected both models can generate images from the mean representation of each class.",
          "The judge recognises the AE's and the VAE's decoded class centroids (of resamples of the evaluation "
          "codes) about as often as the real digits", AS_REAL,
          ((Side("ae", "centroids"), REAL), (Side("vae", "centroids"), REAL)), RECOGNISED),
    Claim("ae_prior_draws_not_digits", "3.2.2",
          "The images generated from the decoder trained using an AE do not seem as hand-written digits while "
          "the images produced by the decoder trained using a VAE seem like numbers.",
          "The VAE's decoded N(0, I) draws look more like digits than the AE's", BETTER,
          ((Side("vae", PRIOR), Side("ae", PRIOR)),), LOOKING),
    Claim("conv_vae_draws_more_like_digits", "3.3.2",
          "However it seems images generated using the convolutional VAE are more like numbers than the "
          "generated using the original VAE.",
          "The conv VAE's decoded N(0, I) draws look more like digits than the VAE's", BETTER,
          ((Side("conv_vae", PRIOR), Side("vae", PRIOR)),), LOOKING),
    Claim("better_prior_helps", "3.3.2",
          "We hypothesize that a gaussian prior may not capture very well the features that make the decoder "
          "generate better looking images.",
          "Hypothesis (a): draws of a Gaussian mixture fitted to the codes look more like digits than N(0, I) "
          "draws, for the VAE and the conv VAE", BETTER,
          ((Side("vae", MIXTURE), Side("vae", PRIOR)), (Side("conv_vae", MIXTURE), Side("conv_vae", PRIOR))), LOOKING),
    Claim("ae_separates_best", "3.4.2",
          "The standard auto-encoder performs best in the clustering task than the VAE models.",
          "The AE's codes separate the classes better than the VAE's and the conv VAE's", BETTER,
          ((Side("ae"), Side("vae")), (Side("ae"), Side("conv_vae"))), SEPARATING),
    Claim("conv_vae_separates_no_better", "3.4.2",
          "However, we consider this difference is not big enough to consider the convolutional VAE performs "
          "better than the original VAE.",
          "The conv VAE's and the VAE's codes separate the classes equally well (within the margin)", EQUIVALENT,
          ((Side("conv_vae"), Side("vae")),), SEPARATING),
    Claim("class_term_helps", "3.4.1",
          "Our hypothesis is that clustering capabilities of the variational auto-encoder may be improved by "
          "implementing some variations of the model. For example, one can add some term to the loss function "
          "to force the encoder to learn a representation that separate the classes.",
          "Hypothesis (b): the class-separating VAE's codes separate the classes better than the VAE's", BETTER,
          ((Side("class_vae"), Side("vae")),), SEPARATING),
    # this study's own: models the original's experiments did not compare
    Claim("conv_vae_draws_beat_ae", "",
          "This study: the conv VAE's decoded N(0, I) draws look more like digits than the AE's.",
          "The conv VAE's decoded N(0, I) draws look more like digits than the AE's", BETTER,
          ((Side("conv_vae", PRIOR), Side("ae", PRIOR)),), LOOKING, original=False),
    Claim("class_vae_separates_better_than_ae", "",
          "This study: a class term makes a VAE's codes separate the classes better than the AE's.",
          "The class-separating VAE's codes separate the classes better than the AE's", BETTER,
          ((Side("class_vae"), Side("ae")),), SEPARATING, original=False),
    Claim("vae_units_disentangle_better", "",
          "This study: the VAE's units carry the digits' factors (shape and class) one a unit more than the AE's.",
          "The VAE's codes have a larger mutual information gap (MIG) over the digits' morphometrics and class than "
          "the AE's", BETTER, ((Side("vae"), Side("ae")),), DISENTANGLED, original=False),
    Claim("mixture_draws_shaped_like_digits", "",
          "This study: a Gaussian mixture's draws are shaped more like the real digits than N(0, I)'s.",
          "The factors (area, stroke length and thickness, slant, width, height) of the mixture's decoded draws "
          "lie closer to the real digits' than those of N(0, I)'s draws, for the VAE and the conv VAE", BETTER,
          ((Side("vae", MIXTURE), Side("vae", PRIOR)), (Side("conv_vae", MIXTURE), Side("conv_vae", PRIOR))),
          MATCHED, original=False),
    Claim("codes_depart_from_the_prior", "",
          "This study: the VAEs' codes do not follow N(0, I): hypothesis (a)'s premise.",
          "The aggregate posterior q(z) of the VAE's and the conv VAE's evaluation codes lies more than the "
          "margin from N(0, I) (KL, its Gaussian part: a lower bound)", BEYOND,
          ((Side("vae"), PRIOR_ITSELF), (Side("conv_vae"), PRIOR_ITSELF)), DEPARTING, original=False),
)


def claims(models: list[str]) -> list[Claim]:
    """The claims the models of a run can test, the original's in its order, then this study's own."""
    return [claim for claim in CLAIMS if claim.models <= set(models)]


def left_out(models: list[str]) -> dict[str, list[str]]:
    """``{claim key: the model sections it compares that ``models`` lacks}``: the claims a run cannot test
    (a section renamed or removed), said by the claims stage and the report rather than dropped silently."""
    return {claim.key: sorted(claim.models - set(models)) for claim in CLAIMS if not claim.models <= set(models)}


def by_key() -> dict[str, Claim]:
    return {claim.key: claim for claim in CLAIMS}


def _result(claim: Claim, comparisons: dict[str, dict[str, dict]]) -> dict:
    """The one shape of a decided claim: ``{"verdict", "section", "sentence", "measure", "agreement": {measure: verdict},
    "comparisons": {"<a> vs <b>": {measure: {…, "verdict"}}}}``; the verdict is the first measure's. A claim with
    one measure has no ``agreement`` (DVC drops an empty object from an experiment's metrics)."""
    said = {name: overall([comparisons[key(a, b)][name]["verdict"] for a, b in claim.pairs])
            for name in claim.measures}
    first = claim.measures[0]
    return {"verdict": said[first], "section": claim.section, "sentence": claim.sentence, "measure": first,
            **({"agreement": {name: said[name] for name in claim.measures[1:]}} if claim.measures[1:] else {}),
            "comparisons": comparisons}


def decide(claim: Claim, contrasts: dict, margins: dict[str, float]) -> dict:
    """One run: each comparison's paired bootstrap interval (``metrics/contrasts.json``) by the claim's rule."""
    comparisons = {}
    for a, b in claim.pairs:
        entry = comparisons[key(a, b)] = {}
        for name in claim.measures:
            found = find(contrasts, a, b, name)
            entry[name] = ({"verdict": NOT_MEASURED} if found is None else
                           {**found, "verdict": claim.rule.decide(found["difference"], found["low"], found["high"],
                                                                  margins[name])})
    return _result(claim, comparisons)


def decide_all(contrasts: dict, margins: dict[str, float], models: list[str]) -> dict[str, dict]:
    """``{claim: decided}``: every claim the ``models`` of one run can test (:func:`claims`), from its contrasts."""
    return {claim.key: decide(claim, contrasts, margins) for claim in claims(models)}


def decide_pooled(claim: Claim, runs: list[dict], margins: dict[str, float], level: float) -> dict:
    """The runs (each one's contrasts) of one configuration over seeds (:func:`latentspace.claims.verdicts.over_seeds`)."""
    comparisons = {}
    for a, b in claim.pairs:
        entry = comparisons[key(a, b)] = {}
        for name in claim.measures:
            found = [find(contrasts, a, b, name) for contrasts in runs]
            if not runs or any(f is None for f in found):
                entry[name] = {"verdict": NOT_MEASURED}
                continue
            pooled = over_seeds([f["difference"] for f in found], [f["sd"] for f in found], level)
            entry[name] = {**pooled, "verdict": claim.rule.decide(pooled["mean"], pooled["low"], pooled["high"],
                                                                  margins[name])}
    return _result(claim, comparisons)


def margins(found: dict, source: str = "params.yaml") -> dict[str, float]:
    """``claims.margins`` (``{measure: margin}``, validated numbers) held to the measures that decide claims
    (latentspace/measures/families.py): one a measure, no other; a :class:`StageError` naming the first key amiss."""
    import difflib

    declared = families.claim_measures()
    for name in declared:
        if name not in found:
            raise StageError(f"{source}: required key 'claims.margins.{name}' is missing (the smallest difference "
                             f"that counts on {families.measures()[name].label}: a number ≥ 0)")
    for name in found:
        if name not in declared:
            hint = difflib.get_close_matches(name, declared, n=1)
            raise StageError(f"{source}: unknown key 'claims.margins.{name}'; "
                             + (f"did you mean 'claims.margins.{hint[0]}'?" if hint else
                                f"the measures that decide claims are {', '.join(declared)}"))
    return {name: float(value) for name, value in found.items()}  # in the file's order


def margins_of(params: dict) -> dict[str, float]:
    """``{measure: margin}`` of flattened params' ``claims.margins.<measure>``."""
    return {k.rsplit(".", 1)[1]: float(v) for k, v in params.items() if k.startswith("claims.margins.")}


def measured_by_old_claims(decided: dict) -> dict:
    """The measurements a claims file from before ``metrics/contrasts.json`` holds: ``{claim: {"verdict",
    "<a> vs <b>": {measure: {difference, low, high, sd, verdict}}}}`` → ``{"<a> vs <b>": {measure: {difference,
    low, high, sd}}}`` (the same numbers, fewer pairs; a comparison without its bootstrap sd is left out)."""
    found: dict = {}
    for claim in (decided or {}).values():
        for pair, measured in (claim.items() if isinstance(claim, dict) else ()):
            if pair == "verdict" or not isinstance(measured, dict):
                continue
            for name, numbers in measured.items():
                if isinstance(numbers, dict) and all(k in numbers for k in ("difference", "low", "high", "sd")):
                    found.setdefault(pair, {})[name] = {k: numbers[k] for k in ("difference", "low", "high", "sd")}
    return found


def measures_with_margins() -> tuple[str, ...]:
    """Every measure that decides claims, as the families declare them: the keys of ``claims.margins``."""
    return families.claim_measures()
