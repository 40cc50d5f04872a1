"""Moved to :mod:`asnkit.dms` (the DMS vocabulary layer); kept so old imports work.

Deprecated: import from :mod:`asnkit.dms` (``asnkit.dms.exposures``,
``asnkit.dms.values``, ``asnkit.dms.names``, ``asnkit.dms.members``) instead.
"""

from __future__ import annotations

from asnkit.dms.exposures import (
    ACQ_EXP_TYPES,
    CORON_EXP_TYPES,
    EXPTYPE_MAP,
    IMAGE2_NONSCIENCE_EXP_TYPES,
    IMAGE2_SCIENCE_EXP_TYPES,
    LEVEL2B_EXPTYPES,
    SPEC2_SCIENCE_EXP_TYPES,
    TSO_EXP_TYPES,
    exposure_type,
    nissoss_calibrated_filter,
    nrccoron_valid_detector,
    nrsfss_valid_detector,
    nrsifu_valid_detector,
    nrslamp_valid_detector,
)
from asnkit.dms.members import DEGRADED_NOTOK, DEGRADED_OK
from asnkit.dms.names import SUFFIXES as KNOWN_SUFFIXES
from asnkit.dms.names import format_template, remove_suffix
from asnkit.dms.values import EMPTY, first_value, is_empty

__all__ = [
    "ACQ_EXP_TYPES",
    "CORON_EXP_TYPES",
    "DEGRADED_NOTOK",
    "DEGRADED_OK",
    "EMPTY",
    "EXPTYPE_MAP",
    "IMAGE2_NONSCIENCE_EXP_TYPES",
    "IMAGE2_SCIENCE_EXP_TYPES",
    "KNOWN_SUFFIXES",
    "LEVEL2B_EXPTYPES",
    "SPEC2_SCIENCE_EXP_TYPES",
    "TSO_EXP_TYPES",
    "exposure_type",
    "first_value",
    "format_template",
    "is_empty",
    "nissoss_calibrated_filter",
    "nrccoron_valid_detector",
    "nrsfss_valid_detector",
    "nrsifu_valid_detector",
    "nrslamp_valid_detector",
    "remove_suffix",
]
