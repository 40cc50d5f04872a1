"""The rule model: frozen declarative objects, readable reprs, factories, DMS rule sets."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnkit
from asnkit.rules import (
    Attr,
    Finalize,
    Group,
    Reduce,
    Rule,
    Test,
    WorkOver,
    all_of,
    any_of,
    attr,
    dms_level2b,
    dms_level3,
    dms_rules,
    none_of,
    not_all,
)
from asnkit.rules import predicates as p
from asnkit.rules import test as make_test
from asnkit.rules.model import value_matches
from asnkit.rules.naming import product_name_default
from asnkit.rules.patterns import text_shape
from tests.helpers import pool_file

LEVEL3 = [
    "Asn_Lv3ACQ_Reprocess",
    "Asn_Lv3AMI",
    "Asn_Lv3Image",
    "Asn_Lv3ImageBackground",
    "Asn_Lv3ImageMosaic",
    "Asn_Lv3MIRCoron",
    "Asn_Lv3MIRMRS",
    "Asn_Lv3MIRMRSBackground",
    "Asn_Lv3NRCCoron",
    "Asn_Lv3NRCCoronImage",
    "Asn_Lv3NRSFSS",
    "Asn_Lv3NRSIFU",
    "Asn_Lv3NRSIFUBackground",
    "Asn_Lv3SlitlessSpectral",
    "Asn_Lv3SpecAux",
    "Asn_Lv3SpectralSource",
    "Asn_Lv3SpectralTarget",
    "Asn_Lv3TSO",
    "Asn_Lv3WFSCMB",
    "Asn_Lv3WFSSMIR",
    "Asn_Lv3WFSSNIS",
    "Asn_Lv3WFSSNRC",
]
LEVEL2 = [
    "Asn_Lv2CoronAsRate",
    "Asn_Lv2FGS",
    "Asn_Lv2Image",
    "Asn_Lv2ImageNonScience",
    "Asn_Lv2ImageSpecial",
    "Asn_Lv2ImageTSO",
    "Asn_Lv2MIRLRSFixedSlitNod",
    "Asn_Lv2NRSFSS",
    "Asn_Lv2NRSIFUNod",
    "Asn_Lv2NRSLAMPImage",
    "Asn_Lv2NRSLAMPSpectral",
    "Asn_Lv2NRSMSA",
    "Asn_Lv2Spec",
    "Asn_Lv2SpecImprint",
    "Asn_Lv2SpecSpecial",
    "Asn_Lv2SpecTSO",
    "Asn_Lv2WFSC",
    "Asn_Lv2WFSSMIR",
    "Asn_Lv2WFSSNIS",
    "Asn_Lv2WFSSNRC",
    "Asn_Lv2WFSSParallel",
    "Asn_MIRLRSTAConfirm",
]


def test_dms_rule_sets_in_registry_order():
    assert [r.name for r in dms_level3()] == LEVEL3
    assert [r.name for r in dms_level2b()] == LEVEL2
    assert [r.name for r in dms_rules()] == LEVEL2 + LEVEL3
    assert {r.level for r in dms_level3()} == {3}
    assert {r.level for r in dms_level2b()} == {2}


def test_rule_sets_are_cached_and_immutable():
    assert dms_level3() is dms_level3()
    rule = dms_level3()[2]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.asn_type = "spec3"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.constraints.children[0].name = "x"


def test_asnkit_rules_is_the_public_entry_point():
    assert asnkit.rules.dms_level3 is dms_level3
    assert "dms_rules" in asnkit.rules.__all__


def test_attr_factory_and_repr():
    node = attr("FILTER", "band", name="opt_elem", required=False)
    assert isinstance(node, Attr)
    assert node.sources == ("filter", "band")  # columns are lower case
    assert repr(node) == "attr('filter', 'band', name='opt_elem', required=False)"
    assert attr("exp_type", value=["a", "b"]).value == ("a", "b")
    with pytest.raises(ValueError, match="at least one column"):
        attr()


def test_attr_repr_names_callables_and_enums():
    node = attr(
        "targetid",
        onlyif=p.is_science_exposure,
        force_reprocess=WorkOver.EXISTING,
        only_on_match=True,
    )
    assert repr(node) == (
        "attr('targetid', onlyif=is_science_exposure, force_reprocess=EXISTING, only_on_match=True)"
    )
    assert "0x" not in repr(dms_level3())  # no memory addresses anywhere


def test_test_factory_and_repr():
    node = make_test(True, test=p.valid_nrsfss, force_unique=False)
    assert isinstance(node, Test)
    assert repr(node) == "test(value=True, test=valid_nrsfss, force_unique=False)"


def test_groups():
    a, b = attr("a"), attr("b")
    assert all_of(a, b).reduce is Reduce.ALL
    assert any_of(a, b).reduce is Reduce.ANY
    assert none_of(a).reduce is Reduce.NOT_ANY
    assert not_all(a, b).reduce is Reduce.NOT_ALL
    group = all_of(a, any_of(b), name="g", work_over=WorkOver.EXISTING)
    assert isinstance(group, Group)
    assert repr(group) == "all_of(attr('a'), any_of(attr('b')), name='g', work_over=EXISTING)"
    with pytest.raises(TypeError, match="not a constraint"):
        all_of(a, "program")


def test_equal_rules_compare_equal():
    assert attr("program", name="program") == attr("program", name="program")
    assert hash(attr("program")) == hash(attr("program"))
    assert dms_level3()[2].constraints == dms_level3()[2].constraints


def test_rule_repr_and_describe():
    image = dms_level3()[2]
    assert repr(image) == "Rule('Asn_Lv3Image', level=3, asn_type='image3')"
    text = image.describe()
    assert text.startswith("Asn_Lv3Image (Level 3, asn_type image3, finalize multi_obs)")
    assert "attr('exp_type', name='exp_type', value='nrc_image|mir_image" in text
    assert "product name: product_name_default" in text


def test_custom_rule_applies(tmp_path):
    """A rule written by a user with the public factories makes associations."""
    rule = Rule(
        name="My_MIRI_Images",
        level=3,
        asn_type="image3",
        constraints=all_of(
            attr("program", name="program"),
            attr("instrume", name="instrument"),
            attr("exp_type", name="exp_type", value="mir_image"),
            attr("filter", name="opt_elem"),
        ),
        exposure_type=p.exposure_type_level3,
        product_name=product_name_default,
        finalize=Finalize.DEFAULT,
        validity=(p.has_science,),
    )
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    asns = asnkit.apply_rules(pool, [rule], version_id="v1")
    # the discovered association has the same members: pruned, the candidate one wins
    assert [a.filename for a in asns] == ["jw99009-o001_v1_image3_00001_asn.json"]
    (asn,) = asns
    assert asn["asn_rule"] == "candidate_My_MIRI_Images"
    assert asn["products"][0]["name"] == "jw99009-o001_t000_miri_f560w"
    assert len(asn["products"][0]["members"]) == len(pool)
    (found,) = asnkit.apply_rules(pool, [rule], all_candidates=False)
    assert found.filename == "jw99009-a3001_image3_00001_asn.json"
    assert found["asn_rule"] == "discover_My_MIRI_Images"


# --------------------------------------------------------------------------- value_matches
# Text patterns are compared without a regular expression; the meaning must be the
# reference's, re.match("^" + pattern + "$", value, re.IGNORECASE), quirks included.

_PATTERN_CHARS = st.sampled_from([*"abAB1_-|\\.* \n", "é", "K", "\\-", "\\|", "\\."])
_VALUE_CHARS = st.sampled_from([*"abAB1_-|\\.* \n", "é", "K"])


def _reference(value: str, pattern: str) -> bool:
    return re.match("^" + pattern + "$", value, flags=re.IGNORECASE) is not None


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("NRC_IMAGE", "nrc_image", True),
        ("nrc_image\n", "nrc_image", True),  # $ matches before a final newline
        ("nrc_imagex", "nrc_image", False),
        ("nrc_imagex", "nrc_image|mir_image", True),  # ^a|b$: a is only anchored at the start
        ("mir_imagex", "nrc_image|mir_image", False),
        ("jw00623-o001", "jw00623\\-o001", True),  # a pinned (escaped) value
        ("jw00623ao001", "jw00623.o001", True),  # a real regular expression
        ("\u212a", "k", True),  # Unicode case folding: the Kelvin sign is a K
    ],
)
def test_value_matches_examples(value, pattern, expected):
    assert value_matches(value, pattern) is expected
    assert _reference(value, pattern) is expected


def _same_as_reference(value: str, pattern: str) -> bool:
    """Assert value_matches gives the reference's answer (or its error); False on an error."""
    try:
        expected = _reference(value, pattern)
    except re.error:
        with pytest.raises(re.error):
            value_matches(value, pattern)
        return False
    assert value_matches(value, pattern) is expected
    return True


