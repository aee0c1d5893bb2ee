"""Verdicts over seeds: the original's claims decided by the spread of repeated runs (no TensorFlow).

One run's verdicts (``metrics/claims.json``) cover the evaluation digits but not the training's
randomness. Repeat the study over seeds as DVC experiments (docs/sweeps.md, "Seeds"), then::

    python3 -m latentspace.tools.over_seeds [--level 0.95] [--json FILE]

reads ``dvc exp show --json`` (:mod:`latentspace.tools.experiments`), groups the runs of one commit
(an experiment's baseline, a commit's own, the workspace's ``HEAD``: runs of different commits may
differ in code, so they never pool) whose params differ only in ``seed``, and for each group of two or
more seeds decides every comparison again from the differences of the runs: their mean, with a
Student-t interval over the seeds, judged by the same rule and by the margins of the group's params
(``claims.margins``; :func:`latentspace.claims.verdict`). Prints a Markdown table a group.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ..claims import INCONCLUSIVE, overall, verdict
from .experiments import FINISHED, ExperimentsError, all_runs, exp_show, head_commit
from .folders import FolderError, check_file, write_file

CLAIMS_FILE = "metrics/claims.json"


def runs(shown: list, head: str | None = None) -> list[dict]:
    """``{"name", "commit", "params", "claims"}`` of every finished run in ``dvc exp show --json``'s output
    (workspace, commits and their experiments) that has a claims file; ``params`` flattened to dotted keys,
    ``commit`` the SHA of the commit whose code it ran (``head``: the workspace's; see
    :func:`~latentspace.tools.experiments.all_runs`)."""
    return [{"name": run["name"], "commit": run["commit"], "params": run["params"],
             "claims": run["files"][CLAIMS_FILE]}
            for run in all_runs(shown, head)
            if run["state"] in FINISHED and run["params"] and run["files"].get(CLAIMS_FILE)]


def seed_groups(found: list[dict]) -> list[list[dict]]:
    """Runs grouped by their ``commit`` and every param but ``seed``, one run a seed, groups of two or more
    seeds only: runs of different commits never pool, whatever their params."""
    groups: dict[str, dict] = {}
    for run in found:
        key = json.dumps([run["commit"], {k: v for k, v in run["params"].items() if k != "seed"}], sort_keys=True)
        groups.setdefault(key, {}).setdefault(run["params"]["seed"], run)  # a seed run twice counts once
    return [list(by_seed.values()) for by_seed in groups.values() if len(by_seed) > 1]


def margins(group: list[dict]) -> dict[str, float]:
    """``{measure: margin}`` from the group's params (``claims.margins.<measure>``), which its runs share."""
    shared = {k.rsplit(".", 1)[1]: v for k, v in group[0]["params"].items() if k.startswith("claims.margins.")}
    for run in group[1:]:
        if {k.rsplit(".", 1)[1]: v for k, v in run["params"].items() if k.startswith("claims.margins.")} != shared:
            raise ValueError(f"the runs {group[0]['name']} and {run['name']} differ in claims.margins: not one group")
    return shared


def student_t(level: float, freedom: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2.0, freedom))


def decide(group: list[dict], level: float) -> dict:
    """``{claim: {"verdict", "seeds", comparison: {measure: {mean, low, high, verdict, differences}}}}``."""
    margin = margins(group)
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
                said = verdict(mean, mean - half, mean + half, margin.get(measure, 0.0))
                entry.setdefault(pair, {})[measure] = {"mean": mean, "low": mean - half, "high": mean + half,
                                                       "verdict": said, "differences": differences}
                verdicts.append(said)
        entry["verdict"] = overall(verdicts) if verdicts else INCONCLUSIVE
        result[claim] = entry
    return result


def table(decided: dict, seeds: list, commit: str | None = None, setting: str = "") -> str:
    """A Markdown table of :func:`decide`'s verdicts, headed by the seeds, the commit and the params that set the
    group apart (``setting``)."""
    where = "".join([f" of commit {commit[:7]}" if commit else "", f" ({setting})" if setting else ""])
    lines = [f"Seeds {', '.join(str(s) for s in seeds)}{where}:", "",
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
        if args.json:
            check_file(args.json, "--json")  # before dvc exp show: a wrong path fails at once
        shown = exp_show([])
    except (ExperimentsError, FolderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    groups = seed_groups(runs(shown, head_commit()))
    if not groups:
        print("no runs of one commit that differ only in seed: queue some (docs/sweeps.md, \"Seeds\") and run them first", file=sys.stderr)
        return 1
    varying = _varying([group[0] for group in groups])
    decided = []
    for group in groups:
        seeds = [run["params"]["seed"] for run in group]
        setting = ", ".join(f"{k}={group[0]['params'].get(k)}" for k in varying)
        decided.append({"seeds": seeds, "runs": [run["name"] for run in group], "commit": group[0]["commit"],
                        "claims": decide(group, args.level)})
        print(table(decided[-1]["claims"], seeds, group[0]["commit"], setting) + "\n")
    if args.json:
        try:
            write_file(args.json, json.dumps(decided, indent=2) + "\n", "--json")
        except (FolderError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


def _varying(found: list[dict]) -> list[str]:
    """The param keys (``seed`` aside) whose value differs between ``found`` (or that some run lacks)."""
    keys = list(dict.fromkeys(key for run in found for key in run["params"] if key != "seed"))
    return [key for key in keys if len({json.dumps(run["params"].get(key), sort_keys=True) for run in found}) > 1]


if __name__ == "__main__":
    sys.exit(main())
