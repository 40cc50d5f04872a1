"""Columnar grouping (prototype): a rule's associations over a candidate as one group-by.

Most DMS Level 3 rules, within one candidate, make one association per distinct
combination of the values they pin (program, instrument, target, filter,
pupil, subarray...): the first exposure with a new combination starts an
association and every later one with the same values joins it. Where that is
provably what the sequential engine (:mod:`asnkit.engine.run`) does, the
associations are one ``groupby`` on integer-coded columns instead of one
constraint check per exposure and association.

:func:`grouping` decides, for one compiled rule and the rows of one pass, whether
the rule reduces to grouping there, and forms the groups. Each row's outcome is
computed once per distinct *signature* (the per-row outcomes of the rule's
leaves, from the vectorised pre-checks of :mod:`asnkit.engine.prefilter`) with a
four-valued logic: FAIL, PASS, UNKNOWN, or "passes when these pinned values
agree". The rule reduces to grouping when every row FAILs or passes on the same
set of pins (no UNKNOWN, no optional pin present on some rows and not others,
no row that could join but not create or the reverse, unique file names, ASCII
pinned values so that case-insensitive regular expressions and equality agree).

What is not covered (the sequential engine stays the reference and does it):
Level 2b rules ("one science exposure per association" is a state test),
target acquisitions joining by observation number, backgrounds reprocessed into
other targets' associations, discovery (``asn_candidate`` pins per row),
predicates that read the association. Until the engine's ``Run`` lands this
module only forms groups; tests compare them with the sequential engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from asnkit.engine.columns import PoolColumns
from asnkit.engine.prefilter import FAIL, PASS, StaticEval
from asnkit.engine.state import AsnState, CompiledRule, meets
from asnkit.engine.table import Item, Table
from asnkit.rules.model import Attr, Group, Reduce, Test, WorkOver

__all__ = ["ColumnarPool", "Grouping", "grouping"]

_F, _P, _U = "F", "P", "U"  # outcome kinds; a pass carries the pins it needs to agree on
_PIN = np.int8(4)  # leaf code: "passes, pinning its value"
_MISSING = np.int8(5)  # leaf code: optional pin without a value (passes, pins nothing)


@dataclass(frozen=True)
class Grouping:
    """The associations of one rule over the rows of one pass, as groups of pool rows.

    ``order`` lists the pool rows of every association, association after
    association (in the order the sequential engine creates them: by first row),
    members in row order; association ``k`` is ``order[starts[k]:starts[k + 1]]``.
    ``pins`` are the columns whose values make an association.
    """

    order: np.ndarray
    starts: np.ndarray
    pins: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.starts) - 1

    def groups(self) -> list[np.ndarray]:
        """The pool rows of each association."""
        return [self.order[a:b] for a, b in zip(self.starts[:-1], self.starts[1:], strict=True)]


def _is_pin(node: Any) -> bool:
    """A leaf that, when it passes, pins the value it read (and then requires it)."""
    return (
        isinstance(node, Attr)
        and node.pins_own_value
        and (node.force_reprocess is None or _noop_reprocess(node))
    )


def _noop_reprocess(node: Attr) -> bool:
    # "send the exposure back to the existing associations of this rule once it matched":
    # with every association pinned on the same columns and unique file names, the
    # exposure is already a member of its own and differs from every other on a pin
    return node.force_reprocess is WorkOver.EXISTING and node.only_on_match


class ColumnarPool:
    """One pool's columns as arrays, with what groupings of several rules and candidates share.

    Columns are read through the pool's :class:`~asnkit.engine.columns.PoolColumns`
    (values factorized once); what is kept per column list is small (which source
    each row reads, one byte; whether it matches a pattern, one byte).

    Examples
    --------
    >>> import asnkit
    >>> from asnkit.engine.table import build_table
    >>> table = build_table(asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri")))
    >>> ColumnarPool(table).first_valid(("filter",))[:2].tolist()
    [0, 0]
    """

    def __init__(
        self, table: Table, static: StaticEval | None = None, columns: PoolColumns | None = None
    ) -> None:
        self.table = table
        self.static = static if static is not None else StaticEval(table)
        self.columns = columns if columns is not None else PoolColumns(table)
        self._first: dict[tuple[str, ...], np.ndarray] = {}
        self._meets: dict[tuple[Any, Any], np.ndarray] = {}
        self._fresh: dict[int, AsnState] = {}
        self._undecided: dict[int, tuple[CompiledRule, bool]] = {}

    def _valid(self, name: str) -> np.ndarray:
        codes, uniques = self.columns.factorized(name)
        return np.array([u is not None for u in uniques], dtype=bool)[codes]

    def first_valid(self, sources: tuple[str, ...]) -> np.ndarray:
        """Which of ``sources`` each row reads: the first with a valid value (-1: none)."""
        hit = self._first.get(sources)
        if hit is None:
            source = np.full(self.table.n, -1, dtype=np.int8)
            for k, name in enumerate(sources):
                source[self._valid(name) & (source < 0)] = k
            hit = self._first[sources] = self.table.share(source)
        return hit

    def matches(self, sources: tuple[str, ...], pattern: Any) -> np.ndarray:
        """Whether each row's first valid value of ``sources`` matches ``pattern`` in full."""
        key = (sources, pattern)
        hit = self._meets.get(key)
        if hit is None:
            source = self.first_valid(sources)
            hit = np.zeros(self.table.n, dtype=bool)
            for k, name in enumerate(sources):
                ok = np.frombuffer(self.columns.matches(name, pattern), dtype=bool)
                hit |= ok & (source == k)
            hit = self._meets[key] = self.table.share(hit)
        return hit

    def fresh(self, cr: CompiledRule) -> AsnState:
        """A new association of the rule (what values and sources read when nothing is pinned)."""
        hit = self._fresh.get(id(cr))
        if hit is None or hit.cr is not cr:
            hit = self._fresh[id(cr)] = AsnState(cr, 0, None)
        return hit

    def grouping(self, cr: CompiledRule, rows: Sequence[int], cand: str | None = None):
        """:func:`grouping` with this pool's caches."""
        return _grouping(self, cr, rows, cand)

    def undecided(self, cr: CompiledRule) -> bool:
        """Whether no row of the pool can PASS the rule as a grouping decides it (every
        row is FAIL or UNKNOWN whatever the pass: a grouping refuses, or finds nothing,
        which the sequential engine finds as well); remembered per rule."""
        hit = self._undecided.get(id(cr))
        if hit is None or hit[0] is not cr:
            hit = self._undecided[id(cr)] = (cr, _undecided(self.static, cr))
        return hit[1]


class _Leaves:
    """Per-row codes of the leaves of one rule over one pass (PASS/FAIL/UNKNOWN/PIN/MISSING)."""

    def __init__(
        self, pool: ColumnarPool, cr: CompiledRule, rows: np.ndarray, cand: str | None
    ) -> None:
        self.pool = pool
        self.cr = cr
        self.table = pool.table
        self.rows = rows
        self.cand = cand
        self.static = pool.static
        self.fresh = pool.fresh(cr)
        self.codes: dict[int, np.ndarray] = {}
        self.source_of: dict[int, np.ndarray] = {}  # pins: which of its columns each row read
        self.negated_pins = self._negated_pins()
        for i in cr.iter_leaves():
            self.codes[i] = self._leaf(i, cr.nodes[i])

    def _negated_pins(self) -> set[int]:
        """Pins directly under a none-of on the must-pass path: whenever they pass, the
        whole check fails, so their value is never pinned (they test presence only)."""
        # a loop, not a recursive closure: a closure calling itself is a reference cycle,
        # which would keep this object (and its per-row arrays) alive while the
        # collector is paused (all of generation)
        cr = self.cr
        out: set[int] = set()
        todo = [0]
        while todo:
            i = todo.pop()
            node = cr.nodes[i]
            if not isinstance(node, Group):
                continue
            if node.reduce is Reduce.ALL:
                todo.extend(cr.children[i])
            elif node.reduce is Reduce.NOT_ANY:
                out.update(c for c in cr.children[i] if _is_pin(cr.nodes[c]))
        return out

    def _leaf(self, i: int, node: Any) -> np.ndarray:
        n = len(self.rows)
        if isinstance(node, Attr) and "asn_candidate" in node.sources:
            return self._candidate_attr(node, n)
        if isinstance(node, Attr) and _is_pin(node):
            # the first column with a valid value (a pin then reads only that column)
            source = self.pool.first_valid(node.sources)[self.rows]
            present = source >= 0
            self.source_of[i] = source
            code = np.where(present, _PIN, FAIL if node.required else _MISSING).astype(np.int8)
            if node.value is not None:  # a fixed expression first, then the pin
                ok = self.pool.matches(node.sources, node.value)[self.rows]
                code[present & ~ok] = FAIL
            if node.onlyif is not None:
                code = self._onlyif(node, code)
            if i in self.negated_pins:
                code = np.where(code == _PIN, PASS, code).astype(np.int8)
                code[code == _MISSING] = PASS if not node.required else FAIL
            return code
        any_state = self.static.outcome(node)[self.rows]
        fresh = self.static.outcome(node, self.fresh)[self.rows]
        # a leaf must not depend on the association: same outcome whatever its state
        return np.where(any_state == fresh, any_state, np.int8(3)).astype(np.int8)

    def _candidate_attr(self, node: Attr, n: int) -> np.ndarray:
        if node.onlyif is not None or node.force_reprocess is not None:
            return np.full(n, np.int8(3))
        if self.cand is None:  # discovery: each row's own candidate text, a column as any other
            if node.evaluate:
                return np.full(n, np.int8(3))
            any_state = self.static.outcome(node, None, True)[self.rows]
            fresh = self.static.outcome(node, self.fresh, True)[self.rows]
            return np.where(any_state == fresh, any_state, np.int8(3)).astype(np.int8)
        if node.evaluate:  # the pass's own candidate: every row carries it and agrees
            return np.full(n, PASS)
        ok = node.value is None or meets(self.cand, node.value)
        return np.full(n, PASS if ok else FAIL)  # the same text on every row of the pass

    def _onlyif(self, node: Attr, code: np.ndarray) -> np.ndarray:
        # where the condition is false the constraint passes without reading the value
        # (and the exposure is reprocessed: a no-op here, see _noop_reprocess)
        applies = np.array(
            [bool(node.onlyif(Item(self.table, int(r), self.cand), self.fresh)) for r in self.rows]
        )
        return np.where(applies, code, PASS).astype(np.int8)


def _undecided(static: StaticEval, cr: CompiledRule, i: int = 0) -> bool:
    """Whether node ``i`` is FAIL or UNKNOWN for every row of the pool, whatever the pins
    (as :func:`_combine` combines the codes of :class:`_Leaves`): then a grouping refuses
    (or finds nothing) on every pass. :meth:`ColumnarPool.undecided` (without the cache)."""
    node = cr.nodes[i]
    if isinstance(node, Group):
        kids = cr.children[i]
        if node.reduce is Reduce.ALL:  # one such child decides (tests first: they are
            # mostly decided without reading a column)
            kids = sorted(kids, key=lambda k: not isinstance(cr.nodes[k], Test))
            return any(_undecided(static, cr, k) for k in kids)
        if node.reduce is Reduce.ANY:  # a branch that passes would decide
            return all(_undecided(static, cr, k) for k in kids)
        return False  # negated: a failure becomes a pass
    if isinstance(node, Attr) and ("asn_candidate" in node.sources or _is_pin(node)):
        return False  # coded from their columns (_Leaves), not from the pre-checks
    # the leaf's code is its any-state outcome or UNKNOWN: never PASS here
    return not np.any(static.outcome(node) == PASS)


def _combine(cr: CompiledRule, i: int, sig: dict[int, int]) -> tuple[str, frozenset[int]]:
    """The outcome of node ``i`` for one signature: (kind, pins that must agree)."""
    node = cr.nodes[i]
    none: frozenset[int] = frozenset()
    if not isinstance(node, Group):
        code = sig[i]
        if code == PASS or code == _MISSING:
            return _P, none
        if code == FAIL:
            return _F, none
        if code == _PIN:
            return _P, frozenset({i})
        return _U, none
    kids = [_combine(cr, k, sig) for k in cr.children[i]]
    if node.reduce in (Reduce.ALL, Reduce.NOT_ALL):
        if not kids or any(kind == _F for kind, _ in kids):
            result = (_F, none)
        elif any(kind == _U for kind, _ in kids):
            result = (_U, none)
        else:
            result = (_P, frozenset().union(*(pins for _, pins in kids)))
    else:
        result = (_F, none)
        for position, (kind, pins) in enumerate(kids):
            if kind == _F:
                continue
            if kind == _U or (pins and any(k != _F for k, _ in kids[position + 1 :])):
                result = (_U, none)  # a pin mismatch would fall through to a later branch
            else:
                result = (kind, pins)
            break
    if node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
        kind, pins = result
        if pins:
            result = (_U, none)
        elif kind != _U:
            result = (_F, none) if kind == _P else (_P, none)
    kind = result[0]
    if (node.reprocess_on_match and kind != _F) or (node.reprocess_on_fail and kind != _P):
        result = (_U, none)
    return result


def grouping(
    cr: CompiledRule,
    table: Table,
    static: StaticEval,
    rows: Sequence[int],
    cand: str | None = None,
) -> Grouping | None:
    """The associations ``cr`` makes over ``rows`` as a group-by, or None if it does not reduce.

    Parameters
    ----------
    cr : CompiledRule
        The rule (with the candidate constraint of a candidate pass, if any).
    table : Table
        The pool (:func:`asnkit.engine.table.build_table`).
    static : StaticEval
        Vectorised pre-checks over ``table``.
    rows : sequence of int
        The rows of the pass, in processing order.
    cand : str, optional
        The candidate text every row carries in a candidate pass
        (``"[('o001', 'observation')]"``); None for discovery.
    """
    return _grouping(ColumnarPool(table, static), cr, rows, cand)


def _grouping(
    pool: ColumnarPool, cr: CompiledRule, rows: Sequence[int], cand: str | None
) -> Grouping | None:
    table = pool.table
    rows = np.asarray(rows, dtype=np.int64)
    nothing = Grouping(np.zeros(0, np.int64), np.zeros(1, np.int64), ())
    if not len(rows):
        return nothing
    if "force_match" in cr.by_name or pool.undecided(cr):
        return None  # (first: remembered per rule, where the outcomes below may be recomputed)
    if not np.any(pool.static.outcome(cr.nodes[0])[rows] != FAIL):
        return nothing  # no row can ever pass (the engine's pre-check): no association
    names = table.column("filename")
    if len({names[row] for row in rows.tolist()}) != len(rows):
        return None  # a file already in an association "matches" it whatever its values
    leaves = _Leaves(pool, cr, rows, cand)
    ids = sorted(leaves.codes)
    # a pin's column is part of the signature: one pin, one column for every row
    columns_read = [leaves.source_of[i] for i in sorted(leaves.source_of)]
    matrix = np.ascontiguousarray(
        np.column_stack([*(leaves.codes[i] for i in ids), *columns_read]).astype(np.int8)
        if ids
        else np.zeros((len(rows), 1), np.int8)
    )
    keys = matrix.view(np.dtype((np.void, matrix.shape[1]))).reshape(-1)
    firsts, inverse = np.unique(keys, return_index=True, return_inverse=True)[1:]
    inverse = np.asarray(inverse).reshape(-1)
    outcomes = [
        _combine(cr, 0, dict(zip(ids, map(int, matrix[row, : len(ids)]), strict=True)))
        for row in firsts
    ]
    if any(kind == _U for kind, _ in outcomes):
        return None
    passing = [k for k, (kind, _) in enumerate(outcomes) if kind == _P]
    if not passing:
        return nothing
    pin_sets = {outcomes[k][1] for k in passing}
    if len(pin_sets) != 1:
        return None  # some rows would be wildcards for others: order decides
    (pin_nodes,) = pin_sets
    taken = np.isin(inverse, passing)
    members = rows[taken]
    read: list[str] = []
    for i in sorted(pin_nodes):
        source = np.unique(leaves.source_of[i][taken])
        if len(source) != 1:
            return None  # rows pinning different columns of one constraint
        read.append(cr.nodes[i].sources[int(source[0])])
    columns = tuple(dict.fromkeys(read))
    if not columns:
        return Grouping(members, np.array([0, len(members)], np.int64), ())
    readers = [table.reader(c) for c in columns]  # (a coded column read in place, no list)
    numbers: dict[tuple, int] = {}  # values -> association, by first appearance
    codes = np.empty(len(members), dtype=np.int64)
    for k, row in enumerate(members.tolist()):
        key = tuple([texts[codes[row]] for texts, codes in readers])
        number = numbers.get(key)
        if number is None:
            if not all(value.isascii() for value in key):
                return None
            number = numbers[key] = len(numbers)
        codes[k] = number
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0, True])
    return Grouping(members[order], starts.astype(np.int64), columns)
