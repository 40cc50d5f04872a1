"""Hostile and broken association documents (issue 16, items 1 and 6): each reproducer."""

from __future__ import annotations

import json
import os

import pytest

import asnkit
from asnkit import AssociationError
from asnkit.documents.collection import AssociationSet
from asnkit.documents.io import parse_json, read_asn
from asnkit.documents.model import Association
from asnkit.documents.validation import is_valid, iter_errors
from tests.helpers import EXPECTED, pool_file

LV3 = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image3_00001_asn.json"


def _doc(**header):
    doc = json.loads(LV3.read_text())
    doc.update(header)
    return doc


def _files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- path traversal


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("asn_id", "o001/../../../../escape/x"),
        ("program", "99009/../../x"),
        ("asn_type", "image3/../../x"),
        ("version_id", "../../x"),
        ("asn_id", "/tmp/x"),
        ("asn_id", "o001\nx"),
    ],
)
def test_association_set_write_never_leaves_the_folder(field, value, tmp_path):
    out = tmp_path / "deep" / "out"
    asn = Association.from_dict(_doc(**{field: value}))  # no filename: made from the header
    with pytest.raises(AssociationError, match="cannot be written"):
        AssociationSet([asn]).write(out)
    assert _files_under(tmp_path) == []  # nothing written anywhere, not even the folder's files
    with pytest.raises(AssociationError):
        asn.validate()  # and validation says which field
    faults = list(iter_errors(asn))
    assert any(fault.path == field and "not a DMS" in fault.message for fault in faults)


def test_association_write_into_a_folder_checks_the_file_name(tmp_path):
    asn = Association.from_dict(_doc(), filename="../escaped_asn.json")
    with pytest.raises(AssociationError, match="not a plain file name"):
        asn.write(f"{tmp_path}/out/")
    assert _files_under(tmp_path) == []


def test_to_association_refuses_a_program_that_is_not_a_dms_program(tmp_path):
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    evil = pool.assign(program="99009/../../../escape")  # a frame built in memory
    with pytest.raises(AssociationError, match=r"the rows' program .* not a DMS program"):
        asnkit.to_association(evil, asn_type="image3")
    with pytest.raises(AssociationError, match=r"program= .* not a DMS program"):
        asnkit.to_association(pool, asn_type="image3", program="../x")
    with pytest.raises(AssociationError, match=r"asn_id= .* not a DMS association id"):
        asnkit.to_association(pool, asn_type="image3", asn_id="o001/../x")
    with pytest.raises(AssociationError, match=r"version_id= .* not a DMS version id"):
        asnkit.to_association(pool, asn_type="image3", version_id="a/b")


def test_from_files_refuses_an_asn_id_that_is_not_a_dms_id(tmp_path):
    files = ["jw01234001001_02101_00001_nrca1_cal.fits"]
    with pytest.raises(AssociationError, match=r"from_files: asn_id= .*'o001/\.\./\.\./x'"):
        asnkit.asn_from_files(files, product_name="p", asn_id="o001/../../x")
    with pytest.raises(AssociationError, match="asn_type="):
        asnkit.asn_from_files(files, product_name="p", asn_type="image3/../x")
    asn = asnkit.asn_from_files(files, product_name="p", asn_id="c1000")
    assert asn.filename == "jw01234-c1000_image3_00001_asn.json"


# --------------------------------------------------------------------------- expname


@pytest.mark.parametrize(
    ("expname", "message"),
    [
        ("../../etc/passwd", "climbs out"),
        ("/etc/passwd", "absolute path"),
        ("..", "names a folder"),
        ("a/../../b_cal.fits", "climbs out"),
        ("jw_1\x00_cal.fits", "control character"),
        ("jw_1\n_cal.fits", "control character"),
        ("C:\\data\\x_cal.fits", "absolute path"),
        ("", "must not be an empty string"),
    ],
)
def test_expname_that_leaves_the_folder_or_holds_control_characters_is_invalid(expname, message):
    doc = _doc()
    doc["products"][0]["members"][0]["expname"] = expname
    faults = [str(f) for f in iter_errors(doc)]
    assert any(f.startswith("products[0].members[0].expname") and message in f for f in faults)
    assert not is_valid(doc)


def test_path_modes_accept_what_they_ask_for():
    doc = _doc()
    doc["products"][0]["members"][0]["expname"] = "/data/jw_00001_cal.fits"
    assert not is_valid(doc)
    assert is_valid(doc, paths="absolute")
    doc["products"][0]["members"][0]["expname"] = "../data/jw_00001_cal.fits"
    assert not is_valid(doc) and not is_valid(doc, paths="absolute")
    assert is_valid(doc, paths="relative")
    doc["products"][0]["members"][0]["expname"] = "../data/../../x_cal.fits"
    assert not is_valid(doc, paths="relative")  # '..' after a name is never meant


def test_absolute_member_names_only_where_the_path_mode_asks_for_them():
    names = ["/data/jw01234001001_02101_00001_nrca1_cal.fits"]
    asn = asnkit.asn_from_files(names, product_name="p", path_mode="absolute")
    assert asn.expnames == names
    with pytest.warns(asnkit.AssociationWarning, match="carries a folder"):
        asn = asnkit.asn_from_files(names, product_name="p")  # as given: the caller's names
    assert asn.expnames == names
    with pytest.raises(AssociationError, match="absolute path"):
        asn.validate()  # a document (say, read from a file) keeps members in its folder
    assert is_valid(asn, paths="as_given") and is_valid(asn, paths="absolute")
    with pytest.raises(AssociationError, match="control character"):
        asnkit.asn_from_files(["a\n_cal.fits"], product_name="p")


