"""Parse a DMS association pool file into columns of codes, without pandas.

:func:`parse_pool` is the reader behind :func:`asnkit.read_pool` (which makes
the DataFrame) and ``asnkit generate`` (which generates from the columns as
read, without importing pandas). A pool is a ``|``-separated text table with
one row per exposure; the rules it is read by are those of
:mod:`asnkit.pool.read`.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from pathlib import Path
from typing import IO

import numpy as np

from asnkit.dms.values import POOL_MISSING
from asnkit.errors import PoolError, PoolFileNotFoundError, PoolIsADirectoryError, PoolWarning
from asnkit.pool.coded import CodedPool, check_identifiers, junk_mask, narrow_codes

__all__ = ["MISSING_TOKENS", "POOL_ATTRS", "parse_pool"]

#: Cell values that mean "no value" in a pool (compared case-insensitively).
MISSING_TOKENS = POOL_MISSING

#: Keys of ``DataFrame.attrs`` set by :func:`asnkit.read_pool` (of :attr:`CodedPool.attrs`).
POOL_ATTRS = ("asn_pool", "pool_file", "null_text", "pool_lines")

_QUOTE = '"'

#: About how many characters of a pool are split at a time (see ``_blocks``).
_BLOCK_CHARS = 1 << 20


def parse_pool(
    source: str | os.PathLike | IO, *, delimiter: str = "|", stacklevel: int = 2
) -> CodedPool:
    """Read an association pool into coded columns (:class:`~asnkit.pool.coded.CodedPool`).

    The same reading, checks, errors and warning as :func:`asnkit.read_pool`
    (whose frame is ``parse_pool(source).to_frame()``); ``stacklevel`` is that of
    the junk-row :class:`~asnkit.PoolWarning`, as for :func:`warnings.warn`.

    Examples
    --------
    >>> import io
    >>> pool = parse_pool(io.StringIO("filename|program\\njw_00001_uncal.fits|99009\\n"))
    >>> len(pool), pool.columns, pool.distinct("program")
    (1, ['filename', 'program'], ['99009'])
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
    del text  # the columns hold each distinct value once; the text is no longer needed
    coded, widths, numbers = builder.finish()
    attrs = {
        "asn_pool": Path(name).name if name != "<buffer>" else "in-memory",
        "pool_file": pool_file,
        "null_text": _null_text(columns, coded, widths),
        "pool_lines": _runs(numbers),
    }
    pool = CodedPool(columns, coded, attrs)
    filename = pool.column("filename")
    junk = junk_mask(filename, len(pool))
    check_identifiers(pool, junk)
    _warn_junk_rows(filename, numbers, name, np.flatnonzero(junk), stacklevel + 1)
    return pool


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
    distinct value (blanks stripped, ``NULL``/empty as missing) and the codes of
    its rows: the cleaning is done once per distinct cell, and the split cells
    of a block are dropped as soon as the block is coded into the column's
    array, made once for at most ``capacity`` rows. The codes number the values
    in order of first appearance (as :func:`pandas.factorize` does), -1 missing.
    """

    def __init__(self, columns: list[str], name: str, delimiter: str, capacity: int) -> None:
        self.columns, self.name, self.delimiter = columns, name, delimiter
        self.width = len(columns)
        self.codes = [np.empty(capacity, dtype=np.int32) for _ in columns]
        self.cells: list[dict[str, int]] = [{} for _ in columns]  # cell -> code
        self.values: list[list[str]] = [[] for _ in columns]  # code -> value
        self.known: list[dict[str, int]] = [{} for _ in columns]  # value -> code
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

    def _code(self, position: int, cells: list[str], rows: slice) -> None:
        """Put the codes of ``cells`` in ``rows`` of column ``position``."""
        coded = self.cells[position]
        try:  # most blocks of most columns hold no cell not seen before: one pass
            codes = np.fromiter(map(coded.__getitem__, cells), dtype=np.int32, count=len(cells))
        except KeyError:
            self._learn(position, cells)
            codes = np.fromiter(map(coded.__getitem__, cells), dtype=np.int32, count=len(cells))
        self.codes[position][rows] = codes

    def _learn(self, position: int, cells: list[str]) -> None:
        """Code the cells of column ``position`` not seen before (cleaned once each)."""
        coded, known, values = self.cells[position], self.known[position], self.values[position]
        for cell in dict.fromkeys(cells):
            if cell not in coded:
                text = cell.strip()
                self.widths[position] = max(self.widths[position], len(text))
                if text.lower() in MISSING_TOKENS:
                    coded[cell] = -1
                    continue
                code = known.get(text)
                if code is None:
                    code = known[text] = len(values)
                    values.append(text)
                coded[cell] = code

    def finish(self) -> tuple[list[tuple[np.ndarray, list[str]]], list[int], np.ndarray]:
        """Each column's ``(codes, values)``, its width (its longest cell, blanks
        stripped, as astropy sizes a text column) and the line number of each row."""
        coded = []
        for position in range(self.width):
            codes, values = self.codes[position][: self.rows], self.values[position]
            self.codes[position] = self.cells[position] = self.known[position] = None
            codes = narrow_codes(codes, len(values) + 1)
            coded.append((codes if codes.base is None else codes.copy(), values))
        numbers = np.concatenate(self.numbers) if self.numbers else np.zeros(0, dtype=np.int64)
        return coded, self.widths, numbers


def _null_text(
    columns: list[str], coded: list[tuple[np.ndarray, list[str]]], widths: list[int]
) -> dict[str, str]:
    """What the reference reader makes of the empty cells of narrow columns.

    jwst reads each column as text as wide as its longest cell (``NULL``
    counts four), then fills empty cells with ``"null"`` cut to that width:
    ``"n"``, ``"nu"`` or ``"nul"`` in columns whose cells are all shorter than
    four characters. Only such columns with missing cells are listed (most
    pools have none); the rule engine uses this to give the same associations
    as ``asn_generate``.
    """
    return {
        column: "null"[: max(width, 1)]
        for column, (codes, _), width in zip(columns, coded, widths, strict=True)
        if width < len("null") and bool((codes < 0).any())
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


def _warn_junk_rows(
    filename: tuple[np.ndarray, list[str]] | None,
    line_numbers: np.ndarray,
    name: str,
    junk: np.ndarray,
    stacklevel: int,
) -> None:
    if len(junk) == 0 or filename is None:
        return
    codes, values = filename
    shown = ", ".join(f"line {line_numbers[i]} ({values[codes[i]]!r})" for i in junk[:3])
    more = f" and {len(junk) - 3} more" if len(junk) > 3 else ""
    warnings.warn(
        f"{name}: {len(junk)} junk row(s) whose filename is not a file name were kept "
        f"as rows, as the reference generator keeps them: {shown}{more} (nothing to do: "
        "generation stays the same as asn_generate's; pool.asn.science() leaves them out)",
        PoolWarning,
        stacklevel=stacklevel,
    )
