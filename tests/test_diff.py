"""asnkit.diff at member level: per product added / removed / changed role, products paired
by membership when their names differ, a text that reads like a review comment."""

from __future__ import annotations

import asnkit
from asnkit.documents.diff import DIFF_COLUMNS


def product(name, members):
    return {"name": name, "members": [{"expname": e, "exptype": r} for e, r in members]}


def asn(*products, filename="a_asn.json", asn_type="image3"):
    return asnkit.Association.new(asn_type=asn_type, products=list(products), filename=filename)


SCI = [(f"jw_{i:05d}_cal.fits", "science") for i in range(1, 6)]


def test_products_with_other_names_are_paired_by_their_members():
    a = asn(product("f150w", SCI), product("f444w", [("jw_00009_cal.fits", "science")]))
    b = asn(
        product("mosaic_f444w", [("jw_00009_cal.fits", "science")]),
        product("my mosaic", [*SCI[1:], ("jw_00006_cal.fits", "science"),
                              ("jw_00001_cal.fits", "background")]),
        filename="b_asn.json",
    )  # fmt: skip
    d = asnkit.diff(a, b)
    frame = d.to_frame()
    assert list(frame.columns) == list(DIFF_COLUMNS)
    renamed = frame[frame["field"] == "name"]
    assert renamed[["product", "a", "b"]].values.tolist() == [
        ["f150w", "f150w", "my mosaic"],
        ["f444w", "f444w", "mosaic_f444w"],
    ]
    members = frame[frame["kind"] == "member"].astype(object)
    members = members.where(members.notna(), None)
    assert members[["product", "product_b", "expname", "change", "a", "b"]].values.tolist() == [
        ["f150w", "my mosaic", "jw_00001_cal.fits", "changed", "science", "background"],
        ["f150w", "my mosaic", "jw_00006_cal.fits", "only in B", None, "science"],
    ]
    assert [m.expname for m in d.members("added")] == ["jw_00006_cal.fits"]
    assert [m.expname for m in d.members("role")] == ["jw_00001_cal.fits"]
    assert d.members("removed") == []
    text = str(d).splitlines()
    assert text == [
        "a_asn.json / b_asn.json: 5 differences",
        "  product 'f150w', renamed 'my mosaic' (5 of 5 members kept): 1 added, 1 changed role, "
        "members in another order",
        "    + jw_00006_cal.fits (science)",
        "    ~ jw_00001_cal.fits: science -> background",
        "  product 'f444w', renamed 'mosaic_f444w' (1 of 1 members kept): renamed only",
    ]


def test_products_sharing_no_member_are_not_paired():
    a = asn(product("x", SCI[:2]))
    b = asn(product("y", SCI[2:]))
    d = asnkit.diff(a, b)
    assert d.to_frame()[["kind", "product", "change"]].values.tolist() == [
        ["product", "x", "only in A"],
        ["product", "y", "only in B"],
    ]
    assert str(d).splitlines()[1:] == [
        "  product 'x' (2 members): only in A",
        "  product 'y' (3 members): only in B",
    ]


def test_long_lists_are_cut_in_the_text_but_not_in_the_frame():
    many = [(f"jw_{i:05d}_cal.fits", "background") for i in range(100, 130)]
    a = asn(product("p", SCI))
    b = asn(product("p", SCI + many))
    d = asnkit.diff(a, b)
    assert len(d.members("added")) == 30 and len(d) == 30
    text = str(d)
    assert "30 added" in text and "    + ... and 18 more" in text


def test_sets_pair_associations_by_members_when_names_and_files_differ():
    a = asnkit.AssociationSet([asn(product("p", SCI), filename="one_asn.json")])
    b = asnkit.AssociationSet([asn(product("q", SCI[:4]), filename="two_asn.json")])
    d = asnkit.diff(a, b)
    assert d.pairs == (("one_asn.json", "two_asn.json"),)
    assert [m.expname for m in d.members("removed")] == ["jw_00005_cal.fits"]
    assert "one_asn.json / two_asn.json" in str(d)


def test_invalid_documents_are_refused_naming_file_and_json_path(tmp_path, capsys):
    import json

    import pytest

    from asnkit.cli import main

    good = asn(product("p", SCI), filename="good_asn.json")
    raw = good.to_dict()
    raw["products"][0]["members"][1] = "just_a_string.fits"
    bad = asnkit.Association.from_dict(raw, filename="bad_asn.json")
    for a, b in ((good, bad), (bad, good), ([good], [bad])):
        with pytest.raises(asnkit.AssociationError, match=r"bad_asn\.json") as caught:
            asnkit.diff(a, b)
        assert "products[0].members[1]" in str(caught.value)
    # member names of any path form are not faults
    elsewhere = asn(product("p", [("../raw/jw_00001_cal.fits", "science")]))
    assert asnkit.diff(elsewhere, elsewhere).identical
    # the command: an error, not "no differences"
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(raw | {"products": good.to_dict()["products"]}))
    second.write_text(json.dumps(raw))
    assert main(["diff", str(first), str(second)]) == 2
    out, err = capsys.readouterr()
    assert "no differences" not in out
    assert "b.json is invalid" in err and "products[0].members[1]: must be an object" in err


def test_unchanged_products_are_not_listed():
    # an edit of one product of many, and a header change: the text names only what changed
    others = [product(f"p{k}", [(f"jw_{k:05d}_cal.fits", "science")]) for k in range(10, 16)]
    a = asn(product("first", SCI), *others)
    b = asnkit.Association.new(
        asn_type="image3",
        version_id="20250101t000000",
        products=[product("renamed", SCI), *others],
        filename="b_asn.json",
    )
    text = str(asnkit.diff(a, b)).splitlines()
    assert text == [
        "a_asn.json / b_asn.json: 2 differences",
        "  version_id: None -> '20250101t000000'",
        "  product 'first', renamed 'renamed' (5 of 5 members kept): renamed only",
    ]
    assert str(asnkit.diff(a, a)).splitlines()[1:] == []
