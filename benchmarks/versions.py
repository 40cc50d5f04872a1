"""This version of asnkit against a previous release, measured in the same run.

Not a benchmark itself (``run.py`` runs only ``bench_*.py``): the ``bench_*``
modules use it to run one workload in fresh child processes of two Pythons,
one after the other, and print ratios:

* **this** version: ``sys.executable`` with this repository first on ``sys.path``;
* the **baseline**: a Python with the previous release installed (NOT this
  repository), named by ``python benchmarks/run.py --baseline PYTHON`` or
  ``$ASNKIT_BASELINE_PYTHON``. Without one, only this version is measured.

Make a baseline of v0.1.0 (a git worktree and a venv beside it, nothing shared
with this checkout)::

    python benchmarks/versions.py install /tmp/asnkit-v010 --ref v0.1.0
    export ASNKIT_BASELINE_PYTHON=/tmp/asnkit-v010/venv/bin/python

Figures are medians of ``repeat`` fresh processes (CPU time = user + system of
the measured call; peak memory = the child's peak RSS). Ratios are
baseline / this: above 1 means this version is faster (or smaller). The
machine may be shared: only ratios taken in the same run mean anything, and
nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "BASELINE_ENV",
    "Versions",
    "baseline_python",
    "command_times",
    "compile_bytecode",
    "format_ratio",
    "install",
    "median",
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Environment variable naming the baseline Python.
BASELINE_ENV = "ASNKIT_BASELINE_PYTHON"
VERSION_ID = "20250101t000000"


def baseline_python() -> str | None:
    """The baseline Python (``$ASNKIT_BASELINE_PYTHON``), or None."""
    python = os.environ.get(BASELINE_ENV, "").strip()
    return python or None


def median(values: Sequence[float]) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def format_ratio(baseline: float | None, this: float | None) -> str:
    """``baseline / this`` as ``12.3x`` (``-`` when either is missing)."""
    if baseline is None or this is None or not this or baseline != baseline or this != this:
        return "-"
    ratio = baseline / this
    return f"{ratio:.1f}x" if ratio < 100 else f"{ratio:.0f}x"


# --------------------------------------------------------------------------- children


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the baseline must import its own asnkit
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run_workload(python: str, local: bool, workload: str, **kwargs) -> dict:
    """Run ``workload(**kwargs)`` (a function of this module) in a fresh ``python``."""
    command = [python, str(Path(__file__)), "--work", workload, "--kwargs", json.dumps(kwargs)]
    if local:
        command.append("--local")
    run = subprocess.run(command, capture_output=True, text=True, env=_child_env(), cwd="/")
    if run.returncode != 0:
        tail = "\n".join(run.stderr.strip().splitlines()[-8:])
        raise RuntimeError(f"{workload} failed under {python}:\n{tail}")
    return json.loads(run.stdout.strip().splitlines()[-1])


_COMPILE = (
    "import compileall, os, asnkit; "
    "compileall.compile_dir(os.path.dirname(asnkit.__file__), quiet=2, workers=1)"
)


def compile_bytecode(python: str, local: bool) -> None:
    """Compile the side's asnkit to bytecode, as installing a wheel does.

    An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (set on some
    machines) otherwise compiles every module from source in every fresh
    process, a cost the installed baseline does not pay.
    """
    command = [python, "-c", _COMPILE]
    env = _child_env()
    if local:
        env["PYTHONPATH"] = str(ROOT)
    subprocess.run(command, capture_output=True, env=env, cwd="/", check=False)


class Versions:
    """This version and the baseline (if any), each a (label, python, local) triple."""

    def __init__(self, baseline: str | None = None) -> None:
        self.baseline = baseline if baseline is not None else baseline_python()
        self.sides: list[tuple[str, str, bool]] = [("this", sys.executable, True)]
        if self.baseline:
            self.sides.append(("base", self.baseline, False))
        for _, python, local in self.sides:
            compile_bytecode(python, local)

    def describe(self) -> str:
        lines = []
        for label, python, local in self.sides:
            info = run_workload(python, local, "identify")
            lines.append(f"  {label}: asnkit {info['version']} ({info['file']}) under {python}")
        if not self.baseline:
            lines.append(f"  base: none (set ${BASELINE_ENV} or --baseline to compare)")
        return "\n".join(lines)

    def measure(self, workload: str, repeat: int, **kwargs) -> dict[str, list[dict]]:
        """``repeat`` fresh processes per side, interleaved (this, base, this, base...)."""
        out: dict[str, list[dict]] = {label: [] for label, _, _ in self.sides}
        for _ in range(repeat):
            for label, python, local in self.sides:
                out[label].append(run_workload(python, local, workload, **kwargs))
        return out

    def python(self, label: str) -> str:
        return dict((lab, py) for lab, py, _ in self.sides)[label]


def command_times(
    command: list[str],
    repeat: int,
    cwd: str | None = None,
    setup: Callable[[], object] | None = None,
) -> dict[str, float]:
    """Median wall and CPU (user + system of the child) seconds of a command line.

    ``setup`` (untimed) runs before each run, e.g. to empty an output folder.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        if setup is not None:
            setup()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=_child_env())
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 0:
            tail = "\n".join(run.stderr.strip().splitlines()[-5:])
            raise RuntimeError(f"{' '.join(command)} failed:\n{tail}")
        walls.append(wall)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"wall": median(walls), "cpu": median(cpus)}


