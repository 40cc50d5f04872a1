"""Notebook widgets: explore a pool, see its groupings on the sky, build an association.

* :class:`PoolExplorer` -- filters built from the pool's columns, live counts, table, summary;
* :class:`GroupingView` -- the sky plot with a picker of associations, dithers, tiles...;
* :class:`AssociationBuilder` -- choose exposures, type, product name and roles, see the
  validation live and export the JSON.

State lives in traitlets models (:mod:`asnkit.widgets.models`) and the work in plain
functions (:mod:`asnkit.widgets.logic`), so everything runs and is tested without a browser.
The same widgets are ``df.asn.explore()``, ``df.asn.show_groupings()`` and ``df.asn.build()``.
"""

from __future__ import annotations

from asnkit.widgets.builder import AssociationBuilder
from asnkit.widgets.explorer import PoolExplorer
from asnkit.widgets.grouping import GroupingView
from asnkit.widgets.models import BuilderModel, ExplorerModel, GroupingModel

__all__ = [
    "AssociationBuilder",
    "BuilderModel",
    "ExplorerModel",
    "GroupingModel",
    "GroupingView",
    "PoolExplorer",
]
