"""Colour groups of footprint plots: by association, dither position, mosaic tile or column.

:func:`color_labels` says which colour group each exposure belongs to (an exposure in
several associations belongs to each); :func:`palette` gives the groups distinct colours.
Given associations, the default is their Level 3 associations (what the pipeline combines),
one colour each; mosaic tiles are numbered within their observation (tile 1 of observation
1 is not tile 1 of observation 2).

Examples
--------
>>> import pandas as pd
>>> pool = pd.DataFrame({"filename": ["a.fits", "b.fits"], "patt_num": ["1", "2"]})
>>> labels, how = color_labels(pool)
>>> how, labels["group"].tolist()
('dither', ['dither 1', 'dither 2'])
"""

from __future__ import annotations

import re
from collections import Counter
from enum import Enum
from typing import Any

import pandas as pd

from asnkit.dms.names import exposure_key
from asnkit.dms.values import natural_key
from asnkit.errors import AssociationError, PoolKeyError, close_matches
from asnkit.sky.groups import membership
from asnkit.sky.schematic import is_junk, position_indices

__all__ = [
    "UNGROUPED",
    "ColorBy",
    "color_labels",
    "default_color_by",
    "group_order",
    "legend",
    "level3_associations",
    "natural_key",
    "palette",
    "short_labels",
    "tile_labels",
]

#: Label of exposures that belong to no group when colouring by association.
UNGROUPED = "(no association)"
_GREY = (0.6, 0.6, 0.6, 1.0)


class ColorBy(str, Enum):
    """Special ``color_by`` values (any other string is a column of the pool)."""

    LEVEL3 = "level3"
    ASSOCIATION = "association"
    DITHER = "dither"
    TILE = "tile"
    ROLE = "role"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


def level3_associations(associations: Any) -> Any:
    """The Level 3 associations of a set (None when there are none or levels are unknown)."""
    if associations is None or not hasattr(associations, "filter"):
        return None
    try:
        chosen = associations.filter(lambda a: getattr(a, "level", None) == 3)
    except TypeError:
        return None
    return chosen if len(chosen) else None


def default_color_by(pool: pd.DataFrame, associations: Any = None) -> str:
    """The colouring used when none is asked for.

    Level 3 associations when the associations have any, else the associations; without
    associations the mosaic tile when the pool has several, else the dither position
    when several, else ``exp_type`` when several, else ``"none"``.
    """
    if associations is not None:
        if level3_associations(associations) is not None:
            return ColorBy.LEVEL3.value
        return ColorBy.ASSOCIATION.value
    exposures = pool.loc[~is_junk(pool)]
    pos = position_indices(exposures)
    if len(pos) and pos.groupby("group")["tile"].nunique().max() > 1:
        return ColorBy.TILE.value
    if pos["dither"].nunique() > 1:
        return ColorBy.DITHER.value
    if "exp_type" in exposures.columns and exposures["exp_type"].nunique() > 1:
        return "exp_type"
    return ColorBy.NONE.value


def tile_labels(positions: pd.DataFrame) -> pd.Series:
    """``"tile 2"``, or ``"obs 1 tile 2"`` when the rows span several observations."""
    tiles = "tile " + positions["tile"].astype(str)
    if positions["group"].nunique() > 1:
        tiles = positions["group"].astype(str) + " " + tiles
    return tiles


def _roles(pool: pd.DataFrame, associations: Any) -> pd.DataFrame:
    from asnkit.documents.build import exposure_role

    rows = pool.index
    if associations is None:
        roles = [exposure_role(record) for record in pool.to_dict("records")]
        return pd.DataFrame({"row": rows, "group": roles})
    members = membership(associations)
    keys = pd.DataFrame({"row": rows, "key": pool["filename"].map(exposure_key).to_numpy()})
    joined = keys.merge(members[["key", "role"]], on="key", how="left")
    joined["group"] = joined["role"].fillna(UNGROUPED).astype(str)
    return joined[["row", "group"]].drop_duplicates(ignore_index=True)


