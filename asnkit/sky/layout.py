"""Footprints laid out on a plane: the common ground of the static plot and the sky widget.

:func:`sky_layout` projects the footprints of a pool onto the tangent plane at the target
(RA offsets grow to the east, drawn to the left; Dec offsets to the north, drawn up), in
arcseconds, as flat arrays: every ring's vertices, which exposure each ring belongs to, and
the centre of each exposure. Pools without sky information are laid out schematically
(:mod:`asnkit.sky.schematic`, arbitrary units). :func:`angle_unit` chooses arcsec, arcmin
or degrees for axes by the extent shown; :func:`colouring` turns a ``color_by`` into one
drawn *item* per (exposure, group) pair, so an exposure in several associations is drawn
once per association.

Examples
--------
>>> import pandas as pd
>>> pool = pd.DataFrame({"filename": ["a.fits", "b.fits"],
...     "s_region": ["POLYGON ICRS 10 0 10.01 0 10.01 0.01 10 0.01",
...                  "POLYGON ICRS 10.02 0 10.03 0 10.03 0.01 10.02 0.01"]})
>>> layout = sky_layout(pool)
>>> layout.plane, layout.n_exposures, layout.n_rings
(<Plane.SKY: 'sky'>, 2, 2)
>>> bool(layout.centres[1, 0] > layout.centres[0, 0])  # b lies east of a
True
>>> angle_unit(90.0).name, angle_unit(900.0).name, angle_unit(30000.0).name
('arcsec', 'arcmin', 'deg')
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from asnkit.sky.attitude import angular_separation, tangent_plane, vector_center
from asnkit.sky.colors import color_labels, group_order, palette
from asnkit.sky.footprints import FootprintSource, footprints
from asnkit.sky.schematic import schematic_layout

__all__ = [
    "MAX_SPREAD",
    "AngleUnit",
    "Colouring",
    "Plane",
    "SkyLayout",
    "angle_unit",
    "colouring",
    "sky_layout",
    "target_position",
]

#: Footprints farther than this (degrees) from the tangent point trigger a warning.
MAX_SPREAD = 60.0

ON_SKY = (FootprintSource.S_REGION.value, FootprintSource.POINTING.value)


class Plane(str, Enum):
    """What the plane coordinates of a layout are."""

    SKY = "sky"  #: tangent-plane offsets in arcsec, x to the east, y to the north
    SCHEMATIC = "schematic"  #: a diagram of observations, tiles and dither positions

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class AngleUnit:
    """An axis unit: its name, symbol and size in arcseconds."""

    name: str
    symbol: str
    arcsec: float


_UNITS = (
    AngleUnit("arcsec", "\u2033", 1.0),
    AngleUnit("arcmin", "\u2032", 60.0),
    AngleUnit("deg", "\u00b0", 3600.0),
)


def angle_unit(extent_arcsec: float) -> AngleUnit:
    """The unit to label axes spanning ``extent_arcsec``: arcsec below 2', arcmin below 2 deg.

    The same thresholds are used by :func:`asnkit.plot_sky` and the sky widget.
    """
    extent = abs(float(extent_arcsec)) if np.isfinite(extent_arcsec) else 0.0
    if extent < 120.0:
        return _UNITS[0]
    if extent < 7200.0:
        return _UNITS[1]
    return _UNITS[2]


def target_position(pool: pd.DataFrame) -> tuple[float, float, str | None]:
    """(RA, Dec, name) of the pool's target; NaN when unknown.

    The most frequent ``targ_ra``/``targ_dec`` of the science exposures (a dedicated
    background field has a target of its own, which is not *the* target).
    """
    if not {"targ_ra", "targ_dec"} <= set(pool.columns):
        return float("nan"), float("nan"), None
    rows = pool
    if "exp_type" in pool.columns:
        from asnkit.pool.select import science

        chosen = science(pool, special=False)
        if len(chosen):
            rows = chosen
    ra = pd.to_numeric(rows["targ_ra"], errors="coerce")
    dec = pd.to_numeric(rows["targ_dec"], errors="coerce")
    ok = (ra.notna() & dec.notna()).to_numpy(bool)
    if not ok.any():
        return float("nan"), float("nan"), None
    pairs = pd.DataFrame({"ra": ra[ok].round(7), "dec": dec[ok].round(7)})
    top = pairs.value_counts(sort=True).index[0]
    same = (pairs["ra"] == top[0]) & (pairs["dec"] == top[1])
    name = None
    if "targname" in rows.columns:
        names = rows["targname"][ok][same.to_numpy()].dropna()
        name = str(names.iloc[0]) if len(names) else None
    cra, cdec = vector_center(ra[ok][same.to_numpy()], dec[ok][same.to_numpy()])
    return cra, cdec, name


@dataclass(frozen=True, eq=False)
class SkyLayout:
    """Footprints of a pool on a plane, as flat arrays.

    Attributes
    ----------
    plane : Plane
        ``SKY`` (arcsec offsets from :attr:`center`, x east, y north) or ``SCHEMATIC``.
    center : (float, float)
        Tangent point (RA, Dec) in degrees; NaN for a schematic layout.
    rows : numpy.ndarray
        Positions (0-based) in the pool of the exposures drawn, one per exposure.
    filenames : numpy.ndarray
        Their ``filename``.
    xy : numpy.ndarray
        ``(V, 2)`` vertices of every ring, one ring after the other.
    ring_start : numpy.ndarray
        ``(R + 1,)`` where each ring starts in :attr:`xy` (and where the last ends).
    ring_exposure : numpy.ndarray
        ``(R,)`` the exposure (index into :attr:`rows`) of each ring.
    centres : numpy.ndarray
        ``(E, 2)`` centre of each exposure: its projected sky centre, or the centre of its
        schematic square. Box and lasso selections take an exposure when this lies inside.
    target : (float, float, str or None) or None
        Plane position and name of the target.
    undrawn : int
        Exposures not drawn (no polygon, or off this plane).
    """

    plane: Plane
    center: tuple[float, float]
    rows: np.ndarray
    filenames: np.ndarray
    xy: np.ndarray
    ring_start: np.ndarray
    ring_exposure: np.ndarray
    centres: np.ndarray
    target: tuple[float, float, str | None] | None = None
    undrawn: int = 0
    _index: dict = field(default_factory=dict, repr=False)

    @property
    def n_exposures(self) -> int:
        return len(self.rows)

    @property
    def n_rings(self) -> int:
        return len(self.ring_exposure)

    def rings(self, exposure: int) -> list[np.ndarray]:
        """The rings (``(n, 2)`` arrays) of one exposure."""
        which = np.flatnonzero(self.ring_exposure == exposure)
        return [self.xy[self.ring_start[r] : self.ring_start[r + 1]] for r in which]

    def index_of(self, filenames: Any) -> np.ndarray:
        """Exposure indices of these file names (unknown names are left out)."""
        if "lookup" not in self._index:
            self._index["lookup"] = {str(n): i for i, n in enumerate(self.filenames)}
        lookup = self._index["lookup"]
        found = [lookup.get(str(n)) for n in filenames]
        return np.array([i for i in found if i is not None], dtype=np.int64)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(xmin, xmax, ymin, ymax)`` of all vertices and the target."""
        points = self.xy
        if self.target is not None:
            points = np.vstack([points, [self.target[:2]]])
        if not len(points):
            return (-1.0, 1.0, -1.0, 1.0)
        lo, hi = np.nanmin(points, axis=0), np.nanmax(points, axis=0)
        return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def _flatten(polygon_lists: list[list[np.ndarray]]):
    sizes, owners, parts = [], [], []
    for exposure, shapes in enumerate(polygon_lists):
        for shape in shapes:
            sizes.append(len(shape))
            owners.append(exposure)
            parts.append(shape)
    xy = np.concatenate(parts).astype(float) if parts else np.zeros((0, 2))
    start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return xy, start, np.asarray(owners, dtype=np.int64)


