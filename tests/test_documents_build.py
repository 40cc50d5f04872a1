"""Building associations from pool rows and from file lists, checked against jwst's output."""

from __future__ import annotations

import io
import json
import re
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.dms.names import junk_rows, strip_suffix
from asnkit.documents.build import asn_from_files, exposure_role, to_association
from asnkit.documents.io import read_asn
from asnkit.documents.model import LEVEL3_KEYS
from tests.helpers import EXPECTED, pool_file


def _pool(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        return asnkit.read_pool(pool_file(name))


def _expected(pool, name):
    return json.loads((EXPECTED / pool / name).read_text())


def _members(doc):
    return [(m["expname"], m["exptype"]) for p in doc["products"] for m in p["members"]]


def test_image3_from_pool_rows_matches_jwst():
    pool = _pool("pool_002_image_miri")
    before = pool.copy()
    asn = pool.asn.to_association(asn_type="image3", version_id="20250101t000000")
    want = _expected("pool_002_image_miri", "jw99009-o001_20250101t000000_image3_00001_asn.json")
    assert asn.filename == "jw99009-o001_20250101t000000_image3_00001_asn.json"
    got = asn.to_dict()
    for key in ("asn_type", "version_id", "degraded_status", "program", "asn_id", "target",
                "asn_pool"):  # fmt: skip
        assert got[key] == want[key], key
    assert list(got) == list(want)  # the pipeline's key order
    assert got["products"][0]["name"] == want["products"][0]["name"]
    assert got["products"][0]["members"] == want["products"][0]["members"]
    pool.equals(before) or pytest.fail("the pool frame was changed")
    asnkit.validate(asn)
    # junk rows and repeated rows (e.g. after explode_candidates) are left out
    doubled = pd.concat([pool, pool])
    doubled.attrs = pool.attrs
    assert to_association(doubled, asn_type="image3", version_id="20250101t000000") == asn


def test_image2_from_pool_rows_matches_jwst():
    pool = _pool("pool_002_image_miri")
    asn = to_association(pool, asn_type="image2", version_id="20250101t000000")
    assert asn.level == 2
    names = sorted((EXPECTED / "pool_002_image_miri").glob("*image2*.json"))
    want = [json.loads(p.read_text())["products"][0] for p in names]
    assert sorted(p["name"] for p in asn["products"]) == sorted(p["name"] for p in want)
    by_name = {p["name"]: p for p in asn["products"]}
    for product in want:
        assert by_name[product["name"]]["members"] == product["members"]
    got = asn.to_dict()
    assert list(got) == list(json.loads(names[0].read_text()))
    assert got["target"] == "1"
    with pytest.raises(ValueError, match="one product per science exposure \\(8 here\\)"):
        to_association(pool, asn_type="image2", product_name="mine")
    one = to_association(pool.head(1), asn_type="image2", product_name="mine", version_id=True)
    assert one.product_names == ["mine"]
    assert re.fullmatch(r"jw99009-o001_\d{8}t\d{6}_image2_00001_asn\.json", one.filename)


def test_built_members_match_jwst_for_every_level3_association():
    """Every Level 3 association jwst wrote, rebuilt from its pool rows and roles."""
    checked = 0
    for pool_dir in sorted(p for p in EXPECTED.iterdir() if p.is_dir()):
        pool = _pool(pool_dir.name)
        key = pool["filename"].map(lambda f: strip_suffix(str(f)).lower())
        for path in sorted(pool_dir.glob("*3_0*_asn.json")):
            want = json.loads(path.read_text())
            stems = {strip_suffix(m["expname"]).lower(): m["exptype"] for _, m in
                     ((p, m) for p in want["products"] for m in p["members"])}  # fmt: skip
            rows = pool[key.isin(stems)].drop_duplicates("filename")
            roles = {f: stems[strip_suffix(f).lower()] for f in rows["filename"]}
            if "science" not in roles.values():
                continue
            asn = to_association(rows, asn_type=want["asn_type"], asn_id=want["asn_id"],
                                 roles=roles, check=False)  # fmt: skip
            got = sorted((e.lower(), t) for e, t in _members(asn.to_dict()))
            assert got == sorted(_members(want)), path.name
            assert asnkit.is_valid(asn)
            checked += 1
    assert checked > 300


def test_roles_from_pool_flags_and_user():
    pool = _pool("pool_018_all_exptypes")
    pool = pool[~junk_rows(pool["filename"])]  # the "set acid" rows are no exposures
    roles = [exposure_role(r) for r in pool.to_dict(orient="records")]
    assert {"science", "target_acquisition"} <= set(roles)
    sci = pool[[r == "science" for r in roles]].head(3)
    first = sci["filename"].iloc[0]
    asn = to_association(sci, asn_type="spec3", roles={strip_suffix(first): "background"})
    assert asn.products[0].members()[0].exptype == "background"
    assert asn.products[0].members()[0].expname.endswith("_x1d.fits")
    with pytest.raises(ValueError, match="unknown role 'sky'"):
        to_association(sci, asn_type="image3", roles={first: "sky"})
    with pytest.raises(ValueError, match="none of the 1 rows is a science exposure"):
        to_association(sci.head(1), asn_type="image3", roles={first: "background"})
    with pytest.raises(ValueError, match="no pool rows"):
        to_association(sci.head(0))


def test_a_role_given_to_a_file_not_among_the_rows_is_an_error():
    pool = _pool("pool_002_image_miri")
    rows, other = pool.iloc[:3], pool["filename"].iloc[5]
    with pytest.raises(
        ValueError, match=r"roles given for 1 file\(s\) not among the 3 rows"
    ) as info:
        to_association(rows, asn_type="image3", roles={other: "background"})
    assert other in str(info.value)
    # the same name with another suffix, or without one, is the same exposure
    kept = to_association(rows, roles={strip_suffix(rows["filename"].iloc[1]): "background"})
    assert [m.exptype for m in kept.members()] == ["science", "background", "science"]


def test_level2_products_hold_background_and_wfss_catalog():
    pool = _pool("pool_019_niriss_wfss")
    wfss = pool[pool["exp_type"] == "nis_wfss"].head(3)
    bkg = wfss["filename"].iloc[2]
    cat = "jw99009-o001_t001_niriss_clear-f140m"
    asn = to_association(wfss, asn_type="spec2", roles={bkg: "background"}, catalog=cat)
    assert len(asn.products) == 2
    roles = [m.exptype for m in asn.products[0].members()]
    assert roles == ["science", "background", "direct_image", "sourcecat", "segmap"]
    want = _expected("pool_019_niriss_wfss", "jw99009-o001_20250101t000000_spec2_00001_asn.json")
    assert asn.products[0].members()[2:] == tuple(want["products"][0]["members"][1:])
    asnkit.validate(asn)


def test_built_document_survives_write_and_load(tmp_path):
    asn = to_association(_pool("pool_013_coron_nircam"), asn_type="coron3")
    assert all(m.expname.endswith("_calints.fits") for m in asn.science_members)
    path = asn.write(tmp_path / asn.filename)
    back = read_asn(path)
    assert back == asn and back.filename == asn.filename
    assert back.to_json() == asn.to_json() == path.read_text()


def test_from_files_defaults_like_asn_from_list(tmp_path):
    files = ["jw01234001001_02101_00001_nrca1_cal.fits", "jw01234001001_02101_00002_nrca1_cal.fits"]
    asn = asn_from_files(files, product_name="my_mosaic")
    doc = asn.to_dict()
    # asn_from_list (jwst 3.0.0) writes the same keys in the same order
    assert list(doc) == list(LEVEL3_KEYS)
    assert doc["asn_type"] == "image3" and doc["version_id"] is None
    assert doc["products"] == [
        {"name": "my_mosaic", "members": [{"expname": f, "exptype": "science"} for f in files]}
    ]
    assert (asn.program, asn.asn_id) == ("01234", "o001")
    with pytest.raises(ValueError, match="needs product_name"):
        asn_from_files(files)
    with pytest.warns(asnkit.AssociationWarning) as record:
        lv2 = asn_from_files(["d/a_rate.fits", "b_rate.fits", "bg_rate.fits"], asn_type="spec2",
                         roles={"bg": "background"})  # fmt: skip
    assert len(record) == 1
    assert "1 of 4 member names carries a folder ('d/a_rate.fits')" in str(record[0].message)
    assert "2 different folders (d, .)" in str(record[0].message)
    assert lv2.product_names == ["a", "b"]
    assert lv2["products"][1]["members"][1] == {"expname": "bg_rate.fits", "exptype": "background"}
    assert (lv2.program, lv2.asn_id) == ("noprogram", "a3001")
    asnkit.validate(lv2, warn_paths=False)
    with pytest.raises(ValueError, match="not in the list"):
        asn_from_files(files, product_name="x", roles={"other": "background"})


def test_from_files_path_modes(tmp_path):
    files = [str(tmp_path / "data" / "a_cal.fits"), str(tmp_path / "data" / "b_cal.fits")]
    asn = asn_from_files(files, product_name="p", path_mode="relative", folder=tmp_path)
    assert asn.expnames == ["data/a_cal.fits", "data/b_cal.fits"]
    asn = asn_from_files(files, product_name="p", path_mode="basename")
    assert asn.expnames == ["a_cal.fits", "b_cal.fits"]


_POOLS = ["pool_002_image_miri", "pool_013_coron_nircam", "pool_018_all_exptypes",
          "pool_019_niriss_wfss", "pool_021_tso", "pool_024_nirspec_fss_nods"]  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool_name=st.sampled_from(_POOLS),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=12),
    asn_type=st.sampled_from(["image3", "spec3", "coron3", "tso3", "image2", "spec2"]),
)
def test_any_selection_of_rows_builds_a_valid_round_tripping_document(pool_name, picks, asn_type):
    pool = _POOLS_READ.setdefault(pool_name, _pool(pool_name))
    rows = pool[pool["filename"].str.contains("_uncal", na=False)]
    chosen = rows.iloc[sorted({p % len(rows) for p in picks})]
    roles = {f: "science" for f in chosen["filename"]}  # whatever the pool flags say
    asn = to_association(chosen, asn_type=asn_type, roles=roles)
    assert asnkit.is_valid(asn)
    assert len(asn.science_members) == len(chosen)
    back = read_asn(io.StringIO(asn.to_json()))
    assert back == asn and list(back) == list(asn)
    assert back.to_json() == asn.to_json()


