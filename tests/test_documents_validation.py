"""Validation and loading of association documents."""

from __future__ import annotations

import copy
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.documents.collection import AssociationSet
from asnkit.documents.io import read_asn, read_asn_set
from asnkit.documents.model import Association
from asnkit.documents.validation import (
    _fast_check,
    _path_key,
    _schema_faults,
    _schema_message,
    _validator,
    iter_errors,
    load_schema,
)
from tests.helpers import ASN, EXPECTED

EXPECTED_FILES = sorted(EXPECTED.glob("*/*.json"))
LV2 = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image2_00001_asn.json"
LV3 = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image3_00001_asn.json"


def _doc(path):
    return json.loads(path.read_text())


def test_every_real_file_loads_and_validates():
    count = 0
    for path in EXPECTED_FILES:
        asn = read_asn(path)
        assert asn.filename == path.name
        assert asn.to_json() == path.read_text()
        count += 1
    for path in sorted(ASN.glob("*.json")):
        if "bad_path" in path.name:
            with pytest.warns(asnkit.AssociationWarning) as record:
                asn = read_asn(path)
            assert "carries a folder" in str(record[0].message)
            assert "2 different folders" in str(record[-1].message)
        else:
            asn = read_asn(path)
        assert asnkit.is_valid(asn)
        count += 1
    assert count == len(EXPECTED_FILES) + len(list(ASN.glob("*.json")))


def test_schemas_are_package_data_and_stricter_than_jwst():
    for level in (2, 3):
        schema = load_schema(level)
        product = schema["$defs"]["product"]
        assert product["required"] == ["name", "members"]
        assert product["properties"]["members"]["minItems"] == 1


def test_public_names():
    assert asnkit.validate is asnkit.documents.validation.validate
    assert asnkit.read_asn is read_asn


def _errors(doc):
    with pytest.raises(asnkit.AssociationError) as info:
        asnkit.validate(doc)
    return info.value


def test_missing_expname_reports_json_path():
    doc = _doc(LV3)
    del doc["products"][0]["members"][3]["expname"]
    err = _errors(doc)
    assert ("products[0].members[3]", "'expname' is required") in err.errors
    assert "products[0].members[3]: 'expname' is required" in str(err)
    assert isinstance(err, ValueError)


def test_every_fault_is_listed():
    doc = _doc(LV3)
    members = doc["products"][0]["members"]
    del members[0]["expname"]
    members[2]["exptype"] = 7
    members[4]["exptype"] = "flatfield"
    doc["program"] = 99009
    err = _errors(doc)
    paths = [path for path, _ in err.errors]
    assert paths == [
        "products[0].members[0]",
        "products[0].members[2].exptype",
        "program",
        "products[0].members[4].exptype",
    ]
    assert "must be a string, not int 7" in str(err)
    assert "unknown member type 'flatfield'" in str(err)
    assert len(str(err).splitlines()) == 5


def test_faults_come_in_document_order():
    doc = _doc(LV3)
    members = doc["products"][0]["members"]
    members += [{**m, "expname": f"x{i}_cal.fits"} for i, m in enumerate(list(members))]
    for i in (11, 2):
        del doc["products"][0]["members"][i]["exptype"]
    paths = [path for path, _ in _errors(doc).errors]
    assert paths == ["products[0].members[2]", "products[0].members[11]"]


def test_missing_or_empty_members_and_products():
    doc = _doc(LV3)
    del doc["products"][0]["members"]
    assert _errors(doc).errors == [("products[0]", "'members' is required")]
    doc["products"][0]["members"] = []
    assert _errors(doc).errors == [("products[0].members", "must not be empty")]
    doc["products"] = []
    assert _errors(doc).errors == [("products", "must not be empty")]
    del doc["products"]
    assert _errors(doc).errors == [("", "'products' is required")]


def test_wrong_types():
    doc = _doc(LV2)
    doc["products"] = {"name": "x"}
    assert _errors(doc).errors == [("products", "must be a list, not dict {'name': 'x'}")]
    doc = _doc(LV2)
    doc["version_id"] = 5
    assert _errors(doc).errors[0][0] == "version_id"
    doc["version_id"] = None  # null is fine
    asnkit.validate(doc)


def test_two_science_members_in_level2_product():
    doc = _doc(LV2)
    doc["products"][0]["members"].append({"expname": "jw_00009_rate.fits", "exptype": "SCIENCE"})
    err = _errors(doc)
    assert err.errors == [
        ("products[0]", "a Level 2 product holds exactly one science member, found 2")
    ]
    # the same product is fine in Level 3
    asnkit.validate(doc, level=3)
    # and no science member at all is a fault too
    doc["products"][0]["members"] = [{"expname": "b_rate.fits", "exptype": "background"}]
    assert "found 0" in str(_errors(doc))


def test_exptypes_are_case_insensitive():
    doc = _doc(LV3)
    for m in doc["products"][0]["members"]:
        m["exptype"] = m["exptype"].upper()
    asnkit.validate(doc)


