"""Timing helper shared by the benchmarks (not a benchmark: run.py only runs bench_*.py)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["timed"]


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time, in seconds, of ``repeat`` calls of ``function``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)
