"""Instrument apertures from pysiaf, loaded lazily and quietly.

pysiaf ships the Science Instrument Aperture Files (SIAF) of every JWST instrument and works
offline, but on import it tries to compare its PRD version with GitHub and, when that fails,
logs ``**WARNING**: LOCAL JWST PRD VERSION ... CANNOT BE CHECKED``. :func:`import_pysiaf`
imports it with that message (and any stray print) swallowed; nothing is imported until an
aperture is actually needed. :class:`ApertureCatalog` keeps the loaded ``Siaf`` objects for
the life of one catalog (one call of :func:`asnkit.footprints`), never in module globals.
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["INSTRUMENT_PREFIXES", "ApertureCatalog", "ApertureVertices", "import_pysiaf"]

#: Aperture-name prefix -> pysiaf instrument name.
INSTRUMENT_PREFIXES = {
    "NRC": "NIRCam",
    "NIS": "NIRISS",
    "NRS": "NIRSpec",
    "MIR": "MIRI",
    "FGS": "FGS",
}


def import_pysiaf() -> ModuleType:
    """Import pysiaf without its PRD-version chatter (stdout, stderr and its logger)."""
    import sys

    module = sys.modules.get("pysiaf")
    if module is not None:
        return module
    logger = logging.getLogger("pysiaf")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import pysiaf
    finally:
        logger.setLevel(previous)
    return pysiaf


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
    """Aperture corners by name, loading each instrument's SIAF at most once.

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
        self._siafs: dict[str, Any] = {}
        self._apertures: dict[str, ApertureVertices | None] = {}

    def _siaf(self, instrument: str) -> Any:
        if instrument not in self._siafs:
            pysiaf = import_pysiaf()
            with contextlib.redirect_stdout(io.StringIO()):
                self._siafs[instrument] = pysiaf.Siaf(instrument)
        return self._siafs[instrument]

    def get(self, apername: str) -> ApertureVertices | None:
        """The aperture's corners, or None when pysiaf does not know it or has no corners."""
        name = str(apername).strip().upper()
        if name in self._apertures:
            return self._apertures[name]
        result = None
        instrument = INSTRUMENT_PREFIXES.get(name[:3])
        if instrument is not None:
            siaf = self._siaf(instrument)
            if name in siaf.apernames:
                ap = siaf[name]
                try:
                    x = np.array([getattr(ap, f"XIdlVert{i}") for i in range(1, 5)], float)
                    y = np.array([getattr(ap, f"YIdlVert{i}") for i in range(1, 5)], float)
                    values = [float(v) for v in (ap.V2Ref, ap.V3Ref, ap.V3IdlYAngle, ap.VIdlParity)]
                except (TypeError, ValueError):  # apertures without corners (e.g. grouped ones)
                    values = [np.nan]
                if (
                    np.all(np.isfinite(values))
                    and np.all(np.isfinite(x))
                    and np.all(np.isfinite(y))
                ):
                    result = ApertureVertices(name, x, y, *values)
        self._apertures[name] = result
        return result
