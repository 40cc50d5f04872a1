"""Matching and discovery: exposures through a queue of process lists, per candidate.

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

import dataclasses
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from asnkit.engine.columnar import ColumnarPool
from asnkit.engine.columns import PoolColumns
from asnkit.engine.index import AsnIndex, RulePlan
from asnkit.engine.prefilter import FAIL, Route, StaticEval, routes
from asnkit.engine.rulewise import run_by_rule
from asnkit.engine.state import AsnState, CompiledRule, ProcessList, meets
from asnkit.engine.table import Item, Table, rows_by_candidate
from asnkit.rules.model import Attr, Group, Reduce, Rule, WorkOver

__all__ = [
    "CANDIDATE_PREFIX",
    "DISCOVER_PREFIX",
    "FAST_PATH",
    "FAST_PATH_MIN_ROWS",
    "PRECHECK_MIN_ROWS",
    "AsnIndex",
    "Matcher",
    "Pass",
    "RulePlan",
    "candidate_rule",
    "compiled_rule",
    "rules_per_row",
    "run_pass",
]

CANDIDATE_PREFIX = "candidate"
DISCOVER_PREFIX = "discover"


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


def rules_per_row(masks: Sequence[np.ndarray | None], n: int) -> list[tuple[int, ...]]:
    """For each row, the rules (indices, ascending) whose mask is true there.

    Rows are grouped by their pattern of rules through one integer key per row (a bit
    per rule; ``np.unique(axis=0)`` on the boolean matrix costs seconds at 100k rows);
    rows with the same pattern share one tuple.
    """
    if not masks:
        return [()] * n
    if n == 0:
        return []
    if len(masks) > 64:  # more rules than bits in a key: the rows' packed bytes as keys
        matrix = np.vstack([np.ones(n, dtype=bool) if m is None else m for m in masks]).T
        packed = np.ascontiguousarray(np.packbits(matrix, axis=1))
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
        firsts, inverse = np.unique(keys, return_index=True, return_inverse=True)[1:]
        tuples = [tuple(int(r) for r in np.flatnonzero(matrix[row])) for row in firsts]
        return [tuples[k] for k in np.asarray(inverse).reshape(-1)]
    key = np.zeros(n, dtype=np.uint64)
    for r, mask in enumerate(masks):
        bit = np.uint64(1) << np.uint64(r)
        if mask is None:
            key |= bit
        else:
            key |= mask.astype(np.uint64) * bit
    uniques, inverse = np.unique(key, return_inverse=True)
    patterns = np.empty(len(uniques), dtype=object)
    for k, value in enumerate(uniques.tolist()):
        patterns[k] = tuple(r for r in range(len(masks)) if value >> r & 1)
    return patterns[np.asarray(inverse).reshape(-1)].tolist()


class Pass:
    """State of one generation pass (one candidate sub-pool, or discovery)."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        plans: Sequence[RulePlan],
        version_id: str | None,
        counter: list[int],
        skip: Sequence[bool],
        possible_rules: Sequence[tuple[int, ...]],
        creatable_rules: Sequence[tuple[int, ...]],
    ) -> None:
        self.rules = list(rules)
        self.plans = list(plans)
        self.indexes = [AsnIndex(plan) for plan in plans]
        self.version_id = version_id
        self.counter = counter
        self.made = 0  # associations tried in this pass (kept or not)
        self.associations: list[AsnState] = []
        self.all_rules = tuple(range(len(rules)))
        self.skip = list(skip)
        self.possible_rules = possible_rules
        self.creatable_rules = creatable_rules
        self.file_rules: dict[str, set[int]] = {}
        self.override: str | None = None  # candidate pattern of a candidate pass

    def _add_to(self, r: int, asn: AsnState, item: Item) -> tuple[bool, list]:
        before = len(asn.filenames)
        match, reprocess = asn.add(item)
        if len(asn.filenames) != before:
            self.indexes[r].note_file(asn, item.filename)
            self.file_rules.setdefault(item.filename, set()).add(r)
        if match and asn.products:
            self.indexes[r].update(asn)
        return match, reprocess

    def _existing(self, r: int, item: Item, can: bool, out: list, matched: set[int]) -> None:
        index = self.indexes[r]
        if not index.count:
            return
        for asn in index.candidates(item, can):
            match, more = self._add_to(r, asn, item)
            if more:
                out.extend(more)
            if match:
                matched.add(r)

    def process_item(self, item: Item, process_list: ProcessList) -> list[ProcessList]:
        allowed = process_list.rules
        if allowed and len(allowed) == len(self.all_rules):
            allowed = None
        allowed_set = set(allowed) if allowed else None
        work_over = process_list.work_over
        reprocess: list[ProcessList] = []
        matched_rules: set[int] = set()
        row = item.row
        if work_over in (WorkOver.BOTH, WorkOver.EXISTING, WorkOver.NONSCIENCE):
            possible = self.possible_rules[row]
            for r in possible:
                if allowed_set is None or r in allowed_set:
                    self._existing(r, item, True, reprocess, matched_rules)
            members_of = self.file_rules.get(item.filename)
            if members_of:
                for r in sorted(members_of.difference(possible)):
                    if allowed_set is None or r in allowed_set:
                        self._existing(r, item, False, reprocess, matched_rules)
        if work_over in (WorkOver.BOTH, WorkOver.RULES):
            for r in self.creatable_rules[row]:
                if r in matched_rules or self.skip[r]:
                    continue
                if allowed_set is not None and r not in allowed_set:
                    continue
                cr = self.rules[r]
                self.made += 1  # a key while the pass runs; numbered when it ends
                override = None
                if self.override is not None:
                    override = (
                        len(cr.nodes) - 1,
                        (self.override, ("asn_candidate",), True, (), False),
                    )
                asn = AsnState(cr, self.made, self.version_id, override)
                match, more = self._add_to(r, asn, item)
                if more:
                    reprocess.extend(more)
                if match:
                    self.associations.append(asn)
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
    counter = generation.counter  # numbered across passes, those kept only (as run_by_rule)
    for asn in generation.associations:
        counter[0] += 1
        asn.seq = counter[0]
    return generation.associations


