"""write_pool: round trips with read_pool, never replaces a file unasked, writes atomically."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit import PoolError, PoolWarning
from asnkit.pool.write import LINE_BREAKS
from tests.helpers import pool_file, pool_names


def _read_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(path)


@pytest.mark.parametrize("name", pool_names())
def test_every_shared_pool_round_trips_values_and_attrs(name, tmp_path):
    pool = _read_quietly(pool_file(name))
    target = tmp_path / f"copy_{name}.csv"
    assert asnkit.write_pool(pool, target) == target
    again = _read_quietly(target)
    pd.testing.assert_frame_equal(again, pool)
    assert again.attrs == {
        "asn_pool": target.name,
        "pool_file": str(target),
        "null_text": pool.attrs["null_text"],
        "pool_lines": ((0, 2, len(pool)),),  # the header, then one line per row
    }


def test_written_file_is_what_dms_readers_expect(tmp_path):
    pool = pd.DataFrame(
        {"FILENAME": ["a_uncal.fits", "b_uncal.fits"], "Obs_Num": ["001", None], "x": ["", "t"]}
    )
    target = tmp_path / "pool.csv"
    asnkit.write_pool(pool, target)
    assert target.read_text() == "filename|obs_num|x\na_uncal.fits|001|NULL\nb_uncal.fits|NULL|t\n"


def test_refuses_to_replace_an_existing_file_unless_asked(tmp_path):
    target = tmp_path / "pool.csv"
    target.write_text("precious\n")
    pool = _read_quietly(pool_file("pool_002_image_miri"))
    with pytest.raises(FileExistsError, match=r"pool\.csv"):
        asnkit.write_pool(pool, target)
    assert target.read_text() == "precious\n"
    asnkit.write_pool(pool, target, overwrite=True)
    pd.testing.assert_frame_equal(asnkit.read_pool(target), pool)
    assert sorted(os.listdir(tmp_path)) == ["pool.csv"]  # no temporary file left


def test_overwrite_keeps_the_file_mode(tmp_path):
    target = tmp_path / "pool.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    asnkit.write_pool(_read_quietly(pool_file("pool_002_image_miri")), target, overwrite=True)
    assert target.stat().st_mode & 0o777 == 0o640


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "pool.csv"
    target.write_text("old\n")
    bad = pd.DataFrame({"filename": ["a.fits"], "note": ["x|y"]})
    with pytest.raises(PoolError):
        asnkit.write_pool(bad, target, overwrite=True)
    assert target.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["pool.csv"]


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("x|y", "delimiter"),
        ("x\ny", "line break"),
        ("x\r", "line break"),
        ("x\x0cy", "line break"),
        ("x\u2028y", "line break"),
    ],
)
def test_value_with_delimiter_or_newline_names_row_and_column(value, what, tmp_path):
    bad = pd.DataFrame({"filename": ["a.fits", "b.fits"], "note": ["ok", value]}, index=[10, 11])
    with pytest.raises(PoolError, match=what) as info:
        asnkit.write_pool(bad, tmp_path / "pool.csv")
    assert info.value.column == "note"
    assert "row 1 (index 11)" in str(info.value)
    assert not (tmp_path / "pool.csv").exists()


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pd.DataFrame({"program": ["1"]}), "no 'filename' column"),
        (pd.DataFrame([["a", "b"]], columns=["filename", "FILENAME"]), "duplicated column"),
        (pd.DataFrame({"filename": ["#a.fits"]}), "read as a comment"),
        (pd.DataFrame({"filename": ["a"], "a|b": ["1"]}), "column name holds the delimiter"),
    ],
)
def test_frames_that_would_not_read_back_raise_pool_error(frame, match, tmp_path):
    with pytest.raises(PoolError, match=match):
        asnkit.write_pool(frame, tmp_path / "pool.csv")


def test_missing_folder_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        asnkit.write_pool(pd.DataFrame({"filename": ["a"]}), tmp_path / "nowhere" / "p.csv")


def test_missing_values_of_every_kind_are_written_as_null():
    frame = pd.DataFrame(
        {"filename": ["a", "b", "c", "d"], "v": [None, np.nan, pd.NA, " null "]}, dtype=object
    )
    buffer = io.StringIO()
    asnkit.write_pool(frame, buffer)
    assert buffer.getvalue().splitlines()[1:] == ["a|NULL", "b|NULL", "c|NULL", "d|NULL"]


def test_accessor_write_does_not_change_the_frame(tmp_path):
    pool = _read_quietly(pool_file("pool_013_coron_nircam"))
    before = pool.copy(deep=True)
    pool.asn.write(tmp_path / "p.csv")
    pd.testing.assert_frame_equal(pool, before)
    assert pool.attrs == before.attrs


# --------------------------------------------------------------------------- properties

_cell = st.one_of(
    st.none(),
    st.text(
        # any text a file can hold: lone surrogates are not text (see the test below)
        alphabet=st.characters(blacklist_characters="|" + LINE_BREAKS, blacklist_categories=["Cs"]),
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda s: s and s.lower() != "null" and not s.startswith("#")),
)
_names = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True), min_size=1, max_size=5, unique=True
).filter(lambda names: not {"filename", "program"} & set(names))  # program: a DMS identifier


@st.composite
def _pools(draw):
    extra = draw(_names)
    rows = draw(st.integers(min_value=0, max_value=8))
    data = {"filename": [draw(_cell.filter(bool)) for _ in range(rows)]}
    for name in extra:
        data[name] = [draw(_cell) for _ in range(rows)]
    return pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items()})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=_pools())
def test_property_write_then_read_gives_the_frame_back(pool):
    buffer = io.StringIO()
    asnkit.write_pool(pool, buffer)
    buffer.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)  # blanks in drawn file names are "junk"
        again = asnkit.read_pool(buffer)
    pd.testing.assert_frame_equal(again, pool, check_dtype=False, check_index_type=False)


def test_a_value_that_is_not_text_is_refused_naming_row_and_column(tmp_path):
    df = pd.DataFrame({"filename": ["a.fits", "b\ud800.fits"], "obs_num": ["1", "2"]})
    with pytest.raises(PoolError, match=r"column 'filename'.*row 1.*not UTF-8"):
        asnkit.write_pool(df, tmp_path / "pool.csv")
    assert not (tmp_path / "pool.csv").exists()


def test_empty_cells_of_narrow_columns_stay_empty(tmp_path):
    text = "filename|exposerr|targetid\nx.fits||1\ny.fits|ok|\n"
    pool = asnkit.read_pool(io.StringIO(text))
    assert pool.attrs["null_text"] == {"exposerr": "nu", "targetid": "n"}
    again = asnkit.read_pool(asnkit.write_pool(pool, tmp_path / "pool.csv"))
    assert again.attrs["null_text"] == pool.attrs["null_text"]
    pd.testing.assert_frame_equal(again, pool)
