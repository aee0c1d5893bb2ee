"""What is measured of the codes, each family registered: ``registry`` (what a measure and a family are),
``families`` (the families, in order), ``sides`` (what a comparison compares), ``replicated`` (values kept
with their bootstrap replicates), ``bootstrap``; the families and their stages' measurements:
``separation``, ``units``, ``prior_gap``, ``likelihood``, ``sample_quality``, ``generation`` (the generation
stage's measurements), ``judge`` (the digit classifier), ``fidelity``, ``analysis`` (centroids,
interpolations, t-SNE), ``factors`` (the digits' measured shape)."""
