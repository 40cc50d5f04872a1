"""Moved to :mod:`asnkit.dms.names` (the DMS vocabulary layer); kept so old imports work.

Deprecated: import file and product names from :mod:`asnkit.dms.names`,
:func:`~asnkit.dms.values.is_empty` from :mod:`asnkit.dms.values` and
:func:`~asnkit.version.code_version` from :mod:`asnkit.version`.
"""

from __future__ import annotations

from asnkit.dms.names import SUFFIXES as KNOWN_SUFFIXES
from asnkit.dms.names import (
    asn_filename,
    asn_name,
    file_stem,
    format_program,
    format_target,
    opt_element,
    product_name,
    sequence_numbers,
    strip_suffix,
    version_timestamp,
)
from asnkit.dms.values import EMPTY as EMPTY_VALUES
from asnkit.dms.values import is_empty
from asnkit.version import code_version

__all__ = [
    "EMPTY_VALUES",
    "KNOWN_SUFFIXES",
    "asn_filename",
    "asn_name",
    "code_version",
    "file_stem",
    "format_program",
    "format_target",
    "is_empty",
    "opt_element",
    "product_name",
    "sequence_numbers",
    "strip_suffix",
    "version_timestamp",
]
