"""Explanations (asnkit.generation.explain) checked against the recorded jwst 3.0.0 outputs."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import asnkit
from asnkit.cli import main
from asnkit.dms.names import strip_suffix
from asnkit.generation.explain import (
    EXPLAIN_COLUMNS,
    ORPHAN_COLUMNS,
    Outcome,
    compare_rules,
    explain,
    orphans,
)
from asnkit.generation.run import run
from asnkit.rules import dms_level3, dms_rules
from asnkit.rules.custom import derive, dms_rule, rule
from tests.helpers import DATA, EXPECTED, pool_file
from tests.test_unseen_pools import KNOWN_DIFFERENCES

VERSION = "20250101t000000"
EXPECTED_POOLS = sorted(p.name for p in EXPECTED.iterdir() if p.is_dir())


@cache
def _pool(name: str) -> pd.DataFrame:
    return asnkit.read_pool(pool_file(name))


def pool(name: str) -> pd.DataFrame:
    return _pool(name).copy()


@cache
def expected_files(name: str | Path) -> dict[str, dict[str, str]]:
    """Exposure stem -> {expected association file: exptype} (what jwst wrote)."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted((EXPECTED / name).glob("*.json")):
        doc = json.loads(path.read_text())
        for product in doc["products"]:
            for member in product["members"]:
                stem = strip_suffix(member["expname"]).lower()
                out.setdefault(stem, {}).setdefault(path.name, member["exptype"])
    return out


def stem_of(df: pd.DataFrame, row: int) -> str:
    return strip_suffix(str(df["filename"].iloc[row])).lower()


# ----------------------------------------------------------------------- the run is the engine's


def _read_or_skip(path: Path) -> pd.DataFrame:
    try:
        return asnkit.read_pool(path)
    except asnkit.PoolError as exc:  # unreadable on purpose: tests/test_unseen_pools.py
        pytest.skip(f"not a readable pool: {exc}")


UNSEEN = sorted((DATA / "unseen" / "pools").glob("*.csv"))


# pools asnkit does not reproduce exactly (documented jwst quirks) are left out
UNSEEN_RECORDED = [
    (p, DATA / "unseen" / "expected" / p.stem)
    for p in UNSEEN
    if (DATA / "unseen" / "expected" / p.stem).is_dir() and p.stem not in KNOWN_DIFFERENCES
]


@pytest.mark.filterwarnings("ignore::asnkit.errors.AssociationWarning")
@pytest.mark.filterwarnings("ignore::asnkit.errors.PoolWarning")
@pytest.mark.parametrize(
    ("path", "recorded_dir"),
    [(pool_file(n), EXPECTED / n) for n in EXPECTED_POOLS] + UNSEEN_RECORDED,
    ids=lambda x: x.stem if x.suffix else "",
)
def test_explain_agrees_with_the_run_and_with_jwst(path, recorded_dir):
    """For every exposure of every shared pool: what explain says it joined is what the run
    recorded (run.to_frame()), every such file lists it, and they are the jwst files with it."""
    name = path.stem
    df = _read_or_skip(path)
    made = run(df, list(dms_rules()), version_id=VERSION)
    assert made.associations().filenames == asnkit.generate(df, version_id=VERSION).filenames
    listed: dict[str, set[str]] = {}  # exposure stem -> the files whose members name it
    for asn in made.associations():
        for member in asn.members():
            listed.setdefault(strip_suffix(member.expname).lower(), set()).add(asn.filename)
    frame = made.to_frame()
    joined_frame = frame[frame["fate"] == "joined"]
    by_position = {
        position: set(zip(group["association"], group["role"], strict=True))
        for position, group in joined_frame.groupby(df.index.get_indexer(joined_frame["row"]))
    }
    recorded = expected_files(recorded_dir)
    joined_by_stem: dict[str, dict[str, str]] = {}  # stems repeat in mega_pool (merged pools)
    for row in range(len(df)):
        joined = joined_by_stem.setdefault(stem_of(df, row), {})
        results = made.results_for(row)
        said = {(r.asn_file, r.exptype) for r in results if r.outcome is Outcome.JOINED}
        assert said == by_position.get(row, set()), (name, row)
        assert bool(said) == (row in made.taken_rows())
        for r in results:
            if r.outcome is Outcome.JOINED and r.exptype != "direct_image":
                assert r.asn_file in listed[stem_of(df, row)]
                joined[r.asn_file] = r.exptype  # (a direct image is named after L3 products)
    checked = 0
    for stem, joined in joined_by_stem.items():
        want = recorded.get(stem, {})
        assert joined == {f: t for f, t in want.items() if f in joined or t != "direct_image"}, (
            name,
            stem,
        )
        checked += bool(want)
    assert checked or not recorded


