"""Sky footprints and plots: where each exposure, dither position and mosaic tile falls.

:func:`footprints` gives each exposure its sky polygon (from ``S_REGION``, else rebuilt
from the pointing keywords with pysiaf apertures, else a schematic position);
:func:`plot_sky` draws them on a tangent-plane projection; :func:`plot_grid` draws the
schematic dither/mosaic layout of pools without sky information.
"""

from __future__ import annotations

from asnkit.sky.footprints import FootprintSource, footprints
from asnkit.sky.plot import plot_grid, plot_sky

__all__ = ["FootprintSource", "footprints", "plot_grid", "plot_sky"]
