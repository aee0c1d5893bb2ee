"""The verdicts: ``contrasts`` (paired differences between models and samplers), ``verdicts`` (the rules, their
hypotheses and α), ``sentences`` (the original's sentences as claims, and this study's own), ``original_claims``
(deciding them), ``original`` (the original study's numbers)."""
