"""Start-up: ``asnkit --version`` vs ``python -c "import pandas"``, what ``import asnkit``
loads, and the first footprint rebuilt from pointing keywords in a fresh process.

``python benchmarks/run.py startup [--baseline PYTHON]``. Targets (issue 14):
``asnkit --version`` within 1.3x of ``import pandas``; ``import asnkit`` loads none
of pysiaf, matplotlib, ipywidgets, jsonschema, astropy; the first footprint from
pointing keywords in a fresh process under 1.5 s. Medians of ``$ASNKIT_BENCH_REPEAT``
(default 7) runs; ratios are printed, nothing is asserted.
"""

from __future__ import annotations

import os
from pathlib import Path

from versions import Versions, command_times, format_ratio, median

__all__ = ["main"]


def main() -> int:
    repeat = int(os.environ.get("ASNKIT_BENCH_REPEAT", "7"))
    versions = Versions()
    print(versions.describe())
    print(f"  medians of {repeat} fresh processes")
    pandas_ = None
    for label, python, local in versions.sides:
        script = Path(python).with_name("asnkit")
        if local or not script.exists():  # this checkout: run the module, not an installed script
            root = str(Path(__file__).resolve().parent.parent)
            code = f"import sys; sys.path.insert(0, {root!r}); from asnkit.cli import run; "
            command = [python, "-c", code + "run(['--version'])"]  # what the script runs
        else:
            command = [str(script), "--version"]
        if pandas_ is None:
            pandas_ = command_times([python, "-c", "import pandas"], repeat)
            print(
                f"  python -c 'import pandas': {pandas_['wall'] * 1000:6.0f} ms wall, "
                f"{pandas_['cpu'] * 1000:6.0f} ms CPU"
            )
        mine = command_times(command, repeat)
        print(
            f"  asnkit --version ({label}): {mine['wall'] * 1000:6.0f} ms wall, "
            f"{mine['cpu'] * 1000:6.0f} ms CPU = {mine['wall'] / pandas_['wall']:.2f}x / "
            f"{mine['cpu'] / pandas_['cpu']:.2f}x import pandas (target <= 1.3x)"
        )
    print()
    imports = versions.measure("imports", 1)
    for label, runs in imports.items():
        loaded = runs[0]["loaded"]
        print(
            f"  import asnkit ({label}) loads: {', '.join(loaded) if loaded else 'none of'} "
            "pysiaf/matplotlib/ipywidgets/jsonschema/astropy/scipy/requests"
        )
    print()
    first = versions.measure("first_footprint", repeat)
    walls = {}
    for label, runs in first.items():
        walls[label] = median([r["wall"] for r in runs])
        call = median([r["call_wall"] for r in runs])
        print(
            f"  first footprint from pointing, fresh process ({label}): {walls[label]:.2f} s "
            f"wall from start ({call:.2f} s in footprints()), target < 1.5 s"
        )
    if "base" in walls:
        print(f"  ratio base / this: {format_ratio(walls['base'], walls['this'])}")
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
