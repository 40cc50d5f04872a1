"""Write files atomically, a set of files as one transaction, never replacing one unasked.

Every file asnkit writes (pools, association JSON) goes through
:func:`write_files` (:func:`write_text` is a set of one):

1. each name is a plain file name whose final path lies in the target folder
   (no ``/``, no ``..``, no control characters): values from pools and
   documents never put a file anywhere else;
2. the folder is locked (``flock``), so two writers into one folder take
   turns and never mix their files; stale staging folders of writers that were
   killed are rolled back and removed;
3. unless ``overwrite``, any existing file stops everything before a byte is
   written, and the message names it;
4. the files are written into a staging folder inside the target, made durable
   with one file-system sync for the whole set (``syncfs`` on Linux; one
   ``fsync`` per file elsewhere), then moved into place (hard links when not
   replacing, so a file created meanwhile is never clobbered), and the folder
   entry is synced once;
5. if anything fails while moving, or the writer is killed, the files already
   moved are taken back (replaced files restored) -- now, or by the next writer
   into that folder -- so a set is written completely or not at all.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text(folder / "a.txt", "one").read_text()
'one'
>>> write_text(folder / "a.txt", "two")
Traceback (most recent call last):
...
asnkit.atomic.ExistsError: .../a.txt: file exists (pass overwrite=True to replace it)
>>> [p.name for p in write_files(folder, {"b.txt": "x", "c.txt": "y"})]
['b.txt', 'c.txt']
>>> write_files(folder, {"../d.txt": "x"})
Traceback (most recent call last):
...
OSError: [Errno 22] '../d.txt' is not a plain file name (it holds '/'): '.../../d.txt'
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from asnkit.dms.identifiers import control_characters

__all__ = [
    "LOCK_WAIT",
    "PARALLEL_MIN_FILES",
    "STAGING_PREFIX",
    "WRITERS",
    "ExistsError",
    "exists_message",
    "file_name_problem",
    "recover",
    "write_files",
    "write_text",
]

#: Seconds a writer waits for another one writing into the same folder.
LOCK_WAIT = 30.0
#: Most threads that make the staged files of a set (one per processor, up to this).
WRITERS = 2
#: Fewest files per writer thread (smaller sets are written by one thread).
PARALLEL_MIN_FILES = 64
#: Name prefix of the staging folders made inside the target folder.
STAGING_PREFIX = ".asnkit-staging-"
#: Longest file name (in UTF-8 bytes) most file systems accept.
_MAX_NAME_BYTES = 255
_JOURNAL = "journal.json"
#: How staged files are opened: new files only (never an existing one), binary.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_CREATE |= getattr(os, "O_BINARY", 0)
#: errno values of file systems that have no hard links (then: rename, no restore).
_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}
)


def exists_message(path: str | os.PathLike[str]) -> str:
    """The one message asnkit gives when it will not replace a file."""
    return f"{path}: file exists (pass overwrite=True to replace it)"


class ExistsError(FileExistsError):
    """A file exists and ``overwrite`` is false: ``filename`` names it, ``str()`` says so.

    Callers re-raise it as their own (:class:`asnkit.errors.PoolFileExistsError`...).

    Examples
    --------
    >>> err = ExistsError("out/a.json")
    >>> str(err), err.filename, err.errno == errno.EEXIST
    ('out/a.json: file exists (pass overwrite=True to replace it)', 'out/a.json', True)
    """

    def __init__(self, path: str | os.PathLike[str], message: str | None = None) -> None:
        super().__init__(message or exists_message(path))
        self.errno, self.filename = errno.EEXIST, os.fspath(path)

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self):
        return (type(self), (self.filename, self.args[0]))


def file_name_problem(name: object) -> str | None:
    """``None`` if ``name`` is a plain file name (one path component), else what is wrong.

    Examples
    --------
    >>> file_name_problem("jw99009-o001_image3_00001_asn.json") is None
    True
    >>> file_name_problem("..")
    "'..' is not a plain file name"
    """
    if not isinstance(name, str):
        return f"{name!r} is not a file name"
    if name in ("", ".", ".."):
        return f"{name!r} is not a plain file name"
    for separator in {"/", os.sep, os.altsep or "/"}:
        if separator in name:
            return f"{name!r} is not a plain file name (it holds {separator!r})"
    found = control_characters(name)
    if found:
        return f"{name!r} holds a control character ({found[0]!r})"
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > _MAX_NAME_BYTES:
        return f"{name[:40]!r}... is too long for a file name ({size} bytes, at most 255)"
    return None


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
        The file to write (a path ending in ``/`` names a folder: an error).
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
    IsADirectoryError
        ``path`` is a folder, or ends with ``/``.
    """
    raw = os.fspath(path)
    if raw.endswith(("/", os.sep)):
        raise IsADirectoryError(errno.EISDIR, "names a folder (it ends with '/'), not a file", raw)
    target = Path(raw)
    files = {target.name: text}
    return write_files(target.parent, files, overwrite=overwrite, make_folder=make_folder)[0]


