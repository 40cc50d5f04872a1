"""``asnkit.generate_many``: schedulers agree with ``asnkit generate``, the manifest, reruns."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import asnkit
from asnkit.batch import Dask, PoolStatus, Processes, Serial, generate_many, read_manifest
from asnkit.batch.manifest import MANIFEST_NAME, Manifest
from asnkit.batch.many import STAGING_NAME
from asnkit.cli import main
from asnkit.rules import dms_level3
from tests.helpers import pool_file

VERSION_ID = "20250101t000000"
#: A handful of shipped pools: imaging, WFSS, duplicates (a logged warning), TSO,
#: and jw93060, which has no asn_candidate column (a warning).
POOLS = (
    "pool_002_image_miri",
    "pool_019_niriss_wfss",
    "jw00632_dups",
    "pool_021_tso",
    "jw93060_20150312T160130_pool",
)
BROKEN = "broken_pool"
#: The quick ones, for the tests that need no particular pool.
FEW = ("pool_002_image_miri", "jw00632_dups", "pool_021_tso")


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def pool_folders(out: Path) -> dict[str, dict[str, bytes]]:
    """The pool folders of a generate_many output folder and their files."""
    return {p.name: folder_files(p) for p in sorted(out.iterdir()) if p.is_dir()}


def write_broken(folder: Path) -> Path:
    """pool_002 with one field cut from its 3rd data row: read_pool's PoolError."""
    lines = pool_file("pool_002_image_miri").read_text().splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.lower().startswith("filename|"))
    row = header + 3
    lines[row] = lines[row].split("|", 1)[1]
    path = folder / f"{BROKEN}.csv"
    path.write_text("".join(lines))
    return path


