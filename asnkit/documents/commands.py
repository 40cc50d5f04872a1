"""Subcommands of the ``asnkit`` command line for asnkit.documents.

.. code-block:: console

    $ asnkit validate associations/*.json
    $ asnkit from-list data/*_cal.fits --type image3 --product-name my_mosaic -o mosaic_asn.json
    $ asnkit edit mosaic_asn.json --add bg_x1d.fits --role background -o new_asn.json
    $ asnkit diff old/ new/
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from asnkit.errors import ExitStatus, command_line_message, exit_status_help

__all__ = ["register", "run_diff", "run_edit", "run_from_list", "run_validate"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the ``asnkit`` parser."""
    p = subparsers.add_parser(
        "validate",
        help="check association files (exit 0 only if all are valid)",
        description="Check association files against the Level 2b/Level 3 schemas and the "
        "pipeline's rules; print every fault with its file and JSON path. A file that is not "
        "JSON is invalid; one that cannot be opened is trouble. "
        + exit_status_help("when a file is invalid"),
    )
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="association JSON files, or folders (their *.json files)")  # fmt: skip
    p.add_argument("-q", "--quiet", action="store_true", help="print faults only")
    p.add_argument("--as-set", action="store_true",
                   help="also require product names to be unique across the files")  # fmt: skip
    p.add_argument("--paths", choices=["absolute", "relative"],
                   help="accept member names written this way on purpose: absolute paths, "
                   "or paths relative to another folder (starting with ..)")  # fmt: skip
    p.set_defaults(run=run_validate)

    p = subparsers.add_parser(
        "from-list",
        help="make an association from a list of files (like asn_from_list)",
        description="Make an association from exposure files: one product for Level 3 "
        "types, one product per science file for Level 2 types. " + exit_status_help(),
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="member files")
    p.add_argument("-t", "--type", default="image3", dest="asn_type",
                   help="association type: image3 (default), spec3, image2, spec2...")  # fmt: skip
    p.add_argument("-o", "--output", required=True, help="output file, or a folder")
    p.add_argument("--product-name", help="product name (required for Level 3 types)")
    p.add_argument("-i", "--id", dest="asn_id", help="association id (default from file names)")
    p.add_argument("--program", help="program (default from file names)")
    p.add_argument("--role", action="append", default=[], metavar="FILE=ROLE",
                   help="member type of a file, e.g. bg_x1d.fits=background")  # fmt: skip
    p.add_argument("--paths", choices=["as_given", "basename", "absolute", "relative"],
                   help="how to write member names (relative: to the output folder; default "
                   "as given, which must then not be absolute)")  # fmt: skip
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(run=run_from_list)

    p = subparsers.add_parser(
        "edit",
        help="add, remove or change members of an association",
        description="Add or remove members (by file name, with or without suffix), change "
        "roles, rename the product, rewrite member paths. The association file is only "
        "replaced with --overwrite. " + exit_status_help(),
    )
    p.add_argument("association", help="association JSON file")
    p.add_argument("-a", "--add", nargs="+", default=[], metavar="FILE", help="files to add")
    p.add_argument("-r", "--remove", nargs="+", default=[], metavar="FILE",
                   help="members to remove")  # fmt: skip
    p.add_argument("-t", "--role", default="science",
                   help="member type of added files (default science)")  # fmt: skip
    p.add_argument("--product", help="add to / rename this product only (name or index)")
    p.add_argument("--set-role", action="append", default=[], metavar="FILE=ROLE",
                   help="change the member type of a member (repeatable)")  # fmt: skip
    p.add_argument("--rename", metavar="NAME",
                   help="rename the product (of several: the one --product names)")  # fmt: skip
    p.add_argument("--paths", choices=["basename", "absolute", "relative"],
                   help="rewrite member names (relative: to the output's folder)")  # fmt: skip
    p.add_argument("-o", "--output", help="output file (default: the association itself)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(run=run_edit)

    p = subparsers.add_parser(
        "diff",
        help="compare two associations or two folders of associations",
        description=(
            "Print which products and members differ between FIRST and SECOND (two files, or "
            "two folders whose associations are paired by type and first product name, then by "
            "file name). The header keys "
            "'constraints' and 'code_version' are not compared: they record the software that "
            "wrote the file. An invalid association cannot be compared: it is trouble. "
            + exit_status_help("when something differs")
        ),
    )
    p.add_argument("a", metavar="FIRST", help="association file or folder")
    p.add_argument("b", metavar="SECOND", help="association file or folder")
    p.add_argument("--ignore-suffix", action="store_true",
                   help="pair members by name without suffix")  # fmt: skip
    p.set_defaults(run=run_diff)


def run_validate(args: argparse.Namespace) -> int:
    """``asnkit validate``: print every fault.

    Returns ``OK`` if all files are valid, ``FOUND`` if one is not (a file
    that is not JSON is invalid), ``TROUBLE`` if one cannot be opened (a
    missing file says nothing of validity), whatever the others are. A file
    or folder that is not there, or cannot be opened, is reported as every
    command reports trouble (``asnkit validate: error: ...``, as ``asnkit
    check`` words it); the others are still validated, and the summary line
    says how many could not be read.
    """
    from asnkit.documents.check_commands import association_files
    from asnkit.documents.io import read_asn
    from asnkit.documents.validation import iter_errors, path_warnings
    from asnkit.errors import AssociationError, command_line_message

    def trouble(exc: OSError) -> None:
        print(f"asnkit {args.command}: error: {command_line_message(exc)}", file=sys.stderr)

    bad = 0
    unopened = 0  # names not there, and files that cannot be opened
    unread = 0  # of the files found, those that cannot be opened
    loaded = []
    names = []  # folders: their *.json files, as `asnkit check` reads them
    for name in args.files:
        try:
            found = association_files([name])
        except FileNotFoundError as exc:  # not there, or a folder without *.json
            trouble(exc)
            unopened += 1
            continue
        names += [str(p) for p in found] if Path(name).is_dir() else [name]
    for name in names:
        try:
            asn = read_asn(name, validate=False)
        except OSError as exc:
            trouble(exc)
            unopened += 1
            unread += 1
            continue
        except AssociationError as exc:  # not JSON, or not an association: invalid
            print(_about(name, exc))
            bad += 1
            continue
        loaded.append(asn.with_filename(name))
        faults = list(iter_errors(asn, paths=args.paths))
        for fault in faults:
            print(f"{name}: {fault}")
        if not args.quiet:
            for message in path_warnings(asn):
                print(f"{name}: warning: {message}")
        if faults:
            bad += 1
        elif not args.quiet:
            print(f"{name}: valid")
    if args.as_set and len(loaded) > 1:
        from asnkit.documents.collection import AssociationSet

        every = iter_errors(AssociationSet(loaded), paths=args.paths)
        clashes = [f for f in every if "is also used by" in f.message]
        for fault in clashes:
            print(fault)
        bad += bool(clashes)
    if not args.quiet:
        n = len(names) - unread  # the files read: valid, or not (JSON or not)
        print(
            f"{n - bad} of {n} file{'s' if n != 1 else ''} valid"
            + (f", {unopened} not read" if unopened else ""),
            file=sys.stderr,
        )
    if unopened:
        return ExitStatus.TROUBLE
    return ExitStatus.FOUND if bad else ExitStatus.OK


def _roles(pairs: list[str]) -> dict[str, str]:
    """``FILE=ROLE`` pairs as a dict (ValueError naming a pair without ``=``)."""
    roles = {}
    for pair in pairs:
        name, sep, role = pair.rpartition("=")
        if not sep or not name:
            raise ValueError(f"expected FILE=ROLE, got {pair!r}")
        roles[name] = role
    return roles


def _about(name: str, exc: BaseException) -> str:
    """``NAME: what is wrong`` for a file that is not an association, the name said once."""
    text = str(exc)
    return text if text.startswith(name) else f"{name}: {text}"


def run_from_list(args: argparse.Namespace) -> int:
    """``asnkit from-list``: write an association of the given files."""
    from asnkit.documents.build import asn_from_files
    from asnkit.errors import AssociationError, close_matches

    output = Path(args.output)
    folder = output if _names_folder(args.output) else output.parent
    made = _made_types()
    if args.asn_type.strip().lower() not in made:  # a typo would name the file, checks off
        close = close_matches(args.asn_type, made, n=3)
        raise AssociationError(  # (the dispatcher, asnkit.cli.main, says it in one line)
            f"--type {args.asn_type!r} is not an association type jwst makes "
            + (f"(close matches: {', '.join(close)})" if close else f"({', '.join(made)})")
        )
    absolute = next((f for f in args.files if os.path.isabs(f)), None)
    if args.paths is None and absolute is not None:  # asnkit validate would refuse the file
        raise AssociationError(
            f"{absolute} is an absolute path: say how to write member names, --paths basename "
            "(the files next to the association), relative (to its folder) or absolute "
            "(asnkit validate then wants the same --paths)"
        )
    try:
        asn = asn_from_files(
            args.files,
            asn_type=args.asn_type,
            product_name=args.product_name,
            roles=_roles(args.role),
            asn_id=args.asn_id,
            program=args.program,
            path_mode=args.paths or "as_given",
            folder=folder,
        )
    except (AssociationError, ValueError, KeyError) as exc:
        print(f"asnkit from-list: error: {command_line_message(exc)}", file=sys.stderr)
        return ExitStatus.TROUBLE
    path = asn.write(args.output, overwrite=args.overwrite)  # "dir/": into the folder
    print(f"wrote {path}: {len(asn.products)} product(s), {len(asn.members())} member(s)")
    return ExitStatus.OK


def _made_types() -> list[str]:
    """The association types jwst makes: those calwebb runs, then those of the DMS rules."""
    from asnkit.documents.pipelines import PIPELINES
    from asnkit.rules import dms_rules

    made = dict.fromkeys(PIPELINES)
    made.update((rule.asn_type.lower(), None) for rule in dms_rules() if rule.asn_type != "None")
    return list(made)


def _names_folder(output: str) -> bool:
    """Whether ``-o`` names a folder: an existing one, or any path ending with ``/``."""
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def run_edit(args: argparse.Namespace) -> int:
    """``asnkit edit``: add/remove members; never replaces a file without --overwrite."""
    from asnkit.documents.io import read_asn
    from asnkit.documents.validation import validate
    from asnkit.errors import AssociationError, AssociationWarning

    if not (args.add or args.remove or args.set_role or args.rename or args.paths):
        print(
            "asnkit edit: error: nothing to do (--add, --remove, --set-role, --rename, --paths)",
            file=sys.stderr,
        )
        return ExitStatus.TROUBLE
    # any member path form in the input (--paths may rewrite it); the result is validated
    # below, which warns about its member paths: once, for what is written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssociationWarning)
        asn = read_asn(args.association, paths="as_given")
    target = args.output or args.association
    output = Path(target)
    folder = output if _names_folder(target) else output.parent
    product: int | str | None = args.product
    if isinstance(product, str) and product.lstrip("-").isdigit():
        product = int(product)
    if args.rename and product is None and len(asn.products) > 1:
        names = ", ".join(repr(name) for name in asn.product_names[:4])
        more = ", ..." if len(asn.products) > 4 else ""
        raise AssociationError(  # (the dispatcher says it in one line)
            f"--rename: {args.association} has {len(asn.products)} products "
            f"({names}{more}); say which with --product NAME or INDEX"
        )
    try:
        if args.remove:
            asn = asn.remove_members(args.remove)
        if args.add:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                asn = asn.add_members(args.add, role=args.role, product=product)
        for name, role in _roles(args.set_role).items():
            asn = asn.set_role(name, role)
        if args.rename:
            asn = asn.rename_product(args.rename, product=0 if product is None else product)
        if args.paths:
            asn = asn.with_paths(args.paths, folder=folder)
        validate(asn, warn_paths=args.paths in (None, "basename"), paths=args.paths)
    except AssociationError:
        raise  # the dispatcher prints it
    except (KeyError, ValueError, IndexError) as exc:
        print(f"asnkit edit: error: {command_line_message(exc)}", file=sys.stderr)
        return ExitStatus.TROUBLE
    path = asn.write(target, overwrite=args.overwrite)  # "dir/": into the folder
    print(f"wrote {path}: {len(asn.products)} product(s), {len(asn.members())} member(s)")
    return ExitStatus.OK


def _load_any(name: str):
    from asnkit.documents.io import read_asn, read_asn_set

    # member paths of any form; diff() refuses invalid documents (naming file and JSON path)
    return (
        read_asn_set(name, validate=False)
        if Path(name).is_dir()
        else read_asn(name, validate=False)
    )


def run_diff(args: argparse.Namespace) -> int:
    """``asnkit diff``: print the differences; ``OK`` if none, ``FOUND`` if any.

    A file that cannot be read or an invalid association raises (the
    dispatcher, :func:`asnkit.cli.main`, exits with ``TROUBLE``), as ``diff``
    and ``cmp`` exit 2 on trouble: "different" is never "could not compare".
    """
    from asnkit.documents.collection import AssociationSet
    from asnkit.documents.diff import diff

    a, b = _load_any(args.a), _load_any(args.b)
    if isinstance(a, AssociationSet) != isinstance(b, AssociationSet):
        a = a if isinstance(a, AssociationSet) else AssociationSet([a])
        b = b if isinstance(b, AssociationSet) else AssociationSet([b])
    result = diff(a, b, ignore_suffix=args.ignore_suffix)
    print(result)
    return ExitStatus.FOUND if result else ExitStatus.OK
