"""read_pool reads in blocks and shares repeated values, and still gives the same frame.

Issue 14 (memory): the reader splits a pool a block of lines at a time and keeps one
object per distinct value of a column. What it returns must not change: the frames,
attributes and errors are compared with the former reader (``tests/pool_reference.py``)
on every shipped pool and on random pool texts, with blocks of the default size and
blocks of a few characters (so block boundaries fall everywhere). Peak memory itself
is measured by ``benchmarks/run.py generate``, never asserted here.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit import PoolError, PoolWarning
from asnkit.pool import parse as read_module
from tests.helpers import DATA
from tests.pool_reference import reference_read

SHIPPED = sorted([*DATA.rglob("*.csv"), *(Path(asnkit.__file__).parent / "data").rglob("*.csv")])
BLOCKS = (read_module._BLOCK_CHARS, 200, 0)  # default, a few lines, one line a block


def _read(source, block: int) -> pd.DataFrame:
    with mock.patch.object(read_module, "_BLOCK_CHARS", block), warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(source)


def _same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert frame.dtypes.tolist() == expected.dtypes.tolist()
    assert frame.attrs == expected.attrs
    for column in frame.columns:  # missing values are the same objects (NaN, not None)
        assert list(map(type, frame[column].tolist())) == list(
            map(type, expected[column].tolist())
        ), column


def test_the_shipped_pools_are_all_found():
    names = {path.name for path in SHIPPED}
    assert len(SHIPPED) > 80  # 29 shared pools, 54 unseen pools, the demo pools
    assert {"mega_pool.csv", "pool_020_00009_image_miri.csv"} <= names


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_pool_gives_the_frame_of_the_former_reader(path, block):
    text = path.read_bytes().decode("utf-8-sig")
    try:
        expected = reference_read(text, str(path))
    except PoolError as former:  # the unseen pools include pools jwst and asnkit refuse
        with pytest.raises(PoolError) as caught:
            _read(path, block)
        assert str(caught.value) == str(former)
        return
    _same(_read(path, block), expected)


@pytest.mark.parametrize("path", SHIPPED[:: max(1, len(SHIPPED) // 12)], ids=lambda p: p.name)
def test_each_distinct_value_of_a_column_is_one_object(path):
    frame = _read(path, 200)
    for column in frame.columns:
        values = frame[column].dropna().tolist()
        assert len({id(value) for value in values}) == len(set(values)), column


def test_values_repeated_across_blocks_share_one_object():
    text = "filename|exp_type\n" + "".join(f"f{i}.fits|NRC_IMAGE\n" for i in range(500))
    frame = _read(io.StringIO(text), 64)
    assert frame["exp_type"].nunique() == 1
    assert len({id(value) for value in frame["exp_type"]}) == 1
    assert len({id(value) for value in frame["filename"]}) == 500


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("filename|a\n" + "x|1\n" * 40 + "y|1|2\n", 42, "expected 2 fields as in the header"),
        ("filename|a\n" + "x|1\n" * 40 + 'y|"open\n', 42, "is not closed on this line"),
        ("filename|a\n" + "x|1\n" * 40 + "y\n" + "x|1|2\n", 42, "found 1"),
        ("filename|a\n" + "x|1\n" * 40 + "y|1||\n" + "z\n", 42, "found 4"),
    ],
)
@pytest.mark.parametrize("block", BLOCKS)
def test_errors_name_the_same_line_whatever_the_block(text, line, message, block):
    with pytest.raises(PoolError, match=message) as caught:
        _read(io.StringIO(text), block)
    assert caught.value.line == line
    with pytest.raises(PoolError) as former:
        reference_read(text, "<buffer>")
    assert str(caught.value) == str(former.value)


def test_a_pool_with_only_blank_lines_and_comments_over_many_blocks():
    with pytest.raises(PoolError, match="only comments"):
        _read(io.StringIO("\n\n# a\n" * 50), 8)
    with pytest.raises(PoolError, match="is empty"):
        _read(io.StringIO(" \n\t\n\r\n" * 50), 8)
    frame = _read(io.StringIO("\n# a\n" * 50 + "filename|a\nx.fits|1\n"), 8)
    assert frame.attrs["pool_lines"] == ((0, 102, 1),)


# ---------------------------------------------------------------------------- property

_CELLS = st.sampled_from(
    ["", " ", "a", "A ", " a", "NULL", "null", " Null ", "n", "001", "1", "#x", '"q"', '"a|b"',
     '""', 'x"y', '"un', "\r", "a\r", "\v", "\x85", "\u2028", "ü", "b c", "\t"]
)  # fmt: skip


@st.composite
def _pool_texts(draw) -> str:
    columns = draw(st.integers(1, 4))
    header = "|".join(["filename", *(f"c{i}" for i in range(columns - 1))])
    before = draw(st.integers(0, 2))
    lines = [draw(st.sampled_from(["", "# note", "  # x", " "])) for _ in range(before)]
    lines.append(header + draw(st.sampled_from(["", "\r"])))
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "#c", " \t", "\r", "  #|x"])))
        else:
            width = columns if kind > 1 else draw(st.integers(1, columns + 1))
            lines.append("|".join(draw(_CELLS) for _ in range(width)))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_pool_texts(), block=st.sampled_from([0, 3, 17, 1 << 20]))
def test_property_any_pool_text_reads_as_the_former_reader_read_it(text, block):
    try:
        expected = reference_read(text, "<buffer>")
    except PoolError as former:
        with pytest.raises(PoolError) as caught:
            _read(io.StringIO(text), block)
        assert str(caught.value) == str(former)
        return
    frame = _read(io.StringIO(text), block)
    expected.attrs["asn_pool"] = "in-memory"
    _same(frame, expected)
