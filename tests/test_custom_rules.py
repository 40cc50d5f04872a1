"""Custom rules (asnkit.rules.custom): rule(), derive(), dms_rule(), on real pools."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.dms.names import strip_suffix
from asnkit.rules.custom import NameTemplate, Scope, derive, dms_rule, rule
from asnkit.rules.transform import leaf_keys
from tests.helpers import pool_file

VERSION = "20250101t000000"


@pytest.fixture(scope="module")
def pool001() -> pd.DataFrame:
    return asnkit.read_pool(pool_file("pool_001_candidates"))


def _nircam_images(pool: pd.DataFrame) -> pd.DataFrame:
    exp = pool["exp_type"].str.lower()
    return pool[(pool["instrume"].str.lower() == "nircam") & (exp == "nrc_image")]


def _member_stems(asn) -> set[str]:
    return {strip_suffix(m.expname).lower() for m in asn.members()}


def _stems(frame: pd.DataFrame) -> set[str]:
    return {strip_suffix(f).lower() for f in frame["filename"]}


# --------------------------------------------------------------------------- the five-line mosaic


def test_cross_observation_mosaic_in_five_lines(pool001):
    # --- the rule, as a user writes it (<= 5 lines) ---
    mosaic = rule(
        "NircamMosaic", "image3", agree=["filter", "pupil"],
        select={"instrume": "nircam", "exp_type": "nrc_image"},
    )  # fmt: skip
    asns = pool001.asn.apply_rules([mosaic])
    # --- checked against the pool itself ---
    images = _nircam_images(pool001)
    groups = images.groupby(["pupil", "filter"])
    assert len(asns) == groups.ngroups == 2
    by_product = {a.product_names[0]: a for a in asns}
    for (pupil, filt), rows in groups:
        name = f"jw99009-a3001_t000_nircam_{pupil.lower()}-{filt.lower()}"
        asn = by_product[name]
        assert asn.asn_type == "image3"
        assert asn.asn_rule == "discover_NircamMosaic"
        assert _member_stems(asn) == _stems(rows)
        assert {m.exptype for m in asn.members()} == {"science"}
        # all seven observations in one association
        assert set(rows["obs_num"]) == set(images["obs_num"])
    counts = {name.rsplit("_", 1)[1]: len(a.members()) for name, a in by_product.items()}
    assert counts == {"clear-f090w": 56, "clear-f277w": 14}
    assert len(images["obs_num"].unique()) == 7


def test_dms_candidates_keep_observations_apart(pool001):
    """The DMS image rule's candidate associations never span observations."""
    asns = pool001.asn.apply_rules([dms_rule("Asn_Lv3Image")], discover=False)
    stems = pool001["filename"].map(lambda f: strip_suffix(f).lower())
    obs_of = dict(zip(stems, pool001["obs_num"], strict=True))
    for asn in asns.by_asn_id(*[f"o{n:03d}" for n in range(1, 8)]):
        assert len({obs_of[s] for s in _member_stems(asn)}) == 1
    assert max(len(a.members()) for a in asns) < 56


def test_derived_rule_matches_custom_rule(pool001):
    mosaic = rule("NircamMosaic", agree=["filter", "pupil"], select={"exp_type": "nrc_image"})
    wide = derive(dms_rule("Asn_Lv3Image"), "WideImage", ignore=["obs_num", "target"])
    a = pool001.asn.apply_rules([mosaic])
    b = pool001.asn.apply_rules([wide])
    assert sorted(map(sorted, map(_member_stems, a))) == sorted(map(sorted, map(_member_stems, b)))
    assert {x.asn_rule for x in b} == {"discover_WideImage"}
    assert wide.validity[-1].__name__ == "is_discovered"


# --------------------------------------------------------------------------- rule() options


def test_exclude_and_select_lists(pool001):
    images = _nircam_images(pool001)
    only_f090w = rule("F090W", select={"exp_type": ["nrc_image", "mir_image"]},
                      agree=["filter"], exclude={"filter": "f277w"})  # fmt: skip
    asns = pool001.asn.apply_rules([only_f090w])
    assert len(asns) == 1
    assert _member_stems(asns[0]) == _stems(images[images["filter"].str.lower() == "f090w"])


