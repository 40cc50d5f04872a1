"""Association model, set and names against the files jwst 3.0.0 wrote."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from asnkit.dms.names import asn_filename, product_name, sequence_numbers
from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import LEVEL2_KEYS, LEVEL3_KEYS, Association
from tests.helpers import ASN, EXPECTED

EXPECTED_FILES = sorted(EXPECTED.glob("*/*.json"))
ASN_FILES = sorted(ASN.glob("*.json"))


def test_there_is_data():
    assert len(EXPECTED_FILES) > 1000
    assert len(ASN_FILES) >= 4


@pytest.mark.parametrize("path", EXPECTED_FILES[::7] + ASN_FILES, ids=lambda p: p.name)
def test_to_json_is_byte_identical_to_jwst(path):
    text = path.read_text()
    asn = Association.from_dict(json.loads(text), filename=path.name)
    if path.parent.parent == EXPECTED:
        assert asn.to_json() == text
    else:  # hand-written files: same content, jwst layout
        assert json.loads(asn.to_json()) == json.loads(text)
    assert list(asn) == list(json.loads(text))


def test_every_expected_file_round_trips_and_names_itself():
    for path in EXPECTED_FILES:
        data = json.loads(path.read_text())
        asn = Association.from_dict(data)
        assert asn.to_dict() == data
        assert list(asn.to_dict()) == list(data)
        order = LEVEL2_KEYS if asn.level == 2 else LEVEL3_KEYS
        assert list(data) == [k for k in order if k in data], path
        # the file name jwst chose is the DMS name of the document
        seq = int(path.name.split("_")[-2])
        assert asn_filename(asn.program, asn.asn_id, asn.asn_type, seq, asn.version_id) == path.name


def test_mapping_access_and_typed_views():
    path = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image3_00001_asn.json"
    asn = Association.from_dict(json.loads(path.read_text()), filename=path.name)
    assert asn["products"][0]["members"][0]["expname"] == "jw_00001_cal.fits"
    assert asn.level == 3 and asn.asn_type == "image3" and asn.asn_id == "o001"
    assert asn.target == "t001" and asn.program == "99009"
    assert asn.products[0].name == "jw99009-o001_t001_miri_f560w"
    assert [m.expname for m in asn.science_members] == asn.expnames
    assert asn.name == path.name[:-5]
    assert "filename" not in asn.to_dict()
    assert "image3" in repr(asn) and "science" in repr(asn)
    assert "<table>" in asn._repr_html_()
    frame = asn.to_frame()
    assert frame["expname"].tolist() == asn.expnames
    assert set(frame["asn_file"]) == {path.name}


def test_to_dict_is_a_copy():
    data = {"asn_type": "image2", "products": [{"name": "a", "members": []}]}
    asn = Association.from_dict(data)
    data["products"][0]["name"] = "changed"
    out = asn.to_dict()
    out["products"].append({})
    assert asn["products"][0]["name"] == "a"
    assert len(asn["products"]) == 1


def test_new_orders_keys_like_jwst():
    head = dict(asn_pool="p.csv", target="1", program="1", asn_id="o001", asn_rule="r")
    lv2 = Association.new(asn_type="image2", products=[], **head)
    lv3 = Association.new(asn_type="image3", products=[], **head)
    assert list(lv2) == ["asn_type", "asn_rule", "program", "asn_id", "asn_pool", "target",
                         "products"]  # fmt: skip
    assert list(lv3) == ["asn_type", "asn_rule", "program", "asn_id", "target", "asn_pool",
                         "products"]  # fmt: skip
    m = Association.new(
        asn_type="image3",
        products=[{"members": [{"exptype": "science", "expname": "a"}], "name": "p"}],
    )
    assert list(m["products"][0]) == ["name", "members"]
    assert list(m["products"][0]["members"][0]) == ["expname", "exptype"]


def test_write_is_atomic_and_refuses_to_overwrite(tmp_path):
    path = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image2_00001_asn.json"
    asn = Association.from_dict(json.loads(path.read_text()), filename=path.name)
    out = asn.write(tmp_path / "a.json")
    assert out.read_text() == path.read_text()
    with pytest.raises(FileExistsError, match=r"a\.json"):
        asn.write(tmp_path / "a.json")
    asn.replace(asn_id="o002").write(tmp_path / "a.json", overwrite=True)
    assert json.loads(out.read_text())["asn_id"] == "o002"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]  # no temp files left
    # a folder: the file goes under its DMS name
    assert asn.write(tmp_path).name == path.name
    assert asn.write(f"{tmp_path}/new/").relative_to(tmp_path).as_posix() == f"new/{path.name}"
    with pytest.raises(ValueError, match="no filename"):
        asn.with_filename(None).write(tmp_path)


def _expected_set(pool):
    return AssociationSet(
        Association.from_dict(json.loads(p.read_text()), filename=p.name)
        for p in sorted((EXPECTED / pool).glob("*.json"))
    )


def test_set_frame_answers_which_files_are_where():
    s = _expected_set("pool_002_image_miri")
    assert len(s) == 9
    frame = s.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == sum(len(a.members()) for a in s)
    assert {"asn_file", "asn_type", "asn_rule", "asn_id", "target", "product", "expname",
            "exptype", "exposerr"} <= set(frame.columns)  # fmt: skip
    in_image3 = frame.loc[frame.asn_type == "image3", "expname"]
    assert len(in_image3) == 8
    where = frame.loc[frame.expname == "jw_00001_cal.fits", "asn_file"].tolist()
    assert where == ["jw99009-o001_20250101t000000_image3_00001_asn.json"]


def test_set_filters_and_repr():
    s = _expected_set("pool_002_image_miri")
    assert len(s.by_type("image2")) == 8
    assert len(s.by_type("IMAGE3")) == 1
    assert len(s.by_asn_id("o001")) == 9
    assert len(s.by_level(3)) == 1
    hits = s.with_member("jw_00001")
    assert {a.asn_type for a in hits} == {"image2", "image3"}
    assert len(s.with_member("jw_00001_rate.fits", role="background")) == 0
    assert "9 associations" in repr(s) and "image2" in repr(s)
    assert "<table>" in s._repr_html_()
    assert s[s.filenames[0]] is s[0]
    assert isinstance(s[:2], AssociationSet) and len(s[:2]) == 2


def test_set_write(tmp_path):
    s = _expected_set("pool_002_image_miri")
    out = tmp_path / "new" / "folder"
    written = s.write(out)
    assert [p.name for p in written] == s.filenames
    for p in written:
        assert p.read_text() == (EXPECTED / "pool_002_image_miri" / p.name).read_text()
    with pytest.raises(FileExistsError, match=s.filenames[0]):
        s.write(out)
    s.write(out, overwrite=True)


def test_writing_a_set_of_lazy_associations_keeps_no_document(tmp_path):
    # a generated set is lazy: writing it makes each document once, writes it and lets
    # it go (a set of 100,000 is never all in memory); reading one later makes it again
    expected = _expected_set("pool_002_image_miri")
    made = Counter()

    def lazy(asn):
        def build():
            made[asn.filename] += 1
            return asn.to_dict()

        return Association.lazy(build, filename=asn.filename)

    s = AssociationSet([lazy(asn) for asn in expected])
    written = s.write(tmp_path)
    assert made == dict.fromkeys(expected.filenames, 1)
    for p, asn in zip(written, expected, strict=True):
        assert p.read_text() == asn.to_json()
    assert s[0]["products"] == expected[0]["products"]  # made again when read
    assert made[s.filenames[0]] == 2
    s[0]["products"]
    assert made[s.filenames[0]] == 2  # and kept once read


def test_set_names_unnamed_associations_like_jwst():
    def lv2(i):
        return Association.new(
            asn_type="image2", asn_id="o001", program="99009", version_id=None, products=[]
        )

    s = AssociationSet([lv2(1), lv2(2), Association.new(asn_type="image3", asn_id="o001",
                        program="99009", products=[])])  # fmt: skip
    assert s.filenames == [
        "jw99009-o001_image2_00001_asn.json",
        "jw99009-o001_image2_00002_asn.json",
        "jw99009-o001_image3_00001_asn.json",
    ]


def test_names():
    assert asn_filename(1234, "O001", "Image3", 1) == "jw01234-o001_image3_00001_asn.json"
    assert sequence_numbers("aabab") == [1, 2, 1, 3, 2]
    assert product_name("99009", "o001", "1", "nircam", ["F090W", None]) == (
        "jw99009-o001_t001_nircam_f090w"
    )
