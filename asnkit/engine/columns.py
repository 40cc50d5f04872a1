"""A pool's columns as the checks read them, and attribute checks bound to them.

:class:`PoolColumns` holds, per column a rule reads, the value of every row
(None when empty) and whether it matches each fixed pattern -- computed once
per pool with :func:`pandas.factorize` -- so an attribute check is a few list
lookups instead of a scan of its columns, an emptiness test and a
regular-expression match per exposure.

:func:`bound_attr` is the attribute check of :mod:`asnkit.engine.checks` with
its reads taken from those lists; :meth:`PoolColumns.checkers` compiles a
rule's checks with it (one set per pool and rule). The semantics are the
closures' (``tests/test_engine.py`` compares both on random pools).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from asnkit.dms.values import EMPTY
from asnkit.engine.state import ProcessList, meets, meets_cached
from asnkit.engine.table import Table
from asnkit.rules.model import Attr

__all__ = ["PoolColumns", "bindable", "bound_attr"]

Checker = Callable[[Any, Any], tuple[bool, Any]]
_NONE: tuple = ()


class PoolColumns:
    """One pool's columns as the bound checks read them (computed once per column).

    ``values(c)`` the lower-case texts and whether each cell is empty (or the
    column missing); ``matches(c, pattern)[row]`` whether it matches
    the pattern in full; :meth:`escape` the escaped text of a value.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.fresh: dict[int, tuple[Any, Any]] = {}  # id(rule) -> (rule, engine.fresh check)
        self._codes: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self._values: dict[str, tuple[Any, bytes]] = {}
        self._matches: dict[tuple[str, Any], list[bool]] = {}
        self._checkers: dict[int, tuple[Any, list[Checker]]] = {}
        self.pinned: dict[tuple[str, str], tuple] = {}  # (column, escaped) -> pinned state
        self._remembered: dict[int, tuple[Any, Any]] = {}

    def forget(self) -> None:
        """Let go of the checks made for this pool: they read it (a reference cycle the
        cyclic garbage collector would have to find)."""
        self.fresh.clear()
        self._checkers.clear()
        self._remembered.clear()

    def factorized(self, column: str) -> tuple[np.ndarray, list[Any]]:
        hit = self._codes.get(column)
        if hit is None:
            coded = self.table.coded(column)
            if coded is None:
                hit = (np.zeros(self.table.n, dtype=np.int8), [None])
            else:
                codes, texts = coded
                hit = (codes, [None if v in EMPTY else v for v in texts.tolist()])
            self._codes[column] = hit
        return hit

    def values(self, column: str) -> tuple[list[Any], Any, bytes]:
        """``(texts, codes, empty)``: a row's lower-case text is ``texts[codes[row]]``
        (the column's distinct texts, None for an empty one) and ``empty[row]`` is 1
        where it is empty (an absent column: every row empty).

        Codes of a byte or two a row (a memoryview), not a list of the column (eight
        bytes a row): the bound checks do not make the table's columns lists.
        """
        hit = self._values.get(column)
        if hit is None:
            codes, uniques = self.factorized(column)
            empty = np.array([u is None for u in uniques], dtype=bool)[codes].tobytes()
            empty = self.table.share(empty)  # one mask for all columns alike (no empty cell...)
            hit = self._values[column] = (uniques, memoryview(codes), empty)
        return hit

    def matches(self, column: str, pattern: Any) -> bytes:
        """``matches(c, pattern)[row]``: 1 if the value matches the pattern in full, else 0."""
        key = (column, pattern)
        hit = self._matches.get(key)
        if hit is None:
            codes, uniques = self.factorized(column)
            verdict = np.array([v is not None and meets(v, pattern) for v in uniques], dtype=bool)
            hit = self._matches[key] = self.table.share(verdict[codes].tobytes())
        return hit

    def escape(self, value: str) -> str:
        """``re.escape(value)``, remembered (values repeat a lot)."""
        cache = self.table.escaped
        hit = cache.get(value)
        if hit is None:
            hit = cache[value] = re.escape(value)
        return hit

    def checkers(self, cr: Any) -> list[Checker]:
        """The rule's checks with attributes bound to this pool (made once per pool and rule)."""
        hit = self._checkers.get(id(cr))
        if hit is None or hit[0] is not cr:
            from asnkit.engine.checks import compile_checkers

            hit = self._checkers[id(cr)] = (cr, compile_checkers(cr, self))
        return hit[1]

    def check(self, cr: Any) -> Checker:
        """The rule's whole check with these lists, remembered per association where it
        can be (:mod:`asnkit.engine.memo`): a new one for each pass (what it remembers
        goes with the pass's associations)."""
        hit = self._remembered.get(id(cr))
        if hit is None or hit[0] is not cr:
            from asnkit.engine.checks import compile_checkers
            from asnkit.engine.memo import MemoPlan

            plan = MemoPlan(cr)
            if plan.useful:
                touched = [False]
                root = compile_checkers(cr, self, plan.watch(touched))[0]
                made = (root, touched, self.row_keys(plan.columns))
            else:
                made = None
            hit = self._remembered[id(cr)] = (cr, made)
        if hit[1] is None:
            return self.checkers(cr)[0]
        from asnkit.engine.memo import remembered

        return remembered(*hit[1])

    def row_keys(self, columns: Sequence[str]) -> list[Any]:
        """Per column, what tells its rows' values apart (``key[row]``), for checks
        remembered by the values they read (:mod:`asnkit.engine.memo`,
        :mod:`asnkit.engine.fresh`): its list if made already, else its codes (not a list
        of the column: a column only some check might read stays codes); columns the
        pool lacks are left out (the same for every row)."""
        keys = []
        for column in columns:
            texts = self.table.cols.get(column)
            if isinstance(texts, list):
                keys.append(texts)
            elif texts is not None:
                keys.append(memoryview(self.table.coded(column)[0]))  # equal code, equal text
        return keys


