"""The ``asnkit`` command line.

Each area of asnkit contributes its subcommands from a ``commands`` module
with a ``register(subparsers)`` function; this module only assembles them.

Examples
--------
.. code-block:: console

    $ asnkit summary pool.csv
    $ asnkit generate pool.csv -o associations/ --version-id 20250101t000000
    $ asnkit validate associations/*.json
    $ asnkit check associations/*.json --pool pool.csv
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: Modules that add subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "asnkit.pool.commands",
    "asnkit.generation.commands",
    "asnkit.generation.explain_commands",
    "asnkit.documents.commands",
    "asnkit.documents.check_commands",
    "asnkit.batch.commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from asnkit.version import __version__

    parser = argparse.ArgumentParser(
        prog="asnkit",
        description=(
            "JWST association pools and associations: read and summarise pools, "
            "generate the standard DMS associations (as asn_generate does), build, "
            "validate, edit and compare association files."
        ),
        epilog="Run 'asnkit COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"asnkit {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _warning_printer(command: str):
    """A ``warnings.showwarning`` for the command line: one plain line per warning."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"asnkit {command}: warning: {message}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    from asnkit.errors import AssociationError, AssociationWarning, PoolError, PoolWarning

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(args.command)
            for category in (PoolWarning, AssociationWarning):  # always say what was kept
                warnings.simplefilter("always", category)
            return int(args.run(args) or 0)
    except (PoolError, AssociationError, FileNotFoundError, FileExistsError) as exc:
        print(f"asnkit {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``asnkit summary pool.csv | head``): stop quietly,
        # and keep Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
