"""The study over a grid of datasets × sizes × seeds, ``python3 -m latentspace.tools.study``: ``cli`` (the
command), ``grid`` (study.yaml's points), ``records`` (a point's record), ``matrix`` (verdicts over seeds),
``pages`` (the study's pages), ``slurm`` (points run as SLURM jobs); one holder at a time: ``lock``."""
