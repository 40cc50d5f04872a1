"""Colour groups of footprint plots: by association, dither position, mosaic tile or column.

:func:`color_labels` says which colour group each exposure belongs to (an exposure in
several associations belongs to each); :func:`palette` gives the groups distinct colours.

Examples
--------
>>> import pandas as pd
>>> pool = pd.DataFrame({"filename": ["a.fits", "b.fits"], "patt_num": ["1", "2"]})
>>> labels, how = color_labels(pool)
>>> how, labels["group"].tolist()
('dither', ['dither 1', 'dither 2'])
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from asnkit.dms.values import natural_key
from asnkit.sky.groups import exposure_key, membership
from asnkit.sky.schematic import is_junk, position_indices

__all__ = ["UNGROUPED", "ColorBy", "color_labels", "legend", "natural_key", "palette"]

#: Label of exposures that belong to no group when colouring by association.
UNGROUPED = "(no association)"
_GREY = (0.6, 0.6, 0.6, 1.0)


class ColorBy(str, Enum):
    """Special ``color_by`` values (any other string is a column of the pool)."""

    ASSOCIATION = "association"
    DITHER = "dither"
    TILE = "tile"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


def color_labels(
    pool: pd.DataFrame, color_by: str | None = None, associations: Any = None
) -> tuple[pd.DataFrame, str]:
    """The colour group of each exposure (one row per exposure and group).

    Parameters
    ----------
    pool : pandas.DataFrame
        The exposures.
    color_by : str or ColorBy, optional
        ``"association"`` (needs ``associations``), ``"dither"``, ``"tile"``, ``"none"``
        or a column of ``pool``. Default: association when given, else tile when the pool
        has several, else dither position when several, else ``exp_type`` when several,
        else ``"none"``.
    associations : optional
        Anything :func:`asnkit.sky.groups.membership` accepts.

    Returns
    -------
    (pandas.DataFrame, str)
        Columns ``row`` (label of the pool row) and ``group`` (text); and the name of the
        colouring used (for the legend title).
    """
    exposures = pool.loc[~is_junk(pool)]
    if color_by is None:
        if associations is not None:
            color_by = ColorBy.ASSOCIATION
        else:
            pos = position_indices(exposures)
            if pos["tile"].nunique() > 1:
                color_by = ColorBy.TILE
            elif pos["dither"].nunique() > 1:
                color_by = ColorBy.DITHER
            elif "exp_type" in exposures.columns and exposures["exp_type"].nunique() > 1:
                color_by = "exp_type"
            else:
                color_by = ColorBy.NONE
    key = str(color_by)
    rows = exposures.index
    if key == ColorBy.ASSOCIATION.value:
        if associations is None:
            raise ValueError("color_by='association' needs associations=...")
        members = membership(associations)
        keys = pd.DataFrame({"row": rows, "key": exposures["filename"].map(exposure_key).values})
        joined = keys.merge(members[["key", "group"]], on="key", how="left")
        joined["group"] = joined["group"].fillna(UNGROUPED)
        return joined[["row", "group"]], "association"
    if key == ColorBy.NONE.value:
        return pd.DataFrame({"row": rows, "group": "exposures"}), ""
    if key in (ColorBy.DITHER.value, ColorBy.TILE.value):
        pos = position_indices(exposures)
        if key == ColorBy.TILE.value:
            group = "tile " + pos["tile"].astype(str)
        else:
            group = "dither " + pos["dither"].astype(str)
        return pd.DataFrame({"row": rows, "group": group.values}), key
    if key not in pool.columns:
        raise KeyError(
            f"color_by={key!r} is neither one of {[c.value for c in ColorBy]} nor a column "
            f"of the pool ({', '.join(map(str, pool.columns))})"
        )
    values = exposures[key].astype(object).where(exposures[key].notna(), "(missing)")
    return pd.DataFrame({"row": rows, "group": values.astype(str).values}), key


def palette(labels: list[str]) -> dict[str, tuple]:
    from matplotlib import colormaps

    named = [lab for lab in labels if lab != UNGROUPED]
    n = len(named)
    if n <= 10:
        colors = [colormaps["tab10"](i) for i in range(n)]
    elif n <= 20:
        colors = [colormaps["tab20"](i) for i in range(n)]
    else:
        cmap = colormaps["turbo"]
        colors = [cmap(x) for x in np.linspace(0.05, 0.95, n)]
    out = dict(zip(named, colors, strict=True))
    if UNGROUPED in labels:
        out[UNGROUPED] = _GREY
    return out


def legend(ax, labels, colors, title, max_entries, groups, extra_handles=()):
    from matplotlib.patches import Patch

    counts = Counter(groups)
    handles = [
        Patch(
            facecolor=(*colors[lab][:3], 0.35),
            edgecolor=colors[lab],
            label=f"{lab} ({counts[lab]})",
        )
        for lab in labels[:max_entries]
    ]
    if len(labels) > max_entries:
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="none",
                label=f"... and {len(labels) - max_entries} more",
            )
        )
    handles.extend(extra_handles)
    if not handles:
        return None
    return ax.legend(
        handles=handles,
        title=title or None,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize="small",
        title_fontsize="small",
        frameon=False,
    )
