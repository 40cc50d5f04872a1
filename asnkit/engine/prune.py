"""Pruning and sequencing of finalized associations, on their compact parts.

The reference generator (jwst 3.0.0) drops duplicate associations once every
association is finalized: first those with the same membership (the one with
the highest ``asn_id`` in sort order wins: observation over candidate over
discovered), then those whose product has the same name as another's and
whose members are the same or a subset; finally each ``(asn_id, asn_type)``
is numbered 1, 2, ... in order.

Here an association is any object with ``asn_id``, ``asn_type``, ``products``
(``(name, members)`` pairs, each member a ``(pool row, role, file name)`` entry as
:class:`~asnkit.engine.record.Output` keeps them) and ``seq_out`` (set by
:func:`resequence`): the finalized states are released before pruning, only their
parts are kept (:class:`~asnkit.engine.record.DocumentSource`). Duplicate detection hashes each
product's membership, so it is linear. :func:`link_duplicates` then records which kept
output each pruned one duplicates (:attr:`~asnkit.engine.record.Output.duplicate_of`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from operator import attrgetter
from typing import Any

from asnkit.dms.names import member_stem
from asnkit.engine.record import Output, Record

__all__ = ["FirstByKey", "link_duplicates", "prune", "resequence"]

log = logging.getLogger("asnkit.engine.finalize")

_ROLE, _NAME = 1, 2  # member entry: (row, role, file name)
_ASN_ID = attrgetter("asn_id")


def _membership(members: tuple) -> frozenset | None:
    """A product's (name, role) pairs, or None when a file name is there twice."""
    if len({m[_NAME] for m in members}) != len(members):
        return None
    return frozenset([(m[_NAME], m[_ROLE]) for m in members])


def _first_membership(asn: Any) -> frozenset | None:
    return _membership(asn.products[0][1])


class FirstByKey:
    """The first item of each key, found by the key's hash: keys are made again by
    ``key_of(item)`` where hashes meet, not kept (there can be one per item).

    >>> first = FirstByKey(len)
    >>> first.add("ab", 2), first.add("cd", 2), first.get(2), first.get(3)
    (True, False, 'ab', None)
    """

    __slots__ = ("items", "key_of")

    def __init__(self, key_of: Callable[[Any], Hashable]) -> None:
        self.key_of = key_of
        # hash -> the item, or a list of the items whose different keys share that hash
        self.items: dict[int, Any] = {}

    def _with_hash(self, code: int) -> list[Any]:
        got = self.items.get(code)
        return [] if got is None else got if type(got) is list else [got]

    def get(self, key: Hashable) -> Any:
        """The first item added with ``key``, or None."""
        return next((o for o in self._with_hash(hash(key)) if self.key_of(o) == key), None)

    def add(self, item: Any, key: Hashable) -> bool:
        """Keep ``item`` as the first of ``key`` (its ``key_of``); False if one is kept."""
        code = hash(key)
        same = self._with_hash(code)
        if any(self.key_of(o) == key for o in same):
            return False
        self.items[code] = [*same, item] if same else item
        return True


def _product_diff(left: tuple, right: tuple, strict: bool) -> tuple[bool, bool]:
    """(equal, subset) of two products' membership, as jwst's diff sees them."""

    def munge(name: str) -> str:
        return name if strict else member_stem(name)

    left_members, right_members = left[1], right[1]
    dup = any(len({m[_NAME] for m in ms}) != len(ms) for ms in (left_members, right_members))
    length_differs = len(left_members) != len(right_members)
    mismatch = False
    remaining = list(right_members)
    unaccounted_left = 0
    for lm in left_members:
        for k, rm in enumerate(remaining):
            if munge(lm[_NAME]) != munge(rm[_NAME]):
                continue
            if lm[_ROLE] != rm[_ROLE]:
                mismatch = True
            del remaining[k]  # the first with this name: the one jwst's list.remove takes
            break
        else:
            unaccounted_left += 1
    unaccounted = unaccounted_left > 0 or len(remaining) > 0
    equal = not (dup or length_differs or mismatch or unaccounted)
    subset = (not dup) and (not mismatch) and length_differs and unaccounted
    return equal, subset


def _components(name: str) -> set[str]:
    return set(re.split("[_-]", name))


def _asn_equal(left: Any, right: Any) -> bool:
    if left is right:
        return True
    if left.asn_type != right.asn_type:
        return False
    if left.asn_id[0] != right.asn_id[0]:
        return False
    if len(left.products) != len(right.products):
        return False
    remaining = list(right.products)
    for lp in left.products:
        for k, rp in enumerate(remaining):
            if _components(rp[0]) != _components(lp[0]):
                continue
            if not _product_diff(lp, rp, strict=False)[0]:
                return False
            del remaining[k]
            break
        else:
            return False
    return not remaining


