"""``asnkit generate-many``: the command line, kill -9 and rerun, workers that die."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asnkit.batch import PoolRecord, PoolStatus, Processes, Serial, generate_many, read_manifest
from asnkit.batch.commands import Progress, make_scheduler
from asnkit.batch.manifest import MANIFEST_NAME, Manifest
from asnkit.batch.many import STAGING_NAME
from asnkit.cli import main
from tests.helpers import POOLS, pool_file
from tests.test_batch import BROKEN, folder_files, pool_folders, write_broken

VERSION_ID = "20250101t000000"
ROOT = Path(__file__).resolve().parent.parent
QUICK = ("pool_002_image_miri", "pool_021_tso", "pool_005_spec_niriss")


@pytest.fixture
def quick(tmp_path) -> Path:
    folder = tmp_path / "pools"
    folder.mkdir()
    for name in QUICK:
        shutil.copy(pool_file(name), folder)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["generate-many", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def table(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        name, _, value = line.rpartition("  ")
        if name.strip():
            rows[name.strip()] = value.strip()
    return rows


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_command_reports_done_skipped_failed(quick, tmp_path, capsys, workers):
    write_broken(quick)
    out_dir = tmp_path / "out"
    pools = [str(p) for p in sorted(quick.glob("*.csv"))]
    argv = [*pools, "-o", str(out_dir), "--workers", workers, "--version-id", VERSION_ID]

    status, out, err = run(capsys, *argv)

    assert status == 1  # the broken pool failed
    rows = table(out)
    expected = sum(len(list((out_dir / n).glob("*.json"))) for n in QUICK)
    assert rows["pools"] == "4" and rows["done"] == "3" and rows["failed"] == "1"
    assert rows["skipped"] == "0" and rows["associations written"] == str(expected)
    assert rows["time"].endswith("pools/s)")
    assert f"asnkit generate-many: failed: {BROKEN}: " in err and f"{BROKEN}.csv, line" in err
    for name in QUICK:  # what `asnkit generate` writes
        single = tmp_path / f"single-{name}"
        assert (
            main(
                [
                    "generate",
                    str(quick / f"{name}.csv"),
                    "-o",
                    str(single),
                    "--version-id",
                    VERSION_ID,
                ]
            )
            == 0
        )
        assert folder_files(out_dir / name) == folder_files(single)
    capsys.readouterr()

    (quick / f"{BROKEN}.csv").unlink()
    status, out, _ = run(capsys, *pools[1:], "-o", str(out_dir), "--version-id", VERSION_ID)
    assert status == 0
    assert table(out)["skipped"] == "3" and table(out)["associations written"] == "0"


def test_rules_and_folders_of_pools(quick, tmp_path, capsys):
    status, _, _ = run(
        capsys, str(quick), "-o", str(tmp_path / "out"), "--rules", "level2", "--workers", "1"
    )
    assert status == 0
    names = [p.name for p in (tmp_path / "out").rglob("*.json")]
    assert names and all("2_" in n.split("_")[-3] + "_" for n in names)  # image2, spec2, tso-image2


def test_the_dask_scheduler_from_the_command_line(quick, tmp_path, capsys):
    pytest.importorskip("distributed")
    status, out, _ = run(
        capsys,
        str(quick),
        "-o",
        str(tmp_path / "dask"),
        "--scheduler",
        "dask",
        "--workers",
        "2",
        "--version-id",
        VERSION_ID,
    )
    assert status == 0 and table(out)["done"] == "3"
    run(
        capsys,
        str(quick),
        "-o",
        str(tmp_path / "serial"),
        "--workers",
        "1",
        "--version-id",
        VERSION_ID,
    )
    assert pool_folders(tmp_path / "dask") == pool_folders(tmp_path / "serial")


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["--scheduler", "nonsense"], 2, "give 'dask' or a scheduler address"),
        (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], 2, "--workers goes with"),
        (["-o", "{file}"], 2, "File exists"),
    ],
)
def test_bad_arguments_are_one_line_errors(quick, tmp_path, capsys, argv, status, message):
    afile = tmp_path / "afile"
    afile.write_text("x")
    argv = [a.replace("{file}", str(afile)) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "out")]
    code, _, err = run(capsys, str(quick), *argv)
    assert code == status
    assert err.startswith("asnkit generate-many: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_a_glob_that_matches_nothing(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path / "none*.csv"), "-o", str(tmp_path / "out"))
    assert code == 2 and "no pool file matches" in err


def test_a_folder_another_run_holds(quick, tmp_path, capsys):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with Manifest.open(out_dir):
        code, _, err = run(capsys, str(quick), "-o", str(out_dir))
    assert code == 2 and "another generate-many run is writing there" in err


def test_an_interrupted_run_says_how_to_finish(quick, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("asnkit.batch.many.generate_many", interrupted)
    code, _, err = run(capsys, str(quick), "-o", str(tmp_path / "out"))
    assert code == 130 and "run the same command again" in err


def test_workers_must_be_positive(quick, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["generate-many", str(quick), "-o", str(tmp_path), "--workers", "0"])
    assert exited.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_make_scheduler():
    assert make_scheduler(1, None) == Serial()
    assert make_scheduler(3, None) == Processes(3)
    assert make_scheduler(None, "tcp://127.0.0.1:8786").address == "tcp://127.0.0.1:8786"
    assert make_scheduler(None, "127.0.0.1:8786").address == "127.0.0.1:8786"


def test_the_progress_bar_ticks_once_per_pool_and_counts_failures():
    stream = io.StringIO()
    bar = Progress(3, file=stream, disable=False)
    for status in (PoolStatus.DONE, PoolStatus.FAILED, PoolStatus.SKIPPED):
        bar(PoolRecord("p", "p.csv", status))
    bar.close()
    text = stream.getvalue()
    assert "3/3" in text and "failed=1" in text and "failed=2" not in text
    assert bar.failed == 1


# ---------------------------------------------------------------- workers that die


def die_on_three(shared, task):
    """Kill the worker process on task 3 (for the test below)."""
    if task == 3:
        os._exit(1)
    return shared + task


def test_a_worker_that_dies_fails_only_its_own_task():
    results = dict(Processes(workers=2).map(die_on_three, 10, list(range(8))))
    assert sorted(results) == list(range(8))
    assert "terminated abruptly" in str(results.pop(3))
    assert results == {task: 10 + task for task in results}


class Dying:
    """A scheduler whose worker dies on one pool."""

    def map(self, function, shared, tasks):
        for task in tasks:
            if task.name == "pool_021_tso":
                yield task, RuntimeError("worker lost")
            else:
                yield task, function(shared, task)


def test_a_pool_whose_worker_died_is_recorded_as_failed(quick, tmp_path):
    result = generate_many(quick, tmp_path, scheduler=Dying())
    assert result.counts == {"done": 2, "skipped": 0, "failed": 1}
    assert result.failed[0].error == "its worker failed: RuntimeError: worker lost"
    assert not (tmp_path / "pool_021_tso").exists()


# ---------------------------------------------------------------- kill -9, then rerun

#: Quick pools (0.1-0.3 s each), enough for a run to be killed half-way.
KILL_POOLS = tuple(
    name
    for name in sorted(p.stem for p in POOLS.glob("pool_0*.csv"))
    if name not in ("pool_004_wfs", "pool_018_all_exptypes")
)[:14]


def latest(out: Path) -> dict[str, tuple]:
    frame = read_manifest(out)
    return {
        row.pool: (row.status, row.sha256, row.associations, tuple(row.warnings))
        for row in frame.itertuples()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """The pools and the folder an uninterrupted run makes of them."""
    pools = tmp_path_factory.mktemp("kill-pools")
    for name in KILL_POOLS:
        shutil.copy(pool_file(name), pools)
    write_broken(pools)
    whole = tmp_path_factory.mktemp("whole")
    generate_many(pools, whole, version_id=VERSION_ID, scheduler=Serial())
    return pools, whole


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_killed_run_run_again_gives_the_uninterrupted_folder(corpus, tmp_path, workers):
    pools, whole = corpus
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "asnkit", "generate-many", str(pools), "-o", str(out),
        "--workers", workers, "--version-id", VERSION_ID, "--no-progress",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True,
    )  # fmt: skip
    manifest = out / MANIFEST_NAME
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if manifest.exists() and manifest.read_text().count('"status": "done"') >= 3:
                break
            time.sleep(0.005)
        assert process.poll() is None, "the run ended before it could be killed"
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, as a job kill does
        process.wait()
    assert process.returncode == -signal.SIGKILL
    killed = latest(out)
    done = [name for name, row in killed.items() if row[0] == "done"]
    assert 3 <= len(done) < len(KILL_POOLS)  # killed half-way
    for name in done:  # what the manifest calls done is complete
        assert folder_files(out / name) == folder_files(whole / name)

    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 1, again.stderr  # the broken pool
    assert "Traceback" not in again.stderr
    assert int(table(again.stdout)["skipped"]) >= 3

    assert pool_folders(out) == pool_folders(whole)
    assert latest(out) == latest(whole)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in whole.iterdir())
    assert not (out / STAGING_NAME).exists()


def children(pid: int) -> list[int]:
    """The living child processes of ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_workers_of_a_killed_run_end_too(corpus, tmp_path):
    pools, _ = corpus
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "asnkit", "generate-many", str(pools), "-o", str(out),
        "--workers", "2", "--no-progress",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            manifest = out / MANIFEST_NAME
            if manifest.exists() and '"status": "done"' in manifest.read_text():
                break
            time.sleep(0.01)
        workers = children(process.pid)
        assert process.poll() is None and len(workers) >= 2
        process.kill()  # the run only, as the out-of-memory killer would
        process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


