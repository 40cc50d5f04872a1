"""A new association's first check, remembered (:mod:`asnkit.engine.fresh`), is the check.

For every rule and every exposure of a pool, the remembered check of a new
association must leave what the rule's own check leaves: whether it matched,
the reprocessing requests (kind, rules, exposures), every node's state and the
role the association computed last -- both the first time a combination of
values is met (checked and remembered) and the next times (replayed).
``tests/test_fast_path.py`` compares the whole record with the reference loop.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import asnkit
from asnkit.dms.exposures import exposure_type
from asnkit.engine import fresh as fresh_module
from asnkit.engine.columns import PoolColumns
from asnkit.engine.fresh import _LIVE, FreshCheck, fresh_check, item_reads, pin_holes
from asnkit.engine.passes import candidate_items, candidate_override, compiled_rule
from asnkit.engine.perrow import fill_roles, row_combinations
from asnkit.engine.reading import AsnReads, leaf_reading
from asnkit.engine.state import AsnState, ProcessList
from asnkit.engine.table import Item, build_table, candidates_by_type
from asnkit.rules import all_of, attr, predicates, rule_set, test
from asnkit.rules.condition import asn_state, reads
from asnkit.rules.level2b import level2_rule
from asnkit.rules.model import WorkOver
from tests.helpers import POOLS
from tests.test_fast_path import copies_of, random_pools


def _requests(reprocess: Any) -> list[tuple]:
    return [
        (pl.rules, pl.work_over, pl.only_on_match, [(it.row, it.cand) for it in pl.items])
        for pl in reprocess
    ]


def _after(asn: AsnState, check: Any, item: Item) -> tuple:
    match, reprocess = check(asn, item)
    return match, _requests(reprocess), list(asn.st), asn.original_exposure_type


def _compare(pool) -> int:
    """Every rule, every row, discovery and candidate passes (several candidates: one
    memory per rule serves them all, as in generation): remembered == checked.
    Returns how many checks were replayed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(pool)
    columns = PoolColumns(table)
    rules = rule_set("all")
    found = candidates_by_type(table) or [("o001", "observation")]
    direct = [c for c in found if c[1] == "direct_image"]
    passes = [("discover", None, [Item(table, row) for row in range(table.n)])]
    for cid, ctype in found[:3] + direct[:2]:
        passes.append(("candidate", cid, candidate_items(table, range(table.n), cid, ctype)))
    replayed = 0
    for _ in range(3):  # checked (met once), checked and remembered, then replayed
        for prefix, cid, items in passes:
            for index, rule in enumerate(rules):
                cr = compiled_rule(rule, index, prefix)
                fresh = fresh_check(columns, cr)
                if fresh is None:
                    continue  # (test_every_dms_rule_is_remembered: which, and why)
                check = columns.checkers(cr)[0]
                override = None if cid is None else candidate_override(cr, cid)
                for item in items:
                    before = (len(fresh.memo), len(fresh.seen))
                    expected = _after(AsnState(cr, 1, None, override, check), check, item)
                    got = _after(AsnState(cr, 1, None, override, check), fresh, item)
                    assert got == expected, (rule.name, prefix, cid, item.row)
                    replayed += (len(fresh.memo), len(fresh.seen)) == before
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
    """What every DMS rule's conditions read is known (one candidate rule reads any
    constraint's state: not remembered); a candidate rule's conditions on
    the candidate text (``acdirect``: is it a direct-image candidate?) are remembered
    per what they read of it, so observation candidates share one memory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(POOLS / "pool_018_all_exptypes.csv")
        table = build_table(pool)
    columns = PoolColumns(table)
    on_candidate = set()
    for index, rule in enumerate(rule_set("all")):
        assert fresh_check(columns, compiled_rule(rule, index, "discover")) is not None
        cand = compiled_rule(rule, index, "candidate")
        fresh = fresh_check(columns, cand)
        if rule.name == "Asn_Lv2MIRLRSFixedSlitNod":
            # a condition reads the association's id (asn_not_background_candidate): any
            # constraint's state, so possibly the candidate's, checked last
            assert fresh is None
            continue
        assert fresh is not None, rule.name
        assert fresh is fresh_check(columns, cand)  # once per pool
        assert not fresh.cand  # the column is not read: the pass's text is
        if fresh.patterns:
            on_candidate.add(rule.name)
    assert {"Asn_Lv2WFSSNRC", "Asn_Lv3Image", "Asn_Lv3WFSCMB"} <= on_candidate
    assert "Asn_Lv2Image" not in on_candidate


def test_candidate_texts_share_a_memory_when_read_alike():
    """Two observation candidates read alike by ``acdirect`` (no match) share entries;
    each direct-image candidate (a match: its text is pinned) has its own."""
    table = _table()
    columns = PoolColumns(table)
    cr, fresh, check = _dms_checks(columns, "Asn_Lv3Image", "candidate")
    sizes = []
    texts = [("o001", "observation"), ("o002", "observation")]
    for cid, ctype in [*texts, ("c1000", "direct_image"), ("c1001", "direct_image")]:
        for item in candidate_items(table, range(table.n), cid, ctype):
            override = candidate_override(cr, cid)
            expected = _after(AsnState(cr, 1, None, override, check), check, item)
            assert _after(AsnState(cr, 1, None, override, check), fresh, item) == expected
        sizes.append(len(fresh.memo))
    assert sizes[0] == sizes[1] < sizes[2] < sizes[3]


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
    columns = PoolColumns(table)
    checkers = list(columns.checkers(cr))
    calls = []

    def other(asn, item):
        calls.append(item.row)
        return True, [ProcessList([Item(table, 0)], None, WorkOver.EXISTING)]

    kids = list(cr.children[0])
    checkers[kids[-1]] = other
    fresh = FreshCheck(cr, checkers, columns, kids, None, item_reads(cr, kids))
    for _ in range(3):
        asn = AsnState(cr, 1, None)
        match, reprocess = fresh(asn, Item(table, 1))
        assert match and [pl.items[0].row for pl in reprocess] == [0]
    assert calls == [1, 1, 1]
    assert list(fresh.memo.values()) == [_LIVE]


def _dms_checks(columns: PoolColumns, name: str, prefix: str) -> tuple[Any, Any, Any]:
    """DMS rule ``name`` compiled for ``prefix`` passes: (the rule, its remembered first
    check, its own check)."""
    rules = rule_set("all")
    index = [r.name for r in rules].index(name)
    cr = compiled_rule(rules[index], index, prefix)
    return cr, fresh_check(columns, cr), columns.checkers(cr)[0]


def _table():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_table(asnkit.read_pool(POOLS / "pool_002_image_miri.csv"))


# --------------------------------------------------------------------------- roles per pool


@pytest.mark.parametrize("name", ["pool_018_all_exptypes", "mega_pool", "pool_021_tso"])
def test_roles_filled_for_the_pool_are_each_rows_own(name):
    """:func:`fill_roles` gives each row the role computed from it alone."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(asnkit.read_pool(POOLS / f"{name}.csv"))
    fill_roles(table)
    assert len(table.exposure_types) == table.n
    assert None not in table.exposure_types
    for row in range(table.n):
        assert table.exposure_types[row] == exposure_type(Item(table, row)), row


