"""The verdicts: ``contrasts`` (paired differences between models and samplers), ``verdicts`` (the rules),
``original_claims`` (the original's claims and this study's), ``original`` (the original study's numbers)."""
