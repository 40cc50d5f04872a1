"""Pool I/O speed: read_pool on mega_pool and on a large synthetic pool, write_pool, select.

``python benchmarks/run.py pool``. mega_pool (837 rows) must read well under a
second; the synthetic pool repeats mega_pool's real rows to ``LARGE_ROWS``
rows with unique file names.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pandas as pd
from timing import timed  # benchmarks/ is on sys.path (see run.py)

__all__ = ["LARGE_ROWS", "main"]

#: Rows of the synthetic large pool.
LARGE_ROWS = 200_000


def _report(what: str, rows: int, best: float, median: float) -> None:
    print(
        f"  {what:<38} {rows:>8} rows  best {best * 1000:8.1f} ms  "
        f"median {median * 1000:8.1f} ms  {rows / best:>12,.0f} rows/s"
    )


def main() -> int:
    import asnkit
    from asnkit.errors import PoolWarning

    warnings.simplefilter("ignore", PoolWarning)
    mega_path = asnkit.data.pool_path("mega_pool")
    mega = asnkit.read_pool(mega_path)
    _report("read_pool mega_pool", len(mega), *timed(lambda: asnkit.read_pool(mega_path), 10))

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        real = mega[~mega["filename"].str.contains(r"\s", regex=True)]
        copies = -(-LARGE_ROWS // len(real))
        large = pd.concat([real] * copies, ignore_index=True).iloc[:LARGE_ROWS].copy()
        large["filename"] = [f"jw{i:09d}_{name}" for i, name in enumerate(large["filename"])]
        large_path = folder / "large_pool.csv"
        best, median = timed(lambda: asnkit.write_pool(large, large_path, overwrite=True), 3)
        _report("write_pool large synthetic", len(large), best, median)
        print(f"  (large pool file: {large_path.stat().st_size / 1e6:.1f} MB)")
        _report(
            "read_pool large synthetic", len(large), *timed(lambda: asnkit.read_pool(large_path), 3)
        )
        mega_out = folder / "mega_copy.csv"
        _report(
            "write_pool mega_pool",
            len(mega),
            *timed(lambda: asnkit.write_pool(mega, mega_out, overwrite=True), 10),
        )
        _report(
            "select (3 columns, glob) large",
            len(large),
            *timed(
                lambda: large.asn.select(instrume="nircam", filter=["f0*", "f2*"], obs_num=17), 3
            ),
        )
        _report("summary large", len(large), *timed(lambda: large.asn.summary(), 3))
        _report(
            "explode_candidates large",
            len(large),
            *timed(lambda: large.asn.explode_candidates(), 3),
        )

    exposures = Path(asnkit.__file__).resolve().parent.parent / "tests" / "data" / "exposures"
    files = sorted(exposures.rglob("*.fits"))
    if files:
        _report(
            "pool_from_files test exposures",
            len(files),
            *timed(lambda: asnkit.pool_from_files(files), 5),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
