"""Write association pools: the inverse of :func:`asnkit.read_pool`.

The file is what the DMS and ``jwst`` read: ``|``-separated text, one header
line with the column names, one line per row, missing values written as
``NULL`` (both :func:`asnkit.read_pool` and jwst's ``AssociationPool.read``
take ``NULL`` as "no value"; an empty cell would also do, but a row whose
only value is missing would then be a blank line, which readers skip).

Writing is atomic: the text goes to a temporary file in the target folder,
which then replaces the target in one step, so a reader never sees half a
pool and a failed write leaves the old file untouched.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from asnkit.atomic import write_text
from asnkit.errors import PoolError, PoolFileExistsError, exists_as
from asnkit.pool.read import MISSING_TOKENS, check_identifiers

__all__ = ["LINE_BREAKS", "MISSING_TEXT", "pool_text", "write_pool"]

#: What a missing value is written as.
MISSING_TEXT = "NULL"

#: Characters that end a line for :meth:`str.splitlines` (and so for some of the
#: readers of jwst's astropy; asnkit's reader ends lines at ``\n`` only).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

_QUOTE = '"'


def write_pool(
    df: pd.DataFrame,
    path: str | os.PathLike | IO[str],
    *,
    overwrite: bool = False,
    delimiter: str = "|",
) -> Path | None:
    """Write a pool so that :func:`asnkit.read_pool` gives it back.

    Parameters
    ----------
    df : pandas.DataFrame
        The pool: one row per exposure with a ``filename`` column. Values are
        written as text (``str(value)``); missing values (``NaN``, ``None``,
        ``pd.NA``, empty text) as ``NULL``. The index is not written.
    path : str, path-like or text buffer
        Where to write. A buffer is written to directly (not atomically).
    overwrite : bool, optional
        Replace ``path`` if it exists. By default an existing file is never
        touched.
    delimiter : str, optional
        The column separator, ``|`` for DMS pools.

    Returns
    -------
    pathlib.Path or None
        The file written, ``None`` for a buffer.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false; the message names it.
    asnkit.PoolError
        The frame cannot be written as a pool that reads back the same: no
        ``filename`` column, column names that repeat once lowercased, a
        value holding the delimiter or a line break, or a program or
        candidate id that is not a DMS identifier (the message names the row
        and the column). A value starting with a double quote is written
        quoted (its quotes doubled), so that readers do not take it for the
        start of a quoted cell.

    Notes
    -----
    Reading back gives the same values as text, with surrounding blanks
    removed (the reader strips cells), lowercase column names, and
    ``attrs`` ``asn_pool`` / ``pool_file`` naming the new file.

    Examples
    --------
    >>> import io
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    >>> buffer = io.StringIO()
    >>> write_pool(pool, buffer)
    >>> _ = buffer.seek(0)
    >>> asnkit.read_pool(buffer).equals(pool)
    True
    """
    target = None if hasattr(path, "write") else Path(path)
    where = str(target) if target is not None else "<buffer>"
    text = pool_text(df, delimiter=delimiter, name=where)
    if target is None:
        path.write(text)  # type: ignore[union-attr]
        return None
    with exists_as(PoolFileExistsError):
        write_text(target, text, overwrite=overwrite)
    return target


def pool_text(df: pd.DataFrame, *, delimiter: str = "|", name: str = "<frame>") -> str:
    """The text of a pool file for ``df`` (see :func:`write_pool`).

    Examples
    --------
    >>> import pandas as pd
    >>> print(pool_text(pd.DataFrame({"FILENAME": ["a.fits"], "obs_num": [None]})), end="")
    filename|obs_num
    a.fits|NULL
    """
    columns = _column_names(df, delimiter, name)
    _check_identifiers(df, columns, name)
    body = np.empty((len(df), len(columns)), dtype=object)
    # Narrow columns read from a file with empty cells stay empty (see read_pool's
    # attrs["null_text"]), so the reference reader sees the same pool again.
    narrow = df.attrs.get("null_text") or {}
    for position, column in enumerate(columns):
        missing = "" if column in narrow else MISSING_TEXT
        body[:, position] = _cells(df.iloc[:, position], column, delimiter, name, df, missing)
    if len(df) and len(columns):
        _check_first_cells(body[:, 0], columns[0], name, df)
    lines = [delimiter.join(columns)]
    lines.extend(delimiter.join(row) for row in body.tolist())
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- checks


def _column_names(df: pd.DataFrame, delimiter: str, name: str) -> list[str]:
    columns = [str(column).strip().lower() for column in df.columns]
    for original, column in zip(df.columns, columns, strict=True):
        if not column:
            raise PoolError("a column has no name", file=name, column=str(original))
        if delimiter in column or any(char in column for char in LINE_BREAKS):
            raise PoolError(
                f"column name holds the delimiter {delimiter!r} or a line break",
                file=name,
                column=str(original),
            )
    if columns and columns[0].startswith("#"):
        raise PoolError(
            "the first column name starts with '#': the header would read as a comment",
            file=name,
            column=columns[0],
        )
    repeated = [column for column, count in Counter(columns).items() if count > 1]
    if repeated:
        raise PoolError(
            "duplicated column name once lowercased (pool column names are case-insensitive)",
            file=name,
            column=repeated[0],
        )
    if "filename" not in columns:
        raise PoolError("no 'filename' column: a pool needs one", file=name, column="filename")
    return columns


def _cells(
    values: pd.Series,
    column: str,
    delimiter: str,
    name: str,
    df: pd.DataFrame,
    missing: str = MISSING_TEXT,
) -> np.ndarray:
    """The column as text cells, missing values as ``missing`` (``NULL``).

    Pool columns repeat few values, so the checks run on the distinct values.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing -> code -1
    cells = [str(value) for value in uniques]
    forbidden = re.compile("[" + re.escape(delimiter + LINE_BREAKS) + "]")
    for index, cell in enumerate(cells):
        found = forbidden.search(cell)
        if found:
            what = (
                f"the delimiter {delimiter!r}"
                if delimiter in cell
                else f"a line break ({found.group()!r})"
            )
            position = int(np.flatnonzero(codes == index)[0])
            _raise_bad_cell(position, column, f"holds {what}", name, df, cell)
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError as exc:
            position = int(np.flatnonzero(codes == index)[0])
            _raise_bad_cell(position, column, f"is not UTF-8 text ({exc.reason})", name, df, cell)
        if cell.strip().lower() in MISSING_TOKENS:
            cells[index] = missing
        elif cell.lstrip().startswith(_QUOTE):
            # the reader (and jwst's) takes a leading quote as the start of a quoted cell
            cells[index] = _QUOTE + cell.replace(_QUOTE, _QUOTE * 2) + _QUOTE
    table = np.array([*cells, missing], dtype=object)
    return table[codes]