def test_exclude_any_value(pool001):
    r = rule("NoPupil", select={"exp_type": "nrc_image"}, exclude={"pupil": None})
    assert len(pool001.asn.apply_rules([r])) == 0  # every NIRCam image has a pupil


@pytest.mark.parametrize(
    ("scope", "candidate_types"),
    [(Scope.OBSERVATION, {"observation"}), (Scope.CANDIDATE, {"observation", "mosaic"})],
)
def test_scope_groups_per_candidate(pool001, scope, candidate_types):
    r = rule("PerCandidate", select={"exp_type": "nrc_image"}, agree=["filter"], scope=scope)
    asns = pool001.asn.apply_rules([r])
    exploded = pool001.asn.explode_candidates()
    exploded = exploded[exploded["candidate_type"].isin(candidate_types)]
    exploded = exploded[exploded["exp_type"].str.lower() == "nrc_image"]
    expected = {
        (cid, frozenset(_stems(rows)))
        for (cid, _), rows in exploded.groupby(["candidate_id", "filter"])
    }
    got = {(a.asn_id, frozenset(_member_stems(a))) for a in asns}
    assert got == expected
    assert len(got) == (14 if scope is Scope.OBSERVATION else 20)


def test_agree_on_observation_splits_per_observation(pool001):
    r = rule("PerObs", select={"exp_type": "nrc_image"}, agree=["filter", "obs_num"])
    asns = pool001.asn.apply_rules([r])
    images = _nircam_images(pool001)
    expected = {frozenset(_stems(rows)) for _, rows in images.groupby(["filter", "obs_num"])}
    assert {frozenset(_member_stems(a)) for a in asns} == expected


def test_agree_if_set_lets_missing_values_join():
    pool = asnkit.read_pool(pool_file("pool_002_image_miri"))
    strict = rule("Strict", select={"exp_type": "mir_image"}, agree=["pupil"])
    loose = rule("Loose", select={"exp_type": "mir_image"}, agree_if_set=["pupil"])
    assert pool["pupil"].isna().all() if "pupil" in pool.columns else True
    assert len(pool.asn.apply_rules([strict])) == 0
    loose_asns = pool.asn.apply_rules([loose])
    images = pool[pool["exp_type"].str.lower() == "mir_image"]
    assert sum(len(a.members()) for a in loose_asns) == len(images)


def test_product_name_template(pool001):
    r = rule(
        "Named", select={"exp_type": "nrc_image"}, agree=["filter"],
        product_name="jw{program}-{acid}_{instrument}_{filter}_{exp_type}",
    )  # fmt: skip
    names = sorted(a.product_names[0] for a in pool001.asn.apply_rules([r]))
    assert names == [
        "jw99009-a3001_nircam_f090w_nrc_image",
        "jw99009-a3001_nircam_f277w_nrc_image",
    ]
    with pytest.raises(ValueError, match="unknown field"):
        rule("Bad", select={"exp_type": "nrc_image"}, product_name="{colour}")
    assert repr(NameTemplate("x{filter}")) == "NameTemplate('x{filter}')"


def test_rules_are_frozen_and_print_readably():
    r = rule("NircamMosaic", agree=["filter", "pupil"], select={"exp_type": "nrc_image"})
    assert repr(r) == "Rule('NircamMosaic', level=3, asn_type='image3')"
    text = r.describe()
    assert "attr('exp_type', name='exp_type', value='nrc_image', force_unique=False)" in text
    assert "attr('filter', name='opt_elem')" in text
    assert "validity: has_science, is_discovered" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.name = "other"  # type: ignore[misc]
    assert r == rule("NircamMosaic", agree=["filter", "pupil"], select={"exp_type": "nrc_image"})


def test_bad_arguments():
    with pytest.raises(TypeError, match="list of column names"):
        rule("X", agree="filter")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown scope"):
        rule("X", scope="galaxy")
    with pytest.raises(ValueError, match="a rule needs a name"):
        rule("")


# --------------------------------------------------------------------------- dms_rule / derive


def test_dms_rule_lookup():
    assert dms_rule("asn_lv3image") is dms_rule("Asn_Lv3Image")
    with pytest.raises(KeyError, match="did you mean: Asn_Lv3Image"):
        dms_rule("Lv3Image")


