#!/usr/bin/env python3
"""A fuzz campaign against asnkit: mutated pools and documents, broken command lines,
kill -9 and concurrent runs (issue 16). Not part of the test suite: it takes minutes.

usage: python scripts/fuzz_campaign.py [--pools N] [--documents N] [--kills N]
                                       [--concurrent N] [--seed S] [--work DIR]

Counts are printed per part; the campaign fails (exit 1) on any escape:

* pools / documents (in-process, mutants of every test pool and of jwst's
  association files, ``tests/fuzzing.py``): anything but PoolError /
  AssociationError escaping the readers, generation or the writers, or a file
  written outside the output folder;
* command lines (real ``asnkit`` processes): every subcommand with broken
  arguments and with mutants as input: a traceback, a failure that is not one
  line ``asnkit CMD: error: ...``, or a file written outside the output folder;
* kill -9: ``asnkit generate mega_pool`` killed at a random moment; the folder
  must then hold nothing, the complete set, or a partial set with the killed
  run's staging folder, and the next run must leave exactly the complete set
  and no temporary file;
* concurrent runs: two ``asnkit generate`` into one folder (with and without
  ``--overwrite``, of two pools giving the same file names with different
  contents): the folder must hold one complete set of one run, never a mix.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzzing import (  # noqa: E402
    HOSTILE_VALUES,
    check_document,
    check_pool,
    mutate_document,
    mutate_pool,
)
from tests.helpers import EXPECTED, EXPOSURES, POOLS  # noqa: E402

VERSION = "20250101t000000"


def _asnkit() -> list[str]:
    exe = shutil.which("asnkit", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "asnkit"]


# --------------------------------------------------------------------------- in-process


def run_mutants(kind: str, count: int, seed: int, work: Path) -> tuple[Counter, list[str]]:
    sources = sorted(POOLS.glob("*.csv")) if kind == "pool" else sorted(EXPECTED.glob("*/*.json"))
    counts: Counter = Counter()
    problems: list[str] = []
    for number in range(count):
        rng = random.Random(f"{seed}-{kind}-{number}")
        source = rng.choice(sources)
        folder = work / f"{kind}{number}"
        (folder / "in").mkdir(parents=True)
        if kind == "pool":
            path = folder / "in" / "pool.csv"
            path.write_bytes(mutate_pool(source.read_text(), rng))
            outcome = check_pool(path, folder / "in" / "out", work)
        else:
            path = folder / "in" / "x_asn.json"
            text = mutate_document(source.read_text(), rng)
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            outcome = check_document(path, folder / "in" / "out", work)
        counts["mutants"] += 1
        counts["refused" if outcome.refused else f"through ({outcome.stage})"] += 1
        if outcome.escaped:
            counts["ESCAPED"] += 1
            problems.append(f"{kind} {number} from {source.name}:\n{outcome.escaped}")
        if outcome.outside:
            counts["WRITTEN OUTSIDE"] += 1
            problems.append(f"{kind} {number} from {source.name}: outside {outcome.outside}")
        shutil.rmtree(folder, ignore_errors=True)
    return counts, problems


# --------------------------------------------------------------------------- command lines


def _command_lines(work: Path, rng: random.Random) -> list[list[str]]:
    pool = str(POOLS / "pool_002_image_miri.csv")
    asn = str(next(EXPECTED.glob("pool_002_image_miri/*image3*.json")))
    fits = [str(p) for p in sorted(EXPOSURES.glob("*.fits"))[:2]]
    afile = work / "afile"
    afile.write_text("precious")
    folder = work / "adir"
    folder.mkdir()
    long = "x" * 300
    out = str(work / "out")
    lines = [
        [], ["--bogus"], ["nosuchcommand"], ["-vv"],
        ["summary"], ["summary", str(folder)], ["summary", "nothere.csv"], ["summary", str(afile)],
        ["summary", pool, "--by", "nosuchcolumn"], ["summary", pool, "--by", ""],
        ["summary", "/proc/self/mem"], ["summary", "/dev/null"],
        ["pool"], ["pool", *fits], ["pool", str(afile), "-o", out + ".csv"],
        ["pool", *fits, "-o", str(afile)], ["pool", *fits, "-o", f"{afile}/sub.csv"],
        ["pool", *fits, "-o", str(folder)], ["pool", *fits, "-o", f"{work}/{long}.csv"],
        ["pool", *fits, "-o", "/sys/kernel/x.csv"], ["pool", *fits, "-o", out + "p.csv",
                                                       "--candidates", "[('../x', 'observation')]"],
        ["pool", *fits, "-o", out + "q.csv", "--candidates", "not a list"],
        ["pool", "nothere.fits", "-o", out + "r.csv"],
        ["generate"], ["generate", "nothere.csv"], ["generate", str(folder)],
        ["generate", pool, "-o", str(afile)], ["generate", pool, "-o", f"{afile}/sub"],
        ["generate", pool, "-o", f"{work}/{long}"], ["generate", pool, "-o", "/sys/kernel/x"],
        ["generate", pool, "-o", out, "--version-id", "../../x"],
        ["generate", pool, "-o", out, "--version-id", ""],
        ["generate", pool, "-o", out, "--rules", "bogus"],
        ["generate", pool, "-o", out, "-i", "../x"], ["generate", pool, "-o", out, "-i"],
        ["generate", pool, "-o", out, "--discover", "--all-candidates"],
        ["generate", pool, "-o", out + "2", "--save-orphans", str(folder)],
        ["generate", pool, "-o", out + "3", "--save-orphans", f"{afile}/x.csv"],
        ["generate", pool, "-o", out + "4", "--save-orphans", "/sys/kernel/x.csv"],
        ["generate", pool, "-o", out + "5"], ["generate", pool, "-o", out + "5"],
        ["explain"], ["explain", pool], ["explain", pool, "nothere.fits"],
        ["explain", str(folder), "--orphans"], ["explain", pool, "--rules", "x", "--orphans"],
        ["validate"], ["validate", "nothere.json"], ["validate", str(folder)],
        ["validate", "/proc/self/mem"], ["validate", str(afile)],
        ["validate", "--as-set", asn, asn],
        ["validate", asn, "--paths", "bogus"],
        ["from-list"], ["from-list", "a_cal.fits"],
        ["from-list", "a_cal.fits", "-o", out + ".json"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", str(afile)],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", f"{afile}/x.json"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", f"{work}/{long}.json"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", "/sys/kernel/x.json"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", out + "6/", "-i", "../x"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", out + "7/", "--program", "../1"],
        ["from-list", "/etc/passwd", "--product-name", "p", "-o", out + "8/"],
        ["from-list", "../../x_cal.fits", "--product-name", "p", "-o", out + "9/"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", out + "10/", "--role", "x"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", out + "11/", "--role", "a=zz"],
        ["from-list", "a_cal.fits", "--product-name", "p", "-o", out + "12/", "-t", "../x"],
        ["from-list", "a\n_cal.fits", "--product-name", "p", "-o", out + "13/"],
        ["edit"], ["edit", asn], ["edit", str(folder), "--remove", "x"],
        ["edit", "nothere.json", "--remove", "x"], ["edit", "/proc/self/mem", "--remove", "x"],
        ["edit", asn, "--remove", "nothere"],
        ["edit", asn, "--add", "/etc/passwd", "-o", out + "e1"],
        ["edit", asn, "--add", "../../x", "-o", out + "e2.json"],
        ["edit", asn, "--remove", "jw_00001", "-o", str(afile)],
        ["edit", asn, "--remove", "jw_00001", "-o", f"{afile}/x.json"],
        ["edit", asn, "--remove", "jw_00001", "-o", "/sys/kernel/x.json"],
        ["edit", asn, "--remove", "jw_00001", "-o", f"{work}/{long}.json"],
        ["edit", asn, "--set-role", "x"], ["edit", asn, "--product", "99", "--rename", "n"],
        ["edit", asn, "--rename", "../../x", "-o", out + "e3.json"],
        ["diff"], ["diff", asn], ["diff", asn, "nothere.json"], ["diff", "/proc/self/mem", asn],
        ["diff", str(folder), asn], ["diff", str(afile), asn], ["diff", asn, str(work)],
        ["generate-many"], ["generate-many", pool],
        ["generate-many", "nothere.csv", "-o", out + "m1"],
        ["generate-many", pool, "-o", str(afile)], ["generate-many", pool, "-o", f"{afile}/sub"],
        ["generate-many", pool, "-o", "/sys/kernel/x"], ["generate-many", pool, "-o", out + "m2",
                                                         "--version-id", "../x", "--workers", "1"],
        ["generate-many", pool, "-o", out + "m3", "--workers", "0"],
        ["generate-many", pool, "-o", out + "m4", "--scheduler", "tcp://nowhere.invalid:1"],
        ["generate-many", str(folder), "-o", out + "m5", "--workers", "1"],
        ["check"], ["check", "nothere.json"], ["check", str(afile)], ["check", "/proc/self/mem"],
        ["check", asn, "--pool", str(afile)], ["check", asn, "--pool", "nothere.csv"],
        ["check", asn, "--files"], ["check", str(folder), "--format", "json"],
        ["check", asn, "--format", "bogus"],
    ]  # fmt: skip
    for value in rng.sample(HOSTILE_VALUES, 12):  # hostile values as arguments
        if "\x00" in value or "\udcff" in value or len(value) > 100_000:
            continue  # not passable as arguments
        lines.append(["generate", pool, "-o", out + "h", "-i", value])
        lines.append(["from-list", value or "x", "--product-name", value or "p", "-o", out + "h/"])
    return lines


def _check_cli(argv: list[str], cwd: Path, watch: Path) -> str | None:
    before = {str(p) for p in watch.rglob("*")}
    try:
        done = subprocess.run(
            [*_asnkit(), *argv], cwd=cwd, capture_output=True, text=True, timeout=300,
            errors="replace",
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return "timed out"
    strays = [p for p in {str(p) for p in watch.rglob("*")} - before
              if not Path(p).is_relative_to(cwd)]  # fmt: skip
    if strays:
        return f"wrote outside the work folder: {strays}"
    if "Traceback" in done.stderr or "Traceback" in done.stdout:
        return f"traceback:\n{done.stderr[-2000:]}"
    if done.returncode != 0:
        command = argv[0] if argv and not argv[0].startswith("-") else None
        if command is None and done.returncode == 2 and done.stdout.startswith("usage:"):
            return None  # no command: the help
        errors = [line for line in done.stderr.splitlines() if ": error:" in line]
        if done.returncode == 2 and done.stderr.startswith("usage:"):
            return None  # argparse: usage, then one error line
        if command in ("validate", "diff", "check") and done.returncode == 1 and not errors:
            return None  # faults and differences are reported on stdout, one line each
        if command in ("validate", "check") and done.returncode == 2 and not errors:
            return None  # a file not read (trouble): said on stdout beside the others' faults
        failed = [line for line in done.stderr.splitlines() if ": failed: " in line]
        if command == "generate-many" and done.returncode == 1 and failed and not errors:
            if all(line.startswith("asnkit generate-many: failed: ") for line in failed):
                return None  # each failed pool on one line, the others done (by design)
        if len(errors) != 1 or not errors[0].startswith(f"asnkit {command}: error: "):
            return f"status {done.returncode}, not one error line:\n{done.stderr[-2000:]}"
        if "internal error" in errors[0]:
            return f"internal error: {errors[0]}"
    return None


def run_command_lines(work: Path, seed: int, mutants: int) -> tuple[Counter, list[str]]:
    rng = random.Random(f"{seed}-cli")
    cwd = work / "cli"
    cwd.mkdir()
    lines = _command_lines(cwd, rng)
    sources = sorted(POOLS.glob("*.csv"))
    documents = sorted(EXPECTED.glob("*/*.json"))
    for number in range(mutants):  # mutants through the real command line
        pool = cwd / f"m{number}.csv"
        pool.write_bytes(mutate_pool(rng.choice(sources).read_text(), rng))
        doc = cwd / f"m{number}_asn.json"
        text = mutate_document(rng.choice(documents).read_text(), rng)
        doc.write_bytes(text.encode("utf-8", "surrogateescape"))
        lines += [
            ["summary", str(pool)], ["generate", str(pool), "-o", str(cwd / f"o{number}")],
            ["validate", str(doc)], ["edit", str(doc), "--remove", "jw_00001", "-o",
                                     str(cwd / f"e{number}/")], ["diff", str(doc), str(doc)],
            ["check", str(doc), "--pool", str(pool)], ["explain", str(pool), "--orphans"],
            ["generate-many", str(pool), "-o", str(cwd / f"g{number}"), "--workers", "1",
             "--no-progress"],
        ]  # fmt: skip
    counts: Counter = Counter()
    problems: list[str] = []
    for argv in lines:
        counts["command lines"] += 1
        command = argv[0] if argv else "(none)"
        counts[f"  {command}"] += 1
        problem = _check_cli(argv, cwd, work)
        if problem:
            counts["ESCAPED"] += 1
            problems.append(f"asnkit {' '.join(map(repr, argv))[:300]}: {problem}")
    return counts, problems


# --------------------------------------------------------------------------- kill -9, concurrency


def _reference(pool: Path, work: Path) -> dict[str, bytes]:
    out = work / f"reference-{pool.stem}"
    if not out.exists():
        subprocess.run([*_asnkit(), "generate", str(pool), "-o", str(out), "--version-id",
                        VERSION], check=True, capture_output=True)  # fmt: skip
    return {p.name: p.read_bytes() for p in out.iterdir()}


def _state(folder: Path) -> tuple[dict[str, bytes], list[str]]:
    if not folder.exists():
        return {}, []
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    hidden = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    return files, hidden


def run_kills(work: Path, count: int, seed: int) -> tuple[Counter, list[str]]:
    rng = random.Random(f"{seed}-kill")
    pool = POOLS / "mega_pool.csv"
    reference = _reference(pool, work)
    started = time.monotonic()
    subprocess.run([*_asnkit(), "generate", str(pool), "-o", str(work / "timing"),
                    "--version-id", VERSION], check=True, capture_output=True)  # fmt: skip
    duration = time.monotonic() - started
    counts: Counter = Counter()
    problems: list[str] = []
    for number in range(count):
        out = work / f"kill{number}"
        overwrite = rng.random() < 0.5
        if overwrite:  # an earlier set, different bytes, that the killed run replaces
            shutil.copytree(work / "timing", out)
            for path in out.iterdir():
                path.write_bytes(path.read_bytes() + b" ")
        before, _ = _state(out)
        argv = [*_asnkit(), "generate", str(pool), "-o", str(out), "--version-id", VERSION]
        if overwrite:
            argv.append("--overwrite")
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < 0.5:  # at any moment of the run
            time.sleep(rng.uniform(0.2, duration * 1.1))
        else:  # while it writes: once its staging folder appears, within 0.3 s
            deadline = time.monotonic() + duration * 3
            while time.monotonic() < deadline and process.poll() is None:
                if out.exists() and any(p.name.startswith(".asnkit-") for p in out.iterdir()):
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
        counts["killed runs"] += 1
        files, hidden = _state(out)
        if process.returncode == 0:
            state = "finished before the kill"
        elif files == before and not hidden:
            state = "killed before writing"
        elif files == reference and not hidden:
            state = "killed after writing"
        elif hidden:
            state = "killed while writing (staging folder left)"
        else:
            state = "MIXED SET, NO STAGING FOLDER"
            problems.append(f"kill {number}: {len(files)} files, mixed, nothing to recover")
        counts[f"  {state}"] += 1
        again = subprocess.run([*argv[:-1], "--overwrite"] if overwrite else [*argv, "--overwrite"],
                               capture_output=True, text=True)  # fmt: skip
        files, hidden = _state(out)
        if again.returncode != 0 or files != reference or hidden:
            counts["ESCAPED"] += 1
            problems.append(
                f"kill {number}: the next run left {len(files)} files (reference "
                f"{len(reference)}), hidden {hidden[:3]}, status {again.returncode}: "
                f"{again.stderr[-300:]}"
            )
        shutil.rmtree(out, ignore_errors=True)
    return counts, problems


def run_concurrent(work: Path, count: int, seed: int) -> tuple[Counter, list[str]]:
    rng = random.Random(f"{seed}-concurrent")
    first = POOLS / "pool_018_all_exptypes.csv"
    second = work / "pool_018_all_exptypes.csv"  # same names, other bytes (asn_pool too)
    second.write_text(first.read_text().replace("|null|", "|NULL|"))
    other = work / "other"
    other.mkdir()
    second = second.rename(other / first.name)
    references = [_reference(first, work / "r1"), _reference(second, work / "r2")]
    counts: Counter = Counter()
    problems: list[str] = []
    for number in range(count):
        out = work / f"together{number}"
        overwrite = number % 2 == 1
        argv = ["generate", "-o", str(out), "--version-id", VERSION]
        if overwrite:
            argv.append("--overwrite")
        processes = []
        for pool in (first, second) if rng.random() < 0.5 else (second, first):
            processes.append(subprocess.Popen([*_asnkit(), argv[0], str(pool), *argv[1:]],
                                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                              text=True))  # fmt: skip
            time.sleep(rng.uniform(0, 0.3))
        statuses = []
        for process in processes:
            _, err = process.communicate()
            statuses.append((process.returncode, err))
        files, hidden = _state(out)
        counts["pairs of runs"] += 1
        mode = "--overwrite" if overwrite else "no --overwrite"
        ok = [s for s, _ in statuses].count(0)
        counts[f"  {mode}: {ok} of 2 exit 0"] += 1
        if files not in references or hidden:
            counts["ESCAPED"] += 1
            problems.append(f"pair {number} ({mode}): {len(files)} files, not one complete set")
        for status, err in statuses:
            errors = [line for line in err.splitlines() if ": error:" in line]
            if status != 0 and (
                "Traceback" in err
                or len(errors) != 1
                or not errors[0].startswith("asnkit generate: error:")
            ):
                counts["ESCAPED"] += 1
                problems.append(f"pair {number}: {err[-500:]}")
        shutil.rmtree(out, ignore_errors=True)
    return counts, problems


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pools", type=int, default=2400)
    parser.add_argument("--documents", type=int, default=1500)
    parser.add_argument("--cli-mutants", type=int, default=20, help="mutants run through the CLI")
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="asnkit-fuzz-", dir=args.work))
    parts = [
        ("pools", lambda: run_mutants("pool", args.pools, args.seed, work / "pools")),
        ("documents", lambda: run_mutants("document", args.documents, args.seed, work / "docs")),
        ("command lines", lambda: run_command_lines(work, args.seed, args.cli_mutants)),
        ("kill -9", lambda: run_kills(work, args.kills, args.seed)),
        ("concurrent runs", lambda: run_concurrent(work, args.concurrent, args.seed)),
    ]
    (work / "pools").mkdir()
    (work / "docs").mkdir()
    escapes = 0
    for name, part in parts:
        started = time.monotonic()
        counts, problems = part()
        print(f"== {name} ({time.monotonic() - started:.0f} s)", flush=True)
        for key, value in sorted(counts.items(), key=lambda kv: (kv[0].startswith(" "), kv[0])):
            print(f"   {key}: {value}")
        for problem in problems[:30]:
            print(f"   ! {problem}")
        escapes += counts.get("ESCAPED", 0) + counts.get("WRITTEN OUTSIDE", 0)
    print(f"escapes: {escapes}  (work folder {work})")
    if not escapes:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if escapes else 0


if __name__ == "__main__":
    sys.exit(main())
