"""The library behind the latent-space study's DVC stages, in layers: each subpackage imports only those
above it in this list (tests/test_imports.py holds it), and importing the package imports nothing heavy.

- ``core``: params.yaml's schema and reader, atomic outputs, errors, the stage declaration, the machine.
- ``data``: the digits: where they come from, the IDX files, the splits.
- ``models``: the architectures (Keras functional API), their losses, training, checkpoints, samplers.
- ``measures``: every measure family, registered (separation, generation, fidelity, likelihood, units,
  the prior gap; ``factors``: morphometrics, disentanglement, traversals).
- ``claims``: paired contrasts, the verdict rules, the original's claims and numbers.
- ``pages``: the report, its figures, the model comparison, the explorer's data.
- ``tools``: the commands over many runs (no stage imports them).
"""
