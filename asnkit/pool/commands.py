"""Subcommands of the ``asnkit`` command line for pools: ``summary``, ``pool``."""

from __future__ import annotations

import argparse
import sys

from asnkit.errors import ExitStatus, exit_status_help

__all__ = ["register", "run_pool", "run_summary"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the ``asnkit`` parser."""
    summary = subparsers.add_parser(
        "summary",
        help="count the exposures of a pool per observation, instrument, mode",
        description=(
            "Read an association pool and print how many exposures it holds per program, "
            "observation, instrument, exposure type and optical element, with their "
            "detectors and association candidates. " + exit_status_help()
        ),
        epilog="example: asnkit summary jw01234_20250101t000000_pool.csv --by obs_num,detector",
    )
    summary.add_argument("pool", metavar="POOL", help="the pool file ('|'-separated text)")
    summary.add_argument(
        "--by",
        metavar="COLUMNS",
        help=(
            "comma-separated columns to group by instead of the default "
            "(e.g. 'obs_num,exp_type,detector'; 'candidate' counts per association candidate)"
        ),
    )
    summary.set_defaults(run=run_summary)

    pool = subparsers.add_parser(
        "pool",
        help="make a pool from exposure files (as jwst's asn_make_pool)",
        description=(
            "Make an association pool from exposure FITS files, one row per file, from "
            "their primary and SCI headers (the data are not read). Columns the headers "
            "lack are filled as the DMS fills them: the observation candidate, target ids, "
            "pntgtype, is_imprt, mostilno, dithptin. " + exit_status_help()
        ),
        epilog="example: asnkit pool data/jw*_cal.fits -o my_pool.csv",
    )
    pool.add_argument("files", nargs="+", metavar="FILE", help="exposure FITS files")
    pool.add_argument("-o", "--output", required=True, metavar="POOL", help="pool file to write")
    pool.add_argument("--overwrite", action="store_true", help="replace the pool file if it exists")
    pool.add_argument(
        "--candidates",
        metavar="LIST",
        help="extra candidates for every exposure, e.g. \"[('c1000', 'background')]\"",
    )
    pool.set_defaults(run=run_pool)


def run_summary(args: argparse.Namespace) -> int:
    """Print the summary table of a pool."""
    import pandas as pd

    from asnkit.pool.read import read_pool
    from asnkit.pool.summary import summary

    pool = read_pool(args.pool)  # warnings are printed by asnkit.cli
    try:
        by = [c.strip() for c in args.by.split(",") if c.strip()] if args.by else None
        table = summary(pool, by=by)
    except KeyError as exc:
        print(f"asnkit summary: error: {exc.args[0]}", file=sys.stderr)
        return ExitStatus.TROUBLE
    with pd.option_context("display.width", 250, "display.max_colwidth", 80):
        print(table.fillna("-").to_string(index=False))
    junk = table.attrs.get("junk_rows", 0)
    note = f" ({junk} junk row{'s' if junk != 1 else ''}, not exposures)" if junk else ""
    exposures = len(pool) - junk
    counted = int(table["exposures"].sum())  # by candidate: an exposure in each of its candidates
    if counted != exposures:
        kind = "candidate" if "candidate_id" in table.columns else "group"
        pairs = f", {counted} exposure-{kind} pairs"
    else:
        pairs = ""
    groups = f"{len(table)} group{'s' if len(table) != 1 else ''}"
    print(f"\n{len(pool)} rows{note}, {exposures} exposures{pairs} in {groups}")
    return ExitStatus.OK


def run_pool(args: argparse.Namespace) -> int:
    """Write the pool made from exposure files."""
    from asnkit.pool.headers import pool_from_files
    from asnkit.pool.write import write_pool

    pool = pool_from_files(args.files, candidates=args.candidates)
    path = write_pool(pool, args.output, overwrite=args.overwrite)  # refused: see asnkit.cli
    print(f"wrote {path}: {len(pool)} exposures, {pool.shape[1]} columns")
    return ExitStatus.OK
