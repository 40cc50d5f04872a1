"""asnkit.dms: the DMS vocabulary, the bottom layer every other part of asnkit imports.

One definition of each fact the Data Management System (and jwst 3.0.0's
association generator) uses:

- :mod:`~asnkit.dms.values`: which values mean "not set", the first valid value
  of several columns, literals, natural order;
- :mod:`~asnkit.dms.exposures`: exposure-type tables, the member role of an
  exposure, calibrated optical paths and detectors, per-integration members;
- :mod:`~asnkit.dms.members`: member types, member file names, degraded status;
- :mod:`~asnkit.dms.candidates`: ``asn_candidate`` values;
- :mod:`~asnkit.dms.names`: pipeline suffixes, file stems, junk rows,
  association file names and product names;
- :mod:`~asnkit.dms.identifiers`: the patterns of the identifiers that become
  parts of file names (program, candidate and association ids, types, version
  ids) and what a member file name may look like.

This package imports nothing else from asnkit.

Examples
--------
>>> from asnkit import dms
>>> dms.is_empty("NULL"), dms.exposure_type({"exp_type": "nrc_tacq"})
(True, 'target_acquisition')
>>> dms.strip_suffix("data/jw_00001_cal.fits")
'jw_00001'
"""

from __future__ import annotations

from asnkit.dms.candidates import (
    UNKNOWN_CTYPE,
    format_candidates,
    observation_id,
    parse_candidates,
)
from asnkit.dms.exposures import (
    ACQ_EXP_TYPES,
    CORON_EXP_TYPES,
    EXPTYPE_MAP,
    IMAGE2_NONSCIENCE_EXP_TYPES,
    IMAGE2_SCIENCE_EXP_TYPES,
    LEVEL2B_EXPTYPES,
    NON_SCIENCE_EXP_TYPES,
    SPEC2_SCIENCE_EXP_TYPES,
    SPECIAL_MODIFIERS,
    TSO_EXP_TYPES,
    exposure_type,
    uses_integrations,
)
from asnkit.dms.members import (
    DEGRADED_NOTOK,
    DEGRADED_OK,
    MEMBER_TYPES,
    degraded_status,
    level2_name,
    level3_name,
)
from asnkit.dms.names import (
    SUFFIXES,
    asn_filename,
    exposure_key,
    file_stem,
    format_program,
    format_target,
    is_junk_name,
    junk_rows,
    product_name,
    remove_suffix,
    sequence_numbers,
    strip_suffix,
)
from asnkit.dms.values import EMPTY, first_value, is_empty, natural_key, text_row

__all__ = [
    "ACQ_EXP_TYPES",
    "CORON_EXP_TYPES",
    "DEGRADED_NOTOK",
    "DEGRADED_OK",
    "EMPTY",
    "EXPTYPE_MAP",
    "IMAGE2_NONSCIENCE_EXP_TYPES",
    "IMAGE2_SCIENCE_EXP_TYPES",
    "LEVEL2B_EXPTYPES",
    "MEMBER_TYPES",
    "NON_SCIENCE_EXP_TYPES",
    "SPEC2_SCIENCE_EXP_TYPES",
    "SPECIAL_MODIFIERS",
    "SUFFIXES",
    "TSO_EXP_TYPES",
    "UNKNOWN_CTYPE",
    "asn_filename",
    "degraded_status",
    "exposure_key",
    "exposure_type",
    "file_stem",
    "first_value",
    "format_candidates",
    "format_program",
    "format_target",
    "is_empty",
    "is_junk_name",
    "junk_rows",
    "level2_name",
    "level3_name",
    "natural_key",
    "observation_id",
    "parse_candidates",
    "product_name",
    "remove_suffix",
    "sequence_numbers",
    "strip_suffix",
    "text_row",
    "uses_integrations",
]
