"""The codes stage's library functions (latentspace/measures/analysis.py) on tiny arrays."""

import numpy as np

from latentspace.measures.analysis import decoded, encoded


def test_the_codes_stage_keeps_each_splits_codes_and_decodes_the_first_digits_and_each_pairs_line():
    """analysis.encoded and analysis.decoded, as the codes stage calls them, with an encoder and a decoder given as
    functions: a VAE's log-variances are kept, the AE's are not; the interpolations join the first 0 and 6 (the
    first pair of INTERPOLATED whose classes the digits hold) in ``steps`` steps."""
    labels = np.array([6, 0, 1, 6, 0, 7])
    images = np.arange(6, dtype=np.float32)[:, None, None, None] * np.ones((6, 28, 28, 1), np.float32)
    splits = {"train": (images, labels), "eval": (images[::-1], labels[::-1])}
    vae = encoded(splits, lambda x: (x[:, 0, :2, 0], x[:, 0, :2, 0] * 0 - 1))
    assert sorted(vae) == ["codes_eval", "codes_train", "labels_eval", "labels_train", "log_var_eval", "log_var_train"]
    ae = encoded(splits, lambda x: (x[:, 0, :2, 0], None))
    assert "log_var_eval" not in ae and ae["labels_eval"].tolist() == labels[::-1].tolist()

    def decode(z):
        return np.repeat(z[:, :1, None, None], 28 * 28, axis=1).reshape(len(z), 28, 28, 1)

    found = decoded(images, labels, ae["codes_train"], decode, shown=2, steps=3)
    assert found["pairs"].tolist() == [[0, 6], [1, 7]]
    assert found["interpolations"].shape == (2, 3, 28, 28, 1)
    assert found["interpolations"][0, :, 0, 0, 0].tolist() == [1.0, 0.5, 0.0]  # the first 0 (digit 1) to the first 6
    assert found["originals"].shape == (2, 28, 28, 1) and found["reconstructions"][:, 0, 0, 0].tolist() == [0.0, 1.0]
