"""Sky footprints and plots: where each exposure, dither position and mosaic tile falls.

:func:`footprints` gives each exposure its sky polygon (from ``S_REGION``, else rebuilt
from the pointing keywords with pysiaf apertures, else a schematic position);
:func:`plot_sky` draws them on a tangent-plane projection; :func:`plot_grid` draws the
schematic dither/mosaic layout of pools without sky information; :func:`ds9_regions`
exports the footprints as a DS9 region file (and :func:`to_regions` as ``regions``
objects). The interactive view is :class:`asnkit.widgets.SkyView`.
"""

from __future__ import annotations

from asnkit.sky.export import ds9_regions, to_regions, write_ds9
from asnkit.sky.footprints import FootprintSource, footprints
from asnkit.sky.plot import plot_grid, plot_sky

__all__ = [
    "FootprintSource",
    "ds9_regions",
    "footprints",
    "plot_grid",
    "plot_sky",
    "to_regions",
    "write_ds9",
]
