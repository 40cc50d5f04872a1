"""Checks that know the pipeline: will calwebb (jwst 3.0.0) do what the association says?

A schema-valid association can still be mishandled: calwebb_image3 reads only
science members, so background members there do nothing; a product mixing
F150W and F444W is resampled into one image; ``_uncal`` files in a Level 3
association make the pipeline fail hours later. :func:`check` finds such
cases and returns them as :class:`~asnkit.documents.findings.Findings` (code,
severity, JSON path, message and fix hint; codes in
:data:`~asnkit.documents.findings.CODES`).

What the pipelines do is in :mod:`asnkit.documents.pipelines`; what is known of
each member's exposure (from the pool, its header, or its DMS file name) in
:mod:`asnkit.documents.exposures`. Every check cites the jwst behaviour it
protects against.

Examples
--------
>>> from asnkit.documents.build import from_files
>>> names = [f"jw01234001001_02101_0000{i}_nrca1_cal.fits" for i in (1, 2)]
>>> mosaic = from_files(names + ["jw01234003001_02101_00001_nrca1_cal.fits"],
...                     product_name="jw01234-o001_t001_nircam_clear-f150w",
...                     roles={"jw01234003001_02101_00001_nrca1": "background"})
>>> findings = check(mosaic)
>>> findings.codes, findings.ok
(['ASN101'], False)
>>> print(findings[0].message)
1 background member: calwebb_image3 reads only science members, so it is ignored
>>> check(mosaic.remove_members("jw01234003001_02101_00001_nrca1")).ok
True
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asnkit.documents.collection import AssociationSet
from asnkit.documents.exposures import (
    ExposureFacts,
    PoolIndex,
    exposure_key,
    header_facts,
    member_facts,
)
from asnkit.documents.findings import Finding, Findings
from asnkit.documents.model import Association, Member, Product
from asnkit.documents.names import suffix_of
from asnkit.documents.pipelines import WFSS_EXP_TYPES, Pipeline, pipeline_for
from asnkit.documents.validation import iter_errors
from asnkit.rules import dms

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["check"]

#: Roles jwst writes for the record, which no Level 3 pipeline reads.
_RECORD_ROLES = frozenset({"target_acquisition", "autoflat", "autowave"})
#: Suffixes of files before Level 2b calibration (detector1 products and raw data).
_RAW = frozenset({"uncal", "ramp", "trapsfilled", "dark", "jump"})
_SLOPES = frozenset({"rate", "rateints"})
#: Suffixes of calibrated (Level 2b and later) products.
_CALIBRATED = frozenset(
    {"cal", "calints", "crf", "crfints", "bsub", "bsubints", "x1d", "x1dints", "s2d", "s3d", "i2d"}
)
_CATALOG_ROLES = ("sourcecat", "segmap", "direct_image")
_ODD_NAME = frozenset(" \t\n\r")
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.+{}")
_EXTENSIONS = (".fits", ".fits.gz", ".json", ".asdf", ".ecsv")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _names(members: Iterable[Member], limit: int = 3) -> str:
    names = [str(m.expname) for m in members]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class _Doc:
    """One association being checked: where findings go, and its members' facts."""

    def __init__(
        self,
        asn: Association,
        pool: PoolIndex | None,
        folder: Path | None,
        available: set[str] | None,
    ) -> None:
        self.asn = asn
        self.pipeline: Pipeline | None = pipeline_for(asn.asn_type)
        self.level = self.pipeline.level if self.pipeline else asn.level
        self.folder = folder
        self.available = available
        self.findings: list[Finding] = []
        headers = self._headers() if folder is not None or available else None
        self.facts = [member_facts(p.members, pool=pool, headers=headers) for p in asn.products]

    def add(self, code: str, path: str, message: str, hint: str = "") -> None:
        self.findings.append(Finding(code, path, message, hint, asn=self.asn.filename))

    def _headers(self) -> dict[str, ExposureFacts]:
        out: dict[str, ExposureFacts] = {}
        for member in self.asn.members():
            name = str(member.expname)
            path = self.path_of(name)
            if path is not None and path.suffix.lower() == ".fits" and path.is_file():
                facts = header_facts(path)
                if facts is not None:
                    out[name] = facts
        return out

    def path_of(self, expname: str) -> Path | None:
        """Where the pipeline looks for a member: ``asn_dir / expname`` (ModelLibrary)."""
        if self.folder is not None:
            return self.folder / expname
        return None

    def science(self, i: int) -> list[tuple[Member, ExposureFacts]]:
        product = self.asn.products[i]
        return [
            (m, f)
            for m, f in zip(product.members, self.facts[i], strict=True)
            if m.role == "science"
        ]


