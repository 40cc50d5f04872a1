"""Read DMS association pools into pandas DataFrames.

A pool is a ``|``-separated text table with one row per exposure. The reader
follows the reference generator (``jwst.associations.AssociationPool.read``):

* a line whose first non-blank character is ``#`` is a comment, wherever it
  stands; ``#`` elsewhere is data (``mega_pool.csv`` has ``#todo`` values);
* blank lines are skipped; the first other line is the header;
* column names are lowercased; every value is kept as text (``00009`` stays
  ``00009``) with surrounding blanks removed;
* empty cells and ``NULL`` (any case) are missing values;
* every other line is a row, even junk rows (they are reported in a
  :class:`~asnkit.PoolWarning`).

Values keep their case in the frame; the rules compare them case-insensitively.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from asnkit.dms.candidates import parse_candidates
from asnkit.dms.names import junk_rows
from asnkit.dms.values import POOL_MISSING
from asnkit.errors import PoolError, PoolWarning

__all__ = ["MISSING_TOKENS", "POOL_ATTRS", "read_pool"]

#: Cell values that mean "no value" in a pool (compared case-insensitively).
MISSING_TOKENS = POOL_MISSING

#: Keys of ``DataFrame.attrs`` set by :func:`read_pool`.
POOL_ATTRS = ("asn_pool", "pool_file", "null_text")


def read_pool(source: str | os.PathLike | IO, *, delimiter: str = "|") -> pd.DataFrame:
    """Read an association pool.

    Parameters
    ----------
    source : str, path-like or file-like
        The pool file, or an open text/binary buffer.
    delimiter : str, optional
        The column separator, ``|`` for DMS pools.

    Returns
    -------
    pandas.DataFrame
        One row per exposure, lowercase column names, text values, missing
        values as ``NaN``. ``df.attrs["asn_pool"]`` is the pool's file name
        (what associations record as ``asn_pool``), ``df.attrs["pool_file"]``
        the path it was read from.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    asnkit.PoolError
        The file is empty, has no header or no ``filename`` column, repeats
        a column name, has a row with the wrong number of fields or an
        ``asn_candidate`` value that cannot be parsed. The message names the
        file, the line and the column.

    Examples
    --------
    >>> import io
    >>> text = "filename|program|obs_num\\njw_00001_uncal.fits|99009|001\\n"
    >>> df = read_pool(io.StringIO(text))
    >>> df["obs_num"].tolist()
    ['001']
    """
    text, name, pool_file = _read_text(source)
    lines = text.splitlines()
    header_at, header = _find_header(lines, name, delimiter)
    columns = _column_names(header, header_at, name, delimiter)
    data, line_numbers = _data_lines(lines, header_at, len(columns), name, delimiter)

    frame, widths = _to_frame(data, columns, delimiter)
    frame.attrs["asn_pool"] = Path(name).name if name != "<buffer>" else "in-memory"
    frame.attrs["pool_file"] = pool_file
    frame.attrs["null_text"] = _null_text(frame, widths)
    junk = _junk_rows(frame)
    _check_candidates(frame, line_numbers, name, skip=junk)
    _warn_junk_rows(frame, line_numbers, name, junk)
    return frame


# --------------------------------------------------------------------------- reading


def _read_text(source) -> tuple[str, str, str]:
    """Return (text, display name, pool_file) for a path or buffer."""
    if hasattr(source, "read"):
        raw = source.read()
        name = getattr(source, "name", None)
        name = str(name) if isinstance(name, (str, os.PathLike)) else "<buffer>"
        if isinstance(raw, bytes):
            raw = _decode(raw, name)
        return raw, name, name
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"pool file not found: {path}")
    if path.is_dir():
        raise PoolError("is a directory, not a pool file", file=str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PoolError(f"cannot be read ({exc.strerror})", file=str(path)) from exc
    return _decode(raw, str(path)), str(path), str(path)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PoolError(
            f"not a text pool (byte {exc.start} is not UTF-8)", file=name, line=line
        ) from exc


def _is_skipped(line: str) -> bool:
    stripped = line.lstrip()
    return not stripped or stripped.startswith("#")


def _find_header(lines: list[str], name: str, delimiter: str) -> tuple[int, str]:
    for index, line in enumerate(lines):
        if not _is_skipped(line):
            return index, line
    what = "is empty" if not any(line.strip() for line in lines) else "has only comments"
    raise PoolError(f"the pool {what}: no header line", file=name)


def _column_names(header: str, header_at: int, name: str, delimiter: str) -> list[str]:
    columns = [cell.strip().lower() for cell in _split(header, delimiter)]
    line = header_at + 1
    for position, column in enumerate(columns):
        if not column:
            raise PoolError(f"header field {position + 1} has no column name", file=name, line=line)
    repeated = [column for column, count in Counter(columns).items() if count > 1]
    if repeated:
        raise PoolError(
            "duplicated column name (names are case-insensitive)",
            file=name,
            line=line,
            column=repeated[0],
        )
    if "filename" not in columns:
        found = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
        raise PoolError(
            f"no 'filename' column in the header (found: {found}); "
            f"is the delimiter {delimiter!r} right?",
            file=name,
            line=line,
            column="filename",
        )
    return columns


def _data_lines(
    lines: list[str], header_at: int, width: int, name: str, delimiter: str
) -> tuple[list[str], np.ndarray]:
    data: list[str] = []
    numbers: list[int] = []
    expected = width - 1
    for index in range(header_at + 1, len(lines)):
        line = lines[index]
        if _is_skipped(line):
            continue
        quoted = '"' in line
        if (quoted and len(_split(line, delimiter)) != width) or (
            not quoted and line.count(delimiter) != expected
        ):
            found = len(_split(line, delimiter))
            raise PoolError(
                f"expected {width} fields as in the header, found {found}",
                file=name,
                line=index + 1,
            )
        data.append(line)
        numbers.append(index + 1)
    return data, np.asarray(numbers, dtype=np.int64)


def _split(line: str, delimiter: str) -> list[str]:
    """The cells of one line; double quotes group a cell as astropy's reader does."""
    if '"' not in line:
        return line.split(delimiter)
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'))


