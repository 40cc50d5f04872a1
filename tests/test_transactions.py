"""A set of files is one transaction (issue 16 item 7, issue 14 item 2).

Staged inside the target folder, one file-system sync for the set, moved in;
all or nothing, also when the writer is killed (the next writer takes back
what it had moved) or when two writers share a folder (a lock).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

import asnkit
import asnkit.atomic as atomic
from asnkit.atomic import STAGING_PREFIX, recover, write_files
from asnkit.cli import main
from tests.helpers import pool_file

ROOT = Path(__file__).resolve().parents[1]
POOL = pool_file("pool_002_image_miri")


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}


def _staging(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_nothing_is_written_when_any_file_exists(tmp_path):
    (tmp_path / "f3.txt").write_text("old")
    files = {f"f{i}.txt": "new" for i in range(6)}
    with pytest.raises(FileExistsError, match=r"f3\.txt: file exists"):
        write_files(tmp_path, files)
    assert _contents(tmp_path) == {"f3.txt": "old"}
    (tmp_path / "f5.txt").write_text("old")
    with pytest.raises(FileExistsError, match=r"f3\.txt: file exists \(and 1 more"):
        write_files(tmp_path, files)
    write_files(tmp_path, files, overwrite=True)
    assert _contents(tmp_path) == files


def test_one_sync_for_the_whole_set(tmp_path, monkeypatch):
    calls = {"syncfs": 0, "fsync": 0}
    real_syncfs, real_fsync = atomic._syncfs, os.fsync

    def counting_syncfs(handle):
        calls["syncfs"] += 1
        return real_syncfs(handle)

    def counting_fsync(fd):
        calls["fsync"] += 1
        return real_fsync(fd)

    monkeypatch.setattr(atomic, "_syncfs", counting_syncfs)
    monkeypatch.setattr(atomic.os, "fsync", counting_fsync)
    asns = asnkit.generate(asnkit.read_pool(POOL))
    asns.write(tmp_path / "out")
    if sys.platform.startswith("linux"):
        assert calls == {"syncfs": 1, "fsync": 1}  # the data once, the folder entries once
    else:  # pragma: no cover - one fsync per file, one for the folder
        assert calls["fsync"] == len(asns) + 1
    assert len(list((tmp_path / "out").iterdir())) == len(asns)


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_failure_while_moving_takes_everything_back(overwrite, tmp_path, monkeypatch):
    old = {"f1.txt": "old1", "keep.txt": "mine"}
    for name, text in old.items():
        (tmp_path / name).write_text(text)
    if not overwrite:
        (tmp_path / "f1.txt").unlink()
        del old["f1.txt"]
    mover = "replace" if overwrite else "link"
    real = getattr(atomic.os, mover)
    moved = []

    def failing(src, dst, **kwargs):
        if len(moved) == 3:  # the fourth file fails (taking back works again)
            moved.append(None)
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        moved.append(dst)
        return real(src, dst, **kwargs)

    monkeypatch.setattr(atomic.os, mover, failing)
    files = {f"f{i}.txt": f"new{i}" for i in range(6)}
    with pytest.raises(OSError, match="No space left"):
        write_files(tmp_path, files, overwrite=overwrite)
    assert moved[3] is None
    assert _contents(tmp_path) == old  # as before: replaced files restored, new ones gone
    assert _staging(tmp_path) == []


_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    import asnkit.atomic as atomic
    after = int(sys.argv[1])
    mover = "replace" if "--overwrite" in sys.argv else "link"
    real = getattr(atomic.os, mover)
    done = []
    def dying(*args, **kwargs):
        if len(done) == after:
            os.kill(os.getpid(), signal.SIGKILL)  # kill -9 in the middle of moving
        done.append(1)
        return real(*args, **kwargs)
    setattr(atomic.os, mover, dying)
    from asnkit.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


@pytest.mark.parametrize("overwrite", [False, True])
def test_kill_9_while_moving_is_taken_back_by_the_next_run(overwrite, tmp_path):
    out = tmp_path / "out"
    argv = ["generate", str(POOL), "-o", str(out), "--version-id", "20250101t000000"]
    if overwrite:
        assert main(argv) == 0  # an earlier complete set, replaced by the killed run
        before = _contents(out)
        for name in before:
            (out / name).write_text(before[name] + "\n")  # tell the old files from the new
        before = _contents(out)
        argv = [*argv, "--overwrite"]
    else:
        before = {}
    script = tmp_path / "killer.py"
    script.write_text(_KILLER)
    done = subprocess.run(
        [sys.executable, str(script), "3", *argv], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == -9, done.stderr
    assert len(_staging(out)) == 1  # the killed run's staging folder, with its journal
    assert _contents(out) != before  # 3 files of the new set were moved in
    assert recover(out) == 1  # what the next writer into the folder does first
    assert _contents(out) == before
    assert os.listdir(out) == sorted(before) or sorted(os.listdir(out)) == sorted(before)
    assert main([*argv[:6], "--overwrite"]) == 0  # and the folder is usable again
    assert _staging(out) == []


def test_a_killed_run_before_moving_leaves_nothing_the_next_run_keeps(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{STAGING_PREFIX}12345-abcd"
    (stale / "new").mkdir(parents=True)
    (stale / "new" / "x_asn.json").write_text("{}")  # killed while staging: no journal yet
    assert main(["generate", str(POOL), "-o", str(out)]) == 0
    assert _staging(out) == []
    assert "x_asn.json" not in os.listdir(out)


def test_two_writers_into_one_folder_never_mix(tmp_path):
    """Two writers of the same names: one complete set wins, the other is refused."""
    folder = tmp_path / "out"
    folder.mkdir()
    names = [f"f{i:03d}.txt" for i in range(200)]
    results: dict[str, object] = {}

    def writer(tag: str) -> None:
        try:
            write_files(folder, dict.fromkeys(names, tag))
            results[tag] = "ok"
        except FileExistsError as exc:
            results[tag] = exc

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [tag for tag, result in results.items() if result == "ok"]
    assert len(winners) == 1
    assert set(_contents(folder).values()) == set(winners)  # one complete set, not mixed
    assert len(_contents(folder)) == len(names)


def test_two_overwriting_writers_leave_one_complete_set(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    names = [f"f{i:03d}.txt" for i in range(200)]
    threads = [
        threading.Thread(
            target=write_files, args=(folder, dict.fromkeys(names, tag)), kwargs={"overwrite": True}
        )
        for tag in ("a", "b", "c")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = set(_contents(folder).values())
    assert len(values) == 1 and len(_contents(folder)) == len(names)


def test_a_writer_that_holds_the_folder_too_long_is_a_clear_refusal(tmp_path):
    holder = textwrap.dedent(
        f"""
        import fcntl, os, sys, time
        fd = os.open({str(tmp_path)!r}, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("locked", flush=True)
        time.sleep(30)
        """
    )
    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("no folder lock on Windows")
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(BlockingIOError, match="another process has been writing"):
            write_files(tmp_path, {"a.txt": "x"}, wait=0.3)
        assert time.monotonic() - started < 5
        assert os.listdir(tmp_path) == []
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def test_a_rerun_without_overwrite_refuses_before_generating(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    argv = ["generate", str(POOL), "-o", str(out), "--version-id", "20250101t000000"]
    assert main(argv) == 0
    capsys.readouterr()
    import asnkit.generation.run as generate

    def never(*args, **kwargs):
        raise AssertionError("generated before refusing")

    monkeypatch.setattr(generate, "run", never)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "file exists" in err and "from an earlier run on this pool" in err
    # another version id, or only Level 2 after a Level 3 run, is no conflict
    monkeypatch.undo()
    assert main([*argv[:4], "--version-id", "20250102t000000"]) == 0
    level3 = tmp_path / "l3"
    assert main(["generate", str(POOL), "-o", str(level3), "--rules", "level3"]) == 0
    assert main(["generate", str(POOL), "-o", str(level3), "--rules", "level2"]) == 0


def test_files_of_others_in_the_folder_are_never_touched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / ".hidden").write_text("mine too")
    assert main(["generate", str(POOL), "-o", str(out)]) == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / ".hidden").read_text() == "mine too"
    assert main(["generate", str(POOL), "-o", str(out), "--overwrite"]) == 0
    assert (out / "notes.txt").read_text() == "mine"


# --------------------------------------------------------------------------- parallel staging


@pytest.fixture
def two_writers(monkeypatch):
    """Stage large sets in two parts, one per writer thread, whatever the processors."""
    monkeypatch.setattr(atomic.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(atomic, "WRITERS", 2)
    return atomic.PARALLEL_MIN_FILES * 2


def test_parts_split_large_sets_among_the_writers(monkeypatch):
    monkeypatch.setattr(atomic.os, "cpu_count", lambda: 2)
    smallest = 2 * atomic.PARALLEL_MIN_FILES
    assert atomic._parts(0) == [(0, 0)]
    assert atomic._parts(smallest - 1) == [(0, smallest - 1)]
    assert atomic._parts(smallest + 1) == [(0, smallest // 2), (smallest // 2, smallest + 1)]
    monkeypatch.setattr(atomic.os, "cpu_count", lambda: 1)
    assert atomic._parts(10_000) == [(0, 10_000)]
    monkeypatch.setattr(atomic.os, "cpu_count", lambda: None)
    assert atomic._parts(10_000) == [(0, 10_000)]


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_large_set_is_staged_by_two_writers_and_moved_whole(
    overwrite, two_writers, tmp_path, monkeypatch
):
    files = {f"f{i:04d}.txt": f"text {i}\n" * (i % 7) for i in range(two_writers + 3)}
    if overwrite:
        (tmp_path / "f0001.txt").write_text("old")
        (tmp_path / "f0100.txt").write_text("old")
        os.chmod(tmp_path / "f0100.txt", 0o600)
    threads, folders = set(), set()
    real = atomic.os.open

    def watching(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and STAGING_PREFIX in str(path):  # a staged file made
            threads.add(threading.get_ident())
            folders.add(os.path.basename(os.path.dirname(path)))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", watching)
    written = write_files(tmp_path, files, overwrite=overwrite)
    assert [p.name for p in written] == list(files)
    assert _contents(tmp_path) == files
    assert len(threads) == 2 and folders == {"new0", "new1"}
    assert _staging(tmp_path) == []
    if overwrite:
        assert (tmp_path / "f0100.txt").stat().st_mode & 0o777 == 0o600


def test_a_bad_text_in_a_helpers_part_writes_nothing(two_writers, tmp_path):
    files = {f"f{i:04d}.txt": "ok" for i in range(two_writers)}
    files[f"f{two_writers - 1:04d}.txt"] = "\ud800"  # the helper's part: not UTF-8
    with pytest.raises(UnicodeEncodeError):
        write_files(tmp_path, files)
    assert list(tmp_path.iterdir()) == []


def test_bad_texts_in_both_parts_raise_the_first_parts_error(two_writers, tmp_path):
    files = {f"f{i:04d}.txt": "ok" for i in range(two_writers)}
    half = two_writers // 2  # late in the first part, early in the second: the helper
    files[f"f{half - 2:04d}.txt"] = "first \ud800"  # likely fails first
    files[f"f{half + 1:04d}.txt"] = "second \udfff"
    with pytest.raises(UnicodeEncodeError) as raised:
        write_files(tmp_path, files)
    assert raised.value.object == "first \ud800"  # as writing in order would say
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_moving_a_large_set_takes_everything_back(
    two_writers, tmp_path, monkeypatch
):
    (tmp_path / "keep.txt").write_text("mine")
    real = atomic.os.link
    moved = []

    def failing(src, dst, **kwargs):
        if len(moved) == two_writers - 5:  # in the second part
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        moved.append(dst)
        return real(src, dst, **kwargs)

    monkeypatch.setattr(atomic.os, "link", failing)
    files = {f"f{i:04d}.txt": f"new{i}" for i in range(two_writers)}
    with pytest.raises(OSError, match="No space left"):
        write_files(tmp_path, files)
    assert _contents(tmp_path) == {"keep.txt": "mine"}
    assert _staging(tmp_path) == []


class _MadeWhenRead(Mapping):
    """Texts made when read: counts the reads; a text of ``fail`` raises."""

    def __init__(self, names, stage_of, fail=None):
        self.names = list(names)
        self.reads = Counter()
        self.staged_before = {}  # name -> files of its part already staged when it was made
        self.stage_of = stage_of
        self.fail = fail

    def __getitem__(self, name):
        self.reads[name] += 1
        self.staged_before[name] = self.stage_of(name)
        if name == self.fail:
            raise ValueError(f"cannot make {name}")
        return f"text of {name}\n"

    def __iter__(self):
        return iter(self.names)

    def __len__(self):
        return len(self.names)


def _staged_in_part_of(folder: Path, half: int):
    def count(name: str) -> int:
        part = "new0" if int(name[1:5]) < half else "new1"
        return sum(1 for _ in folder.glob(f"{STAGING_PREFIX}*/{part}/*"))

    return count


def test_texts_are_made_one_at_a_time_as_their_files_are_staged(two_writers, tmp_path):
    names = [f"f{i:04d}.txt" for i in range(two_writers)]
    half = two_writers // 2
    files = _MadeWhenRead(names, _staged_in_part_of(tmp_path, half))
    write_files(tmp_path, files)
    assert files.reads == dict.fromkeys(names, 1)  # each read once
    # each part's texts are made in order, each after the file of the one before was staged
    # (never all texts at once before writing)
    for k, name in enumerate(names):
        assert files.staged_before[name] == (k if k < half else k - half)
    assert _contents(tmp_path) == {n: f"text of {n}\n" for n in names}


@pytest.mark.parametrize("where", ["first", "helper"])
def test_a_text_that_cannot_be_made_writes_nothing(where, two_writers, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    names = [f"f{i:04d}.txt" for i in range(two_writers)]
    fail = names[3] if where == "first" else names[-2]
    files = _MadeWhenRead(names, lambda name: 0, fail=fail)
    with pytest.raises(ValueError, match=f"cannot make {fail}"):
        write_files(tmp_path, files)
    assert _contents(tmp_path) == {"keep.txt": "mine"}
    assert _staging(tmp_path) == []


def test_folders_made_for_a_set_that_fails_are_taken_back(tmp_path):
    # texts are made while writing: one that cannot be made leaves no folder made for the set
    names = ["a.txt", "b.txt"]
    target = tmp_path / "new" / "deeper"
    with pytest.raises(ValueError, match=r"cannot make b\.txt"):
        write_files(target, _MadeWhenRead(names, lambda name: 0, fail="b.txt"))
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "mine.txt").write_text("kept")
    with pytest.raises(ValueError, match=r"cannot make b\.txt"):
        write_files(target, _MadeWhenRead(names, lambda name: 0, fail="b.txt"))
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["mine.txt"]  # only its own
    assert write_files(target, _MadeWhenRead(names, lambda name: 0)) == [target / n for n in names]


def test_an_empty_folder_is_not_searched_file_by_file(tmp_path, monkeypatch):
    looked = []
    real = atomic.os.path.lexists

    def counting(path):
        if str(path).endswith(".txt"):
            looked.append(path)
        return real(path)

    monkeypatch.setattr(atomic.os.path, "lexists", counting)
    files = {f"f{i}.txt": "x" for i in range(5)}
    write_files(tmp_path / "new", files)
    assert looked == [] and _contents(tmp_path / "new") == files
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "f3.txt").write_text("old")
    with pytest.raises(FileExistsError, match=r"f3\.txt: file exists"):
        write_files(tmp_path / "other", files)
    assert len(looked) == len(files)