def write_files(
    folder: str | os.PathLike[str],
    files: Mapping[str, str],
    *,
    overwrite: bool = False,
    make_folder: bool = True,
    wait: float = LOCK_WAIT,
) -> list[Path]:
    """Write a set of text files into ``folder``: all of them, or none.

    Parameters
    ----------
    folder : path-like
        The target folder.
    files : mapping of str to str
        File name (a plain name, no folder) to text (written as UTF-8 with
        ``\\n`` line ends). Each text is read once, when its file is staged
        (from a helper thread for some files): a mapping may make them on
        demand, so that a large set is never all in memory at once; an error
        raised while making one stops the set as a failed write does.
    overwrite : bool
        Replace existing files (keeping their permissions). Otherwise nothing
        is written when any of the files exists.
    make_folder : bool
        Create ``folder`` (and its parents) when missing.
    wait : float
        Seconds to wait for another writer into ``folder`` to finish.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order given.

    Raises
    ------
    OSError
        A name is not a plain file name (``errno`` EINVAL), is too long
        (ENAMETOOLONG), or would land outside ``folder``.
    FileExistsError
        A file exists and ``overwrite`` is false (the message names it and
        says how many more do).
    FileNotFoundError, NotADirectoryError
        ``folder`` is missing (and ``make_folder`` is false) or not a folder.
    IsADirectoryError
        A name is an existing folder.
    BlockingIOError
        Another writer held the folder for more than ``wait`` seconds.
    OSError
        Anything the operating system refuses (permissions, full disk...);
        nothing is left behind.
    """
    base = Path(folder)
    names = list(files)
    for name in names:
        problem = file_name_problem(name)
        if problem:
            code = errno.ENAMETOOLONG if "too long" in problem else errno.EINVAL
            raise OSError(code, problem, str(base / str(name)))
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise OSError(errno.EINVAL, "the same file name is given twice", str(base / twice))
    made = [] if base.is_dir() else _missing_folder(base, make_folder)
    try:
        return _write_set(base, files, names, overwrite, wait)
    except BaseException:
        for folder in reversed(made):  # made for this set: gone with it (when still empty)
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise


def _write_set(
    base: Path, files: Mapping[str, str], names: list[str], overwrite: bool, wait: float
) -> list[Path]:
    """:func:`write_files` once the names are checked and the folder is there."""
    real = os.path.realpath(base)
    targets = [_inside(base, real, name) for name in names]
    with _locked(base, wait) as handle:
        _recover(base)
        # (an empty folder holds none of them: one listing, not a look-up per file)
        existing = [] if _empty(base) else [t for t in targets if os.path.lexists(t)]
        for target in existing:
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
        if existing and not overwrite:
            if len(existing) == 1:
                raise ExistsError(existing[0])
            raise ExistsError(
                existing[0],
                f"{existing[0]}: file exists (and {len(existing) - 1} more; "
                "pass overwrite=True to replace them)",
            )
        if names:
            _Transaction(base, handle, overwrite).run(targets, files, names)
    return targets


def recover(folder: str | os.PathLike[str]) -> int:
    """Roll back and remove what killed writers left in ``folder``; return how many.

    A writer killed while moving its files into place leaves a staging folder
    (``.asnkit-staging-*``) with a journal: the files it had moved are taken
    back (replaced files restored), so the folder holds the set that was
    there before. Every write into a folder does this first.
    """
    base = Path(folder)
    with _locked(base, LOCK_WAIT):
        return _recover(base)


# --------------------------------------------------------------------------- internals


