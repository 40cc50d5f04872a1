"""The benchmarks still run against the current API (they are not tests of speed).

Each ``benchmarks/bench_*.py`` imports and has a ``main``; the sky and widget
benchmarks, which drive the public widget API, run on a few hundred exposures.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
NAMES = sorted(path.stem for path in BENCHMARKS.glob("bench_*.py"))


@pytest.fixture
def benchmarks(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    yield importlib.import_module
    for name in [*NAMES, "versions", "synthetic", "timing", "corpus"]:
        sys.modules.pop(name, None)


@pytest.mark.parametrize("name", NAMES)
def test_every_benchmark_imports_and_has_a_main(benchmarks, name):
    assert callable(benchmarks(name).main)


# bench_filter's pool needs a few thousand rows for every filter column to vary
@pytest.mark.parametrize(
    ("part", "n"), [("bench_plot", 300), ("bench_filter", 5000), ("bench_grouping", 300)]
)
def test_the_sky_and_widget_benchmarks_run_on_a_small_pool(benchmarks, part, n, capsys):
    sky = benchmarks("bench_sky")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(sky, part)(n)
    assert str(n) in capsys.readouterr().out
