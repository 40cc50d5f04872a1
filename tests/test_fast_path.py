"""The fast path makes the record the reference loop makes.

With :data:`asnkit.engine.passes.FAST_PATH` on, a pass runs one rule at a time
(:mod:`asnkit.engine.rulewise`), attribute checks read the pool's columns
(:mod:`asnkit.engine.columns`) and rules that reduce to grouping form their
associations with group-bys (:mod:`asnkit.engine.columnar`); off, every
exposure goes through the reference loop one by one. Both must give the same
record: every association formed (rule, candidate, id, members in order, fate,
failed checks, observations), every output finalize made of it (members,
product, direct image, fate, which output it duplicates, file name, document),
in the same order -- on every pool the parity tests and the unseen-pool tests
read, and on random pools. (By default the fast path starts at
:data:`~asnkit.engine.passes.FAST_PATH_MIN_ROWS` rows; here it runs on every pool.)
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
import asnkit.engine.passes
import asnkit.engine.rulewise
from asnkit.engine.columnar import ColumnarPool
from asnkit.engine.table import build_table
from asnkit.generation.run import run
from tests.helpers import DATA, POOLS

VERSION_ID = "20250101t000000"
UNSEEN = DATA / "unseen" / "pools"
PATHS = sorted(POOLS.glob("*.csv")) + sorted(UNSEEN.glob("*.csv"))


def whole_record(r) -> dict[str, Any]:
    """Everything a run decided, as plain values (outputs named by their position)."""
    record = r.record
    where = {
        id(o): (f, k) for f, fm in enumerate(record.formations) for k, o in enumerate(fm.outputs)
    }
    formations = []
    for fm in record.formations:
        outputs = [
            (
                o.members,
                o.product,
                o.direct_image,
                o.fate,
                None if o.duplicate_of is None else where[id(o.duplicate_of)],
                o.filename,
                None if o.source is None else o.document(),
            )
            for o in fm.outputs
        ]
        failed = tuple(repr(check) for check in fm.failed)
        formations.append(
            (
                fm.number,
                fm.rule,
                fm.candidate,
                fm.asn_id,
                fm.asn_rule,
                fm.members,
                fm.fate,
                failed,
                fm.observations,
                outputs,
            )
        )
    return {
        "rules": [rule.name for rule in record.rules],
        "candidates": list(record.candidates),
        "discovered": record.discovered,
        "formations": formations,
        "outputs": [where[id(o)] for o in record.outputs],
        "documents": [(name, doc) for doc, name in record.documents()],
        "associations": [(a.filename, a.to_dict()) for a in r.associations()],
        "taken": sorted(record.taken_rows()),
    }


class Used:
    """How often the fast path's parts ran (so a test sees it is not vacuous)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.passes = 0  # passes the rule-wise decomposition made
        self.groups = 0  # associations formed by a grouping
        by_rule = asnkit.engine.passes.run_by_rule
        grouping = ColumnarPool.grouping

        def counted_by_rule(*args, **kwargs):
            found = by_rule(*args, **kwargs)
            self.passes += found is not None
            return found

        def counted_grouping(pool, *args, **kwargs):
            found = grouping(pool, *args, **kwargs)
            if found is not None:
                self.groups += len(found.groups())
            return found

        monkeypatch.setattr(asnkit.engine.passes, "run_by_rule", counted_by_rule)
        monkeypatch.setattr(ColumnarPool, "grouping", counted_grouping)


def outcome(
    pool: pd.DataFrame, fast: bool, monkeypatch: pytest.MonkeyPatch, rules: Any = None
) -> dict[str, Any]:
    """The whole record of a run (of ``rules``, default the DMS rules) with the fast path
    on or off (the switch restored after), or the error generation raised."""
    with monkeypatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        patch.setattr(asnkit.engine.passes, "FAST_PATH", fast)
        patch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", 0)  # every pool, however small
        try:
            return whole_record(run(pool, rules, version_id=VERSION_ID))
        except asnkit.PoolError as error:  # e.g. a value generation refuses
            return {"error": str(error)}


def both_ways(
    pool: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, rules: Any = None
) -> tuple[dict, dict]:
    """(fast, reference): the outcomes with the fast path on and off."""
    return outcome(pool, True, monkeypatch, rules), outcome(pool, False, monkeypatch, rules)


def assert_same(fast: dict, reference: dict) -> None:
    assert fast.keys() == reference.keys()
    for key in reference:  # one key at a time: a failure says which part differs
        assert fast[key] == reference[key], f"{key} differs"


