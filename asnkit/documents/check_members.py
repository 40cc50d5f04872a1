"""Checks on member roles, mixing, exposure types and membership (see :func:`asnkit.check`).

Each check takes a :class:`~asnkit.documents.check_context.CheckedAssociation`
and adds findings; each cites the jwst 3.0.0 behaviour it protects against.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from asnkit.dms import exposures as dms
from asnkit.dms.names import exposure_key
from asnkit.documents.check_context import CheckedAssociation, member_list, plural
from asnkit.documents.parts import Member, Product
from asnkit.documents.pipelines import CATALOG_ROLES, WFSS_EXP_TYPES, Pipeline
from asnkit.documents.validation import KNOWN_EXPTYPES

__all__ = [
    "check_backgrounds",
    "check_capitals",
    "check_exposure_types",
    "check_membership",
    "check_mixing",
    "check_pool",
    "check_roles",
]

#: Roles jwst writes for the record, which no Level 3 pipeline reads.
_RECORD_ROLES = frozenset({"target_acquisition", "autoflat", "autowave"})


# --------------------------------------------------------------------------- roles
def check_roles(doc: CheckedAssociation) -> None:
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
        for member in product.members():
            by_role.setdefault(member.role, []).append(member)
        for role, members in by_role.items():
            if role == "science" or role not in KNOWN_EXPTYPES:
                continue  # unknown roles are ASN001 (the document)
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
                    f"{plural(n, role + ' member')}: {pipeline.name} does not use "
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
                    f"{plural(n, role + ' member')} ({member_list(members)}): {pipeline.name} "
                    "does not read them (kept for the record, as jwst does)",
                )
                continue
            # calwebb_image3/tso3 load only science members (asn_exptypes=["science"]),
            # spec3 science+background, coron3 science+psf, ami3 science+psf; image2 and
            # spec2 read their roles per product; anything else is silently dropped.
            doc.add(
                "ASN101",
                f"products[{i}]",
                f"{plural(n, role + ' member')}: {pipeline.name} reads only "
                f"{' and '.join(sorted(pipeline.reads & {'science', 'background', 'psf'}))} "
                f"members, so {'it is' if n == 1 else 'they are'} ignored",
                _role_hint(role, pipeline),
            )


def _role_hint(role: str, pipeline: Pipeline) -> str:
    if role == "background" and pipeline.level == 3:
        return (
            "subtract backgrounds in Level 2: make image2 associations (one product per "
            "science exposure, holding these background members), run calwebb_image2 on "
            "them, and leave the background exposures out of the Level 3 association"
        )
    if role == "psf":
        return "psf members are read by coron3 and ami3: use one of those types, or drop them"
    return f"drop the {role} members, or use an association type whose pipeline reads them"


def check_capitals(doc: CheckedAssociation) -> None:
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
            f"{plural(len(odd), 'member')} with exptype {odd[0].exptype!r}: jwst keeps only "
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


def check_mixing(doc: CheckedAssociation) -> None:
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


#: What a Level 2 background must share with its science exposure, as jwst's
#: Constraint_Mode (associations/lib/rules_level2_base.py) has the members of its Level 2
#: associations share them (detector; filter or band; pupil or grating); the one rule
#: without it, Asn_Lv2MIRLRSFixedSlitNod, pairs nods of one detector and filter anyway.
_SAME_AS_SCIENCE = ("instrument", "detector", "filter", "pupil", "grating")


def check_backgrounds(doc: CheckedAssociation) -> None:
    # calwebb_image2 / calwebb_spec2 subtract the background members from the science
    # exposure of their product: one of another detector or optical element gives a wrong
    # result without an error
    if doc.level != 2:
        return
    for i, product in enumerate(doc.asn.products):
        science = doc.science(i)
        if len(science) != 1:
            continue  # ASN401
        facts = science[0][1]
        for j, (member, other) in enumerate(zip(product.members(), doc.facts[i], strict=True)):
            if member.role != "background":
                continue
            differ = [
                (name, getattr(other, name), getattr(facts, name))
                for name in _SAME_AS_SCIENCE
                if getattr(other, name) and getattr(facts, name)
                and getattr(other, name) != getattr(facts, name)
            ]  # fmt: skip
            if differ:
                said = ", ".join(f"{name} {theirs} (science: {ours})" for name, theirs, ours
                                 in differ)  # fmt: skip
                doc.add(
                    "ASN207",
                    f"products[{i}].members[{j}]",
                    f"background {member.expname} differs from the science exposure of its "
                    f"product in {said}: {doc.pipeline.name if doc.pipeline else 'the pipeline'}"
                    " would subtract it all the same",
                    "give each science exposure backgrounds of its own detector and optical "
                    "elements (select them together: pool.asn.select(detector=..., filter=...))",
                )


# --------------------------------------------------------------------------- exposure types
def check_exposure_types(doc: CheckedAssociation) -> None:
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
                f"{plural(len(spectra), 'spectroscopic exposure')} "
                f"({member_list(spectra)}) in {pipeline.asn_type}: {pipeline.name} treats "
                "them as images",
                "use spec2 / spec3 for spectra",
            )
        images = some(lambda f: f.is_imaging)
        if pipeline.family == "spectrum" and images:
            # calwebb_spec2/spec3 extract spectra: images give no spectrum (extract_2d fails).
            doc.add(
                "ASN302",
                where,
                f"{plural(len(images), 'imaging exposure')} "
                f"({member_list(images)}) in {pipeline.asn_type}: {pipeline.name} extracts "
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
                    f"{plural(len(other), 'science exposure')} "
                    f"({member_list(other)}) that {pipeline.name} is not made for: it expects "
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
                f"{plural(len(found), 'time-series exposure')} "
                f"({member_list(found)}) in {pipeline.asn_type}",
                "use tso3 (Level 3) or tso-image2 / tso-spec2 (Level 2)",
            )
        if pipeline.asn_type == "tso3":
            plain = some(lambda f: f.is_time_series is False)
            if plain:
                # calwebb_tso3: "INPUT DATA ARE NOT TSO MODE. ABORTING PROCESSING."
                doc.add(
                    "ASN305",
                    where,
                    f"{plural(len(plain), 'exposure')} ({member_list(plain)}) "
                    "that are not time series: calwebb_tso3 aborts when the first is not",
                    "use image3 or spec3",
                )


# --------------------------------------------------------------------------- membership
def check_membership(doc: CheckedAssociation) -> None:
    pipeline = doc.pipeline
    products = doc.asn.products
    for i, product in enumerate(products):
        where = f"products[{i}]"
        if not product.members():
            continue  # ASN001 (schema) already says it
        n_science = sum(m.role == "science" for m in product.members())
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
        roles = {m.role for m in first.members()} if first is not None else set()
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


def _wfss(doc: CheckedAssociation, i: int, product: Product) -> None:
    # calwebb_spec2 for WFSS_TYPES reads members_by_type["sourcecat"][0], ["segmap"][0] and
    # ["direct_image"][0]; without a source catalogue it raises
    # IndexError("No source catalog specified in association or datamodel").
    if doc.pipeline is None or "sourcecat" not in doc.pipeline.reads:
        return
    exp_types = {f.exp_type for _, f in doc.science(i)}
    roles = {m.role for m in product.members()}
    wfss = bool(exp_types & WFSS_EXP_TYPES)
    some = bool(roles & set(CATALOG_ROLES))
    if not (wfss or some):
        return
    missing = [r for r in CATALOG_ROLES if r not in roles]
    if wfss and "sourcecat" in missing:
        doc.add(
            "ASN406",
            f"products[{i}]",
            "a WFSS exposure without sourcecat member: "
            "calwebb_spec2 stops ('No source catalog specified in association or "
            "datamodel')",
            "add the source catalogue (_cat.ecsv), segmentation map (_segm.fits) and "
            "direct image (_i2d.fits) of the direct images' Level 3 product",
        )
    elif missing:
        doc.add(
            "ASN407",
            f"products[{i}]",
            f"no {' or '.join(missing)} member: "
            "calwebb_spec2 takes the source catalogue, segmentation map and direct "
            "image of WFSS data from the association",
            "add all three, from the direct images' Level 3 product",
        )


def _duplicates(doc: CheckedAssociation, i: int, product: Product) -> None:
    # ModelLibrary/ModelContainer load every listed member: an exposure listed twice is
    # used twice (double weight in resample and outlier detection).
    seen: dict[tuple[str, str], int] = {}
    for j, member in enumerate(product.members()):
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


# --------------------------------------------------------------------------- the pool
def check_pool(doc: CheckedAssociation) -> None:
    """Exposure members the given pool does not list: checked against another pool?

    Without their pool rows, the checks that need exposure types and filters fall
    back on file names and see less; a wrong ``pool=`` would pass silently.
    Catalogues and Level 3 products (WFSS sourcecat, segmap, direct_image) are
    not pool rows and are not counted.
    """
    if doc.pool is None:
        return
    members = [m for m in doc.asn.members() if m.role not in CATALOG_ROLES]
    missing = [m for m in members if str(m.expname) not in doc.pool]
    if not missing:
        return
    pool = doc.pool.name or "the given pool"
    message = f"{len(missing)} of {len(members)} exposure members not in {pool}"
    recorded = doc.asn.asn_pool
    if recorded and doc.pool.name and str(recorded) != doc.pool.name:
        message += f" (the association's asn_pool is {recorded})"
    doc.add(
        "ASN801",
        "products",
        message + f": {member_list(missing)}",
        "check against the pool the association was made from",
    )
