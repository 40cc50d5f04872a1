"""The simulated demo program shipped in asnkit/data/demo is what its script makes."""

from __future__ import annotations

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
    made = (tmp_path / "jw99999_simulated_pool.csv").read_text()
    assert made == (DEMO / "jw99999_simulated_pool.csv").read_text()
    for shipped in sorted((DEMO / "exposures").glob("*.fits"))[::20]:
        again = tmp_path / "exposures" / shipped.name
        for ext in (0, 1):
            assert fits.getheader(again, ext) == fits.getheader(shipped, ext), shipped.name
