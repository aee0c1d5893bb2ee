"""Verdicts over seeds: the original's claims decided by the spread of repeated runs (no TensorFlow).

One run's verdicts (``metrics/claims.json``) cover the evaluation digits but not the training's
randomness. Repeat the study over seeds as DVC experiments (docs/sweeps.md, "Seeds"), then::

    python3 -m latentspace.tools.over_seeds [--level 0.95] [--json FILE]

reads ``dvc exp show --json`` (:mod:`latentspace.tools.experiments`), groups the runs of one commit
(an experiment's baseline, a commit's own, the workspace's ``HEAD``: runs of different commits may
differ in code, so they never pool) whose params differ only in ``seed``, and for each group of two or
more seeds decides the claims (latentspace/claims/original_claims.py) again from the runs' measurements
(``metrics/contrasts.json``; a run from before it was kept, from the comparisons of its
``metrics/claims.json``) by the one rule over seeds (:data:`latentspace.claims.verdicts.POOLED_RULE`) and
the margins of the group's params (``claims.margins``). Prints a Markdown table a group.
"""

from __future__ import annotations

import argparse
import json
import sys

from latentspace.claims import original_claims
from latentspace.tools.experiments import FINISHED, ExperimentsError, all_runs, exp_show, head_commit
from latentspace.tools.folders import FolderError, check_file, write_file

CONTRASTS_FILE, CLAIMS_FILE = "metrics/contrasts.json", "metrics/claims.json"


def runs(shown: list, head: str | None = None) -> list[dict]:
    """``{"name", "commit", "params", "measurements"}`` of every finished run in ``dvc exp show --json``'s output
    (workspace, commits and their experiments) that has measurements; ``params`` flattened to dotted keys,
    ``commit`` the SHA of the commit whose code it ran (``head``: the workspace's; see
    :func:`~latentspace.tools.experiments.all_runs`)."""
    found = []
    for run in all_runs(shown, head):
        if run["state"] not in FINISHED or not run["params"]:
            continue
        measured = run["files"].get(CONTRASTS_FILE) or original_claims.measured_by_old_claims(run["files"].get(CLAIMS_FILE))
        if measured:
            found.append({"name": run["name"], "commit": run["commit"], "params": run["params"], "measurements": measured})
    return found


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
    shared = original_claims.margins_of(group[0]["params"])
    for run in group[1:]:
        if original_claims.margins_of(run["params"]) != shared:
            raise ValueError(f"the runs {group[0]['name']} and {run['name']} differ in claims.margins: not one group")
    return shared


def decide(group: list[dict], level: float) -> dict:
    """``{claim: {"verdict", …, "seeds", "comparisons": {pair: {measure: {mean, low, high, verdict, differences}}}}}``."""
    margin = margins(group)
    models = list(dict.fromkeys(k.split(".")[1] for k in group[0]["params"] if k.startswith("models.")))
    runs_measured = [run["measurements"] for run in group]
    return {claim.key: {**original_claims.decide_pooled(claim, runs_measured, margin, level), "seeds": len(group)}
            for claim in original_claims.claims(models) if all(m in margin for m in claim.measures)}


def table(decided: dict, seeds: list, commit: str | None = None, setting: str = "") -> str:
    """A Markdown table of :func:`decide`'s verdicts, headed by the seeds, the commit and the params that set the
    group apart (``setting``)."""
    where = "".join([f" of commit {commit[:7]}" if commit else "", f" ({setting})" if setting else ""])
    lines = [f"Seeds {', '.join(str(s) for s in seeds)}{where}:", "",
             "| claim | verdict | comparison | measure | mean difference [interval] | says |", "| --- | --- | --- | --- | --- | --- |"]
    for claim, entry in decided.items():
        for pair, measures in entry["comparisons"].items():
            for measure, m in measures.items():
                numbers = f"{m['mean']:+.4g} [{m['low']:+.4g}, {m['high']:+.4g}]" if "mean" in m else "–"
                lines.append(f"| {claim} | {entry['verdict']} | {pair} | {measure} | {numbers} | {m['verdict']} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    parser.add_argument("--json", help="also write the verdicts to this file")
    args = parser.parse_args(argv)
    if not 0 < args.level < 1:
        parser.error(f"--level {args.level}: must lie strictly between 0 and 1")
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
