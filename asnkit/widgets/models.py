"""Widget state as traitlets models, independent of any display.

Each widget keeps its state in one of these :class:`traitlets.HasTraits` objects and
draws it; tests (and scripts) set traits and read results without a browser. The work is
done by the plain functions of :mod:`asnkit.widgets.logic`.

Examples
--------
>>> import asnkit
>>> import warnings; warnings.simplefilter("ignore")
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_018_all_exptypes"))
>>> model = ExplorerModel(pool)
>>> model.n_selected == model.n_total == 73
True
>>> model.selections = {"exp_type": ["nrc_image", "nrc_coron"]}
>>> model.n_selected, len(model.selection), model.counts["exp_type"]["nis_image"]
(3, 3, 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets as tl

from asnkit.errors import AssociationError, PoolKeyError
from asnkit.widgets import logic

__all__ = ["BuilderModel", "ExplorerModel", "GroupingModel"]


class ExplorerModel(tl.HasTraits):
    """Filters on a pool and the resulting selection.

    Traits
    ------
    selections : dict
        ``column -> [values]`` (lowercase; ``"(missing)"`` for empty cells); an empty
        list means no constraint.
    pattern : str
        File-name substring or glob.
    columns : list
        The filter columns (:func:`asnkit.widgets.logic.filter_columns` by default).
    n_total, n_selected : int
        Exposures in the pool (junk rows excluded) and in the selection.
    n_junk : int
        Junk rows of the pool (``set acid`` lines, repeated headers): rows,
        but not exposures; never selected.
    counts : dict
        ``column -> {value: count}`` under the other columns' filters (faceted: the
        count says how many exposures choosing that value would add).
    revision : int
        Incremented at every update (observe it to redraw once per change).
    """

    selections = tl.Dict()
    pattern = tl.Unicode("")
    columns = tl.List(tl.Unicode())
    n_total = tl.Int(0)
    n_junk = tl.Int(0)
    n_selected = tl.Int(0)
    counts = tl.Dict()
    revision = tl.Int(0)

    def __init__(self, df: pd.DataFrame, columns: Iterable[str] | None = None, **kwargs: Any):
        from asnkit.sky.schematic import is_junk

        super().__init__(**kwargs)
        self._df = df
        self._exposure = ~is_junk(df).to_numpy(dtype=bool)
        cols = list(columns) if columns is not None else logic.filter_columns(df)
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise PoolKeyError(f"no column(s) {missing} in the pool")
        self._index = logic.build_index(df, cols, rows=self._exposure)
        self._names = df["filename"] if "filename" in df.columns else pd.Series("", index=df.index)
        self._mask = self._exposure.copy()
        self.columns = cols
        self.n_total = int(self._exposure.sum())
        self.n_junk = len(df) - self.n_total
        self.update()

    @property
    def pool(self) -> pd.DataFrame:
        """The pool (not modified)."""
        return self._df

    @property
    def index(self) -> dict[str, logic.ColumnIndex]:
        """The factorised filter columns."""
        return self._index

    @property
    def mask(self) -> np.ndarray:
        """Boolean mask of the selected rows of the pool."""
        return self._mask

    @property
    def selection(self) -> pd.DataFrame:
        """The selected exposures, as a new DataFrame (index and attrs of the pool)."""
        out = self._df.loc[self._mask].copy()
        out.attrs = dict(self._df.attrs)
        return out

    @tl.observe("selections", "pattern")
    def _changed(self, _change: Any) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the mask, the count and the per-value counts."""
        unknown = set(self.selections) - set(self._index)
        if unknown:
            raise PoolKeyError(f"no filter on column(s) {sorted(unknown)}; filters: {self.columns}")
        base = self._exposure.copy()
        if self.pattern.strip():
            base &= logic.filename_mask(self._names, self.pattern)
        masks = logic.column_masks(self._index, self.selections)
        mask = base.copy()
        for column_mask in masks.values():
            mask &= column_mask
        self._mask = mask
        with self.hold_trait_notifications():
            self.counts = logic.facet_counts(self._index, masks, base)
            self.n_selected = int(mask.sum())
            self.revision += 1

    def reset(self) -> None:
        """Remove every filter."""
        with self.hold_trait_notifications():
            self.selections = {}
            self.pattern = ""


