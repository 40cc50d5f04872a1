"""What the engine keeps per pool row reads exactly as the pool (issue 14, memory).

The engine's table keeps a column as codes into its distinct lower-case texts
until something reads it (:class:`asnkit.engine.table.Table`); the attribute
checks read the table's texts with a one-byte empty mask
(:class:`asnkit.engine.columns.PoolColumns`); rules with equal pre-check masks
share one read-only array (:class:`asnkit.engine.passes.Matcher`). Each must
read what the plain definition reads: the pool's value, lower-case, the pool's
null text where it is missing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.dms.values import EMPTY
from asnkit.engine.columns import PoolColumns
from asnkit.engine.passes import Matcher
from asnkit.engine.table import Item, build_table, narrow_codes, rows_by_candidate
from asnkit.rules import dms_rules
from tests.helpers import POOLS


def _read(path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asnkit.read_pool(path)


def _expected(pool: pd.DataFrame) -> dict[str, list[str]]:
    """The table's texts by their definition: lower-case text, the null text if missing."""
    null_text = pool.attrs.get("null_text") or {}
    out = {}
    for column in pool.columns:
        missing = null_text.get(column, "null")
        out[str(column).lower()] = [
            missing if pd.isna(v) else (v.lower() if isinstance(v, str) else str(v).lower())
            for v in pool[column].tolist()
        ]
    return out


