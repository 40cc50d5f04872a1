"""The first check of a new association, remembered per distinct exposure values.

Every exposure that cannot join an existing association is checked against a
new one of the rule (:meth:`asnkit.engine.rulewise._RuleRun.round0`): the state
checked is always the rule's initial state, so the outcome depends only on what
the check reads of the exposure. Most exposures of a pool share those values
(the same program, instrument, filter...), so :class:`FreshCheck` checks each
distinct combination once and replays the outcome: the states the nodes end
in, the role the association last computed (``original_exposure_type``), and
the reprocessing requests (new lists, holding the exposure itself).

A candidate pass's rule ends with the candidate constraint (the acid, whose
pattern is the pass's candidate): it is checked live after the replayed part,
so one memory serves every candidate of the pool.

Only checks whose reads are known are remembered (:func:`item_reads`):
attribute columns, conditions that declare their columns
(:attr:`asnkit.rules.Condition.columns`), the association-only ones, and the
member roles of :mod:`asnkit.rules.roles`. Anything else is checked as usual.
``tests/test_fast_path.py`` compares the result with the reference loop, which
checks every exposure in full.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from asnkit.engine.columns import PoolColumns
from asnkit.engine.state import AsnState, CompiledRule, ProcessList
from asnkit.engine.table import Item, Table
from asnkit.rules import predicates as p
from asnkit.rules.model import Attr, Group, Reduce, Test

__all__ = ["FreshCheck", "fresh_check", "item_reads"]

Checker = Callable[[Any, Any], tuple[bool, Any]]
_NONE: tuple = ()
_LIVE = object()  # a combination whose requests hold other exposures: checked every time
_STOP = object()  # the replayed part fails, with nothing to reprocess (the last is not checked)

#: Member roles (``Rule.exposure_type``) and what they read of the exposure besides
#: its own role: the association's state only.
_ROLES = frozenset(
    type(role)
    for role in (
        p.exposure_type_level3,
        p.exposure_type_aux,
        p.exposure_type_level2,
        p.exposure_type_level2_special,
        p.exposure_type_level2_wfss,
        p.exposure_type_level2_lrs_nod,
    )
)
#: Conditions that read no column of the exposure (the association at most).
_NO_COLUMNS = frozenset(
    type(c)
    for c in (
        p.has_science_now,
        p.original_type_of_asn,
        p.false_source,
        p.value_differs,
        p.always_false,
        p.true,
        p.asn_not_background_candidate,
    )
)
#: ``Attr.value`` conditions: patterns computed from the association alone.
_PATTERNS = frozenset(type(c) for c in (p.acq_obsnum_pattern, p.not_patt_num_pattern))


def _role_reads(role: Any) -> tuple[str, ...] | None:
    if type(role) not in _ROLES:
        return None
    own = p.exposure_type_of_item.columns
    return None if own is None else (*own, "exp_type")


def _reads(fn: Any, cr: CompiledRule) -> tuple[str, ...] | None:
    """The exposure columns a condition reads (None: not known)."""
    kind = type(fn)
    if kind is type(p.is_science_exposure):
        return _role_reads(cr.rule.exposure_type)
    if kind in _NO_COLUMNS:
        return ()
    columns = getattr(fn, "columns", None)
    if columns is not None:
        return tuple(columns)
    if getattr(fn, "state_only", False):
        return ()
    return None


def item_reads(cr: CompiledRule, nodes: Sequence[int]) -> tuple[str, ...] | None:
    """The pool columns the checks of ``nodes`` (and their subtrees) can read of an
    exposure, or None if some condition's reads are not known."""
    out: dict[str, None] = {}
    stack = list(nodes)
    while stack:
        i = stack.pop()
        node = cr.nodes[i]
        if isinstance(node, Group):
            stack.extend(cr.children[i])
            continue
        parts: list[tuple[str, ...] | None] = []
        if isinstance(node, Attr):
            if node.evaluate:
                return None
            parts.append(node.sources)
            if node.onlyif is not None:
                parts.append(_reads(node.onlyif, cr))
            if callable(node.value) and type(node.value) not in _PATTERNS:
                return None
        elif isinstance(node, Test):
            if node.source is None:  # the test reads the exposure itself
                parts.append(() if node.test is None else _reads(node.test, cr))
            else:
                parts.append(_reads(node.source, cr))
                if node.test is not None:
                    parts.append(_reads(node.test, cr))
        else:
            return None
        for columns in parts:
            if columns is None:
                return None
            out.update(dict.fromkeys(columns))
    return tuple(out)


