"""AssociationBuilder: choose exposures, type, product and roles; validate live; export JSON."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from asnkit.widgets import logic
from asnkit.widgets.explorer import PoolExplorer
from asnkit.widgets.figure import SkyFigure
from asnkit.widgets.models import BuilderModel

__all__ = ["AssociationBuilder"]


class AssociationBuilder(w.VBox):
    """Build a custom association from a pool, interactively.

    * **Choose exposures**: narrow the pool with the filters (a
      :class:`PoolExplorer`), then tick exposures one by one, or add / remove all
      filtered ones; with an interactive matplotlib canvas (ipympl), clicking a
      footprint toggles it (:meth:`click_at` does the same from Python).
    * **Describe it**: association type, product name (empty: the DMS name), and a role
      for chosen members (background, imprint, psf...; ``auto`` = the pipeline's).
    * **Check and export**: the findings of :func:`asnkit.check` (what calwebb would do
      differently from what the association says) update at every change; errors block
      *Export* unless *export anyway* is ticked; *Export* writes the JSON to the given path
      and refuses to replace an existing file unless *overwrite* is ticked.
    * **Start from an existing association** (:meth:`from_association`): its members,
      roles, type and product name are chosen, and what differs from it is shown.

    The state is :attr:`model` (a :class:`~asnkit.widgets.models.BuilderModel`);
    :attr:`association` is the association built so far.

    Parameters
    ----------
    df : DataFrame
        The pool (not modified).
    path : str, optional
        Initial export path.
    max_checkboxes : int
        Filtered exposures shown as checkboxes (more: use *Add filtered*).
    sky : bool
        Show the footprint plot (default True).

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    >>> builder = AssociationBuilder(pool, sky=False)
    >>> builder.add_filtered.click()
    >>> builder.model.valid, len(builder.association.members())
    (True, 8)
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        path: str = "",
        max_checkboxes: int = 100,
        sky: bool = True,
        debounce: float = 0.15,
        **kwargs: Any,
    ) -> None:
        self.model = BuilderModel(df, path=path)
        self.max_checkboxes = max_checkboxes
        self.explorer = PoolExplorer(df, debounce=debounce)
        self.checkboxes: dict[str, w.Checkbox] = {}
        self.checkbox_box = w.VBox(layout=w.Layout(max_height="260px", overflow="auto"))
        self.add_filtered = w.Button(description="Add filtered", icon="plus")
        self.remove_filtered = w.Button(description="Remove filtered", icon="minus")
        self.clear = w.Button(description="Clear", icon="trash")
        self.members = w.SelectMultiple(
            options=[], rows=8, description="members", layout=w.Layout(width="98%")
        )
        self.role = w.Dropdown(options=logic.MEMBER_ROLES, value="auto", description="role")
        self.set_role = w.Button(
            description="Set role",
            tooltip="give the chosen members this role",
            layout=w.Layout(width="auto"),
        )
        self.asn_type = w.Dropdown(options=logic.ASN_TYPES, description="asn_type")
        self.product_name = w.Text(
            placeholder="(DMS name)", description="product", continuous_update=False
        )
        self.path = w.Text(value=path, placeholder="my_asn.json", description="export to")
        self.overwrite = w.Checkbox(value=False, description="overwrite an existing file")
        self.override = w.Checkbox(
            value=False, description="export anyway (despite errors)", indent=False
        )
        self.export = w.Button(description="Export JSON", icon="save", button_style="primary")
        self.messages = w.HTML()
        self.changes = w.HTML()
        self.status = w.HTML()
        self.figure = SkyFigure(df, color_by="none") if sky else None
        self._drawn: tuple[str, ...] | None = None
        self.image = (
            w.Image(format="png", layout=w.Layout(max_width="560px", object_fit="contain"))
            if sky
            else None
        )

        w.link((self.asn_type, "value"), (self.model, "asn_type"))
        w.link((self.product_name, "value"), (self.model, "product_name"))
        w.link((self.path, "value"), (self.model, "path"))
        w.link((self.overwrite, "value"), (self.model, "overwrite"))
        w.link((self.override, "value"), (self.model, "override"))
        self.add_filtered.on_click(lambda _: self.model.add(self._filtered_names()))
        self.remove_filtered.on_click(lambda _: self.model.remove(self._filtered_names()))
        self.clear.on_click(lambda _: self.model.remove(list(self.model.selected)))
        self.set_role.on_click(lambda _: self.model.set_role(self.members.value, self.role.value))
        self.export.on_click(lambda _: self.model.export())
        self.explorer.model.observe(lambda _: self._fill_checkboxes(), names="revision")
        self.model.observe(self._selection_changed, names="revision")
        self.model.observe(self._messages_changed, names="revision")
        self.model.observe(self._status_changed, names="status")
        self.model.observe(self._changes_changed, names="changes")
        if self.figure is not None:
            self.figure.on_click(self.click_at)

        self._fill_checkboxes()
        self._selection_changed(None)
        self._messages_changed(None)
        choose = w.VBox(
            [
                w.HTML("<b>1. Choose exposures</b> (filter, then tick or add)"),
                self.explorer,
                w.HBox([self.add_filtered, self.remove_filtered, self.clear]),
                self.checkbox_box,
            ]
        )
        describe = w.VBox(
            [
                w.HTML("<b>2. Describe the association</b>"),
                self.asn_type,
                self.product_name,
                self.members,
                w.HBox([self.role, self.set_role]),
            ],
            layout=w.Layout(width="520px", min_width="420px"),
        )
        export = w.VBox(
            [
                w.HTML("<b>3. Check and export</b>"),
                self.messages,
                self.changes,
                w.HBox([self.path, self.overwrite, self.override, self.export]),
                self.status,
            ]
        )
        top = w.HBox([describe, self.image]) if self.image is not None else describe
        super().__init__([choose, top, export], **kwargs)

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
        from asnkit.sky.groups import exposure_key

        built = {}
        if self.model.association is not None:
            built = {exposure_key(m.expname): m.exptype for m in self.model.association.members()}
        from asnkit.documents.build import exposure_role

        rows = self.model.selection.drop_duplicates("filename").set_index("filename", drop=False)
        out = {}
        for name in self.model.selected:
            given = self.model.roles.get(name)
            auto = built.get(exposure_key(name)) or exposure_role(rows.loc[name].to_dict())
            out[name] = given if given else f"{auto} (auto)"
        return out

    def click_at(self, x: float, y: float) -> list[str]:
        """Toggle the exposures whose footprint holds plot point (x, y); return them."""
        if self.figure is None:
            return []
        names = self.figure.footprints_at(x, y)
        if names:
            self.model.toggle(names)
        return names

    # ----------------------------------------------------------------- events
    def _filtered_names(self) -> list[str]:
        return [str(n) for n in self.explorer.selection["filename"]]

    def _fill_checkboxes(self) -> None:
        names = self._filtered_names()
        chosen = set(self.model.selected)
        boxes = []
        self.checkboxes = {}
        for name in names[: self.max_checkboxes]:
            box = w.Checkbox(value=name in chosen, description=name, indent=False,
                             layout=w.Layout(width="auto"))  # fmt: skip
            box.observe(self._ticked, names="value")
            self.checkboxes[name] = box
            boxes.append(box)
        if len(names) > self.max_checkboxes:
            more = len(names) - self.max_checkboxes
            boxes.append(w.HTML(f"<i>... and {more} more: narrow the filters or Add filtered</i>"))
        self.checkbox_box.children = boxes

    def _ticked(self, change: Any) -> None:
        name = change["owner"].description
        if change["new"]:
            self.model.add([name])
        else:
            self.model.remove([name])

    def _selection_changed(self, _change: Any) -> None:
        chosen = set(self.model.selected)
        for name, box in self.checkboxes.items():
            if box.value != (name in chosen):
                box.value = name in chosen
        self.members.options = [
            (f"{name} \u2014 {role}", name) for name, role in self.member_roles().items()
        ]
        drawn = tuple(self.model.selected)
        if self.figure is not None and drawn != self._drawn:
            self._drawn = drawn
            self.figure.set_highlight(drawn)
            self.image.value = self.figure.png()

    def _messages_changed(self, _change: Any) -> None:
        m = self.model
        lines = [f"<div style='color:#b00'>\u2716 {logic.escape(e)}</div>" for e in m.errors]
        lines += [f"<div style='color:#a60'>\u26a0 {logic.escape(x)}</div>" for x in m.warnings]
        lines += [f"<div style='color:#456'>\u2139 {logic.escape(x)}</div>" for x in m.infos]
        asn = m.association
        if m.valid:
            lines.insert(
                0,
                f"<div style='color:#070'>\u2714 valid {logic.escape(asn.asn_type)}: "
                f"{len(asn.products)} product(s), {len(asn.members())} member(s)</div>",
            )
        elif asn is not None and m.errors:
            n = len(m.errors)
            lines.insert(
                0,
                f"<div style='color:#b00'><b>\u2716 {n} error{'s' if n != 1 else ''}: calwebb "
                f"would not do what this {logic.escape(asn.asn_type)} association says; "
                "Export is blocked unless 'export anyway' is ticked</b></div>",
            )
        self.messages.value = "".join(lines)

    def _changes_changed(self, _change: Any) -> None:
        text = self.model.changes
        self.changes.value = (
            f"<b>Changes from the original</b><pre>{logic.escape(text)}</pre>" if text else ""
        )

    def _status_changed(self, _change: Any) -> None:
        self.status.value = logic.escape(self.model.status)