# --------------------------------------------------------------------------- rows checked by hand


def test_image_exposure_pool001():
    """jw_00001: NIRCam F090W, observation 1 (candidate o001 only)."""
    df = pool("pool_001_candidates")
    why = explain(df, "jw_00001_uncal.fits", version_id=VERSION)
    row = df.index[df["filename"] == "jw_00001_uncal.fits"][0]
    assert why.row == row and why.exp_type == "nrc_image"
    joined = {r.asn_file: (r.rule, r.asn_rule, r.exptype) for r in why.joined}
    assert set(joined) == set(expected_files("pool_001_candidates")["jw_00001"])
    assert joined["jw99009-o001_20250101t000000_image3_00002_asn.json"] == (
        "Asn_Lv3Image",
        "candidate_Asn_Lv3Image",
        "science",
    )
    assert joined["jw99009-a3001_20250101t000000_image3_00002_asn.json"][1] == (
        "discover_Asn_Lv3Image"
    )
    ami = why.result("Asn_Lv3AMI")
    assert ami.outcome is Outcome.NOT_MATCHED
    assert (ami.column, ami.value, ami.required) == ("exp_type", "nrc_image", "nis_ami")
    assert ami.reason == "exp_type is 'nrc_image', needs 'nis_ami'"
    image_bkg = why.result("Asn_Lv3ImageBackground")
    assert (image_bkg.column, image_bkg.value) == ("bkgdtarg", None)
    assert pd.isna(df.loc[row, "bkgdtarg"]) if "bkgdtarg" in df.columns else True
    (mosaic,) = [r for r in why.results if r.rule == "Asn_Lv3ImageMosaic"]
    assert mosaic.outcome is Outcome.NOT_MATCHED  # jw_00001 is in no mosaic candidate
    assert (mosaic.column, mosaic.value) == ("asn_candidate", "[('o001', 'observation')]")
    assert mosaic.reason.endswith("(is_type_mosaic)")


def test_mosaic_candidate_exposure_pool001():
    """jw_00021 (observation 3) is in mosaic candidates c1000 and c1001."""
    df = pool("pool_001_candidates")
    assert "c1000" in df.loc[df["filename"] == "jw_00021_uncal.fits", "asn_candidate"].iloc[0]
    why = explain(df, "jw_00021_uncal.fits", version_id=VERSION)
    by_file = {r.asn_file: r.asn_rule for r in why.joined}
    recorded = expected_files("pool_001_candidates")["jw_00021"]
    assert set(by_file) == set(recorded)
    assert by_file["jw99009-c1000_20250101t000000_image3_00002_asn.json"] == (
        "candidate_Asn_Lv3ImageMosaic"
    )
    # the image rule made the same c1000 association: pruned as a duplicate of the mosaic one
    pruned = [r for r in why.results if r.outcome is Outcome.PRUNED]
    assert any(
        r.rule == "Asn_Lv3Image"
        and "same members as jw99009-c1000_20250101t000000_image3_00002_asn.json" in r.reason
        for r in pruned
    )


def test_background_candidate_with_one_observation_pool010():
    """Level 3 background candidates need two observations (jwst finalize)."""
    name = "pool_010_spec_nirspec_lv2bkg"
    df = pool(name)
    why = explain(df, "jw_00001_uncal.fits", version_id=VERSION)
    dropped = [
        r
        for r in why.results
        if r.outcome is Outcome.DROPPED and r.level == 3 and "c1000" in r.reason
    ]
    assert dropped
    assert all("one observation only (obs_num 1); needs >= 2" in r.reason for r in dropped)
    assert {r.rule for r in dropped} == {"Asn_Lv3SpecAux"}  # takes background targets only
    members = df[df["asn_candidate"].str.contains("c1000", na=False)]
    assert members["obs_num"].nunique() == 2
    backgrounds = members[members["bkgdtarg"].str.lower() == "t"]
    assert set(backgrounds["obs_num"]) == {"1"}
    # and jwst wrote no Asn_Lv3SpecAux association for c1000
    rules = {
        json.loads(p.read_text())["asn_rule"]
        for p in (EXPECTED / name).glob("jw99009-c1000*spec3*.json")
    }
    assert rules and "candidate_Asn_Lv3SpecAux" not in rules


