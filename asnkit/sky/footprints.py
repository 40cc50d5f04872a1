"""Sky footprints of the exposures of a pool: from S_REGION, pointing keywords, or a schematic.

For each exposure, in order of preference:

1. ``s_region`` -- the polygon(s) the DMS wrote in the exposure's header;
2. ``pointing`` -- the aperture corners (``apername``) of the SIAF that pysiaf ships,
   placed on the sky by the exposure's attitude (``ra_ref``, ``dec_ref``, ``roll_ref`` at
   ``v2_ref``, ``v3_ref``; the ideal-frame orientation ``v3i_yang``/``vparity`` from the
   header when present);
3. ``schematic`` -- a diagram position from the observation, mosaic tile and dither
   position (see :mod:`asnkit.sky.schematic`); these polygons are **not** sky
   coordinates and their ``ra``/``dec`` centre is NaN.

Rows that are not exposures (``set acid`` junk rows) get source ``none`` and no polygon.
"""

from __future__ import annotations

import warnings
from enum import Enum

import numpy as np
import pandas as pd

from asnkit.errors import PoolError, PoolWarning
from asnkit.sky.apertures import ApertureCatalog
from asnkit.sky.attitude import (
    attitude_matrix,
    ideal_to_v2v3,
    to_lonlat,
    unit_vector,
    v2v3_to_sky,
)
from asnkit.sky.regions import parse_s_regions
from asnkit.sky.schematic import is_junk, schematic_layout

__all__ = ["FOOTPRINT_COLUMNS", "POINTING_COLUMNS", "FootprintSource", "footprints"]

#: Keywords needed to rebuild a footprint from the pointing.
POINTING_COLUMNS = ("ra_ref", "dec_ref", "roll_ref", "v2_ref", "v3_ref", "apername")

#: Columns of the frame returned by :func:`footprints`.
FOOTPRINT_COLUMNS = ("filename", "source", "polygons", "ra", "dec")


class FootprintSource(str, Enum):
    """Where a footprint comes from (the values of the ``source`` column)."""

    S_REGION = "s_region"
    POINTING = "pointing"
    SCHEMATIC = "schematic"
    NONE = "none"

    def __str__(self) -> str:
        return self.value


def _where(df: pd.DataFrame) -> str:
    return str(df.attrs.get("pool_file") or df.attrs.get("asn_pool") or "<DataFrame>")


def _numeric(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[column], errors="coerce").astype(float)


def _from_s_region(df, todo, polygons, sources, strict):
    """Polygons from ``s_region`` for the rows ``todo`` (positions) that have one."""
    if "s_region" not in df.columns:
        return
    texts = df["s_region"]
    has_text = (texts.notna() & (texts.astype("string").str.strip() != "")).fillna(False)
    rows = np.flatnonzero(todo & has_text.to_numpy(bool))
    if not len(rows):
        return
    shapes, errors = parse_s_regions(texts.iloc[rows].astype(str).tolist())
    if errors and strict:
        k = min(errors)
        row = rows[k]
        name = df["filename"].iat[row] if "filename" in df.columns else row
        raise PoolError(f"row {row} ({name}): {errors[k]}", file=_where(df), column="s_region")
    for k, row in enumerate(rows):
        if shapes[k]:
            polygons[row] = shapes[k]
            sources[row] = FootprintSource.S_REGION.value
    if errors:
        names = df["filename"] if "filename" in df.columns else None
        bad = [
            f"row {rows[k]} ({names.iat[rows[k]] if names is not None else rows[k]}): {message}"
            for k, message in sorted(errors.items())
        ]
        more = f"; and {len(bad) - 5} more" if len(bad) > 5 else ""
        warnings.warn(
            f"{_where(df)}: {len(bad)} unreadable S_REGION value(s), using the pointing "
            f"keywords or a schematic instead: {'; '.join(bad[:5])}{more}",
            PoolWarning,
            stacklevel=3,
        )


def _from_pointing(df, todo, polygons, sources, catalog):
    """Polygons rebuilt from the pointing keywords for the rows ``todo`` (positions)."""
    missing = [c for c in POINTING_COLUMNS if c not in df.columns]
    if missing or not todo.any():
        return
    values = {c: _numeric(df, c).to_numpy() for c in POINTING_COLUMNS if c != "apername"}
    ok = todo & np.logical_and.reduce([~np.isnan(v) for v in values.values()])
    apernames = df["apername"].astype("string").str.strip().str.upper()
    ok &= apernames.notna().to_numpy() & (apernames != "").fillna(False).to_numpy(bool)
    rows = np.flatnonzero(ok)
    if not len(rows):
        return
    names = apernames.to_numpy(dtype=object)[rows]
    codes, uniques = pd.factorize(names)
    yang_all = _numeric(df, "v3i_yang").to_numpy()
    parity_all = _numeric(df, "vparity").to_numpy()
    unknown: dict[str, int] = {}
    for code, apername in enumerate(uniques):
        group = rows[codes == code]
        aperture = catalog.get(apername)
        if aperture is None:
            unknown[apername] = len(group)
            continue
        yang = yang_all[group]
        yang = np.where(np.isnan(yang), aperture.v3_idl_yangle, yang)[:, None]
        parity = parity_all[group]
        parity = np.where(np.isnan(parity), aperture.parity, parity)[:, None]
        v2_ref = values["v2_ref"][group]
        v3_ref = values["v3_ref"][group]
        v2, v3 = ideal_to_v2v3(
            aperture.x_idl[None, :],
            aperture.y_idl[None, :],
            v2_ref[:, None],
            v3_ref[:, None],
            yang,
            parity,
        )
        matrix = attitude_matrix(
            v2_ref,
            v3_ref,
            values["ra_ref"][group],
            values["dec_ref"][group],
            values["roll_ref"][group],
        )
        ra, dec = v2v3_to_sky(matrix, v2, v3)
        corners = np.stack([ra, dec], axis=-1)  # (rows, vertices, 2)
        for k, row in enumerate(group):
            polygons[row] = [corners[k]]
            sources[row] = FootprintSource.POINTING.value
    if unknown:
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(unknown.items()))
        warnings.warn(
            f"{_where(df)}: aperture(s) unknown to pysiaf, footprints not rebuilt: {listed}",
            PoolWarning,
            stacklevel=3,
        )


