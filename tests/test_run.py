"""run(pool, rules) -> Run: the associations, and the record of every association formed."""

from __future__ import annotations

import warnings
from functools import cache

import pandas as pd
import pytest

import asnkit
from asnkit.dms.names import strip_suffix
from asnkit.engine.record import Fate
from asnkit.generation.run import FRAME_COLUMNS, Run
from asnkit.rules import dms_level2b, dms_level3, dms_rules
from asnkit.rules.custom import dms_rule
from tests.helpers import pool_file

VERSION = "20250101t000000"


@cache
def _pool(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        return asnkit.read_pool(pool_file(name))


def pool(name: str) -> pd.DataFrame:
    return _pool(name).copy()


@cache
def made(name: str, level: int | None = None) -> Run:
    rules = {2: dms_level2b(), 3: dms_level3(), None: dms_rules()}[level]
    return asnkit.run(pool(name), rules, version_id=VERSION)


def test_generate_is_run_associations():
    df = pool("pool_018_all_exptypes")
    r = asnkit.run(df, version_id=VERSION)
    assert isinstance(r, Run)
    assert r.associations().to_frame().equals(asnkit.generate(df, version_id=VERSION).to_frame())
    assert r.rules == tuple(dms_rules())
    assert r.discovered and r.candidates
    assert "associations formed" in repr(r)


def test_the_pool_is_not_changed():
    df = pool("pool_019_niriss_wfss")
    before = df.copy()
    asnkit.run(df).to_frame()
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(
    "name",
    [
        "pool_001_candidates",
        "pool_018_all_exptypes",
        "pool_019_niriss_wfss",
        "pool_024_nirspec_fss_nods",
        "pool_017_spec_nirspec_lv2imprint",
    ],
)
def test_frame_joined_rows_are_the_association_members(name):
    """Every joined row of run.to_frame() is a member of its association, and every member
    row of every association is a joined row (direct images through their products)."""
    r = made(name)
    frame = r.to_frame()
    assert list(frame.columns) == list(FRAME_COLUMNS)
    df = r.pool
    joined = frame[frame["fate"] == "joined"]
    want = set()
    for asn in r.associations():
        for member in asn.members():
            for label in df.index[
                df["filename"].str.lower().map(strip_suffix) == strip_suffix(member.expname)
            ]:
                want.add((asn.filename, label, member.exptype))
    got = {
        (a, row, role)
        for a, row, role in zip(joined["association"], joined["row"], joined["role"], strict=True)
    }
    assert {g for g in got if g[2] != "direct_image"} == want
    assert set(joined["association"]) == set(r.associations().filenames)
    taken = {df.index[p] for p in r.taken_rows()}
    assert set(joined["row"]) == taken
    assert set(r.orphan_rows().index) == set(df.index) - taken


def test_every_formation_has_a_fate_and_dropped_ones_say_why():
    r = made("pool_001_candidates", 3)
    fates = {f.fate for f in r.formations}
    assert Fate.KEPT in fates
    for formation in r.formations:
        if formation.fate is Fate.INVALID:
            assert formation.failed and not formation.outputs
        if formation.fate is Fate.SINGLE_OBSERVATION:
            assert len(formation.observations) <= 1
            assert formation.candidate[1] in ("group", "background", "mosaic")
        if not formation.dropped:
            assert formation.outputs
        assert formation.members, formation
    numbers = [f.number for f in r.formations]
    assert len(set(numbers)) == len(numbers)


def test_duplicates_know_what_they_duplicate():
    r = made("pool_002_image_miri")
    pruned = [o for f in r.formations for o in f.outputs if o.fate is Fate.DUPLICATE]
    assert pruned
    for output in pruned:
        kept = output.duplicate_of
        assert kept is not None and kept.filename in r.associations().filenames
        assert {m[2] for m in kept.members} == {m[2] for m in output.members}
    frame = r.to_frame()
    dups = frame[frame["fate"] == "duplicate"]
    assert set(dups["candidate"]) == {"a3001"}
    assert set(dups["association"]) <= set(r.associations().filenames)


def test_nods_are_split_one_association_per_science():
    r = made("pool_024_nirspec_fss_nods", 2)
    split = [f for f in r.formations if f.fate is Fate.SPLIT]
    assert split
    for formation in split:
        sciences = [row for row, role in formation.rows.items() if role == "science"]
        kept = [o for o in formation.outputs if o.fate is Fate.KEPT]
        assert len(formation.outputs) <= len(sciences) and kept
        for output in formation.outputs:
            assert sum(role == "science" for _, role, _ in output.members) == 1


def test_wfss_direct_images_are_joined_through_their_products():
    r = made("pool_019_niriss_wfss", 2)
    frame = r.to_frame()
    direct = frame[(frame["role"] == "direct_image") & (frame["fate"] == "joined")]
    assert len(direct) > 0
    wfss = [a for a in r.associations() if "direct_image" in a.roles]
    assert set(direct["association"]) == {a.filename for a in wfss}
    assert (direct.groupby("association").size() == 1).all()  # one direct image each
    removed = frame[(frame["role"] == "direct_image") & (frame["fate"] == "removed")]
    assert len(removed) > 0


def test_single_observation_candidates_are_recorded():
    r = made("pool_010_spec_nirspec_lv2bkg", 3)
    frame = r.to_frame()
    single = frame[frame["fate"] == "single observation"]
    assert len(single) > 0 and single["association"].isna().all()
    assert set(single["candidate"]) <= {cid for cid, _ in r.candidates}


def test_explaining_many_exposures_runs_once():
    """Explanations are queries: asking a run twice gives the same answer, from the record."""
    r = made("pool_018_all_exptypes")
    first = r.explain("jw_00044_uncal.fits")
    again = r.explain("jw_00044_uncal.fits")
    assert first == again and not first.taken
    assert r.orphans().equals(asnkit.orphans(r.pool))


def test_candidates_and_discovery_are_recorded():
    df = pool("pool_001_candidates")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.AssociationWarning)
        r = asnkit.run(df, dms_level3(), candidates=["c1000", "nosuch"])
    assert r.candidates == (("c1000", "mosaic"),) and not r.discovered
    assert {f.candidate for f in r.formations} == {("c1000", "mosaic")}
    assert set(r.to_frame()["candidate"]) == {"c1000"}


def test_the_record_is_the_same_with_and_without_shortcuts_for_kept_associations():
    df = pool("pool_018_all_exptypes")
    fast = asnkit.run(df, [dms_rule("Asn_Lv3Image"), dms_rule("Asn_Lv2Image")])
    slow = asnkit.run(df, [dms_rule("Asn_Lv3Image"), dms_rule("Asn_Lv2Image")], shortcuts=False)
    keep = ["association", "rule", "candidate", "member", "role", "row"]

    def joined(r: Run) -> pd.DataFrame:
        frame = r.to_frame()
        return frame[frame["fate"] == "joined"][keep].sort_values(keep).reset_index(drop=True)

    pd.testing.assert_frame_equal(joined(fast), joined(slow))
