"""The sentences of the original study (``../shared/original/``, sections 3.1–3.4) as claims, and this study's own
(standard library only).

Each :class:`Claim` quotes its sentence and section, says whether the original states it as a finding, an
expectation or a hypothesis, compares only the models *that experiment* compared, by fixed names (adding a
model section changes none of its comparisons), and names the rule of latentspace/claims/verdicts.py its words
ask for: superiority for "better", non-superiority for "not better", equivalence only where the words claim
no difference either way, a direction for a stated direction, non-inferiority or "beyond" against the real
digits' own score or a published scale where the sentence is absolute. Its first measure decides; the others
are agreement columns. :data:`UNDECIDED` lists the sentences no number of a run decides, with why.
"""

from __future__ import annotations

from dataclasses import dataclass

from latentspace.claims.verdicts import AS_REAL, BETTER, BEYOND, DIRECTION, EQUIVALENT, NOT_BETTER, Rule
from latentspace.measures.sides import (NO_SUBSTANTIAL_STRUCTURE, PRIOR_ITSELF, REAL, REASONABLE_STRUCTURE, REFERENCES,
                                        Side)
from latentspace.measures.holes import CODES
from latentspace.models.samplers import BEST, PRIOR, SAMPLERS

# Each claim's measures: the first decides, the original's where the original measured; the others are
# agreement columns, each decided by the same rule. Named once here, so a new measure joins no claim
# unless one of these lists names it.
SEPARATING = ("silhouette", "knn_accuracy", "probe_accuracy")  # separation: the original's silhouette first
SILHOUETTE = ("silhouette",)  # a sentence that names the silhouette, or a place on its published scale
LOOKING = ("confidence", "frechet_distance", "precision")  # "looks like a digit": the judge's confidence first
RECOGNISED = ("judged_accuracy", "judged_confidence")  # "is a digit": the judge's accuracy on decoded images
SIMILAR = ("identified", "judged_accuracy")  # "fairly similar to original images": by the pixels, the judge agreeing
VARIED = ("coverage",)  # "too naive": how much of the real digits' variety the draws cover (Naeem et al. 2020)
HOLED = ("holes",)  # "has a lot of holes": the prior's draws outside the codes' manifold, against held-out codes
# this study's hypotheses on what the units encode (issue 25)
DISENTANGLED = ("mig", "sap")  # "one unit a factor": the mutual information gap over the digits' factors
MATCHED = ("factor_distance", "factor_distance_decoded")  # "shaped like real digits": the draws' factors
DEPARTING = ("prior_gap",)  # "the codes are not N(0, I)": KL(q(z) ‖ N(0, I)), its Gaussian part
MIXTURE = "mixture"  # the sampler of hypothesis (a)'s better prior (latentspace.models.samplers.Mixture)
EX_POST = tuple(s.name for s in SAMPLERS if s.fitted and s.name != PRIOR)  # fitted to the codes after training
COPYING = ("copy_score", "authenticity")  # "not a copy": Meehan et al.'s per-draw rank; Alaa et al.'s authenticity
LEARNED, WIDE = "vamp_vae", "wide_vae"  # the VAE with a learned prior (VampPrior); the VAE with a bigger decoder

# What a sentence of the original is: a finding (what it saw), an expectation ("we expect …") or a hypothesis
# (what it proposed to try); this study's own statements are neither, never under the original's name.
FINDING, EXPECTATION, HYPOTHESIS, OWN = "finding", "expectation", "hypothesis", "this study's"


@dataclass(frozen=True)
class Claim:
    key: str
    section: str      # of the original; "" for this study's own
    sentence: str     # quoted from the original (or this study's statement)
    decided: str      # what the numbers decide, in this study's words
    rule: Rule
    pairs: tuple[tuple[Side, Side], ...]  # (a, b): the claim says a is better than (or as good as) b
    measures: tuple[str, ...]             # the first decides; the others are agreement columns
    kind: str = FINDING

    @property
    def original(self) -> bool:
        return self.kind != OWN

    @property
    def models(self) -> set[str]:
        return {side.model for pair in self.pairs for side in pair if side not in REFERENCES}


def _each(models: tuple[str, ...], what: str | None = None, against: Side = REAL, *, reverse: bool = False):
    """``((model[@what], against), …)``, or ``((against, model[@what]), …)`` with ``reverse``."""
    return tuple((against, Side(m, what)) if reverse else (Side(m, what), against) for m in models)


