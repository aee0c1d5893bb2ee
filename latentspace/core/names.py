"""How figures and the report name a model (its own module: renaming must not retrain anything)."""


def title(model: str) -> str:
    """``conv_vae`` → ``Conv VAE``: the section name's words, those of ≤ 3 letters in capitals."""
    return " ".join(word.upper() if len(word) <= 3 else word.capitalize() for word in model.split("_"))
