"""Rewriting a rule's constraint tree: conditions ignored, conditions added.

:func:`~asnkit.rules.custom.derive` builds a new rule from a DMS rule with these:
:func:`strip_conditions` turns the conditions on some columns into stand-ins that
never reject an exposure (attributes still collect the values, so product names
show them all); :func:`add_to_rule_branch` adds conditions where the DMS wrapper
keeps the rule's own ones; :func:`leaf_keys` lists what a tree has conditions on.

Examples
--------
>>> from asnkit.rules.custom import dms_rule
>>> image = dms_rule("Asn_Lv3Image").constraints
>>> {"target", "targetid", "opt_elem"} <= leaf_keys(image)
True
>>> loose = strip_conditions(image, frozenset({"target"}))
>>> loose == image, leaf_keys(loose) == leaf_keys(image)  # same shape and names
(False, True)
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from asnkit.rules import predicates as p
from asnkit.rules.model import Attr, Group, Node, Reduce, Test

__all__ = ["add_to_rule_branch", "ignored", "leaf_keys", "strip_conditions"]

#: Source of the conditions :func:`derive` ignores: always empty text.
ignored = p.Constant("ignored", "a condition this rule ignores", columns=(), value="")


def _passing(node: Attr | Test) -> Node:
    """A stand-in that always passes, keeping the name (rules look values up by name).

    An attribute becomes a collector: it still records the values it sees (so
    product names show e.g. every filter), but never rejects an exposure.
    """
    if isinstance(node, Attr):
        return Attr(
            node.sources,
            name=node.name,
            force_unique=False,
            required=False,
            evaluate=node.evaluate,
        )
    return Test(source=ignored, name=node.name)  # pins "" and then always matches it


def _failing(node: Attr | Test) -> Test:
    """A stand-in that never matches (an ignored condition inside none_of / not_all)."""
    return Test(True, source=ignored, name=node.name, force_unique=False)


def _restricts(node: Attr) -> bool:
    """False for an attribute that only collects values (it never rejects an exposure)."""
    return bool(
        node.value is not None
        or node.force_unique
        or node.required
        or node.force_undefined
        or node.onlyif is not None
    )


def _ignored(node: Node, ignore: frozenset[str]) -> bool:
    if isinstance(node, Attr):
        hit = node.name in ignore or any(s in ignore for s in node.sources)
        return hit and _restricts(node)
    return isinstance(node, Test) and node.name in ignore


def _strip(node: Node, ignore: frozenset[str], negated: bool) -> Node:
    """The node with the ignored conditions replaced by stand-ins.

    An ignored condition is taken as satisfied in the direction that accepts
    the exposure: it passes, or, under a ``none_of``/``not_all``, never
    matches. The tree keeps its shape and names.
    """
    if isinstance(node, Group):
        flip = node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL)
        kids = tuple(_strip(child, ignore, negated ^ flip) for child in node.children)
        if all(k is c for k, c in zip(kids, node.children, strict=True)):
            return node
        return replace(node, children=kids)
    if not _ignored(node, ignore):
        return node
    return _failing(node) if negated else _passing(node)


def add_to_rule_branch(top: Group, extra: list[Node]) -> Group:
    """Add conditions to the DMS wrapper's ``rule`` branch (so target acquisitions still join)."""

    def visit(node: Node) -> tuple[Node, bool]:
        if not isinstance(node, Group):
            return node, False
        if node.name == "rule" and node.reduce is Reduce.ALL:
            return replace(node, children=(*node.children, *extra)), True
        out, done = [], False
        for child in node.children:
            if not done:
                child, done = visit(child)
            out.append(child)
        return (replace(node, children=tuple(out)), True) if done else (node, False)

    new, done = visit(top)
    if not done:
        new = replace(top, children=(*top.children, *extra))
    return new  # type: ignore[return-value]


def leaf_keys(node: Node) -> set[str]:
    """Every constraint name and pool column under ``node``."""
    if isinstance(node, Group):
        out: set[str] = set()
        for child in node.children:
            out |= leaf_keys(child)
        if node.name:
            out.add(node.name)
        return out
    keys = {node.name} if node.name else set()
    if isinstance(node, Attr):
        keys |= set(node.sources)
    return keys


def strip_conditions(node: Node, ignore: frozenset[str]) -> Group:
    """``node`` (a rule's constraints) with the conditions on ``ignore`` replaced by stand-ins.

    ``ignore`` holds lower-case column or constraint names. An ignored condition
    is taken as satisfied in the direction that accepts the exposure: it passes,
    or, under a ``none_of``/``not_all``, never matches. The tree keeps its shape
    and names.
    """
    return cast(Group, _strip(node, ignore, False))