class FreshCheck:
    """The whole check of a rule on a new association, remembered per exposure values.

    Call it like a checker, on an association's first check only (its state is
    the rule's initial one, with the pass's candidate in the last node).
    """

    __slots__ = ("cand", "end", "head", "kids", "last", "lists", "memo")

    def __init__(
        self,
        cr: CompiledRule,
        checkers: Sequence[Checker],
        table: Table,
        head: list[int],
        last: int | None,
        reads: tuple[str, ...],
    ) -> None:
        self.kids = [checkers[k] for k in head]
        self.last = None if last is None else checkers[last]
        self.end = len(cr.nodes) if last is None else last  # states the replayed part sets
        columns = [table.column(c) for c in reads]
        self.lists = [c for c in columns if c is not None]
        self.cand = "asn_candidate" in reads
        self.head = head
        self.memo: dict[tuple, Any] = {}

    def __call__(self, asn: AsnState, item: Item) -> tuple[bool, Any]:
        row = item.row
        key = tuple([values[row] for values in self.lists])
        if self.cand:
            key = (item.cand, key)
        entry = self.memo.get(key)
        if entry is None:
            return self._record(asn, item, key)
        if entry is _LIVE:
            return self._all(asn, item, None, None)
        states, role, results = entry
        asn.st[: self.end] = states
        asn.original_exposure_type = role
        if results is None:  # every replayed condition held, with nothing to reprocess
            if self.last is None:
                return True, _NONE
            match, reprocess = self.last(asn, item)
            return match, reprocess if reprocess else _NONE
        if results is _STOP:
            return False, _NONE
        return self._all(asn, item, [_requests(r, item) for r in results], None)

    def _record(self, asn: AsnState, item: Item, key: tuple) -> tuple[bool, Any]:
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
        results: Any = tuple(specs)
        if all(match and not spec for match, spec in specs) and len(specs) == len(self.kids):
            results = None
        elif specs and not specs[-1][0] and not specs[-1][1]:
            results = _STOP  # a condition failed with nothing to reprocess: no more checked
        self.memo[key] = (tuple(asn.st[: self.end]), asn.original_exposure_type, results)
        return out

    def _all(
        self,
        asn: AsnState,
        item: Item,
        results: list[tuple[bool, Any]] | None,
        got: list[tuple[bool, Any]] | None,
    ) -> tuple[bool, Any]:
        """All-of over the root's children (``checks._plain_all``): the replayed ones'
        ``results`` (or checked live, and put in ``got`` if given), then the last."""
        negative = None
        to = None
        all_match = True
        n = len(self.kids)
        for k in range(n + (self.last is not None)):
            if k == n:
                match, reprocess = self.last(asn, item)  # type: ignore[misc]
            elif results is not None:
                match, reprocess = results[k]
            else:
                match, reprocess = self.kids[k](asn, item)
                if got is not None:
                    got.append((match, reprocess))
            if match:
                if all_match and reprocess:
                    if to is None:
                        to = [reprocess]
                    else:
                        to.append(reprocess)
            else:
                all_match = False
                if not reprocess:  # the rest is not checked (nor replayed)
                    return False, _NONE
                if negative is None:
                    negative = reprocess
        if not all_match:
            return False, negative
        if to is None:
            return True, _NONE
        return True, to[0] if len(to) == 1 else [pl for group in to for pl in group]


def _requests(result: tuple[bool, tuple], item: Item) -> tuple[bool, Any]:
    match, spec = result
    if not spec:
        return match, _NONE
    return match, [ProcessList([item], rules, work_over, only) for rules, work_over, only in spec]


def _by_name(cr: CompiledRule) -> set[str]:
    """The constraint names the rule's conditions look values up by."""
    names = {"obs_num", "is_current_patt_num"}  # the patterns and roles that read one
    for node in cr.nodes[1:]:
        if isinstance(node, Attr) and type(node.value) in _PATTERNS:
            names.add(getattr(node.value, "constraint", "obs_num"))
    return names


def fresh_check(columns: PoolColumns, cr: CompiledRule) -> FreshCheck | None:
    """The :class:`FreshCheck` of the rule over the pool of ``columns`` (made once per pool
    and rule, with the rule's bound checks), or None when it cannot be remembered (the
    root is not a plain all-of, or what a condition reads is not known)."""
    hit = columns.fresh.get(id(cr))
    if hit is None or hit[0] is not cr:
        hit = columns.fresh[id(cr)] = (cr, _fresh_check(cr, columns.checkers(cr), columns.table))
    return hit[1]


def _fresh_check(cr: CompiledRule, checkers: Sequence[Checker], table: Table) -> FreshCheck | None:
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
        if cr.nodes[last].name in _by_name(cr):
            return None
    reads = item_reads(cr, kids)
    if reads is None or (last is not None and "asn_candidate" in reads):
        return None  # (a condition on the pass's candidate text: no two passes alike)
    return FreshCheck(cr, checkers, table, kids, last, reads)
