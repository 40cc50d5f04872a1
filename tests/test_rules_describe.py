"""Rules describe themselves: nothing depends on a rule's name; conditions explain themselves."""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.generation.run import run
from asnkit.rules import DirectImage, Finalize, dms_rules
from asnkit.rules import predicates as p
from asnkit.rules.custom import derive, dms_rule, rule
from tests.helpers import pool_file, pool_names
from tests.test_engine import _mixed_pool


def read(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asnkit.read_pool(pool_file(name))


def renamed(rules, suffix: str = "_Renamed") -> list:
    return [dataclasses.replace(r, name=r.name + suffix) for r in rules]


def documents(asns, drop_rule: bool = True) -> list:
    """(file name, document) pairs; the rule name (asn_rule) and code version left out."""
    out = []
    for asn in asns:
        doc = asn.to_dict()
        doc.pop("code_version")
        if drop_rule:
            doc.pop("asn_rule")
            doc["constraints"] = None  # lists no rule name, but stays out of the comparison
        out.append((asn.filename, repr(doc)))
    return sorted(out)


# --------------------------------------------------------------------------- the reproducer


def _parallel_pool() -> pd.DataFrame:
    """pool_019 with every exposure also in a direct-image candidate c1000 (pure parallels)."""
    pool = read("pool_019_niriss_wfss")
    pool["asn_candidate"] = [
        text[:-1] + ", ('c1000', 'direct_image')]" if isinstance(text, str) else text
        for text in pool["asn_candidate"]
    ]
    return pool


def test_derived_parallel_wfss_rule_makes_what_the_original_makes():
    """Regression (issue 13): the derived rule made 0 associations, the original 12."""
    pool = _parallel_pool()
    original = dms_rule("Asn_Lv2WFSSParallel")
    mine = derive(original, "MyParallel")
    a = asnkit.apply_rules(pool, [original], version_id="v1")
    b = asnkit.apply_rules(pool, [mine], version_id="v1")
    assert len(a) == len(b) == 12
    assert documents(a) == documents(b)
    assert {x.asn_rule for x in b} == {"candidate_MyParallel"}
    slow = run(pool, [mine], version_id="v1", shortcuts=False).associations()
    assert documents(slow) == documents(b)


def test_the_direct_image_choice_is_a_field_of_the_rule():
    pool = _parallel_pool()
    original = dms_rule("Asn_Lv2WFSSParallel")
    assert original.direct_image is DirectImage.LONG_CHANNEL
    closest = dataclasses.replace(original, direct_image=DirectImage.CLOSEST)
    assert "direct image: long channel" in original.describe()
    a = asnkit.apply_rules(pool, [original])
    b = asnkit.apply_rules(pool, [closest])
    assert len(a) == len(b)  # the same science, another catalog for some
    assert all(r.direct_image is DirectImage.CLOSEST for r in dms_rules() if r is not original)


# --------------------------------------------------------------------------- names change nothing


@pytest.mark.filterwarnings("ignore::asnkit.errors.AssociationWarning")
@pytest.mark.parametrize("name", [n for n in pool_names() if n != "mega_pool"])
def test_renaming_every_dms_rule_changes_no_association(name):
    pool = read(name)
    want = asnkit.generate(pool, version_id="v1")
    got = asnkit.generate(pool, renamed(dms_rules()), version_id="v1")
    assert documents(got) == documents(want)
    assert all(a.asn_rule.endswith("_Renamed") for a in got)


_CUSTOM = [
    rule("Mosaic", select={"exp_type": ["nrc_image", "mir_image"]}, agree=["filter", "pupil"]),
    rule("PerObs", select={"exp_type": "nrs_fixedslit|nrs_msaspec"}, scope="observation"),
    rule("PerCandidate", agree=["exp_type"], scope="candidate", acquisitions=True),
    derive(dms_rule("Asn_Lv3Image"), "WideImage", ignore=["obs_num", "target"]),
    derive(dms_rule("Asn_Lv3SpectralSource"), "AnySource", ignore=["target"]),
    derive(dms_rule("Asn_Lv2Spec"), "Lv2SpecAnyCandidate", scope="candidate"),
]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_shortcuts_change_nothing_for_custom_derived_and_renamed_rules(data):
    """The pre-checks, the index and the candidate-type skips give what checking everything gives,
    for custom rules, derived rules and every DMS rule under another name."""
    pool = _mixed_pool()
    rows = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=50, unique=True))
    sub = pool.iloc[rows].reset_index(drop=True)
    sub.attrs = dict(pool.attrs)
    rules = [*_CUSTOM, *renamed(dms_rules())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = run(sub, rules)
        slow = run(sub, rules, shortcuts=False)
    assert documents(fast.associations(), drop_rule=False) == documents(
        slow.associations(), drop_rule=False
    )
    assert fast.taken_rows() == slow.taken_rows()


# --------------------------------------------------------------------------- conditions


def _conditions():
    out = set()
    for r in [*dms_rules(), *_CUSTOM]:
        out.update(r.validity)
        out.add(r.exposure_type)
        stack = [r.constraints]
        while stack:
            node = stack.pop()
            children = getattr(node, "children", None)
            if children is not None:
                stack.extend(children)
                continue
            for key in ("source", "test", "onlyif", "value"):
                value = getattr(node, key, None)
                if isinstance(value, p.Condition):
                    out.add(value)
    return out


def test_every_condition_of_the_rule_sets_is_a_frozen_object_that_explains_itself():
    conditions = _conditions()
    assert len(conditions) > 25
    for condition in conditions:
        assert isinstance(condition, p.Condition), condition
        assert condition.text and repr(condition) == condition.name, condition
        with pytest.raises(dataclasses.FrozenInstanceError):
            condition.name = "x"  # type: ignore[misc]
        hash(condition)


def test_validity_checks_say_why_an_association_is_dropped():
    for check in {v for r in [*dms_rules(), *_CUSTOM] for v in r.validity}:
        assert check.failure(), check


def test_candidate_types_the_rules_keep_come_from_their_validity():
    rules = {r.name: r for r in dms_rules()}
    assert rules["Asn_Lv2Image"].keeps_candidate_type("observation")
    assert rules["Asn_Lv2Image"].keeps_candidate_type("background")
    assert not rules["Asn_Lv2Image"].keeps_candidate_type("mosaic")
    assert not rules["Asn_Lv2Image"].keeps_candidate_type("discovered")
    assert rules["Asn_Lv2WFSSParallel"].keeps_candidate_type("direct_image")
    assert rules["Asn_Lv3ImageMosaic"].keeps_candidate_type("mosaic")
    assert not rules["Asn_Lv3ImageMosaic"].keeps_candidate_type("discovered")
    assert not rules["Asn_Lv3WFSCMB"].keeps_candidate_type("group")
    assert rules["Asn_Lv3Image"].keeps_candidate_type("discovered")
    pool_wide = rule("X", select={"exp_type": "nrc_image"})
    assert pool_wide.keeps_candidate_type("discovered")
    assert not pool_wide.keeps_candidate_type("observation")


def test_plain_functions_still_work_as_conditions():
    """A user's own function (no explanation) is called like a condition object."""

    def is_nircam(member, asn):
        return member["item"].get("instrume") == "nircam"

    mine = dataclasses.replace(
        rule("NircamOnly", select={"exp_type": "nrc_image"}),
        validity=(p.has_science, is_nircam),
        finalize=Finalize.DEFAULT,
    )
    assert "validity: has_science, is_nircam" in mine.describe()
    assert mine.keeps_candidate_type("observation")  # unknown: assumed possible
    assert len(asnkit.apply_rules(read("pool_001_candidates"), [mine])) > 0
