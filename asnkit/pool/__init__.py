"""Association pools as pandas DataFrames: read, write, build from headers, select, describe.

The functions are importable from here and from :mod:`asnkit` itself; the
``df.asn`` accessor forwards to them. They are imported on first use: the
modules that read a pool without pandas (:mod:`asnkit.pool.parse`,
:mod:`asnkit.pool.coded`) import none of the others.
"""

from asnkit.lazy import lazy_getattr

_LAZY = {
    "candidate_ids": "asnkit.pool.candidates",
    "explode_candidates": "asnkit.pool.candidates",
    "parse_candidates": "asnkit.pool.candidates",
    "read_pool": "asnkit.pool.read",
}

__all__ = ["candidate_ids", "explode_candidates", "parse_candidates", "read_pool"]

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return __all__