def sky_layout(
    pool: pd.DataFrame,
    *,
    footprint_frame: pd.DataFrame | None = None,
    center: tuple[float, float] | None = None,
) -> SkyLayout:
    """Project the footprints of a pool onto the tangent plane (or lay them out schematically).

    Parameters
    ----------
    pool : DataFrame
        The pool (not modified).
    footprint_frame : DataFrame, optional
        :func:`asnkit.footprints` of the pool, when already computed.
    center : (ra, dec), optional
        Tangent point in degrees; default the target (``targ_ra``/``targ_dec``), else the
        centre of the footprints.

    Returns
    -------
    SkyLayout
        On the sky when any exposure has a sky footprint (the others are counted in
        ``undrawn``); else the schematic layout of all exposures.

    Warns
    -----
    UserWarning
        Footprints more than :data:`MAX_SPREAD` degrees from the tangent point.
    """
    fp = footprint_frame if footprint_frame is not None else footprints(pool)
    fp = fp.reset_index(drop=True)
    pool = pool.reset_index(drop=True)
    on_sky = fp["source"].isin(ON_SKY).to_numpy(bool)
    if not on_sky.any():
        layout = schematic_layout(pool)
        rows = layout.index.to_numpy(np.int64)
        xy, start, owner = _flatten([[p] for p in layout["polygon"]])
        centres = layout[["x", "y"]].to_numpy(float).reshape(-1, 2)
        return SkyLayout(
            plane=Plane.SCHEMATIC,
            center=(float("nan"), float("nan")),
            rows=rows,
            filenames=pool["filename"].astype(str).to_numpy()[rows],
            xy=xy,
            ring_start=start,
            ring_exposure=owner,
            centres=centres,
        )
    t_ra, t_dec, t_name = target_position(pool)
    ra, dec = fp["ra"].to_numpy(float), fp["dec"].to_numpy(float)
    if center is None:
        center = (t_ra, t_dec) if np.isfinite(t_ra) else vector_center(ra[on_sky], dec[on_sky])
    ra0, dec0 = float(center[0]), float(center[1])
    spread = angular_separation(ra0, dec0, ra[on_sky], dec[on_sky])
    if np.nanmax(spread) > MAX_SPREAD:
        warnings.warn(
            f"{int((spread > MAX_SPREAD).sum())} footprint(s) lie more than {MAX_SPREAD:g} deg "
            "from the tangent point and are distorted or not drawn: plot one field at a time "
            "(select rows) or pass center=(ra, dec)",
            UserWarning,
            stacklevel=3,
        )
    candidates = np.flatnonzero(on_sky)
    shapes = fp["polygons"].to_numpy()
    xy, start, owner = _flatten([shapes[i] for i in candidates])
    if len(xy):
        xi, eta = tangent_plane(xy[:, 0], xy[:, 1], ra0, dec0)
        xy = np.column_stack([xi, eta]) * 3600.0
    cx, cy = tangent_plane(ra[candidates], dec[candidates], ra0, dec0)
    centres = np.column_stack([cx, cy]) * 3600.0
    # beyond 90 degrees from the tangent point there is no projection: leave those out
    finite = np.isfinite(xy).all(axis=1)
    finite_ring = np.logical_and.reduceat(finite, start[:-1]) if len(owner) else finite[:0]
    good = np.isfinite(centres).all(axis=1)
    good &= np.bincount(owner[~finite_ring], minlength=len(candidates)) == 0
    if not good.all():
        keep_ring = good[owner]
        sizes = np.diff(start)[keep_ring]
        vertex_ring = np.repeat(np.arange(len(owner)), np.diff(start))
        xy = xy[keep_ring[vertex_ring]]
        start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        renumber = np.cumsum(good) - 1
        owner = renumber[owner[keep_ring]]
        candidates, centres = candidates[good], centres[good]
    target = None
    if np.isfinite(t_ra):
        tx, ty = tangent_plane(t_ra, t_dec, ra0, dec0)
        if np.isfinite(tx):
            target = (float(tx) * 3600.0, float(ty) * 3600.0, t_name)
    n_exposures = int((fp["source"] != FootprintSource.NONE.value).sum())
    return SkyLayout(
        plane=Plane.SKY,
        center=(ra0, dec0),
        rows=candidates.astype(np.int64),
        filenames=fp["filename"].astype(str).to_numpy()[candidates],
        xy=xy,
        ring_start=start,
        ring_exposure=owner,
        centres=centres,
        target=target,
        undrawn=n_exposures - len(candidates),
    )


