"""A rule's check remembered per association: same state, same exposure values, same outcome.

Matching an exposure against an association evaluates the rule's constraint
tree on two things: the association's constraint states (``AsnState.st``) and
the exposure's values. Most conditions read nothing else -- attribute
constraints, and the computed conditions that declare the pool columns they
read (:attr:`asnkit.rules.condition.Condition.columns`) -- so when an
association meets an exposure whose values (in every column the rule can read,
and its candidate) equal those of the exposure it met last, with its states as
they were then, the check ends as it did: same outcome, same states after,
same reprocessing requests (of that exposure). The exposures of one
association are mostly alike in what the rule reads (a mosaic's dithers differ
in file name and exposure number), so most checks of an existing association
are a comparison instead of an evaluation.

A condition that reads the association beyond its states (whether it has
science, its members...) is *watched*: a check that called one is not
remembered. Rules with such a condition on every path to a match are not
remembered at all (:attr:`MemoPlan.useful`).

States are compared by value: the checks read them only through their values
(the one identity test, ``srcs is sources`` in
:func:`asnkit.engine.columns.bound_attr`, cannot be fooled by an equal tuple: a
pinned state's one column equals the node's sources only when the node has one
source, and then it is not asked).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import is_
from typing import Any

from asnkit.engine.reading import AsnReads, leaf_reading
from asnkit.engine.state import ProcessList
from asnkit.rules.model import Group, Reduce, Test

__all__ = ["MemoPlan", "remembered"]

Checker = Callable[[Any, Any], tuple[bool, Any]]
_NONE: tuple = ()

#: Checks remembered per association and states (by exposure values), at most.
KEEP = 8
#: Associations remembered per rule and pass, at most (memory: the exposures of an
#: association mostly come together).
SLOTS = 64
#: Checks that called a watched leaf, with none remembered, before a pass stops remembering.
GIVE_UP = 16


def _leaf_reads(node: Any, rule: Any) -> tuple[str, ...] | None:
    """The columns a leaf reads besides its state and the candidate, or None if it may
    read the association beyond its states (:func:`asnkit.engine.reading.leaf_reading`)."""
    if isinstance(node, Test) and node.source is None and node.force_unique:
        return None  # it would keep the exposure itself as its value
    found = leaf_reading(node, rule)
    if found is None or found.association > AsnReads.STATES:
        return None
    return found.columns


class MemoPlan:
    """What remembering a rule's checks needs: the leaves to watch, the columns read.

    Examples
    --------
    >>> from asnkit.engine.passes import compiled_rule
    >>> from asnkit.rules.custom import dms_rule
    >>> plan = MemoPlan(compiled_rule(dms_rule("Asn_Lv3Image"), 0, "candidate"))
    >>> plan.useful, sorted(plan.watched), plan.columns[:3]
    (True, [], ('program', 'instrume', 'is_imprt'))
    """

    def __init__(self, cr: Any) -> None:
        rule = cr.rule
        self.watched: set[int] = set()
        columns: dict[str, None] = {}
        for i in cr.iter_leaves():
            reads = _leaf_reads(cr.nodes[i], rule)
            if reads is None:
                self.watched.add(i)
            else:
                columns.update(dict.fromkeys(reads))
        self.columns = tuple(columns)
        # a watched leaf every check that matches reaches (through all-of groups from the
        # top): no match would ever be remembered
        self.useful = not self._on_every_match(cr, 0)

    def _on_every_match(self, cr: Any, i: int) -> bool:
        node = cr.nodes[i]
        if isinstance(node, Group):
            kids = cr.children[i]
            return node.reduce is Reduce.ALL and any(self._on_every_match(cr, k) for k in kids)
        return i in self.watched

    def watch(self, touched: list[bool]) -> Callable[[int, Checker], Checker]:
        """``compile_checkers``'s ``wrap``: watched leaves set ``touched[0]`` when called."""
        watched = self.watched

        def wrap(i: int, check: Checker) -> Checker:
            if i not in watched:
                return check

            def watched_check(asn: Any, item: Any) -> tuple[bool, Any]:
                touched[0] = True
                return check(asn, item)

            return watched_check

        return wrap


def _same(states: tuple, others: tuple) -> bool:
    """The very same state objects, node by node. Equal is not enough: -0.0 == 0.0 and
    1 == 1.0 == True, but a constraint's text writes them apart (a check makes a new
    state tuple only when something changes, so unchanged states are the same objects)."""
    return len(states) == len(others) and all(map(is_, states, others))


def remembered(check: Checker, touched: list[bool], lists: list[list[str]]) -> Checker:
    """``check`` (a rule's whole check, compiled with :meth:`MemoPlan.watch`), remembering
    per association the checks that called no watched leaf, by exposure values.

    ``lists``: the pool's lists of the columns the rule reads. A new association
    (no member yet) is checked once: not remembered. After :data:`GIVE_UP` checks
    that called a watched leaf and none remembered, the check is no longer
    remembered (for this pass). ``forget()`` (an attribute of the check returned)
    drops what it remembered (at the end of its pass: the associations keep the check).
    """
    # per association: its states when last checked, and what checks from those states
    # ended with, by exposure values (states change: then what was remembered goes)
    memo: dict[int, tuple[tuple, dict[tuple, tuple]]] = {}
    counts = [0, 0]  # checks remembered, checks that called a watched leaf

    def memo_check(asn: Any, item: Any) -> tuple[bool, Any]:
        if not asn.products:
            return check(asn, item)
        row = item.row
        sig = (item.cand, *[texts[row] for texts in lists])
        st = asn.st
        before = tuple(st)
        slot = memo.get(id(asn))
        if slot is not None and _same(slot[0], before):
            seen = slot[1]
            entry = seen.get(sig)
            if entry is not None:
                counts[0] += 1
                after, match, template = entry
                if after is not None:
                    st[:] = after
                if not template:
                    return match, _NONE
                return match, [ProcessList([item], *fields) for fields in template]
        elif counts[1] >= GIVE_UP and not counts[0]:
            return check(asn, item)
        else:
            seen = {}
            if slot is None and len(memo) >= SLOTS:
                del memo[next(iter(memo))]  # the association remembered first
            memo[id(asn)] = (before, seen)
        touched[0] = False
        match, reprocess = check(asn, item)
        if touched[0]:
            counts[1] += 1
            return match, reprocess
        template = []
        for process_list in reprocess:
            items = process_list.items
            if len(items) != 1 or items[0] is not item:
                return match, reprocess  # requests for other exposures (multi-valued columns)
            template.append(
                (process_list.rules, process_list.work_over, process_list.only_on_match)
            )
        if len(seen) >= KEEP:
            seen.clear()
        after = tuple(st)
        seen[sig] = (None if _same(after, before) else after, match, tuple(template))
        return match, reprocess

    memo_check.forget = memo.clear  # type: ignore[attr-defined]
    return memo_check
