"""The digits: ``sources`` (where they come from), ``idx`` (MNIST's IDX files), ``digits`` (their splits
and the dataset file)."""