@given(
    st.lists(_VALUE_CHARS, max_size=6).map("".join),
    st.lists(_PATTERN_CHARS, max_size=6).map("".join),
)
def test_value_matches_means_the_reference_regular_expression(value, pattern):
    if _same_as_reference(value, pattern):
        assert value_matches(value, (pattern, "zz")) is _reference(value, pattern)


_SHAPED_TEXT = st.lists(st.sampled_from([*"aB1_ |\n", "\\|", "\\.", "\\(", "é"]), max_size=4)


@st.composite
def _shaped_patterns(draw) -> str:
    """Patterns of the shapes compared as text (and near misses): (a|b), .+(a|b).+, .+a.+."""
    alternatives = draw(st.lists(_SHAPED_TEXT.map("".join), min_size=1, max_size=3))
    body = "|".join(alternatives)
    group = draw(st.booleans())
    if group:
        body = "(" + body + ")"
    if draw(st.booleans()):
        body = ".+" + body + ".+"
    return body + draw(st.sampled_from(["", "", "+", ")", "(", ".+", "."]))


@given(st.lists(st.sampled_from([*"aAbB1_ |\n\r.()", "é", "\u212a"]), max_size=8).map("".join),
       _shaped_patterns())  # fmt: skip
def test_value_matches_group_and_inside_patterns_mean_the_regular_expression(value, pattern):
    _same_as_reference(value, pattern)


