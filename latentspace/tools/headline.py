"""The default run's headline tables, as docs/findings.md, separation.md and generation.md show them, made from ``metrics/``
(no TensorFlow)::

    python3 -m latentspace.tools.headline          # print every table (Markdown)

tests/test_docs.py holds the docs to these tables, so a rerun that moves a number fails until the docs
show it: paste this command's output over the old tables.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from latentspace.core.names import title

ROOT = Path(__file__).resolve().parents[2]


def _number(value: float | None, digits: int) -> str:
    """``value`` as the docs write it (the typographic minus; "–" where it was not measured)."""
    return "–" if value is None else f"{value:.{digits}f}".replace("-", "−")


def _read(root: Path, kind: str, model: str) -> dict:
    return json.loads((root / "metrics" / kind / f"{model}.json").read_text())


def _columns(measures) -> list[tuple[str, str, int]]:
    """(name, heading, decimals) of each declared measure, in order: its heading (its label where it has none),
    marked ↓ where lower is better."""
    return [(m.name, (m.heading or m.label) + ("" if m.larger_is_better else " ↓"), m.decimals) for m in measures]


def _models(root: Path) -> list[tuple[str, str]]:
    """(section, the docs' name) of each model of params.yaml, in its order: ``Class VAE (γ = 10)``."""
    from latentspace.core.params import read_tree

    models = read_tree(root / "params.yaml")["models"]
    named = []
    for model, section in models.items():
        weight = f" (γ = {section['gamma']:g})" if "gamma" in section else ""
        named.append((model, f"{title(model)}{weight}"))
    return named


def readme_table(root: Path = ROOT) -> str:
    """The headline table (docs/findings.md): validation loss, IWAE bound, separation (silhouette, kNN, linear probe) and the
    Fréchet distances of the N(0, I) and mixture draws, a row a model."""
    rows = ["| model | val loss | IWAE bound | silhouette | kNN | linear probe | Fréchet distance, N(0, I) "
            "| Fréchet distance, mixture |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for model, name in _models(root):
        train, likelihood = _read(root, "train", model), _read(root, "likelihood", model)
        separation, generation = _read(root, "separation", model), _read(root, "generation", model)
        bound = _number(likelihood["iwae"]["value"], 1) if "iwae" in likelihood else "–"
        rows.append(f"| {name} | {_number(train['val_loss'], 2)} | {bound} | "
                    f"{_number(separation['silhouette']['value'], 3)} | {_number(separation['knn_accuracy']['value'], 3)} | "
                    f"{_number(separation['probe_accuracy']['value'], 3)} | "
                    f"{_number(generation['prior']['frechet_distance'], 1)} | "
                    f"{_number(generation['mixture']['frechet_distance'], 1)} |")
    return "\n".join(rows) + "\n"


def losses_table(root: Path = ROOT) -> str:
    """docs/findings.md's table: each validation loss term and the silhouette, a row a model."""
    rows = ["| model | val loss | val reconstruction | val β·KL | val γ·cross-entropy | silhouette |",
            "| --- | --- | --- | --- | --- | --- |"]
    for model, name in _models(root):
        train = _read(root, "train", model)
        terms = [_number(train[k], 2) if k in train else "–"
                 for k in ("val_loss", "val_reconst_loss", "val_diverg_loss", "val_class_loss")]
        rows.append(f"| {name} | {' | '.join(terms)} | {_number(_read(root, 'separation', model)['silhouette']['value'], 4)} |")
    return "\n".join(rows) + "\n"


def likelihood_table(root: Path = ROOT) -> str:
    """docs/findings.md's likelihood table: each VAE's IWAE bound with its interval, its ELBO, and how far the
    bound rose with more draws on the check digits."""
    rows = ["| model | IWAE bound | ELBO | more draws |", "| --- | --- | --- | --- |"]
    for model, name in _models(root):
        found = _read(root, "likelihood", model)
        if "iwae" not in found:
            continue  # a deterministic code: no bound
        bound = found["iwae"]
        rows.append(f"| {name} | {_number(bound['value'], 2)} [{_number(bound['low'], 2)}, {_number(bound['high'], 2)}] "
                    f"| {_number(found['elbo']['value'], 2)} | {_signed(found['check']['change'], 2)} |")
    return "\n".join(rows) + "\n"


BASELINES = {"pixels": "pixels (784)", "pca": "PCA (10)"}


def separation_table(root: Path = ROOT) -> str:
    """docs/separation.md's table: each model's codes and each baseline scored eight ways, value and 95 %
    interval; bold, the best model in each column (in the measure's direction)."""
    from latentspace.measures.separation import MEASURES

    direction, columns = {m.name: m for m in MEASURES}, _columns(MEASURES)
    models = _models(root)
    found = {name: _read(root, "separation", model) for model, name in models}
    baselines = json.loads((root / "metrics" / "baselines.json").read_text())
    found.update({BASELINES[b]: baselines[b] for b in BASELINES if b in baselines})
    best = {m: direction[m].best(values) for m, _, _ in columns
            if (values := [found[name][m]["value"] for _, name in models if m in found[name]])}
    rows = ["| codes | " + " | ".join(h for _, h, _ in columns) + " |",
            "| --- |" + " --- |" * len(columns)]
    for name, scores in found.items():
        cells = []
        for m, _, digits in columns:
            if m not in scores:
                cells.append("–")
                continue
            value = _number(scores[m]["value"], digits)
            value = f"**{value}**" if name not in BASELINES.values() and scores[m]["value"] == best.get(m) else value
            cells.append(f"{value} [{_number(scores[m]['low'], digits)}, {_number(scores[m]['high'], digits)}]")
        rows.append(f"| {name.split(' (γ')[0]} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def generation_table(root: Path = ROOT) -> str:
    """docs/generation.md's table: each model's draws of each sampler judged every way, then the real digits' own
    row (validation against evaluation, metrics/judge.json's ``real``: the copy measures are the contrasts')."""
    from latentspace.measures.sample_quality import MEASURES
    from latentspace.models.samplers import CHOSEN, SAMPLERS, row_label

    declared = _columns(MEASURES)
    columns = [(m, d) for m, _, d in declared]
    rows = ["| model | sampler | " + " | ".join(h for _, h, _ in declared) + " |",
            "| --- | --- |" + " --- |" * len(declared)]
    for model, name in _models(root):
        found = _read(root, "generation", model)
        for sampler in SAMPLERS:
            cells = " | ".join(_number(found[sampler.name][m], d) for m, d in columns)
            rows.append(f"| {name.split(' (γ')[0]} | {row_label(sampler.name, found.get(CHOSEN, {}))} | {cells} |")
    real = json.loads((root / "metrics" / "judge.json").read_text())["real"]
    rows.append("| real digits | validation vs evaluation | "
                + " | ".join(_number(real.get(m), d) for m, d in columns) + " |")
    return "\n".join(rows) + "\n"


def _signed(value: float, digits: int = 3) -> str:
    return f"{value:+.{digits}f}".replace("-", "−")


def _compared(label: str, found: dict) -> str:
    """``silhouette +0.027 [+0.023, +0.031]``: a measure's difference and interval (positive favours the claim)."""
    return f"{label} {_signed(found['difference'])} [{_signed(found['low'])}, {_signed(found['high'])}]"


def claims_table(root: Path = ROOT) -> str:
    """docs/findings.md's verdicts: a row a claim of ``metrics/claims.json`` (the original's, by section, then
    this study's), its sentence, verdict and, for each comparison, the deciding measure's difference with its
    interval, then each agreement measure's difference and verdict."""
    from latentspace.measures.families import measures

    labels = {name: m.label for name, m in measures().items()}
    claims = json.loads((root / "metrics" / "claims.json").read_text())
    rows = ["| section | the sentence | verdict (default run) | deciding numbers (first measure; agreement) |",
            "| --- | --- | --- | --- |"]
    for claim in claims.values():
        numbers = []
        for comparison, measured in claim["comparisons"].items():
            first = _compared(labels[claim["measure"]], measured[claim["measure"]])
            agreeing = [f"{_compared(labels[m], measured[m])} {measured[m]['verdict']}"
                        for m in claim.get("agreement", {}) if m in measured]
            numbers.append(f"{comparison}: {first}" + (f" ({'; '.join(agreeing)})" if agreeing else ""))
        sentence = claim["sentence"].replace("|", "\\|")
        sentence = f'"{sentence}"' if claim["section"] else sentence  # the original's words are quoted
        rows.append(f"| {claim['section'] or 'this study'} | {sentence} | **{claim['verdict']}** | "
                    f"{'<br>'.join(numbers)} |")
    return "\n".join(rows) + "\n"


TABLES = (readme_table, losses_table, likelihood_table, claims_table, separation_table, generation_table)


def main(argv=None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    sys.stdout.write("\n".join(table() for table in TABLES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
