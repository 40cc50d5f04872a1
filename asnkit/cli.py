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
import atexit
import gc
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence

__all__ = ["COMMAND_MODULES", "ISSUES_URL", "build_parser", "main", "run"]

#: Modules that add subcommands (in the order ``--help`` lists them), and the
#: subcommands each adds (a test checks them against what ``register`` adds).
COMMAND_MODULES = {
    "asnkit.pool.commands": ("summary", "pool"),
    "asnkit.generation.commands": ("generate", "explain"),
    "asnkit.documents.commands": ("validate", "from-list", "edit", "diff"),
    "asnkit.documents.check_commands": ("check",),
    "asnkit.batch.commands": ("generate-many",),
}


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand an argument list runs (its first word not an option), if it is one.

    None when an option other than ``-v``/``--verbose`` comes first (``--help``,
    ``--version``...): the whole parser answers those, as it does an unknown command.

    >>> command_of(["-vv", "generate", "pool.csv"]), command_of(["--help", "generate"])
    ('generate', None)
    >>> command_of(["x"]), command_of([])
    (None, None)
    """
    for word in argv:
        if word.startswith("-"):  # the main parser's options take no values
            if word == "--verbose" or (len(word) > 1 and set(word[1:]) == {"v"}):
                continue
            return None
        return word if any(word in names for names in COMMAND_MODULES.values()) else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand, or only those of ``command``'s module.

    A parser for one command parses that command's arguments as the whole
    parser does (and prints the same help for it); it spares importing and
    building the other commands.
    """
    from asnkit.errors import exit_status_help
    from asnkit.version import __version__

    parser = argparse.ArgumentParser(
        prog="asnkit",
        description=(
            "JWST association pools and associations: read and summarise pools, "
            "generate the standard DMS associations (as asn_generate does), build, "
            "validate, edit and compare association files."
        ),
        epilog="Run 'asnkit COMMAND --help' for the options of a command. "
        + exit_status_help(
            "when the answer is no (diff: something differs; check: an error finding; "
            "validate: a file is invalid; generate-many: a pool failed)"
        ),
    )
    parser.add_argument("--version", action="version", version=f"asnkit {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, commands in COMMAND_MODULES.items():
        if command is None or command in commands:
            importlib.import_module(name).register(subparsers)
    return parser


def _warning_printer(command: str):
    """A ``warnings.showwarning`` for the command line: one plain line per warning."""

    from asnkit.errors import command_line_words

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"asnkit {command}: warning: {command_line_words(str(message))}", file=sys.stderr)

    return show


#: Where to report a bug (printed with unexpected internal errors).
ISSUES_URL = "https://github.com/asnkit/asnkit/issues"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (an :class:`~asnkit.errors.ExitStatus`).

    Every failure is reported as ``asnkit COMMAND: error: ...`` on standard
    error, never as a traceback, with the same statuses for every command: 2
    (``TROUBLE``) for bad usage, bad input, missing or unreadable files and
    refused writes, 3 (``BUG``) for an internal error (with how to report
    it), 130 when interrupted. 1 (``FOUND``) is only ever a command's answer
    ("they differ", "an error finding", "a file is invalid", "a pool
    failed"), never an error.
    """
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_of(words))
    args = parser.parse_args(words)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    handler = logging.StreamHandler()
    # The handler filters too: libraries that set their own loggers' levels (dask's
    # distributed logs at INFO) would otherwise print past the level asked for.
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    from asnkit.errors import (
        AssociationError,
        AssociationWarning,
        ExitStatus,
        PoolError,
        PoolWarning,
        command_line_message,
    )

    if not getattr(args, "run", None):
        parser.print_help()
        return ExitStatus.TROUBLE

    prefix = f"asnkit {args.command}: error:"
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(args.command)
            for category in (PoolWarning, AssociationWarning):  # always say what was kept
                warnings.simplefilter("always", category)
            return int(args.run(args) or 0)
    except BrokenPipeError:  # before OSError, which it is
        # The reader went away (``asnkit summary pool.csv | head``): stop quietly,
        # and keep Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitStatus.BROKEN_PIPE
    except (PoolError, AssociationError, OSError) as exc:
        print(f"{prefix} {command_line_message(exc)}", file=sys.stderr)
        return ExitStatus.TROUBLE
    except KeyboardInterrupt:
        print(f"asnkit {args.command}: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except MemoryError:
        print(f"{prefix} out of memory", file=sys.stderr)
        return ExitStatus.TROUBLE
    except Exception as exc:
        logging.getLogger("asnkit").debug("internal error", exc_info=True)
        print(
            f"{prefix} internal error ({type(exc).__name__}: {_one_line(exc)}). This is a bug "
            f"in asnkit: please report it at {ISSUES_URL} with the command line, the output "
            "of 'asnkit --version' and the input files if you can share them "
            "(run with -vv to see the traceback).",
            file=sys.stderr,
        )
        return ExitStatus.BUG


def run(argv: Sequence[str] | None = None) -> None:
    """The ``asnkit`` program (and ``python -m asnkit``): :func:`main`, then exit.

    Exits with :func:`main`'s status without tearing the interpreter down:
    once everything is written and flushed, freeing every object one by one
    and collecting the garbage of pandas, numpy and the run (100-250 ms of CPU
    after ``asnkit generate`` on a large pool, about as long as writing its
    files) changes nothing the user can see. The exit handlers registered
    meanwhile still run first (last registered, first run), threads are
    joined as usual, logging is shut down and standard output and error are
    flushed; a status that is not a number (or an exception that escaped),
    or a process measured by ``coverage`` (whose exit handler was registered
    before this one), exits the usual way. Called in-process, use
    :func:`main`: it returns.
    """
    status: list[object] = [None]
    atexit.register(_exit_now, status)  # runs after every handler registered later
    if command_of(sys.argv[1:] if argv is None else argv) == "generate":
        # One pool, one run, then the program ends: a run leaves no reference cycles
        # (tests/test_engine_cycles.py) and writing makes almost none, so the cyclic
        # collector's scans of all the run made would free nothing (10-20 ms on
        # mega_pool). Other commands (generate-many: many runs) keep it.
        gc.disable()
    try:
        status[0] = main(argv)
    except SystemExit as exc:  # --help, --version, usage errors (argparse)
        status[0] = 0 if exc.code is None else exc.code
        raise
    sys.exit(status[0])


def _exit_now(status: list[object]) -> None:
    """At exit: flush what is buffered and end the process with ``status[0]``, if a number."""
    code = status[0]
    if not isinstance(code, int) or isinstance(code, bool):
        return  # an escaped exception, or a message as status: the interpreter's usual way
    if "coverage" in sys.modules:  # measured: coverage saves its data at exit, registered first
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            pass
    os._exit(code & 0xFF if code >= 0 else 1)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."


if __name__ == "__main__":  # pragma: no cover
    run()
