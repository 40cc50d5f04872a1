"""Associations from pool rows (:func:`to_association`) or file lists (:func:`asn_from_files`).

Both fill every field the pipeline reads, in its key order: ``asn_type``,
``asn_rule``, ``version_id``, ``code_version``, ``degraded_status``,
``program``, ``constraints``, ``asn_id``, ``target``, ``asn_pool`` and
``products``. Member names follow the pipeline: a pool's ``*_uncal.fits``
becomes ``*_cal.fits`` in Level 3 (``_calints`` for coronagraphy, AMI and
TSO; ``_x1d`` for spectroscopic backgrounds; ``_rate`` when the exposure gets
no Level 2b processing) and ``*_rate.fits`` (``_rateints``) in Level 2.

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> asn = to_association(pool, asn_type="image3")
>>> asn.filename, asn.products[0].name
('jw99009-o001_image3_00001_asn.json', 'jw99009-o001_t001_miri_f560w')
>>> asn.expnames[:2]
['jw_00001_cal.fits', 'jw_00002_cal.fits']
>>> lv2 = to_association(pool, asn_type="image2")
>>> len(lv2.products), lv2.products[0].members()[0].expname
(8, 'jw_00001_rate.fits')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from asnkit.deprecation import renamed
from asnkit.dms.candidates import observation_id, parse_candidates
from asnkit.dms.exposures import exposure_type, uses_integrations
from asnkit.dms.identifiers import ASN_ID, ASN_TYPE, PROGRAM, VERSION_ID
from asnkit.dms.members import (
    DEGRADED_NOTOK,
    DEGRADED_OK,
    MEMBER_TYPES,
    degraded_status,
    level2_name,
    level3_name,
    wfss_catalog_members,
)
from asnkit.dms.names import (
    asn_filename,
    file_stem,
    format_program,
    format_target,
    is_junk_name,
    parse_exposure_name,
    strip_suffix,
    version_timestamp,
)
from asnkit.dms.names import product_name as dms_product_name
from asnkit.dms.values import is_empty, text_row
from asnkit.documents.layout import level_of
from asnkit.documents.member_folders import warn_folders
from asnkit.documents.model import Association
from asnkit.documents.paths import PathMode, member_path
from asnkit.documents.validation import member_role, validate
from asnkit.engine.naming import as_rule_forms
from asnkit.errors import AssociationError, AssociationTypeError, PoolKeyError
from asnkit.pool.select import column_error
from asnkit.version import code_version

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from asnkit.rules.model import Rule

__all__ = [
    "DEGRADED",
    "NOT_DEGRADED",
    "ROLES",
    "asn_from_files",
    "exposure_role",
    "level2_name",
    "level3_name",
    "to_association",
]

#: ``degraded_status`` when no member has an exposure error.
NOT_DEGRADED = DEGRADED_OK
#: ``degraded_status`` when some member has an exposure error.
DEGRADED = DEGRADED_NOTOK
#: Roles a user can give members (``roles=``); the member types the pipeline knows.
ROLES = frozenset(MEMBER_TYPES)


def _text(value: Any) -> str:
    return "" if is_empty(value) else str(value).strip()


def _low(row: Mapping[str, Any], key: str) -> str:
    return _text(row.get(key)).lower()


def exposure_role(row: Mapping[str, Any]) -> str:
    """The member type of a pool row, as the DMS decides it (:func:`asnkit.dms.exposure_type`).

    A non-science pointing type (``pntgtype``) is the role (``target_acquisition``);
    exposure types that are not science have theirs (target acquisitions,
    NIRSpec auto flats and waves); then the first set flag of ``is_psf`` (psf),
    ``is_imprt`` (imprint) and ``bkgdtarg`` (background); else ``science``.
    Roles that are no member type (``dark``, ``flat``, ``engineering``) are
    ``science``: such a row calibrated alone is the science of its association.

    Examples
    --------
    >>> exposure_role({"exp_type": "nrc_tacq"}), exposure_role({"exp_type": "x", "bkgdtarg": "T"})
    ('target_acquisition', 'background')
    >>> exposure_role({"pntgtype": "science", "is_psf": "f", "exp_type": "nrc_coron"})
    'science'
    """
    item = text_row(row)
    if is_empty(item.get("exp_type")):  # the DMS cannot tell: pointing type and flags
        item["exp_type"] = "unknown"
    role = exposure_type(item)
    return role if role in MEMBER_TYPES else "science"


def _uses_integrations(row: Mapping[str, Any]) -> bool:
    return uses_integrations(text_row(row))


def _role_lookup(
    roles: Mapping[str, str] | Callable[[Mapping[str, Any]], str | None] | str | None,
    df: pd.DataFrame,
) -> Callable[[Mapping[str, Any]], str | None]:
    """A function row -> user role (or None)."""
    if roles is None:
        return lambda row: None
    if callable(roles):
        return roles
    if isinstance(roles, str):
        if roles not in df.columns:
            raise PoolKeyError(f"roles={roles!r}: {column_error(df, roles)}")
        column = roles
        return lambda row: None if is_empty(row.get(column)) else str(row[column])
    if not isinstance(roles, Mapping):
        raise AssociationTypeError(
            "to_association: roles must be a mapping {file name: role}, a function "
            f"row -> role or the name of a column, not {type(roles).__name__} {roles!r}"
        )
    by_key = {strip_suffix(str(name)).lower(): role for name, role in roles.items()}
    return lambda row: by_key.get(strip_suffix(str(row.get("filename", ""))).lower())


def _common(rows: list[Mapping[str, Any]], key: str) -> list[str]:
    """The distinct set values of a column, in order of appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        value = _text(row.get(key))
        if value:
            seen[value] = None
    return list(seen)


