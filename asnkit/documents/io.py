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
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from asnkit.deprecation import renamed
from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import Association
from asnkit.documents.validation import Fault
from asnkit.documents.validation import validate as _validate
from asnkit.errors import AssociationError

__all__ = ["parse_json", "read_asn", "read_asn_set"]

PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]


def parse_json(text: str | bytes, file: str = "<string>") -> Any:
    """Parse JSON text; an error gives the file, line and column.

    Raises
    ------
    AssociationError
        The text is not JSON.

    Examples
    --------
    >>> parse_json('{"products": [}', file="x.json")
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationError: x.json, line 1, column 15: not valid JSON: Expecting value
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AssociationError(
                f"{file}: not a JSON text file ({exc})", errors=[Fault("", str(exc))]
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise AssociationError(
            f"{file}, {where}: not valid JSON: {exc.msg}",
            errors=[Fault("", f"{where}: {exc.msg}")],
        ) from None


def _read(source: PathOrFile) -> tuple[str | bytes, str, str | None]:
    """The text, the name to show and the file name of ``source``."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise IsADirectoryError(f"{path}: is a folder, not an association file")
        return path.read_bytes(), str(path), path.name
    read = getattr(source, "read", None)
    if not callable(read):
        raise TypeError(f"expected a path or an open file, not {type(source).__name__}")
    name = getattr(source, "name", None)
    if isinstance(name, (str, os.PathLike)):
        return read(), os.fspath(name), os.path.basename(os.fspath(name))
    return read(), "<stream>", None


def read_asn(source: PathOrFile, *, validate: bool = True, level: int | None = None) -> Association:
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
        _validate(asn, level=level, file=shown)
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
