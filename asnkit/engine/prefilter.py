"""Whole-pool pre-checks that let the engine skip what can never match.

Two things are derived once per rule from its (immutable) constraint tree:

* :func:`possible_rows` -- which pool rows can possibly be taken by the rule.
  A row for which a constraint of fixed value fails, on the path where any
  failure makes the whole rule fail without side effects, can neither join nor
  create an association of that rule. The check runs once per distinct
  combination of the relevant columns (a pandas group-by), not once per row.
* :func:`index_keys` -- the columns whose value every association of the rule
  pins with its first exposure (on that same all-must-pass path). Existing
  associations are then found by a dict lookup on the exposure's values.

Both are conservative: when in doubt the row is possible and the column is not
a key, so results are exactly those of checking everything.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import pandas as pd

from asnkit.engine.state import CompiledRule, Table, meets
from asnkit.rules.dms import EMPTY
from asnkit.rules.model import Attr, Group, Reduce, Test

__all__ = ["index_keys", "possible_rows"]


class _O(enum.Enum):
    PASS = 1  # matches for every association state, no reprocessing
    FAIL = 2  # fails for every association state, no reprocessing
    UNKNOWN = 3


def _item_columns(fn: Any) -> tuple[str, ...] | None:
    return getattr(fn, "item_columns", None)


def _static_columns(node: Any, out: set[str]) -> bool:
    """Collect the columns static evaluation reads; False if nothing is static."""
    if isinstance(node, Group):
        any_static = False
        for child in node.children:
            any_static |= _static_columns(child, out)
        return any_static
    if isinstance(node, Attr):
        if "asn_candidate" in node.sources or node.onlyif is not None or node.evaluate:
            return False
        out.update(node.sources)
        return True
    cols = _test_columns(node)
    if cols is None:
        return False
    out.update(cols)
    return True


def _test_columns(node: Test) -> tuple[str, ...] | None:
    if node.reprocess_on_fail or node.reprocess_on_match:
        return None
    if node.source is None and node.test is None:
        return None
    source_cols = () if node.source is None else _item_columns(node.source)
    test_cols = () if node.test is None else _item_columns(node.test)
    if source_cols is None or test_cols is None:
        return None
    return (*source_cols, *test_cols)


def _attr(node: Attr, row: dict[str, str]) -> _O:
    if "asn_candidate" in node.sources or node.onlyif is not None or node.evaluate:
        return _O.UNKNOWN
    value = None
    for column in node.sources:
        v = row.get(column)
        if v is None or v in EMPTY:
            continue
        value = v
        break
    if value is None:
        if node.required and not node.force_undefined:
            return _O.FAIL
        return _O.PASS
    if node.force_undefined:
        return _O.FAIL
    pattern = node.value
    if pattern is None:
        if node.force_unique or node.force_reprocess is not None:
            return _O.UNKNOWN
        return _O.PASS
    if callable(pattern):
        return _O.UNKNOWN
    if not meets(value, pattern):
        return _O.FAIL
    if node.force_unique or node.force_reprocess is not None:
        return _O.UNKNOWN
    return _O.PASS


def _test(node: Test, row: dict[str, str]) -> _O:
    if _test_columns(node) is None:
        return _O.UNKNOWN
    source_value = row if node.source is None else node.source(row, None)
    if node.value is None:
        return _O.PASS
    if node.test is None:
        ok = node.value == source_value
    else:
        ok = node.test(node.value, source_value, None)
    return _O.PASS if ok else _O.FAIL


def _outcome(node: Any, row: dict[str, str]) -> _O:
    if isinstance(node, Attr):
        return _attr(node, row)
    if isinstance(node, Test):
        return _test(node, row)
    outcomes = [_outcome(child, row) for child in node.children]
    reduce = node.reduce
    if reduce in (Reduce.ALL, Reduce.NOT_ALL):
        if not outcomes:
            result = _O.FAIL
        elif _O.FAIL in outcomes:
            result = _O.FAIL
        elif all(o is _O.PASS for o in outcomes):
            result = _O.PASS
        else:
            result = _O.UNKNOWN
    else:
        result = _O.FAIL
        for o in outcomes:
            if o is _O.FAIL:
                continue
            result = o
            break
    if reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL) and result is not _O.UNKNOWN:
        result = _O.PASS if result is _O.FAIL else _O.FAIL
    if result is _O.PASS and node.reprocess_on_match:
        return _O.UNKNOWN
    if result is _O.FAIL and node.reprocess_on_fail:
        return _O.UNKNOWN
    return result


def _frame(table: Table, columns: list[str]) -> pd.DataFrame:
    data = {c: table.cols[c] for c in columns if c in table.cols}
    return pd.DataFrame(data, index=pd.RangeIndex(table.n))


def possible_rows(cr: CompiledRule, table: Table) -> np.ndarray | None:
    """Boolean mask of the rows the rule can possibly take (None: every row)."""
    root = cr.rule.constraints
    columns: set[str] = set()
    if not _static_columns(root, columns) or table.n == 0:
        return None
    present = sorted(c for c in columns if c in table.cols)
    if not present:
        ok = _outcome(root, {}) is not _O.FAIL
        return np.full(table.n, ok)
    frame = _frame(table, present)
    codes = frame.groupby(present, sort=False, dropna=False).ngroup().to_numpy()
    uniques = frame.drop_duplicates()
    verdict = np.array(
        [_outcome(root, row) is not _O.FAIL for row in uniques.to_dict("records")], dtype=bool
    )
    return verdict[codes]


def _pinning(node: Any) -> bool:
    return (
        isinstance(node, Attr)
        and len(node.sources) == 1
        and node.sources[0] != "asn_candidate"
        and node.required
        and node.force_unique
        and not node.force_undefined
        and not node.evaluate
        and node.onlyif is None
        and not callable(node.value)
    )


def index_keys(cr: CompiledRule) -> tuple[tuple[int, str], ...]:
    """(node, column) pairs every association of the rule pins on creation."""
    keys: list[tuple[int, str]] = []
    seen: set[str] = set()

    def walk(i: int) -> None:
        node = cr.nodes[i]
        if isinstance(node, Group):
            if node.reduce is not Reduce.ALL or node.reprocess_on_fail:
                return
            for child in cr.children[i]:
                walk(child)
        elif _pinning(node) and node.sources[0] not in seen:
            seen.add(node.sources[0])
            keys.append((i, node.sources[0]))

    walk(0)
    return tuple(keys)
