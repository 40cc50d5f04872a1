"""Exceptions and warnings raised by asnkit.

Every error about bad input says where the fault is: the file, the line and
the column for pools; the file and the JSON path for associations.
"""

from __future__ import annotations

import errno
import os

__all__ = [
    "AssociationError",
    "AssociationWarning",
    "PoolError",
    "PoolWarning",
    "error_message",
]


class PoolError(ValueError):
    """An association pool cannot be read or used.

    Parameters
    ----------
    message : str
        What is wrong.
    file : str, optional
        The pool file (or ``"<buffer>"``).
    line : int, optional
        1-based line number in the file.
    column : str, optional
        The column at fault.
    row : int, optional
        The 0-based position of the row at fault in the frame, when the line
        in the file is not known (a frame built in memory); see
        :func:`asnkit.pool.read.locate`.

    Examples
    --------
    >>> err = PoolError("expected 15 fields, found 14", file="pool.csv", line=12)
    >>> str(err)
    'pool.csv, line 12: expected 15 fields, found 14'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.row = row
        super().__init__(self._format())

    def __reduce__(self):  # picklable (process pools), keyword arguments included
        return (_rebuild_pool_error, (self.message, self.file, self.line, self.column, self.row))

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


def _rebuild_pool_error(message, file, line, column, row) -> PoolError:
    return PoolError(message, file=file, line=line, column=column, row=row)


class PoolWarning(UserWarning):
    """Something in a pool looks wrong but was kept as the reference generator keeps it."""


class AssociationError(ValueError):
    """An association document is invalid.

    ``errors`` lists every fault as ``(json_path, message)`` pairs; the
    message of the exception shows them one per line.
    """

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        self.errors = list(errors or [])
        super().__init__(message)


class AssociationWarning(UserWarning):
    """An association is valid but probably not what was meant (e.g. paths in expname)."""


def error_message(exc: BaseException) -> str:
    """The one-line text of an error, for the command line and manifests.

    OS errors read ``PATH: what`` (``out/a.json: Permission denied``);
    other errors their message.

    Examples
    --------
    >>> error_message(PermissionError(13, "Permission denied", "out"))
    'out: Permission denied'
    >>> error_message(FileExistsError("a.json: file exists"))
    'a.json: file exists'
    """
    if isinstance(exc, OSError) and exc.strerror:
        where = [os.fsdecode(f) for f in (exc.filename, exc.filename2) if f is not None]
        text = exc.strerror
        if exc.errno == errno.ENAMETOOLONG:
            text += " (a file name has at most 255 bytes)"
        return f"{' -> '.join(where)}: {text}" if where else text
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc)
