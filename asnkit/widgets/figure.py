"""A sky (or schematic) figure for the widgets: drawn once, highlighted cheaply, shown as PNG.

The figure is a plain :class:`matplotlib.figure.Figure` (no pyplot state, nothing shown
by itself). Widgets display :meth:`SkyFigure.png` in an ``ipywidgets.Image``, which works
in every Jupyter front end; with an interactive canvas (ipympl) mouse clicks reach
:meth:`SkyFigure.on_click` callbacks, and tests send the same events through the canvas.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from asnkit.sky.groups import exposure_key
from asnkit.sky.plot import FootprintPlot, plot_sky

__all__ = ["SkyFigure"]


class SkyFigure:
    """Footprints of a pool in one figure, with a highlight layer.

    Parameters
    ----------
    pool : DataFrame
    associations : optional
        For ``color_by="association"``.
    color_by : str, optional
        See :func:`asnkit.plot_sky`.
    footprint_frame : DataFrame, optional
        Precomputed :func:`asnkit.footprints` (computed once and reused when recolouring).
    figsize, dpi : figure size in inches and resolution of :meth:`png`.
    """

    def __init__(
        self,
        pool: pd.DataFrame,
        *,
        associations: Any = None,
        color_by: str | None = None,
        footprint_frame: pd.DataFrame | None = None,
        figsize: tuple[float, float] = (7.0, 5.0),
        dpi: int = 90,
    ) -> None:
        import warnings

        from matplotlib.figure import Figure

        from asnkit.sky.footprints import footprints

        self.pool = pool
        self.associations = associations
        self.dpi = dpi
        self.footprint_frame = footprint_frame if footprint_frame is not None else footprints(pool)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self._callbacks: list[Callable[[float, float], None]] = []
        self.figure.canvas.mpl_connect("button_press_event", self._clicked)
        self.plot: FootprintPlot
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # undrawn exposures: said in the UI
            self.draw(color_by)

    def draw(self, color_by: str | None = None) -> FootprintPlot:
        """(Re)draw the footprints coloured by ``color_by``; the highlight is cleared."""
        self.figure.clear()
        ax = self.figure.add_subplot()
        self.plot = plot_sky(
            self.pool,
            ax,
            color_by=color_by,
            associations=self.associations,
            highlight=[],
            footprint_frame=self.footprint_frame,
        )
        self._face = np.array(self.plot.collection.get_facecolor(), dtype=float).reshape(-1, 4)
        self._edge = np.array(self.plot.collection.get_edgecolor(), dtype=float).reshape(-1, 4)
        return self.plot

    def set_highlight(self, filenames: Iterable[str], group: str | None = None) -> int:
        """Outline these exposures (replacing the previous highlight); return how many polygons.

        With ``group``, only their polygons drawn for that colour group are outlined (an
        exposure in several associations is drawn once per association). While something
        is highlighted the other footprints are dimmed.
        """
        from asnkit.sky.plot import highlight_width

        wanted = {exposure_key(f) for f in filenames}
        plot = self.plot
        chosen = np.array(
            [
                exposure_key(name) in wanted and (group is None or label == group)
                for name, label in zip(plot.polygon_filenames, plot.polygon_groups, strict=True)
            ],
            dtype=bool,
        )
        paths = [
            p.vertices for p, keep in zip(plot.collection.get_paths(), chosen, strict=True) if keep
        ]
        plot.highlight.set_verts(paths)
        plot.highlight.set_linewidth(highlight_width(len(paths)))
        face, edge = self._face.copy(), self._edge.copy()
        if chosen.any():
            face[~chosen, 3] *= 0.25
            edge[~chosen, 3] *= 0.25
            face[chosen, 3] = np.maximum(face[chosen, 3], 0.35)
        plot.collection.set_facecolor(face)
        plot.collection.set_edgecolor(edge)
        return len(paths)

    @property
    def n_highlighted(self) -> int:
        """Polygons in the highlight layer."""
        return len(self.plot.highlight.get_paths())

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi, bbox_inches="tight")
        return buffer.getvalue()

    def footprints_at(self, x: float, y: float) -> list[str]:
        """File names of the footprints drawn under data point (x, y)."""
        from asnkit.widgets.logic import footprints_at

        return footprints_at(self.plot.collection.get_paths(), self.plot.polygon_filenames, x, y)

    def on_click(self, callback: Callable[[float, float], None]) -> None:
        """Call ``callback(x, y)`` (data coordinates) when the plot is clicked."""
        self._callbacks.append(callback)

    def _clicked(self, event: Any) -> None:
        if event.inaxes is not self.plot.ax or event.xdata is None:
            return
        for callback in self._callbacks:
            callback(float(event.xdata), float(event.ydata))
