"""Notebook widgets: explore a pool, see its groupings on the sky, build an association.

* :class:`SkyView` -- the footprints in the browser: pan, zoom, hover, box / lasso / click
  selection (an anywidget module shipped in the package; works offline);
* :class:`PoolExplorer` -- filters built from the pool's columns, live counts, table, summary;
* :class:`GroupingView` -- the sky view with a picker of associations, dithers, tiles...;
* :class:`AssociationBuilder` -- on one screen: filters, a table of exposures with roles,
  the sky beside it (both select), the live check and *Export*.

State lives in traitlets models (:mod:`asnkit.widgets.models`) and the work in plain
functions (:mod:`asnkit.widgets.logic`), so everything runs and is tested without a browser.
The same widgets are ``df.asn.sky()``, ``df.asn.explore()``, ``df.asn.show_groupings()`` and
``df.asn.build()``.
"""

from __future__ import annotations

from asnkit.widgets.builder import AssociationBuilder
from asnkit.widgets.explorer import PoolExplorer
from asnkit.widgets.grouping import GroupingView
from asnkit.widgets.models import BuilderModel, ExplorerModel, GroupingModel
from asnkit.widgets.skyview import SkyView

__all__ = [
    "AssociationBuilder",
    "BuilderModel",
    "ExplorerModel",
    "GroupingModel",
    "GroupingView",
    "PoolExplorer",
    "SkyView",
]
