"""The terms of the study's losses: their names in logs and curves, labels and weights (standard library only).

A model's loss (nats per image) is ``loss`` = the sum of its terms: every model has the
reconstruction term; a VAE adds β·KL (β is its section's ``beta``); the class VAE adds γ times
its classifier's cross-entropy (``gamma``). The model computes and weighs each term and logs it
under its ``name`` (``val_`` for the validation split; :class:`latentspace.models.architectures.AutoEncoder`),
the curves files keep these columns, and the report, the figures and DVC's chart templates
(``.dvc/plots/*.json``, held to :func:`vega_fold` and :func:`vega_labels` by a test) name them
from here. Standard library only: the stages that draw and report need no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    name: str            # key in Keras' logs, the curves files and metrics/train/<model>.json
    label: str           # how figures and tables name it
    weight: str | None   # the key of the model's section that weights it; None: weight 1


TOTAL = Term("loss", "total", None)
TERMS = (
    Term("reconst_loss", "reconstruction", None),  # binary cross-entropy summed over the pixels
    Term("diverg_loss", "β·KL", "beta"),             # β × KL(q(z|x) ‖ N(0, I)), VAEs only
    Term("class_loss", "γ·cross-entropy", "gamma"),  # γ × the classifier head's cross-entropy, the class VAE only
)
VALIDATION = "val_"  # prefix of the validation split's values


def columns() -> tuple[str, ...]:
    """The curves files' loss columns in order: the total and every term, training then validation."""
    names = tuple(term.name for term in (TOTAL, *TERMS))
    return names + tuple(VALIDATION + name for name in names)


def labels() -> dict[str, str]:
    """``{name: label}`` of the total and every term."""
    return {term.name: term.label for term in (TOTAL, *TERMS)}


def vega_fold() -> list[str]:
    """The columns DVC's chart templates fold into one series a term and split."""
    return list(columns())


def vega_labels() -> str:
    """The Vega expression naming a term from its bare column name (``datum.bare``)."""
    *named, last = (TOTAL, *TERMS)
    return "".join(f"datum.bare === '{t.name}' ? '{t.label}' : " for t in named) + f"'{last.label}'"
