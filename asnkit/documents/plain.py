"""Plain JSON values: what an association document is made of.

:func:`plain` copies any mapping/sequence structure into dicts, lists, text,
numbers and None (what :mod:`json` writes), refusing what JSON cannot hold
(infinite numbers) and documents nested deeper than :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from asnkit.errors import AssociationTypeError

__all__ = ["MAX_DEPTH", "plain"]


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
