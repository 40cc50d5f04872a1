"""asnkit.check: each finding on a small crafted association, and silence on jwst's own."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

import asnkit
from asnkit.documents.findings import CODES, Finding, Findings, Severity

DATA = Path(__file__).parent / "data"
EXPECTED = DATA / "expected"


def nrc(obs: int, exp: int, det: str = "nrca1", suffix: str = "cal") -> str:
    return f"jw01234{obs:03d}001_02101_{exp:05d}_{det}_{suffix}.fits"


def asn(
    asn_type: str, *products: tuple[str, list[tuple[str, str]]], **header
) -> asnkit.Association:
    return asnkit.Association.new(
        asn_type=asn_type,
        asn_id="o001",
        program="01234",
        products=[
            {"name": name, "members": [{"expname": e, "exptype": r} for e, r in members]}
            for name, members in products
        ],
        filename=f"jw01234-o001_{asn_type}_00001_asn.json",
        **header,
    )


def pool_of(rows: list[dict]) -> pd.DataFrame:
    """A pool of ``_uncal`` rows for the given member names and columns."""
    out = []
    for row in rows:
        row = dict(row)
        row["filename"] = (
            row["filename"].replace("_cal.fits", "_uncal.fits").replace("_rate.fits", "_uncal.fits")
        )
        out.append(row)
    return pd.DataFrame(out)


def only(findings: Findings, code: str) -> Finding:
    found = findings.by_code(code)
    assert len(found) == 1, str(findings)
    return found[0]


PRODUCT = "jw01234-o001_t001_nircam_clear-f150w"
SCIENCE = [(nrc(1, i), "science") for i in (1, 2, 3)]


# --------------------------------------------------------------------------- no false alarms
def _pools_and_sets():
    for folder in sorted(p for p in EXPECTED.iterdir() if p.is_dir()):
        yield folder.name, asnkit.read_asn_set(folder)


def test_jwst_associations_give_no_error_and_no_warning_with_or_without_pool():
    total, infos = 0, 0
    for name, found in _pools_and_sets():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", asnkit.PoolWarning)
            pool = asnkit.read_pool(DATA / "pools" / f"{name}.csv")
        total += len(found)
        for kwargs in ({}, {"pool": pool}):
            findings = asnkit.check(found, **kwargs)
            assert not findings.errors and not findings.warnings, f"{name}:\n{findings}"
        infos += len(findings.infos)
        # one by one too (no set-level findings then)
        assert all(asnkit.check(a, pool=pool).ok for a in found)
    assert total == 1731
    # jwst's own record-keeping members (target acquisitions in coron3/spec3/tso3, ...)
    assert 0 < infos < 200


def test_jwst_test_association_files_give_no_error_and_no_warning():
    files = sorted((DATA / "asn").glob("*.json"))
    assert len(files) == 4
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", asnkit.AssociationWarning)
            findings = asnkit.check(asnkit.read_asn(path))
        assert not findings.errors and not findings.warnings, f"{path.name}:\n{findings}"
    bad_path = asnkit.read_asn(DATA / "asn" / "asn_level2_bad_path.json", validate=False)
    assert asnkit.check(bad_path).codes == ["ASN601", "ASN602"]


def test_the_checks_see_the_pool_when_given():
    # the pool is what tells exposure types and filters: make sure the facts are found
    from asnkit.documents.check_context import CheckedAssociation
    from asnkit.documents.exposures import PoolIndex

    pool = asnkit.read_pool(DATA / "pools" / "pool_018_all_exptypes.csv")
    found = asnkit.read_asn_set(EXPECTED / "pool_018_all_exptypes")
    index = PoolIndex(pool)
    known = [
        f.exp_type is not None
        for a in found
        for product in CheckedAssociation(a, index, None, None).facts
        for f in product
    ]
    assert sum(known) / len(known) > 0.9


# --------------------------------------------------------------------------- findings as data
def test_findings_are_frozen_records_with_a_frame_and_json():
    bad = asn("image3", ("My Mosaic", [*SCIENCE, (nrc(3, 1), "background")]))
    findings = asnkit.check(bad)
    assert isinstance(findings, Findings) and not findings.ok
    first = findings[0]
    with pytest.raises(AttributeError):
        first.code = "ASN000"
    assert first.severity is Severity.ERROR and first.asn == bad.filename
    frame = findings.to_frame()
    assert list(frame.columns) == ["asn", "code", "severity", "path", "message", "hint"]
    assert frame["code"].tolist() == ["ASN101", "ASN604", "ASN605"]
    assert frame["severity"].tolist() == ["error", "warning", "info"]
    assert json.loads(findings.to_json())[0]["code"] == "ASN101"
    assert findings.summary() == "1 error, 1 warning, 1 info"
    assert all(f.hint for f in findings)
    assert str(findings).splitlines()[0].startswith(f"{bad.filename}: products[0]: error ASN101:")


def test_every_code_has_a_severity_and_a_title():
    assert all(
        c.code == k and c.title and isinstance(c.severity, Severity) for k, c in CODES.items()
    )
    with pytest.raises(ValueError, match="unknown finding code"):
        Finding("ASN999", "", "x")


def test_check_takes_a_dict_and_a_set():
    data = asn("image3", (PRODUCT, SCIENCE)).to_dict()
    assert asnkit.check(data).ok and not asnkit.check(data)
    two = asnkit.AssociationSet(
        [asn("image3", (PRODUCT, SCIENCE)), asn("spec3", (PRODUCT, SCIENCE))]
    )
    assert only(asnkit.check(two), "ASN003").severity is Severity.INFO


# --------------------------------------------------------------------------- roles
def test_background_members_in_image3_are_an_error_with_the_image2_fix():
    bad = asn("image3", (PRODUCT, [*SCIENCE, *[(nrc(3, i), "background") for i in range(1, 17)]]))
    f = only(asnkit.check(bad), "ASN101")
    assert (f.severity, f.path) == (Severity.ERROR, "products[0]")
    assert "16 background members" in f.message and "calwebb_image3" in f.message
    assert "image2" in f.hint


@pytest.mark.parametrize(
    ("asn_type", "role", "code"),
    [
        ("image3", "imprint", "ASN101"),
        ("image3", "psf", "ASN101"),
        ("spec3", "psf", "ASN101"),
        ("tso3", "background", "ASN101"),
        ("image2", "imprint", "ASN101"),
        ("coron3", "target_acquisition", "ASN102"),
        ("spec3", "autoflat", "ASN102"),
    ],
)
def test_roles_the_pipeline_does_not_read(asn_type, role, code):
    members = [(nrc(1, 1, suffix="rate" if asn_type.endswith("2") else "cal"), "science")]
    members.append((nrc(2, 1), role))
    if asn_type == "coron3":
        members.append((nrc(4, 1), "psf"))
    f = only(asnkit.check(asn(asn_type, (PRODUCT, members))), code)
    assert f.path == "products[0]" and f.severity is CODES[code].severity


def test_roles_the_pipeline_reads_are_fine():
    members = [(nrc(1, 1), "science"), (nrc(2, 1, suffix="x1d"), "background")]
    assert asnkit.check(asn("spec3", (PRODUCT, members))).ok
    members = [(nrc(1, 1, suffix="calints"), "science"), (nrc(2, 1, suffix="calints"), "psf")]
    assert not asnkit.check(asn("coron3", (PRODUCT, members)))


def test_spec2_background_of_wfss_and_imprint_of_miri_depend_on_the_exposure_type():
    sci, bkg, imp = nrc(1, 1, "nis", "rate"), nrc(2, 1, "nis", "rate"), nrc(3, 1, "nis", "rate")
    catalog = [
        ("p_cat.ecsv", "sourcecat"),
        ("p_segm.fits", "segmap"),
        ("p_i2d.fits", "direct_image"),
    ]
    doc = asn("spec2", ("p", [(sci, "science"), (bkg, "background"), *catalog]))
    pool = pool_of([{"filename": n, "exp_type": "nis_wfss"} for n in (sci, bkg)])
    f = only(asnkit.check(doc, pool=pool), "ASN101")
    assert "nis_wfss" in f.message and f.severity is Severity.ERROR
    assert asnkit.check(doc).ok  # without the pool the exposure type is unknown
    doc = asn("spec2", ("p", [(sci, "science"), (imp, "imprint")]))
    pool = pool_of([{"filename": n, "exp_type": "mir_mrs"} for n in (sci, imp)])
    assert only(asnkit.check(doc, pool=pool), "ASN102").path == "products[0]"
    pool = pool_of([{"filename": n, "exp_type": "nrs_ifu"} for n in (sci, imp)])
    assert not asnkit.check(doc, pool=pool)


def test_science_written_in_capitals():
    doc = asn("image3", (PRODUCT, [(n, "SCIENCE") for n, _ in SCIENCE]))
    f = only(asnkit.check(doc), "ASN103")
    assert (f.severity, f.path) == (Severity.ERROR, "products[0]")
    # spec3 reads roles case-insensitively; only a missing lower-case one matters there
    mixed = asn("spec3", (PRODUCT, [(nrc(1, 1), "science"), (nrc(1, 2), "SCIENCE")]))
    assert "ASN103" not in asnkit.check(mixed).codes


# --------------------------------------------------------------------------- mixing
def test_nircam_short_and_long_channels_from_file_names_alone():
    doc = asn("image3", (PRODUCT, [*SCIENCE, (nrc(1, 1, "nrcalong"), "science")]))
    f = only(asnkit.check(doc), "ASN202")
    assert (f.severity, f.path) == (Severity.ERROR, "products[0]")
    assert "short (3), long (1)" in f.message


def test_instruments_from_file_names_alone():
    doc = asn("image3", (PRODUCT, [*SCIENCE, (nrc(1, 9, "mirimage"), "science")]))
    assert only(asnkit.check(doc), "ASN201").severity is Severity.ERROR


@pytest.mark.parametrize(
    ("column", "code", "severity"),
    [
        ("filter", "ASN203", Severity.ERROR),
        ("pupil", "ASN204", Severity.ERROR),
        ("grating", "ASN204", Severity.ERROR),
        ("targetid", "ASN205", Severity.WARNING),
        ("exp_type", "ASN206", Severity.ERROR),
    ],
)
def test_mixing_needs_the_pool(column, code, severity):
    doc = asn("image3", (PRODUCT, SCIENCE))
    base = {"exp_type": "nrc_image", "filter": "f150w", "pupil": "clear", "grating": "prism"}
    base["targetid"] = "1"
    rows = [{**base, "filename": n} for n, _ in SCIENCE]
    rows[-1][column] = {"exp_type": "nrc_coron", "targetid": "2"}.get(column, "f200w")
    f = only(asnkit.check(doc, pool=pool_of(rows)), code)
    assert (f.path, f.severity) == ("products[0]", severity)
    assert code not in asnkit.check(doc).codes


def test_mixing_counts_science_members_only():
    doc = asn("spec3", (PRODUCT, [(nrc(1, 1), "science"), (nrc(3, 1, suffix="x1d"), "background")]))
    rows = [{"filename": nrc(1, 1), "targetid": "1"}, {"filename": nrc(3, 1), "targetid": "2"}]
    assert asnkit.check(doc, pool=pool_of(rows)).ok


def test_a_level2_background_of_another_detector_or_filter():
    science, same, other_detector = (
        nrc(1, 1, suffix="rate"),
        nrc(2, 1, suffix="rate"),
        nrc(2, 2, "nrcalong", suffix="rate"),
    )
    doc = asn("image2", ("p", [(science, "science"), (same, "background"),
                               (other_detector, "background")]))  # fmt: skip
    f = only(asnkit.check(doc), "ASN207")  # the detector, from the file names alone
    assert (f.severity, f.path) == (Severity.ERROR, "products[0].members[2]")
    assert "detector nrcalong (science: nrca1)" in f.message and "calwebb_image2" in f.message
    # the filter, from the pool
    doc = asn("image2", ("p", [(science, "science"), (same, "background")]))
    base = {"instrume": "nircam", "exp_type": "nrc_image", "pupil": "clear"}
    rows = [{**base, "filename": science, "filter": "f444w"},
            {**base, "filename": same, "filter": "f150w"}]  # fmt: skip
    f = only(asnkit.check(doc, pool=pool_of(rows)), "ASN207")
    assert "filter f150w (science: f444w)" in f.message
    rows[1]["filter"] = "F444W"  # the same filter, in another case
    assert asnkit.check(doc, pool=pool_of(rows)).ok
    # Level 3 backgrounds are other files (spec3: 1-D spectra), not subtracted pixel by pixel
    doc = asn("image3", (PRODUCT, [(nrc(1, 1), "science"), (nrc(2, 2, "nrcalong"), "background")]))
    assert "ASN207" not in asnkit.check(doc).codes


def test_a_pool_listing_an_exposure_twice_is_read_by_candidate():
    name = nrc(1, 1)
    doc = asnkit.Association.new(asn_type="ami3", products=[{"name": "p", "members": [
        {"expname": name.replace("_cal", "_calints"), "exptype": "science",
         "asn_candidate": "[('c1040', 'group')]"},
        {"expname": nrc(2, 1, suffix="calints"), "exptype": "psf"}]}])  # fmt: skip
    pool = pool_of([
        {"filename": name, "exp_type": "nrc_coron", "asn_candidate": "[('c1039', 'group')]"},
        {"filename": name, "exp_type": "nis_ami", "asn_candidate": "[('c1040', 'group')]"},
    ])  # fmt: skip
    assert asnkit.check(doc, pool=pool).ok
    pool.loc[1, "exp_type"] = "nrc_image"
    assert only(asnkit.check(doc, pool=pool), "ASN303").severity is Severity.ERROR


# --------------------------------------------------------------------------- exposure types
@pytest.mark.parametrize(
    ("asn_type", "exp_type", "code"),
    [
        ("image3", "nrs_fixedslit", "ASN301"),
        ("image2", "mir_mrs", "ASN301"),
        ("spec3", "nrc_image", "ASN302"),
        ("spec2", "mir_image", "ASN302"),
        ("coron3", "nrc_image", "ASN303"),
        ("ami3", "nis_image", "ASN303"),
        ("image3", "nrc_tsimage", "ASN304"),
        ("spec2", "nrs_brightobj", "ASN304"),
        ("tso3", "nrc_image", "ASN305"),
    ],
)
def test_exposure_types_that_do_not_fit_the_type(asn_type, exp_type, code):
    level2 = asn_type.endswith("2")
    suffix = "rate" if level2 else ("calints" if asn_type in ("coron3", "ami3", "tso3") else "cal")
    name = nrc(1, 1, suffix=suffix)
    members = [(name, "science")]
    if asn_type in ("coron3", "ami3"):
        members.append((nrc(2, 1, suffix="calints"), "psf"))
    doc = asn(asn_type, ("p", members))
    pool = pool_of([{"filename": name, "exp_type": exp_type, "tsovisit": "f"},
                    {"filename": nrc(2, 1), "exp_type": exp_type, "tsovisit": "f"}])  # fmt: skip
    f = only(asnkit.check(doc, pool=pool), code)
    assert (f.path, f.severity) == ("products[0]", CODES[code].severity)


def test_nirspec_through_the_mirror_is_an_image_and_tsovisit_makes_a_time_series():
    name = nrc(1, 1, "nrs1", "rate")
    doc = asn("image2", ("p", [(name, "science")]))
    rows = [{"filename": name, "exp_type": "nrs_msaspec", "grating": "mirror"}]
    assert asnkit.check(doc, pool=pool_of(rows)).ok
    doc = asn("tso3", ("p", [(nrc(1, 1, "mirimage", "calints"), "science")]))
    rows = [{"filename": nrc(1, 1, "mirimage"), "exp_type": "mir_image", "tsovisit": "t"}]
    assert asnkit.check(doc, pool=pool_of(rows)).ok


# --------------------------------------------------------------------------- membership
def test_level2_product_without_exactly_one_science_member():
    two = asn(
        "image2",
        ("p", [(nrc(1, 1, suffix="rate"), "science"), (nrc(1, 2, suffix="rate"), "science")]),
    )
    f = only(asnkit.check(two), "ASN401")
    assert (f.path, f.severity) == ("products[0]", Severity.ERROR)
    assert "ASN001" not in asnkit.check(two).codes  # said once, not twice
    none = asn("image2", ("p", [(nrc(1, 1, suffix="rate"), "background")]))
    assert "fails" in only(asnkit.check(none), "ASN401").message


def test_level3_without_science_and_with_several_products():
    doc = asn("image3", (PRODUCT, [(nrc(1, 1), "psf")]))
    assert only(asnkit.check(doc), "ASN402").path == "products[0]"
    doc = asn("image3", (PRODUCT, SCIENCE), ("other", SCIENCE))
    f = only(asnkit.check(doc), "ASN403")
    assert (f.path, f.severity) == ("products", Severity.ERROR)


def test_coron3_and_ami3_without_psf():
    members = [(nrc(1, 1, suffix="calints"), "science")]
    f = only(asnkit.check(asn("coron3", ("p", members))), "ASN404")
    assert (f.path, f.severity) == ("products[0]", Severity.ERROR)
    f = only(asnkit.check(asn("ami3", ("p", members))), "ASN405")
    assert (f.path, f.severity) == ("products[0]", Severity.WARNING)


def test_wfss_spec2_needs_its_catalogue_members():
    sci = nrc(1, 1, "nis", "rate")
    pool = pool_of([{"filename": sci, "exp_type": "nis_wfss"}])
    bare = asn("spec2", ("p", [(sci, "science")]))
    f = only(asnkit.check(bare, pool=pool), "ASN406")
    assert (f.path, f.severity) == ("products[0]", Severity.ERROR)
    assert asnkit.check(bare).ok  # not known to be WFSS without the pool
    partial = asn("spec2", ("p", [(sci, "science"), ("x_cat.ecsv", "sourcecat")]))
    f = only(asnkit.check(partial), "ASN407")  # the three come together, pool or not
    assert "segmap or direct_image" in f.message and f.severity is Severity.WARNING


def test_duplicate_members():
    doc = asn("image3", (PRODUCT, [*SCIENCE, (SCIENCE[0][0].replace("_cal", "_crf"), "science")]))
    f = only(asnkit.check(doc), "ASN408")
    assert (f.path, f.severity) == ("products[0].members[3]", Severity.WARNING)


# --------------------------------------------------------------------------- member names
@pytest.mark.parametrize(
    ("asn_type", "suffix", "role", "code"),
    [
        ("image3", "uncal", "science", "ASN501"),
        ("image3", "rate", "science", "ASN501"),
        ("image2", "uncal", "science", "ASN502"),
        ("spec2", "cal", "science", "ASN503"),
        ("spec3", "cal", "background", "ASN504"),
        ("coron3", "cal", "science", "ASN505"),
    ],
)
def test_member_suffixes_that_do_not_fit_the_level(asn_type, suffix, role, code):
    members = [(nrc(1, 1, suffix="rate" if asn_type.endswith("2") else "calints"), "science")]
    if asn_type == "image3" or asn_type == "spec3":
        members = [(nrc(1, 1), "science")]
    members.append((nrc(2, 1, suffix=suffix), role))
    if role == "science":
        members = members[1:]
    if asn_type == "coron3":
        members.append((nrc(3, 1, suffix="calints"), "psf"))
    f = only(asnkit.check(asn(asn_type, ("p", members))), code)
    assert f.path == f"products[0].members[{0 if role == 'science' else 1}]"
    assert f.severity is CODES[code].severity


def test_jwst_writes_rate_files_for_autoflat_in_spec3():
    members = [(nrc(1, 1, "nrs1"), "science"), (nrc(1, 2, "nrs1", "rate"), "autoflat")]
    assert asnkit.check(asn("spec3", ("p", members))).codes == ["ASN102"]


def test_folders_in_member_names_are_infos():
    doc = asn("image3", (PRODUCT, [("data/" + SCIENCE[0][0], "science"), *SCIENCE[1:]]))
    findings = asnkit.check(doc)
    assert findings.ok and not findings.warnings
    assert only(findings, "ASN601").path == "products[0].members[0].expname"
    assert only(findings, "ASN602").path == "products"


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("my mosaic F150W", ["ASN604", "ASN605"]),
        ("mosaics/f150w", ["ASN603"]),
        ("jw01234-o001_t001_NIRCAM_f150w", ["ASN605"]),
        ("mosaic.fits", ["ASN605"]),
        ("jw01234-o001_{source_id}_nirspec_clear", []),
    ],
)
def test_product_names_that_make_odd_file_names(name, codes):
    findings = asnkit.check(asn("image3", (name, SCIENCE)))
    assert findings.codes == codes
    assert all(f.path == "products[0].name" for f in findings)


# --------------------------------------------------------------------------- files
def test_missing_member_files_next_to_the_association(tmp_path):
    doc = asn("image3", (PRODUCT, SCIENCE))
    for name, _ in SCIENCE[:2]:
        (tmp_path / name).write_bytes(b"")
    f = only(asnkit.check(doc, files=tmp_path), "ASN701")
    assert (f.path, f.severity) == ("products[0].members[2].expname", Severity.ERROR)
    assert asnkit.check(doc, files=[n for n, _ in SCIENCE]).ok
    missing = asnkit.check(doc, files=[SCIENCE[0][0]]).by_code("ASN701")
    assert [f.path for f in missing] == [f"products[0].members[{j}].expname" for j in (1, 2)]


def test_member_names_outside_the_folder_are_not_looked_for(tmp_path, monkeypatch):
    """A document's expnames never make asnkit stat or open a file outside its folder."""
    folder = tmp_path / "asn"
    folder.mkdir()
    outside = tmp_path / "secret_cal.fits"
    outside.write_bytes(b"")
    (folder / "link_cal.fits").symlink_to(outside)
    (folder / SCIENCE[0][0]).write_bytes(b"")
    hostile = ["../secret_cal.fits", str(outside), "link_cal.fits", "a/../../secret_cal.fits"]
    members = [SCIENCE[0], *[(name, "science") for name in hostile]]
    touched: list[str] = []
    real_stat = os.stat

    def watching_stat(path, *args, **kwargs):
        touched.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", watching_stat)
    findings = asnkit.check(asn("image3", (PRODUCT, members)), files=folder)
    monkeypatch.undo()
    looked_at = {os.path.realpath(path) for path in touched}
    assert os.path.realpath(outside) not in looked_at, "a file outside the folder was looked at"
    flagged = findings.by_code("ASN702")
    assert [f.path for f in flagged] == [f"products[0].members[{j}].expname" for j in (1, 2, 3, 4)]
    assert all(f.severity is Severity.WARNING and "outside" in f.message for f in flagged)
    assert not findings.by_code("ASN701")  # the one member inside is there


