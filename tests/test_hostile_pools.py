"""Hostile and broken pools (issue 16, items 1, 2, 4, 5 and 8): each reproducer."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

import asnkit
from asnkit import PoolError, PoolWarning
from asnkit.pool.read import line_of
from tests.helpers import pool_file

HEADER = "filename|program|obs_num|targname"


def _read(text: str) -> pd.DataFrame:
    return asnkit.read_pool(io.StringIO(text))


def _files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _evil_pool(tmp_path, column, value, name="evil.csv"):
    """pool_002_image_miri with one value of one column replaced on its second data row."""
    lines = pool_file("pool_002_image_miri").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    where = lines[at].split("|").index(column)
    cells = lines[at + 2].split("|")
    cells[where] = value
    lines[at + 2] = "|".join(cells)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path, at + 3  # the file line of that row


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("asn_candidate", "[('o001/../../../../escape/X', 'observation')]"),
        ("asn_candidate", "[('', 'observation')]"),
        ("asn_candidate", "[('o001', 'observation'), ('/tmp/x', 'background')]"),
        ("program", "99009/../../../../escape"),
        ("program", "../99009"),
    ],
)
def test_values_that_become_file_names_are_dms_identifiers(column, value, tmp_path):
    path, line = _evil_pool(tmp_path, column, value)
    with pytest.raises(PoolError) as info:
        asnkit.read_pool(path)
    assert (info.value.file, info.value.line, info.value.column) == (str(path), line, column)
    assert "not a DMS" in str(info.value)


def test_generate_never_writes_outside_the_output_folder(tmp_path, capsys):
    from asnkit.cli import main

    evil = "[('o001/../../../../escape/X', 'observation')]"
    path, line = _evil_pool(tmp_path, "asn_candidate", evil)
    out = tmp_path / "a" / "b" / "out"
    assert main(["generate", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"asnkit generate: error: {path}, line {line}, column 'asn_candidate'")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _files_under(tmp_path) == ["evil.csv"]


def test_frames_built_in_memory_are_checked_when_generating(tmp_path):
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    evil = pool.copy()
    evil.loc[3, "asn_candidate"] = "[('o001/../../x', 'observation')]"
    with pytest.raises(
        PoolError, match=r"pool_002_image_miri\.csv, line \d+, column 'asn_candidate'"
    ):
        asnkit.generate(evil)
    evil = pool.assign(program="../../x")
    with pytest.raises(PoolError, match=r"column 'program': program '\.\./\.\./x' is not a DMS"):
        asnkit.generate(evil)
    bare = pd.DataFrame(pool.to_dict(orient="list"))  # no attrs: no file, so a row
    bare.loc[2, "asn_candidate"] = "[('a/b', 'observation')]"
    with pytest.raises(PoolError, match=r"^row 2, column 'asn_candidate'"):
        asnkit.generate(bare)
    with pytest.raises(asnkit.AssociationError, match="version_id"):
        asnkit.generate(pool, version_id="../x")


def test_junk_rows_may_hold_the_header_words_but_not_paths(tmp_path):
    text = f"{HEADER}|asn_candidate\nset acid|program|obs_num|x|1000\n"
    assert len(_read(text + "jw_1.fits|99009|1|m31|[('o001', 'observation')]\n")) == 2
    with pytest.raises(PoolError, match="line 2, column 'asn_candidate'"):
        _read(f"{HEADER}|asn_candidate\nset acid|program|obs_num|x|[('../x', 'observation')]\n")


# --------------------------------------------------------------------------- quotes


def test_a_quoted_cell_never_swallows_the_rows_after_it():
    text = f'{HEADER}\njw_1.fits|99009|1|"ngc 1\njw_2.fits|99009|1|m31"\njw_3.fits|99009|1|x\n'
    with pytest.raises(PoolError) as info:
        _read(text)
    assert (info.value.line, info.value.column) == (2, "targname")
    assert "not closed on this line" in str(info.value)


@pytest.mark.parametrize(
    ("cell", "value"),
    [('"ngc|3603"', "ngc|3603"), ('"a""b"', 'a"b'), ('""""', '"'), ('a"b', 'a"b'),
     (' "x|y" ', "x|y"), ('"a"b', "ab"), ('"  "', None)],
)  # fmt: skip
def test_quoted_cells_read_as_jwst_reads_them(cell, value):
    df = _read(f"{HEADER}\njw_1.fits|99009|1|{cell}\njw_2.fits|99009|1|x\n")
    first = df["targname"].iat[0]
    assert (pd.isna(first) and value is None) or first == value
    assert df["targname"].iat[1] == "x"