def test_psf_and_target_acquisition_roles():
    coron = explain(pool("pool_013_coron_nircam"), "jw_00004_uncal.fits", version_id=VERSION)
    roles = {r.asn_file: r.exptype for r in coron.joined}
    assert roles == expected_files("pool_013_coron_nircam")["jw_00004"]
    assert "psf" in roles.values()
    tso = explain(pool("pool_005_spec_niriss"), "jw_00003_uncal.fits", version_id=VERSION)
    roles = {r.asn_file: r.exptype for r in tso.joined}
    assert roles == expected_files("pool_005_spec_niriss")["jw_00003"]
    assert roles["jw99009-o001_20250101t000000_tso3_00001_asn.json"] == "target_acquisition"


def test_msa_exposure_without_metadata_file_pool018():
    """jw_00044: NIRSpec MSA spectroscopy but no MSA metadata file, so no rule takes it."""
    name = "pool_018_all_exptypes"
    df = pool(name)
    row = int(df.index[df["filename"] == "jw_00044_uncal.fits"][0])
    assert df.loc[row, "exp_type"] == "nrs_msaspec"
    assert "msametfl" not in df.columns or pd.isna(df.loc[row, "msametfl"])
    assert "jw_00044" not in expected_files(name)
    why = explain(df, "jw_00044_uncal.fits")
    assert not why.taken
    for rule_name in ("Asn_Lv3SpectralSource", "Asn_Lv2NRSMSA"):
        r = why.result(rule_name)
        assert (r.outcome, r.column, r.value) == (Outcome.NOT_MATCHED, "msametfl", None)
    assert "in no association" in str(why)
    table = orphans(df)
    assert table.loc[row, "column"] == "msametfl"
    assert table.loc[row, "reason"].startswith("msametfl has no value")


@pytest.mark.parametrize(
    "name", ["pool_018_all_exptypes", "pool_001_candidates", "pool_007_spec_miri", "pool_021_tso"]
)
def test_orphans_are_the_exposures_jwst_left_out(name):
    df = pool(name)
    table = orphans(df)
    assert list(table.columns) == list(ORPHAN_COLUMNS)
    recorded = expected_files(name)
    left_out = {df.index[i] for i in range(len(df)) if stem_of(df, i) not in recorded}
    # WFSS direct images are listed through their Level 3 products, not their own names
    used = run(df, list(dms_rules())).taken_rows()
    assert set(table.index) == left_out - {df.index[i] for i in used}
    assert table["reason"].map(bool).all()
    assert (table["filename"] == df.loc[table.index, "filename"]).all()


def test_orphan_reasons_pool018():
    df = pool("pool_018_all_exptypes")
    table = orphans(df)
    darks = table[df.loc[table.index, "exp_type"] == "nrc_dark"]
    assert len(darks) == 1
    assert darks["reason"].iloc[0] == "no rule takes exp_type 'nrc_dark' (role dark)"
    wfss = table[table["outcome"] == "dropped"]
    assert (wfss["exp_type"] == "nrc_wfss").all() and len(wfss) == 1
    assert "direct image" in wfss["reason"].iloc[0]


# --------------------------------------------------------------------------- the object and API


