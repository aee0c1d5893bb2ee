"""The judge: a small convolutional digit classifier that scores generated digits (not a compared model).

Its softmax output gives the class probabilities (N, 10) and its penultimate layer, ``features``
(N, 128), the space in which generated and real digits are compared (see
:mod:`latentspace.sample_quality`). Images are (N, 28, 28, 1) in [0, 1].
"""

from __future__ import annotations

from pathlib import Path

from .models import IMAGE_SHAPE, save_model  # first: it quietens TensorFlow before Keras loads it

import keras  # noqa: E402
from keras import layers  # noqa: E402

from .outputs import atomic_path  # noqa: E402

FEATURES = "features"


def classifier() -> keras.Model:
    """Conv 32@3 → max-pool → Conv 64@3 → max-pool → Dense(128) ``features`` → Dense(10, softmax)."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.MaxPooling2D()(layers.Conv2D(32, 3, activation="relu")(image))
    h = layers.MaxPooling2D()(layers.Conv2D(64, 3, activation="relu")(h))
    h = layers.Dense(128, activation="relu", name=FEATURES)(layers.Flatten()(h))
    return keras.Model(image, layers.Dense(10, activation="softmax", name="digit")(h), name="judge")


def train(x_train, y_train, x_val, y_val, *, epochs: int, seed: int, threads: int | None = None, path: Path) -> dict:
    """Fit the classifier (Adam, batch 100, cross-entropy), seeded; save it to ``path`` when done.

    Returns the final epoch's training and validation accuracy.
    """
    from .training import make_deterministic

    make_deterministic(seed, threads)
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), batch_size=100, epochs=epochs,
                        shuffle=True, verbose=2)
    with atomic_path(path) as tmp:
        save_model(model, tmp)
    return {"accuracy": float(history.history["accuracy"][-1]),
            "val_accuracy": float(history.history["val_accuracy"][-1])}


def load(path: Path) -> keras.Model:
    """The saved judge (``safe_mode=True``: no code from the file is run)."""
    from .models import load_model

    return load_model(path)


def judge(model: keras.Model, images, batch_size: int = 500):
    """The judge's class probabilities (N, 10) and features (N, 128) of images (N, 28, 28, 1)."""
    both = keras.Model(model.inputs, [model.output, model.get_layer(FEATURES).output])
    probabilities, features = both.predict(images, batch_size=batch_size, verbose=0)
    return probabilities, features
