"""Remembered checks (engine.fresh, engine.memo) = the reference loop, on inputs made to
tell them apart: a state holding the exposure itself, states equal by value but not as
text (-0.0 and 0.0), columns declared in upper case. Each failed before its fix."""

from __future__ import annotations

import asnkit
from asnkit.rules import Rule, all_of, attr, test
from asnkit.rules import predicates as pr
from asnkit.rules.condition import reads
from tests.helpers import POOLS
from tests.test_fast_path import assert_same, both_ways


def _pool():
    return asnkit.read_pool(POOLS / "pool_003_image_nircam.csv")


def _rule(name: str, *constraints) -> Rule:
    """A Level 3 rule on program and instrument, and ``constraints``."""
    base = all_of(attr("program", name="program"), attr("instrume", name="instrument"))
    return Rule(
        name=name,
        level=3,
        asn_type="image3",
        constraints=all_of(base, *constraints),
        exposure_type=pr.exposure_type_level3,
        product_name=lambda asn: "jw" + asn.value("program") + "-" + name.lower(),
        validity=(pr.has_science,),
    )


def test_a_state_holding_the_exposure_itself_is_never_replayed(monkeypatch):
    """``test(name=...)`` (source None, force_unique): the association pins the exposure
    itself (an Item, compared by identity). engine.fresh (item_reads: a Test with no
    source and no test reads nothing) replays the states recorded for the FIRST exposure
    with those values, so every later association pins jw_00001; when jw_00001 is sent
    back to existing associations (force_reprocess=EXISTING) it joins all of them.
    Both now ask engine.reading, which says such a state holds the exposure."""
    from asnkit.rules import WorkOver

    pool = _pool().iloc[[0, 1, 2, 3]].reset_index(drop=True)  # four f090w exposures of o001
    pool.attrs["asn_pool"] = "t4.csv"
    rule = _rule(
        "Self",
        attr("filter", name="filter", force_reprocess=WorkOver.EXISTING),
        test(name="itself"),
    )
    fast, reference = both_ways(pool, monkeypatch, [rule])
    # reference: four one-member associations per pass; fast: jw_00001 in every one
    assert [len(f[5]) for f in reference["formations"]] == [1] * 8
    assert_same(fast, reference)


@reads("zp")
def _zp(item, asn):  # reads only "zp" (contract kept): -0.0 or 0.0
    return round(float(item["zp"]), 1)


def test_states_equal_by_value_but_not_as_text_are_not_the_same(monkeypatch):
    """States equal by ``==`` but written differently (-0.0 == 0.0): engine.memo takes the
    association's states as unchanged (``slot[0] == before``, ``after == before`` stored as
    None) and replays an outcome that leaves -0.0 where the reference writes 0.0 in the
    association's ``constraints`` text. States are now compared by identity."""
    pool = _pool().iloc[[0, 1, 2, 3, 4, 5]].reset_index(drop=True).astype(object)
    pool["zp"] = ["-0.01", "0.01", "-0.01", "0.01", "-0.01", "0.01"]
    pool.attrs["asn_pool"] = "t5.csv"
    rule = _rule("Zp", attr("filter", name="filter"), test(source=_zp, name="zp"))
    assert_same(*both_ways(pool, monkeypatch, [rule]))


@reads("FILTER")  # the header's upper-case name; the engine's columns are lower-case
def _is_wide(item, asn):
    return item["filter"].endswith("w")


def test_columns_declared_in_upper_case_are_the_lower_case_columns(monkeypatch):
    """``reads("FILTER")``: engine.fresh and engine.memo key on the declared names; the
    table's columns are lower-case, so "FILTER" is 'a column the pool lacks' and is left
    out of the key: every exposure got the outcome remembered for the first one.
    Declared names are now lower-cased (``Reading``). The reference loop gives 8+10."""
    rule = _rule("Wide", test(source=_is_wide, name="wide"))
    pool = _pool().astype(object)
    pool.loc[pool.index[pool["filter"] == "f090w"][::2], "filter"] = "f090m"
    assert_same(*both_ways(pool, monkeypatch, [rule]))