# --------------------------------------------------------------------------- the document
def _document_faults(doc: _Doc) -> None:
    # jwst's load_asn validates against its Level 2b / Level 3 schemas and refuses
    # ("Cannot read ASN file") what they reject; asnkit's schemas require the same.
    for fault in iter_errors(doc.asn, science_count=False):
        doc.add("ASN001", fault.path, fault.message, "correct the document (asnkit.validate)")
    if doc.pipeline is None:
        doc.add(
            "ASN002",
            "asn_type",
            f"asn_type {doc.asn.asn_type!r} is not one of the types jwst makes "
            f"(image3, spec3, coron3, ami3, tso3, wfs-image3, image2, spec2, tso-image2, "
            f"tso-spec2): only the checks that do not depend on the pipeline were made",
            "set asn_type to the pipeline you will run",
        )


# --------------------------------------------------------------------------- roles
def _roles(doc: _Doc) -> None:
    pipeline = doc.pipeline
    if pipeline is None:
        return
    for i, product in enumerate(doc.asn.products):
        if i > 0 and not pipeline.all_products:
            break  # ASN403 says the other products are not processed
        science = doc.science(i)
        exp_types = {f.exp_type for _, f in science if f.exp_type}
        exp_type = next(iter(exp_types)) if len(exp_types) == 1 else None
        by_role: dict[str, list[Member]] = {}
        for member in product.members:
            by_role.setdefault(member.role, []).append(member)
        for role, members in by_role.items():
            if role == "science" or not isinstance(members[0].exptype, str):
                continue
            n = len(members)
            if pipeline.reads_role(role):
                if pipeline.reads_role(role, exp_type):
                    continue
                # calwebb_spec2 reads imprints only for NIRSpec MOS/IFU, backgrounds not for
                # WFSS/SOSS (EXP_TYPES_USING_REFBKGDS), catalogue members only for WFSS.
                code = "ASN102" if role in ("imprint", "target_acquisition") else "ASN101"
                doc.add(
                    code,
                    f"products[{i}]",
                    f"{_plural(n, role + ' member')}: {pipeline.name} does not use "
                    f"{role} members for {exp_type} exposures, so "
                    f"{'it is' if n == 1 else 'they are'} ignored",
                    f"remove {'it' if n == 1 else 'them'}",
                )
                continue
            if role in _RECORD_ROLES:
                # jwst writes these members itself (coron3, spec3, tso3 carry target
                # acquisitions; spec3 NIRSpec autoflat/autowave); the pipeline never loads them.
                doc.add(
                    "ASN102",
                    f"products[{i}]",
                    f"{_plural(n, role + ' member')} ({_names(members)}): {pipeline.name} "
                    "does not read them (kept for the record, as jwst does)",
                )
                continue
            # calwebb_image3/tso3 load only science members (asn_exptypes=["science"]),
            # spec3 science+background, coron3 science+psf, ami3 science+psf; image2 and
            # spec2 read their roles per product; anything else is silently dropped.
            doc.add(
                "ASN101",
                f"products[{i}]",
                f"{_plural(n, role + ' member')}: {pipeline.name} reads only "
                f"{' and '.join(sorted(pipeline.reads & {'science', 'background', 'psf'}))} "
                f"members, so {'it is' if n == 1 else 'they are'} ignored",
                _role_hint(role, pipeline),
            )