def test_member_headers_give_the_facts_when_there_is_no_pool(tmp_path):
    from astropy.io import fits

    names = []
    for i, filt in enumerate(("F150W", "F200W"), start=1):
        name = nrc(1, i)
        header = fits.Header({"INSTRUME": "NIRCAM", "DETECTOR": "NRCA1", "EXP_TYPE": "NRC_IMAGE",
                              "FILTER": filt, "PUPIL": "CLEAR", "OBSERVTN": "001"})  # fmt: skip
        fits.PrimaryHDU(header=header).writeto(tmp_path / name)
        names.append(name)
    doc = asn("image3", (PRODUCT, [(n, "science") for n in names]))
    assert only(asnkit.check(doc, files=tmp_path), "ASN203").severity is Severity.ERROR
    assert asnkit.check(doc).ok


# --------------------------------------------------------------------------- command line
def test_cli_check_exit_status_lines_and_json(tmp_path, capsys):
    from asnkit.cli import main

    good = asn("image3", (PRODUCT, SCIENCE)).write(tmp_path / "good_asn.json")
    bad = asn("image3", ("my mosaic", [*SCIENCE, (nrc(3, 1), "background")]))
    bad = bad.write(tmp_path / "bad_asn.json")
    assert main(["check", str(good)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "1 association checked: 0 errors, 0 warnings, 0 infos" in err
    assert main(["check", str(good), str(bad)]) == 1
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2  # one line per finding
    assert lines[0].startswith(f"{bad}: products[0]: error ASN101: 1 background member")
    assert lines[1].startswith(f"{bad}: products[0].name: warning ASN604:")
    assert main(["check", str(bad), "--format", "json", "-q"]) == 1
    out, err = capsys.readouterr()
    records = json.loads(out)
    assert [(r["code"], r["severity"], r["path"]) for r in records] == [
        ("ASN101", "error", "products[0]"),
        ("ASN604", "warning", "products[0].name"),
    ]
    assert err == ""
    # a warning alone does not fail
    named = asn("image3", ("my mosaic", SCIENCE)).write(tmp_path / "named_asn.json")
    assert main(["check", str(named)]) == 0
    capsys.readouterr()


def test_cli_check_with_pool_and_files(tmp_path, capsys):
    from asnkit.cli import main

    rows = [{"filename": n, "exp_type": "nrc_image", "filter": f} for (n, _), f in
            zip(SCIENCE, ("f150w", "f150w", "f444w"), strict=True)]  # fmt: skip
    pool_file = asnkit.write_pool(pool_of(rows), tmp_path / "pool.csv")
    path = asn("image3", (PRODUCT, SCIENCE)).write(tmp_path / "x_asn.json")
    assert main(["check", str(path)]) == 0
    assert main(["check", str(path), "--pool", str(pool_file)]) == 1
    out, _ = capsys.readouterr()
    assert "ASN203: the science members mix filters: f150w (2), f444w (1)" in out
    assert main(["check", str(tmp_path), "--files", "-q"]) == 1  # a folder of associations
    out, _ = capsys.readouterr()
    assert out.count("ASN701") == 3
    (tmp_path / "broken_asn.json").write_text("{")
    assert main(["check", str(tmp_path / "broken_asn.json")]) == 2  # unread: trouble
    out, _ = capsys.readouterr()
    assert "broken_asn.json: error: cannot read" in out


def test_associations_and_sets_have_a_check_method():
    pool = asnkit.read_pool(DATA / "pools" / "pool_002_image_miri.csv")
    found = asnkit.generate(pool)
    assert found.check(pool=pool) == asnkit.check(found, pool=pool) == Findings()
    bad = found[0].set_role(found[0].expnames[0], "background")
    assert bad.check().codes == asnkit.check(bad).codes != []


def test_unknown_roles_are_said_once_and_unreadable_members_are_skipped(tmp_path):
    doc = asn("image3", (PRODUCT, [*SCIENCE, (nrc(2, 1), "sky")]))
    assert asnkit.check(doc).codes == ["ASN001"]
    (tmp_path / SCIENCE[0][0]).write_bytes(b"not a FITS file")
    findings = asnkit.check(asn("image3", (PRODUCT, SCIENCE[:1])), files=tmp_path)
    assert findings.ok and not findings


def test_cli_check_of_a_folder_without_associations_fails(tmp_path, capsys):
    """A folder of folders (or a typo) checks nothing: an error, not '0 errors' and exit 0."""
    from asnkit.cli import main

    (tmp_path / "pool_a").mkdir()
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}: a folder without association files (*.json)" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- the wrong pool
def test_members_not_in_the_given_pool_are_a_warning(tmp_path, capsys):
    from asnkit.cli import main

    found = asnkit.read_asn_set(EXPECTED / "pool_007_spec_miri")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        own = asnkit.read_pool(DATA / "pools" / "pool_007_spec_miri.csv")
        other = asnkit.read_pool(DATA / "pools" / "jw09505_20251216t202003_pool.csv")
    assert "ASN801" not in asnkit.check(found, pool=own).codes
    findings = asnkit.check(found, pool=other)
    wrong = [f for f in findings if f.code == "ASN801"]
    assert len(wrong) == len(found) and not findings.errors
    assert all(f.severity is Severity.WARNING and f.hint for f in wrong)
    first = found[0]
    n = len([m for m in first.members() if m.role not in ("sourcecat", "segmap", "direct_image")])
    other_name = "jw09505_20251216t202003_pool.csv"
    assert f"{n} of {n} exposure members not in {other_name}" in wrong[0].message
    assert f"asn_pool is {first.asn_pool}" in wrong[0].message
    # half the members from another pool: counted
    rows = [{"filename": m.expname, "exp_type": "mir_lrs-fixedslit"}
            for m in first.members()][: max(1, n // 2)]  # fmt: skip
    part = only(asnkit.check(first, pool=pool_of(rows)), "ASN801")
    assert part.message.startswith(f"{n - len(rows)} of {n} exposure members not in")
    # the command says it too, and that every file names another pool
    folder = tmp_path / "asns"
    folder.mkdir()
    for a in found:
        a.write(folder / a.filename)
    assert main(["check", str(folder), "--pool", str(DATA / "pools" / other_name)]) == 0
    out, err = capsys.readouterr()
    assert out.count("warning ASN801") == len(found)
    assert "every association names another pool (asn_pool): pool_007_spec_miri" in err