def color_labels(
    pool: pd.DataFrame, color_by: str | None = None, associations: Any = None
) -> tuple[pd.DataFrame, str]:
    """The colour group of each exposure (one row per exposure and group).

    Parameters
    ----------
    pool : pandas.DataFrame
        The exposures.
    color_by : str or ColorBy, optional
        ``"level3"`` (the Level 3 associations of ``associations``), ``"association"``
        (all of them), ``"dither"``, ``"tile"`` (numbered within each observation),
        ``"role"`` (member type in the associations, else as the pool flags say),
        ``"none"`` or a column of ``pool``. Default: :func:`default_color_by`.
    associations : optional
        Anything :func:`asnkit.sky.groups.membership` accepts.

    Returns
    -------
    (pandas.DataFrame, str)
        Columns ``row`` (label of the pool row) and ``group`` (text); and the name of the
        colouring used (for the legend title).
    """
    exposures = pool.loc[~is_junk(pool)]
    key = str(color_by) if color_by is not None else default_color_by(pool, associations)
    rows = exposures.index
    if key in (ColorBy.ASSOCIATION.value, ColorBy.LEVEL3.value):
        if associations is None:
            raise AssociationError(f"color_by={key!r} needs associations=...")
        chosen = associations
        if key == ColorBy.LEVEL3.value:
            chosen = level3_associations(associations)
            if chosen is None:
                raise AssociationError(
                    "color_by='level3' needs associations that include Level 3 ones "
                    "(an AssociationSet); use color_by='association' for these"
                )
        members = membership(chosen)
        keys = pd.DataFrame({"row": rows, "key": exposures["filename"].map(exposure_key).values})
        joined = keys.merge(members[["key", "group"]], on="key", how="left")
        joined["group"] = joined["group"].fillna(UNGROUPED)
        title = "Level 3 association" if key == ColorBy.LEVEL3.value else "association"
        return joined[["row", "group"]], title
    if key == ColorBy.NONE.value:
        return pd.DataFrame({"row": rows, "group": "exposures"}), ""
    if key == ColorBy.ROLE.value:
        return _roles(exposures, associations), "role"
    if key in (ColorBy.DITHER.value, ColorBy.TILE.value):
        pos = position_indices(exposures)
        if key == ColorBy.TILE.value:
            group = tile_labels(pos)
        else:
            group = "dither " + pos["dither"].astype(str)
        return pd.DataFrame({"row": rows, "group": group.values}), key
    if key not in pool.columns:
        special = [c.value for c in ColorBy]
        columns = [str(c) for c in pool.columns]
        close = close_matches(key, [*special, *columns])
        hint = f"close matches: {', '.join(close)}" if close else f"columns: {', '.join(columns)}"
        raise PoolKeyError(
            f"color_by={key!r} is neither one of {special} nor a column of the pool; {hint}"
        )
    values = exposures[key].astype(object).where(exposures[key].notna(), "(missing)")
    return pd.DataFrame({"row": rows, "group": values.astype(str).values}), key


def short_labels(labels: list[str]) -> dict[str, str]:
    """Labels without the ``_``/``-`` separated words they all share (for small spaces).

    DMS product names differ in a few words: ``jw99999-o001_t001_nircam_clear-f150w`` and
    ``jw99999-a3001_t001_nircam_clear-f444w`` become ``o001 t001 f150w`` and
    ``a3001 t001 f444w``. Labels without such separators are kept as they are.

    Examples
    --------
    >>> short_labels(["jw1-o001_nircam_f150w", "jw1-o002_nircam_f150w", "tile 1"])
    {'jw1-o001_nircam_f150w': 'o001', 'jw1-o002_nircam_f150w': 'o002', 'tile 1': 'tile 1'}
    """
    split = {lab: re.split(r"[_-]", str(lab)) for lab in labels if re.search(r"[_-]", str(lab))}
    out = {str(lab): str(lab) for lab in labels}
    if len(split) < 2:
        return out
    common = set.intersection(*(set(words) for words in split.values()))
    for label, words in split.items():
        kept = [w for w in words if w not in common]
        if kept:
            out[label] = " ".join(kept)
    return out


def group_order(groups: Any) -> list[str]:
    """Distinct group labels in legend order: natural order, the ungrouped last."""
    return sorted(set(groups), key=lambda g: (g == UNGROUPED, natural_key(g)))


#: Step along the colour map between consecutive groups, when there are more than 20:
#: the golden ratio's fraction, so neighbours in the legend (often neighbours on the sky,
#: like the image2 associations of one dither) never get near-identical colours.
_GOLDEN_STEP = (5**0.5 - 1) / 2


def palette(labels: list[str]) -> dict[str, tuple]:
    """A colour per label: tab10 / tab20, beyond 20 the turbo map spread out (grey: ungrouped).

    Examples
    --------
    >>> colors = palette([f"asn {i}" for i in range(148)])
    >>> len(set(colors.values())), colors["asn 0"] != colors["asn 1"]
    (148, True)
    """
    from matplotlib import colormaps

    named = [lab for lab in labels if lab != UNGROUPED]
    n = len(named)
    if n <= 10:
        colors = [colormaps["tab10"](i) for i in range(n)]
    elif n <= 20:
        colors = [colormaps["tab20"](i) for i in range(n)]
    else:
        colors = _turbo([0.05 + 0.9 * ((i * _GOLDEN_STEP) % 1.0) for i in range(n)])
    out = dict(zip(named, colors, strict=True))
    if UNGROUPED in labels:
        out[UNGROUPED] = _GREY
    return out


def _turbo(positions: list[float]) -> list[tuple]:
    """Turbo at ``positions`` in [0, 1], interpolated between its 256 colours.

    Looking the map up would round each position to one of 256 entries, so two groups
    of a large set could share a colour.
    """
    import numpy as np
    from matplotlib import colormaps

    lut = np.asarray(colormaps["turbo"].colors, dtype=float)
    grid = np.linspace(0.0, 1.0, len(lut))
    rgb = np.column_stack([np.interp(positions, grid, lut[:, k]) for k in range(3)])
    return [(float(r), float(g), float(b), 1.0) for r, g, b in rgb]


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
