"""The manifest of a :func:`~asnkit.batch.generate_many` output folder.

``DIR/manifest.jsonl`` holds one JSON object per line, one line each time a
pool's state changes: ``pending`` when a run hands it to a worker, then
``done`` or ``failed``. The latest line of a pool is its state
(:func:`read_manifest`). Fields: ``pool`` (the pool's name and its folder),
``path``, ``sha256`` (of the pool file's bytes), ``settings`` (a digest of the
rules, version id and asnkit version), ``status``, ``associations``,
``seconds``, ``warnings`` (a list), ``error`` (``null`` unless failed),
``finished`` (UTC time) and ``asnkit`` (version).

Why JSON lines: a run appends one short line per pool with one ``write`` and
an ``fsync``, so recording costs the same for the 5th pool and the 5,000th
and a ``kill -9`` can at worst cut the last line short, which the next run
cuts off (a CSV or Parquet file would have to be rewritten whole, atomically,
after every pool). The file is also the run's lock: a run holds an exclusive
``flock`` on it, so two runs never write into one folder at once.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> record = PoolRecord("pool_a", "/pools/pool_a.csv", PoolStatus.DONE, sha256="ab12",
...                     associations=3, seconds=0.25)
>>> with Manifest.open(folder) as manifest:
...     manifest.append([record])
>>> read_manifest(folder)[["pool", "status", "associations"]].to_dict("records")
[{'pool': 'pool_a', 'status': 'done', 'associations': 3}]
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asnkit.errors import PoolFileNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "MANIFEST_NAME",
    "Manifest",
    "ManifestState",
    "PoolRecord",
    "PoolStatus",
    "file_sha256",
    "manifest_state",
    "read_manifest",
]

#: The manifest's file name inside the output folder.
MANIFEST_NAME = "manifest.jsonl"

_COLUMNS = (
    "pool",
    "path",
    "status",
    "sha256",
    "settings",
    "associations",
    "seconds",
    "warnings",
    "error",
    "finished",
    "asnkit",
)


class PoolStatus(str, enum.Enum):
    """What became of a pool."""

    #: Handed to a worker; not finished (yet, or the run was killed).
    PENDING = "pending"
    #: Generated and written; its folder is complete.
    DONE = "done"
    #: Unchanged since a run that did it: not redone.
    SKIPPED = "skipped"
    #: Could not be read, generated or written: ``error`` says why.
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class PoolRecord:
    """One pool's outcome: a line of the manifest and a row of the result.

    Parameters
    ----------
    pool : str
        The pool's name (its file name without ``.csv``), also its folder's name.
    path : str
        The pool file.
    status : PoolStatus
    sha256 : str, optional
        Digest of the pool file's bytes (``None`` when it could not be read).
    settings : str
        Digest of what else decides the output (rules, version id, asnkit version).
    associations : int
        Associations written.
    seconds : float
        Time spent reading, generating and writing it.
    warnings : tuple of str
        Warnings given while reading and generating it.
    error : str, optional
        Why it failed.
    finished : str
        UTC time the record was made (ISO 8601).
    asnkit : str
        The asnkit version that made it.
    staged : str, optional
        Where a worker left the finished folder (not written to the manifest).
    """

    pool: str
    path: str
    status: PoolStatus
    sha256: str | None = None
    settings: str = ""
    associations: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    error: str | None = None
    finished: str = ""
    asnkit: str = ""
    staged: str | None = dataclasses.field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The manifest line's fields (``staged`` is left out)."""
        out = {name: getattr(self, name) for name in _COLUMNS}
        out["status"] = self.status.value
        out["warnings"] = list(self.warnings)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PoolRecord:
        """The record of a manifest line (``KeyError`` / ``ValueError`` when it is not one)."""
        return cls(
            pool=str(data["pool"]),
            path=str(data["path"]),
            status=PoolStatus(data["status"]),
            sha256=data.get("sha256"),
            settings=str(data.get("settings", "")),
            associations=int(data.get("associations", 0)),
            seconds=float(data.get("seconds", 0.0)),
            warnings=tuple(str(w) for w in data.get("warnings", ())),
            error=data.get("error"),
            finished=str(data.get("finished", "")),
            asnkit=str(data.get("asnkit", "")),
        )


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _records(path: Path) -> Iterator[PoolRecord]:
    """Every record of a manifest file, oldest first; unreadable lines are skipped."""
    with open(path, "rb") as stream:
        lines = stream.read().split(b"\n")
    if lines and lines[-1]:  # no newline at the end: a write cut short by a kill
        lines[-1] = b""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield PoolRecord.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError):
            warnings.warn(
                f"{path}, line {number}: not a manifest entry; ignored (its pool is redone)",
                RuntimeWarning,
                stacklevel=3,
            )


