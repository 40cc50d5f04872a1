"""Read DMS association pools into pandas DataFrames.

A pool is a ``|``-separated text table with one row per exposure. The reader
follows the reference generator (``jwst.associations.AssociationPool.read``):

* only ``\\n`` ends a line (``\\r\\n`` too); other line-like characters
  (``\\v``, ``\\f``, ``\\x85``, U+2028) are data, so line numbers are those
  of any editor; a UTF-8 byte-order mark is ignored;
* a line whose first non-blank character is ``#`` is a comment, wherever it
  stands; ``#`` elsewhere is data (``mega_pool.csv`` has ``#todo`` values);
* blank lines are skipped; the first other line is the header;
* a cell that starts with ``"`` is quoted up to the next ``"`` (``""`` is a
  quote): ``"ngc|3603"`` is one cell, as jwst reads it. A quoted cell never
  spans lines: an unclosed quote is an error naming the line, where jwst
  would silently swallow the rows up to the next quote;
* column names are lowercased; every value is kept as text (``00009`` stays
  ``00009``) with surrounding blanks removed;
* empty cells and ``NULL`` (any case) are missing values;
* every other line is a row, even junk rows (they are reported in a
  :class:`~asnkit.PoolWarning`, see :func:`asnkit.dms.names.is_junk_name`);
* programs and association candidate ids become parts of file names, so they
  must be DMS identifiers (:mod:`asnkit.dms.identifiers`).

Values keep their case in the frame; the rules compare them case-insensitively.
Every failure is a :class:`~asnkit.PoolError` naming the file, the line and
the column.
"""

from __future__ import annotations

import os
from typing import IO

import numpy as np
import pandas as pd

from asnkit.errors import PoolTypeError
from asnkit.pool import coded
from asnkit.pool.coded import line_of, locate
from asnkit.pool.parse import MISSING_TOKENS, POOL_ATTRS, parse_pool

__all__ = [
    "MISSING_TOKENS",
    "POOL_ATTRS",
    "check_identifiers",
    "line_of",
    "locate",
    "read_pool",
]


def read_pool(
    source: str | os.PathLike | IO, *, delimiter: str = "|", sep: str | None = None
) -> pd.DataFrame:
    """Read an association pool.

    Parameters
    ----------
    source : str, path-like or file-like
        The pool file, or an open text/binary buffer.
    delimiter : str, optional
        The column separator, ``|`` for DMS pools.
    sep : str, optional
        Another name for ``delimiter`` (pandas' name for it).

    Returns
    -------
    pandas.DataFrame
        One row per exposure, lowercase column names, text values, missing
        values as ``NaN``. ``df.attrs["asn_pool"]`` is the pool's file name
        (what associations record as ``asn_pool``), ``df.attrs["pool_file"]``
        the path it was read from, ``df.attrs["pool_lines"]`` where each row
        stands in the file (see :func:`line_of`).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    asnkit.PoolTypeError
        ``sep=`` and ``delimiter=`` name two different separators.
    asnkit.PoolError
        The file is empty, not UTF-8 text, has no header or no ``filename``
        column, repeats a column name, has a row with the wrong number of
        fields, a quoted cell not closed on its line, an ``asn_candidate``
        value that cannot be parsed, or a program or candidate id that is not
        a DMS identifier. The message names the file, the line and the column.

    Examples
    --------
    >>> import io
    >>> text = "filename|program|obs_num\\njw_00001_uncal.fits|99009|001\\n"
    >>> df = read_pool(io.StringIO(text))
    >>> df["obs_num"].tolist()
    ['001']
    """
    if sep is not None:
        if delimiter not in ("|", sep):
            raise PoolTypeError(
                f"read_pool: sep={sep!r} and delimiter={delimiter!r} name two different column "
                "separators (sep is pandas' name for delimiter): give one"
            )
        delimiter = sep
    return parse_pool(source, delimiter=delimiter, stacklevel=3).to_frame()


def check_identifiers(df: pd.DataFrame, *, junk: np.ndarray | None = None) -> None:
    """Check the values of a frame that become parts of file names.

    :func:`asnkit.pool.coded.check_identifiers` on a DataFrame; ``junk`` gives the
    positions of its junk rows (default: from ``filename``).

    Raises
    ------
    asnkit.PoolError
        Naming the file, the line (or the row) and the column.
    """
    mask = None
    if junk is not None:
        mask = np.zeros(len(df), dtype=bool)
        mask[junk] = True

    coded.check_identifiers(coded.code_frame(df), mask)
