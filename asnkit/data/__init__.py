"""Data shipped with asnkit: real jwst test pools, real exposure headers, a demo program.

Examples
--------
>>> from asnkit import data
>>> data.pool_path("pool_018_all_exptypes").name
'pool_018_all_exptypes.csv'
>>> "mega_pool" in data.pool_names()
True
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["data_path", "pool_names", "pool_path"]


def data_path(*parts: str) -> Path:
    """Path of a file or folder inside ``asnkit/data``."""
    return Path(str(files("asnkit.data").joinpath(*parts)))


def pool_names() -> list[str]:
    """Names (without ``.csv``) of the pools shipped in the package."""
    return sorted(p.stem for p in data_path("pools").glob("*.csv"))


def pool_path(name: str) -> Path:
    """Path of a shipped pool, by name with or without ``.csv``.

    Raises
    ------
    FileNotFoundError
        No shipped pool has that name; the message lists those that exist.
    """
    stem = name[:-4] if name.endswith(".csv") else name
    path = data_path("pools", f"{stem}.csv")
    if not path.exists():
        from asnkit.errors import PoolFileNotFoundError

        raise PoolFileNotFoundError(
            f"no shipped pool named {name!r}; shipped pools: {', '.join(pool_names())}",
            path=str(path),
        )
    return path
