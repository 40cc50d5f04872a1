"""A pool as integer codes into each column's distinct values, without pandas.

:class:`CodedPool` is what :func:`asnkit.pool.parse.parse_pool` reads from a
file, what :func:`asnkit.read_pool` turns into a DataFrame
(:meth:`CodedPool.to_frame`) and what the rule engine reads (a DataFrame given
to the engine is coded the same way first, :func:`code_frame`): ``asnkit
generate`` reads, checks and generates without importing pandas.

This module also holds what only needs a pool's ``attrs`` and row labels: where
a row stands in the pool file (:func:`line_of`, :func:`locate`) and the check of
the values that become parts of file names (:func:`check_identifiers`).

Examples
--------
>>> import io
>>> from asnkit.pool.parse import parse_pool
>>> pool = parse_pool(io.StringIO("filename|filter\\na.fits|F090W\\nb.fits|\\nc.fits|F090W\\n"))
>>> codes, values = pool.column("filter")
>>> codes.tolist(), values
([0, -1, 0], ['F090W'])
>>> pool.to_frame()["filter"].tolist()
['F090W', nan, 'F090W']
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from asnkit.dms.candidates import parse_candidates
from asnkit.dms.identifiers import CANDIDATE_ID, PROGRAM
from asnkit.dms.names import junk_rows
from asnkit.errors import PoolError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CodedPool",
    "check_identifiers",
    "code_frame",
    "factorize",
    "junk_mask",
    "line_of",
    "locate",
    "narrow_codes",
]


def factorize(values: Sequence[Hashable]) -> tuple[np.ndarray, list[Any]]:
    """``(codes, uniques)``: the distinct values in order of first appearance and, per
    value, its position among them (as :func:`pandas.factorize` codes text).

    >>> codes, uniques = factorize(["b", "a", "b"])
    >>> codes.tolist(), uniques
    ([0, 1, 0], ['b', 'a'])
    """
    uniques = list(dict.fromkeys(values))
    index = {value: code for code, value in enumerate(uniques)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))
    return codes, uniques


def narrow_codes(codes: np.ndarray, count: int) -> np.ndarray:
    """Codes ``0 .. count - 1`` (or -1) in the smallest signed integer type that holds them.

    Per-row codes are kept for the whole run: one byte a row instead of four or eight.
    """
    for dtype in (np.int8, np.int16, np.int32):
        if count <= np.iinfo(dtype).max:
            return codes.astype(dtype, copy=False)
    return codes.astype(np.int64, copy=False)


class CodedPool:
    """A pool's columns, each as per-row codes into its distinct values (-1: missing).

    Parameters
    ----------
    columns : sequence
        The column names, in order (a frame's own names: any case, any type).
    coded : sequence of (numpy.ndarray, list)
        Per column: the codes of its rows and its distinct values in order of
        first appearance (``values[codes[row]]``; code -1 is a missing value).
        It may make each column when asked (:func:`code_frame`).
    attrs : dict
        As ``DataFrame.attrs`` of :func:`asnkit.read_pool` (``asn_pool``,
        ``pool_file``, ``null_text``, ``pool_lines``).
    index : sequence, optional
        The label of each row (a frame's index); default the positions.
    """

    __slots__ = ("attrs", "coded", "columns", "index")

    def __init__(
        self,
        columns: Sequence[Any],
        coded: Sequence[tuple[np.ndarray, list[Any]]],
        attrs: dict[str, Any],
        index: Sequence[Any] | None = None,
    ) -> None:
        self.columns = list(columns)
        self.coded = coded
        self.attrs = attrs
        if index is None:
            index = range(len(coded[0][0]) if len(coded) else 0)
        self.index = index

    def __len__(self) -> int:
        return len(self.index)

    def __repr__(self) -> str:
        return f"<CodedPool: {len(self)} rows, {len(self.columns)} columns>"

    def position(self, column: str) -> int | None:
        """Where the column named ``column`` (any case; the last of that name) stands."""
        found = None
        for at, name in enumerate(self.columns):
            if str(name).lower() == column:
                found = at
        return found

    def column(self, column: str) -> tuple[np.ndarray, list[Any]] | None:
        """``(codes, values)`` of column ``column`` (lower-case name), None if absent."""
        at = self.position(column)
        return None if at is None else self.coded[at]

    def distinct(self, column: str) -> list[Any]:
        """The distinct values of column ``column`` (none if the pool lacks it)."""
        found = self.column(column)
        return [] if found is None else list(found[1])

    def to_frame(self) -> pd.DataFrame:
        """The pool as a DataFrame of text columns (:func:`asnkit.read_pool`'s frame)."""
        import pandas as pd

        dtype = pd.Series([], dtype="str").dtype
        # pandas 3 without pyarrow keeps text as Python objects: the arrays become the
        # frame's as they are (missing as its NaN); other text dtypes are made by pandas
        shared = isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
        if not len(self):
            data = {column: pd.Series([], dtype="str") for column in self.columns}
            frame = pd.DataFrame(data)
        else:
            data = {}
            for column, (codes, values) in zip(self.columns, self.coded, strict=True):
                table = np.empty(len(values) + 1, dtype=object)
                table[:-1] = values
                table[-1] = dtype.na_value if shared else None
                texts = table[codes]
                if shared:
                    data[column] = pd.Series(pd.arrays.StringArray(texts, dtype=dtype))
                else:
                    data[column] = pd.Series(texts, dtype="str")
                del texts
            frame = pd.DataFrame(data, copy=False)
        frame.attrs.update(self.attrs)
        return frame


def code_frame(frame: pd.DataFrame) -> CodedPool:
    """A DataFrame as a :class:`CodedPool` (its attrs and index kept).

    Each column is coded (:func:`pandas.factorize`) each time it is asked for and
    not kept: the frame holds the pool already.
    """
    return CodedPool(list(frame.columns), _FrameColumns(frame), frame.attrs, frame.index)


class _FrameColumns(Sequence):
    """A frame's columns as ``(codes, values)``, coded when asked for (not kept)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return self.frame.shape[1]

    def __getitem__(self, at: Any) -> Any:
        if not isinstance(at, int):
            return [self[k] for k in range(len(self))[at]]
        import pandas as pd

        codes, uniques = pd.factorize(self.frame.iloc[:, at], use_na_sentinel=True)
        return narrow_codes(codes, len(uniques) + 1), list(uniques)


# --------------------------------------------------------------------------- where rows are


def line_of(df: Any, position: int) -> int | None:
    """The line of the pool file where the row at ``position`` of ``df`` stands.

    Works on frames made by :func:`asnkit.read_pool` (and on selections of them
    that kept their index: ``df.attrs["pool_lines"]`` maps index labels to lines)
    and on a :class:`CodedPool`; None when unknown.

    Examples
    --------
    >>> import io
    >>> from asnkit.pool.read import read_pool
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


def locate(error: PoolError, df: Any) -> PoolError:
    """``error`` with the pool file and the line of its row (``error.row``) filled in.

    Errors raised while working on rows (during generation, say) know the
    row's position; this turns it into what a person can find in the file.
    ``df`` is a DataFrame or a :class:`CodedPool`.
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


def check_identifiers(pool: CodedPool, junk: np.ndarray | None = None) -> None:
    """Check the values of a pool that become parts of file names.

    Programs must be DMS programs and every ``asn_candidate`` must parse into
    DMS candidate ids (:mod:`asnkit.dms.identifiers`). Junk rows (``junk``, a
    boolean mask, default from ``filename``: :func:`junk_mask`) may hold any
    program (``set acid`` rows hold ``program``) and unparseable candidates;
    candidate ids they do hold must still be DMS ids.

    Raises
    ------
    asnkit.PoolError
        For the first such value in row order, naming the file, the line (or
        the row) and the column.
    """
    program, candidate = pool.column("program"), pool.column("asn_candidate")
    if program is None and candidate is None:
        return
    if junk is None:
        junk = junk_mask(pool.column("filename"), len(pool))
    for column, coded, problem in (
        ("program", program, _program_problem),
        ("asn_candidate", candidate, _candidate_problem),
    ):
        if coded is None:
            continue
        found = _first_problem(coded, junk, problem)
        if found is not None:
            row, message = found
            raise locate(PoolError(message, column=column, row=row), pool)


def junk_mask(filename: tuple[np.ndarray, list[Any]] | None, rows: int) -> np.ndarray:
    """Per row, whether it is a junk row (:func:`asnkit.dms.names.is_junk_name`)."""
    if filename is None:
        return np.zeros(rows, dtype=bool)
    codes, values = filename
    table = np.zeros(len(values) + 1, dtype=bool)  # code -1 (missing): not junk
    table[:-1] = junk_rows(values)
    return table[codes]


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


def _first_problem(
    coded: tuple[np.ndarray, list[Any]],
    junk: np.ndarray,
    problem: Callable[[str, bool], str | None],
) -> tuple[int, str] | None:
    """Run ``problem(value, junk)`` once per distinct (value, junk) pair, in row order."""
    codes, values = coded
    keys = codes.astype(np.int64) * 2 + junk
    _, first = np.unique(keys, return_index=True)
    for position in np.sort(first).tolist():
        code = int(codes[position])
        value = values[code] if code >= 0 else None
        if not isinstance(value, str):
            continue
        message = problem(value, bool(junk[position]))
        if message:
            return position, message
    return None
