"""What is measured of the codes, each family registered: ``registry`` (what a measure and a family are),
``families`` (the families, in order), ``sides`` (what a comparison compares), ``replicated`` (values kept
with their bootstrap replicates), ``bootstrap``, ``manifold`` (a set's k-nearest-neighbour balls); the families
and their stages' measurements: ``separation``, ``units``, ``prior_gap``, ``likelihood``, ``sample_quality``
(with ``coverage``: density and coverage of Naeem et al.), ``copying`` (whether draws are copies of
training digits: Meehan et al.'s copy score and C_T, Alaa et al.'s authenticity), ``generation`` (the generation
stage's measurements), ``holes`` (the prior's mass outside the codes' manifold), ``judge`` (the digit classifier),
``fidelity`` (with ``identification``: a reconstruction told apart from distractor digits by the pixels),
``analysis`` (centroids, interpolations, t-SNE), ``factors`` (the digits' measured shape)."""
