"""A new association's first check, remembered (:mod:`asnkit.engine.fresh`), is the check.

For every rule and every exposure of a pool, the remembered check of a new
association must leave what the rule's own check leaves: whether it matched,
the reprocessing requests (kind, rules, exposures), every node's state and the
role the association computed last -- both the first time a combination of
values is met (checked and remembered) and the next times (replayed).
``tests/test_fast_path.py`` compares the whole record with the reference loop.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import asnkit
from asnkit.engine.columns import PoolColumns
from asnkit.engine.fresh import _LIVE, FreshCheck, fresh_check, item_reads
from asnkit.engine.passes import candidate_items, candidate_override, compiled_rule
from asnkit.engine.state import AsnState, ProcessList
from asnkit.engine.table import Item, build_table, candidates_by_type
from asnkit.rules import all_of, attr, predicates, rule_set, test
from asnkit.rules.condition import reads
from asnkit.rules.level2b import level2_rule
from asnkit.rules.model import WorkOver
from tests.helpers import POOLS
from tests.test_fast_path import random_pools


def _requests(reprocess: Any) -> list[tuple]:
    return [
        (pl.rules, pl.work_over, pl.only_on_match, [(it.row, it.cand) for it in pl.items])
        for pl in reprocess
    ]


def _after(asn: AsnState, check: Any, item: Item) -> tuple:
    match, reprocess = check(asn, item)
    return match, _requests(reprocess), list(asn.st), asn.original_exposure_type


def _compare(pool) -> int:
    """Every rule, every row, candidate pass and discovery: remembered == checked.
    Returns how many checks were replayed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(pool)
    columns = PoolColumns(table)
    rules = rule_set("all")
    found = candidates_by_type(table)
    cid, ctype = found[0] if found else ("o001", "observation")
    passes = [
        ("candidate", candidate_items(table, range(table.n), cid, ctype)),
        ("discover", [Item(table, row) for row in range(table.n)]),
    ]
    replayed = 0
    for prefix, items in passes:
        for index, rule in enumerate(rules):
            cr = compiled_rule(rule, index, prefix)
            fresh = fresh_check(columns, cr)
            if fresh is None:
                continue
            check = columns.checkers(cr)[0]
            override = candidate_override(cr, cid) if prefix == "candidate" else None
            for _ in range(2):  # checked and remembered, then replayed
                for item in items:
                    before = len(fresh.memo)
                    expected = _after(AsnState(cr, 1, None, override, check), check, item)
                    got = _after(AsnState(cr, 1, None, override, check), fresh, item)
                    assert got == expected, (rule.name, prefix, item.row)
                    replayed += len(fresh.memo) == before
    return replayed


@pytest.mark.parametrize(
    "name",
    [
        "pool_002_image_miri",
        "pool_007_spec_miri",
        "pool_010_spec_nirspec_lv2bkg",
        "pool_018_all_exptypes",
        "pool_019_niriss_wfss",
        "pool_024_nirspec_fss_nods",
    ],
)
def test_remembered_first_check_is_the_check_on_shared_pools(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(POOLS / f"{name}.csv")
    assert _compare(pool) > 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=random_pools())
def test_remembered_first_check_is_the_check_on_random_pools(pool):
    _compare(pool)


def test_every_dms_rule_is_remembered():
    """What every DMS rule's conditions read is known (a candidate rule whose conditions
    read the pass's candidate text gains nothing from remembering, and is not)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(POOLS / "pool_018_all_exptypes.csv")
        table = build_table(pool)
    columns = PoolColumns(table)
    for index, rule in enumerate(rule_set("all")):
        disc = compiled_rule(rule, index, "discover")
        assert fresh_check(columns, disc) is not None, rule.name
        cand = compiled_rule(rule, index, "candidate")
        reads_candidate = "asn_candidate" in item_reads(cand, cand.children[0][:-1])
        assert (fresh_check(columns, cand) is None) is reads_candidate, rule.name
        assert fresh_check(columns, cand) is fresh_check(columns, cand)  # once per pool


def _rule_with(condition: Any):
    return level2_rule(
        "Asn_Custom",
        "image2",
        all_of(attr("program", name="program"), test(True, source=condition)),
    )


def test_conditions_of_unknown_reads_are_checked_every_time():
    """A plain function that does not say what it reads makes the rule's checks run as
    usual; marked with the columns it reads, it is remembered per their values."""
    pool = asnkit.read_pool(POOLS / "pool_002_image_miri.csv")
    table = build_table(pool)
    columns = PoolColumns(table)

    def plain(item, asn):
        return item["exp_type"] == "mir_image"

    assert fresh_check(columns, compiled_rule(_rule_with(plain), 0, "discover")) is None
    marked = reads("exp_type")(lambda item, asn: item["exp_type"] == "mir_image")
    fresh = fresh_check(columns, compiled_rule(_rule_with(marked), 0, "discover"))
    assert fresh is not None
    assert set(item_reads(compiled_rule(_rule_with(marked), 0, "discover"), [1, 2])) == {
        "exp_type",
        "program",
    }
    # a role condition reads what the rule's member role reads
    role = compiled_rule(_rule_with(predicates.is_science_exposure), 0, "discover")
    assert {"exp_type", "pntgtype", "program"} <= set(item_reads(role, [1, 2]))


def test_a_parsed_value_is_not_remembered():
    """An attribute whose value is parsed (``asn_candidate`` as a list) may ask to
    reprocess other exposures: a rule with one before its last condition is not remembered."""
    rule = level2_rule(
        "Asn_Custom",
        "image2",
        all_of(attr("asn_candidate", name="cand", evaluate=True), attr("program", name="p")),
    )
    cr = compiled_rule(rule, 0, "discover")
    assert item_reads(cr, cr.children[0]) is None
    assert fresh_check(PoolColumns(_table()), cr) is None


def test_requests_holding_other_exposures_are_checked_every_time():
    """A combination whose check asks to reprocess other exposures than the one checked
    is marked, and checked in full each time it is met."""
    table = _table()
    cr = compiled_rule(_rule_with(reads("exp_type")(lambda item, asn: True)), 0, "discover")
    checkers = list(PoolColumns(table).checkers(cr))
    calls = []

    def other(asn, item):
        calls.append(item.row)
        return True, [ProcessList([Item(table, 0)], None, WorkOver.EXISTING)]

    kids = list(cr.children[0])
    checkers[kids[-1]] = other
    fresh = FreshCheck(cr, checkers, table, kids, None, item_reads(cr, kids))
    for _ in range(3):
        asn = AsnState(cr, 1, None)
        match, reprocess = fresh(asn, Item(table, 1))
        assert match and [pl.items[0].row for pl in reprocess] == [0]
    assert calls == [1, 1, 1]
    assert list(fresh.memo.values()) == [_LIVE]


def _table():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_table(asnkit.read_pool(POOLS / "pool_002_image_miri.csv"))
