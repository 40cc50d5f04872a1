"""The generation engine: API, candidate selection, order, orphans, pools without candidates."""

from __future__ import annotations

import re
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
import asnkit.engine.passes
from asnkit.engine.state import MemberIndex
from asnkit.errors import AssociationWarning
from asnkit.generation.run import run
from asnkit.rules import dms_level2b, dms_level3
from tests.helpers import EXPECTED, pool_file


def read(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asnkit.read_pool(pool_file(name))


def generate(pool: pd.DataFrame, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        return asnkit.generate(pool, *args, **kwargs)


def content(asns) -> list:
    """Everything but constraints and code_version, by file name."""
    out = []
    for asn in asns:
        doc = asn.to_dict()
        doc.pop("constraints")
        doc.pop("code_version")
        for product in doc["products"]:
            product["members"] = sorted(product["members"], key=lambda m: sorted(m.items()))
        out.append((asn.filename, repr(doc)))
    return sorted(out)


def membership(asns) -> list:
    """Type, id and the members of each association: what shuffling cannot change."""
    out = []
    for asn in asns:
        members = tuple(
            sorted((m["expname"], m["exptype"]) for p in asn["products"] for m in p["members"])
        )
        out.append((asn["asn_type"], asn["asn_id"], members))
    return sorted(out)


# --------------------------------------------------------------------------- API


def test_generate_returns_associations_named_as_jwst():
    pool = read("pool_002_image_miri")
    asns = generate(pool, version_id="20250101t000000")
    expected = sorted(p.name for p in (EXPECTED / "pool_002_image_miri").glob("*.json"))
    assert sorted(a.filename for a in asns) == expected
    assert isinstance(asns, asnkit.AssociationSet)


def test_generate_does_not_change_the_pool():
    pool = read("pool_018_all_exptypes")
    before = pool.copy()
    generate(pool)
    pd.testing.assert_frame_equal(pool, before)


def test_accessor_generate():
    pool = read("pool_003_image_nircam")
    assert content(pool.asn.generate()) == content(generate(pool))


def test_version_id_true_is_a_timestamp():
    asns = generate(read("pool_002_image_miri"), version_id=True)
    assert all(re.fullmatch(r"\d{8}t\d{6}", a["version_id"]) for a in asns)
    assert all(a["version_id"] in a.filename for a in asns)


def test_no_version_id():
    asns = generate(read("pool_002_image_miri"))
    assert "jw99009-o001_image3_00001_asn.json" in [a.filename for a in asns]
    assert all(a["version_id"] is None for a in asns)


@pytest.mark.parametrize(
    ("ids", "count"),
    [(["o001"], 2), (["o001", "o002"], 2), (["c1001"], 1), (["o001", "c1001"], 3)],
)
def test_candidate_selection_pool_018(ids, count):
    """The counts jwst's own test_main asserts."""
    assert len(generate(read("pool_018_all_exptypes"), candidates=ids)) == count


def test_level3_candidates_pool_001():
    """The counts of jwst's test_level3_candidates."""
    pool = read("pool_001_candidates")
    rules = dms_level3()
    assert len(generate(pool, rules, candidates=["o001"])) == 2
    assert len(generate(pool, rules, candidates=["c1000", "c1001"])) == 4
    assert len(generate(pool, rules)) == 22
    assert len(generate(pool, rules, all_candidates=False)) == 2
    assert len(generate(pool, dms_level2b(), all_candidates=False)) == 0
    assert len(generate(pool, dms_level2b(), discover=False)) == 70


def test_unknown_candidate_warns():
    with pytest.warns(AssociationWarning, match="nosuchid"):
        asns = generate(read("pool_001_candidates"), candidates=["nosuchid"])
    assert len(asns) == 0


def test_pool_without_asn_candidate_uses_observations():
    """jw93060 predates asn_candidate: jwst crashes, asnkit warns and uses obs_num."""
    pool = read("jw93060_20150312T160130_pool")
    assert "asn_candidate" not in pool.columns
    with pytest.warns(AssociationWarning, match="no asn_candidate column"):
        asns = asnkit.generate(pool)
    assert len(asns) > 0
    ids = {a["asn_id"] for a in asns}
    assert ids <= {f"o{int(n):03d}" for n in pool["obs_num"].dropna().unique()} | {"a3001"}
    assert "asn_candidate" not in pool.columns  # the caller's frame is untouched


# --------------------------------------------------------------------------- order


@pytest.mark.parametrize(
    "name",
    ["pool_002_image_miri", "pool_006_spec_nirspec", "pool_019_niriss_wfss", "pool_021_tso"],
)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_shuffling_rows_changes_no_association(name, data):
    """The same files with the same documents; only which document gets which
    sequence number follows the row order (jwst numbers in creation order too)."""
    pool = read(name)
    order = data.draw(st.permutations(range(len(pool))))
    shuffled = pool.iloc[list(order)].reset_index(drop=True)
    shuffled.attrs = dict(pool.attrs)
    got, want = content(generate(shuffled)), content(generate(pool))
    assert [name for name, _ in got] == [name for name, _ in want]
    assert sorted(doc for _, doc in got) == sorted(doc for _, doc in want)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_shuffling_keeps_membership_where_jwst_is_order_dependent(data):
    """In pool_010 jwst's product names and targets depend on which exposure comes first
    (the first one pins optional values), and so do asnkit's -- checked against
    asn_generate on a shuffled copy (tests/data/unseen). The members do not change."""
    pool = read("pool_010_spec_nirspec_lv2bkg")
    order = data.draw(st.permutations(range(len(pool))))
    shuffled = pool.iloc[list(order)].reset_index(drop=True)
    shuffled.attrs = dict(pool.attrs)
    assert membership(generate(shuffled)) == membership(generate(pool))


# --------------------------------------------------------------------------- orphans


def test_orphans_are_rows_no_association_took():
    pool = read("pool_002_image_miri")
    extra = pool.iloc[[0]].copy()
    extra["filename"] = "jw_99999_uncal.fits"
    extra["exp_type"] = "mir_darkimg"  # no rule takes darks
    grown = pd.concat([pool, extra], ignore_index=True)
    grown.attrs = dict(pool.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        made = run(grown, asnkit.rules.dms_rules())
    asns, orphans = made.associations(), made.orphan_rows()
    assert orphans["filename"].tolist() == ["jw_99999_uncal.fits"]
    assert len(asns) == len(generate(pool))


def test_orphans_never_appear_in_associations():
    pool = read("pool_018_all_exptypes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        made = run(pool, asnkit.rules.dms_rules())
    asns, used, orphans = made.associations(), made.taken_rows(), made.orphan_rows()
    assert 0 < len(orphans) < len(pool)
    stems = {
        m["expname"].rsplit("_", 1)[0] for a in asns for p in a["products"] for m in p["members"]
    }
    for filename in orphans["filename"].str.lower():
        assert filename.rsplit("_", 1)[0] not in stems
    taken = pool.drop(index=orphans.index)
    assert set(np.flatnonzero(pool.index.isin(taken.index))) == set(used)


def test_missing_exp_type_is_a_clear_error():
    """jwst stops with a bare LookupError; asnkit names the row, file and column."""
    pool = read("pool_002_image_miri")
    pool.loc[2, "exp_type"] = np.nan
    with pytest.raises(asnkit.PoolError) as info:
        generate(pool)
    assert info.value.file.endswith("pool_002_image_miri.csv")
    assert (info.value.line, info.value.column) == (asnkit.pool.read.line_of(pool, 2), "exp_type")
    assert "jw_00003_uncal.fits: no exp_type" in str(info.value)


# --------------------------------------------------------------------------- shortcuts

_MIXED = (
    "pool_006_spec_nirspec",
    "pool_010_spec_nirspec_lv2bkg",
    "pool_013_coron_nircam",
    "pool_017_spec_nirspec_lv2imprint",
    "pool_018_all_exptypes",
    "pool_019_niriss_wfss",
    "pool_021_tso",
    "pool_024_nirspec_fss_nods",
    "jw87800_20180412T163456_pool",
    "pool_033_wfs_jitter",
)


def _mixed_pool() -> pd.DataFrame:
    pool = pd.concat([read(name) for name in _MIXED], ignore_index=True)
    pool.attrs["asn_pool"] = "mixed.csv"
    return pool


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_shortcuts_change_nothing(data):
    """The pre-checks, the index and the early drops give what checking every
    exposure against every association of every rule gives, on pools made of
    random rows of several pools (in random order)."""
    pool = _mixed_pool()
    rows = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=60, unique=True))
    sub = pool.iloc[rows].reset_index(drop=True)
    sub.attrs = dict(pool.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # pre-checks even on the smallest pools (by default they start at PRECHECK_MIN_ROWS)
        with mock.patch.object(asnkit.engine.passes, "PRECHECK_MIN_ROWS", 0):
            fast = run(sub, asnkit.rules.dms_rules())
        slow = run(sub, asnkit.rules.dms_rules(), shortcuts=False)
        default = run(sub, asnkit.rules.dms_rules())
    assert content(fast.associations()) == content(slow.associations())
    assert content(default.associations()) == content(slow.associations())
    assert fast.taken_rows() == slow.taken_rows() == default.taken_rows()


# --------------------------------------------------------------------------- member bookkeeping

_MEMBER = st.builds(
    lambda name, kind: {"expname": name, "exptype": kind},
    st.sampled_from(["a_cal.fits", "b_cal.fits", "c_cal.fits", "d_x1d.fits"]),
    st.sampled_from(["science", "SCIENCE", "background", "imprint"]),
)


@settings(max_examples=200, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["append", "new list", "pop", "replace", "slice"]), _MEMBER),
        max_size=40,
    )
)
def test_member_index_follows_appends_and_notices_edits(ops):
    """The incremental member bookkeeping answers what a full scan of the members answers."""
    index = MemberIndex()
    members: list = []
    for op, member in ops:
        if op == "append":
            members.append(member)
        elif op == "new list":
            members = [*members, member]
        elif op == "pop" and members:
            members.pop()
        elif op == "replace" and members:
            members[-1] = member
        elif op == "slice":
            members[:] = [m for m in members if m["exptype"] != "background"] + [member]
        index.sync(members)
        assert index.science == sum(m["exptype"].lower() == "science" for m in members)
        for name in ("a_cal.fits", "b_cal.fits", "c_cal.fits", "d_x1d.fits"):
            for kind in ("science", "SCIENCE", "background", "imprint"):
                expected = any(m["expname"] == name and m["exptype"] == kind for m in members)
                assert index.contains(members, (name, kind)) is expected


def test_large_associations_keep_their_members_in_order():
    """One observation of 400 NIRCam images in 4 filters: 4 image3 associations of 100."""
    base = read("pool_003_image_nircam").iloc[[0]]
    pool = base.loc[base.index.repeat(400)].reset_index(drop=True)
    pool["filter"] = np.repeat(["f090w", "f150w", "f200w", "f210m"], 100)
    pool["filename"] = [f"jw99009001001_02101_{i:05d}_nrca1_uncal.fits" for i in range(400)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        asns = generate(pool)
    image3 = [a for a in asns if a["asn_type"] == "image3"]
    assert len(image3) == 4 and len(asns) == 404
    products = sorted((a["products"][0] for a in image3), key=lambda p: p["members"][0]["expname"])
    for product, first in zip(products, range(0, 400, 100), strict=True):
        names = [m["expname"] for m in product["members"]]
        assert names == [
            f"jw99009001001_02101_{i:05d}_nrca1_cal.fits" for i in range(first, first + 100)
        ]
