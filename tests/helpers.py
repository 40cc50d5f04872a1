"""Paths of the test data copied from ../shared (tests never read ../shared)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

__all__ = [
    "ASN",
    "DATA",
    "EXPECTED",
    "EXPOSURES",
    "POOLS",
    "ROW_COUNTS",
    "asnkit_command",
    "pool_file",
    "pool_names",
]

DATA = Path(__file__).parent / "data"
POOLS = DATA / "pools"
EXPECTED = DATA / "expected"
ASN = DATA / "asn"
EXPOSURES = DATA / "exposures"


def asnkit_command() -> list[str]:
    """The installed ``asnkit`` command of the Python running the tests.

    The script beside ``sys.executable`` (the venv's ``bin``), so a test never runs another
    environment's ``asnkit`` found first on ``PATH``; ``python -m asnkit`` without one.
    """
    found = shutil.which("asnkit", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "asnkit"]


def pool_file(name: str) -> Path:
    """Path of a test pool by name (without ``.csv``)."""
    return POOLS / f"{name}.csv"


def pool_names() -> list[str]:
    """Every test pool, by name."""
    return sorted(p.stem for p in POOLS.glob("*.csv"))


def _row_counts() -> dict[str, int]:
    lines = (EXPECTED / "summary.tsv").read_text().splitlines()[1:]
    return {cells[0]: int(cells[1]) for cells in (line.split("\t") for line in lines)}


#: Rows jwst 3.0.0 read from each pool (expected/summary.tsv).
ROW_COUNTS = _row_counts()
