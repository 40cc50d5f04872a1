"""Checks of existing associations remembered across associations and passes.

:mod:`asnkit.engine.memo` remembers a rule's checks per association: the same
states and the same exposure values give the same outcome. The same check recurs
on other associations: copies of an observation under other program ids, the
other filters of one observation. Their states are mostly the very same objects
(a new association's states are replayed by :mod:`asnkit.engine.fresh`, a
remembered check puts back the states it remembered), except the values their
pure pins hold (:func:`asnkit.engine.fresh.pin_holes`: pins whose columns no
other condition reads and whose states none looks up).

:class:`AcrossMemo` keys a check by

* the exposure's candidate and values in the columns the rule reads, but the holes';
* each state by identity (the entry keeps the states it was made from, so no other
  object takes their ids), except
  - a hole in pinned form (``(e, (column,), False, (e,), matched)``): its column,
    its matched flag and how the exposure's value compares with the pinned one
    (empty, the same escaped text, another ASCII text; a non-ASCII text is compared
    by regular expression, ignoring case: such a check is not remembered);
  - the candidate constraint of a candidate pass (a new state in every pass): by
    value, when it holds only texts.

A replay puts back the remembered states, each hole in pinned form with the
association's own value and the remembered matched flag: what the check leaves
(a pinned hole is read only by its own check, which compares the value and sets
the flag). ``tests/test_engine_memo.py`` checks every replay against the check.
"""

from __future__ import annotations

from operator import is_
from typing import Any

from asnkit.engine.fresh import escaped_cells, pin_holes
from asnkit.rules.model import Attr

__all__ = ["AcrossMemo"]

#: Checks remembered per rule and pool, at most (then forgotten all at once).
KEEP = 8192
#: Checks asked about and not remembered (they called a condition that reads more of
#: the association than its states), with none remembered, before the rule stops asking.
GIVE_UP = 256

_EMPTY, _SAME, _OTHER = 0, 1, 2


class AcrossMemo:
    """One rule's checks of existing associations over one pool, remembered by
    :meth:`key` (see the module docstring)."""

    __slots__ = ("asked", "cand", "cells", "checked", "entries", "holes", "lists")

    def __init__(self, cr: Any, columns: Any, reads: tuple[str, ...]) -> None:
        holes = pin_holes(cr, [0])
        hole_columns = {c for i in holes for c in cr.nodes[i].sources}
        self.holes = tuple((i, cr.nodes[i].sources) for i in holes)
        self.lists = columns.row_keys([c for c in reads if c not in hole_columns])
        self.cells = {c: escaped_cells(columns, c) for c in hole_columns}
        last = len(cr.nodes) - 1
        node = cr.nodes[last]
        self.cand = last if isinstance(node, Attr) and node.evaluate and node.is_acid else None
        self.entries: dict[tuple, tuple] = {}
        self.asked = 0  # checks asked about while none is remembered
        self.checked: Any = None  # the last candidate state found to hold only texts

    def key(self, st: list, item: Any) -> tuple[tuple, tuple[int, ...]] | None:
        """What the check of ``item`` against states ``st`` depends on, and the holes in
        pinned form; None if it is not remembered."""
        if self.asked > GIVE_UP:
            return None
        row = item.row
        parts: list[Any] = list(map(id, st))
        pinned = []
        for i, sources in self.holes:
            state = st[i]
            found = state[3]
            if state[2] is False and len(found) == 1 and found[0] == state[0]:
                column = state[1][0]
                codes, cells = self.cells[column]
                e = cells[codes[row]]
                if e is None:
                    how = _EMPTY
                elif e == state[0]:
                    how = _SAME
                elif e.isascii() and state[0].isascii():
                    how = _OTHER
                else:
                    return None
                parts[i] = (column, state[4], how)
                pinned.append(i)
            else:  # not pinned yet: the exposure's values may pin it
                parts[i] = (id(state), *[self.cells[c][0][row] for c in sources])
        if self.cand is not None:
            state = st[self.cand]
            if state is not self.checked:
                value = state[0]
                if (value is not None and type(value) is not str) or not all(
                    type(x) is str for x in state[3]
                ):
                    return None
                self.checked = state
            parts[self.cand] = state
        return (item.cand, *[values[row] for values in self.lists], *parts), tuple(pinned)

    def replay(self, key: tuple, st: list) -> tuple[bool, tuple] | None:
        """The remembered ``(match, request templates)``, with ``st`` put as the check
        left it; None if not remembered."""
        entry = self.entries.get(key)
        if entry is None:
            if not self.entries:
                self.asked += 1
            return None
        _, after, pinned, match, template = entry
        if after is not None:
            own = [st[i] for i in pinned]
            st[:] = after
            for i, state in zip(pinned, own, strict=True):
                flag = after[i]  # the association's own pinned value, the flag remembered
                st[i] = state if state[4] is flag else (*state[:4], flag)
        return match, template

    def remember(
        self,
        key: tuple,
        pinned: tuple[int, ...],
        before: tuple,
        st: list,
        match: bool,
        template: tuple,
    ) -> None:
        """Remember a check: ``before`` the states it started from (kept: the key holds
        their ids), ``st`` the states it left, ``pinned`` the holes in pinned form."""
        if len(self.entries) >= KEEP:
            self.entries.clear()
        after: Any = None
        if len(st) != len(before) or not all(map(is_, st, before)):
            after = list(st)
            for i in pinned:
                after[i] = st[i][4]
            after = tuple(after)
        self.entries[key] = (before, after, pinned, match, template)