def test_explanation_object():
    df = pool("pool_001_candidates")
    before = df.copy()
    why = df.asn.explain("JW_00001_CAL.FITS", rules=dms_level3())  # another suffix and case
    pd.testing.assert_frame_equal(df, before)
    assert why.filename == "jw_00001_uncal.fits"
    frame = why.to_frame()
    assert list(frame.columns) == list(EXPLAIN_COLUMNS)
    assert set(frame["rule"]) == {r.name for r in dms_level3()}
    assert (frame["outcome"] == "joined").sum() == len(why.joined) == 2
    text = str(why)
    assert text.splitlines()[0] == "jw_00001_uncal.fits (row 1, exp_type nrc_image)"
    assert "  Asn_Lv3AMI: exp_type is 'nrc_image', needs 'nis_ami'" in text.splitlines()
    assert repr(why) == "<Explanation jw_00001_uncal.fits: 2 associations>"
    page = why._repr_html_()
    assert "<td>Asn_Lv3AMI</td><td>exp_type</td><td>nrc_image</td><td>nis_ami</td>" in page
    assert "<td>jw99009-o001_image3_00002_asn.json</td><td>candidate_Asn_Lv3Image</td>" in page
    assert page.count("<tr>") == len(why.results) + page.count("<table>")  # + header rows
    with pytest.raises(dataclasses.FrozenInstanceError):
        why.filename = "x"  # type: ignore[misc]
    with pytest.raises(KeyError, match="did you mean"):
        explain(df, "jw_0001_uncal.fits")
    with pytest.raises(KeyError, match="no rule"):
        why.result("Asn_Lv9")


def test_custom_rule_explained():
    df = pool("pool_001_candidates")
    mosaic = rule("NircamMosaic", select={"exp_type": "nrc_image"}, agree=["filter", "pupil"])
    why = df.asn.explain("jw_00001_uncal.fits", rules=[mosaic])
    assert [r.asn_file for r in why.joined] == ["jw99009-a3001_image3_00002_asn.json"]
    # a pool-wide rule makes no candidate associations (they could never be kept)
    assert not [r for r in why.results if r.outcome is Outcome.DROPPED]
    mosaic = dms_rule("Asn_Lv3ImageMosaic")  # jw_00001 is in no mosaic candidate
    missed = df.asn.explain("jw_00001_uncal.fits", rules=[mosaic]).result(mosaic.name)
    assert missed.outcome is Outcome.NOT_MATCHED and missed.column == "asn_candidate"
    assert missed.reason.endswith("the rule keeps only mosaic candidates (is_type_mosaic)")
    narrow = rule("Miri", select={"exp_type": "mir_image"})
    miss = df.asn.explain("jw_00001_uncal.fits", rules=[narrow]).result("Miri")
    assert miss.reason == "exp_type is 'nrc_image', needs 'mir_image'"


# --------------------------------------------------------------------------- compare_rules


def _members(asn) -> frozenset:
    return frozenset(m.expname for m in asn.members())


def test_compare_rules_removed_and_renamed():
    df = pool("pool_001_candidates")
    image = dms_rule("Asn_Lv3Image")
    wide = derive(image, "WideImage", ignore=["obs_num", "target"])
    table = compare_rules(df, [image], [wide])
    a = asnkit.apply_rules(df, [image])
    b = asnkit.apply_rules(df, [wide])
    common = {_members(x) for x in a} & {_members(x) for x in b}
    assert table["change"].value_counts().to_dict() == {"removed": len(a) - len(common)}
    assert set(table["asn_file_a"]) == {x.filename for x in a if _members(x) not in common}
    assert table["asn_file_b"].isna().all() and (table["members_b"] == 0).all()
    full = compare_rules(df, [image], [wide], include_same=True)
    kept = full[full["change"] != "removed"]
    assert len(kept) == len(common) and set(kept["change"]) <= {"same", "renamed"}
    assert (kept["members_a"] == kept["members_b"]).all()
    assert (kept["asn_rule_b"] == "discover_WideImage").all()
    assert (kept["differences"] == 1).all()  # asn_rule only (asnkit.diff)
    assert table["differences"].isna().all()  # nothing to compare a removed association with
    assert compare_rules(df, [image], [image]).empty
    same = compare_rules(df, [image], [image], include_same=True)
    assert len(same) == len(a) and set(same["change"]) == {"same"}


def test_compare_rules_changed_members():
    df = pool("pool_001_candidates")
    without7 = rule(
        "M", select={"exp_type": "nrc_image"}, agree=["filter"], exclude={"obs_num": "7"}
    )
    full = rule("M", select={"exp_type": "nrc_image"}, agree=["filter"])
    table = compare_rules(df, [without7], [full])
    assert set(table["change"]) == {"changed"}
    obs7 = df[(df["obs_num"] == "7") & (df["exp_type"] == "nrc_image")]
    gained = sorted(n for names in table["gained"] for n in names)
    assert [strip_suffix(n) for n in gained] == sorted(strip_suffix(f) for f in obs7["filename"])
    assert (table["lost"].map(len) == 0).all()
    assert (table["members_b"] - table["members_a"]).sum() == len(obs7)