@pytest.mark.parametrize("last", ['"unclosed', '"', 'x|"'])
def test_an_unclosed_quote_in_the_last_field_is_a_pool_error(last):
    with pytest.raises(PoolError, match=r"line 2(, column '\w+')?: "):
        _read(f"{HEADER}\njw_1.fits|99009|1|{last}\n")


def test_a_quoted_field_over_128_kib_is_read():
    big = "x" * 200_000
    df = _read(f'{HEADER}\njw_1.fits|99009|1|"{big}"\n')
    assert df["targname"].iat[0] == big
    with pytest.raises(PoolError, match="line 2, column 'targname'"):
        _read(f'{HEADER}\njw_1.fits|99009|1|"{big}\n')


# --------------------------------------------------------------------------- lines


@pytest.mark.parametrize("char", ["\v", "\f", "\x85", "\u2028", "\u2029", "\x1c", "\r"])
def test_line_numbers_count_only_newlines(char):
    text = f"# a comment with {char} inside\n{HEADER}\njw_1.fits|99009|1|a{char}b\njw_2.fits|99009|1|x|y\n"  # noqa: E501
    with pytest.raises(PoolError, match="line 4: expected 4 fields"):
        _read(text)
    df = _read(text.replace("|x|y", "|x"))
    assert len(df) == 2 and df["targname"].iat[0] == f"a{char}b"
    assert [line_of(df, 0), line_of(df, 1)] == [3, 4]


