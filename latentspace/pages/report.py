"""The one-page HTML report: params, a metrics table, loss curves, every figure, a few sentences.

Self-contained (images inlined as base64), so it opens from disk and can be mailed around.
Models are named by their section in params.yaml's ``models``; the original's numbers come from
:mod:`latentspace.claims.original`.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from latentspace.models.loss_terms import TERMS, TOTAL, VALIDATION
from latentspace.core.names import title
from latentspace.claims.original import ORIGINAL, SILHOUETTE_RANKING, TRAINING_DIGITS
from latentspace.pages import page_parts
from latentspace.pages.page_parts import formatted
from latentspace.pages.report_claims import claims_section, study_section
from latentspace.pages.report_sections import (
    explore_section, factors_section, generation_section, likelihood_section, separation_section, units_section
)

COLUMNS = [
    (TOTAL.name, "train loss"), (VALIDATION + TOTAL.name, "val loss"),
    *((VALIDATION + term.name, f"val {term.label}") for term in TERMS), ("silhouette", "silhouette"),
    ("encoder", "encoder params"), ("decoder", "decoder params"), ("epochs", "epochs"),
]


def metrics_table(train: dict[str, dict], separation: dict[str, dict]) -> dict[str, dict[str, float]]:
    """One row per model: the final losses, silhouette score, parameter counts and epochs."""
    rows = {}
    for model, metrics in train.items():
        row = {key: value for key, value in metrics.items() if key != "parameters"}
        row.update(metrics.get("parameters", {}))
        row["silhouette"] = separation.get(model, {}).get("silhouette", {}).get("value")
        rows[model] = row
    return rows


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _loss_parts(row: dict) -> str:
    total = VALIDATION + TOTAL.name
    return f"{row[total]:.1f} = " + " + ".join(f"{row[VALIDATION + t.name]:.1f} {t.label}" for t in TERMS
                                                if VALIDATION + t.name in row)


def findings(rows: dict[str, dict[str, float]]) -> list[str]:
    """Sentences that state the original's comparisons with this run's numbers.

    Each compares only models that this run and :data:`ORIGINAL` both have, by name.
    """
    sentences = []
    scores = {m: r["silhouette"] for m, r in rows.items() if r.get("silhouette") is not None}
    if scores:
        ranked = sorted(scores, key=scores.get, reverse=True)
        listing = ", then ".join(f"{title(m)} ({scores[m]:.4f})" for m in ranked)
        sentence = f"The {title(ranked[0])} codes separate the classes best by silhouette score: {listing}."
        shared = [m for m in ranked if m in SILHOUETTE_RANKING]
        if len(shared) > 1:
            original = [m for m in SILHOUETTE_RANKING if m in shared]
            stated = ", then ".join(
                title(m) + (f" {ORIGINAL[m]['silhouette']:.4f}" if "silhouette" in ORIGINAL[m] else "") for m in original)
            agree = "the same order as" if shared == original else "a different order from"
            sentence += f" For {_listing([title(m) for m in original])} that is {agree} the original ({stated})."
        sentences.append(sentence)
    divergence = next(term for term in TERMS if term.weight == "beta")  # β·KL: the VAEs' term
    vaes = [m for m in rows if VALIDATION + divergence.name in rows[m]]  # the models with a divergence term
    if len(vaes) > 1:
        ranked = sorted(vaes, key=lambda m: rows[m]["val_loss"])
        others = "; ".join(f"{title(m)} {_loss_parts(rows[m])}" for m in ranked[1:])
        sentence = (f"Of the VAEs the {title(ranked[0])} reaches the lowest validation loss "
                    f"({_loss_parts(rows[ranked[0]])} nats per image; {others}).")
        known = sorted((m for m in vaes if "val_loss" in ORIGINAL.get(m, {})), key=lambda m: ORIGINAL[m]["val_loss"])
        if len(known) > 1:
            stated = " < ".join(f"{title(m)} {ORIGINAL[m]['val_loss']:.1f}" for m in known)
            agree = "agrees" if [m for m in ranked if m in known] == known else "disagrees"
            sentence += f" The original {agree}: {stated}."
        sentences.append(sentence)
    for model in rows:
        if model not in vaes and "val_loss" in ORIGINAL.get(model, {}):
            sentences.append(
                f"The {title(model)}, which pays no KL term, reaches a validation loss of "
                f"{rows[model]['val_loss']:.1f} nats per image (original: {ORIGINAL[model]['val_loss']:.1f}); "
                "nothing pulls its codes towards N(0, I).")
    return sentences


def _table(rows: dict[str, dict]) -> list[tuple[str, list[str]]]:
    """The metrics table's rows: (model's title, a text a column of :data:`COLUMNS`)."""
    return [(title(model), [formatted(row.get(key)) for key, _ in COLUMNS]) for model, row in rows.items()]


def render(params: dict, rows: dict[str, dict], curves: dict, figures: dict[str, bytes], split_sizes: dict,
           claims: str = "", sections: tuple[str, ...] = ()) -> str:
    """The page as an HTML string (templates/report.html). ``curves`` maps a model to its curves
    (:mod:`latentspace.models.curves`), ``figures`` a caption to PNG bytes; ``claims`` is :func:`claims_section`'s
    markup, ``sections`` the markup of the other sections (separation, latent units, generation), in order."""
    from latentspace.core.outputs import figure_png
    from latentspace.pages.plotting import loss_curves

    original = {model: ORIGINAL[model] for model in rows if model in ORIGINAL}
    curves_png = figure_png(loss_curves({title(model): columns for model, columns in curves.items()}))
    return page_parts.render(
        "report.html", models=_listing([title(m) for m in rows]), source=str(params.get("data.source")),
        sizes=", ".join(f"{n:,} {split}" for split, n in split_sizes.items()), claims=Markup(claims),
        sentences=findings(rows), head=[label for _, label in COLUMNS], rows=_table(rows), original=_table(original),
        training_digits=f"{TRAINING_DIGITS:,}", sections=[Markup(section) for section in sections], curves=curves_png,
        figures=list(figures.items()), params=[(k, repr(v)) for k, v in params.items()])


@dataclass(frozen=True)
class Inputs:
    """What the report shows, read: per model (in order) its ``train``, ``separation``, ``units``, ``likelihood``,
    ``generation`` and ``factors`` metrics and ``curves``; the ``baselines``', ``claims``', ``judge``'s metrics and
    the ``study``'s verdict matrix; ``figures`` (caption → PNG), each model's ``factor_figures`` and ``traversals``
    (its title → PNG); the links to the ``explorer`` and the ``study_page``; the digits a split (``sizes``) and the
    ``params`` (all of them, flattened)."""

    models: list[str]
    train: dict
    separation: dict
    units: dict
    likelihood: dict
    generation: dict
    factors: dict
    curves: dict
    baselines: dict
    claims: dict
    judge: dict
    study: dict
    figures: dict[str, bytes]
    factor_figures: dict[str, bytes]
    traversals: dict[str, bytes]
    explorer: str
    study_page: str
    sizes: dict[str, int]
    params: dict


def figures_of(compared: dict[str, bytes], silhouettes: dict[str, bytes], samples: dict[str, bytes]) -> dict[str, bytes]:
    """The page's figures, captioned: compare's (caption → PNG), then each model's silhouettes and draws (its name →
    PNG)."""
    from latentspace.models.samplers import labels

    draws = ", ".join(labels().values())  # "N(0, I), mixture, …"
    return {**compared, **{f"Silhouette values of the {title(m)} codes": png for m, png in silhouettes.items()},
            **{f"Digits generated by the {title(m)}, a row a sampler: {draws}": png for m, png in samples.items()}}


def page(i: Inputs) -> str:
    """report/index.html from what it shows (:class:`Inputs`)."""
    level, margins = i.params["bootstrap.level"], {k.rsplit(".", 1)[1]: v for k, v in i.params.items()
                                                   if k.startswith("claims.margins.")}
    claims = study_section(i.study, i.study_page) + claims_section(i.claims, margins, level)
    sections = (separation_section(i.separation, i.baselines, level, i.params["separation.neighbours"]),
                units_section(i.units, i.params["units.active_threshold"]),
                factors_section(i.factors, i.factor_figures, level),
                likelihood_section(i.likelihood, level),
                generation_section(i.generation, i.judge),
                explore_section(i.explorer, i.traversals))
    return render(i.params, metrics_table(i.train, i.separation), i.curves, i.figures, i.sizes, claims, sections)
