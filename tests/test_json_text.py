"""asnkit.documents.plain.json_text: the text json.dumps writes, character for character."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnkit
from asnkit.documents.plain import MAX_DEPTH, json_text
from tests.helpers import pool_file


def _reference(value):
    return json.dumps(value, indent=4, separators=(",", ": "), allow_nan=False)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=40,
)


@given(_VALUES)
def test_same_text_as_json_dumps(value):
    assert json_text(value) == _reference(value)


class _Level(enum.IntEnum):
    TWO = 2


class _Name(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"a": (1, 2)},  # tuples: written as lists
        {1: "a", None: "b", 2.5: "c", False: "d"},  # keys json turns into text
        {"level": _Level.TWO},  # int subclass
        {"name": _Name("x")},  # str subclass
        [[[]], {}, [{}], {"": ""}],
        {'\u00e9\u2603\U0001f600\n\t"\\': "\x00\x1f\u2028"},  # escapes, non-ASCII
        [1e16, 1.0, -0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2],
    ],
)
def test_values_json_dumps_converts_are_written_the_same(value):
    assert json_text(value) == _reference(value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"a": [math.nan]}, {"a": {1, 2}}])
def test_what_json_dumps_refuses_is_refused_the_same_way(bad):
    with pytest.raises((ValueError, TypeError)) as expected:
        _reference(bad)
    with pytest.raises(type(expected.value), match=str(expected.value)[:20]):
        json_text(bad)


def test_deep_and_circular_values_are_left_to_json_dumps():
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [{"k": deep}, 1]
    assert json_text(deep) == _reference(deep)
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match="Circular reference"):
        json_text(loop)


def test_association_files_are_the_documents_json_text(tmp_path):
    asns = asnkit.generate(asnkit.read_pool(pool_file("pool_002_image_miri")))
    paths = asns.write(tmp_path)
    assert len(paths) == len(asns) > 0
    for asn, path in zip(asns, paths, strict=True):
        assert path.read_bytes() == _reference(asn.to_dict()).encode("utf-8")
