"""Exceptions and warnings raised by asnkit, and the exit statuses that report them.

Every error about bad input says where the fault is: the file, the line and
the column for pools; the file and the JSON path for associations. The
``asnkit`` command line ends with one of :class:`ExitStatus`.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

__all__ = [
    "CLOSE_MATCH_CUTOFF",
    "COMMAND_LINE_WORDS",
    "AssociationError",
    "AssociationFileExistsError",
    "AssociationFileNotFoundError",
    "AssociationIndexError",
    "AssociationIsADirectoryError",
    "AssociationKeyError",
    "AssociationTypeError",
    "AssociationWarning",
    "ExitStatus",
    "PoolError",
    "PoolFileExistsError",
    "PoolFileNotFoundError",
    "PoolIsADirectoryError",
    "PoolKeyError",
    "PoolTypeError",
    "PoolWarning",
    "close_matches",
    "command_line_message",
    "command_line_words",
    "error_message",
    "exists_as",
    "exit_status_help",
    "outside_stacklevel",
    "text_list",
]

# Only PoolError and AssociationError (and their subclasses) escape asnkit on
# bad input. Where Python has a more precise builtin (KeyError for a missing
# column, FileNotFoundError for a missing file...) the error is BOTH: e.g.
# PoolKeyError(PoolError, KeyError), so code written against either keeps
# working. Their str() is the plain message (KeyError would quote it).


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

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):  # picklable (process pools), keyword arguments included
        return (
            _rebuild_pool_error,
            (type(self), self.message, self.file, self.line, self.column, self.row),
        )

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


def _rebuild_pool_error(cls, message, file, line, column, row) -> PoolError:
    return cls(message, file=file, line=line, column=column, row=row)


class PoolKeyError(PoolError, KeyError):
    """A column, observation or candidate named by the caller is not in the pool.

    Examples
    --------
    >>> err = PoolKeyError("no column 'filtre' in the pool; close matches: filter")
    >>> isinstance(err, KeyError), str(err)
    (True, "no column 'filtre' in the pool; close matches: filter")
    """


class PoolTypeError(PoolError, TypeError):
    """An argument about a pool has the wrong type (a string where a frame is needed...)."""


class _AlsoOSError:
    """What makes an asnkit file error also the builtin OS error it stands for.

    A mixin, first among the bases: ``errno`` is the class's :attr:`ERRNO`
    and ``filename`` is ``path`` (or the error's ``file``), as ``except
    FileNotFoundError`` / ``FileExistsError`` code expects; the rest goes to
    :class:`PoolError` or :class:`AssociationError` unchanged.
    """

    #: The errno of the builtin error (ENOENT for FileNotFoundError...).
    ERRNO: ClassVar[int]

    def __init__(self, message: str, *args: Any, path: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, *args, **kwargs)
        self.errno = self.ERRNO
        self.filename = path if path is not None else self.file


class PoolFileNotFoundError(_AlsoOSError, PoolError, FileNotFoundError):
    """A pool or exposure file does not exist; ``filename`` is the path.

    Examples
    --------
    >>> err = PoolFileNotFoundError("pool file not found", file="nope.csv")
    >>> str(err), err.filename, isinstance(err, FileNotFoundError)
    ('nope.csv: pool file not found', 'nope.csv', True)
    """

    ERRNO = errno.ENOENT


class PoolFileExistsError(_AlsoOSError, PoolError, FileExistsError):
    """A pool would be written over an existing file without ``overwrite=True``.

    Examples
    --------
    >>> err = PoolFileExistsError("p.csv: file exists", path="p.csv")
    >>> str(err), err.filename, err.errno == errno.EEXIST
    ('p.csv: file exists', 'p.csv', True)
    """

    ERRNO = errno.EEXIST


class PoolIsADirectoryError(_AlsoOSError, PoolError, IsADirectoryError):
    """A folder was given where a pool file is read; ``filename`` is the path.

    Examples
    --------
    >>> err = PoolIsADirectoryError("is a folder, not a pool file", file="pools")
    >>> str(err), err.filename, isinstance(err, IsADirectoryError)
    ('pools: is a folder, not a pool file', 'pools', True)
    """

    ERRNO = errno.EISDIR


class PoolWarning(UserWarning):
    """Something in a pool looks wrong but was kept as the reference generator keeps it."""


class AssociationError(ValueError):
    """An association document is invalid.

    ``errors`` lists every fault as ``(json_path, message)`` pairs; the
    message of the exception shows them one per line.
    """

    def __init__(
        self,
        message: str,
        errors: list[tuple[str, str]] | None = None,
        *,
        file: str | os.PathLike[str] | None = None,
    ) -> None:
        self.errors = list(errors or [])
        self.file = None if file is None else os.fspath(file)
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):  # picklable (process pools), keyword arguments included
        return (_rebuild_association_error, (type(self), self.args[0], self.errors, self.file))


def _rebuild_association_error(cls, message, errors, file) -> AssociationError:
    return cls(message, errors, file=file)


class AssociationKeyError(AssociationError, KeyError):
    """A member, product, rule or association named by the caller does not exist."""


class AssociationIndexError(AssociationError, IndexError):
    """A product number is out of range."""


class AssociationTypeError(AssociationError, TypeError):
    """An argument has the wrong type (a path where an association is needed...)."""


class AssociationFileNotFoundError(_AlsoOSError, AssociationError, FileNotFoundError):
    """An association file does not exist; ``filename`` is the path.

    Examples
    --------
    >>> err = AssociationFileNotFoundError("nope.json: no such association file", file="nope.json")
    >>> err.filename, isinstance(err, FileNotFoundError)
    ('nope.json', True)
    """

    ERRNO = errno.ENOENT


class AssociationFileExistsError(_AlsoOSError, AssociationError, FileExistsError):
    """An association would be written over an existing file without ``overwrite=True``."""

    ERRNO = errno.EEXIST


class AssociationIsADirectoryError(_AlsoOSError, AssociationError, IsADirectoryError):
    """A folder was given where one association file is read; ``filename`` is the path.

    (:func:`asnkit.read_asn_set` reads every ``*.json`` of a folder.)

    Examples
    --------
    >>> err = AssociationIsADirectoryError("asn: is a folder, not an association file", file="asn")
    >>> err.filename, isinstance(err, IsADirectoryError)
    ('asn', True)
    """

    ERRNO = errno.EISDIR


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
    if isinstance(exc, (PoolError, AssociationError)):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = [os.fsdecode(f) for f in (exc.filename, exc.filename2) if f is not None]
        text = exc.strerror
        if exc.errno == errno.ENAMETOOLONG:
            text += " (a file name has at most 255 bytes)"
        return f"{' -> '.join(where)}: {text}" if where else text
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc)


#: Library wording -> the same in the command line's words (its options, not keyword arguments).
COMMAND_LINE_WORDS = (
    ("pass overwrite=True", "use --overwrite"),
    ("asn_from_files: ", ""),
    ("needs product_name", "needs --product-name"),
    ("pass path_mode='basename'", "use --paths basename"),
)


def command_line_message(exc: BaseException) -> str:
    """:func:`error_message` in the words of the command line (:data:`COMMAND_LINE_WORDS`).

    The library says what to pass (``overwrite=True``); the ``asnkit`` program
    says which option does it. Every command prints its errors through this.

    Examples
    --------
    >>> refused = FileExistsError("a.json: file exists (pass overwrite=True to replace it)")
    >>> command_line_message(refused)
    'a.json: file exists (use --overwrite to replace it)'
    """
    return command_line_words(error_message(exc))


def command_line_words(text: str) -> str:
    """A library message (an error's, a warning's) in the command line's words.

    Examples
    --------
    >>> command_line_words("asn_from_files: pass path_mode='basename' to keep the file names")
    'use --paths basename to keep the file names'
    """
    for library, command_line in COMMAND_LINE_WORDS:
        text = text.replace(library, command_line)
    return text


def outside_stacklevel() -> int:
    """The ``stacklevel`` that attributes a warning to the first caller outside asnkit.

    For ``warnings.warn(..., stacklevel=outside_stacklevel())`` in a function
    reached by several paths (``asnkit.f(...)``, ``df.asn.f(...)``): the
    warning names the user's line, not asnkit's, however deep the call.
    """
    import sys  # only when warning

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)  # the function that warns: stacklevel 1
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame = frame.f_back
        level += 1
    return level


#: How alike a name must be to one asked for to be suggested ("did you mean"): the
#: ratio of :class:`difflib.SequenceMatcher` (0-1; difflib's own default) between
#: lower-case names. One cutoff for every suggestion asnkit makes.
CLOSE_MATCH_CUTOFF = 0.6


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The ``choices`` most like ``word``, best first, as they are spelled ("did you mean").

    Case is ignored in comparing (``FILTRE`` suggests ``filter``); two choices
    differing only in case count once (the first). The cutoff is
    :data:`CLOSE_MATCH_CUTOFF`.

    Parameters
    ----------
    word : str
        What was asked for and not found.
    choices : iterable of str
        What there is.
    n : int
        At most this many suggestions.

    Examples
    --------
    >>> close_matches("FILTRE", ["filter", "pupil", "Filter_2", "exp_type"])
    ['filter', 'Filter_2']
    >>> close_matches("o999", ["o001", "c1000"])
    []
    """
    import difflib  # only when something is not found

    spelled: dict[str, str] = {}
    for choice in choices:
        spelled.setdefault(choice.lower(), choice)
    found = difflib.get_close_matches(word.lower(), spelled, n=n, cutoff=CLOSE_MATCH_CUTOFF)
    return [spelled[low] for low in found]


def text_list(value: Any, parameter: str, what: str, examples: list[str]) -> list[str]:
    """An argument that is one text or a list of texts, as a list; else a PoolTypeError.

    Parameters
    ----------
    value
        What the caller passed (not None).
    parameter : str
        Its name in the messages, with the function's where it helps (``"summary: by"``).
    what : str
        One item in words (``"a column name"``).
    examples : list of str
        Two or more good values, shown as one and as a list.

    Examples
    --------
    >>> text_list("o001", "candidates", "a candidate id", ["o001", "c1000"])
    ['o001']
    >>> text_list(["obs_num", 7], "by", "a column name", ["obs_num", "detector"])
    Traceback (most recent call last):
    ...
    asnkit.errors.PoolTypeError: by must be a column name or a list of them, as str \
(by='obs_num' or by=['obs_num', 'detector']), not int 7 (item 1 of by)
    """
    listed = isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))
    items = list(value) if listed else [value]
    at, bad = next(((i, v) for i, v in enumerate(items) if not isinstance(v, str)), (-1, None))
    if at < 0:
        return items
    name = parameter.rsplit(": ", 1)[-1]
    raise PoolTypeError(
        f"{parameter} must be {what} or a list of them, as str ({name}={examples[0]!r} or "
        f"{name}={examples!r}), not {type(bad).__name__} {bad!r}"
        + (f" (item {at} of {name})" if listed else "")
    )


