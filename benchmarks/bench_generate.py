"""Generation speed: this version vs the previous release, and vs jwst ``asn_generate``.

``python benchmarks/run.py generate [--baseline PYTHON]`` (or
``python benchmarks/bench_generate.py [options]``). Parts (``--parts``, or
``$ASNKIT_BENCH_PARTS``), each measured in fresh child processes:

* ``synthetic`` -- ``asnkit.generate`` on synthetic pools of 1k, 10k and 100k
  rows (:mod:`synthetic`): CPU seconds, peak RSS, both versions, ratios, and
  CPU per row (linear growth = constant);
* ``observation`` -- one observation of 1k..16k NIRCam images in 4 filters
  (Level 3 associations of N/4 members; the baseline only up to 8k rows);
* ``small`` -- a 4-row pool (pool_005_spec_niriss) generated 21 times in one process: the first call
  and the median of the others (compiled rules cached);
* ``mega`` -- mega_pool, the whole command line including writing, both
  versions and ``asn_generate`` (``$ASNKIT_JWST_PYTHON``);
* ``pools`` -- every shared pool, this version: in-process generate, the
  command line, and ``asn_generate`` end to end.

The baseline is ``--baseline PYTHON`` or ``$ASNKIT_BASELINE_PYTHON`` (see
``benchmarks/versions.py``); ``--repeat`` (``$ASNKIT_BENCH_REPEAT``, default
3) fresh processes per figure, medians; ``--base-max-rows`` skips the baseline
on larger pools. jwst is looked for in ``$ASNKIT_JWST_PYTHON`` (a Python with
jwst installed), then ``asn_generate`` on ``PATH``; it is not run on pools
over 2,000 rows (hours).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from versions import (  # benchmarks/ is on sys.path (run.py, or this script's folder)
    BASELINE_ENV,
    Versions,
    command_times,
    format_ratio,
    median,
    run_workload,
)

__all__ = ["jwst_command", "main"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POOLS = ROOT / "tests" / "data" / "pools"
SIZES = (1_000, 10_000, 100_000)
JWST_MAX_ROWS = 2_000
VERSION_ID = "20250101t000000"


def jwst_command() -> list[str] | None:
    """The command that runs jwst's asn_generate, or None."""
    python = os.environ.get("ASNKIT_JWST_PYTHON")
    if python:
        code = "import sys; from jwst.associations.main import main; sys.exit(main())"
        return [python, "-c", code]
    found = shutil.which("asn_generate")
    return [found] if found else None


def _child(pool_path: str, repeat: int) -> None:
    """Run in a child process: time generate on one pool, print JSON."""
    sys.path.insert(0, str(ROOT))
    import asnkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(pool_path)
        best = float("inf")
        count = 0
        for _ in range(repeat):
            start = time.perf_counter()
            asns = asnkit.generate(pool, version_id=VERSION_ID)
            best = min(best, time.perf_counter() - start)
            count = len(asns)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": len(pool), "seconds": best, "asns": count, "peak_mb": peak}))


