"""Open associations of a rule, found by the values they pinned instead of scanned.

The vectorised pre-checks (:mod:`asnkit.engine.prefilter`) say, per rule, which
rows can ever pass its fixed conditions (:class:`RulePlan`) and which values
every association of the rule pins along each route through its any-of nodes;
:class:`AsnIndex` files each open association under those values, so an
exposure meets only the associations whose pinned values it has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from asnkit.dms.values import EMPTY
from asnkit.engine.prefilter import Route
from asnkit.engine.state import AsnState, CompiledRule
from asnkit.engine.table import Item

__all__ = ["AsnIndex", "RulePlan"]

_DEAD = "dead"
_WILD = "wild"


@lru_cache(maxsize=65536)
def _esc(value: str) -> str:
    return re.escape(value)


class RulePlan:
    """What the pre-checks tell about one rule over one pool (shared by all passes)."""

    def __init__(
        self,
        cr: CompiledRule,
        possible: np.ndarray | None,
        creatable: np.ndarray | None,
        route_of_row: np.ndarray | None,
        route_list: Sequence[Route],
    ) -> None:
        self.cr = cr
        self.possible = possible
        self.creatable = creatable
        self.route_of_row = route_of_row
        self.routes = list(route_list)
        # the routes some row takes: associations are filed under those only
        used = [0] if route_of_row is None else np.unique(route_of_row).tolist()
        self.used: list[tuple[int, Route]] = [(r, self.routes[r]) for r in used]
        # what filing reads: the states of the key and closing nodes (closing tests also
        # read whether the association has science)
        watched: dict[int, None] = {}
        for _, route in self.used:
            watched.update((i, None) for i, _ in route.keys)
            watched.update((i, None) for i in route.closers)
        self.watched = tuple(watched)
        self.closing = any(route.closers for _, route in self.used)


class AsnIndex:
    """Open associations of one rule, found by filename and by pinned values per route."""

    def __init__(self, plan: RulePlan) -> None:
        self.plan = plan
        self.routes = plan.routes
        n = len(self.routes)
        self.buckets: list[dict[tuple, dict[int, AsnState]]] = [{} for _ in range(n)]
        self.wild: list[dict[int, AsnState]] = [{} for _ in range(n)]
        self.reg: dict[int, list[Any]] = {}
        # file name -> the association it is a member of, or a list of them when several
        # (most files are in one: no list each)
        self.by_file: dict[str, AsnState | list[AsnState]] = {}
        self.count = 0
        self.readers: list[list[tuple[Any, Any]] | None] = [None] * n  # per route: its keys
        # a forced match would make a failing check count as a match: check every association
        self.filtering = "force_match" not in plan.cr.by_name

    def _state_of(self, asn: AsnState, route: Route) -> Any:
        st = asn.st
        for i in route.closers:
            node = asn.cr.nodes[i]
            if node.source(None, asn) != st[i][0]:
                return _DEAD
        key = []
        for i, _ in route.keys:
            state = st[i]
            if state[2] or state[0] is None:
                return _WILD
            key.append(state[0])
        return tuple(key)

    def update(self, asn: AsnState) -> None:
        """(Re)file an association after it changed."""
        st = asn.st
        plan = self.plan
        seen = [st[i] for i in plan.watched]
        if plan.closing:
            seen.append(asn.has_science())
        old = self.reg.get(asn.seq)
        if old is None:
            old = [None] * (len(self.routes) + 1)
            self.reg[asn.seq] = old
            self.count += 1
        elif old[-1] == seen:
            return  # nothing filing reads has changed
        old[-1] = seen
        for r, route in plan.used:
            previous = old[r]
            if previous == _DEAD or (
                previous is not None and previous != _WILD and not route.closers
            ):
                continue  # pinned values never change; closed stays closed
            new = self._state_of(asn, route)
            if new == previous:
                continue
            if previous == _WILD:
                self.wild[r].pop(asn.seq, None)
            elif previous is not None and previous != _DEAD:
                self.buckets[r][previous].pop(asn.seq, None)
            if new == _WILD:
                self.wild[r][asn.seq] = asn
            elif new != _DEAD:
                self.buckets[r].setdefault(new, {})[asn.seq] = asn
            old[r] = new

    def note_file(self, asn: AsnState, filename: str) -> None:
        found = self.by_file.get(filename)
        if found is None:
            self.by_file[filename] = asn
        elif type(found) is list:
            if found[-1] is not asn:
                found.append(asn)
        elif found is not asn:
            self.by_file[filename] = [found, asn]

    def candidates(self, item: Item, can_match: bool) -> list[AsnState]:
        """Associations the item may match, in creation order."""
        members: Any = self.by_file.get(item.filename)
        if members is None:
            members = ()
        elif type(members) is not list:
            members = (members,)
        if not can_match:
            return list(members)
        plan = self.plan
        r = 0 if plan.route_of_row is None else int(plan.route_of_row[item.row])
        route = self.routes[r]
        table = item.table
        row = item.row
        readers = self.readers[r]
        if readers is None:
            readers = self.readers[r] = [table.reader(column) for _, column in route.keys]
        key = []
        for texts, codes in readers:
            key.append(_esc(texts[codes[row]]) if texts is not None else None)
        bucket = self.buckets[r].get(tuple(key))
        wild = self.wild[r]
        if (
            len(members) == 1
            and not wild
            and (not bucket or (len(bucket) == 1 and members[0].seq in bucket))
        ):
            return list(members)  # only the association it is in (a reprocessed exposure)
        if not members and not wild:
            if not bucket:
                return []
            found = list(bucket.values())
        else:
            merged: dict[int, AsnState] = {}
            if bucket:
                merged.update(bucket)
            merged.update(wild)
            found = [merged[k] for k in sorted(merged)]
        if self.filtering:
            if route.optional:
                found = self._agreeing(found, route.optional, table, row)
            if wild and found and route.keys:  # unpinned somewhere: compare what is pinned
                found = self._agreeing(found, [(i, (c,)) for i, c in route.keys], table, row)
        if members:
            if not found:
                return list(members)
            merged = {asn.seq: asn for asn in found}
            for asn in members:
                merged[asn.seq] = asn
            found = [merged[k] for k in sorted(merged)]
        return found

    @staticmethod
    def _agreeing(
        found: list[AsnState], pins: Sequence[tuple[int, tuple[str, ...]]], table: Any, row: int
    ) -> list[AsnState]:
        """The associations whose pinned values the exposure's values do not contradict.

        An exposure with a value other than the one an association pinned (in the
        column it pinned from) fails it with no reprocessing and no change: it need
        not be checked. Values compare as text only when ASCII (else the regular
        expression decides: they are checked).
        """
        out = []
        for asn in found:
            st = asn.st
            for i, _ in pins:
                state = st[i]
                if state[2]:
                    continue  # not pinned yet
                pinned = state[0]
                texts, codes = table.reader(state[1][0])
                if texts is None or not isinstance(pinned, str):
                    continue
                value = texts[codes[row]]
                if value in EMPTY or value == pinned or not value.isascii():
                    continue
                if pinned.isascii() and _esc(value) != pinned:
                    break
            else:
                out.append(asn)
        return out
