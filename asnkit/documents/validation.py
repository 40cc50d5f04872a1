"""Validating association documents: JSON schema plus the rules the pipeline relies on.

The schemas (``asnkit/documents/schemas/asn_level2b.v1.json`` and
``asn_level3.v1.json``) require what the pipeline needs: non-empty
``products``, each with a ``name`` and non-empty ``members``, each member with
a string ``expname`` and ``exptype``. Beyond the schema:

- member exptypes are known (:data:`KNOWN_EXPTYPES`, case-insensitive);
- a Level 2 product holds exactly one science member;
- product names are unique within an association, and within a set;
- the header values an association's file name is made of (``program``,
  ``asn_id``, ``asn_type``, ``version_id``) are DMS identifiers
  (:mod:`asnkit.dms.identifiers`);
- member names (``expname``) hold no control characters and stay in the
  association's folder: no absolute paths (unless ``paths="absolute"`` or
  ``"as_given"``) and no ``..`` (unless ``paths="relative"`` or
  ``"as_given"``, where leading ``..`` are meant);
- :class:`~asnkit.AssociationWarning` when an expname carries a folder or the
  members live in different folders (only from :func:`validate`).

Every fault is a :class:`Fault` ``(path, message)`` with the JSON path in
dotted form (``products[0].members[3]``).

Examples
--------
>>> bad = {"asn_type": "image2", "products": [{"name": "a", "members": [
...     {"expname": "a_rate.fits", "exptype": "science"},
...     {"expname": "b_rate.fits", "exptype": "science"},
...     {"exptype": "science"}]}]}
>>> for fault in iter_errors(bad):
...     print(fault)
products[0].members[2]: 'expname' is required
products[0]: a Level 2 product holds exactly one science member, found 3
>>> is_valid(bad)
False
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any, NamedTuple

from asnkit.dms.identifiers import (
    ASN_ID,
    ASN_TYPE,
    PROGRAM,
    VERSION_ID,
    member_name_problem,
)
from asnkit.dms.members import MEMBER_TYPES
from asnkit.dms.names import format_program
from asnkit.documents.collection import AssociationSet
from asnkit.documents.layout import level_of
from asnkit.documents.model import Association
from asnkit.documents.paths import PathMode
from asnkit.errors import AssociationError, AssociationWarning, close_matches

__all__ = [
    "KNOWN_EXPTYPES",
    "SCHEMA_FILES",
    "Fault",
    "format_path",
    "is_valid",
    "iter_errors",
    "load_schema",
    "member_role",
    "path_warnings",
    "validate",
]

#: Member types the pipeline knows (compared lowercase).
KNOWN_EXPTYPES = frozenset(MEMBER_TYPES)


def member_role(role: object, where: str | None = None) -> str:
    """``role`` as a member type (lowercase), or an AssociationError naming close ones.

    ``where`` (a file name, a row) starts the message when given.

    Examples
    --------
    >>> member_role(" Science ")
    'science'
    >>> member_role("backgrnd", "x_cal.fits")
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: x_cal.fits: unknown role 'backgrnd' (did you mean: ...)
    """
    low = str(role).strip().lower()
    if low not in KNOWN_EXPTYPES:
        close = close_matches(low, sorted(KNOWN_EXPTYPES), n=3)
        hint = f"did you mean: {', '.join(close)}; " if close else ""
        prefix = f"{where}: " if where is not None else ""
        raise AssociationError(
            f"{prefix}unknown role {role!r} ({hint}known: {', '.join(sorted(KNOWN_EXPTYPES))})"
        )
    return low


#: Schema file (package data in ``asnkit/documents/schemas``) for each level.
SCHEMA_FILES = {2: "asn_level2b.v1.json", 3: "asn_level3.v1.json"}


class Fault(NamedTuple):
    """One fault in a document: the JSON path (``products[0].members[3]``) and a message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def format_path(parts: Iterable[Any]) -> str:
    """A JSON path in dotted form.

    Examples
    --------
    >>> format_path(["products", 0, "members", 3, "expname"])
    'products[0].members[3].expname'
    >>> format_path([])
    ''
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@functools.cache
def load_schema(level: int) -> dict[str, Any]:
    """The JSON schema of Level 2 (``2``) or Level 3 (``3``) associations."""
    if level not in SCHEMA_FILES:
        raise AssociationError(f"level must be 2 or 3, not {level!r}")
    text = resources.files("asnkit.documents").joinpath("schemas", SCHEMA_FILES[level])
    return json.loads(text.read_text(encoding="utf-8"))


@functools.cache
def _validator(level: int) -> Any:
    import jsonschema

    schema = load_schema(level)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


_JSON_TYPES: dict[str, Any] = {
    "string": str,
    "array": list,
    "object": dict,
    "null": type(None),
    "boolean": bool,
}


def _conforms(instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    """Fast yes/no check for the keywords our schemas use (jsonschema explains the no's).

    Handles ``$ref`` (local), ``type``, ``required``, ``properties``, ``items``,
    ``minItems`` and ``minLength``; anything else defers to jsonschema.
    """
    ref = schema.get("$ref")
    if ref is not None:
        node: Any = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return _conforms(instance, node, root)
    kind = schema.get("type")
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        if not any(isinstance(instance, _JSON_TYPES[k]) for k in kinds if k in _JSON_TYPES):
            return False
    if isinstance(instance, dict):
        if any(key not in instance for key in schema.get("required", ())):
            return False
        for key, sub in schema.get("properties", {}).items():
            if key in instance and not _conforms(instance[key], sub, root):
                return False
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            return False
        items = schema.get("items")
        if items is not None and not all(_conforms(v, items, root) for v in instance):
            return False
    if isinstance(instance, str) and len(instance) < schema.get("minLength", 0):
        return False
    return True


_KNOWN_KEYWORDS = frozenset(
    {"$schema", "$id", "title", "description", "$defs", "$ref", "type", "required",
     "properties", "items", "minItems", "minLength"}
)  # fmt: skip


def _schema_is_simple(schema: Any) -> bool:
    """Whether :func:`_conforms` understands every keyword of ``schema``."""
    if isinstance(schema, dict):
        if not set(schema) <= _KNOWN_KEYWORDS:
            return False
        nested = [*schema.get("properties", {}).values(), *schema.get("$defs", {}).values()]
        if "items" in schema:
            nested.append(schema["items"])
        return all(_schema_is_simple(s) for s in nested)
    return False


class SchemaError(NamedTuple):
    """One schema fault, as jsonschema reports it (the fields :func:`_schema_message` reads)."""

    absolute_path: tuple[Any, ...]
    validator: str
    validator_value: Any
    instance: Any
    message: str


def _schema_errors(
    instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any], path: tuple[Any, ...]
) -> Iterator[SchemaError]:
    """The faults jsonschema finds for the keywords of :func:`_conforms`, in its order.

    Keywords are visited in the schema's order, as jsonschema's ``iter_errors``
    does, so the faults are the same (same paths, same order) without importing
    jsonschema (seconds per process: its format checkers build grammars at import).
    """
    for keyword, value in schema.items():
        if keyword == "$ref":
            node: Any = root
            for part in value.lstrip("#/").split("/"):
                node = node[part]
            yield from _schema_errors(instance, node, root, path)
        elif keyword == "type":
            kinds = (value,) if isinstance(value, str) else tuple(value)
            if not any(isinstance(instance, _JSON_TYPES[k]) for k in kinds if k in _JSON_TYPES):
                yield SchemaError(path, keyword, value, instance, f"{instance!r} is not of type")
        elif keyword == "required" and isinstance(instance, dict):
            for key in value:
                if key not in instance:
                    yield SchemaError(path, keyword, value, instance, f"{key!r} is required")
        elif keyword == "properties" and isinstance(instance, dict):
            for key, sub in value.items():
                if key in instance:
                    yield from _schema_errors(instance[key], sub, root, (*path, key))
        elif keyword == "items" and isinstance(instance, list):
            for index, item in enumerate(instance):
                yield from _schema_errors(item, value, root, (*path, index))
        elif keyword == "minItems" and isinstance(instance, list) and len(instance) < value:
            yield SchemaError(path, keyword, value, instance, f"{instance!r} is too short")
        elif keyword == "minLength" and isinstance(instance, str) and len(instance) < value:
            yield SchemaError(path, keyword, value, instance, f"{instance!r} is too short")


@functools.cache
def _fast_check(level: int) -> Any:
    schema = load_schema(level)
    if not _schema_is_simple(schema):
        return None
    return lambda data: _conforms(data, schema, schema)


def _schema_faults(data: Any, level: int) -> list[Any]:
    """Schema faults of a document, sorted by path (jsonschema only for schemas we cannot read)."""
    fast = _fast_check(level)
    if fast is not None:
        if fast(data):
            return []
        schema = load_schema(level)
        found: Iterable[Any] = _schema_errors(data, schema, schema, ())
    else:
        found = _validator(level).iter_errors(data)
    return sorted(found, key=lambda e: _path_key(e.absolute_path))


_TYPE_WORDS = {
    "string": "a string",
    "array": "a list",
    "object": "an object",
    "null": "null",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _schema_message(error: Any) -> str:
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return ", ".join(f"{k!r}" for k in missing) + " is required"
    if kind == "type":
        types = error.validator_value
        types = [types] if isinstance(types, str) else list(types)
        want = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        return f"must be {want}, not {type(error.instance).__name__} {error.instance!r:.60}"
    if kind == "minItems":
        return "must not be empty"
    if kind == "minLength":
        return "must not be an empty string"
    return error.message


def _path_key(parts: Iterable[Any]) -> list[tuple[int, Any]]:
    """Sort key of a JSON path: list indexes numerically (``[2]`` before ``[10]``)."""
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in parts]


#: Header keys an association file name is made of, and their DMS patterns.
_NAME_FIELDS = (
    ("program", PROGRAM),
    ("asn_id", ASN_ID),
    ("asn_type", ASN_TYPE),
    ("version_id", VERSION_ID),
)


def _path_freedom(paths: Any) -> tuple[bool, bool]:
    """(absolute names allowed, leading '..' allowed) for a path mode.

    By default (None) and for ``basename`` neither; ``absolute`` asks for
    absolute names, ``relative`` for names relative to another folder, and
    ``as_given`` for the names exactly as the caller gave them (either).
    """
    if paths is None:
        return False, False
    mode = PathMode(paths)
    given = mode is PathMode.AS_GIVEN
    return given or mode is PathMode.ABSOLUTE, given or mode is PathMode.RELATIVE


def _iter_document(
    asn: Any,
    level: int | None,
    science_count: bool = True,
    paths: Any = None,
    *,
    first_only: bool = False,
) -> Iterator[Fault]:
    if not isinstance(asn, (Association, Mapping)):
        yield Fault("", f"an association is a JSON object, not {type(asn).__name__}")
        return
    data = asn._data if isinstance(asn, Association) else asn  # read only
    if level is None:
        level = level_of(data.get("asn_type"), data.get("asn_rule"))
    if first_only:  # is_valid: one fault is enough, do not look for all of them
        fast = _fast_check(level)
        if fast is not None:
            conforms = fast(data)
        else:
            conforms = next(iter(_validator(level).iter_errors(data)), None) is None
        if not conforms:
            yield Fault("", "does not match the schema")
            return
        schema_faults: list[Any] = []
    else:
        schema_faults = _schema_faults(data, level)
    for error in schema_faults:
        yield Fault(format_path(error.absolute_path), _schema_message(error))
    for key, identifier in _NAME_FIELDS:
        value = data.get(key)
        if isinstance(value, str):  # other types: the schema says so
            if key == "program":
                value = format_program(value)
            problem = identifier.problem(value)
            if problem:
                yield Fault(key, f"{problem}: association file names are made of it")
    products = data.get("products")
    if not isinstance(products, list):
        return
    absolute_ok, parents_ok = _path_freedom(paths)
    names: dict[str, int] = {}
    for i, product in enumerate(products):
        if not isinstance(product, Mapping):
            continue
        where = f"products[{i}]"
        name = product.get("name")
        if isinstance(name, str):
            if name in names:
                yield Fault(
                    f"{where}.name",
                    f"product name {name!r} is already used by products[{names[name]}]",
                )
            else:
                names[name] = i
        members = product.get("members")
        if not isinstance(members, list):
            continue
        science = 0
        for j, member in enumerate(members):
            if not isinstance(member, Mapping):
                continue
            expname = member.get("expname")
            if isinstance(expname, str):
                problem = member_name_problem(
                    expname, absolute_ok=absolute_ok, parents_ok=parents_ok
                )
                if problem:
                    yield Fault(f"{where}.members[{j}].expname", problem)
            exptype = member.get("exptype")
            if isinstance(exptype, str):
                if exptype.lower() not in KNOWN_EXPTYPES:
                    yield Fault(
                        f"{where}.members[{j}].exptype",
                        f"unknown member type {exptype!r} (known: "
                        f"{', '.join(sorted(KNOWN_EXPTYPES))})",
                    )
                science += exptype.lower() == "science"
        if science_count and level == 2 and members and science != 1:
            yield Fault(
                where,
                f"a Level 2 product holds exactly one science member, found {science}",
            )


def iter_errors(
    asn: Association | Mapping[str, Any] | AssociationSet,
    *,
    level: int | None = None,
    science_count: bool = True,
    paths: PathMode | str | None = None,
) -> Iterator[Fault]:
    """Every fault of an association (or of each association of a set).

    Parameters
    ----------
    asn : Association, dict or AssociationSet
        For a set, paths start with the association's file name
        (``jw..._asn.json:products[0]``) and product names must be unique
        across the set.
    level : {2, 3}, optional
        The schema to use; by default the association's own level
        (:attr:`Association.level`).
    science_count : bool
        Check that every Level 2 product holds exactly one science member
        (:func:`asnkit.check` reports that itself, as ``ASN401``).
    paths : PathMode or str, optional
        The form member names were written in on purpose: ``"absolute"``
        accepts absolute names, ``"relative"`` names starting with ``..``
        (relative to another folder), ``"as_given"`` both (names as the
        caller gave them). By default neither: documents read from files must
        keep their members in the association's folder.

    Yields
    ------
    Fault
        ``(path, message)`` pairs: schema faults first, then the pipeline-rule
        faults (exptypes, science members, product names), each in document order.
    """
    yield from _faults(asn, level, science_count, paths)


def _faults(
    asn: Any, level: int | None, science_count: bool, paths: Any, first_only: bool = False
) -> Iterator[Fault]:
    if isinstance(asn, AssociationSet):
        seen: dict[str, str] = {}
        for item in asn:
            prefix = f"{item.filename}:"
            for fault in _iter_document(item, level, science_count, paths, first_only=first_only):
                yield Fault(prefix + fault.path, fault.message)
            for i, name in enumerate(item.product_names):
                if not isinstance(name, str):
                    continue
                if name in seen and seen[name] != item.filename:
                    yield Fault(
                        f"{prefix}products[{i}].name",
                        f"product name {name!r} is also used by {seen[name]}",
                    )
                seen.setdefault(name, item.filename)
        return
    yield from _iter_document(asn, level, science_count, paths, first_only=first_only)


def is_valid(
    asn: Association | Mapping[str, Any] | AssociationSet,
    *,
    level: int | None = None,
    paths: PathMode | str | None = None,
) -> bool:
    """Whether the association (or set) has no fault (see :func:`iter_errors`).

    Stops at the first fault (it does not ask the schema validator for all).
    """
    return next(_faults(asn, level, True, paths, first_only=True), None) is None


def path_warnings(asn: Association | Mapping[str, Any]) -> list[str]:
    """Warnings about member paths: expnames with a folder, members in several folders.

    Examples
    --------
    >>> path_warnings({"products": [{"members": [{"expname": "data/a.fits"},
    ...                                          {"expname": "b.fits"}]}]})
    ["products[0].members[0].expname: 'data/a.fits' carries a folder; the pipeline \
looks for members relative to the association's folder", 'members live in 2 different \
folders: data, .']
    """
    out = []
    folders: dict[str, None] = {}
    products = asn.get("products") if isinstance(asn, Mapping) else None
    for i, product in enumerate(products if isinstance(products, list) else []):
        members = product.get("members") if isinstance(product, Mapping) else None
        for j, member in enumerate(members if isinstance(members, list) else []):
            name = member.get("expname") if isinstance(member, Mapping) else None
            if not isinstance(name, str):
                continue
            folder = os.path.dirname(name)
            folders[os.path.normpath(folder) if folder else "."] = None
            if folder:
                out.append(
                    f"products[{i}].members[{j}].expname: {name!r} carries a folder; the "
                    "pipeline looks for members relative to the association's folder"
                )
    if len(folders) > 1:
        out.append(f"members live in {len(folders)} different folders: {', '.join(folders)}")
    return out


def validate(
    asn: Association | Mapping[str, Any] | AssociationSet,
    *,
    level: int | None = None,
    file: str | None = None,
    warn_paths: bool = True,
    paths: PathMode | str | None = None,
) -> None:
    """Raise :class:`~asnkit.AssociationError` listing every fault, if any.

    Also warns (:class:`~asnkit.AssociationWarning`) about member paths
    (see :func:`path_warnings`).

    Parameters
    ----------
    asn : Association, dict or AssociationSet
        What to check.
    level : {2, 3}, optional
        The schema to use (default: the association's level).
    file : str, optional
        Name to show in the message (default: the association's filename).
    warn_paths : bool
        Warn about folders in member names (off when they are meant).
    paths : PathMode or str, optional
        The form member names were written in on purpose (see :func:`iter_errors`).

    Raises
    ------
    AssociationError
        With ``errors`` = the list of ``(path, message)`` faults.

    Examples
    --------
    >>> validate({"asn_type": "image3", "products": [{"name": "p", "members": []}]})
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: association is invalid (1 fault):
      products[0].members: must not be empty
    """
    faults = list(iter_errors(asn, level=level, paths=paths))
    if file is None:
        file = getattr(asn, "filename", None)
    where = file or "association"
    if faults:
        n = len(faults)
        lines = "\n".join(f"  {f}" for f in faults)
        raise AssociationError(
            f"{where} is invalid ({n} fault{'s' if n != 1 else ''}):\n{lines}", errors=faults
        )
    if not warn_paths:
        return
    items = list(asn) if isinstance(asn, AssociationSet) else [asn]
    for item in items:
        name = getattr(item, "filename", None) or file
        for message in path_warnings(item):
            warnings.warn(
                f"{name}: {message}" if name else message, AssociationWarning, stacklevel=2
            )
