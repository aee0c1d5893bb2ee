"""Where each artifact lives, relative to the repository root (dvc.yaml names the same paths).

Lightweight on purpose: stages import it before deciding whether they need TensorFlow.
"""

from pathlib import Path

KINDS = ("ae", "vae", "conv_vae")
TITLES = {"ae": "AE", "vae": "VAE", "conv_vae": "Conv VAE"}

DATASET = Path("data/dataset.npz")
CODES = Path("data/codes.npz")
TSNE = Path("data/tsne.npz")
SILHOUETTE_VALUES = Path("data/silhouette.npz")
SILHOUETTE_METRICS = Path("metrics/silhouette.json")
RECONSTRUCTIONS = Path("plots/reconstructions.png")
CENTROIDS = Path("plots/centroids.png")
PRIOR = Path("plots/prior.png")
TSNE_PLOT = Path("plots/tsne.png")
REPORT = Path("report/index.html")


def slug(kind: str) -> str:
    """``conv_vae`` → ``conv-vae``: the spelling of a model in stage and file names."""
    return kind.replace("_", "-")


def model_dir(kind: str) -> Path:
    """Holds ``encoder.keras`` and ``decoder.keras``."""
    return Path("models") / slug(kind)


def live_dir(kind: str) -> Path:
    """DVCLive's folder of training curves: ``plots/metrics/{train,eval}/<name>.tsv``."""
    return Path("dvclive") / slug(kind)


def train_metrics(kind: str) -> Path:
    return Path("metrics") / f"train-{slug(kind)}.json"


def silhouette_plot(kind: str) -> Path:
    return Path("plots") / f"silhouette-{slug(kind)}.png"
