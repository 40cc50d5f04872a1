"""The pool as the engine reads it: lower-case text columns, exposures, candidates.

:func:`build_table` reads a pool (a DataFrame) as the reference generator does:
every value lower-case text, ``"null"`` (cut to the column's width, as jwst
does for narrow columns) where a value is missing. An :class:`Item` is one
exposure (a row), possibly with its ``asn_candidate`` rewritten to the candidate
being processed.

Examples
--------
>>> import asnkit
>>> table = build_table(asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri")))
>>> table.n, Item(table, 0)["exp_type"], candidates_by_type(table)
(8, 'mir_image', [('o001', 'observation')])
"""

from __future__ import annotations

import re
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from asnkit.dms.candidates import observation_id, parse_candidates
from asnkit.dms.identifiers import CANDIDATE_ID
from asnkit.errors import AssociationWarning, PoolError
from asnkit.pool.coded import CodedPool, code_frame, factorize, narrow_codes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Item",
    "Table",
    "build_table",
    "candidates_by_type",
    "narrow_codes",
    "rows_by_candidate",
]


#: A column is kept as codes (until read) when it has at most one distinct text per this
#: many rows: below, codes and distinct texts would take more than the list.
_PENDING_AT_MOST = 4


class _Columns(dict):
    """Column name -> list of texts; a column not read yet is a :class:`_Pending`."""

    __slots__ = ("__weakref__",)


class _Pending(Sequence):
    """A column's texts as codes into its distinct texts (a byte or two a row).

    A row's text is read as ``listed[at[row]]``, without a list of the column
    (eight bytes a row): :meth:`made` makes that list when one is asked for
    (:meth:`Table.column`, slices); it then replaces this in the table's columns.
    """

    __slots__ = ("at", "codes", "columns", "listed", "name", "texts")

    def __init__(self, columns: _Columns, name: str, codes: np.ndarray, texts: np.ndarray) -> None:
        self.columns = weakref.ref(columns)
        self.name = name
        self.codes = codes
        self.texts = texts
        self.at = memoryview(codes)  # at[row]: a Python int, read in C
        self.listed = texts.tolist()

    def made(self) -> list[str]:
        """The column as a list (made once; the table's columns then hold the list)."""
        columns = self.columns()
        made = None if columns is None else columns.get(self.name)
        if made is None or made is self:
            made = self.texts[self.codes].tolist()
            if columns is not None:
                columns[self.name] = made
        return made

    def __getitem__(self, index: Any) -> Any:
        if type(index) is int:
            return self.listed[self.at[index]]
        return self.made()[index]

    def __len__(self) -> int:
        return len(self.codes)

    def __reduce__(self) -> tuple:
        return (list, (self.texts[self.codes].tolist(),))  # pickled as the list it stands for


def _listed(cols: dict[str, Any], name: str) -> list[str] | None:
    texts = cols.get(name)
    if type(texts) is _Pending:
        texts = texts.made()
    return texts


class _Alike:
    """Equal per-row arrays (or byte masks) as one read-only object, while matching runs.

    Arrays are remembered weakly (one no cache holds any more is freed).
    """

    __slots__ = ("arrays", "masks")

    def __init__(self) -> None:
        self.arrays: dict[tuple[str, int], list[weakref.ref]] = {}
        self.masks: dict[bytes, bytes] = {}

    def __call__(self, values: Any) -> Any:
        if isinstance(values, bytes):
            return self.masks.setdefault(values, values)
        key = (values.dtype.str, hash(values.tobytes()))
        alike = self.arrays.setdefault(key, [])
        for ref in alike:
            other = ref()
            if other is not None and other.shape == values.shape:
                if np.array_equal(other, values):
                    return other
        values.flags.writeable = False
        alike[:] = [ref for ref in alike if ref() is not None]
        alike.append(weakref.ref(values))
        return values

    def clear(self) -> None:
        self.arrays.clear()
        self.masks.clear()


