"""The ``asnkit check`` command: what calwebb would do differently from what associations say.

.. code-block:: console

    $ asnkit check associations/*.json --pool jw01234_pool.csv
    $ asnkit check mosaic_asn.json --files --format json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from asnkit.errors import ExitStatus, exit_status_help

__all__ = ["association_files", "register", "run_check"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``asnkit check`` to the ``asnkit`` parser."""
    p = subparsers.add_parser(
        "check",
        help="find what calwebb would not do as the associations say (exit 1 on errors)",
        description=(
            "Check association files against what the calwebb pipelines of jwst 3.0.0 do with "
            "them: roles a pipeline ignores, products mixing filters, channels or "
            "instruments, exposure types that do not fit the association type, member "
            "suffixes, product names, missing files. One line per finding: FILE: JSON path: "
            "severity CODE: message (fix: hint). Warnings and infos do not fail; a file that "
            "cannot be read (or is not JSON) is trouble, not a finding. "
            + exit_status_help("when a finding is an error")
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="association JSON files or folders")
    p.add_argument(
        "--pool",
        help="the pool the members come from (gives exposure types, filters, targets)",
    )
    p.add_argument(
        "--files",
        dest="member_files",
        action="store_true",
        help="look for the member files next to each association (missing ones are errors; "
        "their FITS headers are read)",
    )
    p.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (default): one line per finding; json: a list of findings",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line, no infos")
    p.set_defaults(run=run_check)


def association_files(names: list[str]) -> list[Path]:
    """The files named, and every ``*.json`` of the folders named (FileNotFoundError if none)."""
    out: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:  # checking nothing must not pass as "0 errors"
                raise FileNotFoundError(f"{name}: a folder without association files (*.json)")
            out.extend(found)
        elif path.exists():
            out.append(path)
        else:
            raise FileNotFoundError(f"{name}: no such file or folder")
    return out


def run_check(args: argparse.Namespace) -> int:
    """``asnkit check``: print the findings.

    Returns ``FOUND`` if a finding is an error, ``OK`` otherwise, and
    ``TROUBLE`` if a file could not be read at all (it was not checked: the
    others still are, and their findings printed), whatever the findings.
    """
    from asnkit.documents.checks import check
    from asnkit.documents.findings import Finding, Findings, Severity
    from asnkit.documents.io import read_asn
    from asnkit.errors import AssociationError

    pool = None
    if args.pool:
        from asnkit.pool.read import read_pool

        pool = read_pool(args.pool)
    found: list[Finding] = []
    recorded: set[str] = set()
    unreadable: list[dict[str, str]] = []
    paths = association_files(args.files)
    for path in paths:
        try:
            asn = read_asn(path, validate=False)
        except (AssociationError, OSError, UnicodeDecodeError) as exc:
            unreadable.append({"asn": str(path), "message": str(exc)})
            continue
        recorded.add(str(asn.asn_pool))
        findings = check(asn, pool=pool, files=path.parent if args.member_files else None)
        found.extend(dataclasses.replace(f, asn=str(path)) for f in findings)
    findings = Findings(found)
    shown = [f for f in findings if not (args.quiet and f.severity is Severity.INFO)]
    if args.format == "json":
        records = [f.to_dict() for f in shown]
        records += [{**u, "code": None, "severity": "error", "path": "", "hint": ""}
                    for u in unreadable]  # fmt: skip
        print(json.dumps(records, indent=2))
    else:
        for item in unreadable:
            print(f"{item['asn']}: error: cannot read: {item['message']}")
        for finding in shown:
            print(finding)
    if not args.quiet:
        n = len(paths)
        print(
            f"{n} association{'s' if n != 1 else ''} checked: {findings.summary()}"
            + (f", {len(unreadable)} unreadable" if unreadable else ""),
            file=sys.stderr,
        )
        name = pool.attrs.get("asn_pool") if pool is not None else None
        if name and recorded and name not in recorded and "ASN801" in findings.codes:
            others = ", ".join(sorted(recorded)[:3]) + (" ..." if len(recorded) > 3 else "")
            print(f"note: every association names another pool (asn_pool): {others}",
                  file=sys.stderr)  # fmt: skip
    if unreadable:
        return ExitStatus.TROUBLE
    return ExitStatus.FOUND if findings.errors else ExitStatus.OK