def bindable(node: Any) -> bool:
    """An attribute :func:`bound_attr` checks (others keep the closure of the checks module)."""
    return isinstance(node, Attr) and not node.evaluate


def bound_attr(i: int, node: Attr, pool: PoolColumns) -> Checker:
    """The check of attribute node ``i``, reading ``pool``'s lists.

    Same semantics as :func:`asnkit.engine.checks.compile_checkers`'s attribute
    check: first valid column (``asn_candidate`` of a candidate pass is the
    pass's text), pattern or pinned value, found values, pinning, reprocessing.
    """
    sources = node.sources
    lists = {column: pool.values(column) for column in sources}  # (texts, codes, empty)
    table_escaped = pool.table.escaped
    pinned = pool.pinned
    pattern = node.value
    fixed = pattern is not None and not callable(pattern)
    matches = {column: pool.matches(column, pattern) for column in sources} if fixed else {}
    onlyif = node.onlyif
    force_reprocess = node.force_reprocess
    only_on_match = node.only_on_match
    not_required = not (node.required and not node.force_undefined)
    force_undefined = node.force_undefined
    node_unique = node.force_unique
    reads_candidate = "asn_candidate" in sources
    first_lists = [(column, *lists[column]) for column in sources]
    single = len(sources) == 1
    single_column, single_values, single_codes, single_empty = first_lists[0]
    escape = re.escape

    def check(asn: Any, item: Any) -> tuple[bool, Any]:
        st = asn.st
        value, srcs, force_unique, found, matched = st[i]
        if onlyif is not None and not onlyif(item, asn):
            if matched is not True:
                st[i] = (value, srcs, force_unique, found, True)
            if force_reprocess is not None:
                return True, [ProcessList([item], None, force_reprocess, only_on_match)]
            return True, _NONE
        row = item.row
        v = None
        column = None
        if reads_candidate and item.cand is not None:
            for column in srcs:  # the pass's own candidate text replaces the column
                if column == "asn_candidate":
                    v = item.cand if item.cand not in EMPTY else None
                else:
                    texts, codes, empty = lists[column] if column in lists else pool.values(column)
                    v = None if empty[row] else texts[codes[row]]
                if v is not None:
                    break
        elif single:
            if not single_empty[row]:
                v = single_values[single_codes[row]]
            column = single_column
        elif srcs is sources:
            for column, texts, codes, empty in first_lists:  # noqa: B007 (column: the one read)
                if not empty[row]:
                    v = texts[codes[row]]
                    break
        else:  # pinned: the one column it was pinned from
            column = srcs[0]
            texts, codes, empty = lists[column]
            if not empty[row]:
                v = texts[codes[row]]
        if v is None:
            if matched is not not_required:
                st[i] = (value, srcs, force_unique, found, not_required)
            return not_required, _NONE
        if force_undefined:
            if matched is not False:
                st[i] = (value, srcs, force_unique, found, False)
            return False, _NONE
        if item.cand is not None and column == "asn_candidate":
            e = item.table.escaped.get(v)
            if e is None:
                e = item.table.escaped[v] = escape(v)
            if value is not None:
                ok = meets_cached(item.table.matches, v, value(asn) if callable(value) else value)
            else:
                ok = True
        else:
            e = table_escaped.get(v)
            if e is None:
                e = table_escaped[v] = escape(v)
            if value is None:
                ok = True
            elif force_unique or not node_unique:  # the node's own pattern (never pinned yet)
                ok = matches[column][row] if fixed else meets(v, value(asn))
            elif e == value:
                ok = True
            elif e.isascii() and value.isascii():
                ok = False
            else:
                ok = meets(v, value)
        if not ok:
            if matched is not False:
                st[i] = (value, srcs, force_unique, found, False)
            return False, _NONE
        if force_unique and not found:  # the first value pins: a state shared by every
            key = (column, e)  # association that pinned it (one tuple, not one per association)
            state = pinned.get(key)
            if state is None:
                state = pinned[key] = (e, (column,), False, (e,), True)
            st[i] = state
        else:
            changed = matched is not True
            if e not in found:
                found = (*found, e)
                changed = True
            if force_unique:
                value, srcs, force_unique = e, (column,), False
                changed = True
            if changed:
                st[i] = (value, srcs, force_unique, found, True)
        if force_reprocess is not None:
            return True, [ProcessList([item], None, force_reprocess, only_on_match)]
        return True, _NONE

    return check