class Table:
    """Pool columns as lists of lower-case text (``"null"`` when missing).

    ``cols[name]`` reads like a list; a column is made a list when first read
    (:meth:`column` gives the list itself). :meth:`share` makes equal per-row
    arrays of the engine's pre-checks one object (many rules' masks are alike).
    """

    __slots__ = (
        "_alike",
        "_readers",
        "asn_pool",
        "cols",
        "escaped",
        "exposure_types",
        "integrations",
        "matches",
        "member_names",
        "n",
    )

    def __init__(self, cols: dict[str, Any], n: int, asn_pool: str) -> None:
        self.cols = cols
        self.n = n
        self.asn_pool = asn_pool
        # per row: its own role, computed on demand (None until then); a list, not a dict
        self.exposure_types: list[str | None] = [None] * n
        self.escaped: dict[str, str] = {}  # text -> re.escape(text); values repeat a lot
        self.matches: dict[tuple, bool] = {}  # (pattern, text) -> meets(text, pattern)
        # (TSO visit, coron) -> per row: 0 not asked yet, 1 not *ints files, 2 *ints files
        self.integrations: dict[tuple, bytearray] = {}
        self.member_names: dict[tuple, dict[int, str]] = {}  # (level, role, ints...) -> row -> name
        self._alike = _Alike()
        self._readers: dict[str, tuple[Any, Any]] = {}

    def share(self, values: Any) -> Any:
        """``values`` (an array, made read-only, or bytes), or an equal one shared before."""
        return self._alike(values)

    def column(self, name: str) -> list[str] | None:
        """The texts of column ``name`` as a list (None if the pool has no such column)."""
        return _listed(self.cols, name)

    def reader(self, name: str) -> tuple[Any, Any]:
        """``(texts, codes)``: row ``row``'s text of column ``name`` is
        ``texts[codes[row]]``, read in C, whether the column is a list or kept as codes
        (``(None, None)`` if the pool has no such column)."""
        hit = self._readers.get(name)
        if hit is None:
            column = self.cols.get(name)
            if column is None:
                hit = (None, None)
            elif type(column) is _Pending:
                hit = (column.listed, column.at)
            else:
                hit = (column, range(self.n))
            self._readers[name] = hit
        return hit

    def ends_with_newline(self) -> bool:
        """Whether some cell's text ends with a newline.

        The reference's test ``^value$`` also matches before a final newline (the pin
        ``9`` takes ``"9\\n"``), which exact text comparisons do not: the fast path
        (:class:`~asnkit.engine.passes.Matcher`) is not taken for such a pool.
        :func:`~asnkit.read_pool` never keeps one; a frame made in memory may.

        >>> import pandas as pd
        >>> frame = pd.DataFrame({"filename": ["a_uncal.fits"], "asn_candidate": ["null"]})
        >>> build_table(frame).ends_with_newline()
        False
        >>> build_table(frame.assign(targetid="9\\n")).ends_with_newline()
        True
        """
        for column in self.cols.values():
            texts = column.listed if type(column) is _Pending else column
            # one search in C; a "\n\0" inside a text only costs the exact look after
            if "\n\0" in "\0".join(texts) + "\0" and any(t.endswith("\n") for t in texts):
                return True
        return False

    def coded(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Column ``name`` as ``(codes, texts)``: ``texts[codes]`` are its texts (None if absent).

        Read without making the column a list (vectorised pre-checks); ``texts``
        may hold a text more than once.
        """
        texts = self.cols.get(name)
        if texts is None:
            return None
        if type(texts) is _Pending:
            return texts.codes, texts.texts
        codes, uniques = factorize(texts)
        return narrow_codes(codes, len(uniques)), np.asarray(uniques, dtype=object)

    def array(self, name: str) -> np.ndarray | None:
        """The texts of column ``name`` as a new object array (None if absent), not a list."""
        texts = self.cols.get(name)
        if texts is None:
            return None
        if type(texts) is _Pending:
            return texts.texts[texts.codes]
        return np.asarray(texts, dtype=object)

    def forget(self) -> None:
        """Drop what matching remembered per row (member names, integrations flags)."""
        self.integrations.clear()
        self.member_names.clear()
        self._alike.clear()


class Item:
    """One exposure (a pool row), optionally with a rewritten ``asn_candidate``."""

    __slots__ = ("cand", "filename", "row", "table")

    def __init__(self, table: Table, row: int, cand: str | None = None) -> None:
        self.table = table
        self.row = row
        self.cand = cand
        # read once: matching asks an exposure's file name about twenty times
        names = table.cols.get("filename")
        if names is not None:
            self.filename: str = names[row]

    def __getattr__(self, name: str) -> Any:  # only for a slot never set
        if name == "filename":  # a table without file names
            raise KeyError("filename")
        raise AttributeError(name)

    def __getitem__(self, key: str) -> str:
        if self.cand is not None and key == "asn_candidate":
            return self.cand
        column = self.table.cols[key]
        if type(column) is _Pending:  # (read in place: no list of the column)
            return column.listed[column.at[self.row]]
        return column[self.row]

    def get(self, key: str, default: Any = None) -> Any:
        if self.cand is not None and key == "asn_candidate":
            return self.cand
        column = self.table.cols.get(key)
        if column is None:
            return default
        if type(column) is _Pending:
            return column.listed[column.at[self.row]]
        return column[self.row]

    def __contains__(self, key: str) -> bool:
        return key in self.table.cols

    def __repr__(self) -> str:
        return f"Item(row={self.row}, filename={self.filename!r})"


def _lower(value: Any) -> str:
    """Lower-case text of a pool value: the pool's own string when it is lower-case already."""
    if isinstance(value, str):
        lowered = value.lower()
        return value if lowered == value and type(value) is str else lowered
    return str(value).lower()


def build_table(pool: CodedPool | pd.DataFrame) -> Table:
    """Lower-case text columns (``"null"`` when missing), as the reference reads pools.

    ``pool`` is a DataFrame or the coded columns it is made of
    (:class:`~asnkit.pool.coded.CodedPool`, as :func:`~asnkit.pool.parse.parse_pool`
    reads them): the same table either way. A pool without ``asn_candidate`` gets
    observation candidates built from ``obs_num`` (``[('o001', 'observation')]``)
    with an :class:`~asnkit.AssociationWarning`.
    """
    if not isinstance(pool, CodedPool):
        pool = code_frame(pool)
    cols = _Columns()
    n = len(pool)
    # jwst fills the empty cells of narrow columns with "null" cut to the column's
    # width ("n", "nu", "nul"); read_pool records those columns (attrs["null_text"]).
    null_text = pool.attrs.get("null_text") or {}
    for at, column in enumerate(pool.columns):
        codes, uniques = pool.coded[at]
        missing = null_text.get(column, "null")
        lowered = np.array([_lower(v) for v in uniques] + [missing], dtype=object)
        del uniques
        # code -1 (missing) -> "null"; a column of mostly distinct texts is a list at once
        if len(lowered) * _PENDING_AT_MOST > n:
            cols[str(column).lower()] = lowered[codes].tolist()
        else:
            codes = narrow_codes(codes, len(lowered))
            cols[str(column).lower()] = _Pending(cols, str(column).lower(), codes, lowered)
    if "asn_candidate" not in cols:
        name = pool.attrs.get("asn_pool", "in-memory")
        if "obs_num" not in cols:
            raise PoolError(
                "the pool has neither an 'asn_candidate' nor an 'obs_num' column: "
                "no association candidates",
                file=name,
                column="asn_candidate",
            )
        warnings.warn(
            f"{name}: no asn_candidate column; using observation candidates from obs_num "
            "(jwst asn_generate stops with KeyError on such pools)",
            AssociationWarning,
            stacklevel=3,
        )
        cols["asn_candidate"] = [
            "null" if v in ("null", "") else f"[('{observation_id(v)}', 'observation')]"
            for v in _listed(cols, "obs_num")
        ]
    asn_pool = pool.attrs.get("asn_pool", "in-memory")
    return Table(cols, n, str(asn_pool))


def candidates_by_type(table: Table) -> list[tuple[str, str]]:
    """(id, type) of every candidate, grouped by type in order of first appearance.

    Values that are not candidates (junk rows) are skipped. Candidate ids name
    association files: one that is not a DMS candidate id
    (:data:`asnkit.dms.identifiers.CANDIDATE_ID`) is a :class:`~asnkit.PoolError`
    naming its row.
    """
    by_type: dict[str, dict[str, None]] = {}
    texts = table.column("asn_candidate")
    for text in dict.fromkeys(texts):
        try:
            pairs = parse_candidates(text)
        except ValueError:
            continue
        for cid, ctype in pairs:
            if not CANDIDATE_ID.matches(cid):
                raise PoolError(
                    f"asn_candidate {text!r}: {CANDIDATE_ID.problem(cid)}",
                    column="asn_candidate",
                    row=texts.index(text),
                )
            by_type.setdefault(ctype, {})[cid] = None
    return [(cid, ctype) for ctype, ids in by_type.items() for cid in ids]


_TOKEN = re.compile(r"[a-z0-9_]+")


def rows_by_candidate(texts: list[str]) -> Callable[[str], list[int]]:
    """A function giving the rows whose ``asn_candidate`` text contains a candidate id.

    The reference selects a candidate's rows by substring match (``'1000'`` is in
    ``"[('c1000', 'background')]"``); this finds the same rows without scanning the
    pool once per candidate: every distinct text is split into word tokens, and
    every substring of a token (of the length of an id asked for) is a key.
    """
    # the rows of each distinct text: slices of one array of rows (not a list of ints a row)
    codes, uniques = factorize(texts)
    order = np.argsort(codes, kind="stable").astype(np.int32)
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1)).tolist()
    by_text = {text: order[bounds[k] : bounds[k + 1]] for k, text in enumerate(uniques)}
    tokens = {text: [t for t in _TOKEN.findall(text) if len(t) <= 24] for text in by_text}
    by_length: dict[int, dict[str, list[str]]] = {}  # made for the lengths of ids asked for

    def index(length: int) -> dict[str, list[str]]:
        made = by_length.get(length)
        if made is None:
            made = by_length[length] = {}
            for text, words in tokens.items():
                keys = {w[k : k + length] for w in words for k in range(len(w) - length + 1)}
                for key in keys:
                    made.setdefault(key, []).append(text)
        return made

    def rows(cid: str) -> list[int]:
        if _TOKEN.fullmatch(cid) and len(cid) <= 24:
            texts_with = index(len(cid)).get(cid, ())
        else:  # unusual id: plain substring scan of the distinct texts
            texts_with = [text for text in by_text if cid in text]
        if not texts_with:
            return []
        return np.sort(np.concatenate([by_text[text] for text in texts_with])).tolist()

    return rows
