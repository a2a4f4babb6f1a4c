"""`python -m bgsearch.server`: `bgsearch serve` on its own."""

import sys

from .cli import main

sys.exit(main())
