"""The DMS vocabulary (asnkit.dms): one definition of each fact, used the same way everywhere."""

from __future__ import annotations

import ast
import string
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnkit
from asnkit import dms
from asnkit.dms.candidates import parse_candidates
from asnkit.dms.members import level2_name, level3_name
from asnkit.dms.names import exposure_key, is_junk_name, junk_rows, strip_suffix
from asnkit.dms.values import evaluate, is_empty, natural_key
from asnkit.documents.build import exposure_role, to_association
from asnkit.rules.custom import dms_rule
from tests.helpers import EXPECTED, pool_file


def read(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asnkit.PoolWarning)
        return asnkit.read_pool(pool_file(name))


# --------------------------------------------------------------------------- empty values


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        (None, True),
        (np.nan, True),
        (pd.NA, True),
        ("", True),
        ("NULL", True),
        (" n/a ", True),
        ("False", True),
        ("F", True),
        ("--", True),
        ("None", False),  # jwst's _EMPTY has no "none": such an exposure error is an error
        ("nan", False),
        ("0", False),
        ("t", False),
        ("some error", False),
    ],
)
def test_is_empty_is_jwsts_empty(value, empty):
    assert is_empty(value) is empty


@pytest.mark.parametrize("exposerr", ["None", "bad pixels", "NULL", "n/a", None])
def test_generated_and_hand_built_documents_agree_on_degraded_status(exposerr):
    """Regression (issue 13): exposerr "None" made generate say degraded and to_association not."""
    pool = read("pool_002_image_miri")
    pool["exposerr"] = exposerr
    generated = [a for a in asnkit.generate(pool) if a.asn_type == "image3"]
    assert generated
    built = to_association(pool, asn_type="image3")
    want = dms.DEGRADED_OK if is_empty(exposerr) else dms.DEGRADED_NOTOK
    assert {a.degraded_status for a in generated} == {want}
    assert built.degraded_status == want


# --------------------------------------------------------------------------- junk rows


def test_one_junk_row_definition():
    """read_pool, summary, candidates, to_association and the sky views skip the same rows."""
    from asnkit.sky.schematic import is_junk

    pool = read("pool_001_candidates")
    junk = junk_rows(pool["filename"])
    assert 0 < junk.sum() < len(pool)
    assert (is_junk(pool).to_numpy() == junk).all()
    assert asnkit.summary(pool, by=[])["exposures"].iloc[0] == len(pool) - junk.sum()
    science = pool[[exposure_role(r) == "science" for r in pool.to_dict(orient="records")]]
    built = to_association(science, asn_type="image3", check=False)
    assert not any(is_junk_name(m.expname) for m in built.members())


# --------------------------------------------------------------------------- names


_STEM = st.text(string.ascii_lowercase + string.digits + "_", min_size=1, max_size=20).filter(
    lambda s: not s.startswith("_") and not s.endswith("_")
)


@given(stem=_STEM, suffix=st.sampled_from(["uncal", "rate", "cal", "calints", "x1d", "i2d"]))
def test_member_names_reduce_to_the_exposure(stem, suffix):
    raw = f"jw{stem}_uncal.fits"
    key = exposure_key(raw)
    for name in (
        level2_name(raw),
        level2_name(raw, integrations=True),
        level3_name(raw, exp_type="nrc_image"),
        level3_name(raw, exp_type="mir_mrs", role="background"),
        f"data/JW{stem.upper()}_{suffix.upper()}.FITS",
    ):
        assert exposure_key(name) == key
        assert strip_suffix(name).lower() == key


def test_level3_names_follow_the_dms():
    assert level3_name("a_uncal.fits", exp_type="nrc_image") == "a_cal.fits"
    assert level3_name("a_uncal.fits", exp_type="nrc_coron", integrations=True) == (
        "a_calints.fits"
    )
    assert level3_name("a_uncal.fits", exp_type="nrc_dark") == "a_rate.fits"
    assert level3_name("a_uncal.fits", exp_type="mir_mrs", role="background") == "a_x1d.fits"
    assert level3_name("a_uncal.fits", role="background", background_x1d=False) == "a_cal.fits"
    assert level3_name("a_rate.fits", exp_type="nrc_image") == "a_rate.fits"


@given(st.lists(st.text(string.ascii_lowercase + string.digits + " _", max_size=8), max_size=12))
def test_natural_key_orders_numbers_by_value(values):
    ordered = sorted(values, key=natural_key)
    numbers = [float(v) for v in ordered if v.strip().isdigit()]
    assert numbers == sorted(numbers)
    assert [natural_key(v) for v in sorted(reversed(values), key=natural_key)] == [
        natural_key(v) for v in ordered
    ]


# --------------------------------------------------------------------------- candidates


