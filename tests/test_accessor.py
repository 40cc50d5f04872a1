"""The df.asn accessor: forwards to the functions, chains, never mutates its input."""

from __future__ import annotations

import copy
import warnings

import pandas as pd
import pytest

import asnkit
from asnkit import PoolWarning
from tests.helpers import pool_file, pool_names


def _pool(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(pool_file(name))


POOL = _pool("pool_001_candidates")


def test_accessor_needs_a_filename_column_and_names_it():
    frame = pd.DataFrame({"program": ["1"], "obs_num": ["1"]})
    with pytest.raises(AttributeError, match=r"missing column\(s\) \['filename'\]"):
        frame.asn  # noqa: B018


def test_chained_example_from_the_readme():
    got = POOL.asn.select(instrume="nircam", filter=["f090w", "f2*"]).asn.observation(1)
    assert len(got) == 10
    assert got["filter"].value_counts().to_dict() == {"f090w": 8, "f277w": 2}
    assert got.asn.science().equals(got)


# (method, args, the plain function and its args)
CALLS = [
    ("select", {"instrume": "nircam"}, asnkit.select),
    ("science", {}, asnkit.science),
    ("explode_candidates", {}, asnkit.explode_candidates),
    ("summary", {}, asnkit.summary),
    ("label_positions", {}, asnkit.label_positions),
]


@pytest.mark.parametrize(("method", "kwargs", "function"), CALLS)
def test_methods_forward_to_the_plain_functions(method, kwargs, function):
    pd.testing.assert_frame_equal(getattr(POOL.asn, method)(**kwargs), function(POOL, **kwargs))


def test_positional_methods_forward():
    pd.testing.assert_frame_equal(POOL.asn.observation("3"), asnkit.observation(POOL, 3))
    pd.testing.assert_frame_equal(POOL.asn.candidate("c1001"), asnkit.candidate(POOL, "c1001"))
    pd.testing.assert_frame_equal(POOL.asn.candidates(), asnkit.candidate_ids(POOL))
    pd.testing.assert_frame_equal(
        POOL.asn.summary(by=["detector"]), asnkit.summary(POOL, by=["detector"])
    )


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("select", {"instrume": "nircam", "filter": "f2*"}),
        ("science", {}),
        ("observation", {"obs_num": 2}),
        ("candidate", {"candidate_id": "c1000"}),
        ("explode_candidates", {}),
        ("candidates", {}),
        ("summary", {}),
        ("label_positions", {}),
    ],
)
def test_methods_never_mutate_their_input_and_return_new_frames(method, args):
    pool = POOL.copy(deep=True)
    before = copy.deepcopy(pool)
    attrs = copy.deepcopy(pool.attrs)
    result = getattr(pool.asn, method)(**args)
    assert isinstance(result, pd.DataFrame) and result is not pool
    pd.testing.assert_frame_equal(pool, before)
    assert pool.attrs == attrs
    # changing the result leaves the pool alone (no view)
    if len(result):
        result.iloc[0, 0] = "changed"
        pd.testing.assert_frame_equal(pool, before)


def test_label_positions_via_accessor_adds_columns_without_touching_input():
    pool = _pool("jw09505_20251216t202003_pool")
    labelled = pool.asn.label_positions()
    assert "dither_position" not in pool.columns
    assert labelled.columns.tolist()[: len(pool.columns)] == pool.columns.tolist()
    assert labelled["dither_position"].tolist() == [int(v) for v in pool["patt_num"]]


@pytest.mark.parametrize("name", pool_names())
def test_every_method_works_on_every_shared_pool(name):
    pool = _pool(name)
    before = copy.deepcopy(pool)
    assert len(pool.asn.select(filename="*")) == pool["filename"].notna().sum()
    assert len(pool.asn.science()) <= len(pool)
    if "asn_candidate" in pool.columns:
        assert len(pool.asn.explode_candidates()) >= len(pool)
        assert pool.asn.candidates()["exposures"].sum() <= len(pool.asn.explode_candidates())
    assert pool.asn.summary()["exposures"].sum() <= len(pool)
    assert len(pool.asn.label_positions()) == len(pool)
    first_obs = pool["obs_num"][pool["obs_num"].str.isdigit().fillna(False)].iloc[0]
    assert len(pool.asn.observation(first_obs)) >= 1
    pd.testing.assert_frame_equal(pool, before)
