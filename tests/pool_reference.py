"""The pool reader as it was before it read in blocks (asnkit 50c9527), kept as a test oracle.

``read_pool`` now splits a pool a block of lines at a time and keeps one object per
distinct value (issue 14, memory). This is the straightforward reader it replaced:
the whole text split into lines, every line into cells, every column cleaned at
once. ``tests/test_pool_memory.py`` checks that both give the same frame, the same
attributes and the same errors. Not a test module (no ``test_`` prefix).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from asnkit.dms.values import POOL_MISSING
from asnkit.errors import PoolError
from asnkit.pool.read import check_identifiers

__all__ = ["reference_read"]

_QUOTE = '"'


def reference_read(text: str, name: str, delimiter: str = "|") -> pd.DataFrame:
    """The frame and attributes the former reader made of ``text``, or its error
    (header errors are not reproduced; the identifier checks are today's, unchanged)."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header_at = next(i for i, line in enumerate(lines) if not _is_skipped(line))
    columns = [c.strip().lower() for c in _split(lines[header_at], delimiter, name, 1, None)]
    rows, numbers = [], []
    for index in range(header_at + 1, len(lines)):
        if _is_skipped(lines[index]):
            continue
        cells = _split(lines[index], delimiter, name, index + 1, columns)
        if len(cells) != len(columns):
            raise PoolError(
                f"expected {len(columns)} fields as in the header, found {len(cells)}",
                file=name,
                line=index + 1,
            )
        rows.append(cells)
        numbers.append(index + 1)
    if rows:
        data, widths = {}, {}
        for column, values in zip(columns, zip(*rows, strict=True), strict=True):
            data[column], widths[column] = _clean(values)
        frame = pd.DataFrame(data)
    else:
        frame = pd.DataFrame({column: pd.Series([], dtype="str") for column in columns})
        widths = dict.fromkeys(columns, 0)
    frame.attrs["asn_pool"] = Path(name).name
    frame.attrs["pool_file"] = name
    frame.attrs["null_text"] = {
        column: "null"[: max(widths[column], 1)]
        for column in frame.columns
        if widths[column] < len("null") and frame[column].isna().any()
    }
    frame.attrs["pool_lines"] = _runs(np.asarray(numbers, dtype=np.int64))
    check_identifiers(frame)
    return frame


def _is_skipped(line: str) -> bool:
    stripped = line.lstrip()
    return not stripped or stripped.startswith("#")


def _split(line, delimiter, name, number, columns):
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


def _clean(values):
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    stripped = [str(value).strip() for value in uniques]
    width = max(map(len, stripped), default=0)
    table = [None if text.lower() in POOL_MISSING else text for text in stripped]
    table.append(None)
    return pd.Series(np.asarray(table, dtype=object)[codes], dtype="str"), width


def _runs(numbers):
    if len(numbers) == 0:
        return ()
    breaks = np.flatnonzero(np.diff(numbers) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(numbers)]))
    return tuple((int(a), int(numbers[a]), int(b - a)) for a, b in zip(starts, ends, strict=True))
