"""What is in a pool: exposure counts per program, observation, instrument, mode..."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from asnkit.dms.candidates import parse_candidates
from asnkit.dms.names import junk_rows
from asnkit.dms.values import natural_key
from asnkit.errors import PoolKeyError, text_list
from asnkit.pool.candidates import explode_candidates
from asnkit.pool.select import column_error

__all__ = ["CANDIDATE_COLUMNS", "DEFAULT_SUMMARY_COLUMNS", "LISTED_COLUMNS", "summary"]

#: Columns :func:`summary` groups by by default (those the pool has and uses).
DEFAULT_SUMMARY_COLUMNS = (
    "program",
    "obs_num",
    "instrume",
    "exp_type",
    "filter",
    "pupil",
    "grating",
)

#: Columns listed (distinct values, not grouped) in the default summary.
LISTED_COLUMNS = ("detector", "asn_candidate")

#: Columns of :func:`asnkit.explode_candidates` that ``by`` may name.
CANDIDATE_COLUMNS = ("candidate_id", "candidate_type")


def summary(df: pd.DataFrame, by: Sequence[str] | str | None = None) -> pd.DataFrame:
    """Count the exposures of a pool per program, observation, instrument, mode...

    Parameters
    ----------
    df : pandas.DataFrame
        A pool.
    by : list of str or str, optional
        The columns to group by. By default :data:`DEFAULT_SUMMARY_COLUMNS`
        (program, observation, instrument, exposure type, filter, pupil,
        grating) that the pool has with at least one value: an imaging pool
        gets no ``grating`` column. Add ``"detector"`` to count per detector.
        ``candidate_id`` and ``candidate_type`` (or ``"candidate"`` for both)
        count exposures per association candidate; an exposure then counts
        once in each of its candidates.

    Returns
    -------
    pandas.DataFrame
        One row per group with the ``by`` columns (values lowercased, missing
        shown as missing), ``exposures`` (the number of exposure files), then
        ``detectors`` (the group's detectors, unless grouped by detector) and
        ``candidates`` (the ids of the group's candidates, unless grouped by
        candidate) when the pool has those columns. Groups are sorted,
        numbers in numeric order (observation 2 before 10). Junk rows
        (``set acid`` lines, repeated headers) are not exposures and are left
        out; ``attrs["junk_rows"]`` of the result says how many there were.

    Raises
    ------
    KeyError
        A ``by`` column is not in the pool.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    >>> summary(pool)
      program obs_num instrume   exp_type filter  exposures detectors candidates
    0   99009       1     miri  mir_image  f560w          8  mirimage       o001
    >>> summary(pool, by="candidate")
      candidate_id candidate_type  exposures detectors
    0         o001    observation          8  mirimage
    """
    junk = np.flatnonzero(junk_rows(df["filename"])) if "filename" in df.columns else []
    frame = df.drop(index=df.index[junk]) if len(junk) else df
    columns = _grouping(frame, by)
    wants_candidates = any(c in CANDIDATE_COLUMNS for c in columns)
    if wants_candidates:
        frame = explode_candidates(frame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PoolKeyError(column_error(frame, missing[0]))
    keys = pd.DataFrame({c: _lowered(frame[c]) for c in columns}, index=frame.index)
    if not columns:
        table = pd.DataFrame({"exposures": [len(frame)]})
        table.attrs["junk_rows"] = len(junk)
        return table
    grouped = keys.groupby(columns, dropna=False, sort=False)
    table = grouped.size().rename("exposures").reset_index()
    if "detector" in frame.columns and "detector" not in columns:
        detectors = _value_sets(frame["detector"], lambda d: frozenset({d.lower()}))
        table["detectors"] = _listed(*detectors, grouped)
    if "asn_candidate" in frame.columns and not wants_candidates:
        ids = _value_sets(frame["asn_candidate"], _candidate_ids)
        table["candidates"] = _listed(*ids, grouped)
    table = _sorted(table, columns)
    table.attrs = dict(df.attrs)
    table.attrs["junk_rows"] = len(junk)
    return table


# --------------------------------------------------------------------------- helpers


def _grouping(df: pd.DataFrame, by: Sequence[str] | str | None) -> list[str]:
    if by is None:
        return [c for c in DEFAULT_SUMMARY_COLUMNS if c in df.columns and df[c].notna().any()]
    names = text_list(by, "summary: by", "a column name", ["obs_num", "detector"])
    columns: list[str] = []
    for name in names:
        name = name.lower()
        expanded = list(CANDIDATE_COLUMNS) if name == "candidate" else [name]
        columns.extend(c for c in expanded if c not in columns)
    return columns


def _lowered(values: pd.Series) -> pd.Series:
    return values.astype("str").str.lower()


def _value_sets(
    values: pd.Series, split: Callable[[str], frozenset[str]]
) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Codes of the distinct values and the set each stands for (missing: last, empty)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    sets = [split(value) if isinstance(value, str) else frozenset() for value in uniques]
    sets.append(frozenset())  # code -1: missing
    return codes, sets


def _listed(codes: np.ndarray, sets: list[frozenset[str]], grouped) -> list[str]:
    """The distinct values of each group, in natural order, comma-separated."""
    listed = []
    for rows in grouped.indices.values():
        union = set().union(*(sets[code] for code in np.unique(codes[rows])))
        listed.append(", ".join(sorted(union, key=natural_key)))
    return listed


def _candidate_ids(value: str) -> frozenset[str]:
    try:
        return frozenset(cid.lower() for cid, _ in parse_candidates(value))
    except ValueError:
        return frozenset()


def _sorted(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    def key(values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers[values.notna()].notna().all():
            return numbers
        return values

    return table.sort_values(columns, key=key, na_position="last", kind="stable").reset_index(
        drop=True
    )
