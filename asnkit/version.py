"""The version of asnkit: the one place it is written (``pyproject.toml`` reads it here).

>>> code_version() == f"asnkit {__version__}"
True
"""

from __future__ import annotations

__all__ = ["__version__", "code_version"]

__version__ = "0.2.0"


def code_version() -> str:
    """What asnkit writes as an association's ``code_version`` (jwst writes its own version)."""
    return f"asnkit {__version__}"