def _equality_key(asn: Any) -> tuple:
    """Equal associations (:func:`_asn_equal`) have equal keys."""
    products = sorted(tuple(sorted(_components(name))) for name, _ in asn.products)
    return (asn.asn_type, asn.asn_id[:1], tuple(products))


def _contains(seq: dict[tuple, list[Any]], asn: Any) -> bool:
    return any(x is asn or _asn_equal(x, asn) for x in seq.get(_equality_key(asn), ()))


def _remove_equal(seq: list[Any], asn: Any) -> None:
    for i, x in enumerate(seq):
        if x is asn or _asn_equal(x, asn):
            del seq[i]
            return


def prune(asns: Sequence[Any]) -> list[Any]:
    """Drop duplicate associations, then duplicate products (jwst ``prune``)."""
    ordered = sorted(asns, key=_ASN_ID)
    seen = FirstByKey(_first_membership)
    pruned: list[Any] = []
    for asn in reversed(ordered):
        key = _first_membership(asn)
        if key is not None and not seen.add(asn, key):
            continue  # the membership of an association kept already
        pruned.append(asn)
    del seen
    return _prune_products(pruned)


def _product_name(asn: Any) -> str:
    return asn.products[0][0]


def _prune_products(asns: list[Any]) -> list[Any]:
    dups = [name for name, count in Counter(map(_product_name, asns)).items() if count > 1]
    if not dups:
        return asns
    ordered = sorted(asns, key=_ASN_ID)
    by_product: dict[str, list[Any]] = {name: [] for name in dups}
    for asn in ordered:
        same = by_product.get(_product_name(asn))
        if same is not None:
            same.append(asn)
    full_prune: list[Any] = []
    pruned_by_key: dict[tuple, list[Any]] = defaultdict(list)
    for product in dups:
        dup_asns = by_product[product]
        to_keep = list(dup_asns)
        for asn in dup_asns:
            if _contains(pruned_by_key, asn):
                continue
            to_prune = []
            for entrant in to_keep:
                if _asn_equal(entrant, asn):
                    continue
                equal, subset = _product_diff(asn.products[0], entrant.products[0], strict=True)
                if equal:
                    to_prune.append(entrant)
                    continue
                if subset:
                    if len(entrant.products[0][1]) > len(asn.products[0][1]):
                        asn, entrant = entrant, asn
                    to_prune.append(entrant)
                    continue
                if not _product_diff(asn.products[0], entrant.products[0], strict=False)[0]:
                    log.warning(
                        "associations with product %s have the same product name but "
                        "significant differences",
                        product,
                    )
            full_prune.extend(to_prune)
            for pruned in to_prune:
                pruned_by_key[_equality_key(pruned)].append(pruned)
                _remove_equal(to_keep, pruned)
    removed = Counter(id(asn) for asn in full_prune)
    if removed and max(removed.values()) > 1:  # the reference fails the same way
        raise IndexError("Expected duplicate association not found in list")
    return [asn for asn in ordered if id(asn) not in removed]


def resequence(asns: Sequence[Any]) -> None:
    """Number associations 1, 2, ... per (asn_id, asn_type), in list order."""
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for asn in asns:
        key = (asn.asn_id, asn.asn_type)
        counters[key] += 1
        asn.seq_out = counters[key]


def _level_membership(levels: list[int], output: Output) -> tuple[int, frozenset]:
    """An output's rule level and its (role, file name) pairs."""
    return levels[output.formation.rule], frozenset([(m[1], m[2]) for m in output.members])


def link_duplicates(record: Record, pruned: list[Output]) -> None:
    """Which kept output each pruned one duplicates: same level and members, else same product.

    Memberships meet through their hashes and are made again where hashes meet: none is
    kept per output (there can be one per association).
    """
    if not pruned:
        return
    levels = [rule.level for rule in record.rules]
    membership = partial(_level_membership, levels)
    wanted = {hash(membership(output)) for output in pruned}
    names = {m[2] for output in pruned for m in output.members}
    first = FirstByKey(membership)  # the first output of each membership a pruned one has
    for output in record.outputs:
        members = output.members
        # an output with the members of a pruned one has its first file among theirs
        if members and members[0][2] not in names:
            continue
        key = membership(output)
        if hash(key) in wanted:
            first.add(output, key)
    del wanted, names
    same = [first.get(membership(output)) for output in pruned]
    # the first output of each product a pruned one may need (not one entry per output)
    products = {o.product for o, found in zip(pruned, same, strict=True) if found is None}
    by_product: dict[str, Output] = {}
    if products:
        for output in record.outputs:
            if output.product in products:
                by_product.setdefault(output.product, output)
    for output, found in zip(pruned, same, strict=True):
        output.duplicate_of = found or by_product.get(output.product)
