"""The columnar grouping (asnkit.engine.columnar) makes what the sequential engine makes.

Wherever :func:`~asnkit.engine.columnar.grouping` says a rule reduces to a group-by
over a candidate's rows, its groups must be the member rows, association by
association and in order, of the sequential engine (with its pre-checks and index,
which change nothing: tests/test_engine.py) -- on every shared pool, every unseen pool
and random pools.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.engine.columnar import ColumnarPool
from asnkit.engine.passes import (
    CANDIDATE_PREFIX,
    DISCOVER_PREFIX,
    Pass,
    _plans,
    candidate_rule,
    rules_per_row,
    run_pass,
)
from asnkit.engine.prefilter import StaticEval
from asnkit.engine.state import CompiledRule
from asnkit.engine.table import Item, build_table, candidates_by_type, rows_by_candidate
from asnkit.rules import dms_level3, dms_rules
from tests.helpers import DATA, POOLS

UNSEEN = DATA / "unseen" / "pools"


def _read(path) -> pd.DataFrame | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pool = asnkit.read_pool(path)
        except asnkit.PoolError:
            return None  # unreadable pools are the reader's tests
    return pool if "asn_candidate" in pool.columns else None


def _sequential(cr, base, table, static, rows, cid, cand) -> list[list[int]]:
    """Member rows of the associations the sequential engine makes (one rule)."""
    (plan,) = _plans([cr], [base], static)
    possible = rules_per_row([plan.possible], table.n)
    creatable = rules_per_row([plan.creatable], table.n)
    generation = Pass([cr], [plan], None, [0], [False], possible, creatable)
    generation.override = f".+({cid}).+"
    asns = run_pass(generation, [Item(table, row, cand) for row in rows])
    return [[m["item"].row for m in a.products[-1]["members"]] for a in asns if a.products]


def check_pool(pool: pd.DataFrame, rules=None) -> tuple[int, int]:
    """Compare on every (candidate, rule); return (pairs grouped, rows grouped)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(pool)
    static = StaticEval(table)
    columnar = ColumnarPool(table, static)
    rows_of = rows_by_candidate(table.cols["asn_candidate"])
    grouped = rows_grouped = 0
    compiled = [
        (
            CompiledRule(candidate_rule(rule), 0, CANDIDATE_PREFIX),
            CompiledRule(rule, 0, DISCOVER_PREFIX),
        )
        for rule in (dms_level3() if rules is None else rules)
    ]
    for cid, ctype in candidates_by_type(table):
        rows = rows_of(cid)
        if not rows:
            continue
        cand = f"[('{cid}', '{ctype}')]"
        for cr, base in compiled:
            found = columnar.grouping(cr, rows, cand)
            if found is None:
                continue
            expected = _sequential(cr, base, table, static, rows, cid, cand)
            assert [g.tolist() for g in found.groups()] == expected, (cid, cr.rule.name)
            grouped += 1
            rows_grouped += len(found.order)
    return grouped, rows_grouped


def _with_candidates(paths) -> list:
    """The pools that read and have an asn_candidate column (the others have no candidates to
    group: jw93060's, and the unseen pools made to be refused, are the reader's tests)."""
    return [path for path in sorted(paths) if _read(path) is not None]


SHARED = [p for p in POOLS.glob("*.csv") if p.stem != "mega_pool"]


@pytest.mark.parametrize("path", _with_candidates(SHARED), ids=lambda p: p.stem)
def test_grouping_is_the_sequential_engine_on_shared_pools(path):
    check_pool(_read(path))


@pytest.mark.parametrize("name", ["pool_018_all_exptypes", "pool_021_tso", "pool_004_wfs"])
def test_grouping_is_the_sequential_engine_for_level2_rules(name):
    # Level 2b rules ("one science exposure per association") seldom reduce to grouping
    check_pool(_read(POOLS / f"{name}.csv"), dms_rules())


def test_grouping_is_the_sequential_engine_on_mega_pool_level3():
    pool = _read(POOLS / "mega_pool.csv")
    grouped, rows = check_pool(pool, dms_level3())
    assert grouped > 100 and rows > 500  # the fast path is not vacuous


@pytest.mark.parametrize("path", _with_candidates(UNSEEN.glob("*.csv")), ids=lambda p: p.stem)
def test_grouping_is_the_sequential_engine_on_unseen_pools(path):
    check_pool(_read(path))


def _mixed() -> pd.DataFrame:
    names = (
        "pool_001_candidates",
        "pool_003_image_nircam",
        "pool_018_all_exptypes",
        "pool_024_nirspec_fss_nods",
        "jw87800_20180412T163456_pool",
        "pool_002_image_miri",
    )
    frames = [_read(POOLS / f"{name}.csv") for name in names]
    pool = pd.concat(frames, ignore_index=True)
    pool.attrs["asn_pool"] = "mixed.csv"
    return pool


_MIXED = _mixed()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_grouping_is_the_sequential_engine_on_random_pools(data):
    """Random rows of several pools, in random order, some values changed."""
    rows = data.draw(
        st.lists(st.integers(0, len(_MIXED) - 1), min_size=1, max_size=60, unique=True)
    )
    pool = _MIXED.iloc[rows].reset_index(drop=True)
    for column in ("filter", "pupil", "targetid", "subarray"):
        changed = data.draw(st.lists(st.integers(0, len(pool) - 1), max_size=4))
        for row in changed:
            pool.loc[row, column] = data.draw(st.sampled_from([np.nan, "F150W", "clear", "2"]))
    pool.attrs["asn_pool"] = "random.csv"
    check_pool(pool, dms_level3())


def test_grouping_covers_a_large_nircam_observation():
    """One observation of NIRCam images in 4 filters: Asn_Lv3Image is 4 groups of 50."""
    base = _read(POOLS / "pool_003_image_nircam.csv").iloc[[0]]
    pool = base.loc[base.index.repeat(200)].reset_index(drop=True)
    pool["filter"] = np.repeat(["f090w", "f150w", "f200w", "f210m"], 50)
    pool["filename"] = [f"jw99009001001_02101_{i:05d}_nrca1_uncal.fits" for i in range(200)]
    image = [r for r in dms_level3() if r.name == "Asn_Lv3Image"]
    grouped, rows = check_pool(pool, image)
    assert (grouped, rows) == (1, 200)


@pytest.mark.parametrize(
    "name", ["pool_018_all_exptypes", "pool_021_tso", "pool_004_wfs", "pool_001_candidates"]
)
def test_an_undecided_rule_never_groups(name, monkeypatch):
    """A grouping refused up front (ColumnarPool.undecided) would have refused or found
    nothing had it looked at the rows; and it is refused for the Level 2b rules."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(_read(POOLS / f"{name}.csv"))
    static = StaticEval(table)
    columnar = ColumnarPool(table, static)
    rows_of = rows_by_candidate(table.cols["asn_candidate"])
    compiled = [CompiledRule(candidate_rule(rule), 0, CANDIDATE_PREFIX) for rule in dms_rules()]
    undecided = [cr for cr in compiled if columnar.undecided(cr)]
    assert any(cr.rule.level == 2 for cr in undecided)
    monkeypatch.setattr(ColumnarPool, "undecided", lambda self, cr: False)
    for cid, ctype in candidates_by_type(table):
        rows = rows_of(cid)
        for cr in undecided:
            found = columnar.grouping(cr, rows, f"[('{cid}', '{ctype}')]")
            assert found is None or not len(found), (cid, cr.rule.name)
