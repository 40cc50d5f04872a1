"""Write files atomically, never replacing one unless asked.

Every file asnkit writes (pools, association JSON) goes through
:func:`write_text`: the text is written to a temporary file in the target's
folder and then moved into place, so a reader never sees half a file and an
interrupted write leaves the old file intact.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text(folder / "a.txt", "one").read_text()
'one'
>>> write_text(folder / "a.txt", "two")
Traceback (most recent call last):
...
FileExistsError: .../a.txt: file exists (pass overwrite=True to replace it)
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["exists_message", "write_text"]


def exists_message(path: str | os.PathLike[str]) -> str:
    """The one message asnkit gives when it will not replace a file."""
    return f"{path}: file exists (pass overwrite=True to replace it)"


def write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    overwrite: bool = False,
    make_folder: bool = False,
) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        The file to write.
    text : str
        Its content.
    overwrite : bool
        Replace an existing file (its permissions are kept). Otherwise an
        existing file, even one created while writing, is never touched.
    make_folder : bool
        Create the folder (and its parents) when missing.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false; the message names it.
    FileNotFoundError
        The folder does not exist and ``make_folder`` is false.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(exists_message(target))
    folder = target.parent
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise FileNotFoundError(f"folder of {target} does not exist")
    temp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        # mode "x": a new file with the usual permissions (the umask applies)
        with open(temp, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if overwrite:
            with contextlib.suppress(OSError):
                os.chmod(temp, target.stat().st_mode & 0o7777)
            os.replace(temp, target)
        else:
            _link_exclusively(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return target


def _link_exclusively(temp: Path, target: Path) -> None:
    """Put ``temp`` at ``target`` unless something is there (even if created meanwhile)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise FileExistsError(exists_message(target)) from None
    except OSError:  # file systems without hard links
        if target.exists():
            raise FileExistsError(exists_message(target)) from None
        os.replace(temp, target)