#: Below this many rows, checking every exposure against every rule (no pre-checks, no
#: index; the same associations) is cheaper than computing the pre-checks (~40 ms a call).
PRECHECK_MIN_ROWS = 32

#: Passes run one rule at a time (:mod:`asnkit.engine.rulewise`), attribute checks read the
#: pool's column lists (:mod:`asnkit.engine.columns`) and rules that reduce to grouping are
#: grouped (:mod:`asnkit.engine.columnar`). False: the reference loop, exposure by exposure,
#: with the plain checks (the same record; ``tests/test_fast_path.py`` compares them).
FAST_PATH = True

#: The fast path from this many pool rows on: below, binding the checks to the pool's
#: columns costs more than it saves (a 4-row pool: 22 ms a call against 12 ms by the
#: reference loop; the shared pools up to 170 rows: 1.2 to 2.7x slower).
FAST_PATH_MIN_ROWS = 500


class _Same:
    """A rule as a cache key: by identity (equal rules may differ in what they name)."""

    __slots__ = ("rule",)

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __hash__(self) -> int:
        return id(self.rule)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.rule is self.rule


@lru_cache(maxsize=1024)
def _compiled(rule: _Same, index: int, prefix: str) -> CompiledRule:
    base = rule.rule
    return CompiledRule(candidate_rule(base) if prefix == CANDIDATE_PREFIX else base, index, prefix)


def compiled_rule(rule: Rule, index: int, prefix: str) -> CompiledRule:
    """The rule compiled for a pass (nodes numbered, checks built), once per process.

    ``prefix`` is ``candidate`` (the rule with the candidate constraint) or
    ``discover``. Compiled rules hold no pool and no state, so every run shares them.
    """
    return _compiled(_Same(rule), index, prefix)


def candidate_rule(rule: Rule) -> Rule:
    """The rule with the candidate constraint of candidate passes (``asn_candidate``, the acid)."""
    cand = Attr(("asn_candidate",), name="asn_candidate", evaluate=True, is_acid=True)
    top = rule.constraints
    return dataclasses.replace(
        rule, constraints=dataclasses.replace(top, children=(*top.children, cand))
    )