def _measure(pool: Path, repeat: int) -> dict:
    run = subprocess.run(
        [sys.executable, __file__, "--child", str(pool), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def _wall(command: list[str]) -> float | None:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run = subprocess.run([*command, out], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    return elapsed if run.returncode == 0 else None


def _asnkit_cli(pool: Path) -> float | None:
    command = [sys.executable, "-m", "asnkit", "generate", str(pool)]
    command += ["--version-id", VERSION_ID, "-o"]
    return _wall(command)


def _jwst_cli(jwst: list[str], pool: Path) -> float | None:
    return _wall([*jwst, str(pool), "--version-id", VERSION_ID, "-p"])


def _row(name: str, pool: Path, jwst: list[str] | None, repeat: int) -> None:
    figures = _measure(pool, repeat)
    cli = _asnkit_cli(pool)
    jwst_s = _jwst_cli(jwst, pool) if jwst and figures["rows"] <= JWST_MAX_ROWS else None
    rows = figures["rows"]
    rate = rows / figures["seconds"] if figures["seconds"] > 0 else float("inf")
    ratio = f"{jwst_s / cli:7.0f}x" if jwst_s and cli else "       -"
    print(
        f"{name:38s} {rows:>7d} {figures['asns']:>7d} {figures['seconds']:>8.3f} "
        f"{rate:>10,.0f} {figures['peak_mb']:>8.0f} "
        f"{cli if cli is not None else float('nan'):>7.2f} "
        f"{jwst_s if jwst_s is not None else float('nan'):>8.2f} {ratio}",
        flush=True,
    )


def _write(pool, path: Path) -> Path:
    from asnkit.pool.write import write_pool

    write_pool(pool, path, overwrite=True)
    return path


def _cpu_rows(versions, title: str, pools: list[tuple[str, Path]], repeat: int, skip_base) -> None:
    """One line per pool: CPU s (median), peak MB, both versions, ratios; per-row cost."""
    print(f"\n{title}")
    print(
        f"  {'pool':24s} {'rows':>7s} {'asns':>6s} {'cpu s':>8s} {'base s':>8s} {'ratio':>7s}"
        f" {'us/row':>7s} {'peak MB':>8s} {'base MB':>8s} {'mem':>6s}"
        f" {'gen MB':>7s} {'base':>7s} {'gen':>6s}"
        f" {'read MB':>8s} {'base':>6s} {'read':>6s}"
    )
    per_row, floors = [], []
    for name, path, rows in pools:
        sides = [s for s in versions.sides if s[0] == "this" or not skip_base(rows)]
        figures = {}
        for label, python, local in sides:
            runs = [run_workload(python, local, "generate", pool=str(path)) for _ in range(repeat)]
            figures[label] = {
                "cpu": median([r["cpu"][0] for r in runs]),
                "peak": median([r["peak_mb"] for r in runs]),
                "gen_mb": median([r["peak_mb"] - r["base_mb"] for r in runs]),
                "read_mb": median([r.get("read_peak_mb", float("nan")) for r in runs]),
                "floor": median([r.get("floor_mb", float("nan")) for r in runs]),
                "asns": runs[0]["asns"],
            }
        this, base = figures["this"], figures.get("base")
        us = this["cpu"] / rows * 1e6
        per_row.append(us)
        print(
            f"  {name:24s} {rows:>7d} {this['asns']:>6d} {this['cpu']:>8.3f} "
            f"{base['cpu'] if base else float('nan'):>8.3f} "
            f"{format_ratio(base and base['cpu'], this['cpu']):>7s} {us:>7.0f} "
            f"{this['peak']:>8.0f} {base['peak'] if base else float('nan'):>8.0f} "
            f"{format_ratio(base and base['peak'], this['peak']):>6s} "
            f"{this['gen_mb']:>7.0f} {base['gen_mb'] if base else float('nan'):>7.0f} "
            f"{format_ratio(base and base['gen_mb'], this['gen_mb']):>6s} "
            f"{this['read_mb']:>8.0f} {base['read_mb'] if base else float('nan'):>6.0f} "
            f"{format_ratio(base and base['read_mb'], this['read_mb']):>6s}",
            flush=True,
        )
        floors.append((this["floor"], base["floor"] if base else float("nan")))
    print(
        "  peak MB: the process's peak RSS (pool read included); gen MB: peak - RSS after"
        " reading the pool (what generate adds); read MB: peak RSS once the pool is read"
    )
    if floors:
        mine, theirs = (
            median([pair[k] for pair in floors if pair[k] == pair[k]] or [float("nan")])
            for k in (0, 1)
        )  # (nan where a side did not run)
        print(
            f"  floor: peak RSS once asnkit is imported, before reading: {mine:.0f} MB this"
            f" (pandas comes with read_pool), {theirs:.0f} MB base; in every figure above"
        )
    if len(per_row) > 1:
        print(
            f"  growth: CPU per row, largest / smallest size = {per_row[-1] / per_row[0]:.2f}"
            " (1.0 = linear)"
        )


def _warm(versions, pool: Path, calls: int) -> None:
    print(f"\nsmall pool in-process, after the first call ({pool.name}, median of {calls - 1}):")
    for label, python, local in versions.sides:
        run = run_workload(python, local, "generate", pool=str(pool), calls=calls)
        first, rest = run["cpu"][0], median(run["cpu"][1:])
        wall = median(run["wall"][1:])
        print(
            f"  {label}: first call {first * 1000:7.1f} ms CPU; then {rest * 1000:6.1f} ms CPU,"
            f" {wall * 1000:6.1f} ms wall"
        )


def _emptied(folder: str):
    """A ``setup`` for :func:`command_times`: each run writes into an empty folder."""

    def empty() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        os.mkdir(folder)

    return empty


def _mega(versions, jwst: list[str] | None, repeat: int) -> None:
    pool = POOLS / "mega_pool.csv"
    print("\nmega_pool, the whole command line (start-up, read, generate, write):")
    print(
        f"  medians of {repeat} runs per side, the sides taking turns (the machine's load"
        " changes); each run writes into an empty folder, as asn_generate's run does"
    )
    runs: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        commands, folders = {}, {}
        for label, python, local in versions.sides:
            command = [python, "-m", "asnkit", "generate", str(pool), "--version-id", VERSION_ID]
            commands[label] = [*command, "-o", out]
            # -m puts the working folder first on sys.path: this checkout for this
            # version, "/" for the baseline (from a checkout, it would run this version)
            folders[label] = str(ROOT) if local else "/"
            if label == "this":  # then again, replacing the files this run wrote
                commands["this --overwrite"] = [*commands[label], "--overwrite"]
                folders["this --overwrite"] = folders[label]
        for _ in range(repeat):
            for label, command in commands.items():
                setup = None if label.endswith("--overwrite") else _emptied(out)
                figures = command_times(command, 1, cwd=folders[label], setup=setup)
                runs.setdefault(label, []).append(figures)
    walls = {}
    for label, figures in runs.items():
        mine = {key: median([f[key] for f in figures]) for key in ("wall", "cpu")}
        if label.endswith("--overwrite"):  # right after a run of this: its files replaced
            print(
                "  asnkit (this), replacing the previous run's files (--overwrite):"
                f" {mine['wall']:6.2f} s wall, {mine['cpu']:6.2f} s CPU"
            )
            continue
        walls[label] = mine
        print(f"  asnkit ({label}): {mine['wall']:6.2f} s wall, {mine['cpu']:6.2f} s CPU")
    if jwst:
        with tempfile.TemporaryDirectory() as out:
            command = [*jwst, str(pool), "--version-id", VERSION_ID, "-p", out]
            ref = command_times(command, 1)
        print(f"  jwst asn_generate: {ref['wall']:6.2f} s wall, {ref['cpu']:6.2f} s CPU")
        for label, mine in walls.items():
            wall = format_ratio(ref["wall"], mine["wall"])
            cpu = format_ratio(ref["cpu"], mine["cpu"])
            print(f"  asn_generate / asnkit ({label}): wall {wall}, CPU {cpu}")
    else:
        print("  jwst: not found (set ASNKIT_JWST_PYTHON)")


PARTS = ("synthetic", "observation", "small", "mega", "pools")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-jwst", action="store_true", help="do not run asn_generate")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--observation-sizes", default="1000,2000,4000,8000,16000")
    parser.add_argument(
        "--base-max-rows",
        type=int,
        default=int(os.environ.get("ASNKIT_BENCH_BASE_MAX_ROWS", "100000")),
        help="do not run the baseline on larger pools (it can take minutes)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ.get("ASNKIT_BENCH_REPEAT", "3")),
        help="fresh processes per measure (median)",
    )
    parser.add_argument(
        "--parts",
        default=os.environ.get("ASNKIT_BENCH_PARTS", ",".join(PARTS)),
        help=f"comma-separated, of {', '.join(PARTS)}",
    )
    parser.add_argument("--pools", nargs="*", help="only these shared pools (names)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline", help=f"a Python with the previous release (default: ${BASELINE_ENV})"
    )
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    if args.child:
        _child(args.child, args.repeat)
        return 0
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    jwst = None if args.no_jwst else jwst_command()
    versions = Versions(args.baseline)
    print(versions.describe())
    print(f"  jwst: {' '.join(jwst) if jwst else 'not found (set ASNKIT_JWST_PYTHON)'}")
    print(f"  CPU s and peak MB: medians of {args.repeat} fresh processes; ratio = base / this")
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from synthetic import nircam_observation, synthetic_pool

    def skip_base(rows: int) -> bool:
        return rows > args.base_max_rows

    with tempfile.TemporaryDirectory() as tmp:
        if "synthetic" in parts:
            sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
            pools = [
                (f"synthetic {n:,}", _write(synthetic_pool(n, seed=1), Path(tmp) / f"s{n}.csv"), n)
                for n in sizes
            ]
            _cpu_rows(
                versions,
                "synthetic pools (benchmarks/synthetic.py):",
                pools,
                args.repeat,
                skip_base,
            )
        if "observation" in parts:
            sizes = [int(s) for s in args.observation_sizes.split(",") if s.strip()]
            pools = [
                (f"nircam obs {n:,}", _write(nircam_observation(n), Path(tmp) / f"o{n}.csv"), n)
                for n in sizes
            ]
            _cpu_rows(
                versions,
                "one observation of N NIRCam images in 4 filters:",
                pools,
                args.repeat,
                lambda rows: rows > min(args.base_max_rows, 8000),
            )
        if "small" in parts:
            _warm(versions, POOLS / "pool_005_spec_niriss.csv", calls=21)
        if "mega" in parts:
            _mega(versions, jwst, args.repeat)
    if "pools" in parts:
        print("\nevery shared pool, this version (and jwst end to end):")
        print(
            f"{'pool':38s} {'rows':>7s} {'asns':>7s} {'gen s':>8s} {'rows/s':>10s} "
            f"{'peak MB':>8s} {'cli s':>7s} {'jwst s':>8s} {'ratio':>8s}"
        )
        names = args.pools or sorted(p.stem for p in POOLS.glob("*.csv"))
        for name in names:
            _row(name, POOLS / f"{name}.csv", jwst, repeat=3)
        print(
            "gen s: asnkit.generate in a fresh process (best of 3); cli s / jwst s:"
            " end-to-end command lines run one after the other; ratio = jwst s / cli s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
