"""Verdicts over seeds: the original's claims decided by the spread of repeated runs (no TensorFlow).

One run's verdicts (``metrics/claims.json``) cover the evaluation digits but not the training's
randomness. Repeat the study over seeds as DVC experiments (README, "Seeds"), then::

    python3 -m latentspace.tools.over_seeds [--level 0.95] [--json FILE]

reads ``dvc exp show --json`` (:mod:`latentspace.tools.experiments`), groups the runs whose params
differ only in ``seed``, and for each group of two or more seeds decides every comparison again from
the differences of the runs: their mean, with a Student-t interval over the seeds, judged by the same
rule and margins (:func:`latentspace.claims.verdict`). Prints a Markdown table a group.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ..claims import INCONCLUSIVE, overall, verdict
from .experiments import FINISHED, ExperimentsError, all_runs, exp_show

CLAIMS_FILE = "metrics/claims.json"


def runs(shown: list) -> list[dict]:
    """``{"name", "params", "claims"}`` of every finished run in ``dvc exp show --json``'s output (workspace,
    commits and their experiments) that has a claims file; ``params`` flattened to dotted keys."""
    return [{"name": run["name"], "params": run["params"], "claims": run["files"][CLAIMS_FILE]}
            for run in all_runs(shown)
            if run["state"] in FINISHED and run["params"] and run["files"].get(CLAIMS_FILE)]


def seed_groups(found: list[dict]) -> list[list[dict]]:
    """Runs grouped by every param but ``seed``, one run a seed, groups of two or more seeds only."""
    groups: dict[str, dict] = {}
    for run in found:
        key = json.dumps({k: v for k, v in run["params"].items() if k != "seed"}, sort_keys=True)
        groups.setdefault(key, {}).setdefault(run["params"]["seed"], run)  # a seed run twice counts once
    return [list(by_seed.values()) for by_seed in groups.values() if len(by_seed) > 1]


def student_t(level: float, freedom: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2.0, freedom))


def decide(group: list[dict], level: float) -> dict:
    """``{claim: {"verdict", "seeds", comparison: {measure: {mean, low, high, verdict, differences}}}}``."""
    margins = {k.rsplit(".", 1)[1]: v for k, v in group[0]["params"].items() if k.startswith("claims.margins.")}
    result = {}
    for claim in group[0]["claims"]:
        if not all(claim in run["claims"] for run in group):
            continue
        entry, verdicts = {"seeds": len(group)}, []
        for pair, measures in group[0]["claims"][claim].items():
            if pair == "verdict":
                continue
            for measure in measures:
                differences = [run["claims"][claim][pair][measure]["difference"] for run in group]
                n = len(differences)
                mean = sum(differences) / n
                spread = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
                half = student_t(level, n - 1) * spread / math.sqrt(n)
                said = verdict(mean, mean - half, mean + half, margins.get(measure, 0.0))
                entry.setdefault(pair, {})[measure] = {"mean": mean, "low": mean - half, "high": mean + half,
                                                       "verdict": said, "differences": differences}
                verdicts.append(said)
        entry["verdict"] = overall(verdicts) if verdicts else INCONCLUSIVE
        result[claim] = entry
    return result


def table(decided: dict, seeds: list) -> str:
    """A Markdown table of :func:`decide`'s verdicts."""
    lines = [f"Seeds {', '.join(str(s) for s in seeds)}:", "",
             "| claim | verdict | comparison | measure | mean difference [interval] | says |", "| --- | --- | --- | --- | --- | --- |"]
    for claim, entry in decided.items():
        for pair, measures in entry.items():
            if pair in ("verdict", "seeds"):
                continue
            for measure, m in measures.items():
                lines.append(f"| {claim} | {entry['verdict']} | {pair} | {measure} | "
                             f"{m['mean']:+.4g} [{m['low']:+.4g}, {m['high']:+.4g}] | {m['verdict']} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    parser.add_argument("--json", help="also write the verdicts to this file")
    args = parser.parse_args(argv)
    try:
        shown = exp_show([])
    except ExperimentsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    groups = seed_groups(runs(shown))
    if not groups:
        print("no runs that differ only in seed: queue some (README, \"Seeds\") and run them first", file=sys.stderr)
        return 1
    decided = []
    for group in groups:
        seeds = [run["params"]["seed"] for run in group]
        decided.append({"seeds": seeds, "runs": [run["name"] for run in group], "claims": decide(group, args.level)})
        print(table(decided[-1]["claims"], seeds) + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(decided, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
