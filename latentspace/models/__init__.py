"""The auto-encoders: ``architectures`` (Keras functional API, as the paper draws them), ``losses`` and
``loss_terms``, ``training``, ``checkpoints`` (resumable training), ``runtime`` (the Keras runtime),
``curves`` (training-curve files), ``samplers`` (the ways to draw codes)."""