class GroupingModel(tl.HasTraits):
    """A grouping of a pool's exposures, the chosen group and its members.

    Traits
    ------
    grouping : str
        A ``color_by`` of :func:`asnkit.plot_sky`: ``level3`` (the Level 3 associations;
        the default when there are any), ``association``, ``dither``, ``tile``, ``role``
        or a pool column (see :attr:`options`).
    options : list
        The groupings on offer (values of :func:`asnkit.widgets.logic.color_options`).
    groups : list
        ``(label, size)`` of each group, in display order.
    group : str
        The chosen group ("" for none).
    members : list
        File names of the chosen group.
    """

    grouping = tl.Unicode()
    options = tl.List(tl.Unicode())
    groups = tl.List()
    group = tl.Unicode("")
    members = tl.List(tl.Unicode())

    def __init__(self, pool: pd.DataFrame, associations: Any = None, **kwargs: Any):
        from asnkit.sky.colors import default_color_by

        self._pool = pool
        self._positional = pool.reset_index(drop=True)
        self._associations = associations
        options = [value for _, value in logic.color_options(pool, associations)]
        self._labels = pd.DataFrame(columns=["row", "group"])
        super().__init__(options=options, **kwargs)
        if not self.grouping:
            # level 3 associations first: they show what the pipeline combines
            self.grouping = default_color_by(pool, associations)

    @property
    def pool(self) -> pd.DataFrame:
        return self._pool

    @property
    def associations(self) -> Any:
        """The associations given (None when there are none)."""
        return self._associations

    @property
    def color_by(self) -> str:
        """The ``color_by`` of :func:`asnkit.plot_sky` for the current grouping."""
        return self.grouping

    @property
    def labels(self) -> pd.DataFrame:
        """``(row, group)`` rows of the current grouping."""
        return self._labels

    @tl.validate("grouping")
    def _check_grouping(self, proposal: Any) -> str:
        value = proposal["value"]
        if value not in self.options:
            raise tl.TraitError(f"grouping must be one of {self.options}, not {value!r}")
        return value

    @tl.observe("grouping")
    def _regroup(self, _change: Any) -> None:
        from asnkit.sky.colors import group_order

        self._labels = logic.grouping_labels(self._positional, self.color_by, self._associations)
        sizes = self._labels.groupby("group", sort=False).size()
        with self.hold_trait_notifications():
            self.groups = [(str(g), int(sizes[g])) for g in group_order(sizes.index)]
            self.group = ""
            self.members = []

    @tl.validate("group")
    def _check_group(self, proposal: Any) -> str:
        value = proposal["value"]
        if value and value not in {g for g, _ in self.groups}:
            raise tl.TraitError(f"no group {value!r} in grouping {self.grouping!r}")
        return value

    @tl.observe("group")
    def _choose(self, change: Any) -> None:
        if not change["new"]:
            self.members = []
            return
        rows = logic.group_members(self._positional, self._labels, change["new"])
        self.members = [str(f) for f in rows["filename"]]

    def group_of(self, filenames: Iterable[str]) -> str:
        """The group whose members are exactly these exposures ("" when none is)."""
        wanted = {str(f) for f in filenames}
        if not wanted:
            return ""
        names = self._positional["filename"].astype(str)
        named = self._labels.assign(name=names.reindex(self._labels["row"]).to_numpy())
        for group, rows in named.groupby("group", sort=False)["name"]:
            if len(rows) == len(wanted) and set(rows) == wanted:
                return str(group)
        return ""

    @property
    def member_frame(self) -> pd.DataFrame:
        """The pool rows of the chosen group."""
        return self._pool.loc[self._pool["filename"].isin(self.members)]