def test_derive_ignore_target_removes_target_conditions():
    image = dms_rule("Asn_Lv3Image")
    derived = derive(image, ignore=["target"])
    assert derived.name == "Asn_Lv3Image_custom"
    assert "attr('targetid', name='target', onlyif=is_not_background" in image.describe()
    lines = {line.strip() for line in derived.describe().splitlines()}
    assert "attr('targetid', name='target', force_unique=False, required=False)" in lines
    assert "test(source=ignored, name='target')" in lines
    assert not any("onlyif" in line for line in lines)
    assert derived.validity == image.validity  # scope unchanged without obs_num
    with pytest.raises(ValueError, match="no condition on 'colour'"):
        derive(image, ignore=["colour"])
    with pytest.raises(TypeError):
        derive(image, ignore="target")  # type: ignore[arg-type]


def test_derive_ignore_target_joins_targets():
    """pool_003 with every other exposure moved to target 2: ignoring target merges them."""
    pool = asnkit.read_pool(pool_file("pool_003_image_nircam")).copy()
    pool.loc[pool.index[::2], "targetid"] = "2"
    image = dms_rule("Asn_Lv3Image")
    any_target = derive(image, "AnyTarget", ignore=["obs_num", "target"])
    sci = pool[pool["exp_type"].str.lower() == "nrc_image"]
    assert sci["targetid"].nunique() == 2
    merged = {frozenset(_stems(rows)) for _, rows in sci.groupby(["filter", "pupil"])}
    split = {frozenset(_stems(rows)) for _, rows in sci.groupby(["filter", "pupil", "targetid"])}
    got = {frozenset(_member_stems(a)) for a in pool.asn.apply_rules([any_target])}
    assert got == merged
    dms = pool.asn.apply_rules([image], all_candidates=False)  # discovered only
    assert {frozenset(_member_stems(a)) for a in dms} == split


def test_derive_adds_conditions_to_the_rule_branch(pool001):
    image = dms_rule("Asn_Lv3Image")
    f090w = derive(image, "OnlyF090W", select={"filter": "f090w"}, scope="pool")
    asns = pool001.asn.apply_rules([f090w])
    assert len(asns) == 1
    assert _member_stems(asns[0]) == _stems(
        _nircam_images(pool001)[lambda d: d["filter"].str.lower() == "f090w"]
    )


# --------------------------------------------------------------------------- property


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["filter", "obs_num", "targetid", "detector"]), unique=True))
def test_agree_partitions_like_groupby(pool001, columns):
    """A pool-wide rule makes exactly the groups of a pandas groupby over its agree columns."""
    r = rule("P", select={"exp_type": "nrc_image"}, agree=columns)
    asns = pool001.asn.apply_rules([r])
    images = _nircam_images(pool001)
    if columns:
        expected = {frozenset(_stems(rows)) for _, rows in images.groupby(columns)}
    else:
        expected = {frozenset(_stems(images))}
    assert {frozenset(_member_stems(a)) for a in asns} == expected


_RULE_KEYS = sorted(
    (r.name, key)
    for r in asnkit.rules.dms_rules()
    for key in leaf_keys(r.constraints)
    if key != "asn_candidate"
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(_RULE_KEYS))
def test_any_dms_condition_can_be_ignored(pool018, rule_key):
    """Ignoring any condition of any DMS rule gives a rule the engine applies, taking more."""
    name, key = rule_key
    base = dms_rule(name)
    derived = derive(base, ignore=[key])
    before = pool018.asn.apply_rules([base])
    after = pool018.asn.apply_rules([derived])
    taken_before = {m.expname for a in before for m in a.members()}
    taken_after = {m.expname for a in after for m in a.members()}
    if key not in ("obs_num", "observation"):
        assert taken_before <= taken_after | {m for m in taken_before if m.endswith("_x1d.fits")}


@pytest.fixture(scope="module")
def pool018() -> pd.DataFrame:
    return asnkit.read_pool(pool_file("pool_018_all_exptypes"))