@contextlib.contextmanager
def exists_as(
    error: type[PoolFileExistsError] | type[AssociationFileExistsError],
) -> Iterator[None]:
    """Raise a ``FileExistsError`` of the ``with`` block as ``error`` (same message and path).

    For writers refusing to replace a file (:mod:`asnkit.atomic` raises the
    builtin): the caller sees asnkit's own error, which is still a
    ``FileExistsError``.

    Examples
    --------
    >>> with exists_as(PoolFileExistsError):
    ...     raise FileExistsError(errno.EEXIST, "file exists", "p.csv")
    Traceback (most recent call last):
    ...
    asnkit.errors.PoolFileExistsError: [Errno 17] file exists: 'p.csv'
    """
    try:
        yield
    except FileExistsError as exc:
        if isinstance(exc, error):
            raise
        raise error(str(exc), path=exc.filename) from None


class ExitStatus(enum.IntEnum):
    """The exit statuses of the ``asnkit`` command line, the same for every command.

    As ``diff``, ``cmp`` and ``grep`` do: a command that answers a question
    (are they the same? is it valid? would calwebb do as the file says?) says
    "no" with ``FOUND`` and keeps ``TROUBLE`` for "could not answer", so a
    script can tell a difference from a typo in a file name.

    Examples
    --------
    >>> int(ExitStatus.TROUBLE), ExitStatus(1).name
    (2, 'FOUND')
    """

    #: Done; ``diff``: nothing differs; ``check``: no error; ``validate``: all valid.
    OK = 0
    #: The answer is no: ``diff``: something differs; ``check``: an error finding;
    #: ``validate``: a file is invalid; ``generate-many``: a pool failed.
    FOUND = 1
    #: Could not do what was asked: bad usage, a file missing or unreadable, bad
    #: input (``PoolError``, ``AssociationError``), a refused write, out of memory.
    TROUBLE = 2
    #: An internal error: a bug in asnkit (the message says how to report it).
    BUG = 3
    #: Interrupted (Ctrl-C), as a shell reports SIGINT.
    INTERRUPTED = 130
    #: The reader of standard output went away (``asnkit summary POOL | head``).
    BROKEN_PIPE = 141


def exit_status_help(found: str | None = None) -> str:
    """The sentence on exit statuses for a command's ``--help``.

    Parameters
    ----------
    found : str, optional
        When the command exits with :attr:`ExitStatus.FOUND` (``"when the
        associations differ"``); None for a command that only does or fails.

    Examples
    --------
    >>> exit_status_help("when they differ")
    'Exit status: 0 when done, 1 when they differ, 2 on trouble (bad usage, a file ...'
    """
    middle = f", 1 {found}" if found else ""
    return (
        f"Exit status: 0 when done{middle}, 2 on trouble (bad usage, a file missing or "
        "unreadable, bad input, a refused write), 3 on an internal error."
    )
