"""Shared pytest configuration."""

from __future__ import annotations

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# No per-example deadline: on a loaded 2-core CI machine an example may take seconds, which
# says nothing about the property tested (hypothesis' default fails it after 200 ms).
# The default profile draws the same examples on every run (a test suite that passes passes
# again: CI does not turn red on a new random draw); `pytest --hypothesis-profile=explore`
# draws new ones on every run, to look for counterexamples.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("asnkit", derandomize=True, **_COMMON)
settings.register_profile("explore", **_COMMON)
settings.load_profile("asnkit")


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
