"""ExposureTable: a sortable table of exposures with a checkbox and a role column.

An anywidget (front end ``static/table.js``, shipped in the package). Ticking rows, sorting
by any column and choosing a member role happen in the browser; :attr:`selected` (pool file
names) and :attr:`roles` (file name -> role, for roles other than the pipeline's own) sync
with Python, so the builder links them to its model and to the sky view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anywidget
import numpy as np
import pandas as pd
import traitlets as tl

from asnkit.widgets.assets import asset

__all__ = ["TABLE_FIELDS", "ExposureTable"]

#: ``(key, header)`` of the columns shown, when the pool has them (dither and tile always).
TABLE_FIELDS = (
    ("filename", "exposure"),
    ("obs_num", "obs"),
    ("visit", "visit"),
    ("exp_type", "exp_type"),
    ("detector", "detector"),
    ("filter", "filter"),
    ("pupil", "pupil"),
    ("grating", "grating"),
    ("dither", "dither"),
    ("tile", "tile"),
)


def table_rows(pool: pd.DataFrame) -> dict[str, Any]:
    """The table's data: columns, file names, text values and the pipeline's role per row."""
    from asnkit.dms.names import exposure_key
    from asnkit.documents.build import exposure_role
    from asnkit.pool.labels import label_positions
    from asnkit.sky.schematic import is_junk

    rows = pool.loc[~is_junk(pool)].reset_index(drop=True)
    labels = label_positions(rows)
    values: dict[str, list[str]] = {}
    columns = []
    for key, header in TABLE_FIELDS:
        if key == "dither":
            column = labels["dither_position"]
        elif key == "tile":
            column = labels["mosaic_tile"]
        elif key in rows.columns:
            column = rows[key]
        else:
            continue
        text = column.astype("string").str.strip().fillna("")
        if key == "filename":  # the exposure, without the suffix every row repeats
            text = text.map(exposure_key)
        values[key] = text.astype(str).tolist()
        columns.append([key, header])
    return {
        "columns": columns,
        "filenames": rows["filename"].astype(str).tolist(),
        "values": values,
        "auto_roles": [exposure_role(r) for r in rows.to_dict("records")],
    }


class ExposureTable(anywidget.AnyWidget):
    """The exposures of a pool, one row each, with a checkbox and a role.

    Click a header to sort (again to reverse); tick a row to choose it (Shift-click ticks
    every row from the last one ticked); *choose all shown* / *clear*; *chosen only*
    lists the chosen rows. A chosen row's role is the pipeline's (``auto``) unless another
    is picked.

    Parameters
    ----------
    pool : DataFrame
        The exposures (junk rows are left out).
    role_options : iterable of str
        Roles offered (``"auto"`` first).
    height : int
        Height of the scrolling table in pixels.
    max_rows : int
        Rows listed at most (the others are counted).

    Examples
    --------
    >>> import asnkit, warnings; warnings.simplefilter("ignore")
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
    >>> table = ExposureTable(pool, role_options=["auto", "background"])
    >>> table.show_only(pool["filename"][:3])
    >>> table.selected = list(pool["filename"][:2]); len(table.selected)
    2
    """

    selected = tl.List(tl.Unicode()).tag(sync=True)
    roles = tl.Dict().tag(sync=True)
    role_options = tl.List(tl.Unicode()).tag(sync=True)
    height = tl.Int(400).tag(sync=True)
    max_rows = tl.Int(1000).tag(sync=True)
    _rows = tl.Dict().tag(sync=True)
    _shown = tl.Bytes(b"").tag(sync=True)
    _esm = tl.Unicode().tag(sync=True)
    _css = tl.Unicode().tag(sync=True)

    @tl.default("_esm")
    def _default_esm(self) -> str:
        return asset("table.js")

    @tl.default("_css")
    def _default_css(self) -> str:
        return asset("table.css")

    def __init__(
        self,
        pool: pd.DataFrame,
        *,
        role_options: Iterable[str] = ("auto",),
        height: int = 400,
        max_rows: int = 1000,
        **kwargs: Any,
    ) -> None:
        rows = table_rows(pool)
        self._names = np.array(rows["filenames"], dtype=object)
        super().__init__(
            role_options=list(role_options), height=height, max_rows=max_rows, **kwargs
        )
        self._rows = rows

    @property
    def filenames(self) -> list[str]:
        """The file names of the rows, in pool order."""
        return list(self._names)

    def show_only(self, filenames: Iterable[str] | None) -> None:
        """List only these exposures (None: all); chosen rows are always listed."""
        if filenames is None:
            self._shown = b""
            return
        mask = np.isin(self._names, np.array([str(n) for n in filenames], dtype=object))
        self._shown = mask.astype(np.uint8).tobytes()

    @property
    def shown(self) -> list[str]:
        """File names the filters let through (chosen rows are listed besides)."""
        if not self._shown:
            return self.filenames
        mask = np.frombuffer(self._shown, dtype=np.uint8).astype(bool)
        return list(self._names[mask])
