"""Select rows of a pool: by column values, science exposures, observation, candidate.

Every function returns a new frame (a copy, never a view) and leaves its
input unchanged, so calls chain safely::

    pool.asn.select(instrume="nircam").asn.science().asn.observation(1)

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
>>> sel = pool.asn.select(instrume="nircam", filter=["f090w", "f2*"]).asn.observation(1)
>>> sel["filter"].value_counts().to_dict()
{'f090w': 8, 'f277w': 2}
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from asnkit.dms import exposures
from asnkit.dms.candidates import parse_candidates
from asnkit.errors import PoolError, PoolKeyError, PoolTypeError, close_matches

__all__ = [
    "NON_SCIENCE_EXP_TYPES",
    "SPECIAL_MODIFIERS",
    "candidate",
    "column_error",
    "match",
    "observation",
    "science",
    "select",
]

#: Exposure types that are never science (calibration, engineering, target
#: acquisition), as the reference generator classifies them.
NON_SCIENCE_EXP_TYPES = exposures.NON_SCIENCE_EXP_TYPES

#: Pool columns that mark science exposures taken for a special use (jwst's
#: ``SPECIAL_EXPOSURE_MODIFIERS``): PSF reference, NIRSpec imprint, background.
SPECIAL_MODIFIERS = tuple(column for _, column in exposures.SPECIAL_MODIFIERS)

_GLOB_CHARS = frozenset("*?[")
_TRUE = frozenset({"t", "true", "yes", "y", "1"})
_FALSE = frozenset({"f", "false", "no", "n", "0"})


def select(df: pd.DataFrame, **column_values: Any) -> pd.DataFrame:
    """Rows whose columns match the given values.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool (see :func:`asnkit.read_pool`).
    **column_values
        ``column=value`` pairs, all of which must hold (AND). Column names are
        case-insensitive (use ``**{"date-obs": ...}`` for names that are not
        Python identifiers). A value is one of:

        * text: equal, ignoring case and surrounding blanks (``"nircam"``);
        * a glob pattern with ``*``, ``?`` or ``[...]``, ignoring case
          (``"f2*"``); text equal to the pattern matches too, so an
          ``asn_candidate`` such as ``"[('o001', 'observation')]"`` works;
        * an integer or float: the cell read as a number equals it
          (``obs_num=1`` matches ``"001"``);
        * ``True`` / ``False``: the cell is a yes/no flag (``t``, ``true``...);
        * ``None`` (or ``NaN``): the cell is missing. Missing cells match
          nothing else, not even ``"*"``;
        * a callable: called with the column (a Series), returns a boolean
          mask;
        * a list, tuple or set of the above: any of them (OR).

    Returns
    -------
    pandas.DataFrame
        A new frame with the matching rows, the original index and ``attrs``.

    Raises
    ------
    KeyError
        A column is not in the pool; the message lists close matches.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_018_all_exptypes"))
    >>> len(select(pool, exp_type="nrc_*"))
    12
    >>> select(pool, exp_type=["NIS_IMAGE", "nrc_image"])["exp_type"].tolist()
    ['nrc_image', 'nis_image']
    >>> len(select(pool, patt_num=None)) == int(pool["patt_num"].isna().sum())
    True
    >>> select(pool, filtr="x")
    Traceback (most recent call last):
    ...
    asnkit.errors.PoolKeyError: no column 'filtr' in the pool; close matches: filter
    """
    mask = np.ones(len(df), dtype=bool)
    for key, wanted in column_values.items():
        column = _column(df, key)
        mask &= match(df[column], wanted)
    return _subset(df, mask)


def match(values: pd.Series, wanted: Any) -> np.ndarray:
    """Boolean mask of the cells of ``values`` that match ``wanted`` (see :func:`select`).

    Examples
    --------
    >>> import pandas as pd
    >>> match(pd.Series(["F090W", "f200w", None]), ["f09*", None]).tolist()
    [True, False, True]
    """
    if isinstance(wanted, (list, tuple, set, frozenset)):
        mask = np.zeros(len(values), dtype=bool)
        for item in wanted:
            mask |= match(values, item)
        return mask
    if callable(wanted):
        return _callable_mask(values, wanted)
    missing = values.isna().to_numpy(dtype=bool)
    if wanted is None or (isinstance(wanted, float) and np.isnan(wanted)) or wanted is pd.NA:
        return missing
    if isinstance(wanted, (bool, np.bool_)):
        flags = _lowered(values).isin(_TRUE if wanted else _FALSE)
        return flags.to_numpy(dtype=bool) & ~missing
    if isinstance(wanted, (int, float, np.integer, np.floating)):
        numbers = pd.to_numeric(values, errors="coerce")
        return (numbers == wanted).to_numpy(dtype=bool) & ~missing
    text = str(wanted).strip().lower()
    lowered = _lowered(values)
    equal = (lowered == text).to_numpy(dtype=bool) & ~missing
    if _GLOB_CHARS & set(text):  # equal text always matches: "[('o001', ...)]" is no pattern
        hits = [isinstance(v, str) and fnmatch.fnmatchcase(v, text) for v in lowered]
        return (np.asarray(hits, dtype=bool) & ~missing) | equal
    return equal


def science(df: pd.DataFrame, *, special: bool = True) -> pd.DataFrame:
    """Science exposures only.

    An exposure is science when its ``pntgtype`` is ``science`` (or the pool
    has no such column) and its ``exp_type`` is not in
    :data:`NON_SCIENCE_EXP_TYPES` (darks, flats, engineering, target
    acquisitions), as the reference generator decides. Rows with no
    ``exp_type`` (and junk rows) are not science.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool.
    special : bool, optional
        Keep science exposures taken for a special use: backgrounds
        (``bkgdtarg``), NIRSpec imprints (``is_imprt``), PSF references
        (``is_psf``). ``False`` drops them.

    Returns
    -------
    pandas.DataFrame
        A new frame.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_018_all_exptypes"))
    >>> sci = science(pool)
    >>> "nrc_tacq" in set(pool["exp_type"]), "nrc_tacq" in set(sci["exp_type"])
    (True, False)
    """
    if "exp_type" not in df.columns:
        raise PoolKeyError(column_error(df, "exp_type"))
    exp_type = _lowered(df["exp_type"])
    mask = exp_type.notna().to_numpy(dtype=bool) & ~exp_type.isin(NON_SCIENCE_EXP_TYPES).to_numpy(
        dtype=bool
    )
    if "pntgtype" in df.columns:
        pntgtype = _lowered(df["pntgtype"])
        mask &= (pntgtype.isna() | (pntgtype == "science")).to_numpy(dtype=bool)
    if not special:
        for column in SPECIAL_MODIFIERS:
            if column in df.columns:
                mask &= ~_lowered(df[column]).isin(_TRUE).to_numpy(dtype=bool)
    return _subset(df, mask)


def observation(df: pd.DataFrame, obs_num: int | str) -> pd.DataFrame:
    """The exposures of one observation.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool with an ``obs_num`` column.
    obs_num : int or str
        The observation number: ``1``, ``"1"``, ``"001"`` and ``"o001"`` are
        the same observation.

    Returns
    -------
    pandas.DataFrame
        A new frame.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_013_coron_nircam"))
    >>> len(observation(pool, 1)) == len(observation(pool, "o001"))
    True
    """
    number = _observation_number(obs_num)
    if "obs_num" not in df.columns:
        raise PoolKeyError(column_error(df, "obs_num"))
    numbers = pd.to_numeric(df["obs_num"], errors="coerce")
    return _subset(df, (numbers == number).to_numpy(dtype=bool))


def candidate(df: pd.DataFrame, candidate_id: str) -> pd.DataFrame:
    """The exposures whose ``asn_candidate`` lists a candidate.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool with an ``asn_candidate`` column.
    candidate_id : str
        The candidate id as written in the pool, e.g. ``"o001"`` or
        ``"c1000"`` (case-insensitive).

    Returns
    -------
    pandas.DataFrame
        A new frame.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    >>> sorted(set(candidate(pool, "C1000")["obs_num"]))
    ['3', '4']
    """
    if "asn_candidate" not in df.columns:
        raise PoolKeyError(column_error(df, "asn_candidate"))
    wanted = str(candidate_id).strip().lower()
    hits = [
        isinstance(value, str) and any(cid.lower() == wanted for cid, _ in _pairs(value))
        for value in df["asn_candidate"]
    ]
    return _subset(df, np.asarray(hits, dtype=bool))


# --------------------------------------------------------------------------- helpers


def _pairs(value: str) -> tuple[tuple[str, str], ...]:
    try:
        return parse_candidates(value)
    except ValueError:  # junk rows keep unparsable text
        return ()


def _subset(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    out = df.loc[mask].copy()
    out.attrs = dict(df.attrs)
    return out


def _lowered(values: pd.Series) -> pd.Series:
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return values.astype(object).where(
            values.isna(), values.astype(str).str.strip().str.lower()
        )
    return values.astype(str).str.lower().where(values.notna())


def _callable_mask(values: pd.Series, function: Callable[[pd.Series], Any]) -> np.ndarray:
    result = np.asarray(function(values.copy()), dtype=bool)
    if result.shape != (len(values),):
        raise PoolError(
            f"the function for column {values.name!r} returned shape {result.shape}, "
            f"expected one boolean per row ({len(values)})"
        )
    return result


def _column(df: pd.DataFrame, key: str) -> str:
    if key in df.columns:
        return key
    lowered = {str(column).lower(): column for column in df.columns}
    if key.lower() in lowered:
        return lowered[key.lower()]
    raise PoolKeyError(column_error(df, key))


def column_error(df: pd.DataFrame, key: str) -> str:
    """The message for a column not in the pool: close matches, or the columns there are."""
    names = [str(column) for column in df.columns]
    close = close_matches(key, names, n=5)
    hint = f"close matches: {', '.join(close)}" if close else f"columns: {_preview(names)}"
    return f"no column {key!r} in the pool; {hint}"


def _preview(names: Iterable[str], limit: int = 12) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _observation_number(obs_num: int | str) -> int:
    if isinstance(obs_num, (bool, np.bool_)):
        raise PoolTypeError("obs_num must be an integer or text such as '001'")
    if isinstance(obs_num, (int, np.integer)):
        return int(obs_num)
    text = str(obs_num).strip().lower()
    if text.startswith("o"):
        text = text[1:]
    try:
        return int(text)
    except ValueError:
        raise PoolError(f"not an observation number: {obs_num!r} (try 1 or '001')") from None
