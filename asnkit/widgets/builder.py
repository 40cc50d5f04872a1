"""AssociationBuilder: choose exposures on the sky or in a table, check live, export JSON."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as tl

from asnkit.widgets import logic
from asnkit.widgets.assets import asset
from asnkit.widgets.explorer import PoolExplorer
from asnkit.widgets.models import BuilderModel
from asnkit.widgets.skyview import SkyView
from asnkit.widgets.table import ExposureTable

__all__ = ["AssociationBuilder"]


class AssociationBuilder(w.VBox):
    """Build a custom association from a pool, on one screen.

    * **Filters** (collapsible): narrow what the table lists and the sky shows.
    * **Table** of exposures: sort by any column, tick rows to choose them, pick a role
      for chosen ones (the pipeline's own, *auto*, unless you choose another).
    * **Sky** beside it: the same exposures; a click toggles one, the box and lasso tools
      take those whose centre lies inside (Shift adds, Alt removes), a legend entry takes
      its group. Table and sky show one selection.
    * **Bar** at the bottom: the live check of the association (the findings of
      :func:`asnkit.check`: what calwebb would do differently from what the association
      says, in words), its type and product name, the file to write and *Export*, which
      says the absolute path it wrote. Errors block *Export* unless *export anyway* is
      ticked; an existing file is replaced only when *overwrite* is ticked.
    * **Start from an existing association** (:meth:`from_association`): its members,
      roles, type and product name are chosen, and what differs from it is shown.

    The state is :attr:`model` (a :class:`~asnkit.widgets.models.BuilderModel`);
    :attr:`association` is the association built so far.

    Parameters
    ----------
    df : DataFrame
        The pool (not modified).
    path : str, optional
        Initial export path (a file, or a folder for the DMS file name).
    associations : optional
        Associations of the pool, to colour the sky by (default: mosaic tiles, dithers...).
    sky : bool
        Show the sky view (default True).
    height : int
        Height of the table and the sky in pixels (the default keeps the whole builder,
        bar included, on a 1280x800 screen).

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    >>> builder = AssociationBuilder(pool, sky=False)
    >>> builder.model.add(builder.table.shown)
    >>> builder.model.valid, len(builder.association.members())
    (True, 8)
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        path: str = "",
        associations: Any = None,
        sky: bool = True,
        height: int = 340,
        debounce: float = 0.15,
        **kwargs: Any,
    ) -> None:
        self.model = BuilderModel(df, path=path)
        self.explorer = PoolExplorer(df, debounce=debounce, tables=False)
        self.filters = w.Accordion(children=[self.explorer], selected_index=None)
        self.table = ExposureTable(
            df, role_options=logic.MEMBER_ROLES, height=height, layout=w.Layout(width="47%")
        )
        self.sky = (
            SkyView(
                df,
                associations=associations,
                tool="lasso",
                height=height - 10,
                layout=w.Layout(width="53%"),
            )
            if sky
            else None
        )
        compact = {"description_width": "initial"}  # labels as wide as their words
        self.asn_type = w.Dropdown(
            options=logic.ASN_TYPES,
            description="type",
            style=compact,
            layout=w.Layout(width="130px"),
        )
        self.product_name = w.Text(
            placeholder="(the DMS name)",
            description="product",
            continuous_update=False,
            style=compact,
            layout=w.Layout(width="240px"),
        )
        self.path = w.Text(
            value=path,
            placeholder="file or folder, e.g. my_asn.json",
            description="file",
            style=compact,
            layout=w.Layout(width="180px"),
        )
        self.overwrite = w.Checkbox(
            value=False, description="overwrite", indent=False, layout=w.Layout(width="90px")
        )
        # offered beside Export only while the check finds errors; see _checked
        self.override = w.Checkbox(
            value=False,
            description="export anyway",
            tooltip="write the association although the check finds errors",
            indent=False,
            layout=w.Layout(width="125px", display="none"),
        )
        self.changes = w.HTML()
        self.changes.add_class("asnkit-builder-changes")
        self.export = w.Button(
            description="Export", icon="save", button_style="primary", layout=w.Layout(width="96px")
        )
        self.check = w.HTML(layout=w.Layout(width="100%"))
        self.check.add_class("asnkit-builder-check")
        self.status = w.HTML(layout=w.Layout(margin="0 0 0 8px"))
        self.status.add_class("asnkit-builder-status")

        for source, target in (
            (self.asn_type, "asn_type"),
            (self.product_name, "product_name"),
            (self.path, "path"),
            (self.overwrite, "overwrite"),
            (self.override, "override"),
        ):
            w.link((source, "value"), (self.model, target))
        tl.link((self.model, "selected"), (self.table, "selected"))
        tl.link((self.model, "roles"), (self.table, "roles"))
        if self.sky is not None:
            tl.link((self.model, "selected"), (self.sky, "selected"))
        self.export.on_click(lambda _: self.model.export())
        self.explorer.model.observe(self._filtered, names="revision")
        self.model.observe(self._checked, names="revision")
        self.model.observe(self._exported, names="status")
        self.model.observe(self._changes_changed, names="changes")
        self._filtered(None)
        self._checked(None)

        bar = w.VBox(
            [
                self.check,
                self.changes,
                w.HBox(
                    [
                        self.asn_type,
                        self.product_name,
                        self.path,
                        self.overwrite,
                        self.override,
                        self.export,
                        self.status,
                    ],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                ),
            ]
        )
        bar.add_class("asnkit-builder-bar")
        main = [self.table] if self.sky is None else [self.table, self.sky]
        super().__init__(
            [
                w.HTML(f"<style>{asset('builder.css')}</style>"),
                self.filters,
                w.HBox(main, layout=w.Layout(width="100%", align_items="flex-start")),
                bar,
            ],
            **kwargs,
        )

    # ----------------------------------------------------------------- public
    @classmethod
    def from_association(cls, asn: Any, df: pd.DataFrame, **kwargs: Any) -> AssociationBuilder:
        """A builder holding the members, roles, type and product name of ``asn``.

        ``df`` is the pool its members come from; what differs from ``asn`` is shown
        as the choices change (:attr:`BuilderModel.changes`).
        """
        builder = cls(df, **kwargs)
        if asn.asn_type and asn.asn_type not in builder.asn_type.options:
            builder.asn_type.options = (*builder.asn_type.options, asn.asn_type)
        builder.model.start_from(asn)
        builder._changes_changed(None)
        return builder

    @property
    def association(self) -> Any:
        """The association built from the current choices (None if it cannot be built)."""
        return self.model.association

    def member_roles(self) -> dict[str, str]:
        """Each chosen exposure and its role: given by the user, or ``"<role> (auto)"``."""
        from asnkit.dms.names import exposure_key
        from asnkit.documents.build import exposure_role

        built = {}
        if self.model.association is not None:
            built = {exposure_key(m.expname): m.exptype for m in self.model.association.members()}
        rows = self.model.selection.drop_duplicates("filename").set_index("filename", drop=False)
        out = {}
        for name in self.model.selected:
            given = self.model.roles.get(name)
            auto = built.get(exposure_key(name)) or exposure_role(rows.loc[name].to_dict())
            out[name] = given if given else f"{auto} (auto)"
        return out

    # ----------------------------------------------------------------- events
    def _filtered(self, _change: Any) -> None:
        m = self.explorer.model
        names = None if m.n_selected == m.n_total else self.explorer.selection["filename"]
        self.table.show_only(names)
        if self.sky is not None:
            self.sky.show_only(names)
        shown = "all" if names is None else f"{m.n_selected} of"
        self.filters.set_title(0, f"Filters: {shown} {m.n_total} exposures shown")

    def _checked(self, _change: Any) -> None:
        m = self.model
        n = len(m.selected)
        esc = logic.escape
        asn = m.association
        if n == 0:
            head = (
                "<span style='color:#555'>Choose exposures: tick them in the table, or on the "
                "sky click one, draw a lasso or a box (Shift adds, Alt removes).</span>"
            )
        elif m.valid:
            product = asn.products[0].name if len(asn.products) == 1 else None
            head = (
                f"<span style='color:#1b7d2e'>\u2714 Ready: {esc(asn.asn_type)} association of "
                f"{n} exposure{'s' if n != 1 else ''}"
                + (f", product <b>{esc(product)}</b>" if product else "")
                + (f", {len(asn.products)} products" if len(asn.products) > 1 else "")
                + "</span>"
            )
        elif asn is not None:
            k = len(m.errors)
            head = (
                f"<span style='color:#b00020'><b>\u2716 {k} error{'s' if k != 1 else ''}: "
                f"calwebb would not do what this {esc(asn.asn_type)} association of {n} "
                "exposures says</b> (Export needs 'export anyway')</span>"
            )
        else:
            k = len(m.errors)
            head = (
                f"<span style='color:#b00020'>\u2716 Not ready: {k} "
                f"problem{'s' if k != 1 else ''} with these {n} exposures</span>"
            )
        items = [("\u2716", "#b00020", e) for e in m.errors]
        items += [("\u26a0", "#a65e00", x) for x in m.warnings]
        items += [("\u2139", "#345", x) for x in m.infos]
        lines = [
            f"<li style='color:{color}'>{mark} {esc(logic.plain_message(text))}</li>"
            for mark, color, text in items
        ]
        self.check.value = head + (f"<ul>{''.join(lines)}</ul>" if lines and n else "")
        self.override.layout.display = "" if m.errors and asn is not None else "none"
        self.status.value = ""

    def _changes_changed(self, _change: Any) -> None:
        text = self.model.changes
        self.changes.value = (
            f"<details><summary><b>Changes from the original</b></summary>"
            f"<pre>{logic.escape(text)}</pre></details>"
            if text
            else ""
        )

    def _exported(self, _change: Any) -> None:
        status = self.model.status
        if not status:
            self.status.value = ""
            return
        if self.model.written and status.startswith("written "):
            anyway = status.split(" (with ", 1)[1].rstrip(")") if " (with " in status else ""
            self.status.value = (
                f"<span style='color:#1b7d2e'>\u2714 Written {logic.escape(self.model.written)}"
                + (f" ({logic.escape(anyway)})" if anyway else "")
                + "</span>"
            )
        elif status.startswith("not exported") and self.model.errors and self.association:
            # the errors are listed just above: say what to do, not all of it again
            k = len(self.model.errors)
            self.status.value = (
                f"<span style='color:#b00020'>\u2716 Not exported: {k} error"
                f"{'s' if k != 1 else ''} (listed above). Fix them, or tick 'export anyway' "
                "to write it all the same.</span>"
            )
        else:
            self.status.value = f"<span style='color:#b00020'>{logic.escape(status)}</span>"
