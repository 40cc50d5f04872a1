"""GroupingView: footprints coloured by a grouping; pick a group to highlight and list it."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from asnkit.widgets import logic
from asnkit.widgets.figure import SkyFigure
from asnkit.widgets.models import GroupingModel

__all__ = ["GroupingView"]


class GroupingView(w.VBox):
    """The sky plot of a pool with a picker of groupings and groups.

    Choose a grouping (``association`` when associations are given, ``dither``,
    ``tile``, or a pool column): the footprints are coloured by it. Choose a group:
    its members are outlined on the plot and listed below. Pools without sky
    information show the schematic dither/mosaic grid instead.

    Parameters
    ----------
    data : DataFrame or AssociationSet
        The pool, or associations (then pass ``pool=``).
    pool : DataFrame, optional
    associations : optional
        Associations of the pool (AssociationSet, a frame with an association column,
        or a mapping filename -> group); enables the ``association`` grouping.
    grouping : str, optional
        The grouping shown first.

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_024_nirspec_fss_nods"))
    >>> view = GroupingView(pool, grouping="dither")
    >>> view.picker.value = "obs_num"
    >>> view.groups.value = "2"
    >>> len(view.model.members), view.figure.n_highlighted
    (8, 8)
    """

    def __init__(
        self,
        data: Any,
        *,
        pool: pd.DataFrame | None = None,
        associations: Any = None,
        grouping: str | None = None,
        max_rows: int = 100,
        **kwargs: Any,
    ) -> None:
        if isinstance(data, pd.DataFrame):
            pool = data
        elif pool is None:
            raise ValueError("GroupingView(associations) needs the pool: pool=df")
        else:
            associations = data
        self.max_rows = max_rows
        self.model = GroupingModel(pool, associations)
        if grouping is not None:
            self.model.grouping = grouping
        self.figure = SkyFigure(
            pool, associations=self.model.associations, color_by=self.model.color_by
        )
        self.picker = w.Dropdown(
            options=self.model.options, value=self.model.grouping, description="group by"
        )
        self.groups = w.Select(
            options=[], rows=12, description="group", layout=w.Layout(width="98%")
        )
        self.image = w.Image(format="png", layout=w.Layout(max_width="720px", object_fit="contain"))
        self.members = w.HTML(layout=w.Layout(max_height="360px", overflow="auto"))
        self.note = w.HTML()
        w.link((self.picker, "value"), (self.model, "grouping"))
        self.groups.observe(self._group_chosen, names="value")
        self.model.observe(self._regrouped, names="groups")
        self.model.observe(self._members_changed, names="members")
        self._fill_groups()
        self._show()
        super().__init__(
            [
                w.HBox(
                    [
                        w.VBox(
                            [self.picker, self.groups, self.note],
                            layout=w.Layout(width="380px", min_width="300px"),
                        ),
                        self.image,
                    ]
                ),
                self.members,
            ],
            **kwargs,
        )

    # ----------------------------------------------------------------- events
    def _fill_groups(self) -> None:
        self.groups.options = [("(none)", "")] + [
            (f"{label} ({size})", label) for label, size in self.model.groups
        ]
        self.groups.value = ""

    def _regrouped(self, _change: Any) -> None:
        self.figure.associations = self.model.associations
        self.figure.draw(self.model.color_by)
        self._fill_groups()
        self._show()

    def _group_chosen(self, change: Any) -> None:
        self.model.group = change["new"] or ""

    def _members_changed(self, _change: Any) -> None:
        self._show()

    def _show(self) -> None:
        self.figure.set_highlight(self.model.members, group=self.model.group or None)
        self.image.value = self.figure.png()
        sources = self.figure.footprint_frame["source"].value_counts()
        on_sky = int(sources.get("s_region", 0) + sources.get("pointing", 0))
        self.note.value = (
            f"<small>{on_sky} footprint(s) on the sky, "
            f"{int(sources.get('schematic', 0))} without sky information</small>"
        )
        if self.model.group:
            rows = self.model.member_frame
            self.members.value = (
                f"<b>{logic.escape(self.model.group)}</b>: {len(self.model.members)} "
                f"exposure(s){logic.frame_html(rows, max_rows=self.max_rows)}"
            )
        else:
            self.members.value = "<i>choose a group to highlight and list its members</i>"