def _check_identifiers(df: pd.DataFrame, columns: list[str], name: str) -> None:
    """Programs and candidate ids must be DMS identifiers, as the reader requires."""
    wanted = [c for c in ("program", "asn_candidate") if c in columns]
    if not wanted or len(df) == 0:
        return
    view = pd.DataFrame(
        {c: df.iloc[:, columns.index(c)].to_numpy(dtype=object) for c in [*wanted, "filename"]}
    )
    try:
        check_identifiers(view)
    except PoolError as exc:
        position = exc.row if exc.row is not None else 0
        label = df.index[position]
        label = label.item() if hasattr(label, "item") else label
        raise PoolError(
            f"row {position} (index {label!r}): {exc.message}", file=name, column=exc.column
        ) from None


def _check_first_cells(cells: np.ndarray, column: str, name: str, df: pd.DataFrame) -> None:
    hits = np.flatnonzero([cell.lstrip().startswith("#") for cell in cells])
    if len(hits):
        _raise_bad_cell(
            hits[0],
            column,
            "starts with '#' in the first column: the row would read as a comment",
            name,
            df,
            cells[hits[0]],
        )


def _raise_bad_cell(
    position: int, column: str, what: str, name: str, df: pd.DataFrame, cell: str
) -> None:
    label = df.index[position]
    label = label.item() if hasattr(label, "item") else label
    raise PoolError(
        f"row {position} (index {label!r}) value {cell!r} {what}",
        file=name,
        column=column,
    )
