"""Reading association files written by jwst or by asnkit.

Examples
--------
>>> import io
>>> text = '{"asn_type": "image3", "products": [{"name": "p", "members": ['
>>> read_asn(io.StringIO(text + '{"expname": "a_cal.fits", "exptype": "science"}]}]}'))
<Association image3: 1 product, 1 member (1 science)>
>>> read_asn(io.StringIO(text + '{"expname": "a_cal.fits"}]}]}'))
Traceback (most recent call last):
...
asnkit.errors.AssociationError: <stream> is invalid (1 fault):
  products[0].members[0]: 'exptype' is required
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from asnkit.deprecation import renamed
from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import Association
from asnkit.documents.paths import PathMode
from asnkit.documents.plain import MAX_DEPTH
from asnkit.documents.validation import Fault, format_path
from asnkit.documents.validation import validate as _validate
from asnkit.errors import (
    AssociationError,
    AssociationFileNotFoundError,
    AssociationIsADirectoryError,
    AssociationTypeError,
)

__all__ = ["MAX_INTEGER_DIGITS", "parse_json", "read_asn", "read_asn_set"]

PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]


#: Longest integer (in digits) a document may hold; longer ones are refused.
MAX_INTEGER_DIGITS = 100


class _Duplicated(dict):
    """A JSON object that repeated a key (the last value was kept by the parser)."""

    key: str = ""


class _Refused:
    """A value strict JSON does not allow (NaN, Infinity) or asnkit will not hold."""

    def __init__(self, message: str) -> None:
        self.message = message


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    duplicated = _Duplicated(out)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            duplicated.key = key
            break
        seen.add(key)
    return duplicated


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        return _Refused(f"an integer of {digits} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def _number(text: str) -> float | _Refused:
    value = float(text)
    if math.isinf(value):
        return _Refused(f"{text[:20]!r} is too large for a JSON number")
    return value


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not JSON (strict JSON has no NaN or Infinity)")


def _first_fault(data: Any) -> tuple[str, str] | None:
    """The first refused value, repeated key or too deep nesting, with its JSON path."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Refused):
            return format_path(path), value.message
        if isinstance(value, (dict, list)) and len(path) >= MAX_DEPTH:
            return format_path(path), f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, _Duplicated):
            return format_path(path), f"the key {value.key!r} appears twice"
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in reversed(list(enumerate(value))))
    return None


def parse_json(text: str | bytes, file: str = "<string>") -> Any:
    """Parse JSON text strictly; an error gives the file and the line and column or JSON path.

    Strict means: no repeated keys in an object (a parser would silently keep
    the last), no ``NaN`` / ``Infinity`` (not JSON; they would be written back),
    no integers over :data:`MAX_INTEGER_DIGITS` digits, no nesting deeper
    than :data:`~asnkit.documents.plain.MAX_DEPTH` levels. A UTF-8
    byte-order mark is ignored.

    Raises
    ------
    AssociationError
        The text is not (strict) JSON.

    Examples
    --------
    >>> parse_json('{"products": [}', file="x.json")
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: x.json, line 1, column 15: not valid JSON: Expecting value
    >>> parse_json('{"a": 1, "a": 2}', file="x.json")
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: x.json: not valid JSON: the key 'a' appears twice
    >>> parse_json('{"products": [{"exposerr": NaN}]}', file="x.json")
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: x.json, products[0].exposerr: not valid JSON: NaN is not JSON...
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AssociationError(
                f"{file}: not a JSON text file ({exc})", errors=[Fault("", str(exc))]
            ) from None
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_integer,
            parse_float=_number,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise AssociationError(
            f"{file}, {where}: not valid JSON: {exc.msg}",
            errors=[Fault("", f"{where}: {exc.msg}")],
        ) from None
    except RecursionError:
        message = f"nested deeper than {MAX_DEPTH} levels"
        raise AssociationError(
            f"{file}: not valid JSON: {message}", errors=[Fault("", message)]
        ) from None
    except (ValueError, MemoryError) as exc:  # e.g. numbers Python cannot convert
        raise AssociationError(
            f"{file}: not valid JSON: {exc}", errors=[Fault("", str(exc))]
        ) from None
    fault = _first_fault(data)
    if fault is not None:
        path, message = fault
        where = f"{file}, {path}" if path else file
        raise AssociationError(
            f"{where}: not valid JSON: {message}", errors=[Fault(path, message)]
        ) from None
    return data


def _read(source: PathOrFile) -> tuple[str | bytes, str, str | None]:
    """The text, the name to show and the file name of ``source``."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise AssociationIsADirectoryError(
                f"{path}: is a folder, not an association file (read_asn_set reads a folder)",
                file=path,
            )
        try:
            return path.read_bytes(), str(path), path.name
        except FileNotFoundError:
            raise AssociationFileNotFoundError(
                f"{path}: no such association file", file=path
            ) from None
        except OSError as exc:  # name the file (a failed read does not)
            if exc.filename is not None or exc.errno is None:
                raise
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    read = getattr(source, "read", None)
    if not callable(read):
        raise AssociationTypeError(f"expected a path or an open file, not {type(source).__name__}")
    name = getattr(source, "name", None)
    if isinstance(name, (str, os.PathLike)):
        return read(), os.fspath(name), os.path.basename(os.fspath(name))
    return read(), "<stream>", None


def read_asn(
    source: PathOrFile,
    *,
    validate: bool = True,
    level: int | None = None,
    paths: PathMode | str | None = None,
) -> Association:
    """Read an association file.

    Parameters
    ----------
    source : path or open file
        A JSON file written by jwst (``asn_generate``, ``asn_from_list``) or by asnkit.
    validate : bool
        Check the document (:func:`asnkit.validate`); path warnings are emitted
        as :class:`~asnkit.AssociationWarning`.
    level : {2, 3}, optional
        Validate against this level's schema instead of the document's own.
    paths : {"absolute", "relative"}, optional
        Accept member names written this way on purpose (see
        :func:`asnkit.iter_errors`); by default they must stay in the
        association's folder.

    Returns
    -------
    Association
        With ``filename`` = the file's base name (None for a nameless stream).

    Raises
    ------
    AssociationError
        Invalid JSON (file, line and column) or an invalid document (file and
        the JSON path of every fault).
    """
    text, shown, filename = _read(source)
    data = parse_json(text, shown)
    if not isinstance(data, dict):
        raise AssociationError(
            f"{shown}: an association is a JSON object, not {type(data).__name__}",
            errors=[Fault("", f"expected an object, found {type(data).__name__}")],
        )
    asn = Association.from_dict(data, filename=filename)
    if validate:
        _validate(asn, level=level, file=shown, paths=paths)
    return asn


def read_asn_set(
    sources: PathOrFile | Iterable[PathOrFile], *, validate: bool = True
) -> AssociationSet:
    """Read many association files (or every ``*.json`` of a folder) into a set.

    Examples
    --------
    >>> read_asn_set([])
    <AssociationSet: 0 associations, 0 members>
    """
    if isinstance(sources, (str, os.PathLike)):
        path = Path(sources)
        sources = sorted(path.glob("*.json")) if path.is_dir() else [path]
    return AssociationSet(read_asn(s, validate=validate) for s in sources)


#: Deprecated names (asnkit 0.1): readers are ``read_*``.
load_asn = renamed(read_asn, "load_asn")
load_set = renamed(read_asn_set, "load_set")
