"""asnkit.batch: the associations of many pools, on one machine or a dask cluster.

* :func:`~asnkit.batch.many.generate_many` -- one output folder per pool,
  each written whole or not at all, a manifest of what became of each pool,
  reruns that redo only changed, failed or unfinished pools
  (also ``asnkit.generate_many`` and ``asnkit generate-many``);
* :func:`~asnkit.batch.manifest.read_manifest` -- that manifest as a DataFrame;
* schedulers (:mod:`asnkit.batch.schedulers`): :class:`Serial`,
  :class:`Processes` (default), :class:`Dask`.

Modules: ``many`` (the driver: skips, staging, moving folders into place),
``work`` (one pool, in a worker), ``manifest`` (the JSON-lines manifest and
its lock), ``schedulers``, ``commands`` (``asnkit generate-many``).
"""

from __future__ import annotations

from asnkit.lazy import lazy_getattr

# Imported on first use: the command line reads only MANIFEST_NAME to build its parser.
_LAZY: dict[str, str] = {
    "PoolRecord": "asnkit.batch.manifest",
    "PoolStatus": "asnkit.batch.manifest",
    "read_manifest": "asnkit.batch.manifest",
    "ManyResult": "asnkit.batch.many",
    "generate_many": "asnkit.batch.many",
    "Dask": "asnkit.batch.schedulers",
    "Processes": "asnkit.batch.schedulers",
    "Scheduler": "asnkit.batch.schedulers",
    "Serial": "asnkit.batch.schedulers",
}

__all__ = [
    "Dask",
    "ManyResult",
    "PoolRecord",
    "PoolStatus",
    "Processes",
    "Scheduler",
    "Serial",
    "generate_many",
    "read_manifest",
]


__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
