"""The ``asnkit generate`` and ``asnkit explain`` subcommands.

.. code-block:: console

    $ asnkit generate pool.csv -o associations/ --version-id 20250101t000000
    $ asnkit generate pool.csv -o out/ -i o001 c1000 --rules level3
    $ asnkit explain pool.csv jw_00001_uncal.fits --rules level3 --not-taken
    $ asnkit explain pool.csv --orphans
"""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asnkit.errors import ExitStatus, exit_status_help
from asnkit.rules import RULE_SETS, rule_set

if TYPE_CHECKING:  # pragma: no cover
    from asnkit.pool.coded import CodedPool

__all__ = ["earlier_output", "known_candidates", "register", "run_explain", "run_generate"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``asnkit generate`` and ``asnkit explain`` to the ``asnkit`` parser."""
    parser = subparsers.add_parser(
        "generate",
        help="generate the DMS associations of a pool (as asn_generate)",
        description=(
            "Generate the standard DMS Level 2b and Level 3 associations of a pool, "
            "the same as jwst's asn_generate (default: every candidate plus the "
            "discovered associations), and write one JSON file per association. "
            + exit_status_help()
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
    parser = subparsers.add_parser(
        "explain",
        help="why an exposure is (not) in each association",
        description=(
            "For each exposure named: the associations it joined (rule and role), and for "
            "every other DMS rule the first condition that failed (column, value, value "
            "required) or why its association was dropped at finalize. With --orphans: "
            "every exposure no association took, with its reason. A FILE the pool does not "
            "have is trouble (the others are still explained). " + exit_status_help()
        ),
    )
    parser.add_argument("pool", type=Path, help="the association pool file")
    parser.add_argument("files", nargs="*", metavar="FILE", help="exposure file name(s)")
    parser.add_argument(
        "--rules", choices=RULE_SETS, default="all", help="which DMS rule set (default: all)"
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


def run_generate(args: argparse.Namespace) -> int:
    """Run ``asnkit generate``; return the exit status."""
    from asnkit.dms.identifiers import VERSION_ID
    from asnkit.dms.names import version_timestamp
    from asnkit.generation.run import generated, run
    from asnkit.pool.parse import parse_pool

    rules = rule_set(args.rules)
    version_id = version_timestamp() if args.version_id is True else args.version_id
    if version_id is not None and not VERSION_ID.matches(version_id):
        print(f"asnkit generate: error: --version-id: {VERSION_ID.problem(version_id)}",
              file=sys.stderr)  # fmt: skip
        return ExitStatus.TROUBLE
    output: Path = args.output
    if output.exists() and not output.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder (-o names the output folder)",
                                 str(output))  # fmt: skip
    if args.save_orphans and args.save_orphans.exists() and not args.overwrite:
        raise FileExistsError(f"{args.save_orphans} exists (use --overwrite to replace it)")
    pool = parse_pool(args.pool)  # the pool's columns, without pandas
    unknown = _unknown_candidates(pool, args.ids or [])
    if unknown:  # the library warns and makes nothing; asked by name, it is a mistake
        print(f"asnkit generate: error: {unknown}", file=sys.stderr)
        return ExitStatus.TROUBLE
    discover = args.discover or (not args.all_candidates and not args.ids)
    all_candidates = args.all_candidates or (not args.discover and not args.ids)
    if not args.overwrite:  # refuse before generating, not after
        levels = {rule.level for rule in rules}
        found = earlier_output(output, pool, version_id, levels, args.ids, discover)
        if found:
            more = f" and {len(found) - 1} more" if len(found) > 1 else ""
            raise FileExistsError(
                f"{found[0]}: file exists{more}, from an earlier run{_run_on(found[0], pool)} "
                "(use --overwrite to replace them, or another folder)"
            )
    settings = dict(
        candidates=args.ids,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
    )
    if args.save_orphans:  # the orphans are a question to the whole record
        made = run(pool, rules, **settings)
        asns = made.associations()
    else:  # only the associations: the record keeps no formations (less memory and time)
        asns = generated(pool, rules, complete=False, **settings)[1]
    asns.write(output, overwrite=args.overwrite)  # all or nothing; refuses existing files
    if args.save_orphans:
        from asnkit.pool.write import write_pool

        write_pool(made.orphan_rows(), args.save_orphans, overwrite=args.overwrite)
    print(f"{len(asns)} associations written to {output}", file=sys.stderr)
    return ExitStatus.OK


def _run_on(path: Path, pool: Any) -> str:
    """`` on this pool`` / `` on POOL`` as the file's ``asn_pool`` says; '' if it does not."""
    import json

    try:
        recorded = json.loads(path.read_text(encoding="utf-8")).get("asn_pool")
    except (OSError, ValueError, AttributeError):
        return ""
    if not isinstance(recorded, str) or not recorded.isprintable() or not recorded.strip():
        return ""
    return " on this pool" if recorded == pool.attrs.get("asn_pool") else f" on {recorded}"


def known_candidates(pool: CodedPool) -> list[str]:
    """The ids of the candidates generation makes associations of, in its order.

    Those the ``asn_candidate`` values list; for a pool without that column, the
    observations of ``obs_num`` (as :func:`asnkit.engine.table.build_table` makes them).
    """
    import warnings

    from asnkit.engine.table import build_table, candidates_by_type

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the run that follows gives them)
        return [cid for cid, _ in candidates_by_type(build_table(pool))]


