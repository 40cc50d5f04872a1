"""Selections on the sky, as plain functions: what a box, lasso, click or legend entry takes.

The sky widget sends the geometry a person drew (in plane coordinates) and the modifier
keys held; :class:`SkySelector` decides which exposures that takes and how it combines with
the current selection (:class:`SelectOp`): a box or lasso takes the exposures whose centre
lies inside, a click the exposure under the pointer (the same one the tooltip names), a
legend entry the members of its group. Nothing here needs a browser or ipywidgets.

Examples
--------
>>> combine(["a", "b"], ["c"], SelectOp.ADD)
['a', 'b', 'c']
>>> combine(["a", "b"], ["b", "c"], SelectOp.TOGGLE)
['a', 'c']
>>> op_for(shift=True, alt=False, default=SelectOp.REPLACE)
<SelectOp.ADD: 'add'>
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

import numpy as np

from asnkit.sky.geometry import pick, points_in_box, points_in_polygon
from asnkit.sky.layout import Colouring, SkyLayout

__all__ = ["SelectOp", "SkySelector", "combine", "op_for"]


class SelectOp(str, Enum):
    """How what a gesture takes combines with the current selection."""

    REPLACE = "replace"  #: plain box, lasso or legend click
    ADD = "add"  #: with Shift held
    REMOVE = "remove"  #: with Alt held
    TOGGLE = "toggle"  #: plain click on a footprint

    def __str__(self) -> str:
        return self.value


def op_for(*, shift: bool, alt: bool, default: SelectOp) -> SelectOp:
    """Alt removes, Shift adds, otherwise ``default`` (Alt wins when both are held)."""
    if alt:
        return SelectOp.REMOVE
    if shift:
        return SelectOp.ADD
    return default


def combine(current: Sequence[str], taken: Iterable[str], op: SelectOp | str) -> list[str]:
    """The selection after applying ``op`` with ``taken`` (order kept, no duplicates)."""
    op = SelectOp(op)
    taken = list(dict.fromkeys(str(t) for t in taken))
    current = list(dict.fromkeys(str(c) for c in current))
    if op is SelectOp.REPLACE:
        return taken
    if op is SelectOp.ADD:
        have = set(current)
        return current + [t for t in taken if t not in have]
    if op is SelectOp.REMOVE:
        gone = set(taken)
        return [c for c in current if c not in gone]
    have, flip = set(current), set(taken)
    return [c for c in current if c not in flip] + [t for t in taken if t not in have]


class SkySelector:
    """Selection geometry of a layout: exposures taken by boxes, lassos, clicks and groups.

    Parameters
    ----------
    layout : SkyLayout
        Where the exposures are (plane coordinates as the browser has them).
    colouring : Colouring, optional
        The colour groups (for :meth:`group`).
    selectable : numpy.ndarray, optional
        Boolean mask per exposure: only these can be taken (e.g. those the filters show).
    """

    def __init__(
        self,
        layout: SkyLayout,
        colouring: Colouring | None = None,
        selectable: np.ndarray | None = None,
    ) -> None:
        self.layout = layout
        self.colouring = colouring
        self.selectable = (
            np.ones(layout.n_exposures, dtype=bool)
            if selectable is None
            else np.asarray(selectable, dtype=bool)
        )

    def _names(self, mask: np.ndarray) -> list[str]:
        return [str(n) for n in self.layout.filenames[mask & self.selectable]]

    def box(self, corner: Sequence[float], other: Sequence[float]) -> list[str]:
        """File names of the exposures whose centre lies in the box (layout order)."""
        return self._names(points_in_box(self.layout.centres, corner, other))

    def lasso(self, points: Any) -> list[str]:
        """File names of the exposures whose centre lies inside the lasso polygon."""
        return self._names(points_in_polygon(self.layout.centres, np.asarray(points, float)))

    def click(self, x: float, y: float) -> list[str]:
        """The exposure under (x, y) (``[]`` for none): see :func:`asnkit.sky.geometry.pick`."""
        lay = self.layout
        hit = pick(x, y, lay.xy, lay.ring_start, lay.ring_exposure, lay.centres, self.selectable)
        return [] if hit < 0 else [str(lay.filenames[hit])]

    def group(self, label: str) -> list[str]:
        """File names of a colour group's exposures."""
        if self.colouring is None:
            return []
        mask = np.zeros(self.layout.n_exposures, dtype=bool)
        mask[self.colouring.members(label)] = True
        return self._names(mask)
