"""Generate the associations of many pools, restartably: :func:`generate_many`.

Every pool gets its own folder in the output folder, holding exactly what
``asnkit generate POOL -o FOLDER`` writes. A worker writes the files into a
staging folder (``DIR/.asnkit-many-staging/``); this process then moves the whole
folder into place (one rename) and appends the pool's outcome to the
manifest (:mod:`asnkit.batch.manifest`). A pool is therefore either complete
or absent, whenever the run is stopped, and the manifest says which.

A rerun skips a pool whose latest manifest line says ``done`` for the same
file content (SHA-256) and the same settings (rules, version id, asnkit
version) and whose folder is there; it redoes changed, failed and unfinished
pools.

Examples
--------
>>> import tempfile, asnkit
>>> from asnkit.batch import Serial
>>> out = tempfile.mkdtemp()
>>> pools = [asnkit.data.pool_path("pool_002_image_miri"),
...          asnkit.data.pool_path("pool_019_niriss_wfss")]
>>> result = generate_many(pools, out, version_id="20250101t000000", scheduler=Serial())
>>> result
<ManyResult: 2 pools (2 done, 0 skipped, 0 failed), 28 associations written in ... s>
>>> result.to_frame()[["pool", "status", "associations"]].to_dict("records")
[{'pool': 'pool_002_image_miri', 'status': 'done', 'associations': 9},
 {'pool': 'pool_019_niriss_wfss', 'status': 'done', 'associations': 19}]
>>> generate_many(pools, out, version_id="20250101t000000", scheduler=Serial()).counts
{'done': 0, 'skipped': 2, 'failed': 0}
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from asnkit.batch.manifest import (
    MANIFEST_NAME,
    Manifest,
    PoolRecord,
    PoolStatus,
    file_sha256,
    manifest_state,
    records_frame,
)
from asnkit.batch.schedulers import Processes, Scheduler
from asnkit.batch.work import Job, PoolTask, describe_error, generate_one, utc_now
from asnkit.errors import PoolError, PoolFileNotFoundError
from asnkit.rules.model import Rule

__all__ = ["STAGING_NAME", "ManyResult", "expand_pools", "generate_many", "settings_digest"]

#: The hidden folder, inside the output folder, where workers write.
STAGING_NAME = ".asnkit-many-staging"


@dataclasses.dataclass(frozen=True)
class ManyResult:
    """What :func:`generate_many` did: one record per pool, in the order given.

    Attributes
    ----------
    records : tuple of PoolRecord
    out_dir : pathlib.Path
    seconds : float
        Wall time of the run.
    """

    records: tuple[PoolRecord, ...]
    out_dir: Path
    seconds: float

    def to_frame(self) -> pd.DataFrame:
        """One row per pool: the manifest's columns, ``status`` ``done``/``skipped``/``failed``."""
        return records_frame(self.records)

    @property
    def counts(self) -> dict[str, int]:
        """Pools done, skipped and failed."""
        statuses = (PoolStatus.DONE, PoolStatus.SKIPPED, PoolStatus.FAILED)
        return {s.value: sum(r.status is s for r in self.records) for s in statuses}

    @property
    def failed(self) -> tuple[PoolRecord, ...]:
        """The records of the pools that failed."""
        return tuple(r for r in self.records if r.status is PoolStatus.FAILED)

    @property
    def ok(self) -> bool:
        """No pool failed."""
        return not self.failed

    @property
    def associations(self) -> int:
        """Associations written by this run (skipped pools not counted)."""
        return sum(r.associations for r in self.records if r.status is PoolStatus.DONE)

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"<ManyResult: {len(self.records)} pools ({c['done']} done, {c['skipped']} skipped, "
            f"{c['failed']} failed), {self.associations} associations written "
            f"in {self.seconds:.1f} s>"
        )


