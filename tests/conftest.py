"""Shared pytest configuration."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def tools():
    """tests/lab.py (Jupyter server + Chromium); skips the test when Chromium or playwright
    is missing, the only reason a browser test may skip."""
    from tests import lab

    try:
        lab.chromium()
        lab.sync_playwright()
    except lab.Missing as exc:
        pytest.skip(str(exc))
    return lab