def test_rows_whose_role_cannot_be_told_are_left_to_refuse():
    """A row without exp_type gets no role: the role lookup refuses it, naming the row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(POOLS / "pool_002_image_miri.csv")
    pool.loc[3, "exp_type"] = None
    pool.loc[3, "pntgtype"] = "science"
    table = build_table(pool)
    fill_roles(table)
    assert table.exposure_types[3] is None
    assert sum(kind is not None for kind in table.exposure_types) == table.n - 1
    with pytest.raises(asnkit.PoolError, match="exp_type"):
        predicates.exposure_type_of_item(Item(table, 3))


def test_row_combinations_give_each_row_its_values():
    """Each row's combination holds its values in the columns (absent ones left out);
    rows share combinations."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(asnkit.read_pool(POOLS / "mega_pool.csv"))
    columns = ("exp_type", "filter", "no_such_column", "pupil")
    codes, combos = row_combinations(table, columns)
    for row in range(table.n):
        values = {c: Item(table, row).get(c) for c in columns}
        assert combos[codes[row]] == {c: v for c, v in values.items() if v is not None}
    assert len(combos) < table.n / 5


def test_a_combination_is_remembered_from_its_second_time():
    """Met once, a combination is only noted (most are met once: no states kept for
    them); met again, it is remembered; then replayed."""
    table = _table()
    columns = PoolColumns(table)
    cr, fresh, check = _dms_checks(columns, "Asn_Lv2Image", "discover")
    item = Item(table, 0)
    sizes = []
    for _ in range(3):
        expected = _after(AsnState(cr, 1, None, None, check), check, item)
        assert _after(AsnState(cr, 1, None, None, check), fresh, item) == expected
        sizes.append((len(fresh.memo), len(fresh.seen)))
    assert sizes == [(0, 1), (1, 1), (1, 1)]


