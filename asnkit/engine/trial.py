"""A rule's conditions checked on one exposure alone: which hold, which fail, with what values.

:func:`trial` starts a fresh association of the rule (of one candidate, or
discovered) and checks the exposure against every condition with the engine's
own checks, so values are read, pinned and compared exactly as in generation.
The answer is a :class:`NodeResult` tree shaped like the rule's constraints:
explanations (:mod:`asnkit.generation.explain`) read it to name the condition
that rejected the exposure.

Examples
--------
>>> import asnkit
>>> from asnkit.engine.pipeline import run_engine
>>> from asnkit.rules.custom import dms_rule
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> record = run_engine(pool, [dms_rule("Asn_Lv3AMI")])
>>> result = trial(record, 0, 0)
>>> result.passed, [(r.column, r.value, r.required) for r in result.failed_leaves()][:1]
(False, [('exp_type', 'mir_image', 'nis_ami')])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asnkit.dms.values import EMPTY
from asnkit.engine.passes import candidate_items, candidate_override
from asnkit.engine.record import Record
from asnkit.engine.state import AsnState
from asnkit.engine.table import Item
from asnkit.rules.model import Attr, Group, Reduce, Test

__all__ = ["NodeResult", "trial"]


@dataclass(frozen=True, repr=False)
class NodeResult:
    """One constraint node checked on the exposure.

    ``passed`` is None for a node not checked (an all-of stops at the first
    failure, an any-of at the first match; its children are then not listed). For
    attributes: ``column`` read,
    ``value`` found there (lower-case text, None: no value), ``required`` (the
    pattern, or the value the association pinned, or computed by the node's
    condition; None: any value). For tests: ``got``, what the source computed.
    """

    node: Any
    passed: bool | None
    children: tuple[NodeResult, ...] = ()
    column: str | None = None
    value: str | None = None
    required: str | None = None
    got: Any = None
    #: How many conditions (leaves) under this node hold.
    leaves_passed: int = 0

    def __repr__(self) -> str:
        return f"NodeResult({self.node!r}, passed={self.passed})"

    def failed_leaves(self) -> list[NodeResult]:
        """The leaves checked and failed, in tree order."""
        if not isinstance(self.node, Group):
            return [self] if self.passed is False else []
        return [leaf for child in self.children for leaf in child.failed_leaves()]


def _required(value: Any, state: AsnState) -> str | None:
    if value is None:
        return None
    if callable(value):
        try:
            return str(value(state))
        except (KeyError, TypeError, ValueError):
            return None
    if isinstance(value, tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def trial(
    record: Record, rule: int, row: int, candidate: tuple[str, str] | None = None
) -> NodeResult:
    """Check pool row ``row`` alone against rule ``rule`` of the record (a fresh association).

    ``candidate``: ``(id, type)`` to check it as an exposure of that candidate
    (the rule's candidate constraint included), else as discovery does.
    """
    cand_rules, disc_rules = record.compiled
    if candidate is None:
        cr = disc_rules[rule]
        state = AsnState(cr, 0, None)
        item = Item(record.table, row)
    else:
        cr = cand_rules[rule]
        cid, ctype = candidate
        state = AsnState(cr, 0, None, candidate_override(cr, cid))
        (item,) = candidate_items(record.table, [row], cid, ctype)
    results: dict[int, bool] = {}

    def evaluate(i: int) -> bool:
        node = cr.nodes[i]
        if isinstance(node, Group):
            kids = cr.children[i]
            if node.reduce in (Reduce.ALL, Reduce.NOT_ALL):
                ok = bool(kids) and all(evaluate(k) for k in kids)
            else:
                ok = any(evaluate(k) for k in kids)
            if node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
                ok = not ok
        else:
            ok = bool(cr.checkers[i](state, item)[0])  # the engine's own check of node i
        results[i] = ok
        return ok

    evaluate(0)

    def build(i: int) -> NodeResult:
        node = cr.nodes[i]
        passed = results.get(i)
        if isinstance(node, Group):
            if passed is None:
                return NodeResult(node, None)
            kids = tuple(build(k) for k in cr.children[i])
            return NodeResult(node, passed, kids, leaves_passed=sum(k.leaves_passed for k in kids))
        if isinstance(node, Attr):
            column, value = node.sources[0], None
            for source in node.sources:
                text = item.get(source)
                if text is not None and text not in EMPTY:
                    column, value = source, text
                    break
            pinned = state.st[i][0]
            required = _required(node.value if node.value is not None else pinned, state)
            return NodeResult(
                node,
                passed,
                column=column,
                value=value,
                required=required,
                leaves_passed=int(bool(passed)),
            )
        got = None
        if isinstance(node, Test) and node.source is not None:
            try:
                got = node.source(item, state)
            except (KeyError, LookupError, TypeError, ValueError):
                got = None
        return NodeResult(node, passed, got=got, leaves_passed=int(bool(passed)))

    return build(0)
