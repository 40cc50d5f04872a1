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

from asnkit.batch.manifest import PoolRecord, PoolStatus, read_manifest
from asnkit.batch.many import ManyResult, generate_many
from asnkit.batch.schedulers import Dask, Processes, Scheduler, Serial

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
