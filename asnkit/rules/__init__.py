"""Association rules as data: the rule model and the DMS rule sets."""

from __future__ import annotations

from asnkit.rules.level2b import dms_level2b
from asnkit.rules.level3 import dms_level3
from asnkit.rules.model import (
    Attr,
    Finalize,
    Group,
    Reduce,
    Rule,
    Test,
    WorkOver,
    all_of,
    any_of,
    attr,
    none_of,
    not_all,
    test,
)

__all__ = [
    "Attr",
    "Finalize",
    "Group",
    "Reduce",
    "Rule",
    "Test",
    "WorkOver",
    "all_of",
    "any_of",
    "attr",
    "dms_level2b",
    "dms_level3",
    "dms_rules",
    "none_of",
    "not_all",
    "test",
]


def dms_rules() -> tuple[Rule, ...]:
    """The DMS rules, Level 2b then Level 3, in the reference registry's order."""
    return tuple(dms_level2b()) + tuple(dms_level3())
