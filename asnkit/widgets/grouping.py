"""GroupingView: the sky coloured by a grouping; pick a group to light up and list its members."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from asnkit.sky.colors import short_labels
from asnkit.sky.groups import pool_and_groups
from asnkit.widgets import logic
from asnkit.widgets.models import GroupingModel
from asnkit.widgets.skyview import SkyView

__all__ = ["GroupingView"]


class GroupingView(w.VBox):
    """A pool's exposures on the sky, grouped: associations, dithers, mosaic tiles, columns.

    The sky (a :class:`SkyView`) is coloured by the grouping chosen in its *colour by*
    menu: by default the Level 3 associations when associations are given (what the
    pipeline combines), else the mosaic tiles (numbered within each observation) or the
    dither positions. Pick a group in the list (or click its legend entry): its members
    light up on the sky and are listed below. Any selection made on the sky (click, box,
    lasso) is listed too. *One panel per group* shows small multiples, one panel per
    association, for a whole program at a glance. Pools without sky information show
    the schematic layout of observations, tiles and dither positions.

    Parameters
    ----------
    data : DataFrame or AssociationSet
        The pool, or associations (then pass ``pool=``).
    pool : DataFrame, optional
    associations : optional
        Associations of the pool (AssociationSet, a frame with an association column,
        or a mapping filename -> group).
    grouping : str, optional
        The grouping shown first (a ``color_by`` of :func:`asnkit.plot_sky`).
    panels : bool
        Start with one panel per group.
    max_rows : int
        Members listed at most.
    height : int
        Height of the sky in pixels.

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_024_nirspec_fss_nods"))
    >>> view = GroupingView(pool, grouping="obs_num")
    >>> view.groups.value = "2"
    >>> len(view.model.members), len(view.sky.selected)
    (8, 8)
    """

    def __init__(
        self,
        data: Any,
        *,
        pool: pd.DataFrame | None = None,
        associations: Any = None,
        grouping: str | None = None,
        panels: bool = False,
        max_rows: int = 100,
        height: int = 460,
        **kwargs: Any,
    ) -> None:
        pool, associations = pool_and_groups("GroupingView", data, pool, associations)
        self.max_rows = max_rows
        self.model = GroupingModel(pool, associations)
        if grouping is not None:
            self.model.grouping = grouping
        self.sky = SkyView(
            pool,
            associations=associations,
            color_by=self.model.grouping,
            panels=panels,
            height=height,
            layout=w.Layout(flex="1 1 auto", width="auto"),
        )
        self.groups = w.Select(options=[], rows=16, layout=w.Layout(width="98%"))
        self.members = w.HTML(layout=w.Layout(max_height="320px", overflow="auto"))
        self.note = w.HTML()
        self._syncing = False
        w.link((self.sky, "color_by"), (self.model, "grouping"))
        self.groups.observe(self._group_chosen, names="value")
        self.model.observe(self._regrouped, names="groups")
        self.model.observe(self._members_changed, names="members")
        self.sky.observe(self._sky_selected, names="selected")
        self._fill_groups()
        self._list()
        side = w.VBox(
            [
                w.HTML("<b>Groups</b>: pick one to light up its members"),
                self.groups,
                self.note,
            ],
            layout=w.Layout(width="340px", min_width="260px"),
        )
        super().__init__([w.HBox([side, self.sky]), self.members], **kwargs)

    # ----------------------------------------------------------------- events
    def _fill_groups(self) -> None:
        labels = [label for label, _ in self.model.groups]
        short = short_labels(labels)  # as the legend: the words that tell them apart
        if len(set(short.values())) < len(short):
            short = {label: label for label in labels}
        self._syncing = True
        try:
            self.groups.options = [("(none)", "")] + [
                (f"{short[label]} ({size})", label) for label, size in self.model.groups
            ]
            self.groups.value = ""
        finally:
            self._syncing = False
        layout = self.sky.geometry
        named = {value: label for label, value in self.sky.color_options}
        how = logic.escape(named.get(self.model.grouping, self.model.grouping))
        self.note.value = (
            f"<small>{how}: {len(self.model.groups)} group(s); "
            + (
                f"{layout.n_exposures} footprint(s) on the sky"
                + (f", {layout.undrawn} without sky information" if layout.undrawn else "")
                if layout.plane.value == "sky"
                else "no sky information: schematic layout"
            )
            + "</small>"
        )

    def _regrouped(self, _change: Any) -> None:
        self._fill_groups()
        self.sky.selected = []
        self._list()

    def _group_chosen(self, change: Any) -> None:
        if not self._syncing:
            self.model.group = change["new"] or ""

    def _members_changed(self, _change: Any) -> None:
        if not self._syncing:
            self.sky.selected = list(self.model.members)
        self._list()

    def _sky_selected(self, change: Any) -> None:
        if self._syncing or set(change["new"]) == set(self.model.members):
            self._list()
            return
        group = self.model.group_of(change["new"])
        self._syncing = True
        try:
            self.groups.value = group
            self.model.group = group
        finally:
            self._syncing = False
        self._list()

    def _list(self) -> None:
        chosen = self.sky.selected
        pool = self.model.pool
        if not chosen:
            self.members.value = "<i>pick a group (or select footprints on the sky)</i>"
            return
        rows = pool.loc[pool["filename"].isin(chosen)]
        title = logic.escape(self.model.group) if self.model.group else "selection"
        self.members.value = (
            f"<b>{title}</b>: {len(rows)} exposure(s)"
            f"{logic.frame_html(rows, max_rows=self.max_rows)}"
        )
