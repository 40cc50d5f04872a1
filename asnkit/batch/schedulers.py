"""Where the pools of :func:`~asnkit.batch.generate_many` are generated.

A scheduler runs ``function(shared, task)`` for every task and yields
``(task, result)`` as each one ends (``result`` is the exception when the
call itself failed). Three are provided, each built on an existing engine:

* :class:`Serial` -- one after the other, in this process;
* :class:`Processes` -- a local pool of worker processes
  (:class:`concurrent.futures.ProcessPoolExecutor`);
* :class:`Dask` -- a :mod:`dask.distributed` cluster: a new
  ``LocalCluster``, a running scheduler's address (``tcp://host:8786``) or
  your own ``Client`` (e.g. on a dask-jobqueue SLURM/PBS cluster).

``shared`` (the rules and settings) is sent to each worker once, not with
every task.

Examples
--------
>>> def add(shared, task):
...     return shared + task
>>> sorted(result for task, result in Serial().map(add, 10, [1, 2, 3]))
[11, 12, 13]
>>> Processes(workers=2)
Processes(workers=2)
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import secrets
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

__all__ = ["Dask", "Processes", "Scheduler", "Serial", "default_workers"]

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (not Linux)
        return max(1, os.cpu_count() or 1)


class Scheduler(Protocol):
    """Anything with this ``map`` can run :func:`~asnkit.batch.generate_many`."""

    def map(
        self, function: Callable[[Any, T], R], shared: Any, tasks: Sequence[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        """Call ``function(shared, task)`` for each task; yield ``(task, result)`` as each ends.

        ``result`` is the exception when the call raised or its worker died.
        Stopping the iteration early cancels the tasks not started.
        """
        ...  # pragma: no cover


@dataclasses.dataclass(frozen=True)
class Serial:
    """One task after the other in this process (``--workers 1``)."""

    def map(
        self, function: Callable[[Any, T], R], shared: Any, tasks: Sequence[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        for task in tasks:
            try:
                result: R | BaseException = function(shared, task)
            except Exception as exc:
                result = exc
            yield task, result


# Set in each worker process by its initializer: what every task of the pool shares.
_WORKER_SHARED: dict[str, Any] = {}


def _remember(function: Callable[[Any, Any], Any], shared: Any, parent: int) -> None:
    """A worker's initializer: keep what every task shares; end with ``parent``."""
    _WORKER_SHARED["function"] = function
    _WORKER_SHARED["shared"] = shared
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker when ``parent``, the process that started it, is gone (``kill -9`` too).

    Without this, workers of a killed run would wait forever for tasks: each
    holds the task queue's writing end itself, so it never reads end-of-file.
    ``parent`` is the pid the starting process gave, not ``os.getppid()`` read
    here: a worker still starting up when its parent is killed would read its
    new parent (init) and never end.
    """
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _call(task: Any) -> Any:
    return _WORKER_SHARED["function"](_WORKER_SHARED["shared"], task)


@dataclasses.dataclass(frozen=True)
class Processes:
    """A pool of local worker processes (``--workers N``, the default).

    Parameters
    ----------
    workers : int, optional
        How many processes; default: the CPU cores this process may use.

    Notes
    -----
    Workers are started with ``spawn`` (a fresh interpreter each, safe
    whatever threads this process runs), so a script that calls
    :func:`~asnkit.batch.generate_many` must do so under
    ``if __name__ == "__main__":``, as usual with :mod:`multiprocessing`.
    """

    workers: int | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be 1 or more, not {self.workers}")

    def map(
        self, function: Callable[[Any, T], R], shared: Any, tasks: Sequence[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        if not tasks:
            return
        workers = min(self.workers or default_workers(), len(tasks))
        # A worker that dies (killed, out of memory, a crash in a C library) breaks
        # the whole pool, failing every task it held: those are suspects. The other
        # tasks go on in a new pool; then the suspects run one at a time in a pool of
        # one, so a break names the task at fault and only that one fails.
        queue = iter(tasks)
        suspects: list[T] = []
        while lost := (yield from self._run(function, shared, queue, workers, 4)):
            suspects.extend(task for task, _ in lost)
        queue = iter(suspects)
        while lost := (yield from self._run(function, shared, queue, 1, 1)):
            yield from lost

    def _run(
        self,
        function: Callable[[Any, T], R],
        shared: Any,
        queue: Iterator[T],
        workers: int,
        depth: int,
    ) -> Generator[tuple[T, R | BaseException], None, list[tuple[T, BaseException]]]:
        """Run tasks from ``queue`` (``depth`` queued per worker) in a new pool.

        Yields each result; returns, without yielding them, the tasks lost when
        the pool broke (then the queue may hold more), or ``[]`` when it is empty.
        """
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_remember,
            initargs=(function, shared, os.getpid()),
        )
        pending: dict[Future, T] = {}
        lost: list[tuple[T, BaseException]] = []
        try:
            # a few tasks queued per worker, not all of them: memory stays flat for
            # any count, and a pool that breaks holds few tasks
            for task in _take(queue, depth * workers):
                pending[executor.submit(_call, task)] = task
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    error = future.exception()
                    if isinstance(error, BrokenExecutor):
                        lost.append((task, error))
                        continue
                    yield task, (error if error is not None else future.result())
                    if not lost:
                        for more in _take(queue, 1):
                            pending[executor.submit(_call, more)] = more
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        return lost


def _take(items: Iterator[T], count: int) -> list[T]:
    out = []
    for item in items:
        out.append(item)
        if len(out) == count:
            break
    return out


def _shared(value: T) -> T:
    """The value shared by every task of a dask run (a task, so a lost result is recomputed)."""
    return value


@dataclasses.dataclass(frozen=True)
class Dask:
    """A :mod:`dask.distributed` cluster (needs ``pip install 'asnkit[dask]'``).

    Parameters
    ----------
    address : str, optional
        A running scheduler (``tcp://host:8786``). Default: start a
        ``LocalCluster`` for the run and stop it afterwards.
    workers : int, optional
        Workers of the ``LocalCluster`` (one thread each); default: one per core.
    processes : bool
        ``LocalCluster`` workers are processes (default) or threads of this
        process (quick to start; pools then take turns, as generation holds
        the GIL).
    client : distributed.Client, optional
        Your own client (e.g. of a dask-jobqueue ``SLURMCluster``); it is left
        open. Overrides ``address``.

    Notes
    -----
    Workers on other machines must have asnkit installed and see the pool
    files and the output folder at the same paths (a shared file system).
    The run waits for workers to come (batch jobs still queued), and goes on
    when workers end and others take their place.
    """

    address: str | None = None
    workers: int | None = None
    processes: bool = True
    client: Any = dataclasses.field(default=None, compare=False, repr=False)

    def map(
        self, function: Callable[[Any, T], R], shared: Any, tasks: Sequence[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        if not tasks:
            return
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise ImportError(
                "the dask scheduler needs dask.distributed: pip install 'asnkit[dask]'"
            ) from None
        with contextlib.ExitStack() as stack:
            client = self.client
            if client is None and self.address:
                client = stack.enter_context(Client(self.address))
            elif client is None:
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=self.workers or default_workers(),
                        threads_per_worker=1,
                        processes=self.processes,
                        # The scheduler serves HTTP even without a dashboard, by default on
                        # port 8787 of every interface: a port another cluster may hold
                        # ("Port 8787 is already in use" warning). A free loopback port.
                        dashboard_address="127.0.0.1:0",
                        scheduler_kwargs={"dashboard": False},
                        silence_logs=logging.ERROR,  # no shutdown chatter amid the results
                    )
                )
                client = stack.enter_context(Client(cluster))
            run = secrets.token_hex(4)
            # Not client.scatter: scattering waits for a worker (30 s, then "No valid workers
            # found") while batch jobs may queue for hours, and scattered data is gone for
            # good once every worker holding it ends (walltime). A task's result is
            # recomputed from its spec, which the scheduler keeps.
            shared_data = client.submit(_shared, shared, key=f"asnkit-shared-{run}", pure=False)
            keys = [f"asnkit-generate-{index}-{run}" for index in range(len(tasks))]
            futures = client.map(function, [shared_data] * len(tasks), tasks, key=keys, pure=False)
            task_of = dict(zip(futures, tasks, strict=True))
            del futures
            try:
                for future in as_completed(list(task_of)):
                    task = task_of.pop(future)
                    if future.status == "error":
                        result = future.exception()
                    elif future.status == "cancelled":
                        result = RuntimeError("the dask cluster cancelled this task")
                    else:
                        result = future.result()
                    future.release()  # the cluster forgets it
                    yield task, result
            finally:
                if task_of:
                    client.cancel(list(task_of))
                shared_data.release()