def copies_of(name: str, column: str, values: list[str]) -> pd.DataFrame:
    """Copies of test pool ``name``, one per value of ``column``, with distinct file names."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = asnkit.read_pool(POOLS / f"{name}.csv")
    copies = []
    for k, value in enumerate(values):
        copy = base.copy()
        copy[column] = value
        copy["filename"] = [f"x{k}_{file}" for file in copy["filename"]]
        copies.append(copy)
    pool = pd.concat(copies, ignore_index=True)
    pool.attrs["asn_pool"] = f"{name}-copies.csv"
    return pool


def _read(path: Path) -> pd.DataFrame | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return asnkit.read_pool(path)
        except asnkit.PoolError:
            return None  # unreadable pools are the reader's tests


# --------------------------------------------------------------------------- the test pools


def test_every_parity_and_unseen_pool_is_here():
    assert len([p for p in PATHS if p.parent == POOLS]) == 29
    assert len([p for p in PATHS if p.parent == UNSEEN]) >= 50


def test_fast_path_is_the_reference_on_every_test_pool(monkeypatch):
    """All 29 shared pools and every unseen pool (one test: the rules compile once)."""
    used = Used(monkeypatch)
    compared = []
    for path in PATHS:
        pool = _read(path)
        if pool is None:
            continue
        fast, reference = both_ways(pool, monkeypatch)
        assert fast.keys() == reference.keys(), path.name
        for key in reference:
            assert fast[key] == reference[key], f"{path.name}: {key} differs"
        if "error" not in reference:
            compared.append(path.stem)
    assert len(compared) >= 75
    assert "mega_pool" in compared
    # the fast path ran: passes decomposed rule by rule, associations formed by groupings
    assert used.passes > 500
    assert used.groups > 100


# --------------------------------------------------------------------------- random pools

_SOURCES = (
    "pool_001_candidates",
    "pool_002_image_miri",
    "pool_003_image_nircam",
    "pool_010_spec_nirspec_lv2bkg",
    "pool_018_all_exptypes",
    "pool_019_niriss_wfss",
    "pool_024_nirspec_fss_nods",
    "jw87800_20180412T163456_pool",
    "mega_pool",
)


def _mixed() -> pd.DataFrame:
    pool = pd.concat([_read(POOLS / f"{name}.csv") for name in _SOURCES], ignore_index=True)
    pool.attrs["asn_pool"] = "random.csv"
    return pool


_MIXED = _mixed()


@st.composite
def random_pools(draw) -> pd.DataFrame:
    """Random rows of several pools in random order, some copied (new file names, so
    groups grow past the grouping's threshold), some values changed."""
    rows = draw(st.lists(st.integers(0, len(_MIXED) - 1), min_size=1, max_size=40, unique=True))
    copies = draw(st.lists(st.integers(0, len(rows) - 1), max_size=30))
    pool = _MIXED.iloc[rows + [rows[c] for c in copies]].reset_index(drop=True)
    names = pool["filename"].tolist()
    for k in range(len(rows), len(pool)):
        names[k] = f"jw99999{k:03d}001_02101_{k:05d}_nrca1_uncal.fits"
    pool["filename"] = names
    for column in ("filter", "pupil", "targetid", "subarray", "obs_num"):
        changed = draw(st.lists(st.integers(0, len(pool) - 1), max_size=3))
        for row in changed:
            pool.loc[row, column] = draw(st.sampled_from([np.nan, "F150W", "clear", "2", "full"]))
    order = draw(st.permutations(range(len(pool))))
    pool = pool.iloc[list(order)].reset_index(drop=True)
    pool.attrs["asn_pool"] = "random.csv"
    return pool


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=random_pools())
def test_fast_path_is_the_reference_on_random_pools(pool):
    """With the pre-checks and the grouping tried on every pass, however small."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asnkit.engine.passes, "PRECHECK_MIN_ROWS", 0)
        patch.setattr(asnkit.engine.rulewise, "GROUP_MIN_ROWS", 1)
        fast, reference = both_ways(pool, patch)
    assert_same(fast, reference)


def test_fast_path_is_the_reference_on_a_large_observation(monkeypatch):
    """One observation of 400 NIRCam images in 4 filters: Level 3 groups of 100."""
    base = _read(POOLS / "pool_003_image_nircam.csv").iloc[[0]]
    pool = base.loc[base.index.repeat(400)].reset_index(drop=True)
    pool["filter"] = np.repeat(["f090w", "f150w", "f200w", "f210m"], 100)
    pool["filename"] = [f"jw99009001001_02101_{i:05d}_nrca1_uncal.fits" for i in range(400)]
    used = Used(monkeypatch)
    fast, reference = both_ways(pool, monkeypatch)
    assert_same(fast, reference)
    assert used.groups >= 4
    image3 = [doc for name, doc in reference["documents"] if "_image3_" in name]
    assert sorted(len(doc["products"][0]["members"]) for doc in image3) == [100] * 4


def test_small_pools_take_the_reference_loop_by_default(monkeypatch):
    """Below FAST_PATH_MIN_ROWS the reference loop runs (it is faster there); from it on,
    the fast path."""
    pool = _read(POOLS / "pool_018_all_exptypes.csv")
    used = Used(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(pool, version_id=VERSION_ID)
        assert used.passes == 0
        monkeypatch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", len(pool))
        run(pool, version_id=VERSION_ID)
        assert used.passes > 0


def test_a_value_with_a_final_newline_matches_its_pin_as_in_the_reference(monkeypatch):
    """Two copies of a pool, targetid '9' and '9\\n' (a frame made in memory): the
    reference's pin ``^9$`` also takes '9\\n', so both copies form one Level 3
    association; exact text comparisons would make two (review5). Such a pool is not
    given to the fast path."""
    pool = copies_of("pool_002_image_miri", "targetid", ["9", "9\n"])
    fast, reference = both_ways(pool, monkeypatch)
    assert_same(fast, reference)
    assert build_table(pool).ends_with_newline()
    assert not build_table(pool.head(len(pool) // 2)).ends_with_newline()
