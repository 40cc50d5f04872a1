"""asnkit: JWST association pools and associations, interactively.

Read a pool into pandas, explore it with the ``df.asn`` accessor, generate the
standard DMS associations (the same as ``asn_generate``, much faster), build
custom ones, validate and write them, and look at them on the sky.

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> len(pool)
8
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
>>> nircam = pool.asn.select(instrume="nircam", filter=["f090w", "f2*"]).asn.observation(1)
>>> nircam["filter"].value_counts().to_dict()
{'f090w': 8, 'f277w': 2}
>>> pool.asn.summary().loc[0, ["obs_num", "filter", "exposures", "candidates"]].to_dict()
{'obs_num': '1', 'filter': 'f090w', 'exposures': 8, 'candidates': 'o001'}
"""

from __future__ import annotations

from asnkit.errors import AssociationError, AssociationWarning, PoolError, PoolWarning
from asnkit.lazy import import_after, lazy_getattr
from asnkit.version import __version__

# ``DataFrame.asn`` is registered once pandas is imported (at once if it is), by
# whoever imports it: asnkit itself imports pandas only where a frame is made, so
# ``asnkit generate`` never imports it.
import_after("pandas", "asnkit.accessor")

# Public names and the module that defines each. They are imported on first
# use, so ``import asnkit`` stays cheap (no matplotlib, astropy or jsonschema).
_LAZY: dict[str, str] = {
    # pools
    "read_pool": "asnkit.pool.read",
    "write_pool": "asnkit.pool.write",
    "pool_from_files": "asnkit.pool.headers",
    "select": "asnkit.pool.select",
    "science": "asnkit.pool.select",
    "observation": "asnkit.pool.select",
    "candidate": "asnkit.pool.select",
    "parse_candidates": "asnkit.dms.candidates",
    "explode_candidates": "asnkit.pool.candidates",
    "candidate_ids": "asnkit.pool.candidates",
    "summary": "asnkit.pool.summary",
    "label_positions": "asnkit.pool.labels",
    # association documents
    "Association": "asnkit.documents.model",
    "AssociationSet": "asnkit.documents.collection",
    "read_asn": "asnkit.documents.io",
    "read_asn_set": "asnkit.documents.io",
    "load_asn": "asnkit.documents.io",  # deprecated: read_asn
    "load_set": "asnkit.documents.io",  # deprecated: read_asn_set
    "validate": "asnkit.documents.validation",
    "is_valid": "asnkit.documents.validation",
    "iter_errors": "asnkit.documents.validation",
    "diff": "asnkit.documents.diff",
    "check": "asnkit.documents.checks",
    "asn_from_files": "asnkit.documents.build",
    "from_files": "asnkit.documents.build",  # deprecated: asn_from_files
    "to_association": "asnkit.documents.build",
    # rules and generation
    "run": "asnkit.generation.run",
    "Run": "asnkit.generation.run",
    "generate": "asnkit.generation.generate",
    "apply_rules": "asnkit.generation.generate",
    "explain": "asnkit.generation.explain",
    "orphans": "asnkit.generation.explain",
    "compare_rules": "asnkit.generation.explain",
    # many pools
    "generate_many": "asnkit.batch.many",
    "read_manifest": "asnkit.batch.manifest",
    # sky
    "footprints": "asnkit.sky.footprints",
    "plot_sky": "asnkit.sky.plot",
    "plot_grid": "asnkit.sky.plot",
    "ds9_regions": "asnkit.sky.export",
    "to_regions": "asnkit.sky.export",
    # subpackages
    "batch": "asnkit.batch",
    "data": "asnkit.data",
    "dms": "asnkit.dms",
    "rules": "asnkit.rules",
    "sky": "asnkit.sky",
    "widgets": "asnkit.widgets",
}

__all__ = [
    "Association",
    "AssociationError",
    "AssociationSet",
    "AssociationWarning",
    "PoolError",
    "PoolWarning",
    "Run",
    "__version__",
    "apply_rules",
    "asn_from_files",
    "batch",
    "candidate",
    "candidate_ids",
    "check",
    "compare_rules",
    "data",
    "diff",
    "dms",
    "ds9_regions",
    "explain",
    "explode_candidates",
    "footprints",
    "generate",
    "generate_many",
    "is_valid",
    "iter_errors",
    "label_positions",
    "observation",
    "orphans",
    "parse_candidates",
    "plot_grid",
    "plot_sky",
    "pool_from_files",
    "read_asn",
    "read_asn_set",
    "read_manifest",
    "read_pool",
    "rules",
    "run",
    "science",
    "select",
    "sky",
    "summary",
    "to_association",
    "to_regions",
    "validate",
    "widgets",
    "write_pool",
]


__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return __all__
