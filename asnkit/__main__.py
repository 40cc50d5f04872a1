"""``python -m asnkit``: the command line."""

import sys

from asnkit.cli import main

sys.exit(main())
