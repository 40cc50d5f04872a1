"""The ``asnkit`` program ends without tearing the interpreter down (asnkit.cli.run).

What it prints is complete, its status is main()'s, exit handlers registered
while it ran still run, and anything unusual exits the usual way.
"""

from __future__ import annotations

import gc
import io
import subprocess
import sys
import textwrap
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from asnkit.cli import main
from asnkit.version import __version__
from tests.helpers import pool_file

ROOT = Path(__file__).resolve().parents[1]
POOL = pool_file("mega_pool")


def _module(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asnkit", *args], cwd=ROOT, capture_output=True, text=True, **kwargs
    )


def test_long_output_into_a_pipe_is_complete():
    done = _module("summary", str(POOL))
    assert done.returncode == 0, done.stderr
    expected = io.StringIO()
    with redirect_stdout(expected):
        assert main(["summary", str(POOL)]) == 0
    assert len(expected.getvalue()) > 10_000  # more than one pipe buffer's worth
    assert done.stdout == expected.getvalue()


@pytest.mark.parametrize(
    ("args", "status", "out", "err"),
    [
        (["--version"], 0, f"asnkit {__version__}\n", ""),
        ([], 2, "usage: asnkit", ""),
        (["--bogus"], 2, "", "unrecognized arguments: --bogus"),
        (["summary", "missing.csv"], 2, "", "asnkit summary: error: missing.csv"),
    ],
)
def test_the_status_is_mains(args, status, out, err):
    done = _module(*args)
    assert done.returncode == status
    assert done.stdout.startswith(out) and err in done.stderr
    assert "Traceback" not in done.stderr


_LATER_HANDLER = textwrap.dedent(
    """
    import atexit, logging, sys
    import asnkit.cli as cli

    real = cli.main

    def main(argv=None):
        status = real(argv)
        atexit.register(print, "a handler registered meanwhile ran", flush=True)
        logging.getLogger("asnkit").warning("logged at the end")
        sys.stdout.write("buffered, not flushed")
        return status

    cli.main = main
    cli.run(sys.argv[1:])
    """
)


def test_handlers_registered_meanwhile_run_and_buffers_are_flushed(tmp_path):
    script = tmp_path / "later.py"
    script.write_text(_LATER_HANDLER)
    done = subprocess.run(
        [sys.executable, str(script), "generate", str(pool_file("pool_002_image_miri")),
         "-o", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "buffered, not flushed" + "a handler registered meanwhile ran\n"
    assert "logged at the end" in done.stderr
    assert len(list((tmp_path / "out").glob("*_asn.json"))) == 9


def test_an_escaped_exception_exits_the_usual_way(tmp_path):
    script = tmp_path / "escaped.py"
    script.write_text(
        "import asnkit.cli as cli\n"
        "def main(argv=None):\n"
        "    raise RuntimeError('escaped')\n"
        "cli.main = main\n"
        "cli.run([])\n"
    )
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "RuntimeError: escaped" in done.stderr


def test_a_process_measured_by_coverage_exits_the_usual_way(tmp_path):
    script = tmp_path / "covered.py"
    script.write_text(
        "import atexit, sys, types\n"
        "sys.modules['coverage'] = types.ModuleType('coverage')  # as coverage's start-up hook\n"
        "atexit.register(print, 'saved before run() registered', flush=True)\n"
        "from asnkit.cli import run\n"
        "run(['--version'])\n"
    )
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"asnkit {__version__}", "saved before run() registered"]


_COLLECTOR = textwrap.dedent(
    """
    import gc, sys
    import asnkit.cli as cli

    real = cli.main
    scans = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and scans.append(info))

    def main(argv=None):
        before = len(scans)
        status = real(argv)
        print(gc.isenabled(), len(scans) - before, flush=True)
        return status

    cli.main = main
    cli.run(sys.argv[1:])
    """
)


@pytest.mark.parametrize(
    ("command", "expected"),
    [("generate", "False 0"), ("explain", "True")],  # generate: one run, then the end
)
def test_the_generate_program_runs_without_the_cyclic_collector(command, expected, tmp_path):
    script = tmp_path / "collector.py"
    script.write_text(_COLLECTOR)
    args = ["-o", str(tmp_path / "out")] if command == "generate" else ["--orphans"]
    done = subprocess.run(
        [sys.executable, str(script), command, str(pool_file("mega_pool")), *args],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith(expected)


def test_main_in_process_leaves_the_collector_on(tmp_path):
    assert main(["generate", str(pool_file("pool_002_image_miri")), "-o", str(tmp_path)]) == 0
    assert gc.isenabled()