_POOLS_READ: dict = {}


def test_to_association_path_modes(tmp_path):
    pool = _pool("pool_002_image_miri")
    asn = to_association(pool, path_mode="absolute", folder=tmp_path / "data")  # no warning
    assert asn.expnames[0] == (tmp_path / "data" / "jw_00001_cal.fits").as_posix()
    assert asn.with_paths("basename") == to_association(pool)


def test_from_files_warns_once_about_folders_at_the_callers_line_saying_what_to_do():
    files = [f"/data/run1/jw01234001001_02101_0000{i}_nrca1_cal.fits" for i in (1, 2, 3)]
    with pytest.warns(asnkit.AssociationWarning) as record:
        asn = asn_from_files(files, product_name="my_mosaic")
    assert len(record) == 1  # one for the set, not one per file
    warning = record[0]
    assert warning.filename == __file__  # the caller's line, not asnkit's build.py
    text = str(warning.message)
    assert text.startswith(
        f"asn_from_files: 3 of 3 member names carry a folder ({files[0]!r}, ...)"
    )
    assert "as written, the association will not validate" in text
    assert not asnkit.is_valid(asn)  # what the warning says
    assert text.endswith(
        "pass path_mode='basename' to keep the file names only, and write the association "
        "next to its members"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = asn_from_files(files, product_name="my_mosaic", path_mode="basename")
    assert asnkit.is_valid(fixed)  # the advice works, without a warning


def test_a_folder_that_still_validates_is_not_said_to_invalidate():
    with pytest.warns(asnkit.AssociationWarning) as record:
        asn = asn_from_files(["sub/a_cal.fits", "sub/b_cal.fits"], product_name="p")
    assert len(record) == 1 and asnkit.is_valid(asn)
    assert "will not validate" not in str(record[0].message)
    assert "different folders" not in str(record[0].message)  # one folder


def test_to_association_folder_warning_names_the_callers_line_through_the_accessor():
    pool = pd.read_csv(io.StringIO("filename|exp_type|program|obs_num\n"
                                   "raw/jw01234001001_02101_00001_nrca1_uncal.fits|nrc_image|01234|001\n"
                                   "raw/jw01234001001_02101_00002_nrca1_uncal.fits|nrc_image|01234|001\n"),
                       sep="|", dtype=str)  # fmt: skip
    with pytest.warns(asnkit.AssociationWarning) as record:
        pool.asn.to_association(asn_type="image3", product_name="p")
    assert len(record) == 1 and record[0].filename == __file__
    assert str(record[0].message).startswith("to_association: 2 of 2 member names carry a folder")


def test_the_command_line_says_the_option_where_the_library_says_the_keyword(tmp_path, capsys):
    from asnkit.cli import main

    files = [f"data/run1/jw01234001001_02101_0000{i}_nrca1_cal.fits" for i in (1, 2)]
    argv = ["from-list", *files, "--product-name", "p", "-o", str(tmp_path / "a.json")]
    assert main(argv) == 0
    warnings_ = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings_) == 1
    assert warnings_[0].startswith("asnkit from-list: warning: 2 of 2 member names carry a folder")
    assert "use --paths basename to keep the file names only" in warnings_[0]
    assert "path_mode" not in warnings_[0]
