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

import bisect
import os
import warnings
from collections import Counter
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from asnkit.dms.candidates import parse_candidates
from asnkit.dms.identifiers import CANDIDATE_ID, PROGRAM
from asnkit.dms.names import junk_rows
from asnkit.dms.values import POOL_MISSING
from asnkit.errors import PoolError, PoolFileNotFoundError, PoolIsADirectoryError, PoolWarning

__all__ = [
    "MISSING_TOKENS",
    "POOL_ATTRS",
    "check_identifiers",
    "line_of",
    "locate",
    "read_pool",
]

#: Cell values that mean "no value" in a pool (compared case-insensitively).
MISSING_TOKENS = POOL_MISSING

#: Keys of ``DataFrame.attrs`` set by :func:`read_pool`.
POOL_ATTRS = ("asn_pool", "pool_file", "null_text", "pool_lines")

_QUOTE = '"'

#: About how many characters of a pool are split at a time (see ``_blocks``).
_BLOCK_CHARS = 1 << 20


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
        the path it was read from, ``df.attrs["pool_lines"]`` where each row
        stands in the file (see :func:`line_of`).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
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
    text, name, pool_file = _read_text(source)
    builder = None
    for first, lines in _blocks(text):
        start = 0
        if builder is None:
            start = _header_index(lines)
            if start is None:
                continue
            columns = _column_names(lines[start], first + start, name, delimiter)
            capacity = _line_count(text) - (first + start)  # lines after the header
            builder = _ColumnBuilder(columns, name, delimiter, capacity)
            start += 1
        builder.add(lines, first, start)
    if builder is None:
        what = "has only comments" if text.strip() else "is empty"
        raise PoolError(f"the pool {what}: no header line", file=name)
    del text  # the frame holds each distinct value once; the text is no longer needed
    frame, widths, numbers = builder.finish()
    frame.attrs["asn_pool"] = Path(name).name if name != "<buffer>" else "in-memory"
    frame.attrs["pool_file"] = pool_file
    frame.attrs["null_text"] = _null_text(frame, widths)
    frame.attrs["pool_lines"] = _runs(numbers)
    junk = np.flatnonzero(junk_rows(frame["filename"]))
    check_identifiers(frame, junk=junk)
    _warn_junk_rows(frame, numbers, name, junk)
    return frame


# --------------------------------------------------------------------------- reading


