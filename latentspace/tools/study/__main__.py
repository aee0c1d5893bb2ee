"""``python3 -m latentspace.tools.study``: :mod:`latentspace.tools.study.cli`."""
import sys

from latentspace.tools.study.cli import main

sys.exit(main())
