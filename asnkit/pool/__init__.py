"""Association pools as pandas DataFrames: read, write, build from headers, select."""

from asnkit.pool.candidates import candidate_ids, explode_candidates, parse_candidates
from asnkit.pool.read import read_pool

__all__ = ["candidate_ids", "explode_candidates", "parse_candidates", "read_pool"]
