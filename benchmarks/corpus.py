"""A synthetic archive: N programs' pools, one file each, for ``generate-many``.

Each program is a renamed copy of one real pool (:mod:`synthetic`: the pools
shipped with the tests, junk rows left out): new program ids, file names
ending ``-s<copy>_uncal.fits``, so each copy makes its own associations as the
original does. The real pools are taken in turn (shuffled by ``--seed``), so
1,000 programs hold about 36 copies of each, mega_pool included. Files are
named as DMS pools are, ``jw<program>_20250101t000000_pool.csv``.

``python benchmarks/corpus.py 1000 corpus/ [--seed N]`` writes one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

try:
    from synthetic import renamed_copy, source_pools  # benchmarks/ on sys.path
except ImportError:  # pragma: no cover
    from benchmarks.synthetic import renamed_copy, source_pools

__all__ = ["main", "make_corpus"]


def make_corpus(
    programs: int, folder: str | os.PathLike[str], *, seed: int = 0, overwrite: bool = False
) -> dict[Path, str]:
    """Write ``programs`` synthetic program pools into ``folder``.

    Returns
    -------
    dict
        Each pool file written and the name of the real pool it copies.
    """
    from asnkit.pool.write import write_pool

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    sources = source_pools()
    order = np.random.default_rng(seed).permutation(len(sources))
    paths: dict[Path, str] = {}
    program = 0
    for copy in range(programs):
        source = sources[order[copy % len(sources)]]
        pool, next_program = renamed_copy(source, copy, program)
        first = pool["program"].dropna().iloc[0] if pool["program"].notna().any() else program
        name = f"jw{first}_20250101t000000_pool.csv"
        path = write_pool(pool, out / name, overwrite=overwrite)
        paths[path] = Path(str(source.attrs.get("asn_pool", "?"))).stem
        program = next_program
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic program pools.")
    parser.add_argument("programs", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    paths = make_corpus(args.programs, args.folder, seed=args.seed, overwrite=args.overwrite)
    print(f"{len(paths)} pools written to {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