def test_windows_line_ends_and_a_bom_are_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\r\njw_1.fits|99009|1|m31\r\n".encode())
    df = asnkit.read_pool(path)
    assert df.columns.tolist() == ["filename", "program", "obs_num", "targname"]
    assert df["targname"].tolist() == ["m31"]
    assert asnkit.read_pool(io.StringIO("\ufeff" + f"{HEADER}\njw_1.fits|99009|1|m31\n")).shape == (
        1,
        4,
    )


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"filename|a\nx.fits|\xff\n", r"line 2: not a text pool \(byte 18, character 8"),
        (b"filename|a\nx.fits\n", "line 2: expected 2 fields as in the header, found 1"),
        (b'filename|a\n"x.fits|1\n', "line 2, column 'filename': the quoted cell"),
        (b'"filename|a\nx.fits|1\n', "line 1: the quoted cell"),
    ],
)
def test_every_reader_failure_is_a_pool_error_with_file_and_line(content, match, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(PoolError, match=rf"^{path}, {match}"):
        asnkit.read_pool(path)


def test_buffers_that_fail_to_read_are_pool_errors():
    class Broken(io.StringIO):
        def read(self, *args):
            raise OSError(5, "Input/output error")

    with pytest.raises(PoolError, match="cannot be read"):
        asnkit.read_pool(Broken())
    with pytest.raises(PoolError, match="not a text pool"):
        asnkit.read_pool(io.TextIOWrapper(io.BytesIO(b"filename\n\xff\n"), encoding="utf-8"))


# --------------------------------------------------------------------------- generation


@pytest.mark.parametrize(
    ("drop", "match"),
    [
        (["targetid"], "no 'targetid' column"),
        (["asn_candidate", "obs_num"], "neither an 'asn_candidate' nor an 'obs_num' column"),
        (["filename"], "no 'filename' column"),
        (["program"], "no 'program' column"),
    ],
)
def test_generate_on_pools_without_columns_it_needs_is_a_pool_error(drop, match):
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    with pytest.raises(PoolError, match=match) as info:
        asnkit.generate(pool.drop(columns=drop))
    assert info.value.file.endswith("pool_002_image_miri.csv")


def test_an_empty_candidate_id_is_refused_at_reading_and_when_generating(tmp_path):
    path, line = _evil_pool(tmp_path, "asn_candidate", "[('', 'observation')]")
    with pytest.raises(PoolError, match=f"line {line}, column 'asn_candidate'"):
        asnkit.read_pool(path)
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    pool.loc[1, "asn_candidate"] = "[('', 'observation')]"
    with pytest.raises(PoolError, match=r"line \d+, column 'asn_candidate'.*candidate id ''"):
        asnkit.generate(pool)


def test_errors_during_generation_name_the_pool_file_and_its_line(tmp_path):
    path, line = _evil_pool(tmp_path, "exp_type", "null")
    pool = asnkit.read_pool(path)
    with pytest.raises(PoolError) as info:
        asnkit.generate(pool)
    assert (info.value.file, info.value.line, info.value.column) == (str(path), line, "exp_type")
    assert "jw_00002_uncal.fits: no exp_type" in str(info.value)
    subset = pool.iloc[1:]  # a selection keeps its index: still the file's lines
    with pytest.raises(PoolError) as info:
        asnkit.generate(subset)
    assert info.value.line == line


# --------------------------------------------------------------------------- junk rows


def test_junk_rows_stay_rows_but_are_not_presented_as_exposures():
    with pytest.warns(PoolWarning, match="2 junk row"):
        pool = asnkit.read_pool(pool_file("pool_001_candidates"))
    assert (pool["filename"] == "set acid").sum() == 2  # kept, as jwst keeps them
    table = pool.asn.candidates()
    junk = table[table["junk"]]
    assert junk["candidate_id"].tolist() == ["1000", "1002"]
    assert (junk["exposures"] == 0).all() and (junk["candidate_type"] == "unknown").all()
    assert table.index[table["junk"]].min() > table.index[~table["junk"]].max()  # listed last
    assert not table.loc[~table["junk"], "candidate_id"].isin(["1000", "1002"]).any()
    summary = pool.asn.summary()
    assert summary["exposures"].sum() == len(pool) - 2
    assert summary.attrs["junk_rows"] == 2


def test_a_repeated_header_line_is_a_junk_row():
    with pytest.warns(PoolWarning, match="1 junk row"):
        df = _read(f"{HEADER}\n{HEADER.upper()}\njw_1.fits|99009|1|m31\n")
    assert len(df) == 2
    assert df.asn.summary()["exposures"].sum() == 1


def test_widgets_count_exposures_and_name_the_junk_rows():
    from asnkit.widgets.models import ExplorerModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        pool = asnkit.read_pool(pool_file("pool_001_candidates"))
    model = ExplorerModel(pool)
    assert model.n_total == len(pool) - 2
    assert model.n_junk == 2


@pytest.mark.parametrize("name", [".", "/"])
def test_a_file_name_without_a_stem_names_its_product_as_jwst_does(name):
    # jwst 3.0.0 asn_generate on this pool writes 9 associations, the Level 2 product of the
    # renamed exposure being named "." or "/" (str(Path(expname).parent / stem)); asnkit
    # stopped with an internal error (pathlib's with_suffix on an empty name)
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    first = pool.index[pool["filename"].str.endswith("_uncal.fits")][0]
    pool.loc[first, "filename"] = name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        asns = asnkit.generate(pool)
    products = [a.to_dict()["products"][0]["name"] for a in asns]
    assert len(asns) == 9
    assert name in products
