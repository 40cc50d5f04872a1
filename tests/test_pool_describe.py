"""summary, label_positions, explode_candidates and candidate_ids on the shared pools."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnkit
from asnkit import PoolWarning
from asnkit.dms.candidates import UNKNOWN_CTYPE
from asnkit.pool.summary import DEFAULT_SUMMARY_COLUMNS
from tests.helpers import EXPOSURES, pool_file, pool_names


def _pool(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(pool_file(name))


def _real(pool):
    return pool[~pool["filename"].str.contains(r"\s", regex=True)]


# --------------------------------------------------------------------------- summary


@pytest.mark.parametrize("name", pool_names())
def test_summary_counts_every_real_exposure_once(name):
    pool = _pool(name)
    table = asnkit.summary(pool)
    real = _real(pool)
    assert table["exposures"].sum() == len(real)
    grouping = [c for c in table.columns if c not in ("exposures", "detectors", "candidates")]
    assert grouping == [c for c in DEFAULT_SUMMARY_COLUMNS if c in real and real[c].notna().any()]
    assert not table.duplicated(grouping).any()


def test_summary_of_mega_pool_agrees_with_a_groupby():
    pool = _pool("mega_pool")
    table = asnkit.summary(pool, by=["instrume", "exp_type"])
    real = _real(pool)
    counts = real.groupby([real["instrume"].str.lower(), real["exp_type"].str.lower()]).size()
    got = table.set_index(["instrume", "exp_type"])["exposures"]
    assert got.sort_index().to_dict() == counts.sort_index().to_dict()


def test_summary_sorts_numbers_numerically_and_lists_detectors_and_candidates():
    table = asnkit.summary(_pool("pool_001_candidates"))
    assert table["obs_num"].tolist()[:4] == ["1", "1", "2", "2"]
    assert table["obs_num"].tolist()[-2:] == ["7", "7"]
    row = table[(table["obs_num"] == "3") & (table["filter"] == "f277w")].iloc[0]
    assert row["detectors"] == "nrcalong, nrcblong"
    assert row["candidates"] == "c1000, c1001, o003"


def test_summary_by_candidate_counts_an_exposure_in_each_candidate():
    pool = _pool("pool_001_candidates")
    table = asnkit.summary(pool, by="candidate")
    assert list(table.columns[:3]) == ["candidate_id", "candidate_type", "exposures"]
    exploded = asnkit.explode_candidates(_real(pool))
    assert table["exposures"].sum() == len(exploded)
    c1000 = table.set_index("candidate_id").loc["c1000", "exposures"]
    assert c1000 == len(asnkit.candidate(pool, "c1000"))


def test_summary_unknown_column_is_a_key_error():
    with pytest.raises(KeyError, match="close matches: filter"):
        asnkit.summary(_pool("pool_002_image_miri"), by=["filtr"])


# --------------------------------------------------------------------------- labels


def test_label_positions_reads_patt_num_numdthpt_and_mostilno():
    pool = _pool("jw09505_20251216t202003_pool")
    labelled = asnkit.label_positions(pool)
    assert labelled["dither_position"].tolist() == pd.to_numeric(pool["patt_num"]).tolist()
    assert (labelled["dither_points"] == 4).all()
    assert (labelled["mosaic_tile"] == 1).all()
    first = labelled.iloc[0]
    assert first["position_label"] == f"tile 1, dither {first['dither_position']}/4"


def test_label_positions_falls_back_to_dithptin_and_skips_zero():
    frame = pd.DataFrame(
        {
            "filename": list("abcd"),
            "patt_num": ["3", "0", None, None],
            "dithptin": ["1", "2", "5", None],
            "numdthpt": ["4", "0", "x", None],
        }
    )
    labelled = asnkit.label_positions(frame)
    assert labelled["dither_position"].tolist()[:3] == [3, 2, 5]
    assert pd.isna(labelled["dither_position"].iat[3])
    assert labelled["position_label"].tolist()[:3] == ["dither 3/4", "dither 2", "dither 5"]
    assert pd.isna(labelled["position_label"].iat[3])
    assert labelled["mosaic_tile"].isna().all()  # no mostilno column


def test_label_positions_on_headers_pool():
    pool = asnkit.pool_from_files(sorted(EXPOSURES.glob("*.fits")))  # PATT_NUM 9 of NUMDTHPT 9
    labelled = asnkit.label_positions(pool)
    assert labelled["position_label"].tolist() == ["tile 1, dither 9/9"] * 3


# --------------------------------------------------------------------------- candidates


def test_explode_candidates_on_a_real_pool():
    pool = _real(_pool("pool_013_coron_nircam"))
    exploded = asnkit.explode_candidates(pool)
    counts = pool["asn_candidate"].map(lambda v: max(len(asnkit.parse_candidates(v)), 1))
    assert len(exploded) == counts.sum()
    assert set(exploded["candidate_type"]) == {"observation", "group", "coronagraphy"}
    assert exploded.index.is_monotonic_increasing
    assert exploded.columns.tolist() == [*pool.columns, "candidate_id", "candidate_type"]


def test_bare_integer_candidates_are_unknown_and_candidate_ids_counts():
    pool = _pool("pool_019_niriss_wfss")
    table = asnkit.candidate_ids(pool)
    assert table.columns.tolist() == ["candidate_id", "candidate_type", "exposures", "junk"]
    assert table.set_index("candidate_id").loc["o001", "exposures"] == 16
    assert table.set_index("candidate_id").loc["1000", "candidate_type"] == UNKNOWN_CTYPE


def test_explode_candidates_keeps_junk_rows_without_candidates():
    pool = _pool("mega_pool")
    exploded = asnkit.explode_candidates(pool)
    junk = exploded[exploded["filename"] == "set acid"]
    assert len(junk) == 36  # one row each: a bare integer ("unknown") or nothing
    assert set(junk["candidate_type"].dropna()) == {UNKNOWN_CTYPE}
    header_row = pool["asn_candidate"] == "asn_candidate"
    assert header_row.sum() == 1
    assert exploded.loc[pool.index[header_row], "candidate_id"].isna().all()
    assert len(asnkit.candidate_ids(pool)) > 0


def test_explode_candidates_names_a_malformed_row():
    frame = pd.DataFrame({"filename": ["a.fits", "b.fits"], "asn_candidate": ["1000", "[o1]"]})
    with pytest.raises(asnkit.PoolError, match=r"^row 1, column 'asn_candidate': malformed"):
        asnkit.explode_candidates(frame)


def test_explode_candidates_without_the_column_is_a_key_error():
    with pytest.raises(KeyError, match="asn_candidate"):
        asnkit.explode_candidates(pd.DataFrame({"filename": ["a"]}))


_pair = st.tuples(
    st.from_regex(r"[oc][0-9]{3,4}", fullmatch=True),
    st.sampled_from(["observation", "background", "mosaic", "coronagraphy"]),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.one_of(st.none(), st.lists(_pair, max_size=4)), max_size=10))
def test_property_explode_row_count_is_the_number_of_candidates(rows):
    cells = [None if r is None else "[" + ", ".join(f"{p!r}" for p in r) + "]" for r in rows]
    frame = pd.DataFrame({"filename": [f"f{i}" for i in range(len(rows))], "asn_candidate": cells})
    exploded = asnkit.explode_candidates(frame)
    assert len(exploded) == sum(max(len(r or []), 1) for r in rows)
    pairs = [p for r in rows for p in (r or [])]
    got = exploded.dropna(subset=["candidate_id"])
    assert list(zip(got["candidate_id"], got["candidate_type"], strict=True)) == pairs