def test_background_matched_by_filter():
    """One of the issue's use cases: background exposures join the science of their filter."""
    df = asnkit.read_pool(pool_file("pool_001_candidates")).copy()
    df["bkgdtarg"] = "f"
    df.loc[df["obs_num"] == "7", "bkgdtarg"] = "t"  # observation 7 becomes a background field
    by_filter = rule("WithBackground", select={"exp_type": "nrc_image"}, agree=["filter"])
    asns = df.asn.apply_rules([by_filter])
    images = _nircam_images(df)
    assert len(asns) == images["filter"].nunique() == 2
    for asn in asns:
        (filt,) = [f for f in images["filter"].unique() if f in asn.product_names[0]]
        rows = images[images["filter"] == filt]
        roles = {strip_suffix(m.expname).lower(): m.exptype for m in asn.members()}
        expected = {
            strip_suffix(f).lower(): ("background" if obs == "7" else "science")
            for f, obs in zip(rows["filename"], rows["obs_num"], strict=True)
        }
        assert roles == expected


@pytest.mark.parametrize("reverse", [False, True])
def test_acquisitions_attach_whatever_the_order(reverse):
    """pool_005: NIRISS SOSS with its target acquisition and confirmation in observation 1."""
    df = asnkit.read_pool(pool_file("pool_005_spec_niriss"))
    if reverse:  # the acquisitions come before their science
        df = df.iloc[::-1].reset_index(drop=True)
    kwargs = {"select": {"exp_type": "nis_soss"}, "agree": ["filter", "pupil"]}
    with_acq = df.asn.apply_rules([rule("Soss", "spec3", acquisitions=True, **kwargs)])
    without = df.asn.apply_rules([rule("Soss", "spec3", **kwargs)])
    acq_rows = df[df["exp_type"].isin(["nis_tacq", "nis_taconfirm"])]
    sci_rows = df[df["exp_type"] == "nis_soss"]
    assert len(acq_rows) == 2 and len(with_acq) == len(without) == 1
    roles = {strip_suffix(m.expname): m.exptype for m in with_acq[0].members()}
    assert roles == {
        **{strip_suffix(f): "science" for f in sci_rows["filename"]},
        **{strip_suffix(f): "target_acquisition" for f in acq_rows["filename"]},
    }
    assert {m.exptype for m in without[0].members()} == {"science"}
    # the DMS TSO association has the same acquisitions (the DMS needs its reprocess rule
    # for acquisitions met before their science)
    dms = df.asn.apply_rules([dms_rule("Asn_Lv3ACQ_Reprocess"), dms_rule("Asn_Lv3TSO")])
    assert {strip_suffix(m.expname) for m in dms[0].members("target_acquisition")} == {
        strip_suffix(f) for f in acq_rows["filename"]
    }


def test_a_rule_naming_a_column_the_pool_lacks_raises_at_apply_time():
    pool = asnkit.read_pool(pool_file("pool_001_candidates"))
    typo = rule("Mosaic", "image3", agree=["filtr"], select={"instrume": "nircam"})
    assert typo.columns == ("instrume", "filtr")
    with pytest.raises(asnkit.PoolError, match="rule 'Mosaic' names column 'filtr'") as info:
        pool.asn.apply_rules([typo])
    assert info.value.column == "filtr" and info.value.file == str(pool_file("pool_001_candidates"))
    with pytest.raises(asnkit.PoolError, match="column 'instrumx'"):
        asnkit.apply_rules(pool, [rule("M", select={"instrumx": "nircam"})])
    derived = derive(dms_rule("Asn_Lv3Image"), "ByColour", agree=["colour"])
    with pytest.raises(asnkit.PoolError, match="rule 'ByColour' names column 'colour'"):
        asnkit.apply_rules(pool, [derived])
    with pytest.raises(asnkit.PoolError, match="column 'filtr'"):
        asnkit.explain(pool, "jw_00001_uncal.fits", rules=[typo])
    with pytest.raises(asnkit.PoolError, match="column 'filtr'"):
        asnkit.orphans(pool, rules=[typo])
    # column names are not case-sensitive, and DMS rules name none
    assert len(pool.asn.apply_rules([rule("Mosaic", agree=["FILTER"])])) == 2
    assert dms_rule("Asn_Lv3Image").columns == ()