AE_VAE, VAES, THREE = ("ae", "vae"), ("vae", "conv_vae"), ("ae", "vae", "conv_vae")
_32 = ("We expect the auto-encoder performs OK when generating images whose representations are similar to the "
       "representation of the real images and not very good when the representations come from samples of the "
       "posterior distribution.")
_322 = ("The images generated from the decoder trained using an AE do not seem as hand-written digits while the "
        "images produced by the decoder trained using a VAE seem like numbers.")

# The original's sentences in the notebook's order (sections 3.1–3.4), then this study's own.
CLAIMS: tuple[Claim, ...] = (
    Claim("reconstructions_are_digits", "3.1",
          "We should expect reconstructions to be fairly similar to original images.",
          "The AE's and the VAE's reconstructions are told from 99 other evaluation digits by their pixels (nearer "
          "their own original than any of them) at most the margin less often than the digits themselves (always); "
          "the judge's recognition agreeing", AS_REAL,
          _each(AE_VAE, "reconstructions"), SIMILAR, EXPECTATION),
    Claim("ae_ok_from_known_codes", "3.2", _32,
          "Its first half: the AE's decoded representations of real digits (its reconstructions and its class centroids) are "
          "recognised by the judge at most the margin less often than the real digits", AS_REAL,
          _each(("ae",), "reconstructions") + _each(("ae",), "centroids"), RECOGNISED, EXPECTATION),
    Claim("ae_poor_from_the_prior", "3.2", _32,
          "Its second half, \"samples of the posterior\" read as the draws 3.2.2 makes, from N(0, I): the judge is less sure of the "
          "AE's decoded N(0, I) draws than of real digits, by more than the margin", BEYOND,
          _each(("ae",), PRIOR, reverse=True), LOOKING, EXPECTATION),
    Claim("centroids_nice", "3.2.1", "We expect both models to generate nice images.",
          "The judge recognises the AE's and the VAE's decoded class centroids (of disjoint groups of 10 "
          "evaluation codes of a class) at most the margin less often than the real digits", AS_REAL,
          _each(AE_VAE, "centroids"), RECOGNISED, EXPECTATION),
    Claim("centroids_are_digits", "3.2.1",
          "As we expected both models can generate images from the mean representation of each class.",
          "The judge recognises the AE's and the VAE's decoded class centroids (of disjoint groups of 10 "
          "evaluation codes of a class) at most the margin less often than the real digits", AS_REAL,
          _each(AE_VAE, "centroids"), RECOGNISED),
    Claim("ae_latent_space_has_holes", "3.2.1",
          "The auto-encoder is not a generative model because the latent space it learns “*has a lot of holes*”, that "
          "is only some of the values of the latent space contain representations that correspond to real images.",
          "More of N(0, I)'s draws fall outside the AE's codes (the union of each training code's ball to its 3rd "
          "nearest neighbour) than of its held-out evaluation codes, by more than the margin", BEYOND,
          ((Side("ae", CODES), Side("ae", PRIOR)),), HOLED),
    Claim("centroid_is_a_valid_image", "3.2.1",
          "The centroid, that is the average of all the representations of a class, does correspond to a valid image.",
          "The judge recognises the AE's decoded class centroids (of disjoint groups of 10 of its evaluation codes) "
          "at most the margin less often than the real digits", AS_REAL, _each(("ae",), "centroids"), RECOGNISED),
    Claim("ae_prior_draws_not_digits", "3.2.2", _322,
          "The VAE's decoded N(0, I) draws look more like digits than the AE's", BETTER,
          ((Side("vae", PRIOR), Side("ae", PRIOR)),), LOOKING),
    Claim("ae_draws_not_digits", "3.2.2", _322,
          "The AE's half as a statement of its own: the judge is less sure of the AE's decoded N(0, I) draws than of real digits, by more than the margin",
          BEYOND, _each(("ae",), PRIOR, reverse=True), LOOKING),
    Claim("vae_draws_like_numbers", "3.2.2", _322,
          "The VAE's half as a statement of its own: the judge is at most the margin less sure of the VAE's decoded N(0, I) draws than of real digits",
          AS_REAL, _each(("vae",), PRIOR), LOOKING),
    Claim("decoder_not_powerful_enough", "3.2.2",
          "However, we hypothesize that the decoder used here is not powerful enough to generate high quality "
          "hand-written digits.",
          "A VAE with the same encoder, prior and training but a bigger decoder (two hidden layers of 1,024 units "
          "against one of 300) decodes N(0, I) draws that look more like digits than the VAE's", BETTER,
          ((Side(WIDE, PRIOR), Side("vae", PRIOR)),), LOOKING, HYPOTHESIS),
    Claim("vae_draws_too_naive", "3.3",
          "From the previous experiment we noticed that the images generated using the VAE look like numbers but "
          "they are too naive.",
          "The VAE's decoded N(0, I) draws cover less of the real digits' variety than real digits do (coverage, in "
          "the judge's features), by more than the margin", BEYOND, _each(("vae",), PRIOR, reverse=True), VARIED),
    Claim("better_models_better_draws", "3.3", "The hypothesis here is that better models may provide better "
          "generated images.", "The conv VAE's decoded N(0, I) draws look more like digits than the VAE's", BETTER,
          ((Side("conv_vae", PRIOR), Side("vae", PRIOR)),), LOOKING, HYPOTHESIS),
    Claim("conv_vae_a_bit_better", "3.3.2",
          "We have trained a VAE using some convolutions that seems a bit better than the VAE we used to compare with "
          "the standard auto-encoder.",
          "The conv VAE's IWAE bound on log p(x) of the evaluation digits is higher than the VAE's, digit by digit, by "
          "at least the margin (the original judged it by the losses: 97.3 against 111.8 nats)", BETTER,
          ((Side("conv_vae"), Side("vae")),), ("iwae",)),
    Claim("conv_vae_improves_generation", "3.3.2",
          "We expect from this experiment an improvement on the generation capabilities of the VAE according to the "
          "representational power of both, the encoder and the decoder.",
          "The conv VAE's decoded N(0, I) draws look more like digits than the VAE's", BETTER,
          ((Side("conv_vae", PRIOR), Side("vae", PRIOR)),), LOOKING, EXPECTATION),
    Claim("no_clear_improvement", "3.3.2",
          "These results are worse than expected. We expected to get a clear improvement on the generation process.",
          "The conv VAE's decoded N(0, I) draws do not look more like digits than the VAE's by as much as the margin",
          NOT_BETTER, ((Side("conv_vae", PRIOR), Side("vae", PRIOR)),), LOOKING),
    Claim("conv_vae_draws_more_like_digits", "3.3.2",
          "However it seems images generated using the convolutional VAE are more like numbers than the "
          "generated using the original VAE.",
          "The conv VAE's decoded N(0, I) draws look more like digits than the VAE's (the direction: the sentence "
          "itself says the improvement is not clear)", DIRECTION,
          ((Side("conv_vae", PRIOR), Side("vae", PRIOR)),), LOOKING),
    Claim("better_prior_helps", "3.3.2",
          "We hypothesize that a gaussian prior may not capture very well the features that make the decoder "
          "generate better looking images.",
          "Hypothesis (a): draws of a Gaussian mixture fitted to the codes look more like digits than N(0, I) "
          "draws, for the VAE and the conv VAE", BETTER,
          ((Side("vae", MIXTURE), Side("vae", PRIOR)), (Side("conv_vae", MIXTURE), Side("conv_vae", PRIOR))), LOOKING,
          HYPOTHESIS),
    Claim("best_sampler_helps", "3.3.2",
          "We hypothesize that a gaussian prior may not capture very well the features that make the decoder "
          "generate better looking images.",
          "Hypothesis (a) as the field tests it (Ghosh et al. 2020): behind the same decoder, the draws of the ex-post "
          "sampler whose fit gives the validation codes the highest likelihood look more like digits than N(0, I) "
          "draws, for the VAE and the conv VAE", BETTER,
          ((Side("vae", BEST), Side("vae", PRIOR)), (Side("conv_vae", BEST), Side("conv_vae", PRIOR))), LOOKING,
          HYPOTHESIS),
    Claim("learned_prior_helps", "3.3.2",
          "We hypothesize that a gaussian prior may not capture very well the features that make the decoder "
          "generate better looking images.",
          "Hypothesis (a) with the prior learned in training (a VampPrior, Tomczak & Welling 2018): the VampPrior "
          "VAE's draws from its own prior look more like digits than the VAE's N(0, I) draws", BETTER,
          ((Side(LEARNED, PRIOR), Side("vae", PRIOR)),), LOOKING, HYPOTHESIS),
    Claim("vaes_separate_clearly", "3.4.1", "We expect a clear separation of the representation from the VAE models.",
          "The VAE's and the conv VAE's codes have a mean silhouette above 0.50: at least a reasonable structure on "
          "Kaufman & Rousseeuw's scale", DIRECTION, _each(VAES, against=REASONABLE_STRUCTURE), SILHOUETTE, EXPECTATION),
    Claim("vaes_not_better_than_ae", "3.4.1",
          "These results are very disappointing. It seems clear that the representations returned from VAEs are not "
          "better than the representations returned by a standard auto-encoder.",
          "Neither the VAE's nor the conv VAE's codes separate the classes better than the AE's by as much as the "
          "margin", NOT_BETTER, ((Side("vae"), Side("ae")), (Side("conv_vae"), Side("ae"))), SEPARATING),
    Claim("class_term_helps", "3.4.1",
          "Our hypothesis is that clustering capabilities of the variational auto-encoder may be improved by "
          "implementing some variations of the model. For example, one can add some term to the loss function "
          "to force the encoder to learn a representation that separate the classes.",
          "Hypothesis (b): the class-separating VAE's codes separate the classes better than the VAE's", BETTER,
          ((Side("class_vae"), Side("vae")),), SEPARATING, HYPOTHESIS),
    Claim("classes_not_far_apart", "3.4.2",
          "We have seen that it seems there is not a big difference between how far are representations from one "
          "class to the representations of the other classes.",
          "The AE's, the VAE's and the conv VAE's codes have a mean silhouette of 0.25 or less: no substantial "
          "structure on Kaufman & Rousseeuw's scale", DIRECTION,
          _each(THREE, against=NO_SUBSTANTIAL_STRUCTURE, reverse=True), SILHOUETTE),
    Claim("no_big_differences_expected", "3.4.2", "We do not expect big differences for each model.",
          "The AE's, the VAE's and the conv VAE's codes separate the classes equally well, pair by pair (within the "
          "margin)", EQUIVALENT, ((Side("ae"), Side("vae")), (Side("ae"), Side("conv_vae")),
                                  (Side("conv_vae"), Side("vae"))), SEPARATING, EXPECTATION),
    Claim("ae_expected_to_separate_better", "3.4.2",
          "However, we expect the auto-encoder to provide a better separation since the t-SNE plot shows classes "
          "more clearly separated.",
          "The AE's codes separate the classes better than the VAE's and the conv VAE's", BETTER,
          ((Side("ae"), Side("vae")), (Side("ae"), Side("conv_vae"))), SEPARATING, EXPECTATION),
    Claim("ae_separates_best", "3.4.2",
          "The standard auto-encoder performs best in the clustering task than the VAE models.",
          "The AE's codes separate the classes better than the VAE's and the conv VAE's", BETTER,
          ((Side("ae"), Side("vae")), (Side("ae"), Side("conv_vae"))), SEPARATING),
    Claim("conv_vae_silhouette_higher", "3.4.2",
          "On the other hand, the convolutional VAE gets a better *Silhouette* score (0.1183) than the original VAE "
          "(0.1117).", "The conv VAE's codes have the higher mean silhouette (the direction, as the original measured "
          "it)", DIRECTION, ((Side("conv_vae"), Side("vae")),), SILHOUETTE),
    Claim("conv_vae_separates_no_better", "3.4.2",
          "However, we consider this difference is not big enough to consider the convolutional VAE performs "
          "better than the original VAE.",
          "The conv VAE's codes do not separate the classes better than the VAE's by as much as the margin (worse "
          "satisfies it too)", NOT_BETTER, ((Side("conv_vae"), Side("vae")),), SEPARATING),
    # this study's own: models the original's experiments did not compare
    Claim("conv_vae_draws_beat_ae", "",
          "This study: the conv VAE's decoded N(0, I) draws look more like digits than the AE's.",
          "The conv VAE's decoded N(0, I) draws look more like digits than the AE's", BETTER,
          ((Side("conv_vae", PRIOR), Side("ae", PRIOR)),), LOOKING, OWN),
    Claim("class_vae_separates_better_than_ae", "",
          "This study: a class term makes a VAE's codes separate the classes better than the AE's.",
          "The class-separating VAE's codes separate the classes better than the AE's", BETTER,
          ((Side("class_vae"), Side("ae")),), SEPARATING, OWN),
    Claim("vae_units_disentangle_better", "",
          "This study: the VAE's units carry the digits' factors (shape and class) one a unit more than the AE's.",
          "The VAE's codes have a larger mutual information gap (MIG) over the digits' morphometrics and class than "
          "the AE's", BETTER, ((Side("vae"), Side("ae")),), DISENTANGLED, OWN),
    Claim("vae_fewer_holes_than_ae", "",
          "This study: the VAE's latent space has fewer holes than the AE's.",
          "Fewer of N(0, I)'s draws fall outside the VAE's training codes than outside the AE's", BETTER,
          ((Side("vae", PRIOR), Side("ae", PRIOR)),), HOLED, OWN),
    Claim("mixture_draws_shaped_like_digits", "",
          "This study: a Gaussian mixture's draws are shaped more like the real digits than N(0, I)'s.",
          "The factors (area, stroke length and thickness, slant, width, height) of the mixture's decoded draws "
          "lie closer to the real digits' than those of N(0, I)'s draws, for the VAE and the conv VAE", BETTER,
          ((Side("vae", MIXTURE), Side("vae", PRIOR)), (Side("conv_vae", MIXTURE), Side("conv_vae", PRIOR))),
          MATCHED, OWN),
    Claim("no_sampler_beats_the_chosen_one", "",
          "This study: for each VAE, the ex-post sampler chosen on validation codes gives draws no other ex-post "
          "sampler beats.",
          "No ex-post sampler's draws look more like digits (by the margin) than those of the one whose fit gives "
          "the validation codes the highest likelihood, for the VAE and the conv VAE (the chosen one against itself "
          "is a difference of 0)", NOT_BETTER,
          tuple((Side(m, s), Side(m, BEST)) for m in VAES for s in EX_POST), LOOKING, OWN),
    Claim("learned_prior_beats_the_best_ex_post", "",
          "This study: a prior learned in training beats the best prior fitted after training.",
          "The VampPrior VAE's draws from its own prior look more like digits than the VAE's draws from its best "
          "ex-post sampler", BETTER, ((Side(LEARNED, PRIOR), Side("vae", BEST)),), LOOKING, OWN),
    Claim("learned_prior_raises_the_bound", "",
          "This study: a learned prior raises the likelihood of held-out digits.",
          "The VampPrior VAE's IWAE bound on the evaluation digits (with its own prior's density) is above the VAE's",
          BETTER, ((Side(LEARNED), Side("vae")),), ("iwae",), OWN),
    Claim("bigger_decoder_raises_the_bound", "",
          "This study: a bigger decoder raises the likelihood of held-out digits.",
          "The bigger-decoder VAE's IWAE bound on the evaluation digits is above the VAE's", BETTER,
          ((Side(WIDE), Side("vae")),), ("iwae",), OWN),
    Claim("draws_are_not_copies", "",
          "This study: no sampler's draws are copies of training digits.",
          "Each sampler's draws lie as far from their nearest training digit (in the judge's features) as held-out "
          "real digits do: their copy score (the share of held-out digits nearer the training digits than the draw, "
          "ties half; Meehan et al. 2020's U/mn) is at most the margin below the validation digits'", AS_REAL,
          tuple((Side(m, s), REAL) for m in THREE for s in (PRIOR, *EX_POST)), COPYING, OWN),
    Claim("codes_depart_from_the_prior", "",
          "This study: the VAEs' codes do not follow N(0, I): hypothesis (a)'s premise.",
          "The aggregate posterior q(z) of the VAE's and the conv VAE's evaluation codes lies more than the "
          "margin from N(0, I) (KL, its Gaussian part: a lower bound)", BEYOND,
          ((Side("vae"), PRIOR_ITSELF), (Side("conv_vae"), PRIOR_ITSELF)), DEPARTING, OWN),
)

# The sentences of sections 3.1–3.4 that state a finding, an expectation or a hypothesis and that no number of this
# run decides, each with why: (section, sentence, why).
UNDECIDED: tuple[tuple[str, str, str], ...] = (
    ("3.4.2", "From the *Silhouette* scores obtained for the evaluated models confirm the results from the "
     "visualization experiments.", "The visualisation's result is the author's reading of the t-SNE maps; the maps "
     "are drawn, not scored, so there is no number of theirs the silhouettes could confirm. The silhouette's own "
     "ranking is decided by the 3.4.2 claims above."),
)
