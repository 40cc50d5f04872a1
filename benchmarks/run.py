"""Run asnkit's benchmarks: ``python benchmarks/run.py [NAME...]``.

Every ``benchmarks/bench_*.py`` module is a benchmark; ``NAME`` is the part
after ``bench_`` (``pool`` for ``bench_pool.py``). With no name, all run, in
alphabetical order. Each module has a ``main()`` that prints its figures and
returns nothing (or an exit status). Speed is measured here, never asserted in
the tests.

``--baseline PYTHON`` (or ``$ASNKIT_BASELINE_PYTHON``) names a Python with a
previous release of asnkit installed; the benchmarks that support it measure
that release in the same run and print ratios (see ``benchmarks/versions.py``,
which also makes one: ``python benchmarks/versions.py install DIR --ref v0.1.0``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback
from pathlib import Path

__all__ = ["available", "main"]

HERE = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    """Benchmark names and their files."""
    return {path.stem[len("bench_") :]: path for path in sorted(HERE.glob("bench_*.py"))}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(f"asnkit_benchmarks.bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    benchmarks = available()
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Run asnkit's benchmarks (benchmarks/bench_*.py) and print their figures.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all): {', '.join(benchmarks) or 'none found'}",
    )
    parser.add_argument(
        "--baseline",
        metavar="PYTHON",
        help="a Python with the previous release installed, to compare with in the same run "
        "(default: $ASNKIT_BASELINE_PYTHON)",
    )
    args = parser.parse_args(argv)
    if args.baseline:
        os.environ["ASNKIT_BASELINE_PYTHON"] = args.baseline
    unknown = [name for name in args.names if name not in benchmarks]
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; known: {', '.join(benchmarks)}")
    for folder in (HERE.parent, HERE):  # the repo (for asnkit) and benchmarks/ (for timing)
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    status = 0
    for name in args.names or list(benchmarks):
        print(f"== {name} ({benchmarks[name].name})", flush=True)
        start = time.perf_counter()
        try:
            result = _load(name, benchmarks[name]).main()
        except Exception:  # one broken benchmark must not hide the others
            traceback.print_exc()
            result = 1
        print(f"== {name}: {time.perf_counter() - start:.1f} s in all\n", flush=True)
        status = status or int(result or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