@dataclasses.dataclass(frozen=True)
class ManifestState:
    """What a manifest says: each pool's latest record, and which pools a run handed out.

    ``dispatched`` names the pools that have ever been ``pending`` or ``done``:
    their folders were made by generate-many and may be replaced.
    """

    latest: dict[str, PoolRecord]
    dispatched: frozenset[str]


def manifest_state(folder: str | os.PathLike[str]) -> ManifestState:
    """The state of ``folder``'s manifest (empty when there is none)."""
    path = Path(folder) / MANIFEST_NAME
    latest: dict[str, PoolRecord] = {}
    dispatched: set[str] = set()
    if path.exists():
        for record in _records(path):
            latest.pop(record.pool, None)  # keep the order of the latest changes
            latest[record.pool] = record
            if record.status in (PoolStatus.PENDING, PoolStatus.DONE):
                dispatched.add(record.pool)
    return ManifestState(latest, frozenset(dispatched))


def records_frame(records: Iterable[PoolRecord]) -> pd.DataFrame:
    """A DataFrame with one row per record and the manifest's columns."""
    import pandas as pd  # (the command line's parser imports this module: no pandas there)

    rows = [record.to_dict() for record in records]
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    frame["associations"] = frame["associations"].astype("int64")
    frame["seconds"] = frame["seconds"].astype("float64")
    return frame


def read_manifest(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """The state of every pool of a :func:`~asnkit.batch.generate_many` output folder.

    Parameters
    ----------
    folder : path-like
        The output folder (holding ``manifest.jsonl``).

    Returns
    -------
    pandas.DataFrame
        One row per pool (its latest manifest line), in the order they last
        changed: ``pool``, ``path``, ``status`` (``done``, ``failed`` or
        ``pending``), ``sha256``, ``settings``, ``associations``, ``seconds``,
        ``warnings`` (a list), ``error``, ``finished``, ``asnkit``.

    Raises
    ------
    FileNotFoundError
        ``folder`` has no manifest.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        raise PoolFileNotFoundError(
            "no manifest (not a generate-many output folder)", file=str(path)
        )
    return records_frame(manifest_state(folder).latest.values())


class Manifest:
    """The open, locked manifest of an output folder, for one run to append to.

    Use :meth:`open` (a context manager). Opening cuts off a last line left
    short by a killed run, and fails when another run holds the folder.
    """

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._fd = descriptor

    @classmethod
    @contextlib.contextmanager
    def open(cls, folder: str | os.PathLike[str]) -> Iterator[Manifest]:
        """Open (creating it) and lock ``folder/manifest.jsonl`` for the ``with`` block.

        Raises
        ------
        FileExistsError
            Another run holds the manifest (the message names the folder).
        """
        path = Path(folder) / MANIFEST_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
        try:
            _lock(fd, path)
            _cut_torn_line(fd)
            yield cls(path, fd)
        finally:
            os.close(fd)  # also releases the lock

    def append(self, records: Iterable[PoolRecord]) -> None:
        """Append one line per record with a single write, and make it durable."""
        text = "".join(
            json.dumps(record.to_dict(), ensure_ascii=False, allow_nan=False) + "\n"
            for record in records
        )
        if not text:
            return
        data = text.encode("utf-8")
        while data:  # a regular file takes it in one write; loop for signals
            written = os.write(self._fd, data)
            data = data[written:]
        os.fsync(self._fd)


def _lock(fd: int, path: Path) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows: no lock)
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise FileExistsError(
            f"{path.parent}: another generate-many run is writing there (it holds {path.name}); "
            "wait for it to end or choose another folder"
        ) from None


def _cut_torn_line(fd: int) -> None:
    size = os.fstat(fd).st_size
    if not size:
        return
    os.lseek(fd, max(0, size - 1), os.SEEK_SET)
    if os.read(fd, 1) == b"\n":
        return
    # find the last complete line and drop what follows it
    keep = 0
    position = size
    while position > 0:
        start = max(0, position - 65536)
        os.lseek(fd, start, os.SEEK_SET)
        block = os.read(fd, position - start)
        newline = block.rfind(b"\n")
        if newline >= 0:
            keep = start + newline + 1
            break
        position = start
    os.ftruncate(fd, keep)
    os.fsync(fd)
