"""read_pool on every shared pool and on bad input."""

from __future__ import annotations

import errno
import io
import warnings

import pandas as pd
import pytest

import asnkit
from asnkit import PoolError, PoolWarning
from tests.helpers import ROW_COUNTS, pool_file, pool_names


@pytest.mark.parametrize("name", pool_names())
def test_every_shared_pool_reads_with_jwst_row_count(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        df = asnkit.read_pool(pool_file(name))
    assert len(df) == ROW_COUNTS[name]
    assert df.attrs["asn_pool"] == f"{name}.csv"
    assert all(c == c.lower() for c in df.columns)


def test_mega_pool_keeps_junk_rows_and_warns():
    with pytest.warns(PoolWarning, match="36 junk row"):
        df = asnkit.read_pool(pool_file("mega_pool"))
    assert len(df) == 837
    assert (df["filename"] == "set acid").sum() == 36
    # '#' inside a value is data, not a comment
    assert df.apply(lambda col: col.astype("str").str.startswith("#todo")).to_numpy().any()


def test_values_are_text_with_leading_zeros_and_missing_as_nan():
    text = (
        "# comment\nFILENAME|Program|OBS_NUM|filter\n\n"
        "jw_1_uncal.fits|00009|001|NULL\n# late\njw_2_uncal.fits|99009|002|\n"
    )
    df = asnkit.read_pool(io.StringIO(text))
    assert list(df.columns) == ["filename", "program", "obs_num", "filter"]
    assert df["program"].tolist() == ["00009", "99009"]
    assert df["obs_num"].tolist() == ["001", "002"]
    assert df["filter"].isna().all()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("# only a comment\n", "only comments"),
        ("program|obs_num\n1|2\n", "no 'filename' column"),
        ("filename|obs|OBS\na.fits|1|2\n", "column 'obs': duplicated column name"),
        (
            "filename|obs\na.fits|1\nb.fits|1|2\n",
            "line 3: expected 2 fields as in the header, found 3",
        ),
        (
            "filename|asn_candidate\na.fits|[('o001', observation)]\n",
            "line 2, column 'asn_candidate'",
        ),
    ],
)
def test_bad_input_raises_pool_error_naming_the_place(text, match):
    with pytest.raises(PoolError, match=match):
        asnkit.read_pool(io.StringIO(text))


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        asnkit.read_pool(tmp_path / "nope.csv")


def test_pool_error_is_a_value_error_with_location(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("filename|a\nx.fits|1|2\n")
    with pytest.raises(ValueError) as info:
        asnkit.read_pool(path)
    assert info.value.file == str(path) and info.value.line == 2
    assert "bad.csv" in str(info.value)


def test_case_twin_pools_hold_the_same_values_up_to_case():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        upper = asnkit.read_pool(pool_file("pool_001_candidates"))
        lower = asnkit.read_pool(pool_file("pool_001_candidates_lower"))
    common = [c for c in upper.columns if c in lower.columns]
    real = upper["filename"] != "set acid"  # the junk rows differ between the twins
    pd.testing.assert_frame_equal(
        upper.loc[real, common].apply(lambda s: s.str.lower()),
        lower.loc[real, common].apply(lambda s: s.str.lower()),
    )


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"empty\.csv: the pool is empty"),
        (b"\n  \n", "the pool is empty"),
        (b"filename|\xff\xfe|x\n", r"line 1: not a text pool"),
        (b"filename||obs\n", "line 1: header field 2 has no column name"),
    ],
)
def test_bad_files_on_disk_name_file_and_line(content, match, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(PoolError, match=match):
        asnkit.read_pool(path)


def test_a_folder_is_not_a_pool(tmp_path):
    with pytest.raises(PoolError, match="is a folder, not a pool file") as info:
        asnkit.read_pool(tmp_path)
    assert isinstance(info.value, IsADirectoryError) and info.value.errno == errno.EISDIR
    assert info.value.filename == str(tmp_path) and str(info.value).startswith(str(tmp_path))


def test_bad_row_in_a_real_pool_names_file_line_and_column(tmp_path):
    lines = pool_file("pool_002_image_miri").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if not line.startswith("#"))  # the header
    where = [c.strip().lower() for c in lines[at].split("|")].index("asn_candidate")
    row = at + 2  # 0-based index of the second data row
    cells = lines[row].split("|")
    cells[where] = "[('o001' 'observation')]"
    lines[row] = "|".join(cells)
    path = tmp_path / "pool_bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PoolError) as info:
        asnkit.read_pool(path)
    found = (info.value.file, info.value.line, info.value.column)
    assert found == (str(path), row + 1, "asn_candidate")
    lines[row] = lines[row] + "|extra"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PoolError, match=rf"pool_bad\.csv, line {row + 1}: expected \d+ fields"):
        asnkit.read_pool(path)


def test_unreadable_file_is_a_pool_error_naming_it(tmp_path, monkeypatch):
    path = tmp_path / "locked.csv"
    path.write_text("filename\na.fits\n")
    original = type(path).read_bytes

    def refuse(self):
        if self.name == "locked.csv":
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(PoolError, match=r"locked\.csv: cannot be read \(Permission denied\)"):
        asnkit.read_pool(path)


def test_double_quotes_group_a_cell_as_the_reference_reader_does():
    text = 'filename|targname|note\n"x.fits"|"ngc|3603"|5"\ny.fits|m31|ok\n'
    df = asnkit.read_pool(io.StringIO(text))
    assert df["filename"].tolist() == ["x.fits", "y.fits"]
    assert df["targname"].tolist() == ["ngc|3603", "m31"]
    assert df["note"].tolist() == ['5"', "ok"]
    with pytest.raises(PoolError, match="line 2: expected 3 fields as in the header, found 2"):
        asnkit.read_pool(io.StringIO('filename|a|b\n"x.fits"|"1|2"\n'))


def test_empty_cells_of_narrow_columns_are_recorded_as_the_reference_reads_them():
    # jwst's reader cuts "null" to the width of the column: 'n', 'nu', 'nul'
    text = "filename|a|b|c|d\nx.fits|||abc|NULL\ny.fits|1|ab||\n"
    df = asnkit.read_pool(io.StringIO(text))
    assert df.attrs["null_text"] == {"a": "n", "b": "nu", "c": "nul"}
    assert df[["a", "b", "c", "d"]].isna().sum().tolist() == [1, 1, 1, 2]


def test_sep_is_another_name_for_delimiter(tmp_path):
    # pandas users write sep=: it reads as delimiter= does
    path = tmp_path / "comma_pool.csv"
    path.write_text("filename,exp_type\njw_00001_uncal.fits,nrc_image\n")
    by_sep = asnkit.read_pool(path, sep=",")
    pd.testing.assert_frame_equal(by_sep, asnkit.read_pool(path, delimiter=","))
    assert by_sep["exp_type"].tolist() == ["nrc_image"]
    pd.testing.assert_frame_equal(asnkit.read_pool(path, sep=",", delimiter=","), by_sep)