def _plans(
    compiled: Sequence[CompiledRule],
    fresh_rules: Sequence[CompiledRule],
    static: StaticEval,
    shortcuts: bool = True,
    discovery: bool = False,
) -> list[RulePlan]:
    """Each rule's pre-checks over the pool; equal masks are one array (``Table.share``)."""
    shared = static.table.share
    plans = []
    for cr, base in zip(compiled, fresh_rules, strict=True):
        if not shortcuts:  # every exposure meets every association of every rule
            plans.append(RulePlan(cr, None, None, None, [Route((), (), ())]))
            continue
        root = base.rule.constraints
        possible = static.outcome(root, None, discovery) != FAIL
        creatable = static.outcome(root, AsnState(base, 0, None), discovery) != FAIL
        anys, route_list = routes(cr)
        route_of_row = None
        if anys:
            # small integer types: routes are few (at most 3 any-of nodes, a few branches each)
            kind = np.int64 if len(route_list) > 2**31 else np.int32
            route_of_row = np.zeros(static.n, dtype=kind)  # made smaller once filled
            for a in anys:
                # the branch a row can take (1-based) where it can take only one, else 0
                branches = cr.children[a]
                small = np.int8 if len(branches) < 127 else kind
                count = np.zeros(static.n, dtype=small)
                which = np.zeros(static.n, dtype=small)
                for k, b in enumerate(branches):
                    can = static.outcome(cr.nodes[b], None, discovery) != FAIL
                    count += can
                    which += can * small(k + 1)
                choice = which * (count == 1)
                route_of_row = route_of_row * kind(len(branches) + 1) + choice
        if route_of_row is not None:
            route_of_row = shared(route_of_row.astype(np.min_scalar_type(len(route_list))))
        plans.append(RulePlan(cr, shared(possible), shared(creatable), route_of_row, route_list))
    return plans


def _candidate_patterns(cr: CompiledRule) -> list[Any]:
    """Fixed patterns of ``asn_candidate`` conditions every exposure must pass.

    Reached from the top through all-of groups only; in a candidate pass every
    exposure carries the same candidate text, so one failing pattern means the
    rule makes nothing in that pass.
    """
    out: list[Any] = []
    todo = [0]  # depth first, children in order (a stack, not a recursive closure: no cycle)
    while todo:
        i = todo.pop()
        node = cr.nodes[i]
        if isinstance(node, Group):
            if node.reduce is Reduce.ALL and not node.reprocess_on_fail:
                todo.extend(reversed(cr.children[i]))
        elif (
            isinstance(node, Attr)
            and node.sources == ("asn_candidate",)
            and node.required
            and not node.force_undefined
            and not node.evaluate
            and node.onlyif is None
            and isinstance(node.value, (str, tuple))
        ):
            out.append(node.value)
    return out


def candidate_override(cr: CompiledRule, cid: str) -> tuple[int, tuple]:
    """The state of a candidate rule's candidate constraint in a pass over candidate ``cid``.

    (The reference rewrites that constraint's value to ``.+(cid).+``.)
    """
    return (len(cr.nodes) - 1, (f".+({cid}).+", ("asn_candidate",), True, (), False))


def candidate_items(table: Table, rows: Sequence[int], cid: str, ctype: str) -> list[Item]:
    """The exposures of a candidate pass: their ``asn_candidate`` is the candidate alone."""
    rewritten = f"[('{cid}', '{ctype}')]"
    return [Item(table, row, rewritten) for row in rows]


