"""What every stage shares: ``schema`` (params.yaml's sections as frozen dataclasses, their keys' rules),
``params`` (the file read and validated, a stage's declared keys), ``limits`` (what a value implies for this
machine and these digits), ``outputs`` (atomic files), ``stage`` (a stage's declaration, command line and
exit), ``errors``, ``names`` (model titles), ``machine`` (the CPU and versions)."""