def _to_frame(
    data: list[str], columns: list[str], delimiter: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    if not data:
        empty = pd.DataFrame({column: pd.Series([], dtype="str") for column in columns})
        return empty, dict.fromkeys(columns, 0)
    frame = pd.read_csv(
        io.StringIO("\n".join(data)),
        sep=re.escape(delimiter) if len(delimiter) > 1 else delimiter,
        header=None,
        names=columns,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        quoting=csv.QUOTE_MINIMAL,  # "a|b" is one cell, as astropy (and jwst) read it
        quotechar='"',
        engine="c" if len(delimiter) == 1 else "python",
        skip_blank_lines=False,
    )
    widths = {column: _width(frame[column]) for column in columns}
    return pd.DataFrame({column: _clean(frame[column]) for column in columns}), widths


def _width(values: pd.Series) -> int:
    """Length of the longest cell (blanks stripped), as astropy sizes a text column."""
    uniques = pd.unique(values.to_numpy(dtype=object))
    return max((len(str(value).strip()) for value in uniques), default=0)


def _clean(values: pd.Series) -> pd.Series:
    """Strip blanks, make ``NULL``/empty missing. Pool columns repeat few values,
    so the work is done once per distinct value."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing -> code -1
    stripped = (str(value).strip() for value in uniques)
    table = [None if text.lower() in MISSING_TOKENS else text for text in stripped]
    table.append(None)
    return pd.Series(np.asarray(table, dtype=object)[codes], dtype="str")


def _null_text(frame: pd.DataFrame, widths: dict[str, int]) -> dict[str, str]:
    """What the reference reader makes of the empty cells of narrow columns.

    jwst reads each column as text as wide as its longest cell (``NULL``
    counts four), then fills empty cells with ``"null"`` cut to that width:
    ``"n"``, ``"nu"`` or ``"nul"`` in columns whose cells are all shorter than
    four characters. Only such columns with missing cells are listed (most
    pools have none); the rule engine uses this to give the same associations
    as ``asn_generate``.
    """
    return {
        column: "null"[: max(widths[column], 1)]
        for column in frame.columns
        if widths[column] < len("null") and frame[column].isna().any()
    }


# --------------------------------------------------------------------------- checks


def _junk_rows(frame: pd.DataFrame) -> np.ndarray:
    """Positions of rows whose filename cannot be a file name (junk rows, kept but reported)."""
    return np.flatnonzero(junk_rows(frame["filename"]))


def _check_candidates(
    frame: pd.DataFrame, line_numbers: np.ndarray, name: str, skip: np.ndarray
) -> None:
    if "asn_candidate" not in frame.columns:
        return
    values = frame["asn_candidate"].to_numpy(dtype=object)
    skipped = set(skip.tolist())
    for position, value in enumerate(values):
        if not isinstance(value, str) or position in skipped:
            continue
        try:
            parse_candidates(value)
        except ValueError as exc:
            raise PoolError(
                f"malformed asn_candidate {value!r}: {exc}",
                file=name,
                line=int(line_numbers[position]),
                column="asn_candidate",
            ) from None


def _warn_junk_rows(
    frame: pd.DataFrame, line_numbers: np.ndarray, name: str, junk: np.ndarray
) -> None:
    if len(junk) == 0:
        return
    shown = ", ".join(f"line {line_numbers[i]} ({frame['filename'].iat[i]!r})" for i in junk[:3])
    more = f" and {len(junk) - 3} more" if len(junk) > 3 else ""
    warnings.warn(
        f"{name}: {len(junk)} junk row(s) whose filename is not a file name were kept "
        f"as rows, as the reference generator keeps them: {shown}{more}",
        PoolWarning,
        stacklevel=3,
    )
