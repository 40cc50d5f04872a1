"""Footprints as region files: DS9 text, or ``regions`` objects when that package is installed.

:func:`ds9_regions` writes one ``polygon`` per footprint ring in ICRS degrees, coloured
like :func:`asnkit.plot_sky` and tagged with the exposure's file name and groups, so
DS9, Aladin, jdaviz or the astropy ``regions`` package can show them over an image.
:func:`to_regions` parses that text with ``regions`` (an optional package: asnkit does
not depend on it); :func:`write_ds9` writes it atomically.

Examples
--------
>>> import pandas as pd
>>> pool = pd.DataFrame({"filename": ["a_cal.fits"], "filter": ["F150W"],
...     "s_region": ["POLYGON ICRS 10.0 -5.0 10.1 -5.0 10.1 -4.9 10.0 -4.9"]})
>>> line = ds9_regions(pool, color_by="filter").splitlines()[-1]
>>> line.split(" # ")[1]
'color=#1f77b4 text={a_cal.fits} tag={F150W}'
>>> line.split(" # ")[0][:40]
'polygon(10.00000000,-5.00000000,10.10000'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from asnkit.errors import PoolFileExistsError, exists_as
from asnkit.sky.footprints import footprints
from asnkit.sky.groups import pool_and_groups
from asnkit.sky.layout import ON_SKY

__all__ = ["ds9_regions", "to_regions", "write_ds9"]

_HEADER = (
    "# Region file format: DS9 version 4.1\n"
    'global color=green dashlist=8 3 width=1 font="helvetica 10 normal roman" select=1 '
    "highlite=1 dash=0 fixed=0 edit=1 move=1 delete=1 include=1 source=1\n"
)
# characters that would end a DS9 {...} property value or a line
_UNSAFE = re.compile(r"[{}\r\n]")


def _safe(text: Any) -> str:
    return _UNSAFE.sub("_", str(text))


def ds9_regions(
    data: Any,
    *,
    pool: pd.DataFrame | None = None,
    color_by: str | None = None,
    associations: Any = None,
    footprint_frame: pd.DataFrame | None = None,
) -> str:
    """The sky footprints of a pool as a DS9 region file (text).

    Parameters
    ----------
    data : DataFrame or AssociationSet
        The pool, or associations (then give ``pool=``).
    color_by, associations
        As for :func:`asnkit.plot_sky`: each polygon gets the colour of its exposure's
        first group and a ``tag={...}`` per group.
    footprint_frame : DataFrame, optional
        :func:`asnkit.footprints` of the pool, when already computed.

    Returns
    -------
    str
        ``# Region file format: DS9 version 4.1``, a ``global`` line, ``icrs`` and one
        ``polygon(ra1,dec1,...)`` line per footprint ring (degrees), with
        ``text={file name}``. Exposures without a sky footprint are left out (a comment
        says how many).
    """
    from matplotlib.colors import to_hex

    from asnkit.sky.colors import color_labels, group_order, palette

    pool, associations = pool_and_groups("ds9_regions", data, pool, associations)
    fp = footprint_frame if footprint_frame is not None else footprints(pool)
    fp = fp.reset_index(drop=True)
    positional = pool.reset_index(drop=True)
    labels, how = color_labels(positional, color_by, associations)
    groups = labels.groupby("row", sort=False)["group"].apply(list)
    colors = palette(group_order(labels["group"]))
    on_sky = fp["source"].isin(ON_SKY).to_numpy(bool)
    lines = [_HEADER.rstrip("\n")]
    name = positional.attrs.get("asn_pool") or positional.attrs.get("pool_file")
    lines.append(
        f"# asnkit footprints{f' of {_safe(name)}' if name else ''}"
        + (f", coloured by {how}" if how else "")
    )
    skipped = int((~on_sky & (fp["source"] != "none")).sum())
    if skipped:
        lines.append(f"# {skipped} exposure(s) without sky information left out")
    lines.append("icrs")
    for row in np.flatnonzero(on_sky):
        tags = groups.get(row, [])
        color = to_hex(colors[tags[0]]) if tags else "#999999"
        props = f"color={color} text={{{_safe(fp['filename'].iat[row])}}}"
        props += "".join(f" tag={{{_safe(t)}}}" for t in tags)
        for ring in fp["polygons"].iat[row]:
            coords = ",".join(f"{v:.8f}" for v in np.asarray(ring, float).ravel())
            lines.append(f"polygon({coords}) # {props}")
    return "\n".join(lines) + "\n"


def to_regions(data: Any, **kwargs: Any) -> Any:
    """The footprints as a ``regions.Regions`` list of ``PolygonSkyRegion`` (ICRS).

    Takes the arguments of :func:`ds9_regions`. Needs the ``regions`` package
    (``pip install regions``), which asnkit does not depend on.
    """
    try:
        from regions import Regions
    except ImportError as exc:
        raise ImportError(
            f"to_regions needs the 'regions' package ({exc}); install it with "
            "`pip install regions`, or use ds9_regions() for the region file text"
        ) from None
    return Regions.parse(ds9_regions(data, **kwargs), format="ds9")


def write_ds9(
    path: str | os.PathLike[str], data: Any, *, overwrite: bool = False, **kwargs: Any
) -> Path:
    """Write :func:`ds9_regions` to ``path`` atomically (never replacing a file unless asked).

    Returns the absolute path written.
    """
    from asnkit.atomic import write_text

    text = ds9_regions(data, **kwargs)
    with exists_as(PoolFileExistsError):
        return write_text(Path(path).expanduser().resolve(), text, overwrite=overwrite)
