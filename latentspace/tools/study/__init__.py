"""The study over a grid of datasets × sizes × seeds, ``python3 -m latentspace.tools.study``: ``cli`` (the
command), ``grid`` (study.yaml's points), ``records`` (a point's record), ``instruments`` (the judge and digits a point was measured with: only the
same pool), ``matrix`` (verdicts over seeds),
``pages`` (the study's pages), ``plan`` (the seeds a verdict needs), ``slurm`` (points run as SLURM jobs); one holder at a time: ``lock``."""