#: A worker process still starting up (importing) when the run that started it dies.
_LATE_WORKER = """
import sys, time
parent = int(sys.argv[1])
while True:  # start up only once the parent is gone
    try:
        with open(f"/proc/{parent}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
    except OSError:
        break
    time.sleep(0.05)
from asnkit.batch.schedulers import _remember
_remember(print, None, parent)  # the pid the run gave its workers
time.sleep(120)
"""

#: The run: starts the worker, says its pid, and is killed at once.
_KILLED_RUN = """
import os, signal, subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid())])
print(worker.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_worker_that_starts_after_its_run_was_killed_ends_too():
    """Regression: a worker read its parent's pid itself once started; when the run was killed
    while the worker was still importing, it read its new parent (init), never saw the run
    end, and waited for tasks forever (tests/test_batch_cli.py's killed-run test, under load).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", _KILLED_RUN, _LATE_WORKER],
        capture_output=True, text=True, env=env, timeout=60, start_new_session=True,
    )  # fmt: skip
    assert run.returncode == -signal.SIGKILL
    worker = int(run.stdout)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and alive(worker):
            time.sleep(0.1)
        assert not alive(worker), "the worker outlived its run"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)


def test_the_table_names_the_pools_with_warnings(tmp_path, capsys):
    folder = tmp_path / "pools"
    folder.mkdir()
    for i in range(7):  # pool_001 has junk rows: a warning each
        shutil.copy(pool_file("pool_001_candidates"), folder / f"warned{i}_pool.csv")
    shutil.copy(pool_file("pool_002_image_miri"), folder)
    argv = [str(folder), "-o", str(tmp_path / "out"), "--no-progress", "--workers", "1"]
    status, out, _ = run(capsys, *argv)
    assert status == 0 and table(out)["pools with warnings"] == "7"
    lines = out.splitlines()
    line = lines[next(k for k, x in enumerate(lines) if x.startswith("pools with")) + 1]
    named = [f"warned{i}_pool" for i in range(5)]
    assert line.strip() == f"{', '.join(named)} and 2 more (their warnings: in the manifest)"
    assert "pool_002_image_miri" not in line