def _jwst_reading(text: str):
    """jwst 3.0.0 ``ids_by_ctype`` for one value: its pairs, or None when it skips the value."""
    try:
        evaled = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        evaled = text
    if isinstance(evaled, int) and not isinstance(evaled, bool):
        return ((str(evaled), "unknown"),)
    try:
        return tuple((cid, ctype) for cid, ctype in evaled)
    except (ValueError, TypeError):
        return None


_ID = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)
_PAIR = st.tuples(_ID, st.sampled_from(["observation", "background", "mosaic", "group"]))


@st.composite
def _candidate_text(draw):
    kind = draw(st.sampled_from(["list", "int", "junk"]))
    if kind == "list":
        pairs = draw(st.lists(_PAIR, max_size=3))
        quote = draw(st.sampled_from(["'", '"']))
        text = ", ".join(f"({quote}{a}{quote}, {quote}{b}{quote})" for a, b in pairs)
        return f"[{text}]"
    if kind == "int":
        return draw(st.from_regex(r"[+-]?[0-9]{1,5}", fullmatch=True))
    return draw(st.text(string.printable, max_size=15))


@given(_candidate_text())
def test_candidates_are_read_as_jwst_reads_them(text):
    """One parser: what it accepts, jwst reads the same way; what it rejects, jwst skips."""
    jwst = _jwst_reading(text)
    try:
        pairs = parse_candidates(text)
    except ValueError:
        assert jwst is None or not all(
            isinstance(c, str) and isinstance(t, str) for c, t in jwst
        ), (text, jwst)
        return
    if text.strip().lower() in ("", "null"):
        assert pairs == ()
    else:
        assert pairs == jwst, (text, jwst)


def test_leading_zeros_are_no_integer_candidate():
    assert _jwst_reading("007") is None
    with pytest.raises(ValueError, match="leading zeros"):
        parse_candidates("007")
    assert parse_candidates("7") == (("7", "unknown"),)


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    "name", ["pool_018_all_exptypes", "pool_013_coron_nircam", "pool_010_spec_nirspec_lv2bkg"]
)
def test_hand_built_roles_are_the_generated_roles(name):
    """Members of Level 3 rules that keep an exposure's own role have exposure_role's role."""
    from asnkit.rules import dms_level3
    from asnkit.rules import predicates as p

    own = {
        r.name
        for r in dms_level3()
        if r.exposure_type is p.exposure_type_level3 and r.finalize.value == "multi_obs"
    }
    pool = read(name)
    records = pool.to_dict(orient="records")
    rows = {exposure_key(f): r for f, r in zip(pool["filename"], records, strict=True)}
    checked = 0
    for asn in asnkit.generate(pool, dms_level3()):
        if asn.asn_rule.split("_", 1)[1] not in own:
            continue
        for member in asn.members():
            assert exposure_role(rows[exposure_key(member.expname)]) == member.exptype
            checked += 1
    assert checked > 5


# --------------------------------------------------------------------------- hand-built = generated

_EXPECTED_POOLS = sorted(p.name for p in EXPECTED.iterdir() if p.is_dir())


@pytest.mark.filterwarnings("ignore::asnkit.errors.AssociationWarning")
@pytest.mark.parametrize("name", _EXPECTED_POOLS)
def test_to_association_with_the_rule_names_products_as_generation(name):
    """Regression (issue 13): rebuilding a generated Level 3 association with to_association
    gave another product name (``_miri`` vs ``_miri_clear`` for MRS, the slit twice on
    pool_018). Given the rule, the rows of every generated Level 3 association of every shared
    pool give the same product name, roles and degraded status."""
    pool = read(name)
    made = asnkit.run(pool, version_id="20250101t000000")
    rules = {r.name: r for r in made.rules}
    frame = made.to_frame()
    joined = frame[frame["fate"] == "joined"]
    checked = 0
    for asn in made.associations().by_level(3):
        rows = pool.loc[joined.loc[joined["association"] == asn.filename, "row"].unique()]
        rule = rules[asn.asn_rule.split("_", 1)[1]]
        built = to_association(rows, rule=rule, asn_id=asn.asn_id, check=False)
        assert built.product_names == asn.product_names, asn.filename
        assert built.degraded_status == asn.degraded_status
        assert built.asn_type == asn.asn_type and built.asn_rule == asn.asn_rule
        if rule.finalize.value != "fixedslit_bkg":  # finalize adds x1d backgrounds there
            assert built.roles == asn.roles, asn.filename
        checked += 1
    assert checked or not any(a.level == 3 for a in made.associations())


def test_mrs_product_name_needs_the_rule():
    pool = read("pool_007_spec_miri")
    mrs = pool[pool["exp_type"] == "mir_mrs"]
    plain = to_association(mrs, asn_type="spec3", asn_id="o001")
    ruled = to_association(mrs, rule=dms_rule("Asn_Lv3MIRMRS"), asn_id="o001")
    assert ruled.product_names == ["jw99009-o001_t001_miri"]
    assert plain.product_names != ruled.product_names  # the generic DMS name has the opt_elem
    assert ruled.asn_rule == "candidate_Asn_Lv3MIRMRS" and ruled.asn_type == "spec3"


