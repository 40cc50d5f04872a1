"""Generation speed: asnkit vs jwst ``asn_generate`` on every shared pool and on synthetic pools.

``python benchmarks/run.py generate`` (or ``python benchmarks/bench_generate.py``).

For every pool in ``tests/data/pools``, for mega_pool and for synthetic pools
of 1k, 10k and 100k rows (:mod:`synthetic`), it prints:

* ``gen s`` -- ``asnkit.generate`` (Level 2b + Level 3), in a fresh child
  process, pool already read (best of a few runs for small pools);
* ``rows/s`` and ``peak MB`` (peak RSS of that child process);
* ``cli s`` -- ``python -m asnkit generate POOL -o DIR --version-id ...`` wall
  time, end to end (interpreter start, reading, writing);
* ``jwst s`` and ``ratio`` -- ``asn_generate POOL -p DIR --version-id ...``
  run right after it on the same machine, and jwst s / cli s.

jwst is looked for in ``$ASNKIT_JWST_PYTHON`` (a Python with jwst installed),
then ``asn_generate`` on ``PATH``; it is not run on the 10k and 100k pools
(hours). Options: ``--no-jwst``, ``--sizes 1000,10000``, ``--pools NAME...``.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-jwst", action="store_true", help="do not run asn_generate")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--pools", nargs="*", help="only these shared pools (names)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    if args.child:
        _child(args.child, args.repeat)
        return 0
    jwst = None if args.no_jwst else jwst_command()
    print(f"jwst: {' '.join(jwst) if jwst else 'not found (set ASNKIT_JWST_PYTHON)'}")
    print(
        f"{'pool':38s} {'rows':>7s} {'asns':>7s} {'gen s':>8s} {'rows/s':>10s} "
        f"{'peak MB':>8s} {'cli s':>7s} {'jwst s':>8s} {'ratio':>8s}"
    )
    names = args.pools or sorted(p.stem for p in POOLS.glob("*.csv"))
    for name in names:
        _row(name, POOLS / f"{name}.csv", jwst, repeat=3)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
        sys.path.insert(0, str(HERE))
        sys.path.insert(0, str(ROOT))
        from synthetic import synthetic_pool

        from asnkit.pool.write import write_pool

        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                path = Path(tmp) / f"synthetic_{size}.csv"
                write_pool(synthetic_pool(size, seed=1), path)
                _row(f"synthetic {size:,}", path, jwst, repeat=1 if size > 5_000 else 3)
    print(
        "gen s: asnkit.generate in a fresh process (best of 3 under 5k rows); cli s / jwst s:"
        " end-to-end command lines run one after the other; ratio = jwst s / cli s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