class Matcher:
    """The matching stage: the associations the rules form per candidate, and by discovery.

    One object per pool and rule set: it compiles the rules twice (with the
    candidate constraint for candidate passes, without for discovery), runs the
    vectorised pre-checks (:mod:`asnkit.engine.prefilter`) once, and skips the
    rules that can keep no association of a candidate's type
    (:meth:`asnkit.rules.Rule.keeps_candidate_type`). ``shortcuts=False`` turns
    all of that off: every exposure meets every association of every rule, as in
    the reference (much slower, the same associations).

    Associations are numbered in the order they are made (``AsnState.seq``),
    across passes: a pass is a stage a faster implementation may replace, as
    long as it forms the same associations, numbered in the same order.
    """

    def __init__(
        self, table: Table, rules: Sequence[Rule], version_id: str | None, *, shortcuts: bool = True
    ) -> None:
        self.shortcuts = shortcuts
        self.table = table
        self.rules = list(rules)
        self.version_id = version_id
        self.counter = [0]
        self.cand_rules = [compiled_rule(r, i, CANDIDATE_PREFIX) for i, r in enumerate(rules)]
        self.disc_rules = [compiled_rule(r, i, DISCOVER_PREFIX) for i, r in enumerate(rules)]
        static = StaticEval(table)
        # on small pools the pre-checks cost more than they save (PRECHECK_MIN_ROWS)
        prechecks = shortcuts and table.n >= PRECHECK_MIN_ROWS
        self.cand_plans = _plans(self.cand_rules, self.disc_rules, static, prechecks)
        self.disc_plans = _plans(self.disc_rules, self.disc_rules, static, prechecks, True)
        self._rows_by_cid = rows_by_candidate(table.column("asn_candidate"))
        self._per_row: dict[Any, Any] = {}
        self.fast = (
            shortcuts
            and FAST_PATH
            and table.n >= FAST_PATH_MIN_ROWS
            and not table.ends_with_newline()  # exact texts would differ from "^...$"
        )
        self.columns = PoolColumns(table) if self.fast else None
        self.grouping = (
            ColumnarPool(table, static, self.columns) if self.fast and prechecks else None
        )
        if self.grouping is not None:  # the rules a grouping refuses, told while the
            for cr in (*self.cand_rules, *self.disc_rules):  # pre-checks' outcomes are at
                self.grouping.undecided(cr)  # hand (a refusal then reads no outcome)
        static.forget()  # the plans hold what matching needs: the rest is recomputed if asked
        self._on_candidate = [_candidate_patterns(cr) for cr in self.cand_rules]

    def forget(self) -> None:
        """Let go of what matching made for this pool (its checks, with their cycles)."""
        if self.columns is not None:
            self.columns.forget()

    def _rules_per_row(self, discovery: bool) -> tuple[list, list]:
        """For the reference loop: the rules each row can match, and create (per plan set)."""
        hit = self._per_row.get(discovery)
        if hit is None:
            plans = self.disc_plans if discovery else self.cand_plans
            n = self.table.n
            hit = self._per_row[discovery] = (
                rules_per_row([p.possible for p in plans], n),
                rules_per_row([p.creatable for p in plans], n),
            )
        return hit

    def _wanted(self, discovery: bool) -> list[tuple[int, ...]] | None:
        """For the fast path: the rules each row may concern (it can match or create)."""
        hit = self._per_row.get(("wanted", discovery))
        if hit is None:
            plans = self.disc_plans if discovery else self.cand_plans
            if any(p.possible is None or p.creatable is None for p in plans):
                return None
            masks = [p.possible | p.creatable for p in plans]
            hit = self._per_row[("wanted", discovery)] = rules_per_row(masks, self.table.n)
        return hit

    def skipped(self, kind: str, text: str | None = None) -> list[bool]:
        """Rules that can keep no association of this candidate type (``discovered``: discovery).

        ``text``: the candidate text of a candidate pass; rules whose must-pass
        conditions on ``asn_candidate`` reject it make no association either.
        """
        if not self.shortcuts:
            return [False] * len(self.rules)
        skip = [not rule.keeps_candidate_type(kind) for rule in self.rules]
        if text is not None:
            for r, patterns in enumerate(self._on_candidate):
                if patterns and not skip[r]:
                    skip[r] = not all(meets(text, pattern) for pattern in patterns)
        return skip

    def size(self, cid: str) -> int:
        """How many pool rows the candidate has (those :meth:`candidate` matches)."""
        return len(self._rows_by_cid(cid))

    def candidate(self, cid: str, ctype: str) -> list[AsnState]:
        """The associations formed over the exposures of one candidate, in creation order."""
        rows = self._rows_by_cid(cid)
        if not rows:
            return []
        items = candidate_items(self.table, rows, cid, ctype)
        skip = self.skipped(ctype, items[0].cand)
        if self.fast:
            found = run_by_rule(
                self.cand_rules,
                self.cand_plans,
                items,
                skip,
                self.version_id,
                self.counter,
                f".+({cid}).+",
                self.columns,
                self.grouping,
                self._wanted(False),
            )
            if found is not None:
                return found
        generation = Pass(
            self.cand_rules,
            self.cand_plans,
            self.version_id,
            self.counter,
            skip,
            *self._rules_per_row(False),
        )
        generation.override = f".+({cid}).+"
        return run_pass(generation, items)

    def discover(self) -> list[AsnState]:
        """The associations formed across the whole pool (``a3001``), in creation order."""
        items = [Item(self.table, row) for row in range(self.table.n)]
        skip = self.skipped("discovered")
        if self.fast:
            found = run_by_rule(
                self.disc_rules,
                self.disc_plans,
                items,
                skip,
                self.version_id,
                self.counter,
                columns=self.columns,
                grouping=self.grouping,
                rules_of_row=self._wanted(True),
            )
            if found is not None:
                return found
        generation = Pass(
            self.disc_rules,
            self.disc_plans,
            self.version_id,
            self.counter,
            skip,
            *self._rules_per_row(True),
        )
        return run_pass(generation, items)
