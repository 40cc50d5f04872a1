"""What a constraint reads besides its own state, from what its conditions declare.

One definition for the engine's remembered checks (:mod:`asnkit.engine.fresh`,
:mod:`asnkit.engine.memo`): an attribute reads its columns, and what its computed
pattern and ``onlyif`` read; a test what its source and test read
(:meth:`asnkit.rules.Condition.reading`, :func:`asnkit.rules.condition.reading`).
Each user of it decides what it can remember from that.
"""

from __future__ import annotations

from typing import Any

from asnkit.rules.condition import AsnReads, Reading, reading
from asnkit.rules.model import Attr, Test

__all__ = ["AsnReads", "Reading", "leaf_reading"]


def leaf_reading(node: Any, rule: Any) -> Reading | None:
    """What an attribute or test constraint of ``rule`` reads, or None if not known
    (a condition that does not say). (A test without source reads the exposure
    through its test; if it pins, its value is the exposure itself.)

    >>> from asnkit.rules import attr
    >>> leaf_reading(attr("filter", "band"), None).columns
    ('filter', 'band')
    """
    if isinstance(node, Attr):
        parts = [Reading(node.sources)]
        if callable(node.value):
            parts.append(reading(node.value, rule))
        if node.onlyif is not None:
            parts.append(reading(node.onlyif, rule))
    elif isinstance(node, Test):
        parts = [reading(fn, rule) for fn in (node.source, node.test) if fn is not None]
    else:
        return None
    columns: dict[str, None] = {}
    association = AsnReads.NOTHING
    names: list[str] | None = []
    for part in parts:
        if part is None:
            return None
        columns.update(dict.fromkeys(part.columns))
        association = max(association, part.association)
        if names is not None:
            names = None if part.names is None else [*names, *part.names]
    return Reading(tuple(columns), association, None if names is None else tuple(names))
