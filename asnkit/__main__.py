"""``python -m asnkit``: the command line."""

from asnkit.cli import run

run()
