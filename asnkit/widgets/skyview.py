"""SkyView: the footprints of a pool in the browser, to look at, hover, zoom and select.

An `anywidget <https://anywidget.dev>`_ widget: its front end is one ES module shipped in
the package (``static/skyview.js``, drawing on a canvas; no CDN, no tile server), so it
works offline in JupyterLab 4, Notebook 7 and on Binder. Geometry is sent once as binary
arrays; pan, zoom, hover and drawing happen in the browser. A box, lasso, click or legend
entry comes back as geometry and :class:`~asnkit.widgets.selection.SkySelector` decides
what it takes, so every selection rule runs (and is tested) in Python.

The same widget is ``df.asn.sky(...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import anywidget
import numpy as np
import pandas as pd
import traitlets as tl

from asnkit.errors import PoolKeyError
from asnkit.sky.colors import default_color_by, short_labels
from asnkit.sky.footprints import footprints
from asnkit.sky.groups import pool_and_groups
from asnkit.sky.layout import Colouring, Plane, SkyLayout, colouring, sky_layout
from asnkit.widgets.assets import asset
from asnkit.widgets.logic import color_options, known_names
from asnkit.widgets.selection import SelectOp, SkySelector, combine, op_for

__all__ = ["TOOLTIP_FIELDS", "SkyView", "tooltip_table"]

#: What the hover tooltip says about an exposure (besides its file name), in this order.
TOOLTIP_FIELDS = (
    "observation",
    "visit",
    "filter/pupil",
    "detector",
    "dither position",
    "mosaic tile",
    "exposure type",
)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped text, "" when missing (worked on the distinct values)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    codes, distinct = pd.factorize(frame[column], use_na_sentinel=True)
    text = np.array([str(v).strip() for v in distinct] + [""], dtype=object)
    return pd.Series(text[codes], index=frame.index, dtype=object)


def tooltip_table(pool: pd.DataFrame) -> pd.DataFrame:
    """The tooltip of each pool row: one text column per :data:`TOOLTIP_FIELDS` entry."""
    from asnkit.pool.labels import label_positions
    from asnkit.sky.schematic import position_indices

    rows = pool.reset_index(drop=True)
    labels = label_positions(rows)
    positions = position_indices(rows, labels)
    filt, pupil = _text(rows, "filter"), _text(rows, "pupil")
    both = filt.where(pupil == "", filt + " / " + pupil)
    dither = labels["dither_position"].astype("Int64").astype("string").fillna("")
    points = labels["dither_points"].astype("Int64").astype("string").fillna("")
    dither = dither.where((dither == "") | (points == ""), dither + " of " + points)
    tile = labels["mosaic_tile"].astype("Int64").astype("string").fillna("")
    tile = tile.where(tile == "", "tile " + tile + " of " + positions["group"].astype(str))
    return pd.DataFrame(
        {
            "observation": _text(rows, "obs_num"),
            "visit": _text(rows, "visit"),
            "filter/pupil": both,
            "detector": _text(rows, "detector"),
            "dither position": dither.astype(object),
            "mosaic tile": tile.astype(object),
            "exposure type": _text(rows, "exp_type"),
        }
    )[list(TOOLTIP_FIELDS)]


def _stack_counts(layout: SkyLayout, tolerance: float) -> np.ndarray:
    """How many drawn exposures share each exposure's outline (same vertices within tolerance)."""
    keys: list[bytes] = [b""] * layout.n_exposures
    for r in range(layout.n_rings):
        ring = layout.xy[layout.ring_start[r] : layout.ring_start[r + 1]]
        e = layout.ring_exposure[r]
        keys[e] += np.round(ring / tolerance).astype(np.int64).tobytes()
    codes: dict[bytes, int] = {}
    index = np.array([codes.setdefault(k, len(codes)) for k in keys], dtype=np.int64)
    return np.bincount(index, minlength=len(codes))[index] if len(index) else index


