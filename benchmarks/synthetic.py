"""Realistic synthetic association pools of any size, for benchmarks.

A synthetic pool is made of copies of the real pools shipped with the tests
(``tests/data/pools``: the jwst test pools and real DMS pools such as
mega_pool), each copy under new program ids and with unique file names, so
every copy forms its own associations exactly as the original does.
Junk ``set acid`` rows and the pool without ``asn_candidate`` are left out.

``python benchmarks/synthetic.py ROWS OUT.csv [--seed N]`` writes one.

Examples
--------
>>> pool = synthetic_pool(500, seed=1)
>>> len(pool), pool["filename"].is_unique
(500, True)
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "SOURCE_DIR",
    "main",
    "nircam_observation",
    "renamed_copy",
    "source_pools",
    "synthetic_pool",
]

#: Where the source pools are read from.
SOURCE_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "pools"
_SKIP = ("jw93060_20150312T160130_pool",)  # predates asn_candidate


def source_pools(directory: Path = SOURCE_DIR) -> list[pd.DataFrame]:
    """The real pools copies are made of, without junk rows."""
    from asnkit import read_pool

    pools = []
    for path in sorted(directory.glob("*.csv")):
        if path.stem in _SKIP:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pool = read_pool(path)
        pool = pool[~pool["filename"].str.contains(r"\s", regex=True, na=True)]
        pools.append(pool.reset_index(drop=True))
    return pools


def renamed_copy(pool: pd.DataFrame, copy: int, first_program: int) -> tuple[pd.DataFrame, int]:
    """``pool`` under new program ids (from ``first_program`` on) and file names (``-s<copy>``).

    Returns the copy and the next free program number.
    """
    out = pool.copy()
    programs = list(dict.fromkeys(out["program"].dropna()))
    mapping = {old: f"{(first_program + i) % 90000 + 10000:05d}" for i, old in enumerate(programs)}
    out["program"] = out["program"].map(mapping)
    stem = out["filename"].str.replace(r"_uncal\.fits$", "", regex=True, case=False)
    out["filename"] = stem + f"-s{copy:05d}_uncal.fits"
    return out, first_program + len(programs)


def synthetic_pool(rows: int, seed: int = 0, directory: Path = SOURCE_DIR) -> pd.DataFrame:
    """A pool of ``rows`` rows made of renamed copies of the real pools.

    Parameters
    ----------
    rows : int
        Number of rows; the last copy is cut to fit.
    seed : int
        Seed of the order in which source pools are copied.
    directory : path
        Folder of source pools.

    Returns
    -------
    pandas.DataFrame
        ``attrs["asn_pool"]`` is ``synthetic_<rows>.csv``.
    """
    sources = source_pools(directory)
    rng = np.random.default_rng(seed)
    parts: list[pd.DataFrame] = []
    total = 0
    copy = 0
    program = 0
    while total < rows:
        for index in rng.permutation(len(sources)):
            part, program = renamed_copy(sources[index], copy, program)
            copy += 1
            parts.append(part.iloc[: rows - total])
            total += len(parts[-1])
            if total >= rows:
                break
    pool = pd.concat(parts, ignore_index=True)
    pool = pool.astype("str").where(pool.notna(), np.nan) if len(pool) else pool
    pool.attrs["asn_pool"] = f"synthetic_{rows}.csv"
    pool.attrs["pool_file"] = f"synthetic_{rows}.csv"
    return pool


def nircam_observation(rows: int, directory: Path = SOURCE_DIR) -> pd.DataFrame:
    """One observation of ``rows`` NIRCam images in 4 filters (F090W F150W F277W F444W).

    Made of the first row of ``pool_003_image_nircam`` (program 99009,
    observation 1), one quarter of the rows per filter, short-wave filters on
    the 8 short detectors and long-wave ones on NRCALONG/NRCBLONG: Level 3
    makes 4 image3 associations of ``rows / 4`` members (the shape of a large
    mosaic), Level 2b one image2 association per exposure.

    >>> pool = nircam_observation(16)
    >>> pool["filter"].value_counts().to_dict()
    {'f090w': 4, 'f150w': 4, 'f277w': 4, 'f444w': 4}
    """
    from asnkit import read_pool

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = read_pool(directory / "pool_003_image_nircam.csv").iloc[[0]]
    pool = first.loc[first.index.repeat(rows)].reset_index(drop=True)
    k = np.arange(rows)
    filters = np.array(["f090w", "f150w", "f277w", "f444w"])[(k * 4) // max(rows, 1)]
    long = np.isin(filters, ["f277w", "f444w"])
    short = np.array([f"nrc{module}{d}" for module in "ab" for d in range(1, 5)])
    detector = np.where(long, np.where(k % 2 == 0, "nrcalong", "nrcblong"), short[k % 8])
    pool["filter"] = filters
    pool["detector"] = detector
    pool["channel"] = np.where(long, "long", "short")
    pool["module"] = [d[3] for d in detector]
    pool["expspcin"] = (k // 8 + 1).astype(str)
    pool["filename"] = [
        f"jw99009001001_02101_{i + 1:05d}_{d}_uncal.fits" for i, d in zip(k, detector, strict=True)
    ]
    pool.attrs["asn_pool"] = f"nircam_observation_{rows}.csv"
    pool.attrs["pool_file"] = f"nircam_observation_{rows}.csv"
    return pool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic association pool.")
    parser.add_argument("rows", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from asnkit.pool.write import write_pool

    write_pool(synthetic_pool(args.rows, args.seed), args.output, overwrite=True)
    print(f"{args.rows} rows written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
