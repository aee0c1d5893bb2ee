"""The original's claims as it made them: its sentences, its models, its measure first, decided from
measured contrasts whose answer is known."""

import re

import pytest

from latentspace.core.errors import StageError

from helpers import ROOT
from latentspace.claims import original_claims as claims
from latentspace.claims.contrasts import REAL, Side, key
from latentspace.claims.verdicts import (AS_REAL, DIRECTION, EQUIVALENT, INCONCLUSIVE, NOT_BETTER, NOT_MEASURED,
                                        NOT_SUPPORTED, SUPPORTED)

MODELS = ["ae", "vae", "conv_vae", "class_vae"]
ORIGINAL = ROOT.parent / "shared" / "original"
MARGINS = {"silhouette": 0.01, "knn_accuracy": 0.01, "probe_accuracy": 0.01, "confidence": 0.01, "precision": 0.01,
           "coverage": 0.05, "frechet_distance": 5.0, "identified": 0.1, "judged_accuracy": 0.05,
           "judged_confidence": 0.05, "mig": 0.01, "sap": 0.01, "factor_distance": 0.05, "factor_distance_decoded": 0.05,
           "prior_gap": 0.1, "holes": 0.1, "iwae": 1.0, "copy_score": 0.05, "authenticity": 0.05}


def measured(difference, low, high, sd=0.01):
    return {"difference": difference, "low": low, "high": high, "sd": sd}


def test_the_original_claims_come_in_its_order_with_its_models_and_this_studys_own_apart():
    every = claims.claims(MODELS)
    assert [(c.section, c.key) for c in every if c.original] == [
        ("3.1", "reconstructions_are_digits"), ("3.2", "ae_ok_from_known_codes"), ("3.2", "ae_poor_from_the_prior"),
        ("3.2.1", "centroids_nice"), ("3.2.1", "centroids_are_digits"), ("3.2.1", "ae_latent_space_has_holes"),
        ("3.2.1", "centroid_is_a_valid_image"), ("3.2.2", "ae_prior_draws_not_digits"), ("3.2.2", "ae_draws_not_digits"),
        ("3.2.2", "vae_draws_like_numbers"), ("3.3", "vae_draws_too_naive"), ("3.3", "better_models_better_draws"),
        ("3.3.2", "conv_vae_a_bit_better"), ("3.3.2", "conv_vae_improves_generation"), ("3.3.2", "no_clear_improvement"),
        ("3.3.2", "conv_vae_draws_more_like_digits"), ("3.3.2", "better_prior_helps"), ("3.3.2", "best_sampler_helps"),
        ("3.4.1", "vaes_separate_clearly"), ("3.4.1", "vaes_not_better_than_ae"), ("3.4.1", "class_term_helps"),
        ("3.4.2", "classes_not_far_apart"), ("3.4.2", "no_big_differences_expected"),
        ("3.4.2", "ae_expected_to_separate_better"), ("3.4.2", "ae_separates_best"),
        ("3.4.2", "conv_vae_silhouette_higher"), ("3.4.2", "conv_vae_separates_no_better")]
    # in the notebook's order: the sections never go back
    sections = [tuple(int(n) for n in c.section.split(".")) for c in every if c.original]
    assert sections == sorted(sections)
    kinds = {c.key: c.kind for c in every}
    assert kinds["centroids_nice"] == kinds["vaes_separate_clearly"] == "expectation"
    assert kinds["better_prior_helps"] == kinds["class_term_helps"] == kinds["better_models_better_draws"] == "hypothesis"
    assert kinds["ae_separates_best"] == "finding" and kinds["conv_vae_draws_beat_ae"] == "this study's"
    own = [c for c in every if not c.original]
    assert own and all(c.section == "" and c.sentence.startswith("This study:") for c in own)
    # the original's experiments compared the AE, the VAE and the conv VAE: never the class VAE, save hypothesis (b)
    for claim in every:
        if claim.original and claim.key != "class_term_helps":
            assert "class_vae" not in claim.models, claim.key
    by = claims.by_key()
    assert by["ae_prior_draws_not_digits"].pairs == ((Side("vae", "prior"), Side("ae", "prior")),)  # 3.2.2: no conv VAE
    assert by["ae_separates_best"].pairs == ((Side("ae"), Side("vae")), (Side("ae"), Side("conv_vae")))
    assert by["conv_vae_separates_no_better"].rule is NOT_BETTER and by["reconstructions_are_digits"].rule is AS_REAL
    assert by["reconstructions_are_digits"].measures[0] == "identified"  # "fairly similar" is about the pixels
    assert by["no_big_differences_expected"].rule is EQUIVALENT  # the one sentence that claims no difference either way
    assert by["conv_vae_silhouette_higher"].rule is DIRECTION and by["vaes_not_better_than_ae"].rule is NOT_BETTER


