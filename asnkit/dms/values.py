"""Pool values: what counts as "not set", first valid value, literals, natural order.

The DMS reads every pool value as lower-case text. A value in :data:`EMPTY`
means "not set" (jwst 3.0.0 ``dms_base._EMPTY``): the rules skip it, a member
whose ``exposerr`` is empty is not degraded, a product name leaves it out.
``read_pool`` keeps the text of a pool, and makes only :data:`POOL_MISSING`
cells missing (``NaN``); :func:`is_empty` accepts both forms.

Examples
--------
>>> [is_empty(v) for v in (None, float("nan"), "NULL", " f ", "None", "t", "0")]
[True, True, True, True, False, False, False]
>>> first_value({"filter": "null", "band": "short"}, ("filter", "band"))
('band', 'short')
>>> sorted(["obs 10", "obs 2", "obs 1"], key=natural_key)
['obs 1', 'obs 2', 'obs 10']
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

__all__ = [
    "EMPTY",
    "POOL_MISSING",
    "evaluate",
    "first_value",
    "is_empty",
    "natural_key",
    "text_row",
]

#: Lower-case values that mean "not set" (jwst ``_EMPTY``; ``none`` is a value).
EMPTY = frozenset({"", "null", "--", "n", "f", "false", "n/a"})

#: Pool cells that are missing values (``NaN`` once read), compared lower-case.
POOL_MISSING = frozenset({"", "null"})


def is_empty(value: Any) -> bool:
    """True for a value that means "not set": ``None``, ``NaN`` or text in :data:`EMPTY`.

    Text is compared without surrounding blanks and ignoring case.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in EMPTY
    if isinstance(value, float):
        return math.isnan(value)
    import pandas as pd  # only for values that are neither text nor floats

    try:  # pandas.NA, NaT, numpy floats
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def first_value(item: Mapping[str, str], sources: Iterable[str]) -> tuple[str, str]:
    """The first column of ``sources`` that holds a value, and that value.

    ``item`` maps column names to lower-case text (:func:`text_row`).

    Raises
    ------
    KeyError
        None of the columns holds a value.
    """
    for source in sources:
        value = item.get(source)
        if value is None or value in EMPTY:
            continue
        return source, value
    raise KeyError(f"no value in {list(sources)}")


def text_row(row: Mapping[str, Any], missing: str = "null") -> dict[str, str]:
    """A pool row as the DMS reads it: lower-case column names and text, ``missing`` if unset.

    >>> text_row({"EXP_TYPE": "NRC_IMAGE", "is_psf": float("nan")})
    {'exp_type': 'nrc_image', 'is_psf': 'null'}
    """
    out = {}
    for key, value in row.items():
        if value is None or (not isinstance(value, str) and is_empty(value)):
            text = missing
        else:
            text = str(value).strip().lower()
        out[str(key).lower()] = text
    return out


#: A candidate's text, ``('o001', 'observation')``, alone or in a list: read without
#: ast (its two texts hold no quote, backslash or blank, so they mean themselves).
_CANDIDATE_TEXT = re.compile(r"(\[?)\('([A-Za-z0-9_]*)', '([A-Za-z0-9_]*)'\)(\]?)")


@lru_cache(maxsize=4096)
def evaluate(text: str) -> Any:
    """A value read as a Python literal when it is one, else the text (jwst ``evaluate``).

    >>> evaluate("[('o001', 'observation')]"), evaluate("nrc_image")
    ([('o001', 'observation')], 'nrc_image')
    """
    candidate = _CANDIDATE_TEXT.fullmatch(text) if text.__class__ is str else None
    if candidate is not None and len(candidate[1]) == len(candidate[4]):
        pair = (candidate[2], candidate[3])
        return [pair] if candidate[1] else pair
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


_DIGITS = re.compile(r"(\d+)")


def natural_key(value: Any) -> tuple:
    """Sort key: numbers by value, then text with embedded numbers in natural order.

    ``"exp_2"`` sorts before ``"exp_10"``; case is ignored; numbers sort first.

    >>> sorted(["f200w", "10", "F090W", "2"], key=natural_key)
    ['2', '10', 'F090W', 'f200w']
    """
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return (0, number, ())
    parts = _DIGITS.split(text.lower())
    return (1, 0.0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))
