"""The ``asnkit generate`` subcommand: the DMS associations of a pool, written as files.

.. code-block:: console

    $ asnkit generate pool.csv -o associations/ --version-id 20250101t000000
    $ asnkit generate pool.csv -o out/ -i o001 c1000 --rules level3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["RULE_SETS", "register", "rule_set", "run_generate"]

#: The names ``--rules`` takes (also ``asnkit generate-many --rules``).
RULE_SETS = ("level2", "level3", "all")


def rule_set(name: str) -> tuple:
    """The DMS rules a ``--rules`` name stands for."""
    from asnkit.rules import dms_level2b, dms_level3, dms_rules

    return tuple({"level2": dms_level2b, "level3": dms_level3, "all": dms_rules}[name]())


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the ``asnkit`` parser."""
    parser = subparsers.add_parser(
        "generate",
        help="generate the DMS associations of a pool (as asn_generate)",
        description=(
            "Generate the standard DMS Level 2b and Level 3 associations of a pool, "
            "the same as jwst's asn_generate (default: every candidate plus the "
            "discovered associations), and write one JSON file per association."
        ),
    )
    parser.add_argument("pool", type=Path, help="the association pool file")
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("."), help="folder to write to (created)"
    )
    parser.add_argument(
        "--version-id",
        nargs="?",
        const=True,
        default=None,
        help="version stamp in file names; without a value, the current UTC time",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "-i", "--ids", nargs="+", metavar="ID", help="only these candidates (o001, c1000...)"
    )
    mode.add_argument(
        "--all-candidates", action="store_true", help="only the associations of every candidate"
    )
    mode.add_argument("--discover", action="store_true", help="only discovered associations")
    parser.add_argument(
        "--rules", choices=RULE_SETS, default="all", help="which DMS rule set (default: all)"
    )
    parser.add_argument(
        "--save-orphans", type=Path, metavar="FILE", help="write the rows no association took"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.set_defaults(run=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    """Run ``asnkit generate``; return the exit status."""
    from asnkit.generation.generate import run_generation
    from asnkit.pool.read import read_pool

    rules = rule_set(args.rules)
    if args.save_orphans and args.save_orphans.exists() and not args.overwrite:
        raise FileExistsError(f"{args.save_orphans} exists (use --overwrite to replace it)")
    pool = read_pool(args.pool)
    discover = args.discover or (not args.all_candidates and not args.ids)
    all_candidates = args.all_candidates or (not args.discover and not args.ids)
    asns, used = run_generation(
        pool,
        rules,
        candidates=args.ids,
        discover=discover,
        all_candidates=all_candidates,
        version_id=args.version_id,
    )
    output: Path = args.output
    asns.write(output, overwrite=args.overwrite)  # refuses existing files, naming them
    if args.save_orphans:
        from asnkit.engine.generate import orphan_rows
        from asnkit.pool.write import write_pool

        write_pool(orphan_rows(pool, used), args.save_orphans, overwrite=args.overwrite)
    print(f"{len(asns)} associations written to {output}", file=sys.stderr)
    return 0
