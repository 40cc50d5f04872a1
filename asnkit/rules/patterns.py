"""Constraint values as tests of a value: the reference's regular expressions, mostly without one.

A constraint value ``pattern`` means ``re.match("^" + pattern + "$", value,
re.IGNORECASE)`` (the reference generator's test). Most patterns are text: an
exposure type, ``nrc_image|mir_image``, a pinned (escaped) value, the observation
numbers an association has taken (``(34|35)``) or a candidate pass's
``.+(o001).+``. :func:`pattern_matcher` compares those as text, with the
regular expression's exact meaning, and compiles a regular expression only for
the others (and for values that are not ASCII text), on first use.

Examples
--------
>>> matches = pattern_matcher("(34|35)")
>>> matches("35"), matches("3"), matches("35\\n")
(True, False, True)
>>> pattern_matcher(".+(o001).+")("[('o001', 'observation')]")
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

__all__ = ["pattern_matcher", "text_shape"]

#: What ``re.escape`` puts a backslash before: ``\\X`` is then the character X itself.
_ESCAPABLE = frozenset("()[]{}?*+-|^$\\.&~# \t\n\r\v\f")
#: Characters that make a pattern more than literal text (``|``, ``(``, ``)``, ``.+`` are handled).
_SPECIAL = frozenset(".^$*+?{}[]()")
_BAR, _OPEN, _CLOSE, _ANY = "|", "(", ")", ".+"


def _tokens(pattern: str) -> list[str] | None:
    """Literal characters (one-character strings) and the markers ``| ( ) .+``; None for more."""
    tokens: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n or pattern[i + 1] not in _ESCAPABLE:
                return None
            tokens.append(pattern[i + 1])  # a literal character: one character long
            i += 2
            continue
        if c == "." and pattern.startswith(".+", i):
            tokens.append(_ANY)
            i += 2
            continue
        if c in "|()":
            tokens.append(c * 2)  # markers are two characters long: never a literal
        elif c in _SPECIAL:
            return None
        else:
            tokens.append(c)
        i += 1
    return tokens


def _alternatives(tokens: list[str]) -> tuple[str, ...] | None:
    """The lower-cased texts of literal tokens separated by ``|``; None if anything else."""
    parts: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token == _BAR * 2:
            parts.append("".join(current).lower())
            current = []
        elif len(token) == 1:
            current.append(token)
        else:
            return None
    parts.append("".join(current).lower())
    return tuple(parts)


def text_shape(pattern: str) -> tuple[str, tuple[str, ...]] | None:
    """How :func:`pattern_matcher` compares ``pattern`` as text, or None (a regular expression).

    ``("top", alternatives)`` for ``a|b|c``, ``("group", alternatives)`` for
    ``(a|b|c)``, ``("inside", alternatives)`` for ``.+(a|b).+`` or ``.+a.+``;
    the alternatives are lower-cased.

    >>> text_shape("nrc_image|mir_image"), text_shape(".+(c1000).+"), text_shape("f.*w")
    (('top', ('nrc_image', 'mir_image')), ('inside', ('c1000',)), None)
    """
    if not pattern.isascii():
        return None
    tokens = _tokens(pattern)
    if tokens is None:
        return None
    inside = len(tokens) >= 2 and tokens[0] == _ANY and tokens[-1] == _ANY
    body = tokens[1:-1] if inside else tokens
    grouped = len(body) >= 2 and body[0] == _OPEN * 2 and body[-1] == _CLOSE * 2
    if grouped:
        body = body[1:-1]
    elif inside and _BAR * 2 in body:
        return None  # .+a|b.+: the bar splits the whole pattern
    alternatives = _alternatives(body)
    if alternatives is None:
        return None
    if inside:
        if any("\n" in alt for alt in alternatives):
            return None  # a literal newline where .+ cannot match one
        return ("inside", alternatives)
    return ("group" if grouped else "top", alternatives)


@lru_cache(maxsize=8192)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + pattern + "$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def pattern_matcher(pattern: str) -> Callable[[str], bool]:
    """``value -> bool``: ``re.match("^" + pattern + "$", value, re.IGNORECASE)``.

    Text patterns (:func:`text_shape`) are compared as text, with the regular
    expression's exact meaning: in ``^a|b|c$`` only the last alternative is
    anchored at the end (``a`` and ``b`` match as prefixes), ``$`` also matches
    before a final newline and ``.`` matches anything but a newline. Values
    that are not ASCII text go to the regular expression (its case folding is
    Unicode's), compiled on first use, as are the other patterns.
    """

    def by_regex(value: str) -> bool:
        return _regex(pattern).match(value) is not None

    shape = text_shape(pattern)
    if shape is None:
        return by_regex
    kind, alternatives = shape
    if kind == "top":
        *prefixes, last = alternatives
        starts = tuple(prefixes)
        ends = (last, last + "\n")

        def by_text(value: str) -> bool:
            if value.__class__ is not str or not value.isascii():
                return by_regex(value)
            lowered = value.lower()
            return lowered in ends or lowered.startswith(starts)  # startswith(()) is False

        return by_text
    if kind == "group":
        whole = frozenset(alternatives) | {alt + "\n" for alt in alternatives}

        def in_group(value: str) -> bool:
            if value.__class__ is not str or not value.isascii():
                return by_regex(value)
            return value.lower() in whole

        return in_group

    def inside(value: str) -> bool:
        if value.__class__ is not str or not value.isascii():
            return by_regex(value)
        text = value[:-1] if value.endswith("\n") else value
        if len(text) < 2 or "\n" in text:
            return False  # .+ matches at least one character, never a newline
        middle = text.lower()[1:-1]  # .+ before and after: at least one character each
        return any(alt in middle for alt in alternatives)

    return inside
