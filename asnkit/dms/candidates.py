"""Association candidates: parse ``asn_candidate`` values without ``eval``.

The DMS writes candidates as a Python-literal list of ``(id, type)`` pairs,
e.g. ``[('o001', 'observation'), ('c1000', 'background')]``. Old or junk rows
hold a bare integer (``1000``): the reference generator files those as
candidate type ``unknown``, and so does :func:`parse_candidates`. Pools without
``asn_candidate`` get one observation candidate per ``obs_num``
(:func:`observation_id`).

Examples
--------
>>> format_candidates([("o001", "observation"), ("c1000", "background")])
"[('o001', 'observation'), ('c1000', 'background')]"
>>> observation_id("1"), observation_id(12)
('o001', 'o012')
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = [
    "DIRECT_IMAGE_CANDIDATE",
    "UNKNOWN_CTYPE",
    "format_candidates",
    "observation_id",
    "parse_candidates",
]

#: Candidate type given to bare-integer ``asn_candidate`` values (as jwst does).
UNKNOWN_CTYPE = "unknown"

#: The ``asn_candidate`` of a pure-parallel WFSS direct image, as a pattern of the whole
#: value: one ``cNNNN`` candidate of type ``direct_image`` (its target is ``t000``).
DIRECT_IMAGE_CANDIDATE = r"\[\('c\d{4}', 'direct_image'\)\]"

_PAIR = re.compile(
    r"""\(\s*(?P<q1>['"])(?P<id>[^'"]*)(?P=q1)\s*,\s*(?P<q2>['"])(?P<type>[^'"]*)(?P=q2)\s*\)\s*"""
)
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")


def parse_candidates(value: object) -> tuple[tuple[str, str], ...]:
    """Parse one ``asn_candidate`` value into ``(id, type)`` pairs.

    Parameters
    ----------
    value : str or None
        The cell text. ``None``, ``NaN``, empty and ``null`` give no pairs.

    Returns
    -------
    tuple of (str, str)
        The candidates in the order written.

    Raises
    ------
    ValueError
        The text is neither a list of ``('id', 'type')`` pairs nor an integer, read
        as Python literals (as jwst reads them: ``007`` is not an integer).

    Examples
    --------
    >>> parse_candidates("[('o001', 'observation'), ('c1000', 'background')]")
    (('o001', 'observation'), ('c1000', 'background'))
    >>> parse_candidates("1000")
    (('1000', 'unknown'),)
    >>> parse_candidates(None)
    ()
    """
    if not isinstance(value, str):  # None, NaN, pd.NA: no candidates
        return ()
    return _parse_text(value)


@lru_cache(maxsize=65536)  # pools repeat a few candidate texts many times
def _parse_text(value: str) -> tuple[tuple[str, str], ...]:
    """The pairs of a value read as jwst reads it (a Python literal), checked for shape."""
    text = value.strip()
    if not text or text.lower() == "null":
        return ()
    try:
        literal = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        literal = None
    if isinstance(literal, int) and not isinstance(literal, bool):
        return ((str(literal), UNKNOWN_CTYPE),)
    if isinstance(literal, (list, tuple)) and all(_is_pair(pair) for pair in literal):
        return tuple((pair[0], pair[1]) for pair in literal)
    raise ValueError(_fault(text))


def _is_pair(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(part, str) for part in value)
    )


def _fault(text: str) -> str:
    """What is wrong with a value that is no candidate list (for the error message)."""
    if _INTEGER.match(text):
        return "an integer candidate has no leading zeros (as a Python literal)"
    if not (text.startswith("[") and text.endswith("]")):
        return "expected a list such as [('o001', 'observation')]"
    body = text[1:-1].strip()
    position = 0
    while position < len(body):
        match = _PAIR.match(body, position)
        if match is None:
            return f"cannot read a ('id', 'type') pair at character {position + 2}"
        position = match.end()
        if position < len(body):
            if body[position] != ",":
                return f"expected ',' at character {position + 2}"
            position += 1
            while position < len(body) and body[position].isspace():
                position += 1
    return "not a list of ('id', 'type') pairs"


def format_candidates(pairs: Iterable[tuple[str, str]]) -> str:
    """The ``asn_candidate`` text of ``(id, type)`` pairs, as the DMS writes it."""
    return "[" + ", ".join(f"({cid!r}, {ctype!r})" for cid, ctype in pairs) + "]"


def observation_id(obs_num: Any) -> str:
    """The observation candidate id of an observation number: ``o`` + 3 digits."""
    text = str(obs_num).strip()
    try:
        return f"o{int(text):03d}"
    except ValueError:
        return "o" + text.rjust(3, "0")
