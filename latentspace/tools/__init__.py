"""The commands over many runs, each ``python3 -m latentspace.tools.NAME`` (no TensorFlow at import):

- :mod:`~latentspace.tools.sweep`: one page comparing DVC experiments and branches;
- :mod:`~latentspace.tools.over_seeds`: the original's claims decided again from the spread over seeds;
- :mod:`~latentspace.tools.benchmark`: how close each part of the pipeline is to the machine's limit.

The first two read ``dvc exp show --json`` through :mod:`~latentspace.tools.experiments`; every one
writes through :mod:`~latentspace.tools.folders` (a folder it owns, never the repository or a folder with
files it did not write; a file not in ``.git`` or ``.dvc``). No stage imports this package: it reads what
the pipeline wrote, and changing it reruns nothing.
"""
