"""Reasons in words: the condition that rejected an exposure, why an association was dropped.

* :func:`failure` walks a rule checked on one exposure
  (:func:`asnkit.engine.trial.trial`) to the condition that rejected it: the
  first failing child of an all-of, the alternative of an any-of that came
  closest, the matching child of a none-of; conditions computed by objects
  (:mod:`asnkit.rules.predicates`) say it in their own words;
* :func:`dropped_reason` and :func:`duplicate_reason` say why finalize dropped
  or pruned an association, from the facts the run recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asnkit.dms.values import EMPTY
from asnkit.engine.record import Fate, Formation, Output
from asnkit.engine.trial import NodeResult
from asnkit.rules.model import Attr, Finalize, Reduce, Rule, Test
from asnkit.rules.predicates import describe

__all__ = ["Failure", "dropped_reason", "duplicate_reason", "failure", "validity_failure"]


@dataclass(frozen=True)
class Failure:
    """The condition that rejected an exposure: in words, and as column, value, required."""

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


def _required_text(result: NodeResult) -> str | None:
    """What an attribute requires; a computed pattern names the condition computing it."""
    value = result.node.value
    if callable(value):
        name = describe(value)
        return f"{result.required} ({name})" if result.required is not None else name
    return result.required


#: ``value(column)``: the exposure's value in a pool column as the pool has it (None:
#: missing; KeyError: the pool has no such column).
ValueOf = Callable[[str], Any]


def _pool_value(value_of: ValueOf, column: str | None, text: str | None) -> Any:
    """The exposure's value as the pool has it (original case); None when missing."""
    if text is None or column is None:
        return None
    try:
        return value_of(column)
    except KeyError:  # a column the engine made (asn_candidate of an old pool)
        return None if text in EMPTY else text


def failure(result: NodeResult, value_of: ValueOf) -> Failure:
    """The condition that made ``result`` (a rule checked on one exposure) fail.

    ``value_of(column)`` gives the exposure's values as the pool has them.
    """
    node = result.node
    if isinstance(node, Attr):
        return _attr_failed(result, value_of)
    if isinstance(node, Test):
        return _test_failed(result)
    kids = [k for k in result.children if k.passed is not None]
    if node.reduce is Reduce.ALL:
        for kid in kids:
            if not kid.passed:
                return failure(kid, value_of)
    elif node.reduce is Reduce.ANY and kids:
        return _any_failed(kids, value_of)
    elif node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
        for kid in kids:
            if kid.passed:
                return _excluded(kid, value_of)
    return Failure(f"{node.name or node.reduce.value} does not match")


def _any_failed(kids: list[NodeResult], value_of: ValueOf) -> Failure:
    """The alternative that came closest; alternatives failing on the same column merged."""
    top = max(k.leaves_passed for k in kids)
    failures = [failure(k, value_of) for k in kids if k.leaves_passed == top]
    first = failures[0]
    same = [f for f in failures if f.column == first.column and f.required]
    if len(same) < 2 or first.value is None:
        return first
    required = " or ".join(dict.fromkeys(str(f.required) for f in same))
    text = f"{first.column} is {first.value!r}, needs " + " or ".join(
        repr(_short(str(f.required))) for f in dict.fromkeys(same)
    )
    return Failure(text, first.column, first.value, required)


def _attr_failed(result: NodeResult, value_of: ValueOf) -> Failure:
    node = result.node
    column = result.column
    value = _pool_value(value_of, column, result.value)
    required = _required_text(result)
    if value is None:
        shown = "a value" if required is None else repr(_short(required))
        return Failure(f"{column} has no value, needs {shown}", column, None, required or "a value")
    if node.force_undefined:
        return Failure(f"{column} is {value!r}, must have no value", column, value, "no value")
    required = required or ""
    special = getattr(node.value, "failure", None)
    text = special(required, value) if callable(special) else None
    if text is not None:
        return Failure(text, column, value, required)
    if column == "asn_candidate" and "direct_image" in required:
        text = f"asn_candidate is {value!r}, needs a direct_image candidate (cNNNN)"
        return Failure(text, column, value, required)
    return Failure(f"{column} is {value!r}, needs {_short(required)!r}", column, value, required)


def _test_failed(result: NodeResult) -> Failure:
    node = result.node
    label = node.name or describe(node.test or node.source or "test")
    if node.source is not None and node.test is None:
        got = result.got
        what = getattr(node.source, "label", "") or label
        return Failure(f"{what} is {got!r}, needs {node.value!r}", label, got, repr(node.value))
    if node.test is not None:
        special = getattr(node.test, "failure", None)
        text = special(node.value) if callable(special) else None
        if text is not None:
            return Failure(text, label)
        return Failure(f"{describe(node.test)} is false for this exposure", label)
    return Failure(f"{label} does not match", label)


def _excluded(result: NodeResult, value_of: ValueOf) -> Failure:
    node = result.node
    if isinstance(node, Attr):
        column = result.column
        value = _pool_value(value_of, column, result.value)
        pattern = "any value" if node.value is None else (_required_text(result) or "")
        return Failure(
            f"{column} is {value!r}, which is excluded ({_short(pattern)})",
            column,
            value,
            f"not {pattern}",
        )
    if isinstance(node, Test):
        label = node.name or describe(node.test or node.source or "test")
        return Failure(f"{label} holds, which is excluded", label)
    if node.name:
        return Failure(f"{node.name} holds, which is excluded", node.name)
    for kid in result.children:
        if kid.passed:
            return _excluded(kid, value_of)
    return Failure("an excluded condition holds")


# --------------------------------------------------------------------------- finalize


def validity_failure(check: Any) -> str:
    """Why a validity check fails, in its own words, and its name."""
    special = getattr(check, "failure", None)
    text = special() if callable(special) else None
    return f"{text or 'validity check failed'} ({describe(check)})"


def dropped_reason(formation: Formation, rule: Rule) -> str:
    """Why finalize dropped an association (the facts the run recorded)."""
    if formation.candidate is None:
        what = "a discovered association"
    else:
        what = f"candidate {formation.candidate[0]} ({formation.candidate[1]})"
    if formation.fate is Fate.SINGLE_OBSERVATION:
        observations = ", ".join(formation.observations) or "none"
        return (
            f"it is {what} whose exposures come from one observation only "
            f"(obs_num {observations}); needs >= 2"
        )
    if formation.fate is Fate.INVALID and formation.failed:
        return f"it is {what}; " + "; ".join(validity_failure(c) for c in formation.failed)
    if rule.finalize is Finalize.WFSS:
        return "a WFSS association needs both science and a direct image"
    return f"it is {what}; not valid after the {rule.finalize.value} finalize step"


def _membership(output: Output) -> frozenset:
    return frozenset((name, role) for _, role, name in output.members)


def duplicate_reason(output: Output) -> str:
    """Which kept association a pruned one duplicates."""
    kept = output.duplicate_of
    if kept is None:
        return "a duplicate"
    if _membership(kept) == _membership(output):
        return f"same members as {kept.filename}"
    return f"same product {output.product} as {kept.filename}"
