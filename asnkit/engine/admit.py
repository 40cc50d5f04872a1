"""What generation refuses before it starts: pools it cannot use, rules naming absent columns.

Both checks run first in :func:`asnkit.engine.pipeline.run_engine`, so a bad pool
is refused with a :class:`~asnkit.PoolError` naming its file, column and line
before any association is formed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asnkit.errors import PoolError
from asnkit.pool.coded import CodedPool, check_identifiers, code_frame
from asnkit.rules.model import Rule, missing_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["REQUIRED_COLUMNS", "check_pool", "check_rule_columns"]


#: Columns the engine reads from every exposure that starts an association.
REQUIRED_COLUMNS = ("filename", "program", "targetid")


def check_pool(pool: CodedPool | pd.DataFrame) -> None:
    """Refuse a pool generation cannot use, before generating.

    The pool needs the :data:`REQUIRED_COLUMNS` (``asn_generate`` stops with
    ``KeyError`` without them), and its programs and candidate ids become
    parts of file names: they must be DMS identifiers
    (:func:`asnkit.pool.coded.check_identifiers`; frames built in memory never
    went through :func:`asnkit.read_pool`).

    Raises
    ------
    asnkit.PoolError
        Naming the pool file, the column and the line (or row).
    """
    if not isinstance(pool, CodedPool):
        pool = code_frame(pool)
    name = pool.attrs.get("pool_file") or pool.attrs.get("asn_pool") or "in-memory pool"
    lowered: dict[str, Any] = {}
    for column in pool.columns:  # (read_pool refuses such a header; a frame may have one)
        key = str(column).lower()
        if key in lowered:
            raise PoolError(
                f"columns {lowered[key]!r} and {column!r} have the same name (a pool's column "
                "names are case-insensitive)",
                file=str(name),
                column=key,
            )
        lowered[key] = column
    for column in REQUIRED_COLUMNS:
        if column not in lowered:
            raise PoolError(
                f"no {column!r} column: the rules read it from every exposure that starts "
                "an association (asn_generate stops with KeyError too)",
                file=str(name),
                column=column,
            )
    check_identifiers(pool)


def check_rule_columns(pool: CodedPool | pd.DataFrame, rules: Iterable[Rule]) -> None:
    """Raise :class:`~asnkit.PoolError` when a rule names a column the pool lacks.

    Only the columns a user named (``select`` / ``agree`` of
    :func:`asnkit.rules.custom.rule`, :attr:`Rule.columns`) are required: the DMS rules
    read missing columns as empty, as jwst does.
    """
    columns = list(pool.columns)
    missing = missing_columns(rules, columns)
    if missing:
        name, column = missing[0]
        raise PoolError(
            f"rule {name!r} names column {column!r}, which the pool does not have "
            f"(columns: {', '.join(map(str, columns[:12]))}"
            f"{', ...' if len(columns) > 12 else ''})",
            file=pool.attrs.get("asn_pool"),
            column=column,
        )
