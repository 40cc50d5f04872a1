"""select, science, observation, candidate: values, patterns, case, missing, no mutation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnkit
from asnkit import PoolWarning
from asnkit.pool.select import NON_SCIENCE_EXP_TYPES, match
from tests.helpers import pool_file


def _pool(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(pool_file(name))


MEGA = _pool("mega_pool")
CANDIDATES = _pool("pool_001_candidates")
ALL_TYPES = _pool("pool_018_all_exptypes")


def test_scalar_is_case_insensitive_and_matches_the_lowercase_twin():
    upper = asnkit.select(CANDIDATES, instrume="NIRCAM", filter="F090W")
    lower = asnkit.select(_pool("pool_001_candidates_lower"), instrume="nircam", filter="f090w")
    assert len(upper) == 56
    assert upper["filename"].str.lower().tolist() == lower["filename"].str.lower().tolist()


def test_lists_patterns_and_several_columns():
    nircam = MEGA["instrume"].str.lower() == "nircam"
    filters = MEGA["filter"].str.lower()
    wanted = nircam & (filters.eq("f090w") | filters.str.startswith("f2", na=False))
    got = asnkit.select(MEGA, instrume="nircam", filter=["f090w", "F2*"])
    assert got.index.tolist() == MEGA.index[wanted.to_numpy()].tolist()
    assert len(got) > 0
    assert set(got["filter"].str.lower()) <= {"f090w"} | set(
        filters[filters.str.startswith("f2", na=False)]
    )


def test_glob_classes_and_question_mark():
    got = asnkit.select(MEGA, detector="nrc[ab]?")
    assert set(got["detector"].str.lower()) == {f"nrc{m}{n}" for m in "ab" for n in "1234"}


def test_text_with_brackets_matches_itself_exactly():
    text = "[('o003', 'observation'), ('c1000', 'mosaic'), ('c1001', 'mosaic')]"
    got = asnkit.select(CANDIDATES, asn_candidate=text.upper())
    assert len(got) == 10 and set(got["obs_num"]) == {"3"}


def test_numbers_compare_as_numbers_and_missing_only_matches_none():
    assert asnkit.select(CANDIDATES, obs_num=3).equals(asnkit.select(CANDIDATES, obs_num="3"))
    patt = ALL_TYPES["patt_num"]
    assert len(asnkit.select(ALL_TYPES, patt_num=None)) == patt.isna().sum()
    assert len(asnkit.select(ALL_TYPES, patt_num="*")) == patt.notna().sum()
    assert len(asnkit.select(ALL_TYPES, patt_num=["*", None])) == len(ALL_TYPES)
    assert len(asnkit.select(ALL_TYPES, patt_num=np.nan)) == patt.isna().sum()


def test_booleans_and_callables():
    frame = pd.DataFrame({"filename": list("abcd"), "is_imprt": ["t", "F", "True", None]})
    assert asnkit.select(frame, is_imprt=True)["filename"].tolist() == ["a", "c"]
    assert asnkit.select(frame, is_imprt=False)["filename"].tolist() == ["b"]
    got = asnkit.select(frame, filename=lambda s: s.isin(["b", "d"]))
    assert got["filename"].tolist() == ["b", "d"]
    with pytest.raises(ValueError, match="one boolean per row"):
        asnkit.select(frame, filename=lambda s: [True])


def test_column_names_are_case_insensitive_and_non_identifiers_work():
    frame = pd.DataFrame({"filename": ["a", "b"], "date-obs": ["2022-01-01", "2023-01-01"]})
    assert asnkit.select(frame, **{"DATE-OBS": "2022*"})["filename"].tolist() == ["a"]


def test_unknown_column_is_a_key_error_with_close_matches():
    with pytest.raises(KeyError, match=r"no column 'instrument'.*close matches: instrume"):
        asnkit.select(MEGA, instrument="nircam")
    with pytest.raises(KeyError, match="no column 'zzz'"):
        asnkit.select(MEGA, zzz=1)


def test_result_is_a_new_frame_with_attrs():
    got = asnkit.select(CANDIDATES)
    assert got is not CANDIDATES and got.equals(CANDIDATES)
    assert got.attrs == CANDIDATES.attrs
    got.loc[got.index[0], "filter"] = "changed"
    assert CANDIDATES["filter"].iat[0] != "changed"


def test_science_drops_calibration_acquisition_and_junk():
    sci = asnkit.science(ALL_TYPES)
    types = set(sci["exp_type"].str.lower())
    assert not types & NON_SCIENCE_EXP_TYPES
    assert {"nrc_image", "mir_image", "nis_soss", "nrs_msaspec"} <= types
    assert "exp_type" not in types  # junk rows repeat the header
    removed = set(ALL_TYPES["exp_type"].str.lower()) - types
    assert removed == (NON_SCIENCE_EXP_TYPES & set(ALL_TYPES["exp_type"].str.lower())) | {
        "exp_type"
    }
    assert len(asnkit.science(MEGA)) < len(MEGA)


def test_science_uses_pntgtype_and_can_drop_special_exposures():
    frame = pd.DataFrame(
        {
            "filename": list("abcd"),
            "exp_type": ["nrc_image"] * 4,
            "pntgtype": ["science", "target_acquisition", "SCIENCE", None],
            "bkgdtarg": ["f", "f", "t", "f"],
        }
    )
    assert asnkit.science(frame)["filename"].tolist() == ["a", "c", "d"]
    assert asnkit.science(frame, special=False)["filename"].tolist() == ["a", "d"]


@pytest.mark.parametrize("number", [1, "1", "001", "o001", np.int64(1)])
def test_observation_accepts_every_spelling(number):
    got = asnkit.observation(CANDIDATES, number)
    assert len(got) == 10 and set(got["obs_num"]) == {"1"}


def test_observation_errors():
    with pytest.raises(ValueError, match="not an observation number"):
        asnkit.observation(CANDIDATES, "first")
    with pytest.raises(KeyError, match="obs_num"):
        asnkit.observation(pd.DataFrame({"filename": ["a"]}), 1)


def test_candidate_selects_rows_listing_the_id():
    got = asnkit.candidate(CANDIDATES, "C1000")
    exploded = asnkit.explode_candidates(CANDIDATES.loc[CANDIDATES["filename"] != "set acid"])
    expected = exploded.index[exploded["candidate_id"] == "c1000"]
    assert got.index.tolist() == sorted(set(expected))
    assert asnkit.candidate(CANDIDATES, "o002")["obs_num"].unique().tolist() == ["2"]
    assert asnkit.candidate(CANDIDATES, "c9999").empty


# --------------------------------------------------------------------------- properties

_columns = ["instrume", "exp_type", "filter", "pupil", "detector", "obs_num", "patt_num"]


@st.composite
def _criteria(draw):
    chosen = draw(st.lists(st.sampled_from(_columns), min_size=1, max_size=3, unique=True))
    out = {}
    for column in chosen:
        values = sorted({v for v in MEGA[column].dropna().str.lower()})
        value = st.one_of(
            st.sampled_from(values),
            st.sampled_from(values).map(lambda v: v[:2] + "*"),
            st.sampled_from(values).map(str.upper),
            st.none(),
        )
        out[column] = draw(st.one_of(value, st.lists(value, min_size=1, max_size=3)))
    return out


@settings(max_examples=50, deadline=None)
@given(criteria=_criteria())
def test_property_select_returns_a_subset_and_is_idempotent(criteria):
    once = asnkit.select(MEGA, **criteria)
    assert set(once.index) <= set(MEGA.index)
    pd.testing.assert_frame_equal(once, MEGA.loc[once.index])
    twice = asnkit.select(once, **criteria)
    pd.testing.assert_frame_equal(twice, once)


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.sampled_from(["F090W", "f200w", "clear"]))),
    wanted=st.sampled_from(["f*", "F090W", "*", None, ["clear", None]]),
)
def test_property_match_agrees_with_a_plain_loop(values, wanted):
    import fnmatch

    def one(value, item):
        if item is None:
            return value is None
        return value is not None and fnmatch.fnmatchcase(value.lower(), item.lower())

    items = wanted if isinstance(wanted, list) else [wanted]
    expected = [any(one(v, item) for item in items) for v in values]
    assert match(pd.Series(values, dtype=object), wanted).tolist() == expected
