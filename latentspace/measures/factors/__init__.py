"""What a model's units encode, read from the digits' shapes: ``morphometrics`` (Morpho-MNIST's measures),
``disentanglement`` (MIG, DCI, SAP, the factor each unit carries), ``traversals``, ``factor_effects``,
``per_model`` (the factors stage's measurements of one model)."""
