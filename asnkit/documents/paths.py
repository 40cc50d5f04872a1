"""How member file names (``expname``) are written: as given, base name, absolute, relative.

The pipeline looks for members relative to the association file's folder, so
the safest associations hold base names and live next to their members.

Examples
--------
>>> member_path("/data/run1/jw_00001_cal.fits", PathMode.BASENAME)
'jw_00001_cal.fits'
>>> member_path("/data/run1/jw_00001_cal.fits", "relative", folder="/data")
'run1/jw_00001_cal.fits'
>>> member_path("jw_00001_cal.fits", PathMode.ABSOLUTE, folder="/data")
'/data/jw_00001_cal.fits'
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

__all__ = ["PathMode", "member_path"]


class PathMode(str, enum.Enum):
    """How to write a member's ``expname``."""

    #: Keep the name as given.
    AS_GIVEN = "as_given"
    #: Only the file name, no folder (what the pipeline expects by default).
    BASENAME = "basename"
    #: An absolute path (relative names are taken relative to ``folder``).
    ABSOLUTE = "absolute"
    #: A path relative to ``folder`` (the association's folder).
    RELATIVE = "relative"

    def __str__(self) -> str:
        return self.value


def member_path(
    name: str | os.PathLike[str],
    mode: PathMode | str = PathMode.AS_GIVEN,
    *,
    folder: str | os.PathLike[str] | None = None,
) -> str:
    """``name`` written in ``mode``.

    Parameters
    ----------
    name : str or path
        The member's file name as known.
    mode : PathMode or str
        ``as_given``, ``basename``, ``absolute`` or ``relative``.
    folder : str or path, optional
        The association's folder: relative names are relative to it
        (default: the current folder).
    """
    mode = PathMode(mode)
    text = os.fspath(name)
    if mode is PathMode.AS_GIVEN:
        return text
    if mode is PathMode.BASENAME:
        return os.path.basename(text)
    base = Path(folder).absolute() if folder is not None else Path.cwd()
    path = Path(text)
    absolute = path if path.is_absolute() else base / path
    absolute = Path(os.path.normpath(absolute))
    if mode is PathMode.ABSOLUTE:
        return absolute.as_posix()
    return Path(os.path.relpath(absolute, os.path.normpath(base))).as_posix()
