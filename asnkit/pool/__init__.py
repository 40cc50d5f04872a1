"""Association pools as pandas DataFrames: read, write, build from headers, select, describe.

The functions are importable from here and from :mod:`asnkit` itself; the
``df.asn`` accessor forwards to them.
"""

from asnkit.pool.candidates import candidate_ids, explode_candidates, parse_candidates
from asnkit.pool.read import read_pool

__all__ = ["candidate_ids", "explode_candidates", "parse_candidates", "read_pool"]