@pytest.mark.parametrize(
    ("pattern", "shape"),
    [
        ("(34|35)", ("group", ("34", "35"))),
        (".+(C1000).+", ("inside", ("c1000",))),
        (".+wfsc.+", ("inside", ("wfsc",))),
        ("nrc_image|mir_image", ("top", ("nrc_image", "mir_image"))),
        (".+a|b.+", None),  # the bar splits the whole pattern
        ("(a)(b)", None),
        ("((?!wfsc).)*", None),
        (".+(a\\\n).+", None),  # a literal newline where .+ cannot match one
    ],
)
def test_text_shape(pattern, shape):
    assert text_shape(pattern) == shape


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("35", "(34|35)", True),
        ("35\n", "(34|35)", True),  # $ before a final newline
        ("345", "(34|35)", False),
        ("[('c1000', 'mosaic')]", ".+(c1000).+", True),
        ("c1000]", ".+(c1000).+", False),  # .+ needs a character before
        ("[c1000", ".+(c1000).+", False),  # ... and after
        ("[c1000]\n", ".+(c1000).+", True),
        ("[\nc1000]", ".+(c1000).+", False),  # . never matches a newline
        ("ab", ".+().+", True),
        ("a", ".+().+", False),
    ],
)
def test_value_matches_shaped_examples(value, pattern, expected):
    assert _reference(value, pattern) is expected
    assert value_matches(value, pattern) is expected


def test_value_matches_refuses_what_the_regular_expression_refuses():
    with pytest.raises(TypeError):  # a str pattern on bytes
        value_matches(b"abc", "abc")
