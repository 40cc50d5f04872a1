"""The simulated demo program shipped in asnkit/data/demo is what its script makes."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from astropy.io import fits

import asnkit

ROOT = Path(__file__).parent.parent
DEMO = asnkit.data.data_path("demo")


def test_demo_is_labelled_simulated_and_small():
    pool_text = (DEMO / "jw99999_simulated_pool.csv").read_text()
    assert pool_text.startswith("# SIMULATED")
    files = sorted((DEMO / "exposures").glob("*.fits"))
    assert len(files) == 140
    assert sum(f.stat().st_size for f in files) < 3_000_000
    header = fits.getheader(files[0], 0)
    assert "SIMULATED" in str(header.get("OBSLABEL", "")) + str(header.get("TITLE", ""))


@pytest.mark.slow
def test_script_reproduces_the_shipped_demo(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_demo_program.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    made = asnkit.read_pool(tmp_path / "jw99999_simulated_pool.csv")
    shipped_pool = asnkit.read_pool(DEMO / "jw99999_simulated_pool.csv")
    assert made.columns.tolist() == shipped_pool.columns.tolist()
    for column in made.columns:  # numbers as numbers: the last digit depends on the machine
        for a, b in zip(made[column], shipped_pool[column], strict=True):
            assert _same_value(a, b), (column, a, b)
    for shipped in sorted((DEMO / "exposures").glob("*.fits"))[::20]:
        again = tmp_path / "exposures" / shipped.name
        for ext in (0, 1):
            header, expected = fits.getheader(again, ext), fits.getheader(shipped, ext)
            assert list(header) == list(expected), shipped.name
            for key in expected:
                assert _same_value(header[key], expected[key]), (shipped.name, ext, key)


def _same_value(a, b) -> bool:
    """Equal text, or numbers equal to 1e-9 (relative): computed coordinates differ in
    their last digit between CPUs and math libraries."""
    if isinstance(a, str) and isinstance(b, str):
        try:
            a, b = float(a), float(b)
        except ValueError:
            return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if a != a and b != b:  # NaN: both missing
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_numbers_are_compared_as_numbers():
    assert _same_value("70.13869849083734", "70.13869849083736")
    assert not _same_value("70.1386984908", "70.1386985908")
    assert _same_value("nrca1", "nrca1") and not _same_value("nrca1", "nrca2")
    assert _same_value(float("nan"), float("nan")) and _same_value(True, True)
