"""A pass one rule at a time: the reference loop decomposed, with the same result.

The reference loop (:func:`asnkit.engine.passes.run_pass`) takes the exposures in
order and, for each, every rule in turn; reprocessing requests wait in a queue.
Rules never read each other's associations, so the loop can be run rule by
rule, each over only the exposures that can concern it, provided the order of
events *each rule* sees is kept:

* **round 0** -- the first list: every exposure of the pass, in order (existing
  associations, then a new one);
* then the lists pushed during round 0, by priority (``EXISTING`` before
  ``NONSCIENCE``) and first-in first-out by the time of their first push, each
  holding its items in push order. A rule sees its own lists and the lists
  addressed to every rule (``Test.reprocess_rules``), whichever rule pushed them.

Lists pushed while such a list is processed are dropped by the reference
(``_workover_filter``: only a list of the active kinds, ``RULES``/``BOTH``,
reprocesses, and only from an active list), so there is no third round. A list
of an active kind pushed in round 0 would start another creating round whose
order mixes rules: :func:`run_by_rule` then returns None and the caller runs the
reference loop.

Associations are created only in round 0, so the order they are created in
across rules is that of ``(position in the pass, rule index)``.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from asnkit.engine.columnar import ColumnarPool
from asnkit.engine.columns import PoolColumns
from asnkit.engine.fresh import fresh_check
from asnkit.engine.index import AsnIndex, RulePlan
from asnkit.engine.state import AsnState, CompiledRule, ProcessList
from asnkit.engine.table import Item
from asnkit.rules.model import WorkOver

__all__ = ["GROUP_MIN_ROWS", "run_by_rule"]

_ACTIVE = (WorkOver.RULES, WorkOver.BOTH)

#: A rule's associations in a pass are formed from a grouping (when it applies) from
#: this many exposures on: below, checking them one by one costs less than deciding.
GROUP_MIN_ROWS = 48


class _Many:
    """The items of a pushed list of more than one exposure."""

    __slots__ = ("items",)

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items


class _Pushed:
    """The lists a rule pushed in round 0, in push order, compactly (a pass can push a
    list per exposure): per push its position in the pass, its key (``ProcessList.key``,
    one tuple per distinct key) and its items (the exposure itself when it is alone)."""

    __slots__ = ("at", "items", "keys", "known")

    def __init__(self) -> None:
        self.at = array("q")
        self.keys: list[tuple] = []
        self.items: list[Any] = []
        self.known: dict[tuple, tuple] = {}

    def add(self, position: int, process_list: ProcessList) -> None:
        key = process_list.key
        self.at.append(position)
        self.keys.append(self.known.setdefault(key, key))
        items = process_list.items
        self.items.append(items[0] if len(items) == 1 else _Many(items))

    def __iter__(self) -> Iterator[tuple[int, tuple, Any]]:
        return zip(self.at, self.keys, self.items, strict=True)


class _RuleRun:
    """One rule over one pass: its index, the associations it made, what it pushed."""

    __slots__ = ("check", "cr", "created", "first", "index", "plan", "pushed", "rule")

    def __init__(
        self, rule: int, cr: CompiledRule, plan: RulePlan, check: Any, first: Any = None
    ) -> None:
        self.rule = rule
        self.cr = cr
        self.check = check
        self.first = first  # a new association's first check (engine.fresh)
        self.plan = plan
        self.index = AsnIndex(plan)
        self.created: list[tuple[int, AsnState]] = []  # (position, association)
        self.pushed = _Pushed()

    def add_to(self, asn: AsnState, item: Item, position: int) -> bool:
        filenames = asn.filenames
        if item.filename in filenames:
            return True  # already a member: a match that changes nothing (AsnState.add)
        before = len(filenames)
        match, reprocess = asn.add(item)
        if len(asn.filenames) != before:
            self.index.note_file(asn, item.filename)
        if match and asn.products:
            self.index.update(asn)
        if reprocess and position >= 0:
            for process_list in reprocess:
                self.pushed.add(position, process_list)
        return match

    def round0(
        self,
        items: Sequence[Item],
        positions: np.ndarray,
        possible: np.ndarray | None,
        creatable: np.ndarray | None,
        version_id: str | None,
        override: tuple[int, tuple] | None,
    ) -> None:
        """The first list: each exposure against the existing associations, then a new one."""
        index = self.index
        cr = self.cr
        for p in positions.tolist():
            item = items[p]
            row = item.row
            matched = False
            if possible is None or possible[row]:
                if index.count:
                    for asn in index.candidates(item, True):
                        matched = self.add_to(asn, item, p) or matched
            elif item.filename in index.by_file:  # already a member: it matches, nothing else
                for asn in index.candidates(item, False):
                    matched = self.add_to(asn, item, p) or matched
            if not matched and (creatable is None or creatable[row]):
                # seq: the order, for now
                asn = AsnState(cr, p + 1, version_id, override, self.check, self.first)
                if self.add_to(asn, item, p):
                    self.created.append((p, asn))

    def grouped(
        self,
        groups: Sequence[np.ndarray],
        items: Sequence[Item],
        position: np.ndarray,
        version_id: str | None,
        override: tuple[int, tuple] | None,
    ) -> bool:
        """The associations from a grouping (:mod:`asnkit.engine.columnar`): each group's
        rows added in order to a new association, with the rule's own check.

        False (nothing kept) if an exposure does not match, or asks for reprocessing
        other than its own rule's existing associations (which a grouping makes a no-op).
        """
        created = []
        for group in groups:
            rows = group.tolist()
            first = int(position[rows[0]])
            asn = AsnState(self.cr, first + 1, version_id, override, self.check, self.first)
            for row in rows:
                match, reprocess = asn.add(items[int(position[row])])
                if not match:
                    return False
                for process_list in reprocess:
                    if process_list.work_over in _ACTIVE or process_list.rules != (self.rule,):
                        return False
            created.append((first, asn))
        self.created = created
        return True

    def later(self, items: Sequence[Item], rows: np.ndarray, possible: np.ndarray | None) -> None:
        """A later list: existing associations only; whatever it pushes is dropped.

        ``rows``: the items' pool rows (those the rule cannot match are skipped).
        """
        index = self.index
        if possible is not None:
            items = [items[k] for k in np.flatnonzero(possible[rows]).tolist()]
        for item in items:
            if not index.count:
                return
            for asn in index.candidates(item, True):
                self.add_to(asn, item, -1)


def _position(push: tuple[int, tuple, Any]) -> int:
    return push[0]


def _lists(runs: Sequence[_RuleRun]) -> list[tuple[tuple, list[Item], int | None]] | None:
    """The lists pushed in round 0, in the order the reference queue pops them.

    Each is (key, items, rule): ``rule`` is the only rule it concerns, or None for
    every rule. None if a list would start another creating round.
    """
    for run in runs:
        for key in run.pushed.known:
            if key[1] in _ACTIVE:  # (rules, work over, only on match)
                return None
    # each run's pushes are in push order (by position) and the runs in rule order: merged
    # lazily by position (ties in run order), not one list of every push (memory)
    merged: dict[tuple, tuple[list[Item], int | None]] = {}
    for _, key, items in heapq.merge(*(run.pushed for run in runs), key=_position):
        entry = merged.get(key)
        if entry is None:
            rules = key[0]
            only = None if not rules else rules[0]
            if rules and len(rules) != 1:  # not made by the engine's checks
                return None
            entry = merged[key] = ([], only)
        if type(items) is _Many:
            entry[0].extend(items.items)
        else:
            entry[0].append(items)
    by_priority = sorted(merged.items(), key=lambda kv: kv[0][1])  # stable: FIFO per priority
    return [(key, items, only) for key, (items, only) in by_priority]


def _positions_by_rule(
    rules_of_row: Sequence[tuple[int, ...]],
    rows: np.ndarray,
    repeated: np.ndarray | None,
    skip: Sequence[bool],
) -> dict[int, np.ndarray]:
    """Per rule, the positions in the pass of the rows it may concern (ascending); with
    ``repeated``, every rule not skipped also gets the positions of repeated files."""
    patterns: dict[int, tuple[tuple[int, ...], list[int]]] = {}  # by id: rows share tuples
    for p, row in enumerate(rows.tolist()):
        rules = rules_of_row[row]
        entry = patterns.get(id(rules))
        if entry is None:
            patterns[id(rules)] = (rules, [p])
        else:
            entry[1].append(p)
    by_rule: dict[int, list[int]] = {}
    merged: set[int] = set()  # rules whose positions come from more than one pattern
    for rules, at in patterns.values():
        for r in rules:
            found_at = by_rule.get(r)
            if found_at is None:
                by_rule[r] = list(at)
            else:
                found_at.extend(at)
                merged.add(r)
    if repeated is not None:
        again = np.flatnonzero(repeated).tolist()
        for r, done in enumerate(skip):
            if not done:
                merged.add(r)
                by_rule.setdefault(r, []).extend(again)
    # as arrays (a list of ints costs five times more while the pass runs)
    out = {}
    for r, at in by_rule.items():
        positions = np.array(at, dtype=np.int64)
        out[r] = np.unique(positions) if r in merged else positions
    return out


def _repeated(items: Sequence[Item]) -> np.ndarray | None:
    """Per position, whether its file was seen before in the pass (it may already be a
    member); None when no file is there twice."""
    names = [item.filename for item in items]
    if len(set(names)) == len(names):
        return None
    seen: set[str] = set()
    flags = np.zeros(len(names), dtype=bool)
    for p, name in enumerate(names):
        flags[p] = name in seen
        seen.add(name)
    return flags


def run_by_rule(
    rules: Sequence[CompiledRule],
    plans: Sequence[RulePlan],
    items: Sequence[Item],
    skip: Sequence[bool],
    version_id: str | None,
    counter: list[int],
    override: str | None = None,
    columns: PoolColumns | None = None,
    grouping: ColumnarPool | None = None,
    rules_of_row: Sequence[tuple[int, ...]] | None = None,
) -> list[AsnState] | None:
    """The associations of one pass, in the order the reference loop creates them.

    ``items`` are the pass's exposures in order; ``override`` the candidate
    pattern of a candidate pass (``.+(o001).+``); ``columns`` the pool's columns
    for the bound checks (:mod:`asnkit.engine.columns`); ``grouping`` the pool's
    columnar grouping (:mod:`asnkit.engine.columnar`), tried for each rule with at
    least :data:`GROUP_MIN_ROWS` exposures in the pass; ``rules_of_row`` the rules each pool
    row may concern (``possible | creatable`` of the plans, ascending), so a pass looks
    only at the rules its rows name. Returns None where the decomposition does not hold
    (see the module docstring); nothing is numbered then.
    """
    n_items = len(items)
    if not n_items:
        return []
    rows = np.fromiter((item.row for item in items), dtype=np.int64, count=n_items)
    repeated = _repeated(items)
    runs: list[_RuleRun] = []
    position = None  # pool row -> position in the pass
    by_rule = None
    if rules_of_row is not None:
        by_rule = _positions_by_rule(rules_of_row, rows, repeated, skip)
    for r, (cr, plan) in enumerate(zip(rules, plans, strict=True)):
        if skip[r]:
            continue  # it makes no association, so nothing can match one
        possible, creatable = plan.possible, plan.creatable
        if possible is None or creatable is None:
            positions = np.arange(n_items)
        elif by_rule is not None:
            positions = by_rule.get(r)
            if positions is None or not len(positions):
                continue
        else:
            wanted = possible[rows] | creatable[rows]
            if repeated is not None:
                wanted |= repeated
            positions = np.flatnonzero(wanted)
            if not len(positions):
                continue
        check = first = None
        if columns is not None:  # the rule's check, and a new association's first check
            check, first = columns.check(cr), fresh_check(columns, cr)
        run = _RuleRun(r, cr, plan, check, first)
        cand = None
        if override is not None:
            cand = (len(cr.nodes) - 1, (override, ("asn_candidate",), True, (), False))
        if (
            grouping is not None
            and len(positions) >= GROUP_MIN_ROWS
            and repeated is None
            and possible is not None
            and creatable is not None
            # an exposure that could join an association but not start one: order decides
            and not np.any(possible[rows] & ~creatable[rows])
        ):
            found = grouping.grouping(cr, rows, items[0].cand)
            if found is not None:
                if position is None:
                    position = np.empty(grouping.table.n, dtype=np.int64)
                    position[rows] = np.arange(n_items)
                if run.grouped(found.groups(), items, position, version_id, cand):
                    runs.append(run)
                    continue
        run.round0(items, positions, possible, creatable, version_id, cand)
        runs.append(run)
    lists = _lists(runs)
    if lists is None:
        return None
    for run in runs:
        run.pushed = _Pushed()  # (the lists hold their items now)
    list_rows = [
        np.fromiter((item.row for item in list_items), dtype=np.int64, count=len(list_items))
        for _, list_items, _ in lists
    ]
    for run in runs:
        if not run.index.count:
            continue
        for (_, list_items, only), rows_of in zip(lists, list_rows, strict=True):
            if only is None or only == run.rule:
                run.later(list_items, rows_of, run.plan.possible)
    for run in runs:  # what a remembered check remembers goes with the pass (engine.memo)
        forget = getattr(run.check, "forget", None)
        if forget is not None:
            forget()
    created = sorted(
        ((p, run.rule, asn) for run in runs for p, asn in run.created), key=lambda c: c[:2]
    )
    out = []
    for _, _, asn in created:
        counter[0] += 1
        asn.seq = counter[0]
        out.append(asn)
    return out
