"""Association documents: load+validate every jwst-written file, serialise, frame, write a set.

``python benchmarks/run.py documents``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

__all__ = ["main"]

EXPECTED = Path(__file__).resolve().parent.parent / "tests" / "data" / "expected"


def _time(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> int:
    from asnkit.documents.collection import AssociationSet
    from asnkit.documents.io import read_asn
    from asnkit.documents.validation import is_valid

    files = sorted(EXPECTED.glob("*/*.json"))
    n = len(files)
    seconds, assocs = _time(lambda: [read_asn(p, validate=False) for p in files])
    print(f"  load {n} files (no validation)      {seconds * 1000:8.1f} ms  {n / seconds:8.0f}/s")
    seconds, valid = _time(lambda: [is_valid(a) for a in assocs])
    print(f"  validate {n} associations            {seconds * 1000:8.1f} ms  {n / seconds:8.0f}/s"
          f"  ({sum(valid)} valid)")  # fmt: skip
    seconds, _ = _time(lambda: [a.to_json() for a in assocs])
    print(f"  to_json {n} associations             {seconds * 1000:8.1f} ms  {n / seconds:8.0f}/s")
    big = AssociationSet(assocs)
    seconds, frame = _time(big.to_frame)
    print(f"  to_frame ({len(frame)} member rows)       {seconds * 1000:8.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        unique = AssociationSet(a.with_filename(f"{i:05d}_asn.json") for i, a in enumerate(big))
        seconds, _ = _time(lambda: unique.write(tmp))
    print(f"  write {n} files (atomic)             {seconds * 1000:8.1f} ms  {n / seconds:8.0f}/s")
    return 0
