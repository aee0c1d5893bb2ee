"""The library behind the latent-space study's DVC stages.

Modules: ``params`` (schema, a stage's declared keys), ``data`` and ``idx`` (digits), ``models``
and ``losses`` (Keras), ``training``, ``curves`` (training-curve files), ``analysis``,
``plotting``, ``names`` (model titles), ``original`` (the original study's numbers), ``report``,
``outputs`` (atomic files), ``errors``. Importing the package imports nothing heavy.
"""
