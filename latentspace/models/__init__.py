"""The auto-encoders: ``architectures`` (Keras functional API, as the paper draws them), ``losses`` and
``loss_terms``, ``training``, ``checkpoints`` (resumable training), ``runtime`` (the Keras runtime),
``curves`` (training-curve files), ``samplers`` (the ways to draw codes), ``fits`` (a sampler fitted to a
model's codes, as the samplers stage fits it), ``density_fit`` (the trained samplers' fit loop), ``flows`` (the
RealNVP sampler), ``two_stage`` (the second-stage VAE sampler), ``vamp`` (the VampPrior's Keras layers)
and ``priors`` (the VampPrior in NumPy: its density and draws)."""
