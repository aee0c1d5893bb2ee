"""The original study's numbers: full MNIST (50,000 training digits), 30 epochs.

The one place they are written: the report's reference table and its sentences are built from
here. Losses are nats per image on the validation split; silhouette scores on the test digits.
"""

ORIGINAL: dict[str, dict[str, float]] = {
    "ae": {"val_loss": 84.7},
    "vae": {"val_loss": 111.8, "val_reconst_loss": 93.5, "val_diverg_loss": 18.2, "silhouette": 0.1117},
    "conv_vae": {"val_loss": 97.3, "val_reconst_loss": 77.7, "val_diverg_loss": 19.6, "silhouette": 0.1183},
}
# The original ranks the codes by silhouette, best first; it states the AE's rank, not its score.
SILHOUETTE_RANKING = ("ae", "conv_vae", "vae")
TRAINING_DIGITS = 50_000