# --------------------------------------------------------------------------- strict JSON


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"asn_type": "image3", "asn_type": "spec3", "products": []}', "'asn_type' appears twice"),
        ('{"products": [{"name": "p", "members": [{"expname": "a", "expname": "b"}]}]}',
         r"products\[0\]\.members\[0\]: .*'expname' appears twice"),
        ('{"products": [], "x": NaN}', "x: not valid JSON: NaN"),
        ('{"products": [], "x": Infinity}', "Infinity"),
        ('{"products": [], "x": -Infinity}', "-Infinity"),
        ('{"products": [], "x": 1e999}', "too large"),
        ('{"products": [], "x": ' + "7" * 4300 + "}", "4300 digits"),
        ('{"products": ' + "[" * 495 + "]" * 495 + "}", "nested deeper"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "nested deeper"),
    ],
)  # fmt: skip
def test_strict_json_refuses_what_a_lenient_parser_would_keep(text, message, tmp_path):
    path = tmp_path / "x_asn.json"
    path.write_text(text)
    for validate in (True, False):
        with pytest.raises(AssociationError, match=message):
            read_asn(path, validate=validate)
    with pytest.raises(AssociationError, match=message):
        Association.from_json(text)


@pytest.mark.parametrize("command", ["validate", "edit", "diff"])
def test_cli_reports_deep_nesting_and_huge_integers_in_one_line(command, tmp_path, capsys):
    from asnkit.cli import main

    deep = tmp_path / "deep_asn.json"
    deep.write_text('{"products": ' + "[" * 495 + "]" * 495 + "}")
    huge = tmp_path / "huge_asn.json"
    huge.write_text('{"products": [], "n": ' + "9" * 4300 + "}")
    for path in (deep, huge):
        argv = {
            "validate": ["validate", str(path)],
            "edit": ["edit", str(path), "--remove", "x", "-o", str(tmp_path / "o.json")],
            "diff": ["diff", str(path), str(LV3)],
        }[command]
        assert main(argv) == (1 if command == "validate" else 2)  # invalid / trouble
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        assert "not valid JSON" in captured.err + captured.out


def test_a_bom_is_not_part_of_the_document(tmp_path):
    path = tmp_path / "bom_asn.json"
    path.write_bytes(b"\xef\xbb\xbf" + LV3.read_bytes())
    assert read_asn(path) == read_asn(LV3)
    assert parse_json("\ufeff{}") == {}


# --------------------------------------------------------------------------- validate=False


BROKEN = [
    {"asn_type": "image3", "products": ["x"]},
    {"asn_type": "image3", "products": "abc"},
    {"asn_type": "image3", "products": {"name": "p"}},
    {"asn_type": ["image3"], "products": [{"name": 3, "members": "m"}]},
    {"asn_type": "image3", "products": [{"name": "p", "members": [1, None, "x", []]}]},
    {"asn_type": None, "products": [{"members": [{"expname": 5, "exptype": {}}]}]},
    {"program": {"a": 1}, "asn_id": [1], "products": [None]},
    {},
]


@pytest.mark.parametrize("doc", BROKEN, ids=range(len(BROKEN)))
def test_documents_loaded_without_validation_can_be_shown_and_validated(doc, tmp_path):
    path = tmp_path / "broken_asn.json"
    path.write_text(json.dumps(doc))
    asn = read_asn(path, validate=False)
    assert repr(asn).startswith("<Association")
    asn._repr_html_()
    asn.to_frame()
    both = AssociationSet([asn, asn.with_filename("other_asn.json")])
    repr(both)
    both.to_frame()
    both.summary()
    both._repr_html_()
    with pytest.raises(AssociationError):
        both.validate()
    with pytest.raises(AssociationError):
        asn.validate()
    assert not is_valid(asn)
    with pytest.raises(AssociationError, match=r"broken_asn\.json"):
        asn.diff(asn)  # a comparison would hide the faults
    asnkit.diff(asn, asn, validate=False)  # what can be read of them


def test_validate_as_set_on_products_that_are_not_objects(tmp_path, capsys):
    from asnkit.cli import main

    one, two = tmp_path / "one_asn.json", tmp_path / "two_asn.json"
    one.write_text('{"asn_type":"image3","products":["x"]}')
    two.write_text(LV3.read_text())
    assert main(["validate", "--as-set", str(one), str(two)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "products[0]: must be an object" in captured.out


def test_is_valid_stops_at_the_first_fault(monkeypatch):
    import asnkit.documents.validation as validation

    doc = _doc()
    doc["products"][0]["members"] = [{"expname": 1}] * 1000  # 1000 schema faults

    def never(data, level):
        raise AssertionError("is_valid looked for every fault")

    monkeypatch.setattr(validation, "_schema_faults", never)
    assert not is_valid(doc)
    with pytest.raises(AssertionError, match="every fault"):
        list(iter_errors(doc))  # iter_errors does want them all


def test_writing_refuses_infinity_from_the_api(tmp_path):
    with pytest.raises(AssociationError, match="not a JSON number"):
        Association.from_dict({"products": [], "x": float("inf")})
    assert os.listdir(tmp_path) == []


def test_the_builder_export_never_writes_outside_the_folder(tmp_path):
    from asnkit.widgets.logic import export_association

    out = tmp_path / "out"
    out.mkdir()
    asn = Association.from_dict(_doc(), filename="../../escaped_asn.json")
    ok, message = export_association(asn, str(out))
    assert not ok and "not a plain file name" in message
    assert _files_under(tmp_path) == []
    ok, message = export_association(asn.with_filename("fine_asn.json"), str(out))
    assert ok and _files_under(tmp_path) == ["out/fine_asn.json"]
