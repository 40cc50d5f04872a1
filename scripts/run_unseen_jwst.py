#!/usr/bin/env python3
"""Record what jwst ``asn_generate`` writes for the unseen pools (run by hand, never by tests).

usage: python scripts/run_unseen_jwst.py [--asn-generate PATH] [POOL_NAME ...]

For every pool in ``tests/data/unseen/pools/`` (or the named ones), one after
the other, it runs::

    ASN_GENERATE POOL -p TMPDIR --version-id 20250101t000000

(default ``/tmp/jwstenv/bin/asn_generate``, jwst 3.0.0 in a throwaway venv),
saves the association files it wrote under
``tests/data/unseen/expected/<pool>/`` without their ``constraints`` field
(its text holds memory addresses and it is most of the bytes), and writes
``tests/data/unseen/summary.tsv``: rows read, jwst's exit status, wall time,
associations written and, when jwst failed, the last line of its error.
Rows for pools not named keep their previous values.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_unseen_pools import read_text_pool

__all__ = ["main", "run_one"]

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "data" / "unseen"
VERSION_ID = "20250101t000000"
COLUMNS = ("pool", "rows", "jwst_exit", "jwst_seconds", "associations", "jwst_error")
DROPPED = ("constraints",)


def run_one(asn_generate: str, pool: Path) -> dict[str, str]:
    """Run jwst on ``pool``; save its associations; return the summary row."""
    expected = UNSEEN / "expected" / pool.stem
    with tempfile.TemporaryDirectory() as out:
        cmd = [asn_generate, str(pool), "-p", out, "--version-id", VERSION_ID]
        t0 = time.monotonic()
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=pool.parent)
        seconds = time.monotonic() - t0
        files = sorted(Path(out).glob("*.json"))
        if expected.exists():
            shutil.rmtree(expected)
        if run.returncode == 0:
            expected.mkdir(parents=True)
            for path in files:
                document = json.loads(path.read_text())
                for key in DROPPED:
                    document.pop(key, None)
                (expected / path.name).write_text(json.dumps(document, indent=4) + "\n")
    error = ""
    if run.returncode != 0:
        lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
        error = lines[-1][:200] if lines else ""
    return {
        "pool": pool.stem,
        "rows": str(len(read_text_pool(pool).rows)),
        "jwst_exit": str(run.returncode),
        "jwst_seconds": f"{seconds:.3f}",
        "associations": str(len(files) if run.returncode == 0 else 0),
        "jwst_error": error.replace("\t", " "),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asn-generate", default="/tmp/jwstenv/bin/asn_generate")
    parser.add_argument("pools", nargs="*", help="pool names (default: all unseen pools)")
    args = parser.parse_args(argv)
    summary_path = UNSEEN / "summary.tsv"
    table: dict[str, dict[str, str]] = {}
    if summary_path.exists():
        lines = summary_path.read_text().splitlines()
        header = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(header, line.split("\t"), strict=False))
            table[row["pool"]] = row
    pools = sorted((UNSEEN / "pools").glob("*.csv"))
    if args.pools:
        pools = [p for p in pools if p.stem in args.pools]
    for pool in pools:
        row = run_one(args.asn_generate, pool)
        table[pool.stem] = row
        print("\t".join(row[c] for c in COLUMNS), flush=True)
        body = ["\t".join(COLUMNS)]
        body += ["\t".join(table[name].get(c, "") for c in COLUMNS) for name in sorted(table)]
        summary_path.write_text("\n".join(body) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
