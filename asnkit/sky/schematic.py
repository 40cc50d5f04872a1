"""A schematic layout of exposures from their dither and mosaic indices (no sky information).

Most pools carry no pointing. To still *see* how exposures group, each observation becomes
a block, each mosaic tile (``mostilno``) a cell of that block laid out on a square-ish grid,
and each dither position a small square inside its tile, on a sub-grid in rank order.
Exposures sharing observation, tile and dither position (e.g. several filters, which
would stack exactly on the sky) split that square into side-by-side strips so that each
stays visible. Units are arbitrary: one tile is 1 x 1. This is a
diagram, clearly labelled as such by :func:`asnkit.plot_grid`, never sky coordinates.

Examples
--------
>>> import pandas as pd
>>> pool = pd.DataFrame({"filename": ["a.fits", "b.fits", "c.fits"], "obs_num": ["1"] * 3,
...                      "mostilno": ["1", "1", "2"], "patt_num": ["1", "2", "1"]})
>>> layout = schematic_layout(pool)
>>> layout[["group", "tile", "dither"]].values.tolist()
[['obs 1', 1, 1], ['obs 1', 1, 2], ['obs 1', 2, 1]]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from asnkit.dms.names import junk_rows
from asnkit.dms.values import natural_key

__all__ = ["is_junk", "position_indices", "schematic_layout"]

#: Pool columns :func:`asnkit.label_positions` reads.
_POSITION_COLUMNS = ("patt_num", "dithptin", "numdthpt", "mostilno")

TILE_SIZE = 1.0
TILE_PITCH = 1.25
BLOCK_GAP = 0.75


def is_junk(df: pd.DataFrame) -> pd.Series:
    """Rows that are not exposures: no file name, or a junk row (``set acid`` lines)."""
    if "filename" not in df.columns:
        return pd.Series(False, index=df.index)
    names = df["filename"]
    return pd.Series(names.isna().to_numpy() | junk_rows(names), index=df.index)


def position_indices(df: pd.DataFrame, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observation group, mosaic tile and dither position of each row.

    ``group`` is ``"obs N"`` (prefixed by the program when a pool mixes programs);
    ``tile`` and ``dither`` are the ``mosaic_tile`` and ``dither_position`` of
    :func:`asnkit.label_positions` (pass ``labels`` when already computed), 1 when the
    pool does not say.
    """
    from asnkit.pool.labels import label_positions

    if labels is None:
        labels = label_positions(df[[c for c in _POSITION_COLUMNS if c in df.columns]])
    obs = df["obs_num"].astype("string").str.strip() if "obs_num" in df.columns else None
    if obs is None:
        group = pd.Series("all", index=df.index, dtype=object)
    else:
        group = "obs " + obs.str.lstrip("0").replace("", "0").fillna("?")
        if "program" in df.columns and df["program"].nunique(dropna=True) > 1:
            group = df["program"].astype("string").fillna("?") + " " + group
        group = group.astype(object)
    return pd.DataFrame(
        {
            "group": group,
            "tile": labels["mosaic_tile"].fillna(1).astype(int),
            "dither": labels["dither_position"].fillna(1).astype(int),
        },
        index=df.index,
    )


def _rectangle(cx: np.ndarray, cy: np.ndarray, width: np.ndarray, height: np.ndarray):
    """``(n, 4, 2)`` corners of axis-aligned rectangles."""
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    scale = np.stack([width, height], axis=-1)[:, None, :]
    return np.stack([cx, cy], axis=-1)[:, None, :] + scale * corners[None, :, :]


def schematic_layout(df: pd.DataFrame) -> pd.DataFrame:
    """Schematic positions of the exposures (junk rows excluded).

    Returns
    -------
    pandas.DataFrame
        Indexed like the exposures of ``df``: ``group``, ``tile``, ``dither``, ``x``,
        ``y`` (centre of the dither position's square), ``size`` (its side), ``tile_x``,
        ``tile_y`` (centre of its tile cell) and ``polygon`` (a ``(4, 2)`` array: the
        exposure's strip of that square).
    """
    rows = df.loc[~is_junk(df)]
    pos = position_indices(rows)
    out = pos.assign(x=np.nan, y=np.nan, size=np.nan, tile_x=np.nan, tile_y=np.nan)
    groups = sorted(pos["group"].unique(), key=natural_key)
    if not groups:
        out["polygon"] = pd.Series(dtype=object)
        return out
    # block geometry: tiles of each observation on a near-square grid
    shapes = {}
    for g in groups:
        n_tiles = pos.loc[pos["group"] == g, "tile"].nunique()
        cols = math.ceil(math.sqrt(n_tiles))
        shapes[g] = (cols, math.ceil(n_tiles / cols))
    slot_w = max(c for c, _ in shapes.values()) * TILE_PITCH + BLOCK_GAP
    slot_h = max(r for _, r in shapes.values()) * TILE_PITCH + BLOCK_GAP
    per_row = math.ceil(math.sqrt(len(groups)))
    for b, g in enumerate(groups):
        in_group = pos["group"] == g
        bx, by = (b % per_row) * slot_w, -(b // per_row) * slot_h
        cols = shapes[g][0]
        tiles = sorted(pos.loc[in_group, "tile"].unique())
        for t_rank, tile in enumerate(tiles):
            tx = bx + (t_rank % cols) * TILE_PITCH
            ty = by - (t_rank // cols) * TILE_PITCH
            in_tile = in_group & (pos["tile"] == tile)
            dithers = sorted(pos.loc[in_tile, "dither"].unique())
            k = math.ceil(math.sqrt(len(dithers)))  # dither positions on a k x k sub-grid
            pitch = 0.9 * TILE_SIZE / k
            rank = pos.loc[in_tile, "dither"].map({d: i for i, d in enumerate(dithers)})
            rank = rank.to_numpy(int)
            out.loc[in_tile, "x"] = tx + ((rank % k) - (k - 1) / 2) * pitch
            out.loc[in_tile, "y"] = ty - ((rank // k) - (k - 1) / 2) * pitch
            out.loc[in_tile, "size"] = 0.8 * pitch
            out.loc[in_tile, "tile_x"] = tx
            out.loc[in_tile, "tile_y"] = ty
    # exposures at the same spot share its square as side-by-side strips, so each one
    # (and its colour) stays visible
    spot = out.groupby(["group", "tile", "dither"], sort=False)
    rank = spot.cumcount().to_numpy(float)
    count = spot["x"].transform("size").to_numpy(float)
    size = out["size"].to_numpy(float)
    width = size / count
    left = out["x"].to_numpy(float) - size / 2 + rank * width
    squares = _rectangle(left + width / 2, out["y"].to_numpy(float), width, size)
    out["polygon"] = pd.Series(list(squares), index=out.index, dtype=object)
    return out