def test_a_full_memory_starts_again_and_checks_alike(monkeypatch):
    """A check remembers at most REMEMBERED_AT_MOST combinations and notes at most
    NOTED_AT_MOST: full, it forgets them and starts again; outcomes stay the checks'."""
    monkeypatch.setattr(fresh_module, "REMEMBERED_AT_MOST", 3)
    monkeypatch.setattr(fresh_module, "NOTED_AT_MOST", 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(POOLS / "pool_018_all_exptypes.csv")
    sizes: dict[int, list[tuple[int, int]]] = {}  # per check, (remembered, noted) each call
    original = FreshCheck.__call__

    def call(self, asn, item):
        out = original(self, asn, item)
        sizes.setdefault(id(self), []).append((len(self.memo), len(self.seen)))
        return out

    monkeypatch.setattr(FreshCheck, "__call__", call)
    assert _compare(pool) > 0  # remembered == checked, and some replayed
    every = [size for per_check in sizes.values() for size in per_check]
    assert max(m for m, _ in every) == 3
    assert max(s for _, s in every) == 5
    # a memory that was full started again (holds fewer afterwards)
    assert any(
        a[0] == 3 and b[0] < 3
        for per_check in sizes.values()
        for a, b in itertools.pairwise(per_check)
    )


def test_every_dms_condition_says_what_it_reads():
    """Rules describe themselves: every leaf of every DMS rule says what it reads (one
    declaration, on the conditions, read by both remembered checks)."""
    for index, rule in enumerate(rule_set("all")):
        cr = compiled_rule(rule, index, "candidate")
        for i in cr.iter_leaves():
            found = leaf_reading(cr.nodes[i], rule)
            assert found is not None, (rule.name, cr.nodes[i])
    science = leaf_reading(
        test(True, source=predicates.is_science_exposure), rules_named("Asn_Lv2Image")
    )
    assert science.association is AsnReads.ROLE  # the Level 2 role sets the role computed last
    assert "exp_type" in science.columns
    lv3 = leaf_reading(
        test(True, source=predicates.is_science_exposure), rules_named("Asn_Lv3Image")
    )
    assert lv3.association is AsnReads.NOTHING  # the exposure's own role
    assert leaf_reading(test(False, source=predicates.has_science_now), None).association is (
        AsnReads.MEMBERS
    )
    assert leaf_reading(attr("patt_num", value=predicates.not_patt_num_pattern), None).names == (
        "patt_num",
    )


def rules_named(name):
    return next(rule for rule in rule_set("all") if rule.name == name)


def _holes(rule, prefix="discover"):
    cr = compiled_rule(rule, 0, prefix)
    kids = list(cr.children[0])
    if prefix == "candidate":
        kids.pop()  # the candidate constraint, checked live
    return {cr.nodes[i].sources for i in pin_holes(cr, kids)}


def test_pure_pins_are_holes_and_pins_read_otherwise_are_not():
    """A pin whose column no other condition reads, and whose state none looks up, is a
    hole (its value is not part of a remembered combination); a column also read by
    another condition (Level 2b ``detector``: pinned, and ``nirspec`` excluded) is not."""
    lv3 = _holes(rules_named("Asn_Lv3Image"), "candidate")
    assert {("program",), ("instrume",), ("filter",), ("pupil", "grating")} <= lv3
    assert ("targetid",) not in lv3  # pinned only for non-backgrounds (onlyif)
    lv2 = _holes(rules_named("Asn_Lv2Image"))
    assert ("program",) in lv2
    assert ("detector",) not in lv2 and ("filter", "band") not in lv2
    # a pin with a pattern reads its value: not a hole
    patterned = level2_rule(
        "Asn_Custom", "image2", all_of(attr("program", name="p"), attr("filter", value="f.*"))
    )
    assert _holes(patterned) == {("program",)}
    # a condition that may look up any constraint's state: no holes at all
    looks = level2_rule(
        "Asn_Custom",
        "image2",
        all_of(attr("program", name="p"), test(True, source=asn_state(lambda item, asn: True))),
    )
    assert _holes(looks) == set()
    # one that looks up the pin's state by name: that pin is not a hole
    named = level2_rule(
        "Asn_Custom",
        "image2",
        all_of(
            attr("program", name="program"),
            attr("instrume", name="instrument"),
            attr("patt_num", name="patt_num", force_unique=False),
            attr("obs_num", value=predicates.not_patt_num_pattern),
        ),
    )
    assert ("program",) in _holes(named) and ("instrume",) in _holes(named)
    renamed = level2_rule(
        "Asn_Custom",
        "image2",
        all_of(
            attr("patt_num", name="patt_num"),
            attr("obs_num", value=predicates.not_patt_num_pattern),
        ),
    )
    assert _holes(renamed) == set()


def test_exposures_differing_only_by_pinned_values_share_a_combination():
    """Copies of a pool under other program ids are checked once, then replayed with
    each exposure's own pinned values: the states are those of the check itself."""
    pool = copies_of("pool_002_image_miri", "program", ["99001", "99002", "99003", "99004"])
    replayed = _compare(pool)
    assert replayed > 0
    table = build_table(pool)
    columns = PoolColumns(table)
    cr, fresh, check = _dms_checks(columns, "Asn_Lv3Image", "discover")
    n = len(pool) // 4  # the first copy
    for _ in range(2):
        for row in range(table.n):
            item = Item(table, row)
            expected = _after(AsnState(cr, 1, None, None, check), check, item)
            assert _after(AsnState(cr, 1, None, None, check), fresh, item) == expected
    # every copy's combinations are the first copy's: remembered once, not once per program
    keys = {tuple(values[row] for values in fresh.lists) for row in range(table.n)}
    assert keys == {tuple(values[row] for values in fresh.lists) for row in range(n)}
