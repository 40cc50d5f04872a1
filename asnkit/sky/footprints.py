"""Sky footprints of the exposures of a pool: from S_REGION, pointing keywords, or a schematic.

For each exposure, in order of preference:

1. ``s_region`` -- the polygon(s) the DMS wrote in the exposure's header;
2. ``pointing`` -- the aperture corners of the SIAF pysiaf ships (``apername``) placed on the sky by the
   exposure's attitude (``ra_ref``, ``dec_ref``, ``roll_ref`` at ``v2_ref``, ``v3_ref``;
   the ideal-frame orientation ``v3i_yang``/``vparity`` from the header when present);
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
from asnkit.sky.attitude import attitude_matrix, ideal_to_v2v3, v2v3_to_sky, vector_center
from asnkit.sky.regions import parse_s_region
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


def _from_s_region(df, polygons, sources, strict):
    if "s_region" not in df.columns:
        return
    texts = df["s_region"]
    has_text = texts.notna() & (texts.astype("string").str.strip() != "")
    bad: list[str] = []
    for label in texts.index[has_text.fillna(False).to_numpy(bool)]:
        try:
            shapes = parse_s_region(texts.at[label])
        except ValueError as exc:
            name = df.at[label, "filename"] if "filename" in df.columns else label
            msg = f"row {label} ({name}): {exc}"
            if strict:
                raise PoolError(msg, file=_where(df), column="s_region") from None
            bad.append(msg)
            continue
        if shapes:
            polygons[label] = shapes
            sources[label] = FootprintSource.S_REGION.value
    if bad:
        more = f"; and {len(bad) - 5} more" if len(bad) > 5 else ""
        warnings.warn(
            f"{_where(df)}: {len(bad)} unreadable S_REGION value(s), using the pointing "
            f"keywords or a schematic instead: {'; '.join(bad[:5])}{more}",
            PoolWarning,
            stacklevel=3,
        )


def _from_pointing(df, polygons, sources, catalog):
    missing = [c for c in POINTING_COLUMNS if c not in df.columns]
    if missing:
        return
    todo = df.loc[[lab for lab in df.index if lab not in polygons]]
    if todo.empty:
        return
    values = {c: _numeric(todo, c) for c in POINTING_COLUMNS if c != "apername"}
    ok = np.logical_and.reduce([v.notna().to_numpy() for v in values.values()])
    apernames = todo["apername"].astype("string").str.strip().str.upper()
    ok &= apernames.notna().to_numpy() & (apernames != "").fillna(False).to_numpy(bool)
    todo, apernames = todo.loc[ok], apernames.loc[ok]
    unknown: dict[str, int] = {}
    for apername, rows in todo.groupby(apernames, sort=False).groups.items():
        aperture = catalog.get(apername)
        if aperture is None:
            unknown[apername] = len(rows)
            continue
        sub = todo.loc[rows]
        yang = _numeric(sub, "v3i_yang").fillna(aperture.v3_idl_yangle).to_numpy()[:, None]
        parity = _numeric(sub, "vparity").fillna(aperture.parity).to_numpy()[:, None]
        v2_ref = _numeric(sub, "v2_ref").to_numpy()
        v3_ref = _numeric(sub, "v3_ref").to_numpy()
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
            _numeric(sub, "ra_ref"),
            _numeric(sub, "dec_ref"),
            _numeric(sub, "roll_ref"),
        )
        ra, dec = v2v3_to_sky(matrix, v2, v3)
        for i, label in enumerate(rows):
            polygons[label] = [np.column_stack([ra[i], dec[i]])]
            sources[label] = FootprintSource.POINTING.value
    if unknown:
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(unknown.items()))
        warnings.warn(
            f"{_where(df)}: aperture(s) unknown to pysiaf, footprints not rebuilt: {listed}",
            PoolWarning,
            stacklevel=3,
        )


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
    polygons: dict = {}
    sources: dict = {}
    junk = is_junk(df)
    exposures = df.loc[~junk]
    _from_s_region(exposures, polygons, sources, strict)
    _from_pointing(exposures, polygons, sources, catalog)
    rest = exposures.loc[[lab for lab in exposures.index if lab not in polygons]]
    if schematic and len(rest):
        layout = schematic_layout(rest)
        for label, poly in layout["polygon"].items():
            polygons[label] = [poly]
            sources[label] = FootprintSource.SCHEMATIC.value
    out = pd.DataFrame(index=df.index)
    out["filename"] = (
        df["filename"] if "filename" in df.columns else pd.Series(df.index, index=df.index)
    )
    out["source"] = (
        pd.Series(sources, dtype=object).reindex(df.index).fillna(FootprintSource.NONE.value)
    )
    out["polygons"] = pd.Series(
        [polygons.get(label, []) for label in df.index], index=df.index, dtype=object
    )
    ra = np.full(len(df), np.nan)
    dec = np.full(len(df), np.nan)
    on_sky = out["source"].isin([FootprintSource.S_REGION.value, FootprintSource.POINTING.value])
    for i in np.flatnonzero(on_sky.to_numpy()):
        vertices = np.concatenate(out["polygons"].iat[i])
        ra[i], dec[i] = vector_center(vertices[:, 0], vertices[:, 1])
    out["ra"] = ra
    out["dec"] = dec
    out.index = original
    return out