def _role_hint(role: str, pipeline: Pipeline) -> str:
    if role == "background" and pipeline.level == 3:
        return (
            "subtract backgrounds in Level 2: make image2 associations whose products hold "
            "each science exposure with these background members (asnkit.to_association("
            "rows, asn_type='image2', roles={...: 'background'})), run calwebb_image2, then "
            "leave the background exposures out of the Level 3 association"
        )
    if role == "psf":
        return "psf members are read by coron3 and ami3: use one of those types, or drop them"
    return f"drop the {role} members, or use an association type whose pipeline reads them"


def _capitals(doc: _Doc) -> None:
    # jwst 3.0.0 ModelLibrary filters members with `m["exptype"] in asn_exptypes` after
    # lower-casing only asn_exptypes: calwebb_image3 drops "SCIENCE" members, and every
    # pipeline's reference-file lookup (ModelLibrary(asn, asn_exptypes=["science"]) in
    # jwst.stpipe.core) finds no science member and fails with an IndexError.
    if doc.pipeline is None:
        return
    members = doc.asn.members()
    odd = [m for m in members if m.role == "science" and m.exptype != "science"]
    exact = [m for m in members if m.exptype == "science"]
    if odd and (doc.pipeline.asn_type == "image3" or not exact):
        doc.add(
            "ASN103",
            "products[0]",
            f"{_plural(len(odd), 'member')} with exptype {odd[0].exptype!r}: jwst keeps only "
            f"members whose exptype is exactly 'science' (lower case) for "
            f"{doc.pipeline.name if doc.pipeline.asn_type == 'image3' else 'its reference files'}",
            "write exptype in lower case ('science')",
        )


# --------------------------------------------------------------------------- mixing
_MIXES = (
    ("ASN201", "instrument", "instruments"),
    ("ASN202", "channel", "NIRCam channels (short and long wavelength)"),
    ("ASN203", "filter", "filters"),
    ("ASN204", "pupil", "pupils"),
    ("ASN204", "grating", "gratings"),
    ("ASN206", "exp_type", "exposure types"),
)


def _mixing(doc: _Doc) -> None:
    # The DMS Level 3 rules (jwst associations/lib/rules_level3*.py) never combine
    # instruments, optical elements (Constraint_Optical_Path: filter, pupil/grating) or
    # targets in one product; calwebb_image3 resamples whatever it is given into one
    # image, and calwebb_spec3 processes every member as the EXP_TYPE of the first.
    if doc.level != 3:
        return
    for i, _product in enumerate(doc.asn.products):
        science = doc.science(i)
        if len(science) < 2:
            continue
        for code, attribute, words in _MIXES:
            counts = Counter(getattr(f, attribute) for _, f in science)
            counts.pop(None, None)
            if len(counts) > 1:
                values = ", ".join(f"{v} ({n})" for v, n in counts.most_common())
                doc.add(
                    code,
                    f"products[{i}]",
                    f"the science members mix {words}: {values}",
                    f"make one association per {attribute.replace('_', ' ')}",
                )
        ids = {f.target_id for _, f in science} - {None}
        names = {f.target_name for _, f in science} - {None}
        mixed = ids if len(ids) > 1 else (names if not ids and len(names) > 1 else set())
        if mixed:
            doc.add(
                "ASN205",
                f"products[{i}]",
                f"the science members mix targets: {', '.join(sorted(mixed))}",
                "make one association per target, or give other targets' exposures a role",
            )


