"""The judge: a small convolutional digit classifier that scores generated digits (not a compared model).

Its softmax output gives the class probabilities (N, 10) and its penultimate layer, ``features``
(N, 128), the space in which generated and real digits are compared (see
:mod:`latentspace.measures.sample_quality`). Images are (N, 28, 28, 1) in [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

from latentspace.models import runtime
from latentspace.models.architectures import IMAGE_SHAPE
from latentspace.core.outputs import atomic_path

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
    runtime.start(threads)
    runtime.deterministic(seed)
    model = classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), batch_size=100, epochs=epochs,
                        shuffle=True, verbose=2)
    with atomic_path(path) as tmp:
        runtime.save_model(model, tmp)
    return {"accuracy": float(history.history["accuracy"][-1]),
            "val_accuracy": float(history.history["val_accuracy"][-1])}


def judge(model: keras.Model, images):
    """The judge's class probabilities (N, 10) and features (N, 128) of images (N, 28, 28, 1)."""
    both = keras.Model(model.inputs, [model.output, model.get_layer(FEATURES).output])
    probabilities, features = runtime.predict(both, images)
    return probabilities, features
