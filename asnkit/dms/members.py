"""Association members: their roles (``exptype``), file names and degraded status.

A member's ``expname`` is the file the pipeline reads: a pool's raw
``*_uncal.fits`` becomes ``*_rate.fits`` (``_rateints``) in Level 2b and
``*_cal.fits`` (``_calints``; ``_x1d`` for backgrounds; ``_rate`` for exposure
types without Level 2b processing) in Level 3, as jwst 3.0.0 names them.

Examples
--------
>>> level2_name("jw_00001_uncal.fits"), level2_name("jw_00001_uncal.fits", integrations=True)
('jw_00001_rate.fits', 'jw_00001_rateints.fits')
>>> level3_name("jw_1_uncal.fits", exp_type="nrc_image")
'jw_1_cal.fits'
>>> level3_name("jw_1_uncal.fits", exp_type="mir_mrs", role="background")
'jw_1_x1d.fits'
>>> level3_name("jw_1_uncal.fits", exp_type="nrc_dark")
'jw_1_rate.fits'
>>> degraded_status(["null", None]) == DEGRADED_OK, degraded_status(["None"]) == DEGRADED_NOTOK
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from asnkit.dms.exposures import LEVEL2B_EXPTYPES
from asnkit.dms.values import is_empty

__all__ = [
    "DEGRADED_NOTOK",
    "DEGRADED_OK",
    "MEMBER_TYPES",
    "WFSS_CATALOG_MEMBERS",
    "degraded_status",
    "level2_name",
    "level3_name",
    "wfss_catalog_members",
]

#: Member types (``exptype``) the pipeline knows, lower case, the common ones first.
MEMBER_TYPES = (
    "science",
    "background",
    "imprint",
    "psf",
    "target_acquisition",
    "selfcal",
    "direct_image",
    "sourcecat",
    "segmap",
    "autoflat",
    "autowave",
)

#: ``degraded_status`` when no member has an exposure error.
DEGRADED_OK = "No known degraded exposures in association."
#: ``degraded_status`` when some member has an exposure error (``exposerr`` set).
DEGRADED_NOTOK = (
    "One or more members have an error associated with them."
    "\nDetails can be found in the member.exposerr attribute."
)

#: The Level 3 products a WFSS Level 2b association takes from its direct image:
#: (file suffix, member type).
WFSS_CATALOG_MEMBERS = (
    ("_i2d.fits", "direct_image"),
    ("_cat.ecsv", "sourcecat"),
    ("_segm.fits", "segmap"),
)

_LEVEL1B = re.compile(r"(?P<path>.+)(?P<type>_uncal)(?P<extension>\..+)", re.IGNORECASE)


def degraded_status(exposerrs: Iterable[Any]) -> str:
    """:data:`DEGRADED_NOTOK` if one of the members' ``exposerr`` values is set."""
    return DEGRADED_NOTOK if any(not is_empty(e) for e in exposerrs) else DEGRADED_OK


def wfss_catalog_members(root: str) -> list[dict[str, str]]:
    """The members a WFSS Level 2b product gets from the Level 3 image product ``root``.

    >>> [m["expname"] for m in wfss_catalog_members("jw1-o001_t001_niriss_clear")]
    ['jw1-o001_t001_niriss_clear_i2d.fits', 'jw1-o001_t001_niriss_clear_cat.ecsv', \
'jw1-o001_t001_niriss_clear_segm.fits']
    """
    return [{"expname": root + suffix, "exptype": kind} for suffix, kind in WFSS_CATALOG_MEMBERS]


def level2_name(filename: str, integrations: bool = False) -> str:
    """``*_uncal.*`` -> ``*_rate.*`` (``_rateints``); other names unchanged."""
    match = _LEVEL1B.match(filename)
    if match is None:
        return filename
    suffix = "rateints" if integrations else "rate"
    return f"{match.group('path')}_{suffix}{match.group('extension')}"


def level3_name(
    filename: str,
    *,
    exp_type: str | None = None,
    role: str = "science",
    integrations: bool = False,
    background_x1d: bool = True,
) -> str:
    """``*_uncal.*`` -> ``_cal`` / ``_x1d`` (backgrounds) / ``_rate``, plus ``ints``.

    Parameters
    ----------
    filename : str
        The pool's file name; names without ``_uncal`` are kept.
    exp_type : str, optional
        ``_cal`` for types with Level 2b processing (or not given), else ``_rate``.
    role : str
        The member type; backgrounds are ``_x1d`` (spectra, as the DMS names them).
    integrations : bool
        Per-integration files (``_calints``...).
    background_x1d : bool
        False: backgrounds of imaging associations keep ``_cal``.
    """
    match = _LEVEL1B.match(filename)
    if match is None:
        return filename
    if role == "background" and background_x1d:
        suffix = "x1d"
    elif exp_type is None or exp_type.lower() in LEVEL2B_EXPTYPES:
        suffix = "cal"
    else:
        suffix = "rate"
    if integrations:
        suffix += "ints"
    return f"{match.group('path')}_{suffix}{match.group('extension')}"
