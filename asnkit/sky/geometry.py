"""Plane geometry of selections: which footprints a box, a lasso or a click takes.

All tests use the even-odd rule (a point is inside a polygon when a ray from it crosses the
polygon's edges an odd number of times), so a self-crossing lasso behaves as it is drawn
in the browser (``fill("evenodd")``). The sky widget's browser code applies the same rule
for hover, so the exposure named in the tooltip is the one a click there toggles.

Examples
--------
>>> import numpy as np
>>> square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
>>> points_in_polygon(np.array([[1.0, 1.0], [3.0, 1.0]]), square).tolist()
[True, False]
>>> points_in_box(np.array([[1.0, 1.0], [3.0, 1.0]]), (0.0, 0.0), (2.5, 2.0)).tolist()
[True, False]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["pick", "points_in_box", "points_in_polygon", "rings_containing"]

#: Edges tested at once against all points (bounds the memory of a long lasso).
_CHUNK = 64


def _edges(polygon: np.ndarray) -> tuple[np.ndarray, ...]:
    a = np.asarray(polygon, dtype=float).reshape(-1, 2)
    b = np.roll(a, -1, axis=0)
    return a[:, 0], a[:, 1], b[:, 0], b[:, 1]


def _crossings(x, y, x1, y1, x2, y2) -> np.ndarray:
    """Whether a ray from (x, y) towards +x crosses each edge (broadcast)."""
    straddle = (y1 > y) != (y2 > y)
    with np.errstate(all="ignore"):  # 0/0 only where the edge does not straddle y
        at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return straddle & (x < at)


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which ``(n, 2)`` points lie inside ``polygon`` (``(m, 2)``, open or closed ring).

    Even-odd rule; a polygon of fewer than 3 vertices contains nothing. Points with a NaN
    coordinate are never inside.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    polygon = np.asarray(polygon, dtype=float).reshape(-1, 2)
    inside = np.zeros(len(points), dtype=bool)
    if len(polygon) < 3 or not len(points):
        return inside
    x, y = points[:, 0:1], points[:, 1:2]
    x1, y1, x2, y2 = _edges(polygon)
    for lo in range(0, len(x1), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        crossed = _crossings(x, y, x1[None, part], y1[None, part], x2[None, part], y2[None, part])
        inside ^= (crossed.sum(axis=1) % 2).astype(bool)
    return inside


def points_in_box(
    points: np.ndarray, corner: Sequence[float], other: Sequence[float]
) -> np.ndarray:
    """Which points lie in the axis-aligned box of two opposite corners (edges included)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    (xa, ya), (xb, yb) = corner, other
    x, y = points[:, 0], points[:, 1]
    return (x >= min(xa, xb)) & (x <= max(xa, xb)) & (y >= min(ya, yb)) & (y <= max(ya, yb))


def rings_containing(x: float, y: float, xy: np.ndarray, ring_start: np.ndarray) -> np.ndarray:
    """Which rings (vertices ``xy[ring_start[r]:ring_start[r + 1]]``) contain the point."""
    n_rings = len(ring_start) - 1
    if n_rings <= 0:
        return np.zeros(0, dtype=bool)
    sizes = np.diff(ring_start)
    following = np.arange(1, len(xy) + 1)
    following[ring_start[1:] - 1] = ring_start[:-1]  # each ring's last vertex closes on its first
    a, b = xy, xy[following]
    crossed = _crossings(x, y, a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    counts = np.add.reduceat(crossed.astype(np.int64), ring_start[:-1])
    return (counts % 2 == 1) & (sizes >= 3)


def pick(
    x: float,
    y: float,
    xy: np.ndarray,
    ring_start: np.ndarray,
    ring_exposure: np.ndarray,
    centres: np.ndarray,
    allowed: np.ndarray | None = None,
) -> int:
    """The exposure a click at (x, y) means, or -1.

    Among the exposures with a ring containing the point (and ``allowed``, a boolean mask
    per exposure), the one whose centre is nearest; on a tie the last one (drawn on top).
    """
    inside = rings_containing(x, y, xy, ring_start)
    hit = np.zeros(len(centres), dtype=bool)
    hit[ring_exposure[inside]] = True
    if allowed is not None:
        hit &= allowed
    candidates = np.flatnonzero(hit)
    if not len(candidates):
        return -1
    dx = centres[candidates, 0] - x
    dy = centres[candidates, 1] - y
    distance = dx * dx + dy * dy
    best = np.flatnonzero(distance == distance.min())
    return int(candidates[best[-1]])
