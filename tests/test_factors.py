"""The factors stage's measurements (latentspace/measures/factors/per_model.py) on a decoder whose answer is known: unit z0 sets a
bar's width, unit z1 its height, unit z2 its shear."""

import numpy as np
import pytest

from latentspace.measures.factors import per_model as factors, morphometrics
from latentspace.measures import replicated
from latentspace.core.errors import StageError
from latentspace.core.schema import Bootstrap, Factors


def rectangles(codes):
    """codes (K, 3) → images (K, 28, 28): a centred bar 6 + 2·z0 pixels wide and 12 + 3·z1 high, each row
    shifted by 0.15·z2 pixels a row from the middle (a shear: the slant)."""
    images = np.zeros((len(codes), 28, 28), np.float32)
    for image, (z0, z1, z2) in zip(images, np.asarray(codes, np.float64)):
        width = int(np.clip(round(6 + 2 * z0), 2, 12))
        height = int(np.clip(round(12 + 3 * z1), 4, 22))
        top = 14 - height // 2
        for row in range(top, top + height):
            left = 14 - width // 2 + int(round(np.clip(0.15 * z2, -0.4, 0.4) * (row - 14)))
            image[row, left:left + width] = 1.0
    return images


@pytest.fixture(scope="module")
def measured():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(120, 3))
    labels = np.arange(120) % 10
    shapes = {"labels": labels, **morphometrics.measure(rectangles(mean), strokes=False)}
    draws = {"same": rectangles(rng.normal(size=(60, 3))), "wider": rectangles(rng.normal(size=(60, 3)) + [2.0, 0, 0])}
    result = factors.measure(mean, labels, shapes, draws, rectangles, Factors(strokes=False, digits=40, anchors=3),
                             Bootstrap(resamples=40, level=0.9), seed=1, log_var=np.zeros_like(mean))
    result.metrics["codes"] = mean  # for the prior gap's test, never written
    return result


def test_each_unit_carries_and_moves_the_factor_it_draws(measured):
    units = measured.metrics["units"]
    assert [units[z]["carries"] for z in ("z0", "z1", "z2")] == ["width", "height", "slant"]
    assert [units[z]["moves_most"] for z in ("z0", "z1", "z2")] == ["width", "height", "slant"]
    assert units["z0"]["moves"]["width"]["effect"] > 0 and units["z1"]["moves"]["height"]["effect"] > 0
    assert measured.metrics["traversals"] == {"anchors": 3, "steps": 9, "reach_sd": 3.0}
    assert measured.figure["measured"] == ["area", "slant", "width", "height"]
    assert measured.figure["share"].shape == (3, 5)  # units × (factors and the class)


def test_the_units_labels_are_the_figures_matrix_argmax(measured):
    """The JSON's labels and the figure's left panel read one matrix: each unit carries its row's argmax."""
    names, share = measured.figure["factors"], measured.figure["share"]
    units = measured.metrics["units"]
    assert [units[f"z{d}"]["carries"] for d in range(3)] == [names[k] for k in share.argmax(axis=1)]
    assert all(units[f"z{d}"]["share"] == dict(zip(names, share[d].tolist())) for d in range(3))


def test_reconstructions_are_the_real_digits_and_only_the_wider_draws_sit_far(measured):
    distances = measured.metrics["distances"]
    assert distances["reconstructions"]["to_real"]["mean"]["value"] == 0.0  # the decoder made the real digits
    same, wider = (distances[s]["to_real"]["mean"]["value"] for s in ("same", "wider"))
    assert same < 0.3 < wider
    assert distances["wider"]["to_real"]["width"]["value"] > distances["wider"]["to_real"]["height"]["value"]
    assert measured.metrics["compared_digits"] == 40


def test_the_kept_values_are_what_the_contrasts_read_back(measured, tmp_path):
    assert list(measured.kept) == [("mig", None), ("sap", None), ("factor_distance", "same"),
                                   ("factor_distance_decoded", "same"), ("factor_distance", "wider"),
                                   ("factor_distance_decoded", "wider"), ("prior_gap", None)]
    assert all(len(replicates) == 40 for _, replicates in measured.kept.values())
    replicated.save(tmp_path / "model.npz", measured.kept)
    back = replicated.load(tmp_path / "model.npz", ["factor_distance"], "wider", required=True)
    assert back.replicated["factor_distance"][0] == measured.kept["factor_distance", "wider"][0]
    assert measured.metrics["mig"]["value"] == measured.kept["mig", None][0]


def test_the_prior_gap_is_that_of_one_seeded_draw_a_digit_near_its_known_kl(measured):
    """mean ~ N(0, I) and unit posteriors: q(z) ≈ N(0, 2I), KL to N(0, I) = D/2 (2 − 1 − log 2) ≈ 0.46 nats; one
    draw a digit from 120 digits is a noisy sample of it (test_prior_gap.py holds the estimator itself)."""
    from latentspace.measures import prior_gap

    gap, mean = measured.metrics["prior_gap"], measured.metrics["codes"]
    assert gap["value"] == prior_gap.gaussian_part(prior_gap.draws(mean, np.zeros_like(mean), 1))
    assert abs(gap["value"] - 1.5 * (2 - 1 - np.log(2))) < 0.25 and gap["low"] <= gap["value"] <= gap["high"]
    assert set(gap["per_dimension"]) == {"z0", "z1", "z2"}


def test_a_morphometry_of_other_digits_is_refused_naming_both_files():
    with pytest.raises(StageError, match="^m.npz: its digits are not the evaluation digits of c.npz: rerun the "
                                         "morphometry stage$"):
        morphometrics.check_same_digits(np.arange(5), np.arange(4), "m.npz", "c.npz")
    morphometrics.check_same_digits(np.arange(5), np.arange(5), "m.npz", "c.npz")
