"""The candidates of a pool: one row per exposure and candidate, counts per candidate.

``asn_candidate`` values are parsed by :func:`asnkit.dms.candidates.parse_candidates`
(re-exported here): a list of ``(id, type)`` pairs such as
``[('o001', 'observation'), ('c1000', 'background')]``; bare integers (old or
junk rows) are candidates of type ``unknown``, as jwst files them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from asnkit.dms.candidates import UNKNOWN_CTYPE, parse_candidates
from asnkit.dms.names import junk_rows
from asnkit.errors import PoolError, PoolKeyError
from asnkit.pool.select import column_error

__all__ = ["UNKNOWN_CTYPE", "candidate_ids", "explode_candidates", "parse_candidates"]


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
        raise PoolKeyError(column_error(df, "asn_candidate"))
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
    from asnkit.pool.read import locate

    junk = _junk_mask(df)
    pairs = []
    for position, value in enumerate(df["asn_candidate"]):
        if not isinstance(value, str):
            pairs.append(())
            continue
        try:
            pairs.append(parse_candidates(value))
        except ValueError as exc:
            if junk[position]:
                pairs.append(())  # a junk row ("set acid"): not an exposure
                continue
            raise locate(
                PoolError(
                    f"malformed asn_candidate {value!r}: {exc}",
                    column="asn_candidate",
                    row=position,
                ),
                df,
            ) from None
    return pairs


def _junk_mask(df: pd.DataFrame) -> np.ndarray:
    if "filename" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return junk_rows(df["filename"])


def candidate_ids(df: pd.DataFrame) -> pd.DataFrame:
    """The candidates of a pool with their type and number of exposures.

    Junk rows (``set acid`` lines, see :func:`asnkit.dms.names.is_junk_name`)
    are not exposures: candidates only they list (the bare integers ``1000``,
    ``1002`` of old pools, type ``unknown``) are marked ``junk`` and listed
    last, with no exposures.

    Returns
    -------
    pandas.DataFrame
        Columns ``candidate_id``, ``candidate_type``, ``exposures`` (rows that
        are exposures) and ``junk`` (True when only junk rows list the
        candidate), sorted by id, junk last.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    >>> candidate_ids(pool).head(2)
      candidate_id candidate_type  exposures   junk
    0        c1000         mosaic         20  False
    1        c1001         mosaic         30  False
    >>> candidate_ids(pool).tail(2)  # the junk rows hold bare integers: type "unknown"
       candidate_id candidate_type  exposures  junk
    10         1000        unknown          0  True
    11         1002        unknown          0  True
    """
    exploded = explode_candidates(df).dropna(subset=["candidate_id"])
    exposure = ~_junk_mask(exploded)
    table = (
        exploded.assign(exposures=exposure.astype(np.int64))
        .groupby(["candidate_id", "candidate_type"], sort=True)["exposures"]
        .sum()
        .reset_index()
    )
    table["junk"] = table["exposures"] == 0
    return table.sort_values("junk", kind="stable").reset_index(drop=True)
