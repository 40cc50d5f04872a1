"""Checks on member file names, folders, product names and files (see :func:`asnkit.check`).

Each check takes a :class:`~asnkit.documents.check_context.CheckedAssociation`
and adds findings; each cites the jwst 3.0.0 behaviour it protects against.
"""

from __future__ import annotations

import os

from asnkit.dms.names import EXTENSIONS, suffix_of
from asnkit.documents.check_context import CheckedAssociation
from asnkit.documents.pipelines import CATALOG_ROLES

__all__ = ["check_files", "check_folders", "check_product_names", "check_suffixes"]

#: Suffixes of files before Level 2b calibration (detector1 products and raw data).
_RAW = frozenset({"uncal", "ramp", "trapsfilled", "dark", "jump"})
_SLOPES = frozenset({"rate", "rateints"})
#: Suffixes of calibrated (Level 2b and later) products.
_CALIBRATED = frozenset(
    {"cal", "calints", "crf", "crfints", "bsub", "bsubints", "x1d", "x1dints", "s2d", "s3d", "i2d"}
)
_ODD_NAME = frozenset(" \t\n\r")
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.+{}")


# --------------------------------------------------------------------------- member names
def check_suffixes(doc: CheckedAssociation) -> None:
    pipeline = doc.pipeline
    if pipeline is None:
        return
    for i, product in enumerate(doc.asn.products):
        for j, member in enumerate(product.members()):
            if not isinstance(member.expname, str):
                continue
            suffix = suffix_of(member.expname)
            if suffix is None:
                continue
            where = f"products[{i}].members[{j}]"
            role = member.role
            if pipeline.level == 3 and role in ("science", "psf", "background"):
                if suffix in _RAW | _SLOPES:
                    # Level 3 steps (tweakreg, outlier_detection, resample, master_background,
                    # klip) need Level 2b products with a WCS and calibrated units.
                    doc.add(
                        "ASN501",
                        where,
                        f"{member.expname!r} is a _{suffix} file: Level 3 "
                        "pipelines combine calibrated (_cal / _calints) exposures",
                        "run calwebb_image2 / spec2 first and list their _cal files",
                    )
                    continue
                if (
                    pipeline.asn_type == "spec3"
                    and role == "background"
                    and suffix not in ("x1d", "x1dints")
                ):
                    # master_background combines the background members' 1-D spectra
                    # (combine_1d_spectra); jwst lists spec3 backgrounds as _x1d.
                    doc.add(
                        "ASN504",
                        where,
                        f"{member.expname!r}: calwebb_spec3's master "
                        "background combines 1-D spectra (_x1d) of background members",
                        "list the background's _x1d file",
                    )
                if pipeline.asn_type in ("coron3", "ami3", "tso3") and suffix == "cal":
                    # coron3/ami3/tso3 work on per-integration cubes (calints, CubeModel).
                    doc.add(
                        "ASN505",
                        where,
                        f"{member.expname!r}: {pipeline.name} works on "
                        "per-integration files (_calints)",
                        "list the _calints file",
                    )
            elif pipeline.level == 2 and role not in CATALOG_ROLES:
                if suffix in _RAW:
                    # Image2Pipeline/Spec2Pipeline start from slope images (rate / rateints).
                    doc.add(
                        "ASN502",
                        where,
                        f"{member.expname!r} is a _{suffix} file: "
                        f"{pipeline.name} starts from slope images (_rate / _rateints)",
                        "run calwebb_detector1 first and list its _rate files",
                    )
                elif suffix in _CALIBRATED:
                    doc.add(
                        "ASN503",
                        where,
                        f"{member.expname!r} is already calibrated: "
                        f"{pipeline.name} would apply flat field and photometric "
                        "calibration again",
                        "list the _rate file",
                    )