# --------------------------------------------------------------------------- exposure types
def _exposure_types(doc: _Doc) -> None:
    pipeline = doc.pipeline
    if pipeline is None:
        return
    for i, _product in enumerate(doc.asn.products):
        science = doc.science(i)

        def some(test: Any, science: Any = science) -> list[Member]:
            return [m for m, f in science if test(f)]

        where = f"products[{i}]"
        spectra = some(lambda f: f.is_spectrum)
        if pipeline.family in ("image", "coron", "ami") and spectra:
            # calwebb_image2/image3 (assign_wcs, resample) treat every input as an image.
            doc.add(
                "ASN301",
                where,
                f"{_plural(len(spectra), 'spectroscopic exposure')} "
                f"({_names(spectra)}) in {pipeline.asn_type}: {pipeline.name} treats "
                "them as images",
                "use spec2 / spec3 for spectra",
            )
        images = some(lambda f: f.is_imaging)
        if pipeline.family == "spectrum" and images:
            # calwebb_spec2/spec3 extract spectra: images give no spectrum (extract_2d fails).
            doc.add(
                "ASN302",
                where,
                f"{_plural(len(images), 'imaging exposure')} "
                f"({_names(images)}) in {pipeline.asn_type}: {pipeline.name} extracts "
                "spectra",
                "use image2 / image3 for images",
            )
        if pipeline.family in ("coron", "ami"):
            wanted = dms.CORON_EXP_TYPES if pipeline.family == "coron" else ("nis_ami",)
            other = some(lambda f, w=wanted: f.exp_type is not None and f.exp_type not in w)
            if other:
                # calwebb_coron3 (align_refs, klip) and calwebb_ami3 (ami_analyze) model the
                # coronagraph or the non-redundant mask; other exposures give nonsense.
                doc.add(
                    "ASN303",
                    where,
                    f"{_plural(len(other), 'science exposure')} "
                    f"({_names(other)}) that {pipeline.name} is not made for: it expects "
                    f"{', '.join(wanted)}",
                    "use image3 for plain images",
                )
        series = some(lambda f: f.is_time_series)
        strict = some(lambda f: f.exp_type in dms.TSO_EXP_TYPES)
        if not pipeline.time_series and (series if pipeline.level == 3 else strict):
            # TSO data are per-integration cubes (calints) that calwebb_tso3 treats as a
            # series; image3/spec3 would combine the integrations as separate exposures.
            found = series if pipeline.level == 3 else strict
            doc.add(
                "ASN304",
                where,
                f"{_plural(len(found), 'time-series exposure')} "
                f"({_names(found)}) in {pipeline.asn_type}",
                "use tso3 (Level 3) or tso-image2 / tso-spec2 (Level 2)",
            )
        if pipeline.asn_type == "tso3":
            plain = some(lambda f: f.is_time_series is False)
            if plain:
                # calwebb_tso3: "INPUT DATA ARE NOT TSO MODE. ABORTING PROCESSING."
                doc.add(
                    "ASN305",
                    where,
                    f"{_plural(len(plain), 'exposure')} ({_names(plain)}) "
                    "that are not time series: calwebb_tso3 aborts when the first is not",
                    "use image3 or spec3",
                )


# --------------------------------------------------------------------------- membership
def _membership(doc: _Doc) -> None:
    pipeline = doc.pipeline
    products = doc.asn.products
    for i, product in enumerate(products):
        where = f"products[{i}]"
        if not product.members:
            continue  # ASN001 (schema) already says it
        n_science = sum(m.role == "science" for m in product.members)
        if doc.level == 2 and n_science != 1:
            # calwebb_image2/spec2: "Wrong number of science exposures found ... Using only
            # first one." (and an IndexError without any).
            effect = (
                "the pipeline fails (no science to calibrate)"
                if not n_science
                else "calwebb uses only the first and ignores the others"
            )
            doc.add(
                "ASN401",
                where,
                f"a Level 2 product holds {n_science} science members: {effect}",
                "make one product per science exposure",
            )
        if doc.level == 3 and pipeline is not None and n_science == 0:
            # coron3/ami3: "No science target members found in association table";
            # image3/tso3/spec3 load nothing to process.
            doc.add(
                "ASN402",
                where,
                f"the product has no science member: {pipeline.name} has nothing to process",
                "mark the science exposures with exptype 'science'",
            )
        if pipeline is not None and pipeline.asn_type == "wfs-image3" and 0 < n_science < 2:
            # WfsCombineStep combines science_members[0] and [1] of every product.
            doc.add(
                "ASN402",
                where,
                "calwebb_wfs-image3 combines two science members per "
                f"product, this one has {n_science}",
                "add the other exposure of the pair",
            )
        _duplicates(doc, i, product)
    if pipeline is not None and pipeline.level == 3 and not pipeline.all_products:
        if len(products) > 1:
            # Level 3 pipelines read asn["products"][0] only (ModelLibrary, ModelContainer,
            # calwebb_ami3): the other products are never processed.
            doc.add(
                "ASN403",
                "products",
                f"{len(products)} products: {pipeline.name} processes only the first",
                "write one association per product",
            )
        first = products[0] if products else None
        roles = {m.role for m in first.members} if first is not None else set()
        if pipeline.asn_type == "coron3" and first is not None and "psf" not in roles:
            # calwebb_coron3: "No reference PSF members found in association table" -> abort.
            doc.add(
                "ASN404",
                "products[0]",
                "no psf member: calwebb_coron3 aborts "
                "('No reference PSF members found in association table')",
                "add the reference-star exposures with exptype 'psf'",
            )
        if pipeline.asn_type == "ami3" and first is not None and "psf" not in roles:
            # calwebb_ami3: "No PSF reference members ... ami_normalize step will be skipped".
            doc.add(
                "ASN405",
                "products[0]",
                "no psf member: calwebb_ami3 skips ami_normalize (no calibrated _aminorm product)",
                "add the reference-star exposures with exptype 'psf'",
            )
    if pipeline is not None and pipeline.level == 2:
        for i, product in enumerate(products):
            _wfss(doc, i, product)


