"""One generation pass: exposures through a queue of process lists.

This reproduces the reference generator's processing order (jwst 3.0.0
``generator.generate``): every exposure is matched against the existing
associations of the allowed rules, then may create new ones; exposures sent
back for reprocessing wait in a queue sorted by :class:`WorkOver` priority,
lists with the same (rules, category, only-on-match) merged.

Speed comes from not looking where nothing can match: for each rule a
vectorised pre-check (:mod:`asnkit.engine.prefilter`) says which rows can ever
pass its fixed conditions, and existing associations are looked up by the
values they pinned (:class:`AsnIndex`) instead of scanned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asnkit.engine.state import AsnState, CompiledRule, Item, ProcessList
from asnkit.rules.model import WorkOver

__all__ = ["AsnIndex", "Pass", "run_pass"]


class _Queue:
    """Process lists by priority, FIFO inside a priority, equal keys merged."""

    def __init__(self) -> None:
        self.queues: list[dict[tuple, ProcessList]] = [{} for _ in WorkOver]

    def push(self, process_list: ProcessList) -> None:
        queue = self.queues[process_list.work_over]
        key = process_list.key
        existing = queue.get(key)
        if existing is None:
            queue[key] = process_list
        else:
            existing.items.extend(process_list.items)

    def pop(self) -> ProcessList | None:
        for queue in self.queues:
            if queue:
                key = next(iter(queue))
                return queue.pop(key)
        return None


def _workover_filter(process_list: ProcessList, current: WorkOver) -> ProcessList | None:
    active = (WorkOver.RULES, WorkOver.BOTH)
    if process_list.work_over in active:
        if current in active:
            process_list.work_over = WorkOver.BOTH
            return process_list
        return None
    if current not in active:
        return None
    return process_list


class AsnIndex:
    """Existing associations of one rule, found by filename and by pinned values."""

    def __init__(self, cr: CompiledRule, key_nodes: Sequence[tuple[int, str]]) -> None:
        self.cr = cr
        self.key_nodes = tuple(key_nodes)
        self.by_key: dict[tuple, list[AsnState]] = {}
        self.by_file: dict[str, list[AsnState]] = {}
        self.all: list[AsnState] = []

    def key_of_item(self, item: Item) -> tuple | None:
        cols = item.table.cols
        out = []
        for _, column in self.key_nodes:
            values = cols.get(column)
            if values is None:
                return None
            out.append(values[item.row])
        return tuple(out)

    def add(self, asn: AsnState, item: Item) -> None:
        self.all.append(asn)
        if self.key_nodes:
            key = self.key_of_item(item)
            self.by_key.setdefault(key, []).append(asn)

    def note_file(self, asn: AsnState, filename: str) -> None:
        lst = self.by_file.setdefault(filename, [])
        if not lst or lst[-1] is not asn:
            lst.append(asn)

    def candidates(self, item: Item, can_match: bool) -> list[AsnState]:
        """Associations the item may match, in creation order."""
        members = self.by_file.get(item.filename, ())
        if not can_match:
            return list(members)
        if self.key_nodes:
            key = self.key_of_item(item)
            found = self.by_key.get(key, []) if key is not None else []
        else:
            found = self.all
        if not members:
            return found
        merged = {id(a): a for a in found}
        for a in members:
            merged.setdefault(id(a), a)
        return sorted(merged.values(), key=lambda a: a.seq)


class Pass:
    """State of one generation pass (one candidate sub-pool, or discovery)."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        possible: Sequence[Any],
        key_nodes: Sequence[Sequence[tuple[int, str]]],
        version_id: str | None,
        counter: list[int],
    ) -> None:
        self.rules = list(rules)
        self.possible = possible  # per rule: a boolean array over pool rows (or None: all)
        self.indexes = [AsnIndex(cr, keys) for cr, keys in zip(rules, key_nodes, strict=True)]
        self.version_id = version_id
        self.counter = counter
        self.associations: list[AsnState] = []
        self.all_rules = tuple(range(len(rules)))
        self.override: str | None = None  # candidate pattern of a candidate pass

    def _can(self, r: int, item: Item) -> bool:
        mask = self.possible[r]
        return True if mask is None else bool(mask[item.row])

    def _add_to(self, r: int, asn: AsnState, item: Item) -> tuple[bool, list]:
        before = len(asn.filenames)
        match, reprocess = asn.add(item)
        if len(asn.filenames) != before:
            self.indexes[r].note_file(asn, item.filename)
        return match, reprocess

    def process_item(self, item: Item, process_list: ProcessList) -> list[ProcessList]:
        allowed = process_list.rules if process_list.rules else self.all_rules
        work_over = process_list.work_over
        reprocess: list[ProcessList] = []
        matched_rules: set[int] = set()
        if work_over in (WorkOver.BOTH, WorkOver.EXISTING, WorkOver.NONSCIENCE):
            for r in allowed:
                index = self.indexes[r]
                if not index.all:
                    continue
                for asn in index.candidates(item, self._can(r, item)):
                    match, more = self._add_to(r, asn, item)
                    reprocess.extend(more)
                    if match:
                        matched_rules.add(r)
        if work_over in (WorkOver.BOTH, WorkOver.RULES):
            for r in sorted(allowed):
                if r in matched_rules or not self._can(r, item):
                    continue
                cr = self.rules[r]
                self.counter[0] += 1
                override = None
                if self.override is not None:
                    node = len(cr.nodes) - 1
                    override = (node, (self.override, ("asn_candidate",), True, (), False))
                asn = AsnState(cr, self.counter[0], self.version_id, override)
                match, more = self._add_to(r, asn, item)
                reprocess.extend(more)
                if match:
                    self.associations.append(asn)
                    self.indexes[r].add(asn, item)
        return reprocess


def run_pass(generation: Pass, items: list[Item]) -> list[AsnState]:
    """Process the items (and everything they send back) to the end of the queue."""
    queue = _Queue()
    queue.push(ProcessList(list(items), generation.all_rules, WorkOver.BOTH))
    while True:
        process_list = queue.pop()
        if process_list is None:
            break
        for item in process_list.items:
            for next_list in generation.process_item(item, process_list):
                kept = _workover_filter(next_list, process_list.work_over)
                if kept is not None:
                    queue.push(kept)
    return generation.associations
