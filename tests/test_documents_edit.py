"""Editing and comparing associations; round-trip property."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.documents.collection import AssociationSet
from asnkit.documents.diff import diff
from asnkit.documents.edit import add_members, remove_members, with_paths
from asnkit.documents.io import read_asn, read_asn_set
from asnkit.documents.model import Association
from asnkit.documents.validation import KNOWN_EXPTYPES
from tests.helpers import ASN, EXPECTED

POOL = EXPECTED / "pool_002_image_miri"
LV3 = POOL / "jw99009-o001_20250101t000000_image3_00001_asn.json"
LV2 = POOL / "jw99009-o001_20250101t000000_image2_00001_asn.json"


def test_edits_return_new_objects_and_stay_valid():
    asn = read_asn(LV3)
    before = asn.to_dict()
    added = asn.add_members(["jw_00009_cal.fits"], role="background", exposerr=None)
    assert added.members()[-1].to_dict() == {
        "expname": "jw_00009_cal.fits",
        "exptype": "background",
        "exposerr": None,
    }
    removed = added.remove_members(["jw_00001", "jw_00002_cal.fits"])
    assert "jw_00001_cal.fits" not in removed.expnames
    assert len(removed.members()) == len(asn.members()) - 1
    psf = removed.set_role("jw_00003", "PSF")
    assert psf.members("psf")[0].expname == "jw_00003_cal.fits"
    renamed = psf.rename_product("my_mosaic")
    assert renamed.product_names == ["my_mosaic"]
    for edited in (added, removed, psf, renamed):
        asnkit.validate(edited)
        assert edited.filename == asn.filename
    assert asn.to_dict() == before  # the original is unchanged


def test_edit_errors():
    asn = read_asn(LV3)
    with pytest.raises(ValueError, match="already a member of products\\[0\\]"):
        asn.add_members("jw_00001_cal.fits")
    with pytest.raises(KeyError, match="jw_09999"):
        asn.remove_members("jw_09999")
    with pytest.raises(ValueError, match="unknown role 'sky'"):
        asn.set_role("jw_00001", "sky")
    with pytest.raises(ValueError, match="leave no product"):
        asn.remove_members(asn.expnames)
    with pytest.raises(KeyError, match="no product named 'x'"):
        asn.add_members("new_cal.fits", product="x")


def test_level2_edits_keep_one_science_member_per_product():
    asn = read_asn(LV2)
    more = add_members(asn, "jw_00009_rate.fits")
    assert more.product_names == ["jw_00008", "jw_00009"]
    bkg = add_members(more, "bg_rate.fits", role="background")
    assert [len(p.members()) for p in bkg.products] == [2, 2]
    asnkit.validate(bkg)
    # removing a product's science member drops the product
    assert remove_members(bkg, "jw_00008").product_names == ["jw_00009"]


def test_path_modes(tmp_path):
    asn = read_asn(LV3)
    absolute = with_paths(asn, "absolute", folder=tmp_path / "run")
    assert absolute.expnames[0] == (tmp_path / "run" / "jw_00001_cal.fits").as_posix()
    relative = absolute.with_paths("relative", folder=tmp_path)
    assert relative.expnames[0] == "run/jw_00001_cal.fits"
    assert relative.with_paths("basename") == asn
    with pytest.raises(ValueError):
        asn.with_paths("sideways")


def test_diff_of_two_associations_in_words_and_data():
    a = read_asn(LV3)
    b = a.remove_members("jw_00001").set_role("jw_00002", "background").replace(asn_id="o002")
    b = b.add_members("jw_00099_cal.fits")
    d = diff(a, b)
    assert bool(d) and not d.identical
    frame = d.to_frame()
    assert set(frame["change"]) == {"only in A", "only in B", "changed"}
    assert frame.loc[frame.change == "only in A", "expname"].tolist() == ["jw_00001_cal.fits"]
    assert frame.loc[frame.change == "only in B", "expname"].tolist() == ["jw_00099_cal.fits"]
    text = str(d)
    assert "asn_id: 'o001' -> 'o002'" in text
    assert "    ~ jw_00002_cal.fits: science -> background" in text
    assert "    + jw_00099_cal.fits (science)" in text
    assert "    - jw_00001_cal.fits (science)" in text
    assert not a.diff(read_asn(LV3))
    assert str(diff(a, a)) == "no differences"
    with pytest.raises(TypeError):
        diff(a, AssociationSet([a]))


def test_diff_of_two_sets_pairs_by_content():
    s = read_asn_set(POOL)
    # same associations, other order and other sequence numbers: no difference but the names
    shuffled = AssociationSet(a.with_filename(f"x{i}.json") for i, a in enumerate(reversed(s)))
    assert not diff(s, shuffled)
    fewer = AssociationSet(list(s)[1:])
    d = s.diff(fewer)
    assert s.validate() is s
    assert d.to_frame()["change"].tolist() == ["only in A"]
    assert s.filenames[0] in str(d)


def test_cli_validate(tmp_path, capsys):
    from asnkit.cli import main

    good = [str(p) for p in sorted(POOL.glob("*.json"))]
    assert main(["validate", *good]) == 0
    doc = json.loads(LV3.read_text())
    del doc["products"][0]["members"][3]["expname"]
    doc["products"][0]["members"][4]["exptype"] = 3
    bad = tmp_path / "bad_asn.json"
    bad.write_text(json.dumps(doc))
    broken = tmp_path / "broken_asn.json"
    broken.write_text("{")
    capsys.readouterr()
    assert main(["validate", good[0], str(bad), str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: products[0].members[3]: 'expname' is required" in out
    assert f"{bad}: products[0].members[4].exptype: must be a string" in out
    assert f"\n{broken}, line 1, column 2: not valid JSON" in out  # the name once
    # product names across files: jwst itself wrote two products of the same name here
    dups = [str(p) for p in sorted((EXPECTED / "jw00632_dups").glob("*.json"))]
    assert main(["validate", "-q", *dups]) == 0
    assert main(["validate", "-q", "--as-set", *dups]) == 1
    assert "_wfs-image3_00002_asn.json:products[0].name: product name" in capsys.readouterr().out


def test_cli_from_list_edit_diff(tmp_path, capsys):
    from asnkit.cli import main

    out = tmp_path / "mosaic_asn.json"
    files = ["jw_00001_cal.fits", "jw_00002_cal.fits", "bg_x1d.fits"]
    argv = ["from-list", *files, "--type", "spec3", "-o", str(out), "--product-name", "mine",
            "--role", "bg_x1d.fits=background"]  # fmt: skip
    assert main(argv) == 0
    asn = read_asn(out)
    assert asn.asn_type == "spec3" and asn.product_names == ["mine"]
    assert asn.roles == {"science": 2, "background": 1}
    text = out.read_text()
    # no overwrite without --overwrite
    assert main(argv) == 2
    assert "file exists" in capsys.readouterr().err
    assert out.read_text() == text
    assert main([*argv, "--overwrite"]) == 0
    assert main(["from-list", "a_cal.fits", "-o", str(tmp_path / "x.json")]) == 2
    assert "needs --product-name" in capsys.readouterr().err

    edited = tmp_path / "edited_asn.json"
    assert main(["edit", str(out), "--add", "jw_00003_cal.fits", "-o", str(edited)]) == 0
    assert read_asn(edited).expnames[-1] == "jw_00003_cal.fits"
    assert main(["edit", str(out), "--remove", "jw_00001"]) == 2  # would replace the input
    assert "file exists" in capsys.readouterr().err
    assert main(["edit", str(out), "--remove", "jw_00001", "--overwrite"]) == 0
    assert "jw_00001_cal.fits" not in read_asn(out).expnames
    assert main(["edit", str(out), "--remove", "nothere", "--overwrite"]) == 2
    assert "'nothere' is not a member" in capsys.readouterr().err

    changed = tmp_path / "changed_asn.json"
    argv = ["edit", str(edited), "--set-role", "jw_00003=psf", "--rename", "new_name",
            "--paths", "absolute", "-o", str(changed)]  # fmt: skip
    assert main(argv) == 0
    result = read_asn(changed, validate=False)  # absolute paths: asked for, no warning
    assert result.product_names == ["new_name"]
    assert result.members("psf")[0].expname == (tmp_path / "jw_00003_cal.fits").as_posix()
    assert main(["edit", str(edited)]) == 2
    assert "nothing to do" in capsys.readouterr().err

    capsys.readouterr()
    assert main(["diff", str(out), str(edited)]) == 1
    words = capsys.readouterr().out
    assert "    + jw_00001_cal.fits (science)" in words
    assert main(["diff", str(POOL), str(POOL)]) == 0


def test_cli_from_list_asks_how_to_write_absolute_names(tmp_path, capsys):
    # as given, an absolute member name makes a file asnkit validate refuses: say so first
    from asnkit.cli import main

    files = [str(tmp_path / "data" / f"jw_0000{i}_cal.fits") for i in (1, 2)]
    out = tmp_path / "out" / "mosaic_asn.json"
    argv = ["from-list", *files, "--product-name", "m", "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"asnkit from-list: error: {files[0]} is an absolute path")
    assert "--paths basename" in err and err.count("\n") == 1 and not out.parent.exists()
    for mode, names, validate in [
        ("basename", ["jw_00001_cal.fits", "jw_00002_cal.fits"], []),
        (
            "relative",
            ["../data/jw_00001_cal.fits", "../data/jw_00002_cal.fits"],
            ["--paths", "relative"],
        ),
        ("absolute", files, ["--paths", "absolute"]),
    ]:
        assert main([*argv, "--paths", mode, "--overwrite"]) == 0
        assert read_asn(out, validate=False).expnames == names
        assert main(["validate", *validate, str(out)]) == 0, capsys.readouterr()


def test_cli_from_list_refuses_an_unknown_type_with_close_matches(tmp_path, capsys):
    from asnkit.cli import main

    out = tmp_path / "x_asn.json"
    argv = ["from-list", "jw_00001_cal.fits", "--product-name", "m", "-o", str(out)]
    assert main([*argv, "--type", "imag3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asnkit from-list: error: --type 'imag3' is not an association type jwst")
    assert err.rstrip().endswith("(close matches: image3, image2, wfs-image3)")
    assert not out.exists()
    assert main([*argv, "--type", "mosaic"]) == 2
    assert "(image3, wfs-image3, spec3, " in capsys.readouterr().err  # no close match: all
    assert main([*argv, "--type", "nrslamp-spec"]) == 2
    assert "close matches: nrslamp-spec2" in capsys.readouterr().err
    assert main([*argv, "--type", "Image3"]) == 0  # (any case, as the pipeline reads it)
    for made in ("nrslamp-spec2", "tso-spec2", "wfs-image3"):  # every type jwst makes
        assert main([*argv, "--type", made, "--overwrite"]) == 0, capsys.readouterr().err
        assert read_asn(out).asn_type == made


def test_cli_rename_of_one_product_among_several_names_it(tmp_path, capsys):
    from asnkit.cli import main

    source = ASN / "asn_level2.json"  # six products
    names = read_asn(source).product_names
    out = tmp_path / "renamed_asn.json"
    assert main(["edit", str(source), "--rename", "foo", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asnkit edit: error: --rename: ") and err.count("\n") == 1
    assert "has 6 products" in err and "--product" in err and not out.exists()
    argv = ["edit", str(source), "--rename", "foo", "--product", names[2], "-o", str(out)]
    assert main(argv) == 0
    assert read_asn(out).product_names == [*names[:2], "foo", *names[3:]]


def test_cli_messages_name_options_and_files_once(tmp_path, capsys, monkeypatch):
    from asnkit.cli import main

    monkeypatch.chdir(tmp_path)
    out = "mosaic_asn.json"
    argv = ["from-list", "jw_00001_cal.fits", "jw_00002_cal.fits", "-o", out]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == "asnkit from-list: error: a Level 3 association needs --product-name " \
        "(the name of the combined product, e.g. 'my_mosaic')\n"  # fmt: skip
    assert main([*argv, "--product-name", "mine"]) == 0
    capsys.readouterr()
    assert main([*argv, "--product-name", "mine"]) == 2
    err = capsys.readouterr().err
    assert err == f"asnkit from-list: error: {out}: file exists (use --overwrite to replace it)\n"
    assert main(["edit", out, "--rename", "other"]) == 2
    err = capsys.readouterr().err
    assert err == f"asnkit edit: error: {out}: file exists (use --overwrite to replace it)\n"
    # edit: each path warning once
    raw = read_asn(out).to_dict()
    raw["products"][0]["members"][0]["expname"] = "sub/jw_00001_cal.fits"
    Path("sub_asn.json").write_text(json.dumps(raw))
    assert main(["edit", "sub_asn.json", "--rename", "x", "-o", "x_asn.json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err and len(err) == len(set(err)) and all("warning" in line for line in err)
    # validate: a missing file, an empty one, a folder
    Path("empty.json").write_text("")
    assert main(["validate", "nope.json", "empty.json", out]) == 2  # a missing file: trouble
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert (
        lines[0].startswith("empty.json, line 1, column 1: ") and lines[0].count("empty.json") == 1
    )
    assert lines[1:] == [f"{out}: valid"]  # the files there are still validated
    assert captured.err.splitlines() == [
        "asnkit validate: error: nope.json: no such file or folder",  # as asnkit check says it
        "1 of 2 files valid, 1 not read",
    ]
    Path("folder").mkdir()
    for name in ("a_asn.json", "b_asn.json"):
        Path("folder", name).write_text(Path(out).read_text())
    assert main(["validate", "folder"]) == 0
    captured = capsys.readouterr()
    assert "folder/a_asn.json: valid" in captured.out and "folder/b_asn.json: valid" in captured.out
    assert "2 of 2 files valid" in captured.err
    Path("none").mkdir()
    assert main(["validate", "none", "folder"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "asnkit validate: error: none: a folder without association files (*.json)",
        "2 of 2 files valid, 1 not read",
    ]
    assert "folder/a_asn.json: valid" in captured.out and "folder/b_asn.json: valid" in captured.out
    Path("afile").write_text("x")
    assert main(["validate", "-q", "afile/a_asn.json"]) == 2  # under a file: not there
    assert capsys.readouterr() == (
        "",
        "asnkit validate: error: afile/a_asn.json: no such file or folder\n",
    )


# ---------------------------------------------------------------------- property
_text = st.text(string.ascii_letters + string.digits + "_-.", min_size=1, max_size=12)
_roles = st.sampled_from(sorted(KNOWN_EXPTYPES))
_member = st.fixed_dictionaries(
    {"expname": _text.map(lambda t: f"{t}_cal.fits"), "exptype": _roles},
    optional={
        "exposerr": st.one_of(st.none(), _text),
        "asn_candidate": _text,
        "extra": st.one_of(
            st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans()
        ),
    },
)
_product = st.fixed_dictionaries(
    {"name": _text, "members": st.lists(_member, min_size=1, max_size=4)}
)
_HEADER_KEYS = ("asn_rule", "asn_id", "program", "target", "asn_pool", "code_version",
                "degraded_status", "constraints")  # fmt: skip
_header = st.fixed_dictionaries(
    {"asn_type": st.sampled_from(["image3", "spec3", "coron3", "image2", "spec2"])},
    optional={**{k: _text for k in _HEADER_KEYS}, "version_id": st.one_of(st.none(), _text)},
)


@settings(max_examples=60, deadline=None)
@given(header=_header, products=st.lists(_product, min_size=1, max_size=3), level=st.booleans())
def test_round_trip_property(tmp_path_factory, header, products, level):
    asn = (Association.new if level else Association.from_dict)(
        **(
            {**header, "products": products}
            if level
            else {"data": {**header, "products": products}}
        )
    )
    text = asn.to_json()
    back = read_asn(io.StringIO(text), validate=False)
    assert back == asn
    assert list(back) == list(asn)
    assert back.to_json() == text
    assert json.loads(text) == asn.to_dict()
    folder = tmp_path_factory.mktemp("rt")
    path = asn.with_filename("x_asn.json").write(folder)
    assert read_asn(path, validate=False).to_dict() == asn.to_dict()
