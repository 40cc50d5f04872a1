"""The ``DataFrame.asn`` accessor: chainable pool methods that forward to plain functions.

The accessor keeps no state. Every method calls the function of the same
job in asnkit (``df.asn.select(...)`` is ``asnkit.select(df, ...)``) with the
same parameters (:data:`FORWARDS` lists them; a test checks the signatures
agree), never changes the frame it was called on, and returns a new object.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from asnkit.documents.collection import AssociationSet
    from asnkit.documents.model import Association
    from asnkit.documents.paths import PathMode
    from asnkit.generation.explanation import Explanation
    from asnkit.generation.run import Run
    from asnkit.rules.model import Rule
    from asnkit.sky.apertures import ApertureCatalog
    from asnkit.sky.colors import ColorBy
    from asnkit.sky.plot import FootprintPlot
    from asnkit.widgets import AssociationBuilder, GroupingView, PoolExplorer, SkyView

__all__ = ["FORWARDS", "REQUIRED_COLUMNS", "PoolAccessor"]

#: Accessor method -> the function (module, name) it forwards to, the pool first.
FORWARDS: dict[str, tuple[str, str]] = {
    "select": ("asnkit.pool.select", "select"),
    "science": ("asnkit.pool.select", "science"),
    "observation": ("asnkit.pool.select", "observation"),
    "candidate": ("asnkit.pool.select", "candidate"),
    "explode_candidates": ("asnkit.pool.candidates", "explode_candidates"),
    "candidates": ("asnkit.pool.candidates", "candidate_ids"),
    "summary": ("asnkit.pool.summary", "summary"),
    "label_positions": ("asnkit.pool.labels", "label_positions"),
    "write": ("asnkit.pool.write", "write_pool"),
    "to_association": ("asnkit.documents.build", "to_association"),
    "run": ("asnkit.generation.run", "run"),
    "generate": ("asnkit.generation.generate", "generate"),
    "apply_rules": ("asnkit.generation.generate", "apply_rules"),
    "explain": ("asnkit.generation.explain", "explain"),
    "orphans": ("asnkit.generation.explain", "orphans"),
    "footprints": ("asnkit.sky.footprints", "footprints"),
    "plot_sky": ("asnkit.sky.plot", "plot_sky"),
    "ds9_regions": ("asnkit.sky.export", "ds9_regions"),
    "sky": ("asnkit.widgets", "SkyView"),
    "explore": ("asnkit.widgets", "PoolExplorer"),
    "show_groupings": ("asnkit.widgets", "GroupingView"),
    "build": ("asnkit.widgets", "AssociationBuilder"),
}

#: Columns a frame needs for ``df.asn`` to be available.
REQUIRED_COLUMNS = ("filename",)


@pd.api.extensions.register_dataframe_accessor("asn")
class PoolAccessor:
    """Association-pool methods on a pandas DataFrame (``df.asn``).

    Raises
    ------
    AttributeError
        The frame lacks a required column (``filename``); the message names it.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    >>> obs1 = pool.asn.select(instrume="nircam", filter=["f090w", "f2*"]).asn.observation(1)
    >>> len(obs1), len(pool)  # a new frame; the pool is unchanged
    (10, 72)
    >>> obs1.asn.candidates()
      candidate_id candidate_type  exposures   junk
    0         o001    observation         10  False
    >>> import pandas as pd
    >>> pd.DataFrame({"program": ["1"]}).asn
    Traceback (most recent call last):
    ...
    AttributeError: df.asn needs an association pool: missing column(s) ['filename']; ...
    """

    def __init__(self, df: pd.DataFrame) -> None:
        missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
        if missing:
            raise AttributeError(
                f"df.asn needs an association pool: missing column(s) {missing}; "
                f"read one with asnkit.read_pool(path)"
            )
        self._df = df

    # ------------------------------------------------------------------ selecting
    def select(self, **column_values: Any) -> pd.DataFrame:
        """Rows whose columns match the values (see :func:`asnkit.select`)."""
        from asnkit.pool.select import select

        return select(self._df, **column_values)

    def science(self, *, special: bool = True) -> pd.DataFrame:
        """Science exposures only (see :func:`asnkit.science`)."""
        from asnkit.pool.select import science

        return science(self._df, special=special)

    def observation(self, obs_num: int | str) -> pd.DataFrame:
        """The exposures of one observation (see :func:`asnkit.observation`)."""
        from asnkit.pool.select import observation

        return observation(self._df, obs_num)

    def candidate(self, candidate_id: str) -> pd.DataFrame:
        """The exposures of one association candidate (see :func:`asnkit.candidate`)."""
        from asnkit.pool.select import candidate

        return candidate(self._df, candidate_id)

    # ------------------------------------------------------------------ describing
    def explode_candidates(self) -> pd.DataFrame:
        """One row per exposure and candidate (see :func:`asnkit.explode_candidates`)."""
        from asnkit.pool.candidates import explode_candidates

        return explode_candidates(self._df)

    def candidates(self) -> pd.DataFrame:
        """The candidates with type and exposure count (see :func:`asnkit.candidate_ids`)."""
        from asnkit.pool.candidates import candidate_ids

        return candidate_ids(self._df)

    def summary(self, by: Sequence[str] | str | None = None) -> pd.DataFrame:
        """Exposure counts per program, observation, instrument... (see :func:`asnkit.summary`)."""
        from asnkit.pool.summary import summary

        return summary(self._df, by=by)

    def label_positions(self) -> pd.DataFrame:
        """Add dither-position and mosaic-tile labels (see :func:`asnkit.label_positions`)."""
        from asnkit.pool.labels import label_positions

        return label_positions(self._df)

    def write(
        self, path: str | os.PathLike | IO[str], *, overwrite: bool = False, delimiter: str = "|"
    ) -> Path | None:
        """Write the pool; returns the path written (see :func:`asnkit.write_pool`)."""
        from asnkit.pool.write import write_pool

        return write_pool(self._df, path, overwrite=overwrite, delimiter=delimiter)

    # ------------------------------------------------------------------ associations
    def to_association(
        self,
        *,
        asn_type: str | None = None,
        rule: Rule | None = None,
        product_name: str | None = None,
        roles: Mapping[str, str] | Callable[[Mapping[str, Any]], str | None] | str | None = None,
        asn_id: str | None = None,
        asn_rule: str | None = None,
        version_id: str | bool | None = None,
        target: str | int | None = None,
        program: str | int | None = None,
        catalog: str | None = None,
        path_mode: PathMode | str = "as_given",
        folder: str | os.PathLike[str] | None = None,
        sequence: int = 1,
        check: bool = True,
    ) -> Association:
        """Build an association from these rows (see :func:`asnkit.to_association`)."""
        from asnkit.documents.build import to_association

        return to_association(
            self._df,
            asn_type=asn_type,
            rule=rule,
            product_name=product_name,
            roles=roles,
            asn_id=asn_id,
            asn_rule=asn_rule,
            version_id=version_id,
            target=target,
            program=program,
            catalog=catalog,
            path_mode=path_mode,
            folder=folder,
            sequence=sequence,
            check=check,
        )

    def run(
        self,
        rules: Iterable[Rule] | None = None,
        *,
        candidates: Sequence[str] | None = None,
        discover: bool = True,
        all_candidates: bool = True,
        version_id: str | bool | None = None,
        shortcuts: bool = True,
    ) -> Run:
        """Generate and record every decision (see :func:`asnkit.run`)."""
        from asnkit.generation.run import run

        return run(
            self._df,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            shortcuts=shortcuts,
        )

    def generate(
        self,
        rules: Iterable[Rule] | None = None,
        *,
        candidates: Sequence[str] | None = None,
        discover: bool = True,
        all_candidates: bool = True,
        version_id: str | bool | None = None,
    ) -> AssociationSet:
        """The standard DMS associations of this pool (see :func:`asnkit.generate`)."""
        from asnkit.generation.generate import generate

        return generate(
            self._df,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
        )

    def apply_rules(
        self,
        rules: Iterable[Rule],
        *,
        candidates: Sequence[str] | None = None,
        discover: bool = True,
        all_candidates: bool = True,
        version_id: str | bool | None = None,
    ) -> AssociationSet:
        """Associations made by the given rules (see :func:`asnkit.apply_rules`)."""
        from asnkit.generation.generate import apply_rules

        return apply_rules(
            self._df,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
        )

    def explain(
        self,
        filename: str,
        *,
        rules: Iterable[Rule] | None = None,
        candidates: Sequence[str] | None = None,
        discover: bool = True,
        all_candidates: bool = True,
        version_id: str | bool | None = None,
        row: Any = None,
    ) -> Explanation:
        """Why an exposure is (not) in each association (see :func:`asnkit.explain`)."""
        from asnkit.generation.explain import explain

        return explain(
            self._df,
            filename,
            rules=rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            row=row,
        )

    def orphans(
        self,
        *,
        rules: Iterable[Rule] | None = None,
        candidates: Sequence[str] | None = None,
        discover: bool = True,
        all_candidates: bool = True,
    ) -> pd.DataFrame:
        """Exposures that no association took, with the reason (see :func:`asnkit.orphans`)."""
        from asnkit.generation.explain import orphans

        return orphans(
            self._df,
            rules=rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
        )

    # ------------------------------------------------------------------ sky and widgets
    def footprints(
        self,
        *,
        strict: bool = False,
        schematic: bool = True,
        apertures: ApertureCatalog | None = None,
    ) -> pd.DataFrame:
        """Sky polygon of each exposure (see :func:`asnkit.footprints`)."""
        from asnkit.sky.footprints import footprints

        return footprints(self._df, strict=strict, schematic=schematic, apertures=apertures)

    def plot_sky(
        self,
        ax: Any = None,
        *,
        color_by: str | ColorBy | None = None,
        associations: Any = None,
        pool: pd.DataFrame | None = None,
        highlight: Iterable[str] | None = None,
        center: tuple[float, float] | None = None,
        show_target: bool = True,
        legend: bool = True,
        max_legend: int = 15,
        alpha: float = 0.25,
        title: str | None = None,
        footprint_frame: pd.DataFrame | None = None,
    ) -> FootprintPlot:
        """Draw the footprints (see :func:`asnkit.plot_sky`)."""
        from asnkit.sky.plot import plot_sky

        return plot_sky(
            self._df,
            ax,
            color_by=color_by,
            associations=associations,
            pool=pool,
            highlight=highlight,
            center=center,
            show_target=show_target,
            legend=legend,
            max_legend=max_legend,
            alpha=alpha,
            title=title,
            footprint_frame=footprint_frame,
        )

    def ds9_regions(
        self,
        *,
        pool: pd.DataFrame | None = None,
        color_by: str | None = None,
        associations: Any = None,
        footprint_frame: pd.DataFrame | None = None,
    ) -> str:
        """The footprints as a DS9 region file (see :func:`asnkit.ds9_regions`)."""
        from asnkit.sky.export import ds9_regions

        return ds9_regions(
            self._df,
            pool=pool,
            color_by=color_by,
            associations=associations,
            footprint_frame=footprint_frame,
        )

    def sky(
        self,
        *,
        pool: pd.DataFrame | None = None,
        associations: Any = None,
        color_by: str | None = None,
        selected: Iterable[str] = (),
        footprint_frame: pd.DataFrame | None = None,
        center: tuple[float, float] | None = None,
        tool: str = "pan",
        height: int = 440,
        **kwargs: Any,
    ) -> SkyView:
        """A :class:`asnkit.widgets.SkyView` of this pool: hover, zoom, select footprints.

        Other keyword arguments go to the widget (layout...).
        """
        from asnkit.widgets import SkyView

        return SkyView(
            self._df,
            pool=pool,
            associations=associations,
            color_by=color_by,
            selected=selected,
            footprint_frame=footprint_frame,
            center=center,
            tool=tool,
            height=height,
            **kwargs,
        )

    def explore(
        self,
        *,
        columns: Iterable[str] | None = None,
        max_rows: int = 50,
        debounce: float = 0.15,
        tables: bool = True,
        **kwargs: Any,
    ) -> PoolExplorer:
        """A :class:`asnkit.widgets.PoolExplorer` on this pool (other keywords: the widget's)."""
        from asnkit.widgets import PoolExplorer

        return PoolExplorer(
            self._df, columns=columns, max_rows=max_rows, debounce=debounce, tables=tables, **kwargs
        )

    def show_groupings(
        self,
        *,
        pool: pd.DataFrame | None = None,
        associations: Any = None,
        grouping: str | None = None,
        panels: bool = False,
        max_rows: int = 100,
        height: int = 460,
        **kwargs: Any,
    ) -> GroupingView:
        """A :class:`asnkit.widgets.GroupingView` on this pool (other keywords: the widget's)."""
        from asnkit.widgets import GroupingView

        return GroupingView(
            self._df,
            pool=pool,
            associations=associations,
            grouping=grouping,
            panels=panels,
            max_rows=max_rows,
            height=height,
            **kwargs,
        )

    def build(
        self,
        *,
        path: str = "",
        associations: Any = None,
        sky: bool = True,
        height: int = 340,
        debounce: float = 0.15,
        **kwargs: Any,
    ) -> AssociationBuilder:
        """An :class:`asnkit.widgets.AssociationBuilder` on this pool (keywords: the widget's)."""
        from asnkit.widgets import AssociationBuilder

        return AssociationBuilder(
            self._df,
            path=path,
            associations=associations,
            sky=sky,
            height=height,
            debounce=debounce,
            **kwargs,
        )