def _centers(polygons: list[list[np.ndarray]], on_sky: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`vector_center` of the vertices of each row on the sky, all rows at once."""
    ra = np.full(len(polygons), np.nan)
    dec = np.full(len(polygons), np.nan)
    rows = np.flatnonzero(on_sky)
    if not len(rows):
        return ra, dec
    shapes = [shape for row in rows for shape in polygons[row]]
    counts = np.array([sum(len(shape) for shape in polygons[row]) for row in rows])
    vertices = np.concatenate(shapes)
    vec = unit_vector(vertices[:, 0], vertices[:, 1])
    finite = np.all(np.isfinite(vec), axis=1)
    vec[~finite] = 0.0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sums = np.add.reduceat(vec, starts, axis=0)
    used = np.add.reduceat(finite.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        lon, lat = to_lonlat(sums / used[:, None])
    ra[rows] = np.where(used > 0, lon, np.nan)
    dec[rows] = np.where(used > 0, lat, np.nan)
    return ra, dec


def footprints(
    df: pd.DataFrame,
    *,
    strict: bool = False,
    schematic: bool = True,
    apertures: ApertureCatalog | None = None,
) -> pd.DataFrame:
    """The footprint of each exposure of a pool.

    Parameters
    ----------
    df : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`, :func:`asnkit.pool_from_files`) or any frame with
        a ``filename`` column and some of ``s_region``, the pointing keywords
        (:data:`POINTING_COLUMNS`, plus optional ``v3i_yang`` and ``vparity``), or dither
        and mosaic indices. Not modified.
    strict : bool, optional
        Raise :class:`asnkit.PoolError` on an unreadable ``s_region`` instead of warning
        and falling back to the pointing.
    schematic : bool, optional
        Give exposures without sky information a schematic position (default); when
        False they get source ``none`` and no polygon.
    apertures : ApertureCatalog, optional
        Reuse loaded pysiaf apertures across calls (e.g. in a widget).

    Returns
    -------
    pandas.DataFrame
        Same index as ``df``: ``filename``; ``source`` (a :class:`FootprintSource` value:
        ``s_region``, ``pointing``, ``schematic`` or ``none``); ``polygons``, a list of
        ``(n, 2)`` arrays of (RA, Dec) degrees -- schematic units for ``schematic`` rows;
        ``ra``/``dec``, the centre in degrees (NaN unless on the sky).

    Warns
    -----
    PoolWarning
        An ``s_region`` that cannot be read (naming the row -- its 0-based position --
        and the exposure file), or apertures pysiaf does not know.

    Examples
    --------
    >>> import pandas as pd
    >>> pool = pd.DataFrame({"filename": ["a_cal.fits"],
    ...     "s_region": ["POLYGON ICRS 10.0 -5.0 10.1 -5.0 10.1 -4.9 10.0 -4.9"]})
    >>> fp = footprints(pool)
    >>> fp.loc[0, "source"], fp.loc[0, "polygons"][0].shape
    ('s_region', (4, 2))
    >>> round(float(fp.loc[0, "ra"]), 3), round(float(fp.loc[0, "dec"]), 3)
    (10.05, -4.95)
    """
    catalog = apertures if apertures is not None else ApertureCatalog()
    original = df.index
    df = df.reset_index(drop=True)  # positions: safe with duplicated index labels
    n = len(df)
    polygons: list[list[np.ndarray]] = [[] for _ in range(n)]
    sources = np.full(n, FootprintSource.NONE.value, dtype=object)
    exposures = ~is_junk(df).to_numpy(bool)
    _from_s_region(df, exposures, polygons, sources, strict)
    todo = exposures & (sources == FootprintSource.NONE.value)
    _from_pointing(df, todo, polygons, sources, catalog)
    rest = exposures & (sources == FootprintSource.NONE.value)
    if schematic and rest.any():
        layout = schematic_layout(df.loc[rest])
        for label, poly in layout["polygon"].items():
            polygons[label] = [poly]
            sources[label] = FootprintSource.SCHEMATIC.value
    out = pd.DataFrame(index=df.index)
    out["filename"] = (
        df["filename"] if "filename" in df.columns else pd.Series(df.index, index=df.index)
    )
    out["source"] = pd.Series(sources, index=df.index, dtype=object)
    out["polygons"] = pd.Series(polygons, index=df.index, dtype=object)
    on_sky = np.isin(sources, [FootprintSource.S_REGION.value, FootprintSource.POINTING.value])
    out["ra"], out["dec"] = _centers(polygons, on_sky)
    out.index = original
    return out