def _wfss(doc: _Doc, i: int, product: Product) -> None:
    # calwebb_spec2 for WFSS_TYPES reads members_by_type["sourcecat"][0], ["segmap"][0] and
    # ["direct_image"][0]; without a source catalogue it raises
    # IndexError("No source catalog specified in association or datamodel").
    if doc.pipeline is None or "sourcecat" not in doc.pipeline.reads:
        return
    exp_types = {f.exp_type for _, f in doc.science(i)}
    roles = {m.role for m in product.members}
    wfss = bool(exp_types & WFSS_EXP_TYPES)
    some = bool(roles & set(_CATALOG_ROLES))
    if not (wfss or some):
        return
    missing = [r for r in _CATALOG_ROLES if r not in roles]
    if wfss and "sourcecat" in missing:
        doc.add(
            "ASN406",
            f"products[{i}]",
            "a WFSS exposure without sourcecat member: "
            "calwebb_spec2 stops ('No source catalog specified in association or "
            "datamodel')",
            "add the _cat.ecsv, _segm.fits and _i2d.fits of the direct "
            "image's Level 3 product (to_association(..., catalog=product name))",
        )
    elif missing:
        doc.add(
            "ASN407",
            f"products[{i}]",
            f"no {' or '.join(missing)} member: "
            "calwebb_spec2 takes the source catalogue, segmentation map and direct "
            "image of WFSS data from the association",
            "add all three (to_association(..., catalog=product name))",
        )


def _duplicates(doc: _Doc, i: int, product: Product) -> None:
    # ModelLibrary/ModelContainer load every listed member: an exposure listed twice is
    # used twice (double weight in resample and outlier detection).
    seen: dict[tuple[str, str], int] = {}
    for j, member in enumerate(product.members):
        if not isinstance(member.expname, str):
            continue
        key = (exposure_key(member.expname), member.role)
        if key in seen:
            doc.add(
                "ASN408",
                f"products[{i}].members[{j}]",
                f"{member.expname!r} is "
                f"already products[{i}].members[{seen[key]}] (same exposure and role)",
                "remove the repeated member",
            )
        else:
            seen[key] = j


# --------------------------------------------------------------------------- member names
def _suffixes(doc: _Doc) -> None:
    pipeline = doc.pipeline
    if pipeline is None:
        return
    for i, product in enumerate(doc.asn.products):
        for j, member in enumerate(product.members):
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
            elif pipeline.level == 2 and role not in _CATALOG_ROLES:
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


def _folders(doc: _Doc) -> None:
    # ModelLibrary opens members as asn_dir / expname: a folder in expname works only
    # while the association stays where it is relative to its members.
    folders: dict[str, None] = {}
    for i, product in enumerate(doc.asn.products):
        for j, member in enumerate(product.members):
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


def _product_names(doc: _Doc) -> None:
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
        if name != name.lower() or name.lower().endswith(_EXTENSIONS):
            doc.add(
                "ASN605",
                where,
                f"product name {name!r}: DMS names are lower case "
                "without extension (the pipeline adds _<suffix>.fits)",
                f"e.g. {_plain_name(name)!r}",
            )