@dataclass(frozen=True, eq=False)
class Colouring:
    """Colour groups of a layout's exposures: one drawn item per (exposure, group).

    Attributes
    ----------
    how : str
        The colouring (legend title), e.g. ``"Level 3 association"``.
    groups : list of str
        Group labels in legend order (natural order, ungrouped last).
    colors : dict
        Label -> RGBA.
    item_exposure, item_group : numpy.ndarray
        For each drawn item, its exposure (index into the layout) and group (index into
        :attr:`groups`). Items are sorted by exposure; an exposure's first item is its
        smallest group (the most specific association: drawn filled), the others follow
        (drawn hatched over it in their own colours, so colours never blend).
    """

    how: str
    groups: list[str]
    colors: dict[str, tuple]
    item_exposure: np.ndarray
    item_group: np.ndarray

    def members(self, group: str) -> np.ndarray:
        """Exposure indices of one group (in layout order)."""
        if group not in self.groups:
            return np.zeros(0, dtype=np.int64)
        code = self.groups.index(group)
        return np.unique(self.item_exposure[self.item_group == code])

    def counts(self) -> dict[str, int]:
        """Exposures per group."""
        n = np.bincount(self.item_group, minlength=len(self.groups))
        return {g: int(n[i]) for i, g in enumerate(self.groups)}

    def ranks(self) -> np.ndarray:
        """The rank of each item among its exposure's items (0: the filled one)."""
        n = len(self.item_exposure)
        if not n:
            return np.zeros(0, dtype=np.int64)
        first = np.flatnonzero(np.r_[True, self.item_exposure[1:] != self.item_exposure[:-1]])
        starts = np.repeat(first, np.diff(np.r_[first, n]))
        return np.arange(n) - starts

    def groups_of(self, exposure: int) -> list[str]:
        """The groups of one exposure (the filled one first)."""
        return [self.groups[g] for g in self.item_group[self.item_exposure == exposure]]


def colouring(
    pool: pd.DataFrame, layout: SkyLayout, color_by: Any = None, associations: Any = None
) -> Colouring:
    """The colour groups of the exposures of ``layout`` (see :func:`color_labels`)."""
    positional = pool.reset_index(drop=True)
    labels, how = color_labels(positional, color_by, associations)
    exposure_of_row = pd.Series(np.arange(layout.n_exposures), index=layout.rows)
    labels = labels[labels["row"].isin(exposure_of_row.index)]
    exposure = exposure_of_row.loc[labels["row"].to_numpy()].to_numpy(np.int64)
    ordered = group_order(labels["group"])
    codes = {g: i for i, g in enumerate(ordered)}
    group = np.array([codes[g] for g in labels["group"]], dtype=np.int64)
    size = np.bincount(group, minlength=len(ordered))
    order = np.lexsort((group, size[group], exposure))
    return Colouring(
        how=how,
        groups=ordered,
        colors=palette(ordered),
        item_exposure=exposure[order],
        item_group=group[order],
    )
