"""What matching asks of every exposure once, computed for the whole pool at once.

An exposure's own role (:func:`asnkit.dms.exposures.exposure_type`: pointing type,
EXP_TYPE class, special flags) is asked by most rules, and the first time for
each exposure it was computed on its own (a dozen column reads and lookups).
It reads only the columns :data:`asnkit.rules.predicates.exposure_type_of_item`
declares, so :func:`fill_roles` computes it once per distinct combination of
their values and fills the table's per-row cache (``Table.exposure_types``,
read by the member roles). A combination the role cannot be told for (no
``exp_type``) is left out: those rows are computed, and refused, as before.
"""

from __future__ import annotations

import numpy as np

from asnkit.dms.exposures import exposure_type
from asnkit.engine.table import Table
from asnkit.rules.predicates import exposure_type_of_item

__all__ = ["fill_roles", "row_combinations"]


def row_combinations(table: Table, columns: tuple[str, ...]) -> tuple[np.ndarray, list[dict]]:
    """``(codes, combinations)``: per row, the number of its combination of values in
    ``columns``; each combination as a mapping of those columns (an absent column is
    left out: ``get`` gives None, as an :class:`~asnkit.engine.table.Item`'s does)."""
    key = np.zeros(table.n, dtype=np.int64)
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []
    size = 1
    for column in dict.fromkeys(columns):
        coded = table.coded(column)
        if coded is None:
            continue
        codes, texts = coded
        if size * max(len(texts), 1) >= 2**62:  # cannot pack more: the rest per row
            raise OverflowError(column)
        # a text under two codes only splits its combination in two (still exact)
        key += codes.astype(np.int64) * size
        size *= max(len(texts), 1)
        parts.append((column, codes, texts))
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    combos = [
        {column: texts[codes[row]] for column, codes, texts in parts} for row in first.tolist()
    ]
    return inverse.reshape(-1), combos


def fill_roles(table: Table) -> None:
    """Fill ``table.exposure_types`` (per row: its own role) for every row whose role can be
    told (the others stay None)."""
    columns = exposure_type_of_item.columns
    if columns is None or table.n == 0:
        return
    try:
        codes, combos = row_combinations(table, columns)
    except OverflowError:  # (values too many to pack: each row's is computed when asked)
        return
    kinds: list[str | None] = []
    for combo in combos:
        try:
            kinds.append(exposure_type(combo))
        except LookupError:  # no exp_type: the role lookup refuses it, row by row
            kinds.append(None)
    per_row = np.asarray(kinds, dtype=object)[codes].tolist()
    roles = table.exposure_types
    if None in kinds:
        for row, kind in enumerate(per_row):
            if kind is not None:
                roles[row] = kind
    else:  # (a role computed before is the same)
        roles[:] = per_row