# --------------------------------------------------------------------------- CLI


def test_cli_explain(capsys):
    path = str(pool_file("pool_001_candidates"))
    with warnings.catch_warnings():  # the pool's junk rows: a PoolWarning (or a CLI message)
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        assert main(["explain", path, "jw_00001_uncal.fits", "--rules", "level3"]) == 0
        out = capsys.readouterr().out
        assert "jw99009-o001_image3_00002_asn.json  candidate_Asn_Lv3Image  as science" in out
        assert "Asn_Lv3AMI: exp_type is 'nrc_image', needs 'nis_ami'" in out
        assert main(["explain", path, "nope.fits"]) == 2
        assert "'nope.fits' is not in pool_001_candidates.csv" in capsys.readouterr().err
        assert main(["explain", path, "--orphans"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == len(orphans(pool("pool_001_candidates")))
    assert main(["explain", path]) == 2


def test_wfss_direct_images_pool019():
    """Each Level 2 WFSS association uses one direct image (through its Level 3 products)."""
    df = pool("pool_019_niriss_wfss")
    directs = df[df["exp_type"] == "nis_image"]["filename"]
    assert len(directs) >= 2
    users: dict[str, list[str]] = {}
    others: dict[str, set[str]] = {}
    for name in directs:
        why = explain(df, name, version_id=VERSION)
        for r in why.results:
            if r.rule != "Asn_Lv2WFSSNIS":
                continue
            if r.outcome is Outcome.JOINED:
                assert r.exptype == "direct_image"
                users.setdefault(r.asn_file, []).append(name)
            else:
                assert r.outcome is Outcome.REMOVED and "uses another direct image" in r.reason
                others.setdefault(r.asn_file, set()).add(name)
    wfss = {
        f for f, kinds in _expected_roles("pool_019_niriss_wfss").items() if "direct_image" in kinds
    }
    assert set(users) == wfss
    for asn_file, names in users.items():
        assert len(names) == 1  # exactly one direct image per association
        assert others[asn_file] == set(directs) - set(names)


def _expected_roles(name: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in (EXPECTED / name).glob("*.json"):
        doc = json.loads(path.read_text())
        out[path.name] = {m["exptype"] for p in doc["products"] for m in p["members"]}
    return out


def test_candidate_selection_and_missing_file_names():
    df = pool("pool_001_candidates")
    df.loc[df.index[3], "filename"] = float(
        "nan"
    )  # a row without a file name does not break lookup
    why = explain(df, "jw_00021_uncal.fits", candidates=["c1000"], rules=dms_level3())
    assert {r.asn_file for r in why.joined} == {"jw99009-c1000_image3_00002_asn.json"}
    # the discovered and the other candidates' associations were not made in this run
    image = [r for r in why.results if r.rule == "Asn_Lv3Image"]
    assert all("c1000" in r.reason for r in image if r.outcome is not Outcome.NOT_MATCHED)


_EMPTY_TEXT = {"", "null", "--", "n", "f", "false", "n/a", "none", "nan"}


@pytest.mark.parametrize(
    "name", ["pool_018_all_exptypes", "pool_013_coron_nircam", "pool_024_nirspec_fss_nods"]
)
def test_reported_values_are_the_pool_values(name):
    """Every 'column is X, needs Y' states the row's real value, and X really fails Y."""
    df = pool(name)
    made = run(df, list(dms_rules()))
    checked = 0
    for row in range(len(df)):
        for r in made.results_for(row):
            if r.outcome is not Outcome.NOT_MATCHED or r.column not in df.columns:
                continue
            actual = df[r.column].iloc[row]
            if r.value is None:
                assert pd.isna(actual) or str(actual).lower() in _EMPTY_TEXT, (r, actual)
                continue
            assert str(r.value) == str(actual), (r, actual)
            required = r.required or ""
            if required.startswith("not ") and required != "not any value":
                assert re.fullmatch(required[4:], str(actual), re.IGNORECASE), r
            elif " or " not in required and "(" not in required and required != "no value":
                assert not re.fullmatch(required, str(actual), re.IGNORECASE), r
            checked += 1
    assert checked > len(df)


def test_unknown_candidate_warns_as_apply_rules():
    df = pool("pool_002_image_miri")
    with pytest.warns(asnkit.AssociationWarning, match="candidate 'o999' not found"):
        why = explain(df, "jw_00001_uncal.fits", candidates=["o999"])
    assert not why.taken


def test_repeated_file_names_mega_pool():
    """mega_pool merges pools: some file names are on two rows; row= picks one."""
    df = pool("mega_pool")
    name = "jw10005007001_02102_00001_nrca2_uncal.fits"
    labels = list(df.index[df["filename"] == name])
    assert len(labels) == 2
    first = explain(df, name, rules=dms_level3())
    assert first.row == labels[0] and str(labels[1]) in first.note
    assert first.note in str(first)
    second = explain(df, name, rules=dms_level3(), row=labels[1])
    assert second.row == labels[1] and not second.note
    with pytest.raises(KeyError, match="rows that do"):
        explain(df, name, row=0)


def test_fixing_the_reported_condition_makes_the_exposure_join():
    """Counterfactual check of jw_00044 (pool_018): give it the missing MSA metadata file."""
    df = pool("pool_018_all_exptypes")
    row = int(df.index[df["filename"] == "jw_00044_uncal.fits"][0])
    reported = {r.rule: r.column for r in explain(df, "jw_00044_uncal.fits").results}
    assert reported["Asn_Lv2NRSMSA"] == reported["Asn_Lv3SpectralSource"] == "msametfl"
    fixed = df.copy()
    fixed["msametfl"] = None
    fixed.loc[row, "msametfl"] = "jw99009044001_01_msa.fits"
    joined = {r.rule for r in explain(fixed, "jw_00044_uncal.fits").joined}
    assert joined == {"Asn_Lv2NRSMSA", "Asn_Lv3SpectralSource"}


_LITERAL = re.compile(r"[A-Za-z0-9_\-]+")


@pytest.mark.filterwarnings("ignore::asnkit.errors.PoolWarning")
def test_reported_condition_is_the_one_that_fails_pool018():
    """Counterfactual, for every distinct reported failure on a pool column in pool_018:
    give the row the value required and the rule no longer fails on that column."""
    df = pool("pool_018_all_exptypes")
    rules = {r.name: r for r in dms_rules()}
    made = run(df, list(rules.values()))
    seen = set()
    for row in range(len(df)):
        for r in made.results_for(row):
            if r.outcome is not Outcome.NOT_MATCHED or r.column not in df.columns:
                continue
            required = r.required or ""
            if required == "a value":
                new = "x1"
            elif required == "no value":
                new = None
            elif all(_LITERAL.fullmatch(a) for a in required.split("|")):
                new = required.split("|")[0]
            else:
                continue
            key = (r.rule, r.column, required)
            if key in seen:
                continue
            seen.add(key)
            one = df.iloc[[row]].astype(object)
            one.attrs = dict(df.attrs)
            one.iloc[0, one.columns.get_loc(r.column)] = new
            after = run(one, [rules[r.rule]]).results_for(0)
            assert not any(
                x.outcome is Outcome.NOT_MATCHED and x.column == r.column for x in after
            ), (row, r, after)
    assert len(seen) > 50


@pytest.mark.filterwarnings("ignore::asnkit.errors.AssociationWarning")
@pytest.mark.parametrize("name", ["pool_008_exposerr", "pool_033_wfs_jitter"])
def test_orphan_reasons_do_not_depend_on_the_name_of_a_condition(name):
    """Regression: orphans ranked "dropped for lack of science" by the reason's text ending
    in "(has_science)"; with that condition renamed, 29 orphans of these pools got another
    rule's reason."""
    from asnkit.rules import predicates as p

    renamed = dataclasses.replace(p.has_science, name="needs_a_science_member")

    def swapped(validity: tuple) -> tuple:
        return tuple(renamed if check is p.has_science else check for check in validity)

    rules = [dataclasses.replace(r, validity=swapped(r.validity)) for r in dms_rules()]
    assert sum(renamed in r.validity for r in rules) > 10
    want = orphans(_pool(name))
    got = orphans(_pool(name), rules=rules)
    columns = ["filename", "rule", "outcome", "column", "value", "required"]
    pd.testing.assert_frame_equal(got[columns], want[columns])
    assert (got["reason"] == want["reason"].str.replace("has_science", renamed.name)).all()
