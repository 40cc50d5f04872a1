"""Instrument apertures from the SIAF files pysiaf ships, read once per process.

pysiaf ships the Science Instrument Aperture Files (SIAF) of every JWST instrument and works
offline, but importing it costs seconds (astropy.modeling, matplotlib, openpyxl) and it
tries an online PRD-version check on import (``requests.get`` without a timeout, which can
block on a network that drops packets). A footprint needs only nine numbers per aperture,
so :func:`siaf_apertures` reads them straight from the XML file pysiaf would read (its
newest PRD) without importing pysiaf, once per instrument and process
(:func:`functools.cache`). When that file cannot be found, it falls back to pysiaf
itself, imported by :func:`import_pysiaf` with the online check answered "offline" at once
and its chatter swallowed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np

__all__ = [
    "INSTRUMENT_PREFIXES",
    "ApertureCatalog",
    "ApertureVertices",
    "import_pysiaf",
    "siaf_apertures",
    "siaf_file",
]

#: Aperture-name prefix -> pysiaf instrument name.
INSTRUMENT_PREFIXES = {
    "NRC": "NIRCam",
    "NIS": "NIRISS",
    "NRS": "NIRSpec",
    "MIR": "MIRI",
    "FGS": "FGS",
}

#: The SIAF fields a footprint needs.
_FIELDS = (
    *(f"XIdlVert{i}" for i in range(1, 5)),
    *(f"YIdlVert{i}" for i in range(1, 5)),
    "V2Ref",
    "V3Ref",
    "V3IdlYAngle",
    "VIdlParity",
)


def import_pysiaf() -> ModuleType:
    """Import pysiaf without waiting on its online PRD-version check, and without its chatter.

    pysiaf's ``__init__`` calls ``requests.get`` (no timeout) to compare its PRD version
    with GitHub's. During the import ``requests.get`` raises ``ConnectionError`` at once
    (pysiaf then logs that the version cannot be checked; the log and any stray print are
    swallowed); it is restored afterwards.
    """
    import sys

    module = sys.modules.get("pysiaf")
    if module is not None:
        return module
    import requests

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise requests.exceptions.ConnectionError("asnkit: pysiaf's online check skipped")

    logger = logging.getLogger("pysiaf")
    previous, online = logger.level, requests.get
    logger.setLevel(logging.CRITICAL)
    requests.get = offline
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import pysiaf
    finally:
        requests.get = online
        logger.setLevel(previous)
    return pysiaf


def siaf_file(instrument: str) -> Path | None:
    """The SIAF XML file pysiaf reads for ``instrument`` (its newest PRD), without importing it.

    None when pysiaf is not installed or its data are not where pysiaf 0.2x keeps them.
    """
    spec = importlib.util.find_spec("pysiaf")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "prd_data" / "JWST"
    if not root.is_dir():
        return None
    # pysiaf.constants: the last PRD in sort order, old lettered ones (PRDOPSSOC-H-015) left out
    versions = sorted(p.name for p in root.iterdir())
    versions = [v for v in versions if not re.match(r"^[A-Z]-\d+", v.split("PRDOPSSOC-")[-1])]
    if not versions:
        return None
    path = root / versions[-1] / "SIAFXML" / "SIAFXML" / f"{instrument}_SIAF.xml"
    return path if path.is_file() else None


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else float("nan")
    except ValueError:
        return float("nan")


def _vertices(name: str, values: Mapping[str, float]) -> ApertureVertices | None:
    x = np.array([values.get(f"XIdlVert{i}", np.nan) for i in range(1, 5)], float)
    y = np.array([values.get(f"YIdlVert{i}", np.nan) for i in range(1, 5)], float)
    placement = [values.get(k, np.nan) for k in ("V2Ref", "V3Ref", "V3IdlYAngle", "VIdlParity")]
    if not (np.all(np.isfinite(placement)) and np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return None  # apertures without corners (e.g. grouped ones)
    x.setflags(write=False)  # shared by every caller in the process
    y.setflags(write=False)
    return ApertureVertices(name, x, y, *(float(v) for v in placement))


def _from_xml(path: Path) -> dict[str, ApertureVertices | None]:
    out: dict[str, ApertureVertices | None] = {}
    for _, entry in ET.iterparse(path):
        if entry.tag != "SiafEntry":
            continue
        values = {child.tag: child.text for child in entry}
        name = str(values.get("AperName") or "").strip().upper()
        if name:
            out[name] = _vertices(name, {k: _number(values.get(k)) for k in _FIELDS})
        entry.clear()
    return out


def _from_pysiaf(instrument: str) -> dict[str, ApertureVertices | None]:
    pysiaf = import_pysiaf()
    with contextlib.redirect_stdout(io.StringIO()):
        siaf = pysiaf.Siaf(instrument)
    out: dict[str, ApertureVertices | None] = {}
    for name in siaf.apernames:
        ap = siaf[name]
        values = {}
        for field in _FIELDS:
            try:
                values[field] = float(getattr(ap, field))
            except (TypeError, ValueError):
                values[field] = float("nan")
        out[str(name).upper()] = _vertices(str(name).upper(), values)
    return out


@functools.cache
def siaf_apertures(instrument: str) -> Mapping[str, ApertureVertices | None]:
    """Corners and placement of every aperture of one instrument (read once per process).

    Parameters
    ----------
    instrument : str
        A pysiaf instrument name: ``NIRCam``, ``NIRISS``, ``NIRSpec``, ``MIRI`` or ``FGS``.

    Returns
    -------
    Mapping
        Upper-case aperture name -> :class:`ApertureVertices`, or None for apertures
        without corners. Read only.

    Examples
    --------
    >>> ap = siaf_apertures("NIRISS")["NIS_CEN"]
    >>> ap.name, ap.x_idl.shape
    ('NIS_CEN', (4,))
    """
    path = siaf_file(instrument)
    found = _from_xml(path) if path is not None else _from_pysiaf(instrument)
    return MappingProxyType(found)


@dataclass(frozen=True)
class ApertureVertices:
    """Corners of one aperture in its ideal frame plus its telescope-frame placement."""

    name: str
    x_idl: np.ndarray
    y_idl: np.ndarray
    v2_ref: float
    v3_ref: float
    v3_idl_yangle: float
    parity: float


class ApertureCatalog:
    """Aperture corners by name (any case), from :func:`siaf_apertures`.

    Each instrument's SIAF is read once per process; a catalog only remembers the
    names it was asked for.

    Examples
    --------
    >>> catalog = ApertureCatalog()
    >>> ap = catalog.get("nrca2_full")
    >>> ap.name, len(ap.x_idl)
    ('NRCA2_FULL', 4)
    >>> catalog.get("NOT_AN_APERTURE") is None
    True
    """

    def __init__(self) -> None:
        self._apertures: dict[str, ApertureVertices | None] = {}

    def get(self, apername: str) -> ApertureVertices | None:
        """The aperture's corners, or None when the SIAF does not know it or has no corners."""
        name = str(apername).strip().upper()
        if name in self._apertures:
            return self._apertures[name]
        instrument = INSTRUMENT_PREFIXES.get(name[:3])
        result = None if instrument is None else siaf_apertures(instrument).get(name)
        self._apertures[name] = result
        return result