def test_duplicate_product_names_in_association_and_set():
    doc = _doc(LV2)
    doc["products"].append(copy.deepcopy(doc["products"][0]))
    err = _errors(doc)
    assert err.errors == [
        ("products[1].name", "product name 'jw_00008' is already used by products[0]")
    ]
    # across a set: jwst itself wrote two wfs-image3 products of the same name here
    folder = EXPECTED / "jw00632_dups"
    s = read_asn_set(folder)
    assert all(asnkit.is_valid(a) for a in s)
    err = _errors(s)
    assert len(err.errors) == 1
    path, message = err.errors[0]
    assert path.endswith("_wfs-image3_00002_asn.json:products[0].name")
    assert "_wfs-image3_00001_asn.json" in message


def test_path_warnings():
    doc = _doc(LV3)
    doc["products"][0]["members"][1]["expname"] = "data/jw_00002_cal.fits"
    with pytest.warns(asnkit.AssociationWarning) as record:
        asnkit.validate(Association.from_dict(doc, filename="x_asn.json"))
    messages = [str(w.message) for w in record]
    assert any("products[0].members[1].expname" in m and "carries a folder" in m for m in messages)
    assert any("2 different folders" in m for m in messages)
    assert all(m.startswith("x_asn.json: ") for m in messages)
    # is_valid and iter_errors do not warn (filterwarnings=error would fail here)
    assert asnkit.is_valid(doc)
    assert list(iter_errors(doc)) == []


def test_load_invalid_json_gives_line_and_column(tmp_path):
    path = tmp_path / "broken_asn.json"
    text = LV3.read_text().replace('"exptype": "science",', '"exptype": "science"', 1)
    path.write_text(text)
    with pytest.raises(asnkit.AssociationError) as info:
        read_asn(path)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"exptype": "science"' in t)
    assert str(info.value).startswith(f"{path}, line {line + 1}, column ")
    assert "not valid JSON" in str(info.value)


def test_load_invalid_document_names_file_and_path(tmp_path):
    doc = _doc(LV3)
    del doc["products"][0]["members"][3]["expname"]
    path = tmp_path / "bad_asn.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(asnkit.AssociationError, match=r"bad_asn\.json is invalid") as info:
        read_asn(path)
    assert "products[0].members[3]: 'expname' is required" in str(info.value)
    assert read_asn(path, validate=False)["asn_id"] == "o001"
    path.write_text("[1, 2]")
    with pytest.raises(asnkit.AssociationError, match="not list"):
        read_asn(path)


def test_load_from_open_files():
    with LV2.open() as fh:
        asn = read_asn(fh)
    assert asn.filename == LV2.name
    with LV2.open("rb") as fh:
        assert read_asn(fh) == asn
    anonymous = read_asn(io.StringIO(LV2.read_text()))
    assert anonymous.filename is None and anonymous == asn


def test_load_set_of_a_folder():
    s = read_asn_set(EXPECTED / "pool_002_image_miri")
    assert isinstance(s, AssociationSet)
    assert len(s) == 9
    assert s.filenames == sorted(p.name for p in (EXPECTED / "pool_002_image_miri").glob("*.json"))


# The fast yes/no schema check must agree with jsonschema on any document.
_VALUES = st.sampled_from([None, 1, 2.5, True, "", "x", [], {}, [{}], {"a": 1}])


@settings(max_examples=150, deadline=None)
@given(
    level=st.sampled_from([2, 3]),
    edits=st.lists(
        st.tuples(st.sampled_from(["set", "delete"]), st.integers(0, 10_000), _VALUES),
        min_size=1,
        max_size=4,
    ),
)
def test_fast_schema_check_agrees_with_jsonschema(level, edits):
    doc = _mutated(level, edits)
    fast = _fast_check(level)
    assert fast is not None
    assert fast(doc) == (next(_validator(level).iter_errors(doc), None) is None)


@settings(max_examples=150, deadline=None)
@given(
    level=st.sampled_from([2, 3]),
    edits=st.lists(
        st.tuples(st.sampled_from(["set", "delete"]), st.integers(0, 10_000), _VALUES),
        min_size=1,
        max_size=4,
    ),
)
def test_schema_faults_are_those_of_jsonschema(level, edits):
    # the hand-written explanation (no jsonschema import) gives jsonschema's faults, in order
    doc = _mutated(level, edits)

    def described(errors):
        ordered = sorted(errors, key=lambda e: _path_key(e.absolute_path))
        return [(tuple(e.absolute_path), e.validator, _schema_message(e)) for e in ordered]

    assert described(_schema_faults(doc, level)) == described(_validator(level).iter_errors(doc))


def _mutated(level, edits):
    doc = _doc(LV2 if level == 2 else LV3)
    for action, pick, value in edits:
        # every (container, key) in the document
        spots = []
        stack = [doc]
        while stack:
            node = stack.pop()
            keys = list(node) if isinstance(node, dict) else range(len(node))
            for k in keys:
                spots.append((node, k))
                if isinstance(node[k], (dict, list)):
                    stack.append(node[k])
        if not spots:
            break
        node, key = spots[pick % len(spots)]
        if action == "delete":
            del node[key]
        else:
            node[key] = copy.deepcopy(value)
    return doc
