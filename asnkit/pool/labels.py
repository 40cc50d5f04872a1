"""Dither-position and mosaic-tile labels for the exposures of a pool.

Pools describe where an exposure sits in its observation's pattern with
several columns, not all present in every pool (older pools lack some, pools
made from headers have defaults). :func:`label_positions` reads them in this
order and keeps the first usable value (a whole number of at least 1; the DMS
writes ``0`` for "no pattern"):

* dither position: ``patt_num`` (position in the dither pattern), else
  ``dithptin`` (dither point index);
* number of dither points: ``numdthpt``;
* mosaic tile: ``mostilno``.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["DITHER_COLUMNS", "LABEL_COLUMNS", "POINTS_COLUMNS", "TILE_COLUMNS", "label_positions"]

#: Pool columns giving the dither position, in order of preference.
DITHER_COLUMNS = ("patt_num", "dithptin")
#: Pool columns giving the number of dither points, in order of preference.
POINTS_COLUMNS = ("numdthpt",)
#: Pool columns giving the mosaic tile, in order of preference.
TILE_COLUMNS = ("mostilno",)
#: Columns added by :func:`label_positions`.
LABEL_COLUMNS = ("dither_position", "dither_points", "mosaic_tile", "position_label")


def label_positions(df: pd.DataFrame) -> pd.DataFrame:
    """Add dither-position and mosaic-tile labels to each exposure.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with four more columns (replaced if present):
        ``dither_position``, ``dither_points`` and ``mosaic_tile`` (nullable
        integers, missing when the pool does not say) and ``position_label``
        (text such as ``"tile 1, dither 2/4"``, missing when nothing is
        known). See the module documentation for the columns read.

    Examples
    --------
    >>> import asnkit
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("jw87800_20180412T163456_pool"))
    >>> label_positions(pool)["position_label"].tolist()[:4]
    ['tile 1, dither 1', 'tile 1, dither 8', 'tile 1, dither 6', 'tile 1, dither 3']
    """
    out = df.copy()
    dither = _first_usable(df, DITHER_COLUMNS)
    points = _first_usable(df, POINTS_COLUMNS)
    tile = _first_usable(df, TILE_COLUMNS)
    out["dither_position"] = dither
    out["dither_points"] = points
    out["mosaic_tile"] = tile
    out["position_label"] = pd.array(
        [_label(d, n, t) for d, n, t in zip(dither, points, tile, strict=True)], dtype="str"
    )
    return out


def _first_usable(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    result = pd.Series(pd.NA, index=df.index, dtype="Int64")
    for column in columns:
        if column not in df.columns:
            continue
        numbers = pd.to_numeric(df[column], errors="coerce")
        whole = numbers.where((numbers >= 1) & (numbers == numbers.round()))
        result = result.fillna(whole.astype("Int64"))
    return result


def _label(dither, points, tile) -> str | None:
    parts = []
    if not pd.isna(tile):
        parts.append(f"tile {tile}")
    if not pd.isna(dither):
        total = "" if pd.isna(points) else f"/{points}"
        parts.append(f"dither {dither}{total}")
    return ", ".join(parts) if parts else None