def _check_table(pool: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(pool)
    expected = _expected(pool)
    assert table.n == len(pool)
    for name, texts in expected.items():
        column = table.cols[name]
        kind = type(column)
        assert len(column) == len(texts)
        # read cells first (as a rule does: in place, no list made), then the whole column
        if texts:
            assert column[len(texts) - 1] == texts[-1]
            assert Item(table, len(texts) - 1)[name] == texts[-1]
            assert Item(table, 0).get(name) == texts[0]
        assert type(table.cols[name]) is kind
        reader_texts, codes = table.reader(name)
        assert [reader_texts[codes[row]] for row in range(len(texts))] == texts
        assert table.column(name) == texts
        assert type(table.cols[name]) is list  # made once, then a plain list
        assert table.column(name) is table.cols[name]
    assert table.column("no such column") is None
    assert table.reader("no such column") == (None, None)


@pytest.mark.parametrize("path", sorted(POOLS.glob("*.csv")), ids=lambda p: p.stem)
def test_table_reads_every_shared_pool_as_its_definition(path):
    pool = _read(path)
    if "asn_candidate" in pool.columns:
        _check_table(pool)


_VALUES = st.one_of(
    st.sampled_from(["F150W", "f150w", "NRCA1", "null", "", "N/A", "Clear", "jw001_x.fits"]),
    st.just(np.nan),
    st.text(alphabet="abcXYZ_01 ", max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_table_reads_random_frames_as_their_definition(data):
    """Few or many distinct values per column (kept as codes or made a list at once)."""
    n = data.draw(st.integers(1, 40))
    columns = {}
    for name in ("asn_candidate", "FILTER", "pupil", "obs_num"):
        columns[name] = data.draw(st.lists(_VALUES, min_size=n, max_size=n))
    columns["filename"] = [f"jw{k:05d}_Cal.fits" for k in range(n)]
    columns["nints"] = data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    pool = pd.DataFrame(columns)
    pool.attrs["null_text"] = {"pupil": "nu"}
    _check_table(pool)


def test_table_keeps_the_pool_as_it_was_read():
    """A column not read yet is not a view of the frame: changing the frame changes nothing."""
    pool = _read(POOLS / "pool_002_image_miri.csv")
    table = build_table(pool)
    before = _expected(pool)
    pool.loc[0, "FILTER"] = "CHANGED"
    pool.loc[1, "EXP_TYPE"] = None
    assert table.column("filter") == before["filter"]
    assert Item(table, 1)["exp_type"] == before["exp_type"][1]


def test_narrow_codes_fit_the_smallest_signed_type():
    codes = np.array([-1, 0, 5], dtype=np.int64)
    assert narrow_codes(codes, 6).dtype == np.int8
    assert narrow_codes(codes, 127).dtype == np.int8
    assert narrow_codes(codes, 128).dtype == np.int16
    assert narrow_codes(codes, 40_000).dtype == np.int32
    assert narrow_codes(codes, 2**40).dtype == np.int64
    assert narrow_codes(codes, 128).tolist() == [-1, 0, 5]


@pytest.mark.parametrize(
    "name", ["pool_018_all_exptypes", "pool_001_candidates", "jw87800_20180412T163456_pool"]
)
def test_pool_columns_empty_mask_is_the_empty_texts(name):
    pool = _read(POOLS / f"{name}.csv")
    table = build_table(pool)
    columns = PoolColumns(table)
    for column in [*table.cols, "not a column"]:
        texts, codes, empty = columns.values(column)
        assert len(empty) == len(codes) == table.n
        if column == "not a column":
            assert set(empty) == {1}
            continue
        made = [texts[code] for code in codes]  # None where empty
        column_texts = table.column(column)
        assert [bool(e) for e in empty] == [t in EMPTY for t in column_texts]
        assert made == [None if t in EMPTY else t for t in column_texts]


def test_equal_pre_check_masks_are_one_read_only_array():
    pool = pd.concat(
        [_read(POOLS / f"{name}.csv") for name in ("pool_018_all_exptypes", "pool_002_image_miri")],
        ignore_index=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matcher = Matcher(build_table(pool), dms_rules(), None)
    arrays = [
        array
        for plan in [*matcher.cand_plans, *matcher.disc_plans]
        for array in (plan.possible, plan.creatable, plan.route_of_row)
        if array is not None
    ]
    by_content: dict[tuple, set[int]] = {}
    for array in arrays:
        assert not array.flags.writeable
        by_content.setdefault((array.dtype.str, array.tobytes()), set()).add(id(array))
    assert all(len(ids) == 1 for ids in by_content.values())
    assert len(by_content) < len(arrays)  # some rules' masks are alike


_TEXTS = st.sampled_from(
    [
        "[('o001', 'observation')]",
        "[('o001', 'observation'), ('c1000', 'background')]",
        "[('c1000', 'background')]",
        "[('c10001', 'mosaic')]",
        "[('o012', 'observation')]",
        "null",
    ]
)


@settings(max_examples=80, deadline=None)
@given(
    texts=st.lists(_TEXTS, max_size=30),
    cid=st.sampled_from(["o001", "c1000", "1000", "o01", "c10001", "null", "('o", "x"]),
)
def test_rows_by_candidate_are_the_rows_whose_text_contains_the_id(texts, cid):
    """The reference selects a candidate's rows by substring of the candidate text."""
    assert rows_by_candidate(texts)(cid) == [row for row, t in enumerate(texts) if cid in t]


def test_a_column_not_read_yet_pickles_as_its_texts():
    import pickle

    pool = _read(POOLS / "pool_002_image_miri.csv")
    table = build_table(pool)
    copy = pickle.loads(pickle.dumps(table.cols))
    assert copy == _expected(pool)


def test_generation_reads_coded_columns_in_place():
    """Bound checks, exposures and the index read a column kept as codes without making
    it a list (eight bytes a row): after a run, only the columns documents keep as lists
    (and those of mostly distinct texts, lists from the start) are lists."""
    pool = _read(POOLS / "mega_pool.csv")
    assert len(pool) >= 500  # (the fast path's bound checks run)
    table = build_table(pool)
    listed_at_start = {name for name, column in table.cols.items() if type(column) is list}
    record = asnkit.run(pool, version_id="20250101t000000").record
    listed = {name for name, column in record.table.cols.items() if type(column) is list}
    assert listed - listed_at_start <= {"asn_candidate", "exposerr"}
    assert len(record.table.cols) - len(listed) >= 20  # most columns stay codes


def test_index_files_a_member_file_without_a_list_until_it_is_in_two():
    """``AsnIndex.by_file``: the association itself for a file in one (most), a list in
    file order of association once in several; candidates are the same either way."""
    from types import SimpleNamespace

    from asnkit.engine.index import AsnIndex

    table = build_table(pd.DataFrame({"filename": ["a", "b"], "asn_candidate": ["null"] * 2}))
    index = AsnIndex(SimpleNamespace(routes=[], cr=SimpleNamespace(by_name={})))
    first, second = SimpleNamespace(seq=1), SimpleNamespace(seq=2)
    index.note_file(first, "a")
    index.note_file(first, "a")
    assert index.by_file["a"] is first
    assert index.candidates(Item(table, 0), False) == [first]
    index.note_file(second, "a")
    index.note_file(second, "a")
    assert index.by_file["a"] == [first, second]
    assert index.candidates(Item(table, 0), False) == [first, second]
    assert index.candidates(Item(table, 1), False) == []
