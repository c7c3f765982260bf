"""``python -m bench [--sizes 100k,1m,10m] [--check]``: see ``bench.run``."""

import sys

from bench.run import main

sys.exit(main())