def test_adding_a_model_section_changes_no_comparison_of_the_originals_claims():
    before = {c.key: c.pairs for c in claims.claims(MODELS) if c.original}
    after = {c.key: c.pairs for c in claims.claims([*MODELS, "big_vae", "ae2"]) if c.original}
    assert after == before


def test_claims_about_models_the_run_lacks_are_left_out():
    assert [c.key for c in claims.claims(["ae", "vae"])] == [
        "reconstructions_are_digits", "ae_ok_from_known_codes", "ae_poor_from_the_prior", "centroids_nice",
        "centroids_are_digits", "ae_latent_space_has_holes", "centroid_is_a_valid_image", "ae_prior_draws_not_digits",
        "ae_draws_not_digits", "vae_draws_like_numbers", "vae_draws_too_naive", "vae_units_disentangle_better",
        "vae_fewer_holes_than_ae"]
    assert claims.claims(["big_vae"]) == []


def test_claims_left_out_are_named_with_the_sections_they_lack():
    """A renamed section (vae → big_vae) does not drop its claims silently: each is named with what it lacks,
    and the claims tested and those left out are all the claims."""
    models = ["ae", "big_vae", "conv_vae", "class_vae", "vamp_vae", "wide_vae"]
    missing = claims.left_out(models)
    assert missing and all(lacks == ["vae"] for lacks in missing.values())
    assert set(missing) | {c.key for c in claims.claims(models)} == {c.key for c in claims.CLAIMS}
    assert not set(missing) & {c.key for c in claims.claims(models)}
    assert claims.left_out(["ae", "vae", "conv_vae", "class_vae", "vamp_vae", "wide_vae"]) == {}
    # the prior issue's models: their claims are left out, named, where a run lacks them
    assert claims.left_out(["ae", "vae", "conv_vae", "class_vae"]) == {
        "decoder_not_powerful_enough": ["wide_vae"], "learned_prior_helps": ["vamp_vae"],
        "learned_prior_beats_the_best_ex_post": ["vamp_vae"], "learned_prior_raises_the_bound": ["vamp_vae"],
        "bigger_decoder_raises_the_bound": ["wide_vae"]}


@pytest.mark.skipif(not ORIGINAL.is_dir(), reason="../shared/original is not beside this checkout")
def test_every_original_sentence_is_quoted_word_for_word_under_its_section():
    text = re.sub(r"\s+", " ", " ".join(p.read_text(encoding="utf-8") for p in ORIGINAL.glob("*.txt")))
    for claim in claims.CLAIMS:
        if claim.original:
            assert re.sub(r"\s+", " ", claim.sentence) in text, claim.key
            assert f"{claim.section} " in text, claim.key
    for section, sentence, why in claims.UNDECIDED:  # the sentences no number decides, each with why
        assert re.sub(r"\s+", " ", sentence) in text and f"{section} " in text and why, sentence


def test_the_verdict_is_the_first_measures_and_the_others_are_agreement_columns():
    claim = claims.by_key()["class_term_helps"]
    assert claim.measures[0] == "silhouette" and {"knn_accuracy", "probe_accuracy"} <= set(claim.measures)
    contrasts = {"class_vae vs vae": {"silhouette": measured(0.05, 0.03, 0.07),
                                      "knn_accuracy": measured(-0.05, -0.07, -0.03),
                                      "probe_accuracy": measured(0.002, -0.01, 0.014)}}
    decided = claims.decide(claim, contrasts, MARGINS, 0.95)
    assert decided["verdict"] == SUPPORTED and decided["measure"] == "silhouette"
    assert decided["agreement"] == {"knn_accuracy": NOT_SUPPORTED, "probe_accuracy": INCONCLUSIVE}
    assert decided["comparisons"]["class_vae vs vae"]["knn_accuracy"]["verdict"] == NOT_SUPPORTED


def test_a_pair_measured_the_other_way_round_is_read_with_its_sign_turned():
    claim = claims.by_key()["class_vae_separates_better_than_ae"]  # measured as "ae vs class_vae"
    contrasts = {"ae vs class_vae": {"silhouette": measured(-0.2, -0.25, -0.15)}}
    decided = claims.decide(claim, contrasts, MARGINS, 0.95)
    numbers = decided["comparisons"]["class_vae vs ae"]["silhouette"]
    assert (numbers["difference"], numbers["low"], numbers["high"]) == (0.2, 0.15, 0.25)
    assert decided["verdict"] == SUPPORTED


def test_a_missing_measurement_is_not_measured_never_a_guess():
    claim = claims.by_key()["conv_vae_draws_more_like_digits"]
    decided = claims.decide(claim, {"vae@prior vs ae@prior": {"confidence": measured(0.1, 0.05, 0.15)}}, MARGINS, 0.95)
    assert decided["verdict"] == NOT_MEASURED
    pooled = claims.decide_pooled(claim, [{}, {}], MARGINS, 0.95)
    assert pooled["verdict"] == NOT_MEASURED and set(pooled["agreement"].values()) == {NOT_MEASURED}


