"""The study's loss terms, in ``keras.ops`` so they run on any Keras backend.

Units are nats per image: sums over the 784 pixels or the latent dimensions, then a mean over
the batch (:class:`Reconstruction`, a Keras loss, takes that mean; latentspace.models.architectures.AutoEncoder
weighs and sums the terms).
"""

from keras import config, losses, ops


def reconst_loss(y_true, y_pred):
    """Binary cross-entropy summed over pixels: images (B, 28, 28, 1) in [0, 1] → (B,) nats.

    The reconstruction term of every model's loss (:class:`Reconstruction` takes its batch mean).
    """
    eps = config.epsilon()
    y_true, y_pred = ops.cast(y_true, "float32"), ops.cast(y_pred, "float32")  # also as a metric under mixed precision
    y_pred = ops.clip(y_pred, eps, 1.0 - eps)
    bce = -(y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred))
    return ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=1)


def kl_divergence(mean, log_var):
    """KL(N(mean, exp(log_var)) ‖ N(0, I)) for codes (B, D), averaged over the batch → scalar nats.

    −½ Σ_d (1 + log_var − mean² − exp(log_var)).
    """
    per_image = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=1)
    return ops.mean(per_image)


class Reconstruction(losses.Loss):
    """:func:`reconst_loss` as a Keras loss: its mean over the batch (scalar nats per image)."""

    def __init__(self, name: str = "reconst_loss"):
        super().__init__(name=name)

    def call(self, y_true, y_pred):
        return reconst_loss(y_true, y_pred)
