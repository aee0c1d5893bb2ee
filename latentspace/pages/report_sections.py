"""The report's sections by measure family: separation, latent units, likelihood, generation, factors and the
explorer (templates/sections.html fills them with these values; no TensorFlow)."""

from __future__ import annotations

from markupsafe import Markup

from latentspace.measures import sample_quality, separation
from latentspace.models import samplers
from latentspace.core.names import title
from latentspace.pages.page_parts import formatted, macros


def best_cells(rows: dict, measures) -> set[tuple]:
    """(row, measure name) of the best value of each measure among ``rows`` ({row: {name: value}})."""
    best = set()
    for measure in (m for m in measures if m.ranked):
        values = {row: numbers[measure.name] for row, numbers in rows.items() if numbers.get(measure.name) is not None}
        if values:
            target = measure.best(values.values())
            best |= {(row, measure.name) for row, value in values.items() if value == target}
    return best


def separation_section(scores: dict[str, dict], baselines: dict[str, dict], level: float, neighbours: int) -> Markup:
    """The "Separation" table: every score of every model's evaluation codes with its interval,
    the best model of each column in bold, then the pixel and PCA baselines."""
    columns = separation.MEASURES
    best = best_cells({m: {k: v["value"] for k, v in s.items()} for m, s in scores.items()}, columns)

    def cells(row, found):
        return [None if c.name not in found else {
            "value": formatted(found[c.name]["value"]), "low": formatted(found[c.name]["low"]),
            "high": formatted(found[c.name]["high"]), "bold": (row, c.name) in best} for c in columns]

    names = {"pixels": "raw pixels (baseline)", "pca": "PCA of the pixels (baseline)"}
    rows = [(title(m), cells(m, s)) for m, s in scores.items()]
    rows += [(names.get(b, b), cells(b, s)) for b, s in baselines.items()]
    return macros("sections.html").separation([c.label for c in columns], rows, f"{level:.0%}", neighbours)


def units_section(units: dict[str, dict], threshold: float) -> Markup:
    """The "Latent units" table: active units, the KL term and its largest dimension per model."""
    rows = [(title(m), str(u["active_units"]), str(u["dimensions"]), formatted(u.get("kl")),
             formatted(max(u["kl_per_dimension"].values()) if "kl_per_dimension" in u else None),
             formatted(min(u["kl_per_dimension"].values()) if "kl_per_dimension" in u else None))
            for m, u in units.items()]
    return macros("sections.html").units(rows, f"{threshold:g}")


def likelihood_section(found: dict[str, dict], level: float) -> Markup:
    """The "Likelihood" table: each VAE's IWAE bound and ELBO (nats per image, intervals), and how far
    more draws move the bound (latentspace/measures/likelihood.py); a model without a posterior is marked."""
    def cell(n):
        return f"{n['value']:.2f} [{n['low']:.2f}, {n['high']:.2f}]" if n else "–"

    rows = [{"model": title(m), "iwae": cell(n.get("iwae")), "elbo": cell(n.get("elbo")),
             "samples": str(n["samples"]) if n.get("iwae") else None, "note": n.get("note", ""),
             "change": f"{n['check']['change']:+.3f} ({n['check']['samples']} draws, {n['check']['digits']} digits)"
             if n.get("iwae") else ""} for m, n in found.items()]
    return macros("sections.html").likelihood(rows, f"{level:.0%}")


def generation_section(generation: dict[str, dict], judge: dict[str, float]) -> Markup:
    """The "Generation" tables: every model × sampler (best of each column in bold), the real
    digits as the floor, and the judge's accuracy on decoded centroids and reconstructions."""
    labels, columns = samplers.labels(), sample_quality.MEASURES
    found = {(model, sampler): metrics[sampler] for model, metrics in generation.items() for sampler in labels
             if sampler in metrics}
    best = best_cells(found, columns)
    rows = [(f"{title(model)}, {samplers.row_label(sampler, generation[model].get(samplers.CHOSEN, {}))}",
             [(formatted(found[(model, sampler)].get(m.name)), ((model, sampler), m.name) in best) for m in columns])
            for model, sampler in found]
    floor = [formatted(judge["real"].get(m.name)) for m in columns]
    accuracy = [(title(model), formatted(metrics["centroids"]["accuracy"]),
                 formatted(metrics["reconstructions"]["accuracy"])) for model, metrics in generation.items()]
    fitted_names = [s.name for s in samplers.SAMPLERS if s.fitted]
    fitted = [(title(model), [(("≥ " if samplers.by_name(name).bound else "") + f"{chosen['val_log_density'][name]:.2f}",
                               name == chosen["sampler"]) if name in chosen["val_log_density"] else ("–", False)
                              for name in fitted_names])
              for model, metrics in generation.items() if (chosen := metrics.get(samplers.CHOSEN))]
    return macros("sections.html").generation([m.label for m in columns], rows, floor, accuracy,
                                              formatted(judge["eval_accuracy"]),
                                              ["its prior" if n == samplers.PRIOR else labels[n] for n in fitted_names],
                                              fitted)