def test_the_are_digits_claims_compare_each_model_with_the_real_digits():
    claim = claims.by_key()["centroids_are_digits"]
    assert claim.pairs == ((Side("ae", "centroids"), REAL), (Side("vae", "centroids"), REAL))
    as_good = {key(a, b): {"judged_accuracy": measured(-0.01, -0.03, 0.01), "judged_confidence": measured(0, -0.02, 0.02)}
               for a, b in claim.pairs}
    assert claims.decide(claim, as_good, MARGINS, 0.95)["verdict"] == SUPPORTED
    as_good[key(Side("ae", "centroids"), REAL)]["judged_accuracy"] = measured(-0.4, -0.5, -0.3)  # the AE's are not
    assert claims.decide(claim, as_good, MARGINS, 0.95)["verdict"] == NOT_SUPPORTED


def test_pooled_over_seeds_decides_by_the_same_rule():
    claim = claims.by_key()["no_big_differences_expected"]
    runs = [{pair: {"silhouette": measured(d, d - 0.004, d + 0.004, sd=0.002)}
             for pair in ("ae vs vae", "ae vs conv_vae", "conv_vae vs vae")} for d in (0.003, 0.005, 0.004)]
    decided = claims.decide_pooled(claim, runs, MARGINS, 0.95)
    cell = decided["comparisons"]["conv_vae vs vae"]["silhouette"]
    assert decided["verdict"] == SUPPORTED and cell["seeds"] == 3 and cell["differences"] == [0.003, 0.005, 0.004]
    apart = [{pair: {"silhouette": measured(d, d - 0.004, d + 0.004, sd=0.002)}
              for pair in ("ae vs vae", "ae vs conv_vae", "conv_vae vs vae")} for d in (0.05, 0.06)]
    assert claims.decide_pooled(claim, apart, MARGINS, 0.95)["verdict"] in (NOT_SUPPORTED, INCONCLUSIVE)


def test_every_measure_that_decides_claims_has_a_margin_in_params_yaml_and_no_other():
    from latentspace.core.params import load

    margins = load(("claims.margins",), ROOT / "params.yaml").section("claims.margins")
    assert list(claims.margins(margins)) == list(margins)  # checked, in the file's order
    assert set(margins) == set(claims.measures_with_margins()) == set(MARGINS)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.pop("precision"), "params.yaml: required key 'claims.margins.precision' is missing (the smallest "
                                   "difference that counts on precision: a number ≥ 0)"),
    (lambda m: m.update(silhuette=0.01), "params.yaml: unknown key 'claims.margins.silhuette'; did you mean "
                                         "'claims.margins.silhouette'?"),
])
def test_a_margin_missing_or_naming_no_claim_measure_is_one_line_naming_the_key(change, message):
    margins = dict(MARGINS)
    change(margins)
    with pytest.raises(StageError) as raised:
        claims.margins(margins)
    assert str(raised.value) == message


def test_the_params_schema_takes_a_margin_a_measure_name_and_refuses_a_bad_name_or_value():
    from latentspace.core.params import read_tree, validate

    tree = read_tree(ROOT / "params.yaml")
    tree["claims"]["margins"]["toy_score"] = 0.5  # a family added later: the schema does not list the names
    assert validate(tree)["claims.margins.toy_score"] == 0.5
    tree["claims"]["margins"]["toy_score"] = -1
    with pytest.raises(StageError, match=r"claims.margins.toy_score = -1 is not allowed: must be a number in \[0, "):
        validate(tree)
    tree["claims"]["margins"] = {"Bad Name": 0.1}
    with pytest.raises(StageError, match="a measure's name is lower-case letters"):
        validate(tree)
    tree["claims"] = {"margins": 0.1}
    with pytest.raises(StageError, match="'claims.margins' must be a section"):
        validate(tree)




def test_a_runs_claims_are_every_claim_its_models_can_test_decided_from_its_contrasts():
    """claims.decide_all, as the claims stage calls it: a run without the AE tests no claim that names it."""
    contrasts = {"class_vae vs vae": {"silhouette": measured(0.05, 0.03, 0.07)}}
    decided = claims.decide_all(contrasts, MARGINS, ["vae", "class_vae"], 0.95)
    assert list(decided) == [c.key for c in claims.CLAIMS if c.models <= {"vae", "class_vae"}] == [
        "vae_draws_like_numbers", "vae_draws_too_naive", "class_term_helps"]
    assert decided["vae_draws_like_numbers"]["verdict"] == NOT_MEASURED  # contrasts without its measurements
    assert decided["class_term_helps"]["verdict"] == SUPPORTED