def _float32(layout: SkyLayout) -> SkyLayout:
    """The layout with coordinates as the browser holds them (float32), for Python geometry."""
    from dataclasses import replace

    return replace(
        layout,
        xy=layout.xy.astype(np.float32).astype(float),
        centres=layout.centres.astype(np.float32).astype(float),
        _index={},
    )


def _hex(rgba: Sequence[float]) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


class SkyView(anywidget.AnyWidget):
    """Exposure footprints on the sky, interactive in the browser.

    Drawn on the tangent plane at the target, RA increasing to the left and north up,
    axes in arcsec, arcmin or degrees by the extent shown, the target marked with a star.
    Pools without sky information get the schematic layout of observations, tiles and
    dither positions (:func:`asnkit.plot_grid`).

    In the browser (no kernel round trip): wheel to zoom, drag to pan (*pan* tool),
    *reset view*; hovering a footprint names its file, observation, visit, filter/pupil,
    detector, dither position and mosaic tile. Selecting: a click toggles the exposure
    under the pointer; the *box* and *lasso* tools take the exposures whose centre lies
    inside (Shift adds, Alt removes); a legend entry selects its group. The selection is
    :attr:`selected` (pool file names); setting it from Python highlights the footprints.

    Parameters
    ----------
    data : DataFrame or AssociationSet
        The pool, or associations (then pass ``pool=``).
    pool : DataFrame, optional
    associations : optional
        Associations of the pool (AssociationSet, a frame with an association column, a
        mapping filename -> group): colour by them; an exposure in several is drawn once
        per association, with a striped outline.
    color_by : str, optional
        ``"level3"``, ``"association"``, ``"dither"``, ``"tile"``, ``"role"``, ``"none"``
        or a pool column; default: the Level 3 associations when given, else
        :func:`asnkit.sky.colors.default_color_by`.
    selected : iterable of str
        File names selected at first.
    footprint_frame : DataFrame, optional
        :func:`asnkit.footprints` of the pool, when already computed.
    center : (ra, dec), optional
        Tangent point in degrees.
    tool : {"pan", "box", "lasso"}
        What dragging does at first.
    height : int
        Height of the plot in pixels.

    Attributes
    ----------
    selected : list of str
        The selection (traitlet): set by the browser's gestures, and sent back to it, as the
        indices of the drawn exposures (``_selection``, int32) rather than as text, so that
        selecting 10,000 footprints stays quick; observe it, or set it to highlight.
    geometry : SkyLayout
        Where every exposure is drawn (plane coordinates: arcsec offsets on the sky).
    colouring : Colouring
        The colour groups of :attr:`color_by`.

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    >>> view = SkyView(pool, color_by="tile")
    >>> view.colouring.groups[:2]
    ['obs 1 tile 1', 'obs 1 tile 2']
    >>> view.select_group("obs 1 tile 1")
    >>> len(view.selected)
    20
    """

    selected = tl.List()
    color_by = tl.Unicode("").tag(sync=True)
    color_options = tl.List().tag(sync=True)
    tool = tl.Enum(("pan", "box", "lasso"), "pan").tag(sync=True)
    panels = tl.Bool(False).tag(sync=True)
    legend = tl.Bool(True).tag(sync=True)
    height = tl.Int(440).tag(sync=True)
    _geometry = tl.Dict().tag(sync=True)
    _colors = tl.Dict().tag(sync=True)
    _selectable = tl.Bytes(b"").tag(sync=True)
    _selection = tl.Bytes(b"").tag(sync=True)
    _ack = tl.Int(0).tag(sync=True)
    _esm = tl.Unicode().tag(sync=True)
    _css = tl.Unicode().tag(sync=True)

    @tl.default("_esm")
    def _default_esm(self) -> str:
        return asset("skyview.js")

    @tl.default("_css")
    def _default_css(self) -> str:
        return asset("skyview.css")

    def __init__(
        self,
        data: Any,
        *,
        pool: pd.DataFrame | None = None,
        associations: Any = None,
        color_by: str | None = None,
        selected: Iterable[str] = (),
        footprint_frame: pd.DataFrame | None = None,
        center: tuple[float, float] | None = None,
        tool: str = "pan",
        height: int = 440,
        **kwargs: Any,
    ) -> None:
        pool, associations = pool_and_groups("SkyView", data, pool, associations)
        self.pool = pool
        self._pool_names: frozenset[str] | None = None  # (made when a selection is checked)
        self.associations = associations
        self.footprint_frame = footprint_frame if footprint_frame is not None else footprints(pool)
        self.geometry = _float32(
            sky_layout(pool, footprint_frame=self.footprint_frame, center=center)
        )
        self._selectable_mask = np.ones(self.geometry.n_exposures, dtype=bool)
        self.colouring: Colouring
        options = color_options(pool, associations)
        chosen = str(color_by) if color_by is not None else default_color_by(pool, associations)
        if chosen not in [value for _, value in options]:
            options.append((chosen, chosen))
        super().__init__(
            color_options=[list(o) for o in options], tool=tool, height=height, **kwargs
        )
        self._geometry = self._geometry_message()
        self.color_by = chosen  # the observer below sends the colours
        self.selected = [str(s) for s in selected]
        self.on_msg(self._on_msg)

    # ----------------------------------------------------------------- data for the browser
    def _geometry_message(self) -> dict[str, Any]:
        lay = self.geometry
        info = tooltip_table(self.pool).iloc[lay.rows]
        tolerance = 0.01 if lay.plane is Plane.SKY else 1e-6
        target = None
        if lay.target is not None:
            target = [lay.target[0], lay.target[1], lay.target[2] or ""]
        x0, x1, y0, y1 = lay.extent
        return {
            "plane": str(lay.plane),
            "xy": lay.xy.astype(np.float32).tobytes(),
            "ring_start": lay.ring_start.astype(np.int32).tobytes(),
            "ring_exposure": lay.ring_exposure.astype(np.int32).tobytes(),
            "centres": lay.centres.astype(np.float32).tobytes(),
            "stack": _stack_counts(lay, tolerance).astype(np.int32).tobytes(),
            "filenames": [str(n) for n in lay.filenames],
            "info": {
                "fields": list(TOOLTIP_FIELDS),
                "values": [info[f].astype(str).tolist() for f in TOOLTIP_FIELDS],
            },
            "target": target,
            "extent": [x0, x1, y0, y1],
        }

    @tl.observe("color_by")
    def _color_by_changed(self, _change: Any) -> None:
        self._recolour()

    def _recolour(self) -> None:
        self.colouring = colouring(
            self.pool, self.geometry, self.color_by or None, self.associations
        )
        c = self.colouring
        counts = c.counts()
        short = short_labels(c.groups)
        self._colors = {
            "how": c.how,
            "groups": [
                {"label": g, "short": short[g], "color": _hex(c.colors[g]), "count": counts[g]}
                for g in c.groups
            ],
            "item_exposure": c.item_exposure.astype(np.int32).tobytes(),
            "item_group": c.item_group.astype(np.int32).tobytes(),
        }

    # ----------------------------------------------------------------- what can be selected
    @property
    def selectable(self) -> np.ndarray:
        """Boolean mask per exposure of :attr:`geometry`: drawn and selectable."""
        return self._selectable_mask.copy()

    def show_only(self, filenames: Iterable[str] | None) -> None:
        """Draw and offer only these exposures (None: all). The selection is kept."""
        mask = np.ones(self.geometry.n_exposures, dtype=bool)
        if filenames is not None:
            mask[:] = False
            mask[self.geometry.index_of(filenames)] = True
        self._selectable_mask = mask
        self._selectable = b"" if mask.all() else mask.astype(np.uint8).tobytes()

    def selector(self, group: str | None = None) -> SkySelector:
        """The selection geometry; with ``group``, only that colour group's exposures."""
        mask = self._selectable_mask
        if group:
            in_group = np.zeros_like(mask)
            in_group[self.colouring.members(group)] = True
            mask = mask & in_group
        return SkySelector(self.geometry, self.colouring, mask)

    # ----------------------------------------------------------------- selecting
    def _apply(self, taken: Sequence[str], op: SelectOp | str) -> None:
        self.selected = combine(self.selected, taken, op)

    def select_box(
        self,
        corner: Sequence[float],
        other: Sequence[float],
        op: SelectOp | str = SelectOp.REPLACE,
        *,
        group: str | None = None,
    ) -> None:
        """Select the exposures whose centre lies in a box (plane coordinates)."""
        self._apply(self.selector(group).box(corner, other), op)

    def select_lasso(
        self, points: Any, op: SelectOp | str = SelectOp.REPLACE, *, group: str | None = None
    ) -> None:
        """Select the exposures whose centre lies inside a polygon (plane coordinates)."""
        self._apply(self.selector(group).lasso(points), op)

    def click(
        self, x: float, y: float, op: SelectOp | str = SelectOp.TOGGLE, *, group: str | None = None
    ) -> list[str]:
        """Toggle (or add / remove) the exposure under plane point (x, y); return it."""
        taken = self.selector(group).click(x, y)
        self._apply(taken, op)
        return taken

    def select_group(self, label: str, op: SelectOp | str = SelectOp.REPLACE) -> None:
        """Select the exposures of a colour group (a legend entry)."""
        self._apply(self.selector().group(label), op)

    def clear(self) -> None:
        """Select nothing."""
        self.selected = []

    def receive(self, message: dict[str, Any]) -> None:
        """Apply a message as the browser sends it (``{"event": "box", ...}``).

        ``event`` is ``box`` (``a``, ``b``: opposite corners), ``lasso`` (``points``),
        ``click`` (``x``, ``y``), ``legend`` (``group``) or ``clear``; ``shift`` adds,
        ``alt`` removes; ``group`` limits a gesture to one panel of the small multiples.
        Messages that do not fit are ignored (they come from a browser).
        """
        event = message.get("event")
        shift, alt = bool(message.get("shift")), bool(message.get("alt"))
        panel = message.get("group") or None
        try:
            if event == "box":
                op = op_for(shift=shift, alt=alt, default=SelectOp.REPLACE)
                self.select_box(message["a"], message["b"], op, group=panel)
            elif event == "lasso":
                op = op_for(shift=shift, alt=alt, default=SelectOp.REPLACE)
                self.select_lasso(message["points"], op, group=panel)
            elif event == "click":
                op = op_for(shift=shift, alt=alt, default=SelectOp.TOGGLE)
                self.click(float(message["x"]), float(message["y"]), op, group=panel)
            elif event == "legend":
                op = op_for(shift=shift, alt=alt, default=SelectOp.REPLACE)
                self.select_group(str(message["group"]), op)
            elif event == "clear":
                self.clear()
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # a malformed message from the front end changes nothing
        finally:
            seq = message.get("seq")
            if isinstance(seq, int):
                self._ack = seq

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict):
            with self.hold_sync():  # the new selection and its acknowledgement in one message
                self.receive(content)

    @tl.validate("selected")
    def _unique(self, proposal: Any) -> list[str]:
        if not proposal["value"]:
            return []
        known = self._pool_names
        if known is None:  # (a pool without file names has none to select)
            files = self.pool.get("filename", pd.Series(dtype=object))
            known = self._pool_names = frozenset(map(str, files))
        try:
            return known_names(proposal["value"], known)
        except PoolKeyError as exc:
            raise PoolKeyError(f"selected: {exc.args[0]}") from None

    @tl.observe("selected")
    def _send_selection(self, change: Any) -> None:
        # the browser gets the drawn exposures' indices (int32), not a list of file names
        self._selection = self.geometry.index_of(change["new"]).astype(np.int32).tobytes()