def _read_text(source) -> tuple[str, str, str]:
    """Return (text, display name, pool_file) for a path or buffer."""
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        name = str(name) if isinstance(name, (str, os.PathLike)) else "<buffer>"
        try:
            raw = source.read()
        except UnicodeDecodeError as exc:
            raise PoolError(f"not a text pool ({exc.reason})", file=name) from None
        except OSError as exc:
            raise PoolError(f"cannot be read ({exc.strerror or exc})", file=name) from None
        if isinstance(raw, bytes):
            raw = _decode(raw, name)
        elif not isinstance(raw, str):
            raise PoolError(f"read() gave {type(raw).__name__}, not text", file=name)
        return raw.removeprefix("\ufeff"), name, name
    path = Path(source)
    if not path.exists():
        raise PoolFileNotFoundError("pool file not found", file=str(path))
    if path.is_dir():
        raise PoolIsADirectoryError("is a folder, not a pool file", file=str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PoolError(f"cannot be read ({exc.strerror})", file=str(path)) from exc
    return _decode(raw, str(path)), str(path), str(path)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark is not part of the header
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PoolError(
            f"not a text pool (byte {exc.start}, character {column} of the line, is not UTF-8)",
            file=name,
            line=line,
        ) from None


def _is_skipped(line: str) -> bool:
    stripped = line.lstrip()
    return not stripped or stripped.startswith("#")


def _blocks(text: str):
    """The lines of ``text``, a block of about ``_BLOCK_CHARS`` characters at a
    time: ``(line number of the block's first line, its lines)``. Blocks keep
    the memory of splitting a large pool small (only ``\\n`` ends a line)."""
    size = _BLOCK_CHARS
    start, number, end_of_text = 0, 1, len(text)
    while start < end_of_text:
        end = text.find("\n", start + size)
        if end < 0:
            end = end_of_text
        lines = text[start:end].split("\n")
        yield number, lines
        number += len(lines)
        start = end + 1


def _line_count(text: str) -> int:
    """The lines of ``text`` (a last ``\\n`` ends the last line)."""
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _header_index(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if not _is_skipped(line):
            return index
    return None


def _column_names(header: str, line: int, name: str, delimiter: str) -> list[str]:
    columns = [cell.strip().lower() for cell in _split(header, delimiter, name, line, None)]
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


def _split(
    line: str, delimiter: str, name: str, number: int, columns: list[str] | None
) -> list[str]:
    """The cells of one line (a trailing ``\\r`` is not data).

    A cell whose first non-blank character is ``"`` is quoted up to the next
    lone ``"`` (``""`` stands for a quote), as astropy's reader (and so jwst)
    reads it; text after the closing quote is kept. A quote inside an
    unquoted cell is data. A quoted cell must close on its line.
    """
    if line.endswith("\r"):
        line = line[:-1]
    if _QUOTE not in line:
        return line.split(delimiter)
    cells: list[str] = []
    size, step = len(line), len(delimiter)
    start = 0
    while True:
        lead = start
        while lead < size and line[lead] in " \t":
            lead += 1
        if lead < size and line[lead] == _QUOTE:
            parts, position = [], lead + 1
            while True:
                close = line.find(_QUOTE, position)
                if close < 0:
                    column = columns[len(cells)] if columns and len(cells) < len(columns) else None
                    raise PoolError(
                        f"the quoted cell opened at character {lead + 1} is not closed on "
                        "this line (a quoted cell cannot span lines; double a quote inside "
                        'a quoted cell: "")',
                        file=name,
                        line=number,
                        column=column,
                    )
                parts.append(line[position:close])
                if line.startswith(_QUOTE, close + 1):
                    parts.append(_QUOTE)
                    position = close + 2
                    continue
                position = close + 1
                break
            end = line.find(delimiter, position)
            end = size if end < 0 else end
            cells.append("".join(parts) + line[position:end])
        else:
            end = line.find(delimiter, start)
            end = size if end < 0 else end
            cells.append(line[start:end])
        if end >= size:
            return cells
        start = end + step


class _ColumnBuilder:
    """The columns of a pool, filled a block of lines at a time.

    Pool columns repeat few values, so each column keeps one object per
    distinct cell (blanks stripped, ``NULL``/empty as missing) and the
    cleaning is done once per distinct value; the split cells of a block are
    dropped as soon as the block is coded into the column's array, made once
    for at most ``capacity`` rows. The frame is made by :meth:`finish`.
    """

    def __init__(self, columns: list[str], name: str, delimiter: str, capacity: int) -> None:
        self.columns, self.name, self.delimiter = columns, name, delimiter
        self.width = len(columns)
        self.dtype = pd.Series([], dtype="str").dtype
        # pandas 3 without pyarrow keeps text as Python objects: the arrays become the
        # frame's as they are (missing as its NaN); other text dtypes are made by pandas
        self.shared = isinstance(self.dtype, pd.StringDtype) and self.dtype.storage == "python"
        self.missing = self.dtype.na_value if self.shared else None
        self.arrays = [np.empty(capacity, dtype=object) for _ in columns]
        self.cleaned: list[dict[str, object]] = [{} for _ in columns]
        self.widths = [0] * self.width
        self.numbers: list[np.ndarray] = []
        self.rows = 0

    def add(self, lines: list[str], first: int, start: int) -> None:
        """Add the data lines ``lines[start:]``; ``first`` is the line number of ``lines[0]``."""
        kept = [index for index in range(start, len(lines)) if not _is_skipped(lines[index])]
        if not kept:
            return
        numbers = first + np.asarray(kept, dtype=np.int64)
        cells = self._cells([lines[index] for index in kept], numbers)
        rows = slice(self.rows, self.rows + len(kept))
        for position in range(self.width):
            self._code(position, cells[position :: self.width], rows)
        self.numbers.append(numbers)
        self.rows = rows.stop

    def _cells(self, rows: list[str], numbers: np.ndarray) -> list[str]:
        """The cells of ``rows``, row after row; a row of the wrong width is an error."""
        delimiter, width = self.delimiter, self.width
        if len(delimiter) == 1:
            joined = delimiter.join(rows)
            # (a line's trailing \r, which is not data, goes with the blanks of its last cell)
            if _QUOTE not in joined and all(row.count(delimiter) == width - 1 for row in rows):
                return joined.split(delimiter)
        cells: list[str] = []
        for row, number in zip(rows, numbers.tolist(), strict=True):
            split = _split(row, delimiter, self.name, number, self.columns)
            if len(split) != width:
                raise PoolError(
                    f"expected {width} fields as in the header, found {len(split)}",
                    file=self.name,
                    line=number,
                )
            cells.extend(split)
        return cells

    def _code(self, position: int, values: list[str], rows: slice) -> None:
        """Put ``values`` in ``rows`` of column ``position``, one object per distinct value."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        cleaned = self.cleaned[position]  # cell -> its value; a value is its own cell
        table = []
        for value in uniques:
            if value not in cleaned:
                text = value.strip()
                self.widths[position] = max(self.widths[position], len(text))
                if text.lower() in MISSING_TOKENS:
                    cleaned[value] = self.missing
                else:
                    cleaned[value] = cleaned.setdefault(text, text)
            table.append(cleaned[value])
        np.take(np.asarray(table, dtype=object), codes, out=self.arrays[position][rows])

    def finish(self) -> tuple[pd.DataFrame, dict[str, int], np.ndarray]:
        """The frame, each column's width (its longest cell, blanks stripped, as
        astropy sizes a text column) and the line number of each row."""
        columns = self.columns
        widths = dict(zip(columns, self.widths, strict=True))
        if not self.numbers:
            empty = pd.DataFrame({column: pd.Series([], dtype="str") for column in columns})
            return empty, widths, np.zeros(0, dtype=np.int64)
        data = {}
        for position, column in enumerate(columns):
            values = self.arrays[position]
            self.arrays[position] = None
            if len(values) != self.rows:  # comment or blank lines among the rows
                values = values[: self.rows].copy()
            if self.shared:
                data[column] = pd.Series(pd.arrays.StringArray(values, dtype=self.dtype))
            else:
                data[column] = pd.Series(values, dtype="str")
        return pd.DataFrame(data, copy=False), widths, np.concatenate(self.numbers)


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


# --------------------------------------------------------------------------- where rows are


def _runs(numbers: np.ndarray) -> tuple[tuple[int, int, int], ...]:
    """Line numbers as runs ``(first row, its line, rows)`` of consecutive lines."""
    if len(numbers) == 0:
        return ()
    breaks = np.flatnonzero(np.diff(numbers) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(numbers)]))
    return tuple((int(a), int(numbers[a]), int(b - a)) for a, b in zip(starts, ends, strict=True))


def line_of(df: pd.DataFrame, position: int) -> int | None:
    """The line of the pool file where the row at ``position`` of ``df`` stands.

    Works on frames made by :func:`read_pool` and on selections of them that
    kept their index (``df.attrs["pool_lines"]`` maps index labels to lines);
    None when unknown.

    Examples
    --------
    >>> import io
    >>> df = read_pool(io.StringIO("# a comment\\nfilename\\na.fits\\n\\nb.fits\\n"))
    >>> line_of(df, 0), line_of(df, 1), line_of(df.iloc[1:], 0)
    (3, 5, 5)
    """
    runs = df.attrs.get("pool_lines")
    if not runs or not 0 <= position < len(df):
        return None
    label = df.index[position]
    if not isinstance(label, (int, np.integer)) or isinstance(label, bool):
        return None
    at = bisect.bisect_right([run[0] for run in runs], int(label)) - 1
    if at < 0:
        return None
    first, line, count = runs[at]
    offset = int(label) - first
    return line + offset if offset < count else None


def locate(error: PoolError, df: pd.DataFrame) -> PoolError:
    """``error`` with the pool file and the line of its row (``error.row``) filled in.

    Errors raised while working on rows (during generation, say) know the
    row's position; this turns it into what a person can find in the file.
    """
    if error.line is not None and error.file is not None:
        return error
    line = error.line
    if line is None and error.row is not None:
        line = line_of(df, error.row)
    file = error.file
    pool_file = df.attrs.get("pool_file")
    if isinstance(pool_file, str) and (file is None or file == df.attrs.get("asn_pool")):
        file = pool_file
    return PoolError(
        error.message, file=file, line=line, column=error.column,
        row=None if line is not None else error.row,
    )  # fmt: skip


# --------------------------------------------------------------------------- checks


def check_identifiers(df: pd.DataFrame, *, junk: np.ndarray | None = None) -> None:
    """Check the values of a pool that become parts of file names.

    Programs must be DMS programs and every ``asn_candidate`` must parse into
    DMS candidate ids (:mod:`asnkit.dms.identifiers`). Junk rows may hold any
    program (``set acid`` rows hold ``program``) and unparseable candidates;
    candidate ids they do hold must still be DMS ids.

    Raises
    ------
    asnkit.PoolError
        Naming the file, the line (or the row) and the column.
    """
    if junk is None:
        junk = np.flatnonzero(junk_rows(df["filename"])) if "filename" in df.columns else []
    is_junk_row = np.zeros(len(df), dtype=bool)
    is_junk_row[junk] = True
    if "program" in df.columns:
        _check_column(df, "program", is_junk_row, _program_problem)
    if "asn_candidate" in df.columns:
        _check_column(df, "asn_candidate", is_junk_row, _candidate_problem)


def _program_problem(value: str, junk: bool) -> str | None:
    if junk and value.isalnum() and value.isascii():
        return None
    return PROGRAM.problem(value)


def _candidate_problem(value: str, junk: bool) -> str | None:
    try:
        pairs = parse_candidates(value)
    except ValueError as exc:
        return None if junk else f"malformed asn_candidate {value!r}: {exc}"
    for cid, _ in pairs:
        problem = CANDIDATE_ID.problem(cid)
        if problem:
            return f"asn_candidate {value!r}: {problem}"
    return None


def _check_column(df: pd.DataFrame, column: str, is_junk_row: np.ndarray, problem) -> None:
    """Run ``problem(value, junk)`` once per distinct (value, junk) pair; raise on the first."""
    codes, uniques = pd.factorize(df[column].to_numpy(dtype=object))
    keys = codes.astype(np.int64) * 2 + is_junk_row
    _, first = np.unique(keys, return_index=True)
    for position in np.sort(first):
        code = codes[position]
        value = uniques[code] if code >= 0 else None
        if not isinstance(value, str):
            continue
        message = problem(value, bool(is_junk_row[position]))
        if message:
            raise locate(PoolError(message, column=column, row=int(position)), df)


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