# --------------------------------------------------------------------------- file names

_ID = st.from_regex(r"[a-z][0-9]{3,5}", fullmatch=True)


@given(
    program=st.integers(0, 99999),
    asn_id=_ID,
    asn_type=st.sampled_from(["image2", "image3", "spec3", "tso-image2", "wfs-image3"]),
    sequence=st.integers(1, 99999),
    version_id=st.none() | st.from_regex(r"[a-z0-9]{1,32}", fullmatch=True),
)
def test_association_file_names_read_back(program, asn_id, asn_type, sequence, version_id):
    """parse_asn_filename is asn_filename's inverse (one definition of the name's parts)."""
    name = dms.asn_filename(program, asn_id, asn_type, sequence, version_id=version_id)
    parts = dms.names.parse_asn_filename(name)
    assert parts == {
        "program": dms.format_program(program),
        "asn_id": asn_id,
        "version_id": version_id,
        "asn_type": asn_type,
        "sequence": sequence,
    }
    assert dms.names.parse_asn_filename(name.replace("_asn.json", ".json")) is None


@pytest.mark.parametrize("character", ["\x00", "\n", "\x7f", "\x85", "\u2028"])
def test_written_file_names_and_identifiers_refuse_the_same_control_characters(character):
    from asnkit.atomic import file_name_problem
    from asnkit.dms.identifiers import control_characters, member_name_problem

    name = f"jw_00001{character}_asn.json"
    assert control_characters(name) == [character]
    assert "control character" in file_name_problem(name)
    assert "control character" in member_name_problem(name)


# --------------------------------------------------------------------------- remove_suffix
# Cut without jwst's regular expression; the result must be the expression's.
_STEM_PIECES = st.sampled_from(
    ["jw01", "_", "-", "x", "A", "rate", "RATE", "cal", "ami", "ami-oi", "oi", "\n", "é", "nrca1"]
)


def _suffix_by_expression(stem: str) -> str:
    import re

    from asnkit.dms.names import SUFFIXES

    expression = "^(?P<root>.+?)((?P<sep>_|-)(" + "|".join(SUFFIXES) + "))?$"
    match = re.match(expression, stem, flags=re.IGNORECASE)
    return match.group("root") if match else stem


@pytest.mark.parametrize(
    ("stem", "root"),
    [
        ("jw00001001001_01101_00001_nrca1_rate", "jw00001001001_01101_00001_nrca1"),
        ("jw00001001001_01101_00001_nrca1-CAL", "jw00001001001_01101_00001_nrca1"),
        ("x_ami-oi", "x"),  # a suffix with a separator in it
        ("x_rate_cal", "x_rate"),  # only one suffix goes
        ("_rate", "_rate"),  # the root is never empty
        ("rate", "rate"),
        ("_" * 10_000 + "x_cal", "_" * 10_000 + "x"),  # only the end can be a suffix
        ("x" + "_" * 10_000, "x" + "_" * 10_000),
    ],
)
def test_remove_suffix_examples(stem, root):
    assert dms.remove_suffix(stem) == root == _suffix_by_expression(stem)


@given(st.lists(_STEM_PIECES, max_size=8).map("".join))
def test_remove_suffix_means_jwst_expression(stem):
    assert dms.remove_suffix(stem) == _suffix_by_expression(stem)


@given(
    st.lists(st.sampled_from(["a", ".", "/", "x_cal", ".fits", "..", " "]), max_size=6).map("".join)
)
def test_path_helpers_mean_pathlib(path):
    from pathlib import PurePosixPath

    from asnkit.dms.names import path_name, without_extension

    posix = PurePosixPath(path)
    assert path_name(path) == posix.name
    assert without_extension(path) == str(posix.parent / posix.stem)  # jwst's product stem


@given(st.lists(st.sampled_from(["[", "]", "(", ")", "'", "', '", "o001", "c_1", "Ab", "", " ", ",",
                                 "\\", '"', "é", "\n"]), max_size=9).map("".join))  # fmt: skip
def test_evaluate_reads_candidate_texts_as_literal_eval_does(text):
    try:
        expected = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        expected = text
    got = evaluate(text)
    assert got == expected and type(got) is type(expected)
    if isinstance(got, list) and got:
        assert [type(x) for x in got] == [type(x) for x in expected]


@pytest.mark.parametrize(
    "text",
    ["[('o001', 'observation')]", "('c1000', 'mosaic')", "[('', '')]", "[('o001', 'observation')",
     "('o001', 'observation')]", "[('o001', 'observation'), ('c1', 'x')]", "[('o 1', 'x')]"],
)  # fmt: skip
def test_evaluate_candidate_examples(text):
    try:
        expected = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        expected = text
    assert evaluate(text) == expected