def _plain_name(name: str) -> str:
    base = name.lower()
    for ext in _EXTENSIONS:
        base = base.removesuffix(ext)
    out = "".join(c if c in _NAME_CHARACTERS else "_" for c in base.replace("/", "_"))
    return "_".join(filter(None, out.split("_"))) or "product"


def _files(doc: _Doc) -> None:
    # ModelLibrary/ModelContainer open asn_dir / expname: a missing file stops the pipeline
    # (OSError) when it is loaded, often after hours of earlier steps.
    if doc.folder is None and doc.available is None:
        return
    missing: list[tuple[int, int, str]] = []
    for i, product in enumerate(doc.asn.products):
        for j, member in enumerate(product.members):
            name = member.expname
            if not isinstance(name, str):
                continue
            if doc.available is not None:
                found = (
                    os.path.normpath(name) in doc.available
                    or os.path.basename(name) in doc.available
                )
            else:
                found = (doc.folder / name).is_file()
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


_CHECKS = (
    _document_faults,
    _roles,
    _capitals,
    _mixing,
    _exposure_types,
    _membership,
    _suffixes,
    _folders,
    _product_names,
    _files,
)


def _files_argument(files: Any) -> tuple[Path | None, set[str] | None]:
    if files is None or files is False:
        return None, None
    if isinstance(files, (str, os.PathLike)):
        return Path(files), None
    names = {os.path.normpath(os.fspath(f)) for f in files}
    return None, names | {os.path.basename(n) for n in names}


def check(
    asn_or_set: Association | AssociationSet | Mapping[str, Any] | Iterable[Association],
    *,
    pool: pd.DataFrame | None = None,
    files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
) -> Findings:
    """What calwebb (jwst 3.0.0) would do differently from what the association says.

    Parameters
    ----------
    asn_or_set : Association, dict or AssociationSet
        What to check; for a set, each association (findings name their file).
    pool : DataFrame, optional
        The pool the members come from: gives exposure types, filters, pupils,
        gratings, targets and time-series flags (members are matched by name
        without suffix). Without it, checks use the member file names (detector,
        instrument, NIRCam channel) and the headers of ``files``.
    files : folder or list of paths, optional
        The folder the association lives in (members are looked for there, as the
        pipeline does, and their FITS headers are read), or the list of files
        that exist. Missing members are reported (``ASN701``).

    Returns
    -------
    Findings
        Errors, then warnings, then infos; ``.ok`` when there is no error,
        ``.frame`` as a DataFrame, one line per finding as text. The codes and
        what each protects against: :data:`asnkit.documents.findings.CODES`.

    Examples
    --------
    >>> from asnkit.documents.build import from_files
    >>> asn = from_files(["jw01234001001_02101_00001_nrca1_uncal.fits",
    ...                   "jw01234001001_02101_00001_nrcalong_cal.fits"],
    ...                  product_name="My Mosaic")
    >>> for finding in check(asn):
    ...     print(finding.code, finding.severity.value, finding.path)
    ASN202 error products[0]
    ASN501 error products[0].members[0]
    ASN604 warning products[0].name
    ASN605 info products[0].name
    """
    if isinstance(asn_or_set, Association):
        items = [asn_or_set]
    elif isinstance(asn_or_set, Mapping):
        items = [Association.from_dict(asn_or_set)]
    else:
        items = list(AssociationSet(asn_or_set))
    index = PoolIndex(pool) if pool is not None else None
    folder, available = _files_argument(files)
    findings: list[Finding] = []
    for asn in items:
        doc = _Doc(asn, index, folder, available)
        for step in _CHECKS:
            step(doc)
        findings.extend(doc.findings)
    if len(items) > 1:
        # Products of one set write files named after them: two products with one name
        # overwrite each other's outputs (jwst itself does it for some wfs-image3 pairs).
        for fault in iter_errors(AssociationSet(items)):
            if "is also used by" in fault.message:
                name, _, path = fault.path.partition(":")
                findings.append(
                    Finding(
                        "ASN003",
                        path,
                        fault.message + ": run in one folder, their outputs overwrite each other",
                        "give every product its own name",
                        asn=name,
                    )
                )
    return Findings(findings)
