"""The ``asnkit explain`` subcommand: why an exposure is (not) in each association.

.. code-block:: console

    $ asnkit explain pool.csv jw_00001_uncal.fits
    $ asnkit explain pool.csv jw_00001_uncal.fits --rules level3 --not-taken
    $ asnkit explain pool.csv --orphans
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register", "run_explain"]

_RULE_SETS = ("level2", "level3", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``asnkit explain`` to the ``asnkit`` parser."""
    parser = subparsers.add_parser(
        "explain",
        help="why an exposure is (not) in each association",
        description=(
            "For each exposure named: the associations it joined (rule and role), and for "
            "every other DMS rule the first condition that failed (column, value, value "
            "required) or why its association was dropped at finalize. With --orphans: "
            "every exposure no association took, with its reason."
        ),
    )
    parser.add_argument("pool", type=Path, help="the association pool file")
    parser.add_argument("files", nargs="*", metavar="FILE", help="exposure file name(s)")
    parser.add_argument(
        "--rules", choices=_RULE_SETS, default="all", help="which DMS rule set (default: all)"
    )
    parser.add_argument(
        "--orphans", action="store_true", help="list the exposures no association took"
    )
    parser.add_argument(
        "--not-taken",
        action="store_true",
        help="show only why rules did not take the exposure (no joined list)",
    )
    parser.set_defaults(run=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    """Run ``asnkit explain``; return the exit status (1 if a file is not in the pool)."""
    from asnkit.generation.explain import Outcome, explain, orphans
    from asnkit.pool.read import read_pool
    from asnkit.rules import dms_level2b, dms_level3, dms_rules

    if not args.files and not args.orphans:
        print("asnkit explain: error: name at least one FILE, or use --orphans", file=sys.stderr)
        return 2
    rules = list({"level2": dms_level2b, "level3": dms_level3, "all": dms_rules}[args.rules]())
    pool = read_pool(args.pool)
    status = 0
    for name in args.files:
        try:
            why = explain(pool, name, rules=rules)
        except KeyError as exc:
            print(f"asnkit explain: error: {exc.args[0]}", file=sys.stderr)
            status = 1
            continue
        text = str(why)
        if args.not_taken:
            missed = [r for r in why.results if r.outcome is not Outcome.JOINED]
            lines = [f"{r.rule}: {r.reason}" for r in missed]
            text = "\n".join([text.splitlines()[0], *lines])
        print(text)
        print()
    if args.orphans:
        table = orphans(pool, rules=rules)
        if table.empty:
            print("every exposure is in an association")
        for label, row in table.iterrows():
            print(f"{label}\t{row['filename']}\t{row['exp_type']}\t{row['reason']}")
    return status