def _missing_folder(base: Path, make: bool) -> list[Path]:
    """Make the missing folder ``base``, or say why it cannot be (a file in the way...);
    return the folders made, outermost first."""
    missing = []
    for ancestor in (base, *base.parents):
        if os.path.lexists(ancestor):
            if not ancestor.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(ancestor))
            break
        missing.append(ancestor)
    if not make:
        raise FileNotFoundError(errno.ENOENT, "folder does not exist", str(base))
    base.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def _inside(base: Path, real: str, name: str) -> Path:
    """``base / name``, after checking that it lies in ``base`` (whose realpath is ``real``)."""
    final = os.path.join(real, name)
    if os.path.dirname(final) != real or os.path.basename(final) != name:
        raise OSError(errno.EINVAL, "would be written outside the folder", str(base / name))
    return base / name


def _empty(folder: Path) -> bool:
    """True if ``folder`` has no entries (False if it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _recover(base: Path) -> int:
    """:func:`recover`, the folder being locked already."""
    try:
        stale = [p for p in base.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return 0
    for stage in stale:
        _roll_back(base, stage)
    return len(stale)


@contextlib.contextmanager
def _locked(base: Path, wait: float) -> Iterator[int | None]:
    """Hold an exclusive lock on the folder (POSIX ``flock``); yield its descriptor."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no folder lock
        yield None
        return
    handle = os.open(base, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BlockingIOError(
                        errno.EWOULDBLOCK,
                        f"another process has been writing into this folder for {wait:g} s; "
                        "try again when it has finished",
                        str(base),
                    ) from None
                time.sleep(0.02)
            except OSError:  # a file system without locks (some network mounts)
                break
        yield handle
    finally:
        os.close(handle)  # releases the lock


class _Transaction:
    """Stage, sync, move; take everything back if moving fails."""

    def __init__(self, base: Path, handle: int | None, overwrite: bool) -> None:
        self.base = base
        self.handle = handle
        self.overwrite = overwrite
        self.stage = base / f"{STAGING_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"

    def run(self, targets: list[Path], files: Mapping[str, str], names: list[str]) -> None:
        """Write ``files[names[i]]`` as ``targets[i]`` (each text read once, when staged)."""
        try:
            self.stage.mkdir(mode=0o700)
        except OSError as exc:  # name the folder, not the staging folder
            raise type(exc)(
                exc.errno, f"cannot write here ({exc.strerror})", str(self.base)
            ) from None
        parts = _parts(len(targets))
        try:
            os.mkdir(os.path.join(self.stage, "old"))
            staged = []
            for k, (start, stop) in enumerate(parts):  # a folder per writer (see _write)
                new = os.path.join(self.stage, f"new{k}")
                os.mkdir(new)
                staged.extend(os.path.join(new, target.name) for target in targets[start:stop])
            journal = self._write(staged, targets, files, names, parts)
            _sync(self.handle, staged)
            try:
                self._move(staged, targets)
            except BaseException:
                _roll_back(self.base, self.stage, journal)
                raise
            if self.handle is not None:
                with contextlib.suppress(OSError):
                    os.fsync(self.handle)  # the new folder entries
            os.unlink(os.path.join(self.stage, _JOURNAL))  # committed: nothing to take back
        finally:
            _remove_stage(self.stage)

    def _write(
        self,
        staged: list[str],
        targets: list[Path],
        files: Mapping[str, str],
        names: list[str],
        parts: list[tuple[int, int]],
    ) -> dict:
        """Write ``files[names[i]]`` (UTF-8) to ``staged[i]``; return the journal (names, inodes).

        Making a file is the file system's work (finding a free inode), done while
        the interpreter lock is released, and one folder takes one new file at a
        time: each part is staged in its own folder, the first by this thread and
        the others by helper threads, all joined before this returns or raises
        the error of the first file (in order) that could not be written.
        """
        inodes: list[int] = [0] * len(staged)
        failed: dict[int, BaseException] = {}  # the index of a file -> its error
        first_failed = [len(staged)]  # no part goes past the first file that failed

        def write_part(k: int) -> None:
            i, end = parts[k]
            try:
                while i < end and i < first_failed[0]:
                    inodes[i] = self._write_one(staged[i], targets[i], files[names[i]])
                    i += 1
            except BaseException as exc:  # raised by the caller's thread below
                failed[i] = exc
                first_failed[0] = min(first_failed[0], i)

        helpers = [threading.Thread(target=write_part, args=(k,), daemon=True)
                   for k in range(1, len(parts))]  # fmt: skip
        try:
            for helper in helpers:
                helper.start()
            write_part(0)  # its errors (an interruption too) are kept in failed
        except BaseException:  # a helper that could not start
            first_failed[0] = -1
            raise
        finally:
            for helper in helpers:
                if helper.ident is not None:  # started
                    try:
                        helper.join()
                    except BaseException:  # interrupted while waiting: stop it, then go
                        first_failed[0] = -1
                        helper.join()
                        raise
        if failed:  # every file before the first that failed was written: writing in
            raise failed[min(failed)]  # order would have raised this error
        written = [[target.name, inode] for target, inode in zip(targets, inodes, strict=True)]
        journal = {"overwrite": self.overwrite, "files": written}
        with open(os.path.join(self.stage, _JOURNAL), "x", encoding="utf-8") as stream:
            stream.write(json.dumps(journal))  # one call of the C encoder (json.dump: chunks)
        return journal

    def _write_one(self, path: str, target: Path, text: str) -> int:
        """Write one staged file; return its inode."""
        data = text.encode("utf-8")  # before creating, so a bad text leaves no file
        descriptor = os.open(path, _CREATE, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            inode = os.fstat(descriptor).st_ino
        finally:
            os.close(descriptor)
        if self.overwrite:
            with contextlib.suppress(OSError):  # keep the mode of the file replaced
                os.chmod(path, os.stat(target).st_mode & 0o7777)
        return inode

    def _move(self, staged: list[str], targets: list[Path]) -> None:
        old = os.path.join(self.stage, "old")
        for source, target in zip(staged, targets, strict=True):
            path = os.fspath(target)
            if self.overwrite:
                if os.path.lexists(path):
                    try:  # a hard link to the old file: restored if the set fails
                        os.link(path, os.path.join(old, target.name), follow_symlinks=False)
                    except OSError as exc:
                        if exc.errno not in _NO_HARD_LINKS:
                            raise
                os.replace(source, path)
                continue
            try:
                os.link(source, path)
            except FileExistsError:
                raise ExistsError(target) from None
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                if os.path.lexists(path):
                    raise ExistsError(target) from None
                os.replace(source, path)


def _parts(count: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of the parts a set of ``count`` files is staged in, one per writer.

    One part below :data:`PARALLEL_MIN_FILES` files or on one processor, else
    one per processor up to :data:`WRITERS`, of nearly equal sizes.

    >>> _parts(10), _parts(1000)[-1][1]
    ([(0, 10)], 1000)
    """
    writers = min(WRITERS, os.cpu_count() or 1, max(1, count // PARALLEL_MIN_FILES))
    bounds = [count * k // writers for k in range(writers + 1)]
    return list(itertools.pairwise(bounds))


def _remove_stage(stage: Path) -> None:
    """Remove a staging folder; its parts' folders (``new1``...) by one thread each."""
    helpers = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(stage):
            if entry.name.startswith("new") and entry.name != "new0":
                helper = threading.Thread(
                    target=shutil.rmtree, args=(entry.path,), kwargs={"ignore_errors": True}
                )
                helper.start()
                helpers.append(helper)
    try:
        shutil.rmtree(os.path.join(stage, "new0"), ignore_errors=True)
    finally:
        for helper in helpers:
            helper.join()
        shutil.rmtree(stage, ignore_errors=True)


def _sync(handle: int | None, files: list[str]) -> None:
    """Make the staged files durable: one ``syncfs`` on Linux, else one fsync per file."""
    if handle is not None and sys.platform.startswith("linux") and _syncfs(handle):
        return
    for path in files:  # pragma: no cover - other systems
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _syncfs(handle: int) -> bool:
    """Flush the file system holding ``handle`` (Linux ``syncfs``); False if unavailable."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syncfs(handle) == 0
    except (OSError, AttributeError):  # pragma: no cover
        return False


def _roll_back(base: Path, stage: Path, journal: dict | None = None) -> None:
    """Take back the files a transaction moved into ``base``, then remove ``stage``."""
    try:
        if journal is None:
            try:
                journal = json.loads((stage / _JOURNAL).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                journal = None  # never started moving, or had finished: nothing to take back
        files = journal.get("files", []) if isinstance(journal, dict) else []
        for entry in files:
            try:
                name, inode = str(entry[0]), int(entry[1])
            except (TypeError, ValueError, IndexError):
                continue
            if file_name_problem(name):
                continue
            target = base / name
            try:
                if os.lstat(target).st_ino != inode:
                    continue  # not ours
            except OSError:
                continue
            backup = stage / "old" / name
            with contextlib.suppress(OSError):
                if os.path.lexists(backup):
                    os.replace(backup, target)
                else:
                    os.unlink(target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
