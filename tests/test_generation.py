"""The generation stage's measurements (latentspace/measures/generation.py) on a decoder and a judge whose answers are
known: the decoder writes a code into an image's first pixels, the judge reads its class from the first."""

import numpy as np

from latentspace.measures import copying, generation
from latentspace.models import samplers
from latentspace.measures.sample_quality import Draws, kept_name
from latentspace.models.fits import fit_sampler

from helpers import generation_settings

SETTINGS = generation_settings(num_samples=50, mixture_components=2, fit_steps=20)


def decode(codes):
    """codes (K, 2) → images (K, 28, 28, 1) holding the code in their first two pixels."""
    images = np.zeros((len(codes), 28, 28, 1), np.float32)
    images[:, 0, :2, 0] = codes
    return images


def judged(images):
    """The judge: certain of the class nearest the first pixel (clipped to 0–9); its features, the two pixels."""
    classes = np.clip(np.rint(images[:, 0, 0, 0]), 0, 9).astype(int)
    return np.eye(10)[classes], images[:, 0, :2, 0].astype(np.float64)


def test_draws_centroids_and_reconstructions_judged_as_their_answers_say():
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 10
    codes = {"codes_train": rng.normal(size=(80, 2)), "codes_val": rng.normal(size=(40, 2)), "labels_eval": labels,
             "codes_eval": np.stack([labels + rng.uniform(-0.3, 0.3, 60), rng.normal(size=60)], axis=1)}
    fits = {s.name: fit_sampler(s.name, codes, SETTINGS, seed=3) for s in samplers.SAMPLERS if s.fitted}
    drawn = generation.draw(codes, fits, 60, SETTINGS, seed=3)
    assert [s.name for s in drawn.samplers] == [s.name for s in samplers.SAMPLERS]
    # the best sampler is the ex-post fit with the highest validation log-density, its draws that fit's
    chosen = max((name for name in fits if name != samplers.PRIOR), key=lambda n: fits[n].log_density_val.mean())
    assert drawn.chosen["sampler"] == chosen and np.array_equal(drawn.codes[samplers.BEST], fits[chosen].codes)
    assert all(z.shape == (50, 2) for z in drawn.codes.values()) and drawn.classes.tolist() == list(range(10))
    # the training digits as the judge sees them, and held-out digits' distances to them (the copies stage): all
    # N(0, I) codes, as the prior's draws are
    train, held_out = judged(decode(codes["codes_train"]))[1], judged(decode(codes["codes_val"]))[1]
    copies = (train, copying.reference(train, held_out, rng.normal(size=(40, 2)), cells=2, seed=0))
    result = generation.judge(drawn, codes["codes_eval"], labels, judged(decode(codes["codes_eval"]))[1], decode,
                              judged, copies)
    # each evaluation code's first unit is its class ± 0.3: every reconstruction and centroid is recognised
    assert result.metrics["reconstructions"] == {"accuracy": 1.0} and result.metrics["centroids"] == {"accuracy": 1.0}
    assert result.metrics["prior"]["confidence"] == 1.0  # the judge is always certain
    assert list(result.metrics) == [*drawn.codes, samplers.CHOSEN, "held_out_codes", "centroids", "reconstructions"]
    # the training codes are N(0, I) in 2-D: the prior's draws fall outside them about as often as held-out codes do,
    # the evaluation codes (spread over 0–9 in the first unit) far more often
    assert 0.0 <= result.metrics["prior"]["holes"] < 0.3 < result.metrics["held_out_codes"]["holes"]
    assert result.arrays["outside_prior"].shape == (50,) and result.arrays["outside_codes"].shape == (60,)
    for name in drawn.codes:
        assert result.arrays[name].shape == (50, 28, 28, 1)
        assert all(result.arrays[kept_name(kept, name)].shape[0] == 50 for kept in Draws.KEPT)
    assert result.arrays["centroids"].shape == (10, 28, 28, 1) and result.arrays["classes"].tolist() == list(range(10))
    assert [len(rows) for rows in result.rows.values()] == [30] * len(samplers.SAMPLERS)  # each sampler's first draws
    # the prior's draws and the training codes are both N(0, I): the draws are as far from the training digits as
    # held-out digits are (copy score about ½); the copies' measures are kept per draw and summarised
    assert 0.3 < result.metrics["prior"]["copy_score"] < 0.7 and "c_t" in result.metrics["prior"]
    np.testing.assert_array_equal(result.arrays[kept_name("copy_score", "prior")],
                                  copying.per_draw(judged(result.arrays["prior"])[1], *copies)["copy_score"])