def settings_digest(rules: Iterable[Rule], version_id: str | bool | None) -> str:
    """A digest of what, besides the pool, decides a pool's output.

    It covers each rule's full description (:meth:`Rule.describe`), the
    version id (``True`` -- a new timestamp per run -- counts as one value, so
    a rerun with a timestamp keeps the pools an earlier one made) and the
    asnkit version.
    """
    from asnkit.version import __version__

    if version_id is True:
        stamp = "<timestamp>"
    else:
        stamp = str(version_id or "")
    text = "\n".join(
        [f"asnkit {__version__}", f"version_id {stamp}", *(r.describe() for r in rules)]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def expand_pools(pools: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The pool files named by paths, glob patterns and folders, in order, each once.

    A folder stands for its ``*.csv`` files; a pattern (with ``*``, ``?`` or
    ``[``) that is not an existing file stands for the files it matches, sorted.
    A plain path is kept even when missing (that pool then fails).

    Raises
    ------
    FileNotFoundError
        A pattern matches nothing.
    """
    if isinstance(pools, (str, os.PathLike)):
        pools = [pools]
    found: list[Path] = []
    for item in pools:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(path.glob("*.csv")))
        elif not path.exists() and glob.has_magic(str(item)):
            matches = sorted(Path(m) for m in glob.glob(str(item)) if Path(m).is_file())
            if not matches:
                raise PoolFileNotFoundError(f"no pool file matches {str(item)!r}", path=str(item))
            found.extend(matches)
        else:
            found.append(path)
    unique = {}
    for path in found:
        unique.setdefault(os.path.abspath(path), None)
    return [Path(p) for p in unique]


def _tasks(paths: list[Path]) -> list[PoolTask]:
    """One task per pool, named after its file; names must be usable as folder names."""
    by_name: dict[str, Path] = {}
    for path in paths:
        name = path.name[:-4] if path.name.lower().endswith(".csv") else path.name
        bad = (
            not name
            or name.startswith(".")
            or name == MANIFEST_NAME
            or any(c in name for c in "/\\:")
            or not name.isprintable()
        )
        if bad:
            raise PoolError(f"{name!r} cannot name an output folder", file=str(path))
        if name in by_name:
            raise PoolError(
                f"two pools named {name!r} ({by_name[name]} and {path}) would share one folder",
                file=str(path),
            )
        by_name[name] = path
    return [PoolTask(name, str(path)) for name, path in by_name.items()]


def _json_files(folder: Path) -> int | None:
    """How many association files a folder holds (None when it is not a folder)."""
    try:
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.name.endswith(".json") and e.is_file())
    except OSError:
        return None


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover (platforms without directory handles)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _publish(staged: Path, target: Path, trash: Path) -> None:
    """Move a finished pool folder into place, replacing the pool's old folder."""
    if target.exists() or target.is_symlink():
        os.rename(target, trash)
    os.rename(staged, target)
    _fsync_folder(target.parent)
    shutil.rmtree(trash, ignore_errors=True)


def generate_many(
    pools: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    rules: Iterable[Rule] | None = None,
    version_id: str | bool | None = None,
    scheduler: Scheduler | None = None,
    overwrite: bool = False,
    progress: Callable[[PoolRecord], object] | None = None,
) -> ManyResult:
    """Generate the associations of many pools, one output folder per pool.

    Parameters
    ----------
    pools : path, glob pattern, folder, or an iterable of them
        The pool files (a folder stands for its ``*.csv``).
    out_dir : path-like
        The output folder (created): ``out_dir/<pool name>/`` holds a pool's
        association files, ``out_dir/manifest.jsonl`` what became of each pool
        (:func:`~asnkit.batch.read_manifest`).
    rules : iterable of Rule, optional
        Default: :func:`asnkit.rules.dms_rules` (as ``asn_generate``).
    version_id : str, True or None
        Version stamp in file names, as :func:`asnkit.generate`; ``True`` is
        one timestamp for the whole run.
    scheduler : Serial, Processes, Dask or any Scheduler, optional
        Where pools are generated; default :class:`Processes` (one worker per core).
    overwrite : bool
        Replace a folder named like a pool that the manifest does not know
        (otherwise that pool fails, naming the folder).
    progress : callable, optional
        Called in this process with each pool's :class:`PoolRecord` as soon as
        it is known (skipped pools first).

    Returns
    -------
    ManyResult
        One record per pool; ``result.to_frame()`` is the manifest of this
        run as a DataFrame (``status`` ``done``, ``skipped`` or ``failed``).

    Raises
    ------
    FileNotFoundError
        A glob pattern matches nothing.
    FileExistsError
        Another run is writing into ``out_dir``.
    asnkit.PoolError
        Two pools have the same name, or a name cannot be a folder name.

    Notes
    -----
    A pool that cannot be read or generated is recorded as ``failed`` with
    its error; the others go on. A failed pool's earlier folder, if any, is
    left as it was.
    """
    from asnkit.dms.names import version_timestamp

    start = time.perf_counter()
    if rules is None:
        from asnkit.rules import dms_rules

        rules = dms_rules()
    rules = tuple(rules)
    scheduler = scheduler if scheduler is not None else Processes()
    tasks = _tasks(expand_pools(pools))
    settings = settings_digest(rules, version_id)
    stamp = version_timestamp() if version_id is True else (version_id or None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda record: None)
    with Manifest.open(out) as manifest:
        staging_root = out / STAGING_NAME
        shutil.rmtree(staging_root, ignore_errors=True)  # left by killed runs (we hold the lock)
        state = manifest_state(out)
        outcome: dict[str, PoolRecord] = {}
        to_do: list[PoolTask] = []
        for task in tasks:
            replace = overwrite or task.name in state.dispatched
            record = _before(task, state.latest.get(task.name), settings, out, replace)
            if record is None:
                to_do.append(task)
            else:
                outcome[task.name] = record
                report(record)
        manifest.append(r for r in outcome.values() if r.status is PoolStatus.FAILED)
        if to_do:
            staging = staging_root / secrets.token_hex(6)
            staging.mkdir(parents=True)
            now = utc_now()
            manifest.append(
                PoolRecord(t.name, t.path, PoolStatus.PENDING, settings=settings, finished=now)
                for t in to_do
            )
            job = Job(rules=rules, version_id=stamp, settings=settings, staging=str(staging))
            for task, result in scheduler.map(generate_one, job, to_do):
                record = _after(task, result, out, staging / f".old-{task.name}", settings)
                outcome[task.name] = record
                manifest.append([record])
                report(record)
        shutil.rmtree(staging_root, ignore_errors=True)
    records = tuple(outcome[t.name] for t in tasks)
    return ManyResult(records, out, time.perf_counter() - start)


def _before(
    task: PoolTask, known: PoolRecord | None, settings: str, out: Path, replace: bool
) -> PoolRecord | None:
    """The pool's record when it needs no worker (skipped, or refused); else None.

    ``replace``: the pool's folder, if there, may be replaced.
    """
    folder = out / task.name
    if known is not None and known.status is PoolStatus.DONE and known.settings == settings:
        try:
            digest = file_sha256(task.path)
        except OSError:
            digest = None
        if digest == known.sha256 and _json_files(folder) == known.associations:
            return dataclasses.replace(known, path=task.path, status=PoolStatus.SKIPPED)
    if not replace and (folder.exists() or folder.is_symlink()):
        return PoolRecord(
            task.name,
            task.path,
            PoolStatus.FAILED,
            settings=settings,
            error=(
                f"{folder}: exists and is not listed in {MANIFEST_NAME} "
                "(pass overwrite=True, or --overwrite, to replace it)"
            ),
            finished=utc_now(),
        )
    return None


def _after(
    task: PoolTask, result: PoolRecord | BaseException, out: Path, trash: Path, settings: str
) -> PoolRecord:
    """Put a worker's finished folder in place; the pool's final record."""
    if isinstance(result, BaseException):  # the worker itself died
        return PoolRecord(
            task.name,
            task.path,
            PoolStatus.FAILED,
            settings=settings,
            error=f"its worker failed: {type(result).__name__}: {result}",
            finished=utc_now(),
        )
    if result.status is PoolStatus.DONE and result.staged:
        try:
            _publish(Path(result.staged), out / task.name, trash)
        except OSError as exc:
            return dataclasses.replace(
                result, status=PoolStatus.FAILED, associations=0, error=describe_error(exc)
            )
    return result
