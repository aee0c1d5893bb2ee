"""Stage claims: a verdict on each of the original study's claims (and this study's own) from this run's contrasts (no TensorFlow).

The claims, their sentences and rules are in latentspace/claims/sentences.py (the rules in latentspace/claims/verdicts.py);
the numbers are ``--contrasts`` (the contrasts stage's paired bootstrap differences); each measure
counts only beyond ``claims.margins``. Out ``--metrics``: {claim: {"verdict", "section", "kind", "sentence" (quoted),
"rule", "hypotheses", "alpha" (each one-sided test's level), "measure", "agreement": {measure: verdict},
"comparisons": {"<a> vs <b>": {measure: {difference, low, high, sd, verdict}}}}}.
"""

import sys

from latentspace.core import params
from latentspace.core.stage import Stage, dep, metric, parse, stage_main
from latentspace.core.outputs import read_json, write_json


STAGE = Stage({
    "--contrasts": dep("metrics/contrasts.json"),
    "--metrics": metric("metrics/claims.json"),
}, ("models", "claims", "bootstrap.level"))


@stage_main
def main():
    args = parse(STAGE, __doc__)
    p = params.for_stage()
    from latentspace.claims import original_claims as claims

    verdicts = claims.decide_all(read_json(args.contrasts), claims.margins(p.section("claims.margins")), p.models(),
                                 p["bootstrap.level"])
    write_json(args.metrics, verdicts)
    for key, result in verdicts.items():
        print(f"{key}: {result['verdict']}")
    for key, missing in claims.left_out(p.models()).items():
        print(f"{key}: not tested: no model section {', '.join(missing)} in params.yaml's models", file=sys.stderr)


if __name__ == "__main__":
    main()
