"""Plain JSON values: what an association document is made of.

:func:`plain` copies any mapping/sequence structure into dicts, lists, text,
numbers and None (what :mod:`json` writes), refusing what JSON cannot hold
(infinite numbers) and documents nested deeper than :data:`MAX_DEPTH` levels;
:func:`json_text` writes such a value as the DMS pipeline does.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii
from typing import Any

from asnkit.errors import AssociationTypeError

__all__ = ["MAX_DEPTH", "json_text", "plain"]


#: How deep a document may nest (an association is 4 levels deep: header,
#: products, members, member keys); deeper is refused, not recursed into.
MAX_DEPTH = 32


def plain(value: Any, _depth: int = 0) -> Any:
    """A deep copy of ``value`` made of plain JSON types (dict, list, str, numbers, None).

    numpy scalars become Python numbers, tuples become lists and NaN becomes None.

    Raises
    ------
    AssociationError
        ``value`` nests deeper than :data:`MAX_DEPTH` levels or holds an
        infinite number (JSON has none).
    TypeError
        ``value`` holds something JSON cannot represent.

    Examples
    --------
    >>> plain({"a": (1, float("nan")), "b": [{"c": "d"}]})
    {'a': [1, None], 'b': [{'c': 'd'}]}
    """
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, (Mapping, list, tuple)) and _depth >= MAX_DEPTH:
        from asnkit.errors import AssociationError

        raise AssociationError(
            f"the document nests deeper than {MAX_DEPTH} levels",
            errors=[("", f"nested deeper than {MAX_DEPTH} levels")],
        )
    if isinstance(value, Mapping):
        return {str(k): plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, _depth + 1) for v in value]
    if isinstance(value, float):
        if value in (math.inf, -math.inf):
            from asnkit.errors import AssociationError

            raise AssociationError(
                f"{value!r} is not a JSON number", errors=[("", f"{value!r} is not a JSON number")]
            )
        return None if value != value else value
    if isinstance(value, int):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return plain(item(), _depth)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise AssociationTypeError(f"{value!r} ({type(value).__name__}) cannot be written as JSON")


def json_text(value: Any) -> str:
    """The JSON text of ``value`` as asnkit and the DMS pipeline write it.

    The same text as ``json.dumps(value, indent=4, separators=(",", ": "),
    allow_nan=False)``, character for character, about twice as fast for
    plain values (dicts with text keys, lists, text, numbers, booleans, None):
    :mod:`json` writes indented text with its pure-Python encoder. Anything
    else (tuples, subclasses, NaN, documents deeper than :data:`MAX_DEPTH`) is
    left to :func:`json.dumps`, with its result or its error.

    Examples
    --------
    >>> print(json_text({"asn_type": "image3", "products": [{"members": []}], "n": 1.5}))
    {
        "asn_type": "image3",
        "products": [
            {
                "members": []
            }
        ],
        "n": 1.5
    }
    """
    parts: list[str] = []
    try:
        _json_parts(value, "\n", parts)
    except _NotPlain:
        return json.dumps(value, indent=4, separators=(",", ": "), allow_nan=False)
    return "".join(parts)


class _NotPlain(Exception):
    """A value :func:`json_text` leaves to :func:`json.dumps`."""


_INDENT = "    "
_DEEPEST = len(_INDENT) * MAX_DEPTH + 1  # the line break and MAX_DEPTH indents
_SCALARS = {True: "true", False: "false", None: "null"}


def _json_parts(value: Any, indent: str, parts: list[str]) -> None:
    """Append the JSON text of ``value`` to ``parts``; ``indent``: line break + its indent.

    Text, integers, booleans and None inside a dict or list are written on the
    spot (most of a document: member names and types), the rest recursively.
    """
    kind = type(value)
    if kind is dict or kind is list:
        if not value:
            parts.append("{}" if kind is dict else "[]")
            return
        if len(indent) > _DEEPEST:
            raise _NotPlain
        inner = indent + _INDENT
        append = parts.append
        if kind is dict:
            separator = "{" + inner
            for key, item in value.items():
                if type(key) is not str:
                    raise _NotPlain
                head = separator + encode_basestring_ascii(key) + ": "
                separator = "," + inner
                held = type(item)
                if held is str:
                    append(head + encode_basestring_ascii(item))
                elif held is int:
                    append(head + int.__repr__(item))
                elif held is bool or item is None:
                    append(head + _SCALARS[item])
                else:
                    append(head)
                    _json_parts(item, inner, parts)
            append(indent + "}")
        else:
            separator = "[" + inner
            for item in value:
                held = type(item)
                if held is str:
                    append(separator + encode_basestring_ascii(item))
                elif held is int:
                    append(separator + int.__repr__(item))
                elif held is bool or item is None:
                    append(separator + _SCALARS[item])
                else:
                    append(separator)
                    _json_parts(item, inner, parts)
                separator = "," + inner
            append(indent + "]")
    elif kind is str:
        parts.append(encode_basestring_ascii(value))
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is bool or value is None:
        parts.append(_SCALARS[value])
    elif kind is float and -math.inf < value < math.inf:
        parts.append(float.__repr__(value))
    else:
        raise _NotPlain