class BuilderModel(tl.HasTraits):
    """A custom association under construction, checked live against what calwebb does.

    Traits
    ------
    selected : list
        File names of the chosen exposures, in order.
    asn_type, product_name : str
    roles : dict
        ``filename -> role`` (``"auto"`` or absent: the pipeline's role).
    errors, warnings, infos : list
        Live :func:`asnkit.check` findings (with the pool) as sentences for a person;
        ``valid`` is True when the association can be built and has no error.
    findings : list
        The same findings as dicts (``code``, ``severity``, ``path``, ``message``, ``hint``).
    override : bool
        Export even though the check finds errors (the user ticked "export anyway").
    changes : str
        When started from an existing association (:meth:`from_association`): what
        differs from it, member by member (:attr:`diff`); "" otherwise.
    path : str
        Where to export; ``overwrite`` must be True to replace an existing file.
    status : str
        The outcome of the last export; ``written`` the path written ("" if none).
    revision : int
        Incremented at every check (observe it to redraw on any change).

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    >>> model = BuilderModel(pool)
    >>> model.add(pool["filename"][~pool["filename"].str.contains(" ")])
    >>> model.valid, [f["code"] for f in model.findings if f["severity"] == "error"]
    (False, ['ASN101', 'ASN202', 'ASN203'])
    >>> model.path = "mosaic_asn.json"
    >>> model.export(), model.status.split(":")[0]
    (False, 'not exported')
    """

    selected = tl.List(tl.Unicode())
    asn_type = tl.Unicode("image3")
    product_name = tl.Unicode("")
    roles = tl.Dict()
    errors = tl.List(tl.Unicode())
    warnings = tl.List(tl.Unicode())
    infos = tl.List(tl.Unicode())
    findings = tl.List(tl.Dict())
    valid = tl.Bool(False)
    override = tl.Bool(False)
    changes = tl.Unicode("")
    path = tl.Unicode("")
    overwrite = tl.Bool(False)
    status = tl.Unicode("")
    written = tl.Unicode("")
    revision = tl.Int(0)

    def __init__(self, pool: pd.DataFrame, **kwargs: Any):
        from asnkit.documents.exposures import PoolIndex

        self._pool = pool
        self._known = set(pool["filename"].astype(str))
        self._index = PoolIndex(pool)
        self._result = logic.BuildResult(None, (), ())
        self._original: Any = None
        self._missing: list[str] = []
        super().__init__(**kwargs)
        self.check()

    @classmethod
    def from_association(cls, asn: Any, pool: pd.DataFrame, **kwargs: Any) -> BuilderModel:
        """A model holding the members, roles, type and product name of ``asn``.

        Members are found in the pool by file name without suffix; their roles are
        kept where they differ from the pipeline's. :attr:`changes` then says what
        differs from ``asn`` as the choices change.
        """
        model = cls(pool, **kwargs)
        model.start_from(asn)
        return model

    def start_from(self, asn: Any) -> None:
        """Take the members, roles, type and product name of an existing association."""
        from asnkit.dms.names import exposure_key
        from asnkit.documents.build import exposure_role

        rows: dict[str, dict[str, Any]] = {}
        for row in self._pool.to_dict(orient="records"):
            name = str(row.get("filename", ""))
            if name and " " not in name.strip():
                rows.setdefault(exposure_key(name), row)
        selected: list[str] = []
        roles: dict[str, str] = {}
        missing: list[str] = []
        for member in asn.members():
            row = rows.get(exposure_key(member.expname))
            if row is None:
                missing.append(str(member.expname))
                continue
            name = str(row["filename"])
            if name in selected:
                continue
            selected.append(name)
            if member.role != exposure_role(row) and member.role in logic.MEMBER_ROLES:
                roles[name] = member.role
        self._original = asn
        self._missing = missing
        with self.hold_trait_notifications():
            self.asn_type = str(asn.asn_type or "image3")
            names = asn.product_names
            self.product_name = str(names[0]) if asn.level == 3 and names else ""
            self.roles = roles
            self.selected = selected
        self.check()

    @property
    def pool(self) -> pd.DataFrame:
        return self._pool

    @property
    def association(self) -> Any:
        """The association of the current choices (None when it cannot be built)."""
        return self._result.association

    @property
    def original(self) -> Any:
        """The association the model started from (None when started empty)."""
        return self._original

    @property
    def check_findings(self) -> Any:
        """The :class:`~asnkit.documents.findings.Findings` of the current association."""
        from asnkit.documents.findings import Findings

        return Findings(self._result.findings)

    @property
    def diff(self) -> Any:
        """What differs from :attr:`original`, member by member (None without original).

        Header fields that the rebuild always sets anew (rule, pool, version...) are
        not compared; members are paired by file name without suffix.
        """
        if self._original is None or self.association is None:
            return None
        from asnkit.documents.diff import diff

        current = self.association
        if self._original.filename:  # one name in the header: what changed against that file
            current = type(current).from_dict(current.to_dict(), filename=self._original.filename)
        keep = {"asn_type", "asn_id"}
        ignore = [k for k in {*self._original, *current} if k not in keep and k != "products"]
        return diff(self._original, current, ignore=ignore, ignore_suffix=True, validate=False)

    @property
    def can_export(self) -> bool:
        """Built, and either without error or with :attr:`override` ticked."""
        return self.association is not None and (not self.errors or self.override)

    @property
    def selection(self) -> pd.DataFrame:
        """The chosen pool rows."""
        return self._pool.loc[self._pool["filename"].isin(self.selected)]

    # ----------------------------------------------------------------- choosing
    def add(self, names: Iterable[str]) -> None:
        """Add exposures (kept in order, no duplicates)."""
        names = logic.known_names(names, self._known)
        current = list(self.selected)
        have = set(current)
        self.selected = current + [n for n in dict.fromkeys(names) if n not in have]

    def remove(self, names: Iterable[str]) -> None:
        """Remove exposures (and their roles)."""
        gone = set(map(str, names))
        with self.hold_trait_notifications():
            self.selected = [n for n in self.selected if n not in gone]
            self.roles = {k: v for k, v in self.roles.items() if k not in gone}

    def toggle(self, names: Iterable[str]) -> None:
        """Add the exposures not chosen, remove those chosen."""
        names = logic.known_names(names, self._known)
        have = set(self.selected)
        self.remove([n for n in names if n in have])
        self.add([n for n in names if n not in have])

    def set_role(self, names: Iterable[str], role: str) -> None:
        """Give members a role (``"auto"`` restores the pipeline's)."""
        if role not in logic.MEMBER_ROLES:
            raise AssociationError(f"role must be one of {logic.MEMBER_ROLES}, not {role!r}")
        roles = dict(self.roles)
        for name in names:
            if role == "auto":
                roles.pop(str(name), None)
            else:
                roles[str(name)] = role
        self.roles = roles

    # ----------------------------------------------------------------- checking
    @tl.observe("selected", "asn_type", "product_name", "roles")
    def _changed(self, change: Any) -> None:
        if change["name"] == "selected":
            kept = set(self.selected)
            if set(self.roles) - kept:  # an exposure no longer chosen keeps no role
                self.roles = {k: v for k, v in self.roles.items() if k in kept}
                return  # the roles observer checks
        self.check()

    def check(self) -> None:
        """Rebuild the association; refresh the findings, ``valid`` and ``changes``."""
        self._result = logic.build_association(
            self._pool,
            list(self.selected),
            asn_type=self.asn_type,
            product_name=self.product_name,
            roles=self.roles,
            index=self._index,
        )
        warnings = list(self._result.warnings)
        if self._missing:
            n = len(self._missing)
            warnings.insert(
                0,
                f"{n} member{'s' if n != 1 else ''} of the original association "
                f"{'are' if n != 1 else 'is'} not in the pool and left out: "
                f"{', '.join(self._missing[:3])}{' ...' if n > 3 else ''}.",
            )
        difference = self.diff
        with self.hold_trait_notifications():
            self.errors = list(self._result.errors)
            self.warnings = warnings
            self.infos = list(self._result.infos)
            self.findings = [f.to_dict() for f in self._result.findings]
            self.valid = self._result.ok
            if difference is not None:
                self.changes = str(difference) if difference else "same members as the original"
            self.status = ""
            self.revision += 1

    def export(self) -> bool:
        """Write the association to :attr:`path`.

        Refuses when the association cannot be built, when the check finds errors
        (unless :attr:`override`), and to replace a file (unless :attr:`overwrite`).
        """
        if not self.path.strip():
            self.status = "give a file name to export to"
            return False
        if self._result.association is None:
            self.status = "not exported: the association is not valid (see the messages)"
            return False
        if self.errors and not self.override:
            n = len(self.errors)
            self.status = (
                f"not exported: {n} error{'s' if n != 1 else ''} found, calwebb would not do "
                f"what this association says (first: {self.errors[0]}) Tick 'export anyway' "
                "to write it all the same."
            )
            return False
        ok, message = logic.export_association(
            self._result.association, self.path.strip(), overwrite=self.overwrite
        )
        if ok and self.errors:
            n = len(self.errors)
            message += f" (with {n} error{'s' if n != 1 else ''}: exported anyway)"
        with self.hold_trait_notifications():  # observers of status see written too
            if ok:
                self.written = message.removeprefix("written ").split(" (with ")[0]
            self.status = message
        return ok
