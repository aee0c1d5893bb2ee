"""The commands over many runs, each ``python3 -m latentspace.tools.NAME`` (no TensorFlow at import):

- :mod:`~latentspace.tools.sweep`: one page comparing DVC experiments and branches (its parts: ``sweep_runs``,
  what it compares; ``sweep_page``, the page);
- :mod:`~latentspace.tools.over_seeds`: the original's claims decided again from the spread over seeds;
- :mod:`~latentspace.tools.benchmark`: how close each part of the pipeline is to the machine's limit (its parts:
  ``benchmark_limits``, the machine's peak and training; ``benchmark_runs``, the pipeline's runs; the
  browser's part through :mod:`~latentspace.tools.browser`);
- ``study``: the study over a grid of datasets × sizes × seeds, a package of its own (its parts: ``grid``,
  ``records``, ``matrix``, ``pages``, ``slurm``; one holder at a time: ``lock``);
- :mod:`~latentspace.tools.pipeline`: dvc.yaml, written from each stage script's declaration and imports;
- :mod:`~latentspace.tools.deps`: what a script imports of the project, transitively (each stage's code deps);
- :mod:`~latentspace.tools.headline`: the default run's tables as docs/findings.md and the other docs show them.

The first two read ``dvc exp show --json`` through :mod:`~latentspace.tools.experiments`; every one
writes through :mod:`~latentspace.tools.folders` (a folder it owns, never the repository or a folder with
files it did not write; a new file, or one of its own outputs, not in ``.git`` or ``.dvc``). No stage imports this package: it reads what
the pipeline wrote, and changing it reruns nothing.
"""
