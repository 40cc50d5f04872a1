"""Association candidates: parse ``asn_candidate`` values without ``eval``.

The DMS writes candidates as a Python-literal list of ``(id, type)`` pairs,
e.g. ``[('o001', 'observation'), ('c1000', 'background')]``. Old or junk rows
hold a bare integer (``1000``): the reference generator files those as
candidate type ``unknown``, and so does :func:`parse_candidates`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["UNKNOWN_CTYPE", "candidate_ids", "explode_candidates", "parse_candidates"]

#: Candidate type given to bare-integer ``asn_candidate`` values (as jwst does).
UNKNOWN_CTYPE = "unknown"

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
        The text is neither a list of ``('id', 'type')`` pairs nor an integer.

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
    text = value.strip()
    if not text or text.lower() == "null":
        return ()
    if _INTEGER.match(text):
        return ((str(int(text)), UNKNOWN_CTYPE),)
    if not (text.startswith("[") and text.endswith("]")):
        raise ValueError("expected a list such as [('o001', 'observation')]")
    body = text[1:-1].strip()
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        match = _PAIR.match(body, position)
        if match is None:
            raise ValueError(f"cannot read a ('id', 'type') pair at character {position + 2}")
        pairs.append((match["id"], match["type"]))
        position = match.end()
        if position < len(body):
            if body[position] != ",":
                raise ValueError(f"expected ',' at character {position + 2}")
            position += 1
            while position < len(body) and body[position].isspace():
                position += 1
    return tuple(pairs)


def explode_candidates(df: pd.DataFrame) -> pd.DataFrame:
    """One row per exposure and candidate.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool with an ``asn_candidate`` column.

    Returns
    -------
    pandas.DataFrame
        A new frame with the pool's columns plus ``candidate_id`` and
        ``candidate_type``; exposures without candidates keep one row with
        missing values there, and so do junk rows (``set acid`` lines, whose
        ``asn_candidate`` may be any text). The original index is kept, so
        rows of one exposure share an index label.

    Raises
    ------
    KeyError
        The frame has no ``asn_candidate`` column.
    asnkit.PoolError
        A (non-junk) ``asn_candidate`` value cannot be parsed; the message
        names the row and the column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"filename": ["a.fits"],
    ...                    "asn_candidate": ["[('o001', 'observation'), ('c1000', 'mosaic')]"]})
    >>> explode_candidates(df)[["candidate_id", "candidate_type"]].values.tolist()
    [['o001', 'observation'], ['c1000', 'mosaic']]
    """
    if "asn_candidate" not in df.columns:
        raise KeyError("the pool has no 'asn_candidate' column")
    pairs = _pairs_of_rows(df)
    counts = np.fromiter((max(len(p), 1) for p in pairs), dtype=np.int64, count=len(pairs))
    positions = np.repeat(np.arange(len(df)), counts)
    out = df.iloc[positions].copy()
    ids: list[object] = []
    types: list[object] = []
    for p in pairs:
        if p:
            ids.extend(cid for cid, _ in p)
            types.extend(ctype for _, ctype in p)
        else:
            ids.append(np.nan)
            types.append(np.nan)
    out["candidate_id"] = pd.array(ids, dtype="str") if ids else pd.array([], dtype="str")
    out["candidate_type"] = pd.array(types, dtype="str") if types else pd.array([], dtype="str")
    return out


def _pairs_of_rows(df: pd.DataFrame) -> list[tuple[tuple[str, str], ...]]:
    """Parsed ``asn_candidate`` of each row; junk rows that do not parse have none."""
    from asnkit.errors import PoolError

    names = df["filename"] if "filename" in df.columns else None
    pairs = []
    for position, value in enumerate(df["asn_candidate"]):
        if not isinstance(value, str):
            pairs.append(())
            continue
        try:
            pairs.append(parse_candidates(value))
        except ValueError as exc:
            name = names.iat[position] if names is not None else None
            if isinstance(name, str) and any(char.isspace() for char in name):
                pairs.append(())  # a junk row ("set acid"): not an exposure
                continue
            label = df.index[position]
            label = label.item() if hasattr(label, "item") else label
            raise PoolError(
                f"row {position} (index {label!r}): malformed asn_candidate {value!r}: {exc}",
                column="asn_candidate",
            ) from None
    return pairs


def candidate_ids(df: pd.DataFrame) -> pd.DataFrame:
    """The candidates of a pool with their type and number of exposures.

    Returns
    -------
    pandas.DataFrame
        Columns ``candidate_id``, ``candidate_type``, ``exposures``, sorted by id.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    >>> candidate_ids(pool).head(3)  # the junk rows hold bare integers: type "unknown"
      candidate_id candidate_type  exposures
    0         1000        unknown          1
    1         1002        unknown          1
    2        c1000         mosaic         20
    """
    exploded = explode_candidates(df).dropna(subset=["candidate_id"])
    table = (
        exploded.groupby(["candidate_id", "candidate_type"], sort=True)
        .size()
        .rename("exposures")
        .reset_index()
    )
    return table