def _default_asn_id(rows: list[Mapping[str, Any]]) -> str:
    shared: list[str] | None = None
    for row in rows:
        ids = [cid.lower() for cid, _ in parse_candidates(_text(row.get("asn_candidate")) or None)]
        shared = ids if shared is None else [i for i in shared if i in ids]
    if shared:
        observations = [i for i in shared if i.startswith("o")]
        return (observations or shared)[0]
    obs = _common(rows, "obs_num")
    if len(obs) == 1 and obs[0].isdigit():
        return observation_id(obs[0])
    return "a3001"


def _exposures(df: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows of ``df`` that :func:`_records` kept, in its order (a new frame, attrs kept)."""
    names = df["filename"].map(lambda v: _text(v))
    wanted = [str(row["filename"]).strip() for row in rows]
    first = {}
    for position, name in enumerate(names):
        first.setdefault(name, position)
    out = df.iloc[[first[name] for name in wanted]].copy()
    out.attrs = dict(df.attrs)
    return out


def _asn_id_of(asn_id: str | None, rows: list[dict[str, Any]]) -> str:
    """The association id before roles are known: given, or the rows' shared candidate."""
    return (asn_id or _default_asn_id(rows)).lower()


def _constraints_text(rows: list[Mapping[str, Any]], n_rows: int) -> str:
    lines = [f"asnkit: built from {n_rows} pool row{'s' if n_rows != 1 else ''}"]
    for key in ("program", "instrume", "detector", "exp_type", "filter", "pupil", "grating",
                "fxd_slit", "subarray"):  # fmt: skip
        values = _common(rows, key)
        if values:
            lines.append(f"{key}: {'|'.join(v.lower() for v in values)}")
    return "\n".join(lines)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts: junk rows (file names with blanks) and repeated files left out."""
    if "filename" not in df.columns:
        raise PoolKeyError(column_error(df, "filename"))
    out, seen = [], set()
    for row in df.to_dict(orient="records"):
        name = _text(row.get("filename"))
        if name and not is_junk_name(name) and name not in seen:
            seen.add(name)
            out.append(row)
    return out


def to_association(
    df: pd.DataFrame,
    *,
    asn_type: str | None = None,
    rule: Rule | None = None,
    product_name: str | None = None,
    roles: Mapping[str, str] | Callable[[Mapping[str, Any]], str | None] | str | None = None,
    asn_id: str | None = None,
    asn_rule: str | None = None,
    version_id: str | bool | None = None,
    target: str | int | None = None,
    program: str | int | None = None,
    catalog: str | None = None,
    path_mode: PathMode | str = PathMode.AS_GIVEN,
    folder: str | os.PathLike[str] | None = None,
    sequence: int = 1,
    check: bool = True,
) -> Association:
    """An association of the selected pool rows.

    Parameters
    ----------
    df : DataFrame
        Pool rows (see :func:`asnkit.read_pool`); junk rows are skipped. The
        frame is not changed.
    asn_type : str, optional
        ``image3``, ``spec3``, ``coron3``, ``ami3``, ``tso3``... make one Level 3
        product with every row; ``image2``, ``spec2``, ``tso-image2``... make
        one Level 2 product per science exposure, each holding the other
        (non-science) members too. Default: the rule's, else ``image3``.
    rule : Rule, optional
        The rule the association is meant to follow (e.g. ``dms_rule("Asn_Lv3MIRMRS")``):
        the Level 3 product is named as generation names that rule's associations
        (from the values its conditions collect from the rows), and ``asn_rule``
        says ``candidate_<rule>`` (``discover_<rule>`` for ``a3001``).
    product_name : str, optional
        Level 3 product name; by default the rule's name for these rows, else the
        DMS name ``jw{program}-{asn_id}_{target}_{instrument}_{optical elements}``
        ``[-{slit}][-{subarray}]``. Level 2 products are named after their science
        exposure.
    roles : mapping, callable or str, optional
        Member types given by the user: ``{file name: role}`` (names match
        without folder, extension and suffix), a function ``row -> role or None``,
        or the name of a column holding roles. Roles: background, imprint, psf,
        target_acquisition, selfcal, science, direct_image, sourcecat, segmap...
        Rows without a user role get the pipeline's (:func:`exposure_role`).
    asn_id : str, optional
        Default: the candidate shared by all rows (observations first), else
        ``o{obs_num}`` when all rows share one observation, else ``a3001``.
    asn_rule, version_id, target, program : optional
        Header values; by default ``asnkit_{asn_type}``, null, the rows' target
        id and program. ``version_id=True`` makes a UTC timestamp, as
        ``asn_generate --version-id`` does.
    catalog : str, optional
        WFSS Level 2 only: the Level 3 image product whose ``_i2d.fits``,
        ``_cat.ecsv`` and ``_segm.fits`` become the ``direct_image``,
        ``sourcecat`` and ``segmap`` members of every product.
    path_mode : PathMode or str
        How to write member names (see :class:`~asnkit.documents.paths.PathMode`).
    folder : path, optional
        The association's folder, for ``path_mode="relative"`` / ``"absolute"``.
    sequence : int
        Sequence number of the DMS file name.
    check : bool
        Validate the result (:func:`asnkit.validate`).

    Returns
    -------
    Association
        With ``filename`` = the DMS file name.

    Raises
    ------
    asnkit.AssociationError (a ValueError)
        No rows, no science member, an unknown role, or a role given to a file
        that is not among the rows.
    """
    if asn_type is None:
        asn_type = rule.asn_type if rule is not None else "image3"
    level = level_of(asn_type)
    if version_id is True:
        version_id = version_timestamp()
    rows = _records(df)
    if not rows:
        raise AssociationError("to_association: no pool rows selected")
    if isinstance(roles, Mapping):
        known = {strip_suffix(str(row["filename"])).lower() for row in rows}
        strays = [str(k) for k in roles if strip_suffix(str(k)).lower() not in known]
        if strays:
            raise AssociationError(
                f"to_association: roles given for {len(strays)} file(s) not among the "
                f"{len(rows)} rows: {strays[:5]}{' ...' if len(strays) > 5 else ''} "
                "(add their rows, or drop them from roles)"
            )
    user_role = _role_lookup(roles, df)
    formed = None
    if rule is not None:
        formed = as_rule_forms(rule, _exposures(df, rows), _asn_id_of(asn_id, rows))
    for position, row in enumerate(rows):
        given = user_role(row)
        where = f"row {row['filename']!r}"
        if given:
            row["_role"] = member_role(given, where)
        elif formed is not None and position in formed.roles:
            row["_role"] = formed.roles[position]  # as the rule makes it a member
        else:
            row["_role"] = exposure_role(row)
    science = [r for r in rows if r["_role"] == "science"]
    if not science:
        found = ", ".join(sorted({r["_role"] for r in rows}))
        raise AssociationError(
            f"to_association: none of the {len(rows)} rows is a science exposure (roles from "
            f"the pool flags: {found}); mark the science rows with roles={{file: 'science'}}"
        )

    programs = _common(rows, "program")
    if program is None and not programs:
        raise AssociationError(
            "to_association: the rows have no program; pass program=",
            errors=[("program", "missing")],
        )
    program_text = format_program(program if program is not None else programs[0])
    asn_id = (asn_id or _default_asn_id(science)).lower()
    _check_name_parts(
        "to_association",
        program=(program_text, "program=" if program is not None else "the rows' program"),
        asn_id=(asn_id, "asn_id="),
        asn_type=(asn_type, "asn_type="),
        version_id=(version_id, "version_id="),
    )
    if level == 3 and not product_name and formed is not None:
        product_name = formed.product_name
    targets = _common(science, "targetid")
    raw_target = target if target is not None else (targets[0] if targets else None)
    pool_name = df.attrs.get("asn_pool")
    spectroscopic = "spec" in asn_type.lower()

    def expname(row: Mapping[str, Any]) -> str:
        name = str(row["filename"]).strip()
        integrations = _uses_integrations(row)
        if level == 2:
            name = level2_name(name, integrations=integrations)
        else:
            name = level3_name(
                name,
                exp_type=_low(row, "exp_type") or None,
                role=row["_role"],
                integrations=integrations,
                background_x1d=spectroscopic,
            )
        return member_path(name, path_mode, folder=folder)

    def member(row: Mapping[str, Any]) -> dict[str, Any]:
        out = {
            "expname": expname(row),
            "exptype": row["_role"],
            "exposerr": _text(row.get("exposerr")) or None,
        }
        if level == 3:
            out["asn_candidate"] = _text(row.get("asn_candidate")) or "[]"
        return out

    if level == 3:
        name = product_name or dms_product_name(
            program_text,
            asn_id,
            raw_target,
            "-".join(v.lower() for v in _common(science, "instrume")) or "unknown",
            _common(science, "filter") + _common(science, "pupil") + _common(science, "grating"),
            slit="-".join(_common(science, "fxd_slit")) or None,
            subarray="-".join(_common(science, "subarray")) or None,
        )
        products = [{"name": name, "members": [member(r) for r in rows]}]
        header_target = format_target(raw_target)
    else:
        others = [member(r) for r in rows if r["_role"] != "science"]
        if catalog:
            others += wfss_catalog_members(catalog)
        if product_name and len(science) != 1:
            raise AssociationError(
                f"to_association: product_name names one product, but {asn_type} makes one "
                f"product per science exposure ({len(science)} here)"
            )
        products = []
        for row in science:
            first = member(row)
            name = product_name or strip_suffix(file_stem(first["expname"]))
            products.append({"name": name, "members": [first, *others]})
        header_target = _text(raw_target) or "none"

    errors = [m.get("exposerr") for p in products for m in p["members"]]
    if asn_rule is None and rule is not None:
        prefix = "discover" if asn_id == "a3001" else "candidate"
        asn_rule = f"{prefix}_{rule.name}"
    asn = Association.new(
        asn_type=asn_type,
        level=level,
        asn_rule=asn_rule or f"asnkit_{asn_type}",
        version_id=version_id,
        code_version=code_version(),
        degraded_status=degraded_status(errors),
        program=program_text,
        constraints=_constraints_text(rows, len(rows)),
        asn_id=asn_id,
        target=header_target,
        asn_pool=str(pool_name) if pool_name else "none",
        products=products,
        filename=asn_filename(program_text, asn_id, asn_type, sequence, version_id),
    )
    if check:
        validate(asn, warn_paths=False, paths=path_mode)
        if PathMode(path_mode) not in _MEANT_PATHS:
            warn_folders(asn, "to_association")
    return asn


def _check_name_parts(function: str, **parts: tuple[Any, str]) -> None:
    """Refuse values that are not DMS identifiers: they make the file name.

    ``parts`` maps ``program``/``asn_id``/``asn_type``/``version_id`` to
    ``(value, where it came from)``; a ``None`` version id is fine.
    """
    for key, (value, where) in parts.items():
        if key == "version_id" and not value:
            continue
        problem = _NAME_PARTS[key].problem(value)
        if problem:
            raise AssociationError(
                f"{function}: {where} {problem} (association file names are made of it)",
                errors=[(key, problem)],
            )


_NAME_PARTS = {"program": PROGRAM, "asn_id": ASN_ID, "asn_type": ASN_TYPE, "version_id": VERSION_ID}


#: Path modes that put folders in member names on purpose (no warning then).
_MEANT_PATHS = (PathMode.ABSOLUTE, PathMode.RELATIVE)


def asn_from_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    asn_type: str = "image3",
    product_name: str | None = None,
    roles: Mapping[str, str] | None = None,
    asn_id: str | None = None,
    asn_rule: str | None = None,
    program: str | int | None = None,
    target: str | None = None,
    version_id: str | None = None,
    path_mode: PathMode | str = PathMode.AS_GIVEN,
    folder: str | os.PathLike[str] | None = None,
    check: bool = True,
) -> Association:
    """An association of plain files: the job of jwst's ``asn_from_list``.

    Level 3 types make one product named ``product_name`` (required, as in
    ``asn_from_list``); Level 2 types make one product per science file,
    named after the file without folder and suffix (``asn_from_list`` keeps
    the folder in the name). Members are ``{"expname", "exptype"}`` as
    ``asn_from_list`` writes them; ``roles`` maps file names (with or without
    suffix) to member types (default ``science``).

    The header is filled like ``asn_from_list`` does, with better defaults:
    ``asn_type`` as asked (``asn_from_list`` writes ``"None"``), ``program``
    and ``asn_id`` read from DMS file names (``jw01234001001_...`` → ``01234``,
    ``o001``) when all files agree, else ``noprogram`` and ``a3001``;
    ``target`` and ``asn_pool`` ``none``.

    Examples
    --------
    >>> asn = asn_from_files(["jw01234001001_02101_00001_nrca1_cal.fits",
    ...                   "jw01234001001_02101_00002_nrca1_cal.fits"],
    ...                  product_name="my_mosaic")
    >>> asn.program, asn.asn_id, asn.filename
    ('01234', 'o001', 'jw01234-o001_image3_00001_asn.json')
    >>> asn_from_files(["a_rate.fits", "b_rate.fits"], asn_type="image2").product_names
    ['a', 'b']
    """
    level = level_of(asn_type)
    names = [os.fspath(p) for p in paths]
    if not names:
        raise AssociationError("asn_from_files: no files given")
    if level == 3 and not product_name:
        raise AssociationError(
            "asn_from_files: a Level 3 association needs product_name "
            "(the name of the combined product, e.g. 'my_mosaic')"
        )
    if roles is not None and not isinstance(roles, Mapping):
        raise AssociationTypeError(
            "asn_from_files: roles must be a mapping {file name: role}, "
            f"not {type(roles).__name__} {roles!r}"
        )
    role_of = {strip_suffix(k).lower(): member_role(v, k) for k, v in (roles or {}).items()}
    unknown = set(role_of) - {strip_suffix(n).lower() for n in names}
    if unknown:
        raise AssociationError(
            f"asn_from_files: roles given for files not in the list: {sorted(unknown)}"
        )

    matches = [parse_exposure_name(n) for n in names]
    if program is None:
        found = {m[0] for m in matches if m}
        program = found.pop() if len(found) == 1 and all(matches) else "noprogram"
    if asn_id is None:
        found = {m[1] for m in matches if m}
        asn_id = f"o{found.pop()}" if len(found) == 1 and all(matches) else "a3001"

    def member(name: str) -> dict[str, Any]:
        return {
            "expname": member_path(name, path_mode, folder=folder),
            "exptype": role_of.get(strip_suffix(name).lower(), "science"),
        }

    members = [member(n) for n in names]
    if level == 3:
        products = [{"name": product_name, "members": members}]
    else:
        others = [m for m in members if m["exptype"] != "science"]
        products = [
            {"name": strip_suffix(m["expname"]), "members": [m, *others]}
            for m in members
            if m["exptype"] == "science"
        ]
        if product_name and len(products) == 1:
            products[0]["name"] = product_name
    program_text = format_program(program)
    _check_name_parts(
        "from_files",
        program=(program_text, "program="),
        asn_id=(asn_id.lower(), "asn_id="),
        asn_type=(asn_type, "asn_type="),
        version_id=(version_id, "version_id="),
    )
    asn = Association.new(
        asn_type=asn_type,
        level=level,
        asn_rule=asn_rule or ("DMS_Level3_Base" if level == 3 else "DMSLevel2bBase"),
        version_id=version_id,
        code_version=code_version(),
        degraded_status=NOT_DEGRADED,
        program=program_text,
        constraints="No constraints",
        asn_id=asn_id.lower(),
        target=target or "none",
        asn_pool="none",
        products=products,
        filename=asn_filename(program_text, asn_id, asn_type, 1, version_id),
    )
    if check:
        validate(asn, warn_paths=False, paths=path_mode)
        if PathMode(path_mode) not in _MEANT_PATHS:
            warn_folders(asn, "asn_from_files")
    return asn


#: Deprecated name (asnkit 0.1): ``asn_from_files``, as ``pool_from_files``.
from_files = renamed(asn_from_files, "from_files")
