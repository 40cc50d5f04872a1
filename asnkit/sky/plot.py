"""Static plots: footprints on the sky and the schematic dither/mosaic grid.

Both functions draw into a given matplotlib ``ax`` (or a new figure), return a
:class:`FootprintPlot` holding the artists, and never call ``plt.show()``. matplotlib is
imported inside the functions, so importing asnkit stays light.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from asnkit.dms.names import exposure_key
from asnkit.errors import PoolTypeError
from asnkit.sky.colors import ColorBy, color_labels, group_order, palette
from asnkit.sky.colors import legend as draw_legend
from asnkit.sky.footprints import FootprintSource, footprints
from asnkit.sky.groups import pool_and_groups
from asnkit.sky.layout import AngleUnit, Plane, angle_unit, colouring, sky_layout
from asnkit.sky.schematic import schematic_layout

__all__ = ["ColorBy", "FootprintPlot", "color_labels", "plot_grid", "plot_sky"]


@dataclass
class FootprintPlot:
    """The artists of a footprint plot and what they show.

    Iterating yields every artist (collections, target marker, legend, texts).

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    collection : PolyCollection
        All footprints, one polygon per (exposure, group, shape).
    highlight : PolyCollection or None
        Outlines of the highlighted exposures.
    target, legend : artists or None
    texts : list
        Labels (schematic grid, stacks of identical footprints).
    hatches : list
        Hatched collections: the copies of exposures in several groups, one collection
        per (group, rank) in that group's colour.
    labels : list of str
        The colour groups, in legend order.
    colors : dict
        Group -> RGBA colour.
    polygon_filenames : list of str
        The pool file name behind each polygon of ``collection`` (for picking).
    polygon_groups : list of str
        The colour group of each polygon of ``collection``.
    center : tuple
        (RA, Dec) of the tangent point, degrees (NaN for the schematic grid).
    unit : AngleUnit or None
        The unit of the plot coordinates (offsets from ``center``): arcsec, arcmin or
        degrees, chosen by the extent; None for the schematic grid.
    """

    ax: Any
    collection: Any
    highlight: Any = None
    target: Any = None
    legend: Any = None
    texts: list = field(default_factory=list)
    hatches: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    colors: dict = field(default_factory=dict)
    polygon_filenames: list = field(default_factory=list)
    polygon_groups: list = field(default_factory=list)
    center: tuple = (float("nan"), float("nan"))
    unit: AngleUnit | None = None

    def __iter__(self) -> Iterator[Any]:
        artists = (self.collection, *self.hatches, self.highlight, self.target, self.legend)
        for artist in (*artists, *self.texts):
            if artist is not None:
                yield artist

    @property
    def figure(self) -> Any:
        """The matplotlib Figure drawn in (``ax.figure``): ``plot.figure.savefig(...)``."""
        return self.ax.figure

    @property
    def n_polygons(self) -> int:
        """Number of footprint polygons drawn."""
        return len(self.collection.get_paths())


#: At most this many stacks of identical footprints get a "xN exposures" label.
MAX_STACK_LABELS = 12


def highlight_width(n: int) -> float:
    """Outline width for ``n`` highlighted polygons: bold for a few, finer for many."""
    return 2.2 if n <= 12 else 1.6 if n <= 60 else 1.1


def _stack_keys(polygons: list[np.ndarray], tolerance: float) -> tuple[list[bytes], np.ndarray]:
    """A key per polygon and how many polygons share it (same vertices within tolerance)."""
    keys = [np.round(p / tolerance).astype(np.int64).tobytes() for p in polygons]
    index: dict[bytes, int] = {}
    codes = np.array([index.setdefault(k, len(index)) for k in keys], dtype=int)
    counts = np.bincount(codes, minlength=len(index)) if len(codes) else np.zeros(0, int)
    return keys, counts[codes]


#: Hatches of an exposure's second, third... group (its first group fills it).
HATCHES = ("////", "\\\\\\\\", "||||", "----")


def _hatch_layers(ax, polygons, groups, colors, ranks):
    """One hatched collection per (group, rank > 0): pure colours over the filled first group."""
    import matplotlib
    from matplotlib.collections import PolyCollection

    layers = []
    keys = sorted({(g, r) for g, r in zip(groups, ranks, strict=True) if r > 0}, key=str)
    for group, rank in keys:
        chosen = [
            p for p, g, r in zip(polygons, groups, ranks, strict=True) if g == group and r == rank
        ]
        color = colors[group]
        with matplotlib.rc_context({"hatch.color": color, "hatch.linewidth": 0.9}):
            layer = PolyCollection(
                chosen,
                facecolors="none",
                edgecolors=[color],
                linewidths=0,
                hatch=HATCHES[(rank - 1) % len(HATCHES)],
                zorder=2.5,
            )
        ax.add_collection(layer)
        layers.append(layer)
    return layers


def _draw(
    ax,
    polygons,
    groups,
    filenames,
    colors,
    alpha,
    highlight,
    tolerance=None,
    stack_labels=True,
    ranks=None,
):
    """Add the footprints (one PolyCollection) and the highlight outlines to ``ax``.

    ``ranks`` (per polygon; 0 when omitted): an exposure in several groups is filled in its
    first group's colour (rank 0); its copies for the other groups are not filled but
    hatched and dash-outlined in their own colours, so colours never blend.
    """
    from matplotlib.collections import PolyCollection

    ranks = np.zeros(len(polygons), dtype=int) if ranks is None else np.asarray(ranks, int)
    first = ranks == 0
    face = np.array([colors[g] for g in groups]).reshape(-1, 4)
    edge = face.copy()
    face[:, 3] = np.where(first, alpha, 0.0)
    texts = []
    if tolerance is not None and first.any():
        # identical footprints (same pointing, e.g. several filters) would pile up into an
        # opaque block: share the opacity among them and say how many there are
        filled = [p for p, keep in zip(polygons, first, strict=True) if keep]
        keys, stack = _stack_keys(filled, tolerance)
        face[first, 3] = 1.0 - (1.0 - alpha) ** (1.0 / stack)
        edge[first, 3] = np.maximum(1.0 / stack, 0.3)
        # label the stacks ("x18 exposures", counting distinct files) when they are few
        names: dict[bytes, set[str]] = {}
        firsts: dict[bytes, np.ndarray] = {}
        kept = [f for f, keep in zip(filenames, first, strict=True) if keep]
        for poly, key, name in zip(filled, keys, kept, strict=True):
            names.setdefault(key, set()).add(name)
            firsts.setdefault(key, poly)
        stacked = [key for key, files in names.items() if len(files) > 1]
        if stack_labels and 0 < len(stacked) <= MAX_STACK_LABELS:
            for key in stacked:
                poly = firsts[key]
                cx = poly[:, 0].mean()
                cy = poly[:, 1].min() + 0.85 * np.ptp(poly[:, 1])
                texts.append(
                    ax.text(
                        cx,
                        cy,
                        f"\u00d7{len(names[key])} exposures",
                        ha="center",
                        va="center",
                        fontsize=8,
                        zorder=5,
                        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.7, "lw": 0},
                    )
                )
    styles = ["solid" if r == 0 else (3.0 * r, (3.0, 3.0)) for r in ranks]
    collection = PolyCollection(
        polygons, facecolors=face, edgecolors=edge, linewidths=0.8, linestyles=styles, zorder=2
    )
    ax.add_collection(collection)
    hatches = _hatch_layers(ax, polygons, groups, colors, ranks) if (ranks > 0).any() else []
    outline = None
    if highlight is not None:
        wanted = {exposure_key(h) for h in highlight}
        chosen = [p for p, f in zip(polygons, filenames, strict=True) if exposure_key(f) in wanted]
        outline = PolyCollection(
            chosen,
            facecolors="none",
            edgecolors="black",
            linewidths=highlight_width(len(chosen)),
            zorder=3,
        )
        ax.add_collection(outline)
    return collection, outline, texts, hatches


def _expand(fp: pd.DataFrame, labels: pd.DataFrame, transform):
    """One polygon per (row, group, shape), transformed to plot coordinates."""
    polys, groups, names = [], [], []
    shapes = fp["polygons"]
    fnames = fp["filename"]
    for row, group in zip(labels["row"].to_numpy(), labels["group"].to_numpy(), strict=False):
        for shape in shapes.at[row]:
            polys.append(shape)
            groups.append(group)
            names.append(str(fnames.at[row]))
    if not polys:
        return [], [], []
    sizes = [len(p) for p in polys]
    allv = transform(np.concatenate(polys))
    split = np.split(allv, np.cumsum(sizes)[:-1])
    return split, groups, names


def _new_ax(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        # constrained layout keeps the legend (outside, right) inside the figure
        _, ax = plt.subplots(figsize=(7.5, 6), layout="constrained")
    return ax


def plot_sky(
    data: Any,
    ax: Any = None,
    *,
    color_by: str | ColorBy | None = None,
    associations: Any = None,
    pool: pd.DataFrame | None = None,
    highlight: Iterable[str] | None = None,
    center: tuple[float, float] | None = None,
    show_target: bool = True,
    legend: bool = True,
    max_legend: int = 15,
    alpha: float = 0.25,
    title: str | None = None,
    footprint_frame: pd.DataFrame | None = None,
) -> FootprintPlot:
    """Draw exposure footprints on a tangent-plane projection of the sky.

    The plane is tangent at the target (the most frequent ``targ_ra``/``targ_dec`` of the
    science exposures) when known, else at the centre of the footprints; the axes are
    offsets from that point in arcsec, arcmin or degrees, chosen by the extent (as in
    :class:`asnkit.widgets.SkyView`), RA increasing to the left (east left, north up),
    equal scale on both axes.

    Parameters
    ----------
    data : DataFrame or AssociationSet
        A pool, or associations (then give ``pool=``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    color_by : str or ColorBy, optional
        ``"level3"``, ``"association"``, ``"dither"``, ``"tile"`` (numbered within each
        observation), ``"role"``, ``"none"`` or any pool column. Default: the Level 3
        associations when associations are given (one colour each), else see
        :func:`asnkit.sky.colors.default_color_by`.
    associations : optional
        Groups for ``color_by="level3"`` / ``"association"`` (AssociationSet, its frame,
        a frame with an association column, or a mapping filename -> group). An exposure
        in several associations is drawn once per association.
    pool : DataFrame, optional
        The pool, when ``data`` is associations.
    highlight : iterable of str, optional
        File names to outline in black.
    center : (ra, dec), optional
        Tangent point, degrees.
    show_target, legend : bool
        Mark the target; draw the legend (at most ``max_legend`` entries).
    alpha : float
        Fill opacity.
    title : str, optional
    footprint_frame : DataFrame, optional
        Precomputed :func:`asnkit.footprints` of the pool (saves time in widgets).

    Returns
    -------
    FootprintPlot
        The artists. When no exposure has sky information the schematic grid is drawn
        instead (see :func:`plot_grid`).

    Examples
    --------
    >>> import pandas as pd
    >>> pool = pd.DataFrame({"filename": ["a.fits", "b.fits"], "filter": ["f090w", "f200w"],
    ...     "s_region": ["POLYGON ICRS 10 0 10.1 0 10.1 0.1 10 0.1",
    ...                  "POLYGON ICRS 10.05 0 10.15 0 10.15 0.1 10.05 0.1"]})
    >>> out = plot_sky(pool, color_by="filter")
    >>> out.n_polygons, out.labels, out.unit.name
    (2, ['f090w', 'f200w'], 'arcmin')
    >>> bool(out.ax.xaxis_inverted())
    True
    >>> import matplotlib.pyplot as plt; plt.close(out.ax.figure)
    """
    pool, associations = pool_and_groups("plot_sky", data, pool, associations)
    fp = footprint_frame if footprint_frame is not None else footprints(pool)
    layout = sky_layout(pool, footprint_frame=fp, center=center)
    if layout.plane is Plane.SCHEMATIC:
        return plot_grid(
            pool,
            ax,
            color_by=color_by,
            associations=associations,
            highlight=highlight,
            legend=legend,
            max_legend=max_legend,
            alpha=alpha,
            footprint_frame=fp,
        )
    n_off = int((fp["source"] == FootprintSource.SCHEMATIC.value).sum())
    if n_off:
        warnings.warn(
            f"{n_off} exposure(s) without sky information are not drawn; "
            "asnkit.plot_grid shows them schematically",
            UserWarning,
            stacklevel=2,
        )
    ax = _new_ax(ax)
    groups_of = colouring(pool, layout, color_by, associations)
    x0, x1, y0, y1 = layout.extent
    unit = angle_unit(max(x1 - x0, y1 - y0))
    scale = 1.0 / unit.arcsec
    first_ring = np.searchsorted(layout.ring_exposure, np.arange(layout.n_exposures + 1))
    polys, groups, names, ranks = [], [], [], []
    items = zip(groups_of.item_exposure, groups_of.item_group, groups_of.ranks(), strict=True)
    for e, g, rank in items:
        for r in range(first_ring[e], first_ring[e + 1]):
            polys.append(layout.xy[layout.ring_start[r] : layout.ring_start[r + 1]] * scale)
            groups.append(groups_of.groups[g])
            names.append(str(layout.filenames[e]))
            ranks.append(rank)
    ordered, colors = groups_of.groups, groups_of.colors
    collection, outline, texts, hatches = _draw(
        ax, polys, groups, names, colors, alpha, highlight, tolerance=0.01 * scale, ranks=ranks
    )
    target = None
    extra = []
    if show_target and layout.target is not None:
        tx, ty, t_name = layout.target
        (target,) = ax.plot(
            [tx * scale],
            [ty * scale],
            marker="*",
            markersize=14,
            color="gold",
            markeredgecolor="black",
            linestyle="none",
            zorder=4,
            label=f"target {t_name}" if t_name else "target",
        )
        extra.append(target)
    ax.autoscale_view()
    ax.set_aspect("equal", adjustable="datalim")
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set_xlabel(f"\u0394RA [{unit.name}]   (east \u2190)")
    ax.set_ylabel(f"\u0394Dec [{unit.name}]   (north \u2191)")
    ax.grid(True, linewidth=0.4, alpha=0.5)
    ra0, dec0 = layout.center
    sign = "+" if dec0 >= 0 else "-"
    ax.set_title(
        title or f"Tangent plane at RA {ra0:.5f}\u00b0, Dec {sign}{abs(dec0):.5f}\u00b0",
        fontsize="medium",
    )
    leg = (
        draw_legend(ax, ordered, colors, groups_of.how, max_legend, groups, extra)
        if legend
        else None
    )
    return FootprintPlot(
        ax=ax,
        collection=collection,
        highlight=outline,
        target=target,
        legend=leg,
        texts=texts,
        hatches=hatches,
        labels=ordered,
        colors=colors,
        polygon_filenames=names,
        polygon_groups=groups,
        center=(ra0, dec0),
        unit=unit,
    )


def plot_grid(
    df: pd.DataFrame,
    ax: Any = None,
    *,
    color_by: str | ColorBy | None = None,
    associations: Any = None,
    highlight: Iterable[str] | None = None,
    legend: bool = True,
    max_legend: int = 15,
    alpha: float = 0.35,
    annotate: bool | None = None,
    title: str | None = None,
    footprint_frame: pd.DataFrame | None = None,
) -> FootprintPlot:
    """Draw the schematic dither/mosaic layout of a pool (no sky information needed).

    Each observation is a block, each mosaic tile a dashed cell and each dither position a
    small square in it (see :mod:`asnkit.sky.schematic`). Positions are a diagram, not sky
    coordinates, and the title says so.

    Parameters
    ----------
    df : DataFrame
        The pool.
    color_by, associations, highlight, legend, max_legend, alpha, title
        As for :func:`plot_sky`.
    annotate : bool, optional
        Write observation, tile and dither labels. By default observation and tile
        labels are written when there are at most 200 tiles, and dither labels when
        there are at most 150 dither positions.
    footprint_frame : ignored
        Accepted for symmetry with :func:`plot_sky`.

    Returns
    -------
    FootprintPlot

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    >>> out = plot_grid(pool)
    >>> out.n_polygons, out.labels
    (8, ['tile 1', 'tile 2'])
    >>> import matplotlib.pyplot as plt; plt.close(out.ax.figure)
    """
    del footprint_frame
    if not isinstance(df, pd.DataFrame):
        raise PoolTypeError(
            "plot_grid: df must be a pool DataFrame (asnkit.read_pool(path)), "
            f"not {type(df).__name__}"
        )
    ax = _new_ax(ax)
    pool = df.reset_index(drop=True)  # positions: safe with duplicated index labels
    layout = schematic_layout(pool)
    labels, how = color_labels(pool, color_by, associations)
    fp = pd.DataFrame(
        {
            "filename": pool["filename"].reindex(layout.index),
            "polygons": [[p] for p in layout["polygon"]],
        },
        index=layout.index,
    )
    polys, groups, names = _expand(fp, labels, lambda v: v)
    ordered = group_order(groups)
    colors = palette(ordered)
    collection, outline, texts, hatches = _draw(ax, polys, groups, names, colors, alpha, highlight)
    if len(layout):
        from matplotlib.patches import Rectangle

        cells = layout.groupby(["group", "tile"], sort=False)[["tile_x", "tile_y"]].first()
        spots = layout.groupby(["x", "y"], sort=False).agg(
            dither=("dither", "first"), n=("dither", "size"), size=("size", "first")
        )
        label_dithers = len(spots) <= 150 if annotate is None else annotate
        annotate = len(cells) <= 200 if annotate is None else annotate
        for (_group, tile), tx, ty in cells.itertuples(name=None):
            ax.add_patch(
                Rectangle(
                    (tx - 0.5, ty - 0.5),
                    1.0,
                    1.0,
                    fill=False,
                    linestyle="--",
                    linewidth=0.6,
                    edgecolor="0.5",
                    zorder=1,
                )
            )
            if annotate:
                texts.append(
                    ax.text(
                        tx - 0.47,
                        ty - 0.47,
                        f"tile {tile}",
                        fontsize=6,
                        color="0.35",
                        va="bottom",
                        ha="left",
                    )
                )
        if annotate:
            tops = layout.groupby("group", sort=False).agg(x=("tile_x", "min"), y=("tile_y", "max"))
            for group, gx, gy in tops.itertuples(name=None):
                texts.append(
                    ax.text(
                        gx - 0.5,
                        gy + 0.55,
                        str(group),
                        fontsize=8,
                        fontweight="bold",
                        va="bottom",
                        ha="left",
                    )
                )
        if label_dithers:
            for (x, y), dither, n, size in spots.itertuples(name=None):
                tag = f"d{dither}" + (f"\n\u00d7{n}" if n > 1 else "")
                texts.append(
                    ax.text(
                        x,
                        y,
                        tag,
                        fontsize=5 + 4 * size,
                        ha="center",
                        va="center",
                        zorder=5,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.6, "lw": 0},
                    )
                )
        ax.set_xlim(layout["tile_x"].min() - 0.7, layout["tile_x"].max() + 0.7)
        ax.set_ylim(layout["tile_y"].min() - 0.7, layout["tile_y"].max() + 1.0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    name = pool.attrs.get("asn_pool")
    ax.set_title(
        title
        or ("Schematic dither/mosaic layout (not sky positions)" + (f"\n{name}" if name else "")),
        fontsize="medium",
    )
    leg = draw_legend(ax, ordered, colors, how, max_legend, groups) if legend else None
    return FootprintPlot(
        ax=ax,
        collection=collection,
        highlight=outline,
        legend=leg,
        texts=texts,
        hatches=hatches,
        labels=ordered,
        colors=colors,
        polygon_filenames=names,
        polygon_groups=groups,
    )
