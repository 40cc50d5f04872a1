"""The first check of a new association, remembered per distinct exposure values.

Every exposure that cannot join an existing association is checked against a
new one of the rule (:meth:`asnkit.engine.rulewise._RuleRun.round0`): the state
checked is always the rule's initial state, so the outcome depends only on what
the check reads of the exposure. Most exposures of a pool share those values
(the same program, instrument, filter...), so :class:`FreshCheck` checks each
distinct combination once and replays the outcome: the states the nodes end
in, the role the association last computed (``original_exposure_type``), and
the reprocessing requests (new lists, holding the exposure itself). A combination
is remembered from the second time it is met: most are met once, and keeping
their states would cost memory for nothing (+76 MB at 100k rows).

The value an attribute pins is a hole in the combination (:func:`pin_holes`):
where a column is read only by attributes that pin its value from the initial
state (no pattern, no condition: present, it passes and pins; absent, the
constraint's own default), the outcome depends on whether the cell is empty,
not on its text. Such columns enter the combination as empty or not, and a
replay puts the exposure's own pinned value in their states: exposures that
differ only by program (or instrument...) share one remembered combination.

The memory is bounded: a check remembers at most :data:`REMEMBERED_AT_MOST`
combinations (and notes at most :data:`NOTED_AT_MOST` met once); when full, it
forgets them all and starts again, so it holds the values of the exposures met
lately (a pool's programs come one after the other). Forgetting only means
checking again: the outcome is the same.

A candidate pass's rule ends with the candidate constraint (the acid, whose
pattern is the pass's candidate): it is checked live after the replayed part,
so one memory serves every candidate of the pool.

Only checks whose conditions say what they read are remembered
(:meth:`asnkit.rules.Condition.reading`, :func:`asnkit.engine.reading.leaf_reading`:
the one definition :mod:`asnkit.engine.memo` uses too); anything else is checked
as usual. ``tests/test_fast_path.py`` compares the result with the reference
loop, which checks every exposure in full.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from asnkit.dms.values import EMPTY
from asnkit.engine.checks import all_of
from asnkit.engine.columns import PoolColumns
from asnkit.engine.perrow import fill_roles
from asnkit.engine.reading import leaf_reading
from asnkit.engine.state import AsnState, CompiledRule, ProcessList, meets_cached
from asnkit.engine.table import Item
from asnkit.rules.model import Attr, Group, Reduce

__all__ = [
    "NOTED_AT_MOST",
    "REMEMBERED_AT_MOST",
    "FreshCheck",
    "escaped_cells",
    "fresh_check",
    "item_reads",
    "pin_holes",
]

#: Combinations a check remembers at most (then it forgets them and starts again): about
#: 1.5 kB each; at 100k rows unbounded, the DMS rules' checks held 22k (about 35 MB).
REMEMBERED_AT_MOST = 512
#: Combinations met once a check notes at most (then it forgets them: met again, such a
#: combination is noted again instead of remembered).
NOTED_AT_MOST = 4 * REMEMBERED_AT_MOST

Checker = Callable[[Any, Any], tuple[bool, Any]]
_NONE: tuple = ()
_LIVE = object()  # a combination whose requests hold other exposures: checked every time
_STOP = object()  # the replayed part fails, with nothing to reprocess (the last is not checked)


def _leaves(cr: CompiledRule, nodes: Sequence[int]) -> list[int]:
    """The leaves under ``nodes``."""
    out = []
    stack = list(nodes)
    while stack:
        i = stack.pop()
        if isinstance(cr.nodes[i], Group):
            stack.extend(cr.children[i])
        else:
            out.append(i)
    return out


def item_reads(
    cr: CompiledRule, nodes: Sequence[int], candidate: list | None = None
) -> tuple[str, ...] | None:
    """The pool columns the checks of ``nodes`` (and their subtrees) can read of an
    exposure (:func:`~asnkit.engine.reading.leaf_reading`), or None if what some
    condition reads is not known, or an attribute's value is parsed (it may ask to
    reprocess other exposures).

    ``candidate``: a list to put in the patterns of the attributes on the pass's
    candidate text alone (:func:`_on_candidate`), whose column is then not counted.
    On a new association, whatever else a condition reads of it is known: its
    states (replayed), the role it computed last (replayed), and its members (none).
    """
    out: dict[str, None] = {}
    for i in _leaves(cr, nodes):
        node = cr.nodes[i]
        if isinstance(node, Attr):
            if node.evaluate:
                return None
            if candidate is not None and _on_candidate(node):
                candidate.append(node.value)
                continue
        found = leaf_reading(node, cr.rule)
        if found is None:
            return None
        out.update(dict.fromkeys(found.columns))
    return tuple(out)


def _looked_up(cr: CompiledRule, nodes: Sequence[int]) -> set[str] | None:
    """The names of the constraints whose states the conditions under ``nodes`` look up
    (None: any)."""
    names: set[str] = set()
    for i in _leaves(cr, nodes):
        found = leaf_reading(cr.nodes[i], cr.rule)
        if found is not None:
            if found.names is None:
                return None
            names.update(found.names)
    return names


def _on_candidate(node: Attr) -> bool:
    """An attribute on ``asn_candidate`` alone with a fixed pattern (or none): in a
    candidate pass it reads the pass's text, and its check depends only on whether
    that text is empty, whether it matches, and (if it does) the text."""
    return (
        node.sources == ("asn_candidate",)
        and node.onlyif is None
        and (node.value is None or isinstance(node.value, (str, tuple)))
    )


def _signature(text: str, patterns: Sequence[Any], cache: dict) -> tuple:
    """What the attributes on the candidate text (:func:`_on_candidate`) read of it."""
    out: list[Any] = []
    for pattern in patterns:
        if text in EMPTY:
            out.append(True)
        elif pattern is None or meets_cached(cache, text, pattern):
            out.append(text)
        else:
            out.append(False)
    return tuple(out)


class FreshCheck:
    """The whole check of a rule on a new association, remembered per exposure values.

    Call it like a checker, on an association's first check only (its state is
    the rule's initial one, with the pass's candidate in the last node).
    """

    __slots__ = (
        "cand",
        "cells",
        "end",
        "head",
        "holes",
        "kids",
        "last",
        "lists",
        "memo",
        "patterns",
        "pinned",
        "seen",
        "signed",
    )

    def __init__(
        self,
        cr: CompiledRule,
        checkers: Sequence[Checker],
        columns: PoolColumns,
        head: list[int],
        last: int | None,
        reads: tuple[str, ...],
        patterns: Sequence[Any] = (),
        holes: Sequence[int] = (),
    ) -> None:
        self.kids = [checkers[k] for k in head]
        self.last = None if last is None else checkers[last]
        self.end = len(cr.nodes) if last is None else last  # states the replayed part sets
        hole_columns = sorted({c for i in holes for c in cr.nodes[i].sources})
        # per column read, its values; per hole's column, whether each cell is empty
        self.lists = columns.row_keys([c for c in reads if c not in hole_columns])
        self.lists += [columns.values(c)[-1] for c in hole_columns]  # (..., empty)
        self.holes = tuple(holes)
        # per hole's column: its codes, escaped texts and pinned states (made when first met)
        self.cells = {
            c: (*cells, [None] * len(cells[1]))
            for c, cells in ((c, escaped_cells(columns, c)) for c in hole_columns)
        }
        self.pinned = columns.pinned
        self.cand = "asn_candidate" in reads
        self.patterns = tuple(patterns)  # of the attributes on the pass's candidate text
        self.signed: tuple = (None, ())  # (candidate text, its signature), the last met
        self.head = head
        self.memo: dict[tuple, Any] = {}
        self.seen: set[int] = set()  # hashes of the combinations met once

    def __call__(self, asn: AsnState, item: Item) -> tuple[bool, Any]:
        row = item.row
        key = tuple([values[row] for values in self.lists])
        if self.cand:
            key = (item.cand, key)
        elif self.patterns:
            text = item.cand
            if text is None:  # (a candidate rule always meets its pass's text)
                return self._all(asn, item, None, None)
            if text is not self.signed[0]:
                self.signed = (text, _signature(text, self.patterns, item.table.matches))
            key = (self.signed[1], key)
        entry = self.memo.get(key)
        if entry is None:
            # remembered from the second time it is met (most are met once: memory)
            seen = hash(key)
            if seen in self.seen:
                return self._record(asn, item, key)
            if len(self.seen) >= NOTED_AT_MOST:
                self.seen.clear()
            self.seen.add(seen)
            return self._all(asn, item, None, None)
        if entry is _LIVE:
            return self._all(asn, item, None, None)
        states, role, results = entry
        asn.st[: self.end] = states
        if self.holes:
            self._fill_holes(asn.st, states, item.row)
        asn.original_exposure_type = role
        if results is None:  # every replayed condition held, with nothing to reprocess
            if self.last is None:
                return True, _NONE
            match, reprocess = self.last(asn, item)
            return match, reprocess if reprocess else _NONE
        if results is _STOP:
            return False, _NONE
        return self._all(asn, item, [_requests(r, item) for r in results], None)

    def _fill_holes(self, st: list, states: tuple, row: int) -> None:
        """The exposure's own values in the replayed states of the pins in ``holes``, as
        :func:`~asnkit.engine.columns.bound_attr` pins them: the escaped text, the column
        it was read from, one state per column and value shared by every association."""
        for i in self.holes:
            state = states[i]
            if not state[3]:
                continue  # not reached, or every column empty: nothing pinned
            column = state[1][0]  # the first non-empty column (emptiness is in the key)
            codes, cells, pins = self.cells[column]
            code = codes[row]
            pinned = pins[code]
            if pinned is None:
                e = cells[code]
                pinned = self.pinned.get((column, e))
                if pinned is None:
                    pinned = self.pinned[(column, e)] = (e, (column,), False, (e,), True)
                pins[code] = pinned
            st[i] = pinned

    def _record(self, asn: AsnState, item: Item, key: tuple) -> tuple[bool, Any]:
        if len(self.memo) >= REMEMBERED_AT_MOST:  # full: start again (bounded memory)
            self.memo.clear()
            self.seen.clear()
        got: list[tuple[bool, Any]] = []
        out = self._all(asn, item, None, got)
        specs = []
        for match, reprocess in got:
            spec = []
            for process_list in reprocess:
                items = process_list.items
                if len(items) != 1 or items[0] is not item:
                    self.memo[key] = _LIVE
                    return out
                pl = process_list
                spec.append((pl.rules, pl.work_over, pl.only_on_match))
            specs.append((match, tuple(spec)))
        states = tuple(asn.st[: self.end])
        if any(state is not None and state[0] is item for state in states):
            self.memo[key] = _LIVE  # a test pinned the exposure itself: not another's
            return out
        results: Any = tuple(specs)
        if all(match and not spec for match, spec in specs) and len(specs) == len(self.kids):
            results = None
        elif specs and not specs[-1][0] and not specs[-1][1]:
            results = _STOP  # a condition failed with nothing to reprocess: no more checked
        self.memo[key] = (states, asn.original_exposure_type, results)
        return out

    def _all(
        self,
        asn: AsnState,
        item: Item,
        results: list[tuple[bool, Any]] | None,
        got: list[tuple[bool, Any]] | None,
    ) -> tuple[bool, Any]:
        """All-of over the root's children (:func:`~asnkit.engine.checks.all_of`): the
        replayed ones' ``results`` (or checked live, and put in ``got`` if given), then
        the last."""
        if results is not None:
            kids: list[Checker] = [_replayed(result) for result in results]
        elif got is not None:
            kids = [_recorded(kid, got) for kid in self.kids]
        else:
            kids = self.kids
        if self.last is not None:
            kids = [*kids, self.last]
        return all_of(kids, asn, item)


def _replayed(result: tuple[bool, Any]) -> Checker:
    """A check that ends as a remembered one did (:func:`_requests`)."""
    return lambda asn, item: result


def _recorded(check: Checker, got: list[tuple[bool, Any]]) -> Checker:
    """``check``, its results put in ``got``."""

    def recorded(asn: Any, item: Any) -> tuple[bool, Any]:
        result = check(asn, item)
        got.append(result)
        return result

    return recorded


def _requests(result: tuple[bool, tuple], item: Item) -> tuple[bool, Any]:
    match, spec = result
    if not spec:
        return match, _NONE
    return match, [ProcessList([item], rules, work_over, only) for rules, work_over, only in spec]


def fresh_check(columns: PoolColumns, cr: CompiledRule) -> FreshCheck | None:
    """The :class:`FreshCheck` of the rule over the pool of ``columns`` (made once per pool
    and rule, with the rule's bound checks), or None when it cannot be remembered (the
    root is not a plain all-of, or what a condition reads is not known)."""
    if not columns.fresh:  # the first of the pool: its new associations ask every role
        fill_roles(columns.table)
    hit = columns.fresh.get(id(cr))
    if hit is None or hit[0] is not cr:
        hit = columns.fresh[id(cr)] = (cr, _fresh_check(cr, columns.checkers(cr), columns))
    return hit[1]


def _fresh_check(
    cr: CompiledRule, checkers: Sequence[Checker], columns: PoolColumns
) -> FreshCheck | None:
    root = cr.nodes[0]
    if (
        not isinstance(root, Group)
        or root.reduce is not Reduce.ALL
        or root.reprocess_on_match
        or root.reprocess_on_fail
        or not cr.children[0]
    ):
        return None
    kids = list(cr.children[0])
    last = None
    end = kids[-1]
    if end == len(cr.nodes) - 1 and isinstance(cr.nodes[end], Attr) and cr.nodes[end].evaluate:
        # the candidate constraint of a candidate pass (its pattern is the pass's candidate):
        # checked live, after the rest; no other condition may read its state by name
        last = kids.pop()
        names = _looked_up(cr, kids)
        if names is None or cr.nodes[last].name in names:
            return None
    patterns: list | None = None if last is None else []
    reads = item_reads(cr, kids, patterns)
    if reads is None or (last is not None and "asn_candidate" in reads):
        return None  # (a condition on the pass's candidate text: no two passes alike)
    holes = pin_holes(cr, kids if last is None else [*kids, last])
    return FreshCheck(cr, checkers, columns, kids, last, reads, patterns or (), holes)


def escaped_cells(columns: PoolColumns, column: str) -> tuple[Any, list[str | None]]:
    """``(codes, escaped)``: a row's text in ``column`` escaped as a pin holds it is
    ``escaped[codes[row]]`` (None where the cell is empty)."""
    codes, uniques = columns.factorized(column)
    cells = [None if u is None else columns.escape(u) for u in uniques]
    return memoryview(np.ascontiguousarray(codes)), cells


def _pure_pin(node: Any) -> bool:
    """An attribute that, checked on a new association, passes if its columns are not
    all empty and pins the first value (whatever it is), reading nothing else."""
    return (
        isinstance(node, Attr)
        and node.pins_own_value
        and node.value is None
        and node.onlyif is None
        and node.force_reprocess is None
        and not node.is_acid
        and node.name != "force_match"
    )


def pin_holes(cr: CompiledRule, nodes: Sequence[int]) -> list[int]:
    """The pins under ``nodes`` whose values are holes in a remembered combination: pure
    pins (:func:`_pure_pin`) whose columns no other condition under ``nodes`` reads and
    whose state no condition looks up by name. On a new association the check's
    outcome, and every other state, then depend on whether those columns are empty,
    not on their values."""
    names = _looked_up(cr, nodes)
    if names is None:
        return []
    leaves = _leaves(cr, nodes)
    readers: dict[str, int] = {}
    for i in leaves:
        found = leaf_reading(cr.nodes[i], cr.rule)
        if found is None:
            return []
        for column in set(found.columns):
            readers[column] = readers.get(column, 0) + 1
    holes = []
    for i in sorted(set(leaves)):
        node = cr.nodes[i]
        if (
            leaves.count(i) == 1
            and _pure_pin(node)
            and (node.name is None or node.name not in names)
            and all(readers.get(c) == 1 for c in node.sources)
        ):
            holes.append(i)
    return holes
