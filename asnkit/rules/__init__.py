"""Association rules as data: the rule model and the DMS rule sets.

A rule is a frozen :class:`Rule` holding a tree of constraints built with the
factories :func:`attr` (a pool column must match or agree), :func:`test` (a
computed condition), :func:`all_of`, :func:`any_of`, :func:`none_of` and
:func:`not_all`; the engine (:func:`asnkit.generate`, :func:`asnkit.apply_rules`)
applies any list of rules.

The DMS rule sets of jwst 3.0.0: :func:`dms_level3` (22 rules),
:func:`dms_level2b` (22 rules) and :func:`dms_rules` (both, in the order the
reference registry tries them). Helpers for writing rules: :mod:`asnkit.dms`
(EXP_TYPE tables, valid optical paths), :mod:`asnkit.rules.predicates` (member
roles and computed conditions, as objects that explain themselves; their base in
:mod:`asnkit.rules.condition`, the member roles in :mod:`asnkit.rules.roles`),
:mod:`asnkit.rules.naming` (product names), :mod:`asnkit.rules.custom` (rules in a
few lines, rules derived from DMS rules).

Examples
--------
>>> from asnkit.rules import dms_level3
>>> image = [r for r in dms_level3() if r.name == "Asn_Lv3Image"][0]
>>> image
Rule('Asn_Lv3Image', level=3, asn_type='image3')
>>> print(image.describe().splitlines()[0])
Asn_Lv3Image (Level 3, asn_type image3, finalize multi_obs)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from asnkit.errors import AssociationError, AssociationTypeError
from asnkit.lazy import lazy_getattr

if TYPE_CHECKING:
    from asnkit.rules.model import Rule

# The rule classes and the DMS rules are imported on first use, so that what only needs
# RULE_SETS (the command line's choices: ``asnkit --version`` builds the parser) stays cheap.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Attr",
            "DirectImage",
            "Finalize",
            "Group",
            "Reduce",
            "Rule",
            "Test",
            "WorkOver",
            "all_of",
            "any_of",
            "attr",
            "none_of",
            "not_all",
            "test",
        ),
        "asnkit.rules.model",
    ),
    "dms_level2b": "asnkit.rules.level2b",
    "dms_level3": "asnkit.rules.level3",
}

__all__ = [
    "RULE_SETS",
    "Attr",
    "DirectImage",
    "Finalize",
    "Group",
    "Reduce",
    "Rule",
    "Test",
    "WorkOver",
    "all_of",
    "any_of",
    "as_rules",
    "attr",
    "dms_level2b",
    "dms_level3",
    "dms_rules",
    "none_of",
    "not_all",
    "rule_set",
    "test",
]

#: Names of the DMS rule sets (:func:`rule_set`), as the command line takes them.
RULE_SETS = ("level2", "level3", "all")


def dms_rules() -> tuple[Rule, ...]:
    """The DMS rules, Level 2b then Level 3, in the reference registry's order."""
    from asnkit.rules.level2b import dms_level2b
    from asnkit.rules.level3 import dms_level3

    return tuple(dms_level2b()) + tuple(dms_level3())


def rule_set(name: str) -> tuple[Rule, ...]:
    """A DMS rule set by name: ``level2`` (Level 2b), ``level3`` or ``all`` (both).

    >>> len(rule_set("level3")), len(rule_set("all"))
    (22, 44)
    """
    from asnkit.rules.level2b import dms_level2b
    from asnkit.rules.level3 import dms_level3

    sets = {"level2": dms_level2b, "level3": dms_level3, "all": dms_rules}
    if name not in sets:
        raise AssociationError(f"no rule set {name!r}; one of: {', '.join(RULE_SETS)}")
    return tuple(sets[name]())


def as_rules(rules: Rule | str | Iterable[Rule], *, argument: str = "rules") -> list[Rule]:
    """The list of rules a caller means: a list as given, one rule, or a rule-set name.

    Parameters
    ----------
    rules : Rule, str or iterable of Rule
        Rules; a single :class:`Rule` is a list of one, a string names a DMS
        rule set (:data:`RULE_SETS`, see :func:`rule_set`).
    argument : str
        The argument's name, for the error message.

    Raises
    ------
    asnkit.AssociationError (a ValueError)
        A string that names no rule set.
    asnkit.errors.AssociationTypeError (a TypeError)
        Something that is not a rule (the message says which item).

    Examples
    --------
    >>> from asnkit.rules import dms_level3
    >>> len(as_rules("level3")), as_rules(dms_level3()[0])
    (22, [Rule('Asn_Lv3ACQ_Reprocess', level=3, asn_type='None')])
    >>> as_rules(["Asn_Lv3Image"])
    Traceback (most recent call last):
    ...
    asnkit.errors.AssociationTypeError: rules[0] is a str ('Asn_Lv3Image'), not a Rule; ...
    """
    from asnkit.rules.model import Rule

    if isinstance(rules, Rule):
        return [rules]
    if isinstance(rules, str):
        if rules.lower() in RULE_SETS:
            return list(rule_set(rules.lower()))
        raise AssociationError(
            f"{argument}={rules!r}: not a rule set (one of: {', '.join(RULE_SETS)}); "
            "pass a list of rules"
        )
    if not isinstance(rules, Iterable):
        raise AssociationTypeError(
            f"{argument} must be a list of rules, not {type(rules).__name__}"
        )
    out = list(rules)
    for index, item in enumerate(out):
        if not isinstance(item, Rule):
            raise AssociationTypeError(
                f"{argument}[{index}] is a {type(item).__name__} ({item!r:.60}), not a Rule; "
                "use asnkit.rules.custom.dms_rule(name) for a DMS rule by name"
            )
    return out


__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
