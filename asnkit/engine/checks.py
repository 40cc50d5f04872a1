"""Constraint evaluation, compiled once per rule into small closures.

Each node of a rule's tree becomes a function ``check(asn, item) -> (matched,
reprocess)`` bound to its node number and options, so checking an exposure is a
few direct calls instead of an interpretation of the tree. The semantics are
those of the reference generator (jwst 3.0.0 ``lib/constraint.py``):

* an attribute constraint reads the first column with a valid value; with no
  value it fails if required; a pinned (``force_unique``) value is the escaped
  text of the first value found; a computed value is evaluated on the
  association;
* all-of fails at the first failure without reprocessing, keeping only the
  first failure's reprocessing requests otherwise; any-of stops at the first
  match; none-of / not-all negate;
* values change in place; the caller restores them when the whole check fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from asnkit.dms.values import EMPTY
from asnkit.dms.values import evaluate as read_literal
from asnkit.rules.model import Attr, Group, Reduce, Test

__all__ = ["Checker", "all_of", "compile_checkers"]

Checker = Callable[[Any, Any], tuple[bool, Any]]
_NONE: tuple = ()


def _iterable(value: Any) -> bool:
    return not isinstance(value, (str, tuple)) and hasattr(value, "__iter__")


def _multivalue(item: Any, source: str, values: list) -> Any:
    """The exposure once per value of a multi-valued column (``asn_candidate``)."""
    from asnkit.engine.state import ProcessList
    from asnkit.engine.table import Item

    if source != "asn_candidate":  # only asn_candidate is ever multi-valued in DMS rules
        raise NotImplementedError(f"multi-valued column {source!r}")
    return ProcessList([Item(item.table, item.row, str(v)) for v in values])


def _joined(to: list) -> Any:
    """The reprocessing requests of a group: its children's lists, as one list."""
    if len(to) == 1:
        return to[0]
    return [pl for group in to for pl in group]


def all_of(kids: Sequence[Checker], asn: Any, item: Any) -> tuple[bool, Any]:
    """All-of over ``kids``, not negated, no reprocessing of its own (``combine`` and
    ``check`` in one call): it fails at the first failure without reprocessing
    (the rest is not checked), keeps the first failure's requests otherwise, and
    the matches' requests as one list when all match."""
    negative = None
    to = None
    all_match = True
    for kid in kids:
        match, reprocess = kid(asn, item)
        if match:
            if all_match and reprocess:
                if to is None:
                    to = [reprocess]
                else:
                    to.append(reprocess)
        else:
            all_match = False
            if not reprocess:
                return False, _NONE
            if negative is None:
                negative = reprocess
    if not all_match:
        return False, negative
    return True, _NONE if to is None else _joined(to)


def _plain_all(kids: list[Checker]) -> Checker:
    """:func:`all_of` over these kids, as a checker (no Python frame of its own)."""
    return partial(all_of, kids)


def _plain_any(kids: list[Checker]) -> Checker:
    """Any-of, not negated, no reprocessing of its own: ``combine`` and ``check`` in one call."""

    def check(asn: Any, item: Any) -> tuple[bool, Any]:
        to = None
        for kid in kids:
            match, reprocess = kid(asn, item)
            if match:
                return True, reprocess if reprocess else _NONE
            if reprocess:
                if to is None:
                    to = [reprocess]
                else:
                    to.append(reprocess)
        return False, _NONE if to is None else _joined(to)

    return check


