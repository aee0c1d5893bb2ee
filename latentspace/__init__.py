"""The library behind the latent-space study's DVC stages. Importing the package imports nothing heavy.

- Inputs: ``schema`` (params.yaml's sections as frozen dataclasses, their keys' rules), ``params`` (the
  file read and validated, a stage's declared keys), ``limits`` (what a value implies for this machine
  and these digits), ``sources`` and ``idx`` (where the digits come from), ``data`` (their splits and
  file), ``original`` (the original study's numbers).
- Models and training: ``models`` (Keras functional API), ``losses`` and ``loss_terms``, ``training``,
  ``checkpoints`` (resumable training), ``runtime`` (the Keras runtime), ``machine`` (the CPU and
  versions), ``curves`` (training-curve files), ``judge`` (the digit classifier).
- Measures: ``measures`` (what a measure and a family of measures are), ``families`` (the families, in
  order), ``sides`` (what a comparison compares), ``replicated`` (values kept with their bootstrap
  replicates), ``analysis`` (centroids, interpolations, t-SNE),
  ``bootstrap``, ``separation``, ``units``, ``prior_gap``, ``likelihood``, ``samplers``,
  ``sample_quality``, ``generation`` (the generation stage's measurements), ``fidelity``,
  ``morphometrics``, ``disentanglement``, ``traversals``, ``factor_effects``, ``factors`` (the factors
  stage's measurements).
- Verdicts: ``contrasts`` (paired differences), ``verdicts`` (the rules), ``claims`` (the original's
  claims and this study's).
- Outputs: ``outputs`` (atomic files), ``stage`` (a stage's declaration, command line and exit), ``errors``,
  ``names`` (model titles), ``plotting``, ``comparison`` (side-by-side figures), ``page_parts`` (what
  every page shares), ``report`` (the page), ``report_claims`` and ``report_sections`` (its parts), ``explorer``.
- ``tools``: the commands over many runs (no stage imports them).
"""
