"""Evaluate a rule's conditions on one exposure and name the first that fails.

:class:`Trace` is a fresh association of one rule with only the exposure in
it: every constraint node is checked by the engine's own compiled checker (so
values are read, pinned and compared exactly as in generation) and its result
recorded; :meth:`Trace.failure` then walks the tree to the condition that
rejected the exposure: the first failing child of an all-of, the alternative
of an any-of that came closest, the matching child of a none-of. Used by
:mod:`asnkit.generation.explain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from asnkit.dms.values import EMPTY
from asnkit.engine.state import AsnState, CompiledRule, Item
from asnkit.rules.model import Attr, Group, Reduce, Test, callable_name

__all__ = ["Failure", "Trace"]


@dataclass(frozen=True)
class Failure:
    text: str
    column: str | None = None
    value: Any = None
    required: str | None = None


def _short(text: str, width: int = 60) -> str:
    """Long alternatives cut at a ``|`` boundary: ``'a|b|...'``."""
    if len(text) <= width:
        return text
    out = ""
    for part in text.split("|"):
        if out and len(out) + len(part) + 5 > width:
            return out + "|..."
        out = f"{out}|{part}" if out else part
    return out[: width - 3] + "..."


def _pattern_text(value: Any, state: AsnState) -> str:
    if callable(value):
        try:
            computed = value(state)
        except (KeyError, TypeError, ValueError):
            computed = None
        name = callable_name(value)
        return f"{computed} ({name})" if computed is not None else name
    if isinstance(value, tuple):
        return "|".join(str(v) for v in value)
    return str(value)


class Trace(AsnState):
    """A fresh association state that records the result of every constraint node."""

    def __init__(self, cr: CompiledRule, override: Any, item: Item, pool: pd.DataFrame, row: int):
        super().__init__(cr, 0, None, override)
        self.results: dict[int, bool] = {}
        self.item = item
        self.pool = pool
        self.row = row
        self.matched = self._evaluate(0, item)
        self.met = sum(
            1 for i, ok in self.results.items() if ok and not isinstance(cr.nodes[i], Group)
        )

    def _evaluate(self, i: int, item: Item) -> bool:
        """Evaluate node ``i`` as the engine does, recording every node's result.

        Leaves are checked by the engine itself (so values are read and pinned
        exactly as in generation); groups combine them here: all-of stops at
        the first failure, any-of at the first match, none-of / not-all negate.
        """
        node = self.cr.nodes[i]
        if isinstance(node, Group):
            kids = self.cr.children[i]
            if node.reduce in (Reduce.ALL, Reduce.NOT_ALL):
                ok = bool(kids) and all(self._evaluate(k, item) for k in kids)
            else:
                ok = any(self._evaluate(k, item) for k in kids)
            if node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
                ok = not ok
        else:
            ok = self._leaf(i, node, item)
        self.results[i] = ok
        return ok

    def _leaf(self, i: int, node: Attr | Test, item: Item) -> bool:
        return bool(self.cr.checkers[i](self, item)[0])  # the engine's own check of node i

    # ------------------------------------------------------------------ reading values
    def _value(self, column: str) -> Any:
        """The exposure's value as the pool has it (original case), None if missing."""
        if column in self.pool.columns:
            value = self.pool[column].iloc[self.row]
            return None if pd.isna(value) else value
        value = self.item.get(column)
        return None if value is None or value in EMPTY else value

    def _source(self, node: Attr) -> tuple[str, Any]:
        for column in node.sources:
            value = self.item.get(column)
            if value is not None and value not in EMPTY:
                return column, self._value(column)
        return node.sources[0], None

    def _score(self, i: int) -> int:
        if not isinstance(self.cr.nodes[i], Group):
            return int(self.results.get(i, False))
        return sum(self._score(k) for k in self.cr.children[i])

    # ------------------------------------------------------------------ explaining
    def failure(self) -> Failure:
        return self._failed(0)

    def _failed(self, i: int) -> Failure:
        node = self.cr.nodes[i]
        if isinstance(node, Attr):
            return self._attr_failed(i, node)
        if isinstance(node, Test):
            return self._test_failed(i, node)
        kids = [k for k in self.cr.children[i] if k in self.results]
        if node.reduce is Reduce.ALL:
            for k in kids:
                if not self.results[k]:
                    return self._failed(k)
        elif node.reduce is Reduce.ANY and kids:
            return self._any_failed(kids)
        elif node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
            for k in kids:
                if self.results[k]:
                    return self._excluded(k)
        return Failure(f"{node.name or node.reduce.value} does not match")

    def _any_failed(self, kids: list[int]) -> Failure:
        """The alternative that came closest; alternatives failing on the same column merged."""
        top = max(self._score(k) for k in kids)
        failures = [self._failed(k) for k in kids if self._score(k) == top]
        first = failures[0]
        same = [f for f in failures if f.column == first.column and f.required]
        if len(same) < 2 or first.value is None:
            return first
        required = " or ".join(dict.fromkeys(str(f.required) for f in same))
        text = f"{first.column} is {first.value!r}, needs " + " or ".join(
            repr(_short(str(f.required))) for f in dict.fromkeys(same)
        )
        return Failure(text, first.column, first.value, required)

    def _attr_failed(self, i: int, node: Attr) -> Failure:
        column, value = self._source(node)
        state_value = self.st[i][0]
        if value is None:
            if state_value is None:
                required, shown = "a value", "a value"
            else:
                required = _pattern_text(state_value, self)
                shown = repr(_short(required))
            return Failure(f"{column} has no value, needs {shown}", column, None, required)
        if node.force_undefined:
            return Failure(f"{column} is {value!r}, must have no value", column, value, "no value")
        required = _pattern_text(node.value if node.value is not None else state_value, self)
        if callable(node.value) and callable_name(node.value) == "acq_obsnum_pattern":
            text = (
                f"{column} is {value!r}: a target acquisition joins only an association "
                "with science from its observation"
            )
            return Failure(text, column, value, required)
        if column == "asn_candidate" and "direct_image" in required:
            text = f"asn_candidate is {value!r}, needs a direct_image candidate (cNNNN)"
            return Failure(text, column, value, required)
        text = f"{column} is {value!r}, needs {_short(required)!r}"
        return Failure(text, column, value, required)

    def _test_failed(self, i: int, node: Test) -> Failure:
        label = node.name or callable_name(node.test or node.source or "test")
        if node.source is not None and node.test is None:
            try:
                got = node.source(self.item, self)
            except (KeyError, LookupError, TypeError, ValueError):
                got = None
            what = "role" if callable_name(node.source) == "exposure_type_of_item" else label
            return Failure(f"{what} is {got!r}, needs {node.value!r}", label, got, repr(node.value))
        if node.test is not None:
            if callable_name(node.test) == "always_false":
                return Failure("the rule makes no association of its own (always_false)", label)
            return Failure(f"{callable_name(node.test)} is false for this exposure", label)
        return Failure(f"{label} does not match", label)

    def _excluded(self, i: int) -> Failure:
        node = self.cr.nodes[i]
        if isinstance(node, Attr):
            column, value = self._source(node)
            pattern = "any value" if node.value is None else _pattern_text(node.value, self)
            return Failure(
                f"{column} is {value!r}, which is excluded ({_short(pattern)})",
                column,
                value,
                f"not {pattern}",
            )
        if isinstance(node, Test):
            label = node.name or callable_name(node.test or node.source or "test")
            return Failure(f"{label} holds, which is excluded", label)
        if node.name:
            return Failure(f"{node.name} holds, which is excluded", node.name)
        for k in self.cr.children[i]:
            if self.results.get(k):
                return self._excluded(k)
        return Failure("an excluded condition holds")
