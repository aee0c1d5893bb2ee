"""Training curves files: one CSV a model, a row an epoch (no TensorFlow here).

Columns: ``epoch`` (1, 2, …) then the losses in :data:`COLUMNS` order that the model has, in
nats per image (:mod:`latentspace.models.loss_terms`); ``val_`` names are the validation split. The AE has
``loss`` and ``val_loss``; only the class VAE has ``class_loss`` (γ × its classifier's cross-entropy).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from latentspace.core.errors import StageError
from latentspace.models.loss_terms import columns

COLUMNS = columns()  # latentspace/models/loss_terms.py


def read(path: str | Path) -> dict[str, np.ndarray]:
    """``{column: values (epochs,)}`` of one curves file, ``epoch`` included."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return {name: np.array([float(row[name]) for row in rows]) for name in rows[0]}
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise StageError(f"{path}: cannot read training curves ({type(exc).__name__}: {exc})") from None


def overlay(curves: dict[str, dict[str, np.ndarray]]) -> str:
    """Every model's curves in one CSV text: a ``model`` column, then ``epoch`` and :data:`COLUMNS`.

    A loss a model lacks is left empty. This is the data of the charts that overlay the models.
    """
    lines = [",".join(("model", "epoch") + COLUMNS)]
    for model, kept in curves.items():
        for i, epoch in enumerate(kept["epoch"]):
            values = (repr(float(kept[name][i])) if name in kept else "" for name in COLUMNS)
            lines.append(",".join((model, str(int(epoch)), *values)))
    return "\n".join(lines) + "\n"