# --------------------------------------------------------------------------- workloads
# Run in the child; they use only the public API of both versions.


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def _peak_mb() -> float:
    """Peak RSS of this process (``VmHWM``): ``ru_maxrss`` is not, on Linux, where it keeps
    the peak of the process that spawned this one (the benchmark's, holding 100k-row pools)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def identify() -> dict:
    import asnkit

    return {"version": asnkit.__version__, "file": str(Path(asnkit.__file__).parent)}


def generate(pool: str, calls: int = 1) -> dict:
    """Read a pool, then ``calls`` x ``asnkit.generate``; CPU seconds of each call.

    Memory (MB): ``floor_mb`` peak RSS before reading (imports), ``read_peak_mb`` after
    reading, ``base_mb`` RSS after reading, ``peak_mb`` peak RSS at the end."""
    import gc
    import warnings

    import asnkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        floor = _peak_mb()  # the interpreter, pandas and asnkit imported
        frame = asnkit.read_pool(pool)
        read_peak = _peak_mb()
        gc.collect()
        base = _rss_mb()
        cpu, wall = [], []
        count = 0
        for _ in range(calls):
            c0, w0 = time.process_time(), time.perf_counter()
            asns = asnkit.generate(frame, version_id=VERSION_ID)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            count = len(asns)
            del asns
    return {
        "cpu": cpu,
        "wall": wall,
        "asns": count,
        "floor_mb": floor,
        "read_peak_mb": read_peak,
        "base_mb": base,
        "peak_mb": _peak_mb(),
    }


def imports() -> dict:
    """Which heavy packages ``import asnkit`` loads, and its CPU time."""
    c0 = time.process_time()
    import asnkit  # noqa: F401

    cpu = time.process_time() - c0
    heavy = ("pysiaf", "matplotlib", "ipywidgets", "jsonschema", "astropy", "scipy", "requests")
    return {"cpu": cpu, "loaded": [name for name in heavy if name in sys.modules]}


def first_footprint() -> dict:
    """In a fresh process: import asnkit, rebuild one footprint from the pointing keywords."""
    w0, c0 = time.perf_counter(), time.process_time()
    import warnings

    import pandas as pd

    import asnkit

    pool = pd.DataFrame(
        {
            "filename": ["jw01234001001_02101_00001_nrca1_cal.fits"],
            "apername": ["NRCA1_FULL"],
            "ra_ref": [150.1],
            "dec_ref": [2.2],
            "roll_ref": [30.0],
            "v2_ref": [120.6714],
            "v3_ref": [-527.3877],
        }
    )
    w1, c1 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = asnkit.footprints(pool)
    w2, c2 = time.perf_counter(), time.process_time()
    assert frame["source"].iat[0] == "pointing", frame["source"].iat[0]
    return {"wall": w2 - w0, "cpu": c2 - c0, "call_wall": w2 - w1, "call_cpu": c2 - c1}


def plot_sky(n: int, calls: int = 3) -> dict:
    """``plot_sky`` of ``n`` exposures rebuilt from the pointing (``calls`` times, drawn)."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from bench_sky import synthetic_pool  # benchmarks/ is this script's folder

    import asnkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = synthetic_pool(n, sky="pointing")
        cpu, wall = [], []
        for _ in range(calls):
            c0, w0 = time.process_time(), time.perf_counter()
            fig, ax = plt.subplots(figsize=(8, 6))
            asnkit.plot_sky(pool, ax, color_by="mostilno")
            fig.canvas.draw()
            plt.close(fig)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return {"cpu": cpu, "wall": wall, "peak_mb": _peak_mb()}


def footprints(n: int, calls: int = 3) -> dict:
    """``asnkit.footprints`` of ``n`` exposures rebuilt from the pointing."""
    import warnings

    from bench_sky import synthetic_pool

    import asnkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = synthetic_pool(n, sky="pointing")
        cpu, wall = [], []
        for _ in range(calls):
            c0, w0 = time.process_time(), time.perf_counter()
            asnkit.footprints(pool)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return {"cpu": cpu, "wall": wall}


_WORKLOADS = {
    f.__name__: f for f in (identify, generate, imports, first_footprint, plot_sky, footprints)
}


# --------------------------------------------------------------------------- install


def install(folder: Path, ref: str = "v0.1.0") -> Path:
    """A git worktree of ``ref`` in ``folder/src`` and a venv with it installed (not editable).

    Returns the venv's Python.
    """
    folder = folder.resolve()
    src, venv = folder / "src", folder / "venv"
    if not src.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(src), ref], check=True
        )
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(src)], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--kwargs", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--local", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command")
    make = sub.add_parser("install", help="make a baseline venv of a git ref")
    make.add_argument("folder", type=Path)
    make.add_argument("--ref", default="v0.1.0")
    args = parser.parse_args(argv)
    if args.work:
        if args.local:
            sys.path.insert(0, str(ROOT))
        result = _WORKLOADS[args.work](**json.loads(args.kwargs))
        print(json.dumps(result))
        return 0
    if args.command == "install":
        python = install(args.folder, args.ref)
        print(f"export {BASELINE_ENV}={python}")
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
