"""Checks remembered across associations and passes (asnkit.engine.across) are the checks.

Every check the fast path answers from memory is compared with the rule's own
check on the same states (``tests/test_engine_memo.py``'s harness, which covers
random pools too); here on copies of a pool under other program ids, where the
checks of one copy's associations are answered by another's, and the whole record
is compared with the reference loop.
"""

from __future__ import annotations

import pandas as pd
import pytest

import asnkit.engine.across
import asnkit.engine.passes
from asnkit.engine.across import AcrossMemo
from asnkit.engine.columns import PoolColumns
from asnkit.engine.memo import MemoPlan
from asnkit.engine.passes import CANDIDATE_PREFIX, compiled_rule
from asnkit.engine.state import AsnState
from asnkit.engine.table import Item, build_table
from asnkit.rules import dms_rules
from tests.helpers import POOLS
from tests.test_engine_memo import Compared
from tests.test_fast_path import _read, assert_same, both_ways


def _copies(name: str, programs: list[str]) -> pd.DataFrame:
    base = _read(POOLS / f"{name}.csv")
    copies = []
    for k, program in enumerate(programs):
        copy = base.copy()
        copy["program"] = program
        copy["filename"] = [f"jw{program}{k}_{name}" for name in copy["filename"]]
        copies.append(copy)
    pool = pd.concat(copies, ignore_index=True)
    pool.attrs["asn_pool"] = "copies.csv"
    return pool


class _Counted:
    """Counts the checks answered by :meth:`AcrossMemo.replay`."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.hits = 0
        replay = AcrossMemo.replay

        def counted(memo, key, st):
            found = replay(memo, key, st)
            self.hits += found is not None
            return found

        patch.setattr(AcrossMemo, "replay", counted)


@pytest.mark.parametrize("name", ["pool_002_image_miri", "pool_003_image_nircam"])
def test_copies_under_other_programs_are_checked_from_one_another(name, monkeypatch):
    pool = _copies(name, ["91001", "91002", "91003"])
    monkeypatch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", 0)
    counted = _Counted(monkeypatch)
    compared = Compared(monkeypatch)  # every answer from memory == the rule's check
    compared.run(pool)
    assert counted.hits > 0 and compared.calls > counted.hits
    with pytest.MonkeyPatch.context() as patch:
        fast, reference = both_ways(pool, patch)
    assert_same(fast, reference)


def _rule(name: str):
    return compiled_rule(next(r for r in dms_rules() if r.name == name), 0, CANDIDATE_PREFIX)


def _pinned(cr, st, name, value):
    i = cr.by_name[name]
    st[i] = (value, (cr.nodes[i].sources[0],), False, (value,), True)
    return i


def test_pinned_values_are_compared_not_remembered():
    """Two associations that differ only by the program they pinned meet exposures of
    their own programs: one key. Another program (ASCII): another key, the same for
    both. A non-ASCII value (compared by regular expression): not remembered."""
    pool = _copies("pool_003_image_nircam", ["91001", "91002"])
    pool.loc[0, "program"] = "9100é"
    table = build_table(pool)
    columns = PoolColumns(table)
    cr = _rule("Asn_Lv3Image")
    across = AcrossMemo(cr, columns, MemoPlan(cr).columns)
    assert {cr.nodes[i].sources for i, _ in across.holes} >= {("program",), ("filter",)}
    n = len(pool) // 2
    first, second = AsnState(cr, 1, None), AsnState(cr, 2, None)
    second.st = list(first.st)  # the same states (as a replay makes them) but the pins
    _pinned(cr, first.st, "program", "91001")
    _pinned(cr, second.st, "program", "91002")
    cand = "[('o001', 'observation')]"
    own = (
        across.key(first.st, Item(table, 1, cand)),
        across.key(second.st, Item(table, n + 1, cand)),
    )
    assert own[0] is not None and own[0] == own[1]
    other = (
        across.key(first.st, Item(table, n + 1, cand)),
        across.key(second.st, Item(table, 1, cand)),
    )
    assert other[0] == other[1] != own[0]
    assert across.key(second.st, Item(table, 0, cand)) is None
