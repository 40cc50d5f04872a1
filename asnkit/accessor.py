"""The ``DataFrame.asn`` accessor: chainable pool methods that forward to plain functions.

The accessor keeps no state. Every method calls the function of the same
job in asnkit (``df.asn.select(...)`` is ``asnkit.select(df, ...)``), never
changes the frame it was called on, and returns a new object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from asnkit.documents.collection import AssociationSet
    from asnkit.documents.model import Association

__all__ = ["REQUIRED_COLUMNS", "PoolAccessor"]

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
      candidate_id candidate_type  exposures
    0         o001    observation         10
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

    def science(self) -> pd.DataFrame:
        """Science exposures only (see :func:`asnkit.science`)."""
        from asnkit.pool.select import science

        return science(self._df)

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

    def summary(self, by: list[str] | None = None) -> pd.DataFrame:
        """Exposure counts per program, observation, instrument... (see :func:`asnkit.summary`)."""
        from asnkit.pool.summary import summary

        return summary(self._df) if by is None else summary(self._df, by=by)

    def label_positions(self) -> pd.DataFrame:
        """Add dither-position and mosaic-tile labels (see :func:`asnkit.label_positions`)."""
        from asnkit.pool.labels import label_positions

        return label_positions(self._df)

    def write(self, path: Any, *, overwrite: bool = False) -> Any:
        """Write the pool; returns the path written (see :func:`asnkit.write_pool`)."""
        from asnkit.pool.write import write_pool

        return write_pool(self._df, path, overwrite=overwrite)

    # ------------------------------------------------------------------ associations
    def to_association(self, **kwargs: Any) -> Association:
        """Build an association from these rows (see :func:`asnkit.to_association`)."""
        from asnkit.documents.build import to_association

        return to_association(self._df, **kwargs)

    def generate(self, **kwargs: Any) -> AssociationSet:
        """The standard DMS associations of this pool (see :func:`asnkit.generate`)."""
        from asnkit.generation.generate import generate

        return generate(self._df, **kwargs)

    def apply_rules(self, rules: Any, **kwargs: Any) -> AssociationSet:
        """Associations made by the given rules (see :func:`asnkit.apply_rules`)."""
        from asnkit.generation.generate import apply_rules

        return apply_rules(self._df, rules, **kwargs)

    def orphans(self, **kwargs: Any) -> pd.DataFrame:
        """Exposures that no association took, with the reason (see :func:`asnkit.orphans`)."""
        from asnkit.generation.explain import orphans

        return orphans(self._df, **kwargs)

    def explain(self, filename: str, **kwargs: Any) -> Any:
        """Why an exposure is (not) in each association (see :func:`asnkit.explain`)."""
        from asnkit.generation.explain import explain

        return explain(self._df, filename, **kwargs)

    # ------------------------------------------------------------------ sky and widgets
    def footprints(self, **kwargs: Any) -> pd.DataFrame:
        """Sky polygon of each exposure (see :func:`asnkit.footprints`)."""
        from asnkit.sky.footprints import footprints

        return footprints(self._df, **kwargs)

    def plot_sky(self, **kwargs: Any) -> Any:
        """Draw the footprints (see :func:`asnkit.plot_sky`)."""
        from asnkit.sky.plot import plot_sky

        return plot_sky(self._df, **kwargs)

    def ds9_regions(self, **kwargs: Any) -> str:
        """The footprints as a DS9 region file (see :func:`asnkit.ds9_regions`)."""
        from asnkit.sky.export import ds9_regions

        return ds9_regions(self._df, **kwargs)

    def sky(self, **kwargs: Any) -> Any:
        """A :class:`asnkit.widgets.SkyView` of this pool: hover, zoom, select footprints."""
        from asnkit.widgets import SkyView

        return SkyView(self._df, **kwargs)

    def explore(self, **kwargs: Any) -> Any:
        """A :class:`asnkit.widgets.PoolExplorer` on this pool."""
        from asnkit.widgets import PoolExplorer

        return PoolExplorer(self._df, **kwargs)

    def show_groupings(self, **kwargs: Any) -> Any:
        """A :class:`asnkit.widgets.GroupingView` on this pool."""
        from asnkit.widgets import GroupingView

        return GroupingView(self._df, **kwargs)

    def build(self, **kwargs: Any) -> Any:
        """An :class:`asnkit.widgets.AssociationBuilder` on this pool."""
        from asnkit.widgets import AssociationBuilder

        return AssociationBuilder(self._df, **kwargs)