@pytest.fixture(scope="module")
def pools(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pools")
    for name in POOLS:
        shutil.copy(pool_file(name), folder / f"{name}.csv")
    write_broken(folder)
    return folder


@pytest.fixture(scope="module")
def expected(pools, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """What ``asnkit generate POOL -o DIR --version-id ...`` writes for each good pool."""
    out = {}
    for name in POOLS:
        folder = tmp_path_factory.mktemp(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = main(
                [
                    "generate",
                    str(pools / f"{name}.csv"),
                    "-o",
                    str(folder),
                    "--version-id",
                    VERSION_ID,
                ]
            )
        assert status == 0
        out[name] = folder_files(folder)
    return out


@pytest.fixture(scope="module")
def few(pools, tmp_path_factory) -> Path:
    """A folder with the quick pools and the broken one."""
    folder = tmp_path_factory.mktemp("few")
    for name in (*FEW, BROKEN):
        shutil.copy(pools / f"{name}.csv", folder)
    return folder


def run_many(pools_folder: Path, out: Path, scheduler, **options):
    return generate_many(
        sorted(pools_folder.glob("*.csv")),
        out,
        version_id=VERSION_ID,
        scheduler=scheduler,
        **options,
    )


SCHEDULERS = {
    "serial": Serial(),
    "processes": Processes(workers=2),
    "dask": Dask(workers=2, processes=False),
}


@pytest.mark.parametrize("scheduler", list(SCHEDULERS.values()), ids=list(SCHEDULERS))
def test_every_scheduler_writes_what_asnkit_generate_writes(scheduler, pools, expected, tmp_path):
    if isinstance(scheduler, Dask):
        pytest.importorskip("distributed")
    result = run_many(pools, tmp_path, scheduler)

    assert pool_folders(tmp_path) == expected  # the broken pool has no folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*POOLS, MANIFEST_NAME])
    frame = result.to_frame().set_index("pool")
    assert result.counts == {"done": len(POOLS), "skipped": 0, "failed": 1}
    assert not result.ok and [r.pool for r in result.failed] == [BROKEN]
    for name in POOLS:
        row = frame.loc[name]
        assert row["status"] == "done" and pd.isna(row["error"])
        assert row["associations"] == len(expected[name]) > 0
        digest = hashlib.sha256(pool_file(name).read_bytes()).hexdigest()
        assert row["sha256"] == digest
        assert row["seconds"] > 0
    assert result.associations == sum(len(files) for files in expected.values())
    broken = frame.loc[BROKEN]
    assert broken["status"] == "failed" and broken["associations"] == 0
    assert f"{BROKEN}.csv" in broken["error"] and "line" in broken["error"]
    # jw93060's warning and jw00632's logged warning are kept with their pools
    (no_candidates,) = frame.loc["jw93060_20150312T160130_pool", "warnings"]
    assert "no asn_candidate column" in no_candidates
    assert any("same product name" in w for w in frame.loc["jw00632_dups", "warnings"])
    assert frame.loc["pool_002_image_miri", "warnings"] == []
    # the manifest file says the same as the result
    manifest = read_manifest(tmp_path).set_index("pool").sort_index()
    columns = ["status", "sha256", "associations", "error", "warnings"]
    assert manifest[columns].equals(frame[columns].sort_index())


def test_the_broken_pool_error_is_read_pools_error(few, tmp_path):
    result = run_many(few, tmp_path, Serial())
    with pytest.raises(asnkit.PoolError) as raised:
        asnkit.read_pool(few / f"{BROKEN}.csv")
    (failed,) = result.failed
    assert failed.error == str(raised.value)


class Spy:
    """A scheduler that runs serially and records the tasks it was given."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def map(self, function, shared, tasks):
        self.names.extend(task.name for task in tasks)
        return Serial().map(function, shared, tasks)


def inodes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_ino for p in out.rglob("*.json")}


def test_a_rerun_does_no_work_but_retry_failed_pools(few, tmp_path):
    run_many(few, tmp_path, Serial())
    before = inodes(tmp_path)
    lines = (tmp_path / MANIFEST_NAME).read_text().splitlines()

    spy = Spy()
    again = run_many(few, tmp_path, spy)

    assert spy.names == [BROKEN]  # only the failed pool is tried again
    assert again.counts == {"done": 0, "skipped": len(FEW), "failed": 1}
    assert again.associations == 0
    assert inodes(tmp_path) == before  # no file rewritten
    added = (tmp_path / MANIFEST_NAME).read_text().splitlines()[len(lines) :]
    assert [json.loads(line)["pool"] for line in added] == [BROKEN, BROKEN]  # pending, failed
    skipped = again.to_frame().set_index("pool").loc["pool_021_tso"]
    assert skipped["status"] == "skipped" and skipped["associations"] > 0


def test_changing_one_pool_redoes_only_that_one(few, tmp_path):
    source = tmp_path / "few"
    shutil.copytree(few, source)
    (source / f"{BROKEN}.csv").unlink()
    out = tmp_path / "out"
    run_many(source, out, Serial())
    before = inodes(out)

    # touching (mtime only) changes nothing: the content decides
    os.utime(source / "pool_021_tso.csv", (1, 1))
    spy = Spy()
    assert run_many(source, out, spy).counts["skipped"] == len(FEW)
    assert spy.names == []

    # drop the last exposure row of pool_002: only that pool is redone
    path = source / "pool_002_image_miri.csv"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    spy = Spy()
    result = run_many(source, out, spy)
    assert spy.names == ["pool_002_image_miri"]
    assert result.counts == {"done": 1, "skipped": len(FEW) - 1, "failed": 0}
    after = inodes(out)
    assert {k: v for k, v in after.items() if not k.startswith("pool_002")} == {
        k: v for k, v in before.items() if not k.startswith("pool_002")
    }
    fresh = tmp_path / "fresh"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main(["generate", str(path), "-o", str(fresh), "--version-id", VERSION_ID])
    assert folder_files(out / "pool_002_image_miri") == folder_files(fresh)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_manifest(out).set_index("pool").loc["pool_002_image_miri", "sha256"] == digest


def test_other_rules_or_version_redo_everything_and_replace_the_folders(few, tmp_path):
    source = [few / f"{name}.csv" for name in FEW[:3]]
    generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    spy = Spy()
    result = generate_many(
        source, tmp_path, rules=dms_level3(), version_id=VERSION_ID, scheduler=spy
    )
    assert result.counts["done"] == 3 and len(spy.names) == 3
    names = [n for folder in pool_folders(tmp_path).values() for n in folder]
    assert names and not any("image2" in n or "spec2" in n for n in names)  # old files gone

    spy = Spy()
    generate_many(source, tmp_path, rules=dms_level3(), version_id="20300101t000000", scheduler=spy)
    assert len(spy.names) == 3
    names = [n for folder in pool_folders(tmp_path).values() for n in folder]
    assert all("_20300101t000000_" in n for n in names)


def test_a_timestamp_version_is_one_for_the_run_and_reruns_keep_it(few, tmp_path):
    source = [few / f"{name}.csv" for name in FEW[:2]]
    generate_many(source, tmp_path, version_id=True, scheduler=Serial())
    stamps = {n.split("_")[1] for folder in pool_folders(tmp_path).values() for n in folder}
    assert len(stamps) == 1 and len(stamps.pop()) == len(VERSION_ID)
    assert (
        generate_many(source, tmp_path, version_id=True, scheduler=Serial()).counts["skipped"] == 2
    )


def test_a_deleted_pool_folder_or_file_is_redone(few, tmp_path):
    source = [few / f"{name}.csv" for name in FEW[:2]]
    generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    want = pool_folders(tmp_path)
    shutil.rmtree(tmp_path / FEW[0])
    next((tmp_path / FEW[1]).glob("*.json")).unlink()
    spy = Spy()
    generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=spy)
    assert sorted(spy.names) == sorted(FEW[:2])
    assert pool_folders(tmp_path) == want


def test_a_folder_the_manifest_does_not_know_is_not_replaced(few, tmp_path):
    mine = tmp_path / "pool_002_image_miri"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    source = [few / "pool_002_image_miri.csv", few / "pool_021_tso.csv"]
    result = generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    assert result.counts == {"done": 1, "skipped": 0, "failed": 1}
    assert "not listed in manifest.jsonl" in result.failed[0].error
    assert (mine / "notes.txt").read_text() == "mine"
    # recorded as failed, it is still not generate-many's folder
    result = generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    assert result.counts == {"done": 0, "skipped": 1, "failed": 1}
    assert (
        read_manifest(tmp_path).set_index("pool").loc["pool_002_image_miri", "status"] == "failed"
    )
    assert (mine / "notes.txt").read_text() == "mine"

    result = generate_many(
        source, tmp_path, version_id=VERSION_ID, scheduler=Serial(), overwrite=True
    )
    assert result.counts == {"done": 1, "skipped": 1, "failed": 0}
    assert not (mine / "notes.txt").exists() and list(mine.glob("*.json"))
    (mine / "extra.json").write_text("{}")  # now generate-many's folder: replaced
    result = generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    assert result.counts == {"done": 1, "skipped": 1, "failed": 0}
    assert not (mine / "extra.json").exists()


def test_two_runs_never_write_into_one_folder_at_once(few, tmp_path):
    with Manifest.open(tmp_path):
        with pytest.raises(FileExistsError, match="another generate-many run"):
            run_many(few, tmp_path, Serial())
    assert not any(p.is_dir() for p in tmp_path.iterdir())


def test_a_cut_manifest_line_is_dropped_and_its_pool_redone(few, tmp_path):
    source = [few / f"{name}.csv" for name in FEW[:2]]
    generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    manifest = tmp_path / MANIFEST_NAME
    text = manifest.read_text()
    last = text.splitlines(keepends=True)[-1]
    manifest.write_text(text[: -len(last)] + last[: len(last) // 2])  # killed mid-write
    status = read_manifest(tmp_path).set_index("pool")["status"]
    assert status.to_dict() == {FEW[0]: "done", FEW[1]: "pending"}

    spy = Spy()
    generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=spy)
    assert spy.names == [FEW[1]]
    assert all(json.loads(line) for line in manifest.read_text().splitlines())


def test_a_damaged_manifest_line_is_reported_and_its_pool_redone(few, tmp_path):
    source = [few / f"{name}.csv" for name in FEW[:2]]
    generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=Serial())
    manifest = tmp_path / MANIFEST_NAME
    lines = manifest.read_text().splitlines(keepends=True)
    lines[-1] = "{not json}\n"
    manifest.write_text("".join(lines))
    spy = Spy()
    with pytest.warns(RuntimeWarning, match=rf"{MANIFEST_NAME}, line {len(lines)}: not a manifest"):
        generate_many(source, tmp_path, version_id=VERSION_ID, scheduler=spy)
    assert spy.names == [FEW[1]]


def test_pools_are_given_as_globs_folders_and_paths(few, tmp_path):
    spy = Spy()
    generate_many(
        [str(few / "pool_0*.csv"), few, few / "jw00632_dups.csv"],
        tmp_path,
        scheduler=spy,
    )
    assert spy.names == [
        "pool_002_image_miri",
        "pool_021_tso",
        BROKEN,
        "jw00632_dups",
    ]
    with pytest.raises(FileNotFoundError, match="no pool file matches"):
        generate_many(str(few / "nothing*.csv"), tmp_path, scheduler=spy)


def test_a_missing_pool_fails_alone(few, tmp_path):
    result = generate_many(
        [few / "pool_021_tso.csv", few / "gone.csv"], tmp_path, scheduler=Serial()
    )
    assert result.counts == {"done": 1, "skipped": 0, "failed": 1}
    assert "gone.csv" in result.failed[0].error and "No such file" in result.failed[0].error


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["a/p.csv", "b/p.csv"], "two pools named 'p'"),
        (["a/.hidden.csv"], "cannot name an output folder"),
        (["a/manifest.jsonl.csv"], "cannot name an output folder"),
    ],
)
def test_pool_names_must_make_distinct_plain_folders(tmp_path, names, message):
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(pool_file("pool_021_tso"), tmp_path / name)
    with pytest.raises(asnkit.PoolError, match=message):
        generate_many([tmp_path / n for n in names], tmp_path / "out", scheduler=Serial())
    assert not (tmp_path / "out").exists()


def test_nothing_is_left_in_the_staging_folder(few, tmp_path):
    run_many(few, tmp_path, Serial())
    assert not (tmp_path / STAGING_NAME).exists()
    stale = tmp_path / STAGING_NAME / "0123456789ab" / "pool_021_tso"
    stale.mkdir(parents=True)
    run_many(few, tmp_path, Serial())
    assert not (tmp_path / STAGING_NAME).exists()


def test_progress_is_told_of_every_pool_as_it_ends(few, tmp_path):
    seen = []
    result = run_many(few, tmp_path, Serial(), progress=seen.append)
    assert sorted(r.pool for r in seen) == sorted(r.pool for r in result.records)
    seen.clear()
    run_many(few, tmp_path, Serial(), progress=seen.append)
    assert [r.status for r in seen[:-1]] == [PoolStatus.SKIPPED] * len(FEW)  # first
    assert seen[-1].status is PoolStatus.FAILED


def test_the_input_pools_are_not_touched(few, tmp_path):
    before = folder_files(few)
    run_many(few, tmp_path, Serial())
    assert folder_files(few) == before


def test_the_dask_path_connects_to_a_running_scheduler(few, expected, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",  # loopback only
        dashboard_address="127.0.0.1:0",  # None still serves HTTP on 8787, maybe taken
        scheduler_kwargs={"dashboard": False},
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        pools = [str(p) for p in sorted(few.glob("*.csv"))]
        argv = [*pools, "-o", str(tmp_path / "a"), "--version-id", VERSION_ID]
        assert main(["generate-many", *argv, "--scheduler", address]) == 1  # the broken pool
        assert "failed: broken_pool" in capsys.readouterr().err
        with distributed.Client(cluster) as client:  # a client of one's own is left open
            again = run_many(few, tmp_path / "b", Dask(client=client))
            assert client.status == "running"
    assert again.counts == {"done": len(FEW), "skipped": 0, "failed": 1}
    want = {name: expected[name] for name in FEW}
    assert pool_folders(tmp_path / "a") == pool_folders(tmp_path / "b") == want


def test_a_local_dask_cluster_does_not_need_port_8787(few, expected, tmp_path):
    """Regression: the LocalCluster's scheduler served HTTP on port 8787; when another
    cluster held it, dask warned "Port 8787 is already in use" (an error in this suite)."""
    pytest.importorskip("distributed")
    with contextlib.ExitStack() as stack:
        holder = stack.enter_context(socket.socket())
        with contextlib.suppress(OSError):  # already held by someone else: as good
            holder.bind(("", 8787))
            holder.listen()
        result = run_many(few, tmp_path, Dask(workers=1, processes=False))
    assert result.counts == {"done": len(FEW), "skipped": 0, "failed": 1}
    assert pool_folders(tmp_path) == {name: expected[name] for name in FEW}


@pytest.mark.slow
def test_the_dask_command_prints_only_its_results(few, tmp_path):
    """Regression: distributed logs at INFO by itself, so ``--scheduler dask`` printed some
    thirty INFO lines of cluster start-up and shutdown amid the results."""
    pytest.importorskip("distributed")
    pool = str(few / "pool_021_tso.csv")
    command = [sys.executable, "-m", "asnkit", "generate-many", pool, "-o", str(tmp_path / "o"),
               "--scheduler", "dask", "--workers", "1", "--no-progress"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "associations written" in done.stdout


def _add_slowly(shared: int, task: int) -> int:
    time.sleep(0.05)
    return shared + task


@contextlib.contextmanager
def _cluster_without_workers():
    """A dask cluster (threads) with no worker, its client, and a way to start/stop workers."""
    distributed = pytest.importorskip("distributed")
    workers = []
    with distributed.LocalCluster(
        n_workers=0,
        processes=False,
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
        silence_logs=logging.CRITICAL,
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        address = cluster.scheduler_address

        async def start():
            worker = await distributed.Worker(address, nthreads=1)
            workers.append(worker)
            return worker

        async def stop(worker):
            await worker.close()

        try:
            yield client, lambda: client.sync(start), lambda worker: client.sync(stop, worker)
        finally:
            for worker in workers:  # started here, not by the cluster: it would wait for them
                client.sync(stop, worker)


def test_the_dask_path_waits_for_workers_still_queued():
    """Regression: the run scattered the rules to the workers first, which fails ("No valid
    workers found") when no worker comes within the connect timeout (30 s): batch jobs of a
    dask-jobqueue cluster may queue longer."""
    pytest.importorskip("distributed")  # (its settings known to dask.config)
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), _cluster_without_workers(
    ) as (client, start, _):  # fmt: skip
        timer = threading.Timer(2.5, start)  # the job starts after the timeout
        timer.start()
        try:
            results = dict(Dask(client=client).map(_add_slowly, 10, [1, 2, 3]))
        finally:
            timer.join()
    assert results == {1: 11, 2: 12, 3: 13}


def test_the_dask_path_survives_its_workers_being_replaced():
    """Regression: the scattered rules lived only on the workers present at the start; when
    they ended (a batch job's walltime) every pool not yet done failed."""
    with _cluster_without_workers() as (client, start, stop):
        first = start()
        results = {}
        for task, result in Dask(client=client).map(_add_slowly, 100, list(range(12))):
            results[task] = result
            if len(results) == 3:
                start()  # a new job starts, and the first one ends
                stop(first)
    assert results == {task: 100 + task for task in range(12)}


def test_a_retried_pool_never_meets_its_half_written_attempt(few, tmp_path):
    from asnkit.batch.work import Job, PoolTask, generate_one
    from asnkit.rules import dms_rules

    job = Job(rules=dms_rules(), version_id=VERSION_ID, settings="s", staging=str(tmp_path))
    task = PoolTask("pool_021_tso", str(few / "pool_021_tso.csv"))
    first = generate_one(job, task)
    (Path(first.staged) / "partial.json").write_text("{")  # as a worker killed mid-write
    again = generate_one(job, task)  # dask (or Processes) runs it again
    assert first.status is again.status is PoolStatus.DONE
    assert again.staged != first.staged
    assert sorted(p.name for p in Path(again.staged).iterdir()) == sorted(
        p.name for p in Path(first.staged).iterdir() if p.name != "partial.json"
    )
