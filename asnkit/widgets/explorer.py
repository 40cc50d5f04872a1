"""PoolExplorer: filter a pool with controls built from its columns, see counts, table, summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w
import pandas as pd

from asnkit.widgets import logic
from asnkit.widgets.debounce import Debouncer
from asnkit.widgets.models import ExplorerModel

__all__ = ["PoolExplorer"]


class PoolExplorer(w.VBox):
    """Interactive filters on an association pool.

    One multiple-choice control per useful column (program, observation, instrument,
    exp_type, detector, optical elements...; values with their live counts), a file-name
    search, the number of selected exposures, and the selection as a table and as a
    :func:`asnkit.summary`. The state is :attr:`model` (an
    :class:`~asnkit.widgets.models.ExplorerModel`); the selection is :attr:`selection`.

    Parameters
    ----------
    df : DataFrame
        The pool (not modified).
    columns : list of str, optional
        Filter columns (default: :func:`asnkit.widgets.logic.filter_columns`).
    max_rows : int
        Rows shown in the table.
    debounce : float
        Seconds to wait after the last change before redrawing table and summary.
    tables : bool
        Show the table and summary tabs (the builder shows only the filters).

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_018_all_exptypes"))
    >>> explorer = PoolExplorer(pool)
    >>> explorer.filters["exp_type"].value = ("nrs_fixedslit", "nrs_msaspec")
    >>> explorer.model.n_selected, len(explorer.selection), explorer.count.value
    (4, 4, '<b>4</b> of 73 exposures selected (2 junk rows of the pool left out)')
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        columns: Iterable[str] | None = None,
        max_rows: int = 50,
        debounce: float = 0.15,
        tables: bool = True,
        **kwargs: Any,
    ) -> None:
        self.model = ExplorerModel(df, columns=columns)
        self.tables = tables
        self.max_rows = max_rows
        self._syncing = False
        self.filters: dict[str, w.SelectMultiple] = {}
        for column in self.model.columns:
            col = self.model.index[column]
            control = w.SelectMultiple(
                options=logic.option_labels(col, self.model.counts[column]),
                rows=min(6, len(col.values) + 1),
                description=column,
                layout=w.Layout(width="240px"),
                style={"description_width": "70px"},
            )
            control.observe(self._filter_changed, names="value")
            self.filters[column] = control
        self.pattern = w.Text(
            placeholder="file name contains... (or a glob: *nrca1*)",
            description="filename",
            continuous_update=True,
            layout=w.Layout(width="420px"),
        )
        self.reset_button = w.Button(description="Reset filters", icon="undo")
        self.count = w.HTML()
        scroll = {"max_height": "320px", "overflow": "auto"}
        self.table = w.HTML(layout=w.Layout(**scroll))
        self.summary = w.HTML(layout=w.Layout(**scroll))
        self.tabs = w.Tab(children=[self.table, self.summary])
        self.tabs.set_title(0, "Exposures")
        self.tabs.set_title(1, "Summary")
        self._redraw = Debouncer(self._render, wait=debounce)
        self._pattern_update = Debouncer(self._apply_pattern, wait=debounce)
        self.pattern.observe(lambda _: self._pattern_update(), names="value")
        self.reset_button.on_click(lambda _: self.reset())
        self.model.observe(self._model_changed, names="revision")
        grid = w.GridBox(
            list(self.filters.values()),
            layout=w.Layout(grid_template_columns="repeat(auto-fill, 250px)"),
        )
        parts = [grid, w.HBox([self.pattern, self.reset_button]), self.count]
        super().__init__([*parts, self.tabs] if tables else parts, **kwargs)
        self._render()

    # ----------------------------------------------------------------- public
    @property
    def selection(self) -> pd.DataFrame:
        """The selected exposures as a new DataFrame."""
        return self.model.selection

    def reset(self) -> None:
        """Clear every filter."""
        self._syncing = True
        try:
            for control in self.filters.values():
                control.value = ()
            self.pattern.value = ""
        finally:
            self._syncing = False
        self.model.reset()

    # ----------------------------------------------------------------- events
    def _filter_changed(self, _change: Any) -> None:
        if self._syncing:
            return
        self.model.selections = {
            column: list(control.value) for column, control in self.filters.items()
        }

    def _apply_pattern(self) -> None:
        self.model.pattern = self.pattern.value

    def _model_changed(self, _change: Any) -> None:
        self.count.value = self._count_html()
        self._redraw()

    def _count_html(self) -> str:
        m = self.model
        junk = f" ({m.n_junk} junk row{'s' if m.n_junk != 1 else ''} of the pool left out)"
        return f"<b>{m.n_selected}</b> of {m.n_total} exposures selected" + (
            junk if m.n_junk else ""
        )

    def _render(self) -> None:
        """Refresh option counts, count, table and summary."""
        self._syncing = True
        try:
            for column, control in self.filters.items():
                chosen = control.value
                labels = logic.option_labels(self.model.index[column], self.model.counts[column])
                if labels != list(control.options):
                    control.options = labels
                    control.value = tuple(v for v in chosen if v in dict(labels).values())
        finally:
            self._syncing = False
        self.count.value = self._count_html()
        if not self.tables:
            return
        selection = self.model.selection
        self.table.value = logic.frame_html(selection, max_rows=self.max_rows)
        self.summary.value = _summary_html(selection)


def _summary_html(selection: pd.DataFrame) -> str:
    if selection.empty:
        return "<i>no exposure selected</i>"
    from asnkit.pool.summary import summary

    try:
        table = summary(selection)
    except (KeyError, ValueError) as exc:  # pools without the usual columns
        return f"<i>no summary: {logic.escape(exc)}</i>"
    return logic.frame_html(table, max_rows=200, columns=list(table.columns))
