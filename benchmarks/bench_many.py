"""Whole-archive throughput: ``generate_many`` serial vs 2 processes vs a dask LocalCluster.

``python benchmarks/run.py many`` (or ``python benchmarks/bench_many.py [--pools N] [--no-dask]``;
through run.py, ``$ASNKIT_BENCH_MANY_POOLS`` sets N).

It writes N synthetic programs (default 1,000; :mod:`corpus`: renamed copies
of the real test pools, mega_pool included) and generates all of them with
each scheduler into a new folder, then prints for each: wall seconds, pools
per second and the ratio to serial (the baseline, measured in the same run),
and the time projected for an archive of 5,000 programs at that rate. It
also times a rerun that skips every pool, the per-pool cost (from the
manifest), one ``python -m asnkit generate`` process per pool on a sample
(the way ``asn_generate`` is run today), and jwst 3.0.0's recorded seconds
for the source pools (``tests/data/expected/summary.tsv``, not measured here).
The load average is printed before and after: the figures mean little on a
machine shared with other work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VERSION_ID = "20250101t000000"
ARCHIVE = 5_000
CLI_SAMPLE = 40


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def _jwst_seconds() -> dict[str, float]:
    lines = (ROOT / "tests" / "data" / "expected" / "summary.tsv").read_text().splitlines()[1:]
    return {c[0]: float(c[3]) for c in (line.split("\t") for line in lines) if c[2] == "0"}


def _cli_seconds(paths: list[Path]) -> float:
    """Wall time of one ``python -m asnkit generate`` process per pool."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        for index, path in enumerate(paths):
            command = [sys.executable, "-m", "asnkit", "generate", str(path)]
            command += ["-o", f"{out}/{index}", "--version-id", VERSION_ID]
            subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pools", type=int, default=int(os.environ.get("ASNKIT_BENCH_MANY_POOLS", 1000))
    )
    parser.add_argument("--no-dask", action="store_true", help="skip the dask LocalCluster")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    for folder in (ROOT, HERE):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    from corpus import make_corpus

    from asnkit.batch import Dask, Processes, Serial, generate_many, read_manifest

    print(f"before: {_load()}", flush=True)
    schedulers = [
        ("serial (--workers 1)", Serial()),
        (f"processes (--workers {args.workers})", Processes(args.workers)),
    ]
    if not args.no_dask:
        label = f"dask LocalCluster ({args.workers} workers)"
        schedulers.append((label, Dask(workers=args.workers)))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        sources = make_corpus(args.pools, Path(tmp) / "pools")
        paths = list(sources)
        print(
            f"corpus: {len(paths)} synthetic programs written in "
            f"{time.perf_counter() - start:.1f} s",
            flush=True,
        )
        print(
            f"{'scheduler':34s} {'pools':>6s} {'asns':>7s} {'wall s':>8s} {'pools/s':>8s} "
            f"{'ratio':>6s} {'5,000 programs':>15s}"
        )
        baseline = None
        serial_out = None
        for label, scheduler in schedulers:
            out = Path(tmp) / label.split()[0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                result = generate_many(paths, out, version_id=VERSION_ID, scheduler=scheduler)
                wall = time.perf_counter() - start
            if not result.ok:
                print(f"{label}: {len(result.failed)} pools failed: {result.failed[0].error}")
                return 1
            rate = len(paths) / wall
            baseline = baseline or rate
            serial_out = serial_out or out
            print(
                f"{label:34s} {len(paths):>6d} {result.associations:>7d} {wall:>8.1f} "
                f"{rate:>8.2f} {rate / baseline:>5.2f}x {_duration(ARCHIVE / rate):>15s}",
                flush=True,
            )

        start = time.perf_counter()
        again = generate_many(paths, serial_out, version_id=VERSION_ID, scheduler=Serial())
        wall = time.perf_counter() - start
        print(
            f"{'rerun, nothing changed':34s} {len(paths):>6d} {again.associations:>7d} "
            f"{wall:>8.1f} {len(paths) / wall:>8.0f} {'':>6s} "
            f"{_duration(ARCHIVE * wall / len(paths)):>15s}"
        )

        manifest = read_manifest(serial_out)
        seconds = manifest["seconds"]
        print(
            f"per pool (serial manifest): mean {seconds.mean():.3f} s, median "
            f"{seconds.median():.3f} s, max {seconds.max():.2f} s; "
            f"{ARCHIVE:,} programs x mean = {_duration(ARCHIVE * seconds.mean())} of CPU"
        )
        sample = paths[:CLI_SAMPLE]
        cli = _cli_seconds(sample)
        print(
            f"one 'asnkit generate' process per pool ({len(sample)} pools): "
            f"{cli / len(sample):.2f} s per pool, {_duration(ARCHIVE * cli / len(sample))} "
            f"for {ARCHIVE:,} programs"
        )
        jwst = _jwst_seconds()
        recorded = [jwst[s] for s in sources.values() if s in jwst]
        if recorded:
            mean = statistics.fmean(recorded)
            print(
                f"jwst 3.0.0 asn_generate, recorded seconds of the source pools (not measured "
                f"here): mean {mean:.2f} s per pool, {_duration(ARCHIVE * mean)} for "
                f"{ARCHIVE:,} programs one after the other"
            )
    print(f"after: {_load()}")
    print(
        "ratio: pools/s over serial's, same corpus, same run. 5,000 programs: the archive "
        "at this rate on this machine."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