def compile_checkers(
    cr: Any, pool: Any = None, wrap: Callable[[int, Checker], Checker] | None = None
) -> list[Checker]:
    """One checker per node of the compiled rule (same numbering).

    ``pool``: a :class:`~asnkit.engine.columns.PoolColumns`; attributes then read
    its precomputed column lists (:func:`~asnkit.engine.columns.bound_attr`).
    ``wrap(i, check)``: the check of leaf ``i`` as the groups call it
    (:meth:`asnkit.engine.memo.MemoPlan.watch`).
    """
    from asnkit.engine.columns import bindable, bound_attr
    from asnkit.engine.state import ProcessList, meets, meets_cached

    checkers: list[Checker | None] = [None] * len(cr.nodes)

    def attr_checker(i: int, node: Attr) -> Checker:
        onlyif = node.onlyif
        force_reprocess = node.force_reprocess
        only_on_match = node.only_on_match
        required = node.required and not node.force_undefined
        force_undefined = node.force_undefined
        evaluate = node.evaluate
        escape = re.escape

        def check(asn: Any, item: Any) -> tuple[bool, Any]:
            st = asn.st
            value, sources, force_unique, found, matched = st[i]
            # states are shared tuples: a new one only when something changes
            if onlyif is not None and not onlyif(item, asn):
                if matched is not True:
                    st[i] = (value, sources, force_unique, found, True)
                if force_reprocess is not None:
                    return True, [ProcessList([item], None, force_reprocess, only_on_match)]
                return True, _NONE
            cols = item.table.cols
            row = item.row
            cand = item.cand
            source = None
            for column in sources:
                if cand is not None and column == "asn_candidate":
                    v = cand
                else:
                    col = cols.get(column)
                    if col is None:
                        continue
                    v = col[row]
                if v in EMPTY:
                    continue
                source = column
                break
            if source is None:
                ok = not required
                if matched is not ok:
                    st[i] = (value, sources, force_unique, found, ok)
                return ok, _NONE
            if force_undefined:
                if matched is not False:
                    st[i] = (value, sources, force_unique, found, False)
                return False, _NONE
            reprocess: Any = _NONE
            if evaluate:
                evaled: Any = read_literal(v)
                if value is None:
                    if _iterable(evaled):
                        st[i] = (value, sources, force_unique, found, False)
                        return False, [_multivalue(item, source, list(evaled))]
                    text = str(evaled)
                else:
                    pattern = value(asn) if callable(value) else value
                    values = evaled if _iterable(evaled) else [evaled]
                    for candidate in values:
                        text = str(candidate)
                        if meets(text, pattern):
                            break
                    else:
                        if matched is not False:
                            st[i] = (value, sources, force_unique, found, False)
                        return False, _NONE
                    others = [x for x in values if x != candidate]
                    if others:
                        reprocess = [_multivalue(item, source, others)]
            else:
                text = v
                if value is not None:
                    pattern = value(asn) if callable(value) else value
                    if not meets_cached(item.table.matches, text, pattern):
                        if matched is not False:
                            st[i] = (value, sources, force_unique, found, False)
                        return False, _NONE
            escaped_cache = item.table.escaped
            escaped = escaped_cache.get(text)
            if escaped is None:
                escaped = escaped_cache[text] = escape(text)
            changed = matched is not True
            if escaped not in found:
                found = (*found, escaped)
                changed = True
            if force_unique:
                value, sources, force_unique = escaped, (source,), False
                changed = True
            if changed:
                st[i] = (value, sources, force_unique, found, True)
            if force_reprocess is not None:
                more = ProcessList([item], None, force_reprocess, only_on_match)
                reprocess = [*reprocess, more]
            return True, reprocess

        return check

    def test_checker(i: int, node: Test) -> Checker:
        source_fn = node.source
        test_fn = node.test
        reprocess_on_match = node.reprocess_on_match
        reprocess_on_fail = node.reprocess_on_fail
        work_over = node.work_over
        rules = None if node.reprocess_rules is None else ()

        def check(asn: Any, item: Any) -> tuple[bool, Any]:
            st = asn.st
            value, force_unique, found, matched = st[i]
            source_value = item if source_fn is None else source_fn(item, asn)
            if value is None:
                satisfied = True
            elif test_fn is None:
                satisfied = value == source_value
            else:
                satisfied = test_fn(value, source_value, asn)
            if satisfied:
                new = source_value if force_unique else value
                new_found = found if new in found else (*found, new)
                if new is not value or new_found is not found or matched is not True:
                    st[i] = (new, force_unique, new_found, True)
            elif matched is not False:
                st[i] = (value, force_unique, found, False)
            if (satisfied and reprocess_on_match) or (not satisfied and reprocess_on_fail):
                return satisfied, [ProcessList([item], rules, work_over)]
            return satisfied, _NONE

        return check

    def group_checker(i: int, node: Group) -> Checker:
        kids = [build(k) for k in cr.children[i]]  # noqa: F821 (deleted after use, below)
        reduce = node.reduce
        negate = reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL)
        reprocess_on_match = node.reprocess_on_match
        reprocess_on_fail = node.reprocess_on_fail
        work_over = node.work_over
        flagged = reprocess_on_match or reprocess_on_fail

        if reduce in (Reduce.ALL, Reduce.NOT_ALL):

            def combine(asn: Any, item: Any) -> tuple[bool, list]:
                if not kids:
                    return False, []
                all_match = True
                negative = None
                to: list = []
                for kid in kids:
                    match, reprocess = kid(asn, item)
                    if match:
                        if all_match and reprocess:
                            to.append(reprocess)
                    else:
                        all_match = False
                        if not reprocess:
                            return False, []
                        if negative is None:
                            negative = reprocess
                if not all_match:
                    return False, [negative]
                return True, to

        else:

            def combine(asn: Any, item: Any) -> tuple[bool, list]:
                to: list = []
                for kid in kids:
                    match, reprocess = kid(asn, item)
                    if match:
                        return True, [reprocess] if reprocess else []
                    if reprocess:
                        to.append(reprocess)
                return False, to

        if not negate and not flagged and kids:
            flat = flattened(i, reduce)  # noqa: F821 (deleted after use, below)
            return _plain_all(flat) if reduce is Reduce.ALL else _plain_any(flat)

        def check(asn: Any, item: Any) -> tuple[bool, Any]:
            matched, to = combine(asn, item)
            if negate:
                matched = not matched
            if flagged and (
                (matched and reprocess_on_match) or (not matched and reprocess_on_fail)
            ):
                to = [*to, [ProcessList([item], None, work_over)]]
            return matched, _joined(to) if to else _NONE

        return check

    def flattened(i: int, reduce: Reduce) -> list[Checker]:
        """The checks of a plain all-of (any-of) node, with the plain all-of (any-of)
        groups among its children replaced by their own children: the same outcome and
        the same reprocessing lists, in the same order (fewer calls)."""
        out: list[Checker] = []
        for k in cr.children[i]:
            node = cr.nodes[k]
            if (
                isinstance(node, Group)
                and node.reduce is reduce
                and not node.reprocess_on_match
                and not node.reprocess_on_fail
                and cr.children[k]
            ):
                out.extend(flattened(k, reduce))  # noqa: F821 (deleted after use, below)
            else:
                out.append(build(k))  # noqa: F821 (deleted after use, below)
        return out

    def build(i: int) -> Checker:
        checker = checkers[i]
        if checker is None:
            node = cr.nodes[i]
            if isinstance(node, Attr):
                if pool is not None and bindable(node):
                    checker = bound_attr(i, node, pool)
                else:
                    checker = attr_checker(i, node)
            elif isinstance(node, Test):
                checker = test_checker(i, node)
            else:
                checker = group_checker(i, node)
            if wrap is not None and not isinstance(node, Group):
                checker = wrap(i, checker)
            checkers[i] = checker
        return checker

    for i in range(len(cr.nodes)):
        build(i)
    # build and flattened call themselves and each other through this scope: a reference
    # cycle that would keep them, and through them every checker, until the cyclic
    # garbage collector finds it
    del build, flattened
    return checkers  # type: ignore[return-value]