def check_folders(doc: CheckedAssociation) -> None:
    # ModelLibrary opens members as asn_dir / expname: a folder in expname works only
    # while the association stays where it is relative to its members.
    folders: dict[str, None] = {}
    for i, product in enumerate(doc.asn.products):
        for j, member in enumerate(product.members()):
            if not isinstance(member.expname, str):
                continue
            folder = os.path.dirname(member.expname)
            folders[os.path.normpath(folder) if folder else "."] = None
            if folder:
                doc.add(
                    "ASN601",
                    f"products[{i}].members[{j}].expname",
                    f"{member.expname!r} "
                    "names a folder: calwebb looks for it relative to the association's "
                    "folder",
                    "keep associations next to their members, with base names "
                    "(asn.with_paths('basename'))",
                )
    if len(folders) > 1:
        doc.add(
            "ASN602",
            "products",
            f"members live in {len(folders)} folders: {', '.join(folders)}",
            "gather the members in one folder",
        )


def check_product_names(doc: CheckedAssociation) -> None:
    # The pipelines write {product name}_{suffix}.fits (Step.save_model/make_output_path):
    # a slash makes a path into a folder that may not exist; spaces make file names that
    # shell scripts and archive tools split; DMS names are lower case, without extension.
    for i, product in enumerate(doc.asn.products):
        name = product.name
        if not isinstance(name, str) or not name:
            continue
        where = f"products[{i}].name"
        if "/" in name or "\\" in name:
            doc.add(
                "ASN603",
                where,
                f"product name {name!r} holds a folder separator: "
                f"the pipeline writes {name}_i2d.fits-like paths into a folder",
                "use a plain name, e.g. jw01234-o001_t001_nircam_clear-f150w",
            )
        elif set(name) & _ODD_NAME or not set(name.lower()) <= _NAME_CHARACTERS:
            odd = sorted(c for c in set(name.lower()) - _NAME_CHARACTERS)
            doc.add(
                "ASN604",
                where,
                f"product name {name!r} has spaces or unusual "
                f"characters {odd}: the output files are named {name}_<suffix>.fits",
                f"use letters, digits, '-' and '_' (e.g. {_plain_name(name)!r})",
            )
        if name != name.lower() or name.lower().endswith(EXTENSIONS):
            doc.add(
                "ASN605",
                where,
                f"product name {name!r}: DMS names are lower case "
                "without extension (the pipeline adds _<suffix>.fits)",
                f"e.g. {_plain_name(name)!r}",
            )


def _plain_name(name: str) -> str:
    base = name.lower()
    for ext in EXTENSIONS:
        base = base.removesuffix(ext)
    out = "".join(c if c in _NAME_CHARACTERS else "_" for c in base.replace("/", "_"))
    return "_".join(filter(None, out.split("_"))) or "product"


def check_files(doc: CheckedAssociation) -> None:
    # ModelLibrary/ModelContainer open asn_dir / expname: a missing file stops the pipeline
    # (OSError) when it is loaded, often after hours of earlier steps.
    if doc.folder is None and doc.available is None:
        return
    missing: list[tuple[int, int, str]] = []
    for i, product in enumerate(doc.asn.products):
        for j, member in enumerate(product.members()):
            name = member.expname
            if not isinstance(name, str):
                continue
            if doc.available is not None:
                found = (
                    os.path.normpath(name) in doc.available
                    or os.path.basename(name) in doc.available
                )
            else:
                path = doc.path_of(name)
                if path is None:
                    doc.add(
                        "ASN702",
                        f"products[{i}].members[{j}].expname",
                        f"{name!r} lies outside the association's folder {str(doc.folder)!r}: "
                        "not looked for (asnkit opens member files only inside that folder)",
                        "keep members next to the association, with base names "
                        "(asn.with_paths('basename'))",
                    )
                    continue
                found = path.is_file()
            if not found:
                missing.append((i, j, name))
    where = str(doc.folder) if doc.folder is not None else "the files given"
    for i, j, name in missing:
        doc.add(
            "ASN701",
            f"products[{i}].members[{j}].expname",
            f"{name!r} is not in {where}",
            "put the member files next to the association (or fix expname)",
        )