def _interval(n: dict | None, digits: int = 3) -> str:
    return f"{n['value']:.{digits}f} [{n['low']:.{digits}f}, {n['high']:.{digits}f}]" if n else "–"


def factors_section(found: dict[str, dict], figures: dict[str, bytes], level: float) -> Markup:
    """The "What the units encode" section from each model's factors metrics (stages/factors.py): which unit
    carries which factor (MIG, SAP, DCI), the units that move one factor alone, the decoded digits' factors
    against the real digits', and how far each VAE's codes sit from N(0, I); each model's unit × factor figure."""
    from latentspace.measures.factors.morphometrics import LABELS, STROKE_FACTORS, UNITS, factors

    first = next(iter(found.values()))
    names = factors(first["strokes"])
    left_out = "" if first["strokes"] else (
        f" These images are not strokes (factors.strokes: false): {' and '.join(LABELS[f] for f in STROKE_FACTORS)} "
        "are not measured.")
    scores = [(title(m), [_interval(f["mig"]), _interval(f["sap"]), f"{f['dci']['disentanglement']:.3f}",
                          f"{f['dci']['completeness']:.3f}",
                          *(f"{value:.3f}" for value in f["dci"]["informativeness"].values())])
              for m, f in found.items()]
    alone = [(title(m), "; ".join(f"{unit} → {LABELS[u['moves_most']]} ({u['moves'][u['moves_most']]['effect']:+.2f} sd)"
                                  for unit, u in f["units"].items() if u["moves_alone"]) or "none")
             for m, f in found.items()]
    distances = []
    for m, f in found.items():
        for what, compared in f["distances"].items():
            label = "reconstructions" if what == "reconstructions" else samplers.labels().get(what, what)
            decoded = _interval(compared["to_reconstructions"]["mean"], 2) if "to_reconstructions" in compared else "–"
            distances.append((f"{title(m)}, {label}",
                              [*(_interval(compared["to_real"][k], 2) for k in (*names, "mean")), decoded]))
    gaps = [(title(m), [_interval(g, 2), f"{sum(d['gaussian'] for d in g['per_dimension'].values()):.2f}",
                        f"{sum(d['non_gaussian'] for d in g['per_dimension'].values()):.3f}",
                        f"{g['elbo_split']['kl_term']:.2f}",
                        f"{g['elbo_split']['mutual_information']:.2f} (≤ log N = {g['elbo_split']['log_n']:.2f})",
                        f"{g['elbo_split']['marginal_kl']:.2f}"])
            for m, f in found.items() if (g := f.get("prior_gap"))]
    return macros("sections.html").factors({
        "units": ", ".join(f"{LABELS[k]} ({UNITS[k]})" for k in names), "left_out": left_out, "level": f"{level:.0%}",
        "digits": f"{first['digits']:,}", "informed": [LABELS.get(k, k) for k in first["dci"]["informativeness"]],
        "scores": scores, "reach": f"{first['traversals']['reach_sd']:g}", "anchors": first["traversals"]["anchors"],
        "alone": alone, "compared": f"{first['compared_digits']:,}", "head": [LABELS[k] for k in names],
        "distances": distances, "gaps": gaps, "figures": list(figures.items())})


def explore_section(link: str, traversals: dict[str, bytes]) -> Markup:
    """The Explore section: how to use the explorer page at ``link`` (relative), and each model's
    traversal figure (``traversals[title]``, PNG bytes)."""
    return macros("sections.html").explore(link, list(traversals.items()))
