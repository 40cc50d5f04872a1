"""Subcommands of the ``asnkit`` command line for asnkit.batch: ``asnkit generate-many``.

.. code-block:: console

    $ asnkit generate-many pools/*.csv -o out/ --workers 2
    $ asnkit generate-many pools/ -o out/ --scheduler dask
    $ asnkit generate-many 'pools/*.csv' -o /shared/out --scheduler tcp://head:8786
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from asnkit.batch.manifest import MANIFEST_NAME
from asnkit.errors import ExitStatus, command_line_message, exit_status_help
from asnkit.rules import RULE_SETS, rule_set

__all__ = ["Progress", "make_scheduler", "register", "run_generate_many", "summary_table"]

_MAX_LISTED = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the ``asnkit`` parser."""
    parser = subparsers.add_parser(
        "generate-many",
        help="generate the associations of many pools (restartable; processes or dask)",
        description=(
            "Generate the DMS associations of many pools, as 'asnkit generate' does for "
            "one: DIR/<pool name>/ gets each pool's association files, written whole or "
            "not at all, and DIR/manifest.jsonl records each pool's content hash, status, "
            "association count, time, warnings and error. Run it again to finish an "
            "interrupted run: pools already done with the same content and settings are "
            "skipped; changed, failed and unfinished ones are redone. A bad pool is "
            "recorded as failed and the others go on."
        ),
        epilog=(
            exit_status_help("when a pool failed (the others are done or skipped)")
            + " For SLURM/PBS clusters see the README (dask-jobqueue)."
        ),
    )
    parser.add_argument(
        "pools",
        nargs="+",
        metavar="POOL",
        help="pool files, folders (their *.csv) or quoted glob patterns",
    )
    parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DIR", help="output folder (created)"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="worker processes (default: one per core; 1: in this process, one pool at a time)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDR",
        help=(
            "'dask' for a dask LocalCluster (--workers sets its size), or a running dask "
            "scheduler's address such as tcp://host:8786; needs pip install 'asnkit[dask]'"
        ),
    )
    parser.add_argument(
        "--rules", choices=RULE_SETS, default="all", help="which DMS rule set (default: all)"
    )
    parser.add_argument(
        "--version-id",
        nargs="?",
        const=True,
        default=None,
        help=(
            "version stamp in file names; without a value, the current UTC time (one for "
            "the run; pools skipped by a rerun keep theirs)"
        ),
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace folders named like a pool that the manifest does not list",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar (it shows only on a terminal)"
    )
    parser.set_defaults(run=run_generate_many)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def make_scheduler(workers: int | None, scheduler: str | None) -> Any:
    """The scheduler that ``--workers`` and ``--scheduler`` ask for.

    Examples
    --------
    >>> make_scheduler(None, None), make_scheduler(1, None), make_scheduler(4, None)
    (Processes(workers=None), Serial(), Processes(workers=4))
    >>> make_scheduler(2, "dask")
    Dask(address=None, workers=2, processes=True)
    >>> make_scheduler(None, "tcp://head:8786")
    Dask(address='tcp://head:8786', workers=None, processes=True)
    """
    from asnkit.batch.schedulers import Dask, Processes, Serial

    if scheduler is None:
        return Serial() if workers == 1 else Processes(workers)
    if scheduler == "dask":
        return Dask(workers=workers)
    if "://" not in scheduler and ":" not in scheduler:
        raise ValueError(
            f"--scheduler {scheduler!r}: give 'dask' or a scheduler address (tcp://host:8786)"
        )
    if workers is not None:
        raise ValueError("--workers goes with a local run or --scheduler dask, not an address")
    return Dask(address=scheduler)


class Progress:
    """A tqdm bar with one tick per pool and the failures counted as they happen.

    Parameters
    ----------
    total : int
        Pools in the run.
    file : text stream, optional
        Where the bar is drawn (default: standard error).
    disable : bool or None
        ``None`` (default): draw only on a terminal.
    """

    def __init__(self, total: int, *, file: Any = None, disable: bool | None = None) -> None:
        from tqdm import tqdm

        self.failed = 0
        self.bar = tqdm(
            total=total,
            unit="pool",
            desc="generate-many",
            file=file if file is not None else sys.stderr,
            disable=disable,
            dynamic_ncols=True,
        )
        self.bar.set_postfix(failed=0, refresh=False)

    def __call__(self, record: Any) -> None:
        from asnkit.batch.manifest import PoolStatus

        if record.status is PoolStatus.FAILED:
            self.failed += 1
            self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


#: Pools with warnings named in the closing table (the rest: in the manifest).
_NAMED = 5


def summary_table(result: Any) -> str:
    """The closing table of ``asnkit generate-many``.

    Rows: pools (done, skipped, failed), associations written, pools with
    warnings, time (and pools per second).
    """
    counts = result.counts
    warned = [r.pool for r in result.records if r.warnings]
    rate = len(result.records) / result.seconds if result.seconds > 0 else 0.0
    rows = [
        ("pools", f"{len(result.records)}"),
        ("  done", f"{counts['done']}"),
        ("  skipped", f"{counts['skipped']}"),
        ("  failed", f"{counts['failed']}"),
        ("associations written", f"{result.associations}"),
        ("pools with warnings", f"{len(warned)}"),
        ("time", f"{result.seconds:.1f} s ({rate:.1f} pools/s)"),
    ]
    width = max(len(v) for _, v in rows)
    lines = [f"{name:<22s}{value:>{width}s}" for name, value in rows]
    if warned:  # which ones; the manifest has every pool's warnings
        shown = ", ".join(warned[:_NAMED])
        more = f" and {len(warned) - _NAMED} more" if len(warned) > _NAMED else ""
        lines.insert(6, f"  {shown}{more} (their warnings: in the manifest)")
    lines.append(f"manifest: {result.out_dir / MANIFEST_NAME}")
    return "\n".join(lines)


def run_generate_many(args: argparse.Namespace) -> int:
    """Run ``asnkit generate-many``; return the exit status."""
    from asnkit.batch.many import expand_pools, generate_many

    prog = "asnkit generate-many"
    try:
        scheduler = make_scheduler(args.workers, args.scheduler)
        pools = expand_pools(args.pools)
        rules = rule_set(args.rules)
    except OSError:
        raise  # no pool file: reported by asnkit.cli (TROUBLE, as a usage error)
    except ValueError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return ExitStatus.TROUBLE
    progress = Progress(len(pools), disable=True if args.no_progress else None)
    try:
        result = generate_many(
            pools,
            args.output,
            rules=rules,
            version_id=args.version_id,
            scheduler=scheduler,
            overwrite=args.overwrite,
            progress=progress,
        )
    except KeyboardInterrupt:
        progress.close()
        print(f"{prog}: interrupted; run the same command again to finish", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except ImportError as exc:
        progress.close()
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return ExitStatus.TROUBLE
    except OSError as exc:
        progress.close()
        print(f"{prog}: error: {command_line_message(exc)}", file=sys.stderr)
        return ExitStatus.TROUBLE
    progress.close()
    print(summary_table(result))
    failed = result.failed
    for record in failed[:_MAX_LISTED]:
        print(f"{prog}: failed: {record.pool}: {record.error}", file=sys.stderr)
    if len(failed) > _MAX_LISTED:
        print(
            f"{prog}: ... and {len(failed) - _MAX_LISTED} more failed pools "
            f"(see {result.out_dir / MANIFEST_NAME})",
            file=sys.stderr,
        )
    return ExitStatus.FOUND if failed else ExitStatus.OK