def _unknown_candidates(pool: CodedPool, ids: list[str]) -> str:
    """One line naming the ``-i`` ids the pool has no candidate of (close matches), or ''."""
    if not ids:
        return ""
    from asnkit.errors import close_matches

    known = known_candidates(pool)
    unknown = [i for i in ids if i not in known]
    if not unknown:
        return ""
    name = pool.attrs.get("asn_pool", "the pool")
    parts = []
    for cid in unknown:
        close = close_matches(cid, known, n=4)
        parts.append(f"{cid!r}" + (f" (close matches: {', '.join(close)})" if close else ""))
    n = len(unknown)
    return f"candidate{'s' if n > 1 else ''} {', '.join(parts)} not in {name}"


def run_explain(args: argparse.Namespace) -> int:
    """Run ``asnkit explain``; return the exit status (``TROUBLE`` if a file is not in the pool)."""
    from asnkit.generation.explain import Outcome
    from asnkit.generation.run import run
    from asnkit.pool.read import read_pool

    if not args.files and not args.orphans:
        print("asnkit explain: error: name at least one FILE, or use --orphans", file=sys.stderr)
        return ExitStatus.TROUBLE
    pool = read_pool(args.pool)
    made = run(pool, rule_set(args.rules))
    status = ExitStatus.OK
    for name in args.files:
        try:
            why = made.explain(name)
        except KeyError as exc:
            print(f"asnkit explain: error: {exc.args[0]}", file=sys.stderr)
            status = ExitStatus.TROUBLE
            continue
        text = str(why)
        if args.not_taken:
            missed = [r for r in why.results if r.outcome is not Outcome.JOINED]
            lines = [f"{r.rule}: {r.reason}" for r in missed]
            text = "\n".join([text.splitlines()[0], *lines])
        print(text)
        print()
    if args.orphans:
        table = made.orphans()
        if table.empty:
            print("every exposure is in an association")
        for label, row in table.iterrows():
            print(f"{label}\t{row['filename']}\t{row['exp_type']}\t{row['reason']}")
    return status


def earlier_output(
    folder: Path,
    pool: Any,
    version_id: str | None,
    levels: set[int],
    ids: list[str] | None,
    discover: bool,
) -> list[Path]:
    """Association files in ``folder`` that a generation on ``pool`` would write again.

    Their names have one of the pool's programs, one of its candidate ids (or
    ``ids``; or a discovered ``a3001``-like id), this ``version_id`` and a type
    of one of ``levels``. This is checked before generating, so that a rerun
    without ``--overwrite`` stops at once; the exact check runs again when
    writing.
    """
    if not folder.is_dir():
        return []
    from asnkit.dms.names import format_program, parse_asn_filename
    from asnkit.documents.layout import level_of
    from asnkit.pool.coded import CodedPool, code_frame

    found = []
    for path in sorted(folder.glob("jw*_asn.json")):
        match = parse_asn_filename(path.name)
        if match is None:
            continue
        if match["version_id"] != (version_id.lower() if version_id else None):
            continue
        if level_of(match["asn_type"]) in levels:
            found.append((path, match))
    if not found:  # (an empty folder: the pool's programs and candidates are not needed)
        return []
    if not isinstance(pool, CodedPool):
        pool = code_frame(pool)
    programs = {format_program(p).lower() for p in pool.distinct("program")
                if isinstance(p, str)}  # fmt: skip
    if ids is not None:
        wanted = {i.lower() for i in ids}
    else:
        wanted = {i.lower() for i in known_candidates(pool)}
    return [
        path
        for path, match in found
        if match["program"] in programs
        and (match["asn_id"] in wanted or (discover and match["asn_id"].startswith("a")))
    ]
