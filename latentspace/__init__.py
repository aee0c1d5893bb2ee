"""The library behind the latent-space study's DVC stages.

Modules: ``params`` (schema), ``data`` and ``idx`` (digits), ``models`` and ``losses`` (Keras),
``training``, ``analysis``, ``plotting``, ``report``, ``outputs`` (atomic files), ``layout``
(paths), ``errors``. Importing the package imports nothing heavy.
"""
