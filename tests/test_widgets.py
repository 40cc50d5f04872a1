"""The three widgets driven from Python: set traits, press buttons, check state and files."""

from __future__ import annotations

import json
import warnings

import ipywidgets as w
import numpy as np
import pandas as pd
import pytest
import traitlets

import asnkit
from asnkit.dms.names import exposure_key
from asnkit.errors import PoolKeyError, PoolWarning
from asnkit.widgets import (
    AssociationBuilder,
    BuilderModel,
    ExplorerModel,
    GroupingModel,
    GroupingView,
    PoolExplorer,
    SkyView,
    logic,
)
from asnkit.widgets.debounce import Debouncer
from tests.helpers import EXPOSURES


def read_quiet(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(asnkit.data.pool_path(name))


@pytest.fixture(scope="module")
def pool018() -> pd.DataFrame:
    return read_quiet("pool_018_all_exptypes")


@pytest.fixture(scope="module")
def nircam() -> pd.DataFrame:
    return asnkit.pool_from_files(sorted(EXPOSURES.glob("*.fits")))


# ----------------------------------------------------------------- PoolExplorer
def test_explorer_builds_filters_from_columns(pool018):
    explorer = PoolExplorer(pool018)
    assert isinstance(explorer, w.VBox)
    exposures = pool018.loc[~pool018["filename"].str.contains(" ")]
    for column in explorer.filters:
        assert exposures[column].str.lower().nunique(dropna=False) >= 2
    assert "exp_type" in explorer.filters
    assert "instrume" not in explorer.filters  # one value only: no filter
    options = dict(explorer.filters["exp_type"].options)
    assert sum(int(label.rsplit("(", 1)[1][:-1]) for label in options) == len(exposures)
    assert "exp_type" not in {v for v in options.values()}  # junk-row values left out


def test_explorer_filter_matches_select(pool018):
    explorer = PoolExplorer(pool018)
    explorer.filters["exp_type"].value = ("nrc_image", "nrc_coron", "nis_image")
    expected = asnkit.select(pool018, exp_type=["nrc_image", "nrc_coron", "nis_image"])
    assert explorer.model.n_selected == len(expected) == len(explorer.selection)
    assert explorer.selection["filename"].tolist() == expected["filename"].tolist()
    assert f"<b>{len(expected)}</b> of 73" in explorer.count.value
    for name in expected["filename"]:
        assert name in explorer.table.value
    assert "jw_00075_uncal.fits" not in explorer.table.value or "jw_00075" in set(
        expected["filename"]
    )
    # faceted counts: other exp_type values still show how many they would add
    counts = explorer.model.counts["exp_type"]
    assert counts["nrs_fixedslit"] == len(asnkit.select(pool018, exp_type="nrs_fixedslit"))


def test_explorer_two_columns_and_pattern(pool018):
    explorer = PoolExplorer(pool018)
    obs = sorted(pool018["obs_num"].dropna().unique(), key=lambda v: (len(v), v))[:10]
    explorer.filters["obs_num"].value = tuple(o.lower() for o in obs if o != "obs_num")
    n_obs = explorer.model.n_selected
    explorer.pattern.value = "0000[1-3]"  # glob chars: fnmatch on the whole name
    assert explorer.model.n_selected == 0
    explorer.pattern.value = "*0000[1-3]_*"
    assert explorer.model.n_selected == 3 <= n_obs
    explorer.pattern.value = "00002"
    assert explorer.selection["filename"].tolist() == ["jw_00002_uncal.fits"]
    explorer.reset_button.click()
    assert explorer.model.n_selected == 73
    assert explorer.pattern.value == "" and explorer.filters["obs_num"].value == ()


def test_explorer_given_columns(pool018):
    explorer = PoolExplorer(pool018, columns=["exp_type", "instrume"], max_rows=5)
    assert list(explorer.filters) == ["exp_type", "instrume"]
    assert "... and 68 more rows" in explorer.table.value
    explorer.filters["instrume"].value = ("nirspec",)
    assert explorer.model.n_selected == 73


def test_explorer_selection_is_a_copy(pool018):
    before = pool018.copy()
    explorer = PoolExplorer(pool018)
    selection = explorer.selection
    selection.loc[selection.index[0], "filename"] = "changed"
    pd.testing.assert_frame_equal(pool018, before)
    assert selection.attrs["asn_pool"] == "pool_018_all_exptypes.csv"


def test_explorer_summary_tab(pool018):
    explorer = PoolExplorer(pool018)
    explorer.filters["exp_type"].value = ("nrc_image",)
    assert "<table" in explorer.summary.value and "nrc_image" in explorer.summary.value
    explorer.filters["exp_type"].value = ()
    explorer.pattern.value = "no-such-file"
    assert "no exposure selected" in explorer.summary.value


def test_explorer_model_missing_values_and_errors(pool018):
    model = ExplorerModel(pool018, columns=["patt_num"])
    expected = pool018["patt_num"].isna() & ~pool018["filename"].str.contains(" ")
    model.selections = {"patt_num": ["(missing)"]}
    assert model.n_selected == int(expected.sum())
    with pytest.raises(KeyError, match="filtr"):
        model.selections = {"filtr": ["x"]}
    with pytest.raises(KeyError, match="no column"):
        ExplorerModel(pool018, columns=["nope"])


def test_debouncer_schedules_on_a_running_loop():
    import asyncio

    calls = []

    async def main():
        d = Debouncer(lambda: calls.append(len(calls)), wait=0.05)
        for _ in range(5):
            d()
        assert d.pending and calls == []
        await asyncio.sleep(0.15)

    asyncio.run(main())
    assert calls == [0]  # five triggers, one call


def test_filter_logic_scales(pool018):
    """The vectorised masks agree with a plain loop on a large synthetic pool."""
    rng = np.random.default_rng(1)
    big = pd.DataFrame(
        {
            "filename": [f"jw_{i:06d}_uncal.fits" for i in range(20_000)],
            "filter": rng.choice(["F090W", "f150w", "F200W", None], 20_000),
            "obs_num": rng.integers(1, 30, 20_000).astype(str),
        }
    )
    index = logic.build_index(big, ["filter", "obs_num"])
    selections = {"filter": ["f090w", "(missing)"], "obs_num": ["3", "17"]}
    mask = logic.filter_mask(index, selections, len(big))
    loop = [
        (not isinstance(f, str) or f.lower() == "f090w") and o in ("3", "17")
        for f, o in zip(big["filter"], big["obs_num"], strict=True)
    ]
    assert mask.tolist() == loop


# ----------------------------------------------------------------- GroupingView
def miri_associations(pool: pd.DataFrame):
    """What the DMS makes of pool_002: one image3 and one image2 per exposure."""
    exposures = pool.loc[~pool["filename"].str.contains(" ")]
    level2 = [
        asnkit.to_association(exposures.iloc[[i]], asn_type="image2", sequence=i + 1)
        for i in range(len(exposures))
    ]
    return asnkit.AssociationSet([asnkit.to_association(exposures), *level2])


def test_grouping_view_associations():
    pool = read_quiet("pool_002_image_miri")
    asns = miri_associations(pool)
    view = GroupingView(asns, pool=pool)
    assert view.model.options[:5] == ["level3", "association", "dither", "tile", "role"]
    # the Level 3 associations by default, one colour each; the sky's menu is the picker
    assert view.model.grouping == view.sky.color_by == "level3"
    image3 = next(a for a in asns if a.asn_type == "image3")
    product = image3.products[0].name
    assert [label for label, _ in view.model.groups] == [product]
    view.groups.value = product
    assert view.model.group == product
    expected = {exposure_key(m.expname) for m in image3.members()}
    assert {exposure_key(f) for f in view.model.members} == expected
    assert {exposure_key(f) for f in view.sky.selected} == expected and len(expected) == 8
    for name in view.model.members:
        assert name in view.members.value
    # all associations at once: an exposure is drawn once per association (image2 + image3)
    view.sky.color_by = "association"
    assert view.model.grouping == "association"
    assert len(view.model.groups) == len(asns) == 9 and view.sky.selected == []
    assert len(view.sky.colouring.item_exposure) == 16
    # a legend click on the sky picks the group in the list
    level2 = next(label for label, size in view.model.groups if size == 1)
    view.sky.receive({"event": "legend", "group": level2})
    assert view.groups.value == level2 == view.model.group
    assert len(view.sky.selected) == 1 and "1 exposure(s)" in view.members.value
    # any other selection on the sky is listed as a selection
    other = [label for label, size in view.model.groups if size == 1][1]
    view.sky.receive({"event": "legend", "group": other, "shift": True})
    assert view.groups.value == "" and len(view.sky.selected) == 2
    assert "selection</b>: 2 exposure(s)" in view.members.value
    # shift-adding the image3 gives exactly its members: the list picks it
    view.sky.receive({"event": "legend", "group": product, "shift": True})
    assert view.groups.value == product and len(view.sky.selected) == 8


def test_grouping_view_switch_grouping_on_sky(nircam):
    view = GroupingView(nircam, grouping="detector")
    assert [g for g, _ in view.model.groups] == ["NRCA2", "NRCA3", "NRCA4"]
    assert view.sky.colouring.groups == ["NRCA2", "NRCA3", "NRCA4"]
    view.groups.value = "NRCA3"
    assert view.model.members == ["jw01075001001_03105_00009_nrca3_uncal.fits"]
    assert view.sky.selected == view.model.members
    assert "3 footprint(s) on the sky" in view.note.value
    view.groups.value = ""
    assert view.sky.selected == []
    view.sky.color_by = "dither"
    assert view.model.group == "" and view.model.members == []
    assert view.sky.colouring.groups == ["dither 9"]
    with pytest.raises(traitlets.TraitError):
        view.model.grouping = "not-a-grouping"


def test_grouping_view_without_sky_is_schematic():
    pool = read_quiet("pool_024_nirspec_fss_nods")
    view = GroupingView(pool)
    assert view.model.grouping == "dither"
    assert view.sky.geometry.plane.value == "schematic" and "schematic" in view.note.value
    view.groups.value = "dither 3"
    exposures = asnkit.label_positions(pool.loc[~pool["filename"].str.contains(" ")])
    assert len(view.model.members) == int((exposures["dither_position"] == 3).sum())
    assert sorted(view.sky.selected) == sorted(view.model.members)


def test_grouping_model_needs_pool_for_associations():
    pool = read_quiet("pool_002_image_miri")
    with pytest.raises(asnkit.PoolError, match="pool="):
        GroupingView(miri_associations(pool))
    with pytest.raises(asnkit.PoolError, match="pool="):
        SkyView(miri_associations(pool))
    for widget in (SkyView, GroupingView):  # a path, a column: what reads a pool is named
        for data in ("pool.csv", pool["filename"]):
            with pytest.raises(asnkit.PoolError, match=r"data must be a pool DataFrame \(asnkit"):
                widget(data)
    model = GroupingModel(pool)
    with pytest.raises(traitlets.TraitError):
        model.group = "no such group"


def test_grouping_view_small_multiples_of_the_demo_program():
    pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    asns = pool.asn.generate()
    view = GroupingView(pool, associations=asns, panels=True)
    assert view.sky.panels and view.model.grouping == "level3"
    assert len(view.model.groups) == 8  # not 148: the image2 associations are left out
    ((label, size),) = [(g, n) for g, n in view.model.groups if "o002" in g and "f444w" in g]
    view.groups.value = label
    assert size == 8 == len(view.sky.selected)
    # the list names each group by the words that tell it apart, as the legend does, so the
    # names fit beside the sky; the value stays the full product name
    assert ("o002 t001 f444w (8)", label) in view.groups.options
    assert f"<b>{label}</b>: 8 exposure(s)" in view.members.value
    assert "Level 3 association: 8 group(s)" in view.note.value  # words, not 'level3'


# ----------------------------------------------------------------- AssociationBuilder
def test_builder_filter_tick_roles_check_export(tmp_path):
    pool = read_quiet("pool_024_nirspec_fss_nods")
    target = tmp_path / "custom_asn.json"
    builder = AssociationBuilder(pool, path=str(target))
    assert builder.model.errors == ["select at least one exposure"]
    assert "Choose exposures" in builder.check.value
    assert builder.filters.get_title(0) == "Filters: all 30 exposures shown"

    # filtering narrows what the table lists and the sky offers
    builder.explorer.filters["obs_num"].value = ("2",)
    obs2 = asnkit.select(pool, obs_num=2)["filename"].tolist()
    assert builder.table.shown == obs2 and builder.filters.get_title(0).startswith("Filters: 8 of")
    assert builder.sky.selectable.sum() == len(obs2)
    # ticking rows in the table (as the browser does) chooses them everywhere
    builder.table.selected = obs2
    assert builder.model.selected == obs2 and builder.sky.selected == obs2
    builder.table.selected = obs2[1:]
    assert builder.model.selected == obs2[1:] == builder.sky.selected
    builder.table.selected = [*obs2[1:], obs2[0]]

    builder.asn_type.value = "spec3"
    builder.product_name.value = "my_fss_product"
    assert builder.model.valid, builder.model.errors
    assert "Ready: spec3 association of 8 exposures" in builder.check.value
    # two members as background, chosen in the table's role column
    builder.table.roles = {obs2[0]: "background", obs2[1]: "background"}
    assert builder.model.roles == {obs2[0]: "background", obs2[1]: "background"}
    roles = builder.member_roles()
    assert roles[obs2[0]] == "background" and roles[obs2[2]] == "science (auto)"
    asn = builder.association
    built = {exposure_key(m.expname): m.exptype for m in asn.members()}
    assert built[exposure_key(obs2[0])] == "background"
    assert asn.products[0].name == "my_fss_product"

    builder.export.click()
    assert target.exists() and builder.model.written == str(target.absolute())
    assert f"Written {target.absolute()}" in builder.status.value
    loaded = asnkit.read_asn(target)
    assert loaded.to_dict() == asn.to_dict()
    text = target.read_text()

    # a second export refuses to overwrite...
    builder.product_name.value = "another_name"
    builder.export.click()
    assert "exists" in builder.status.value and target.read_text() == text
    # ...unless confirmed
    builder.overwrite.value = True
    builder.export.click()
    assert json.loads(target.read_text())["products"][0]["name"] == "another_name"


def test_builder_messages_speak_to_a_person(tmp_path):
    pool = read_quiet("pool_024_nirspec_fss_nods")
    builder = AssociationBuilder(pool, path=str(tmp_path / "x_asn.json"), sky=False)
    names = asnkit.select(pool, obs_num=2)["filename"].tolist()[:2]
    builder.model.add(names)
    builder.model.set_role(names, "background")  # no science member left
    assert not builder.model.valid
    assert "Not ready: 1 problem" in builder.check.value
    assert "give at least one the role &#x27;science&#x27;" in builder.check.value
    assert "roles=" not in builder.check.value and "to_association" not in builder.check.value
    builder.export.click()
    assert "not valid" in builder.status.value
    assert not (tmp_path / "x_asn.json").exists()
    builder.model.set_role(names[:1], "auto")
    # NIRSpec fixed-slit spectra in the default image3: the check says so
    assert not builder.model.valid and "[ASN301]" in builder.check.value
    builder.asn_type.value = "spec3"
    assert builder.model.valid, builder.model.errors
    builder.table.selected = []
    assert builder.model.selected == [] and builder.model.roles == {}
    with pytest.raises(PoolKeyError, match="not in the pool"):
        builder.model.add(["nope.fits"])
    with pytest.raises(asnkit.AssociationError, match="role must be"):
        builder.model.set_role(names, "sidekick")


def test_builder_level2():
    pool = read_quiet("pool_002_image_miri")
    builder = AssociationBuilder(pool, sky=False)
    builder.model.add(builder.table.shown)
    builder.asn_type.value = "image2"
    assert builder.model.valid
    assert len(builder.association.products) == 8


def test_builder_export_of_a_sky_selection_is_a_valid_image3(tmp_path):
    pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    target = tmp_path / "tiles_asn.json"
    builder = AssociationBuilder(pool, path=str(target))
    builder.explorer.filters["filter"].value = ("f150w",)
    labels = asnkit.label_positions(pool)
    obs1 = labels["obs_num"] == "001"
    f150w = labels["filter"] == "F150W"
    tile1 = labels.loc[obs1 & f150w & (labels["mosaic_tile"] == 1), "filename"].tolist()
    tile2 = labels.loc[obs1 & f150w & (labels["mosaic_tile"] == 2), "filename"].tolist()
    # a box round the centres of each tile (the second with Shift), where the filter
    # lets only F150W through
    sky = builder.sky
    for tile, shift in ((tile1, False), (tile2, True)):
        centres = sky.geometry.centres[sky.geometry.index_of(tile)]
        lo, hi = centres.min(axis=0) - 3, centres.max(axis=0) + 3
        sky.receive({"event": "box", "a": lo.tolist(), "b": hi.tolist(), "shift": shift})
    assert sorted(builder.model.selected) == sorted(tile1 + tile2)
    assert builder.table.selected == builder.model.selected
    x, y = sky.geometry.centres[sky.geometry.index_of(tile2[:1])[0]]
    sky.receive({"event": "click", "x": x, "y": y, "alt": True})
    assert len(builder.model.selected) == 31 and tile2[0] not in builder.table.selected
    assert builder.model.valid and "image3 association of 31 exposures" in builder.check.value
    builder.export.click()
    written = asnkit.read_asn(target)  # validated against the schema on loading
    assert written.asn_type == "image3" and len(written.members()) == 31
    members = {exposure_key(m.expname) for m in written.members()}
    assert members == {exposure_key(n) for n in tile1 + tile2[1:]}


def test_builder_model_alone():
    pool = read_quiet("pool_002_image_miri")
    model = BuilderModel(pool)
    model.toggle(["jw_00001_uncal.fits", "jw_00002_uncal.fits"])
    model.toggle(["jw_00001_uncal.fits"])
    assert model.selected == ["jw_00002_uncal.fits"]
    assert model.valid and len(model.selection) == 1
    assert model.export() is False and "file name" in model.status


# ----------------------------------------------------------------- accessor
def test_accessor_opens_the_widgets(nircam):
    assert isinstance(nircam.asn.explore(), PoolExplorer)
    assert isinstance(nircam.asn.show_groupings(grouping="detector"), GroupingView)
    assert isinstance(nircam.asn.build(sky=False), AssociationBuilder)
    assert isinstance(nircam.asn.sky(color_by="detector"), SkyView)


# ----------------------------------------------------------------- builder: checks, override, diff
def read_demo() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))


def test_builder_refuses_the_140_exposure_mixed_filter_association(tmp_path):
    pool = read_demo()
    target = tmp_path / "mosaic_asn.json"
    builder = AssociationBuilder(pool, path=str(target), sky=False)
    assert builder.override.layout.display == "none"  # offered only when there are errors
    builder.explorer.filters["filter"].value = ("f150w",)
    builder.explorer.reset_button.click()  # Reset filters, then choose all shown: everything
    builder.table.selected = builder.table.shown
    builder.product_name.value = "my mosaic F150W"
    model = builder.model
    assert len(model.selected) == 140 and builder.association is not None
    assert not model.valid
    codes = [f["code"] for f in model.findings if f["severity"] == "error"]
    assert codes == ["ASN101", "ASN202", "ASN203"]
    assert any("mix filters: f150w (96), f444w (24)" in e for e in model.errors)
    assert any("20 background members: calwebb_image3 reads only science" in e
               for e in model.errors)  # fmt: skip
    assert any("[ASN604]" in w and "spaces" in w for w in model.warnings)
    text = builder.check.value
    assert "3 errors: calwebb would not do what this image3 association of 140" in text
    assert "valid image3" not in text and "roles={" not in text
    assert builder.override.layout.display == ""  # next to the errors
    builder.export.click()
    assert not target.exists()
    assert model.status.startswith("not exported: 3 errors found")
    # the bar says what to do in one line; the errors are listed just above it, not again
    assert "Not exported: 3 errors (listed above)" in builder.status.value
    assert "export anyway" in builder.status.value and "ASN101" not in builder.status.value
    # the user insists
    builder.override.value = True
    assert model.override and model.can_export
    builder.export.click()
    assert target.exists() and "exported anyway" in builder.status.value
    assert f"Written {target}" in builder.status.value
    assert model.written == str(target)
    # choosing one filter, no background, a plain name: no error left
    builder.override.value = False
    keep = asnkit.select(pool, filter="f150w", obs_num=[1, 2])["filename"]
    model.remove([n for n in model.selected if n not in set(keep)])
    builder.product_name.value = "jw99999-o001o002_t001_nircam_clear-f150w"
    assert model.valid and not model.warnings, model.errors + model.warnings
    assert len(model.selected) == 96


def test_builder_from_association_shows_what_changed():
    pool = read_demo()
    standard = asnkit.generate(pool)
    original = next(a for a in standard.by_type("image3") if a.asn_id == "o001"
                and "f150w" in a.products[0].name)  # fmt: skip
    model = BuilderModel.from_association(original, pool)
    assert model.original is original
    assert model.asn_type == "image3" and model.product_name == original.products[0].name
    assert len(model.selected) == len(original.members()) == 64
    assert model.valid and model.changes == "same members as the original"
    assert not model.diff
    # drop one exposure, mark another as background: the diff says so, member by member
    first, second = model.selected[:2]
    model.remove([first])
    model.set_role([second], "background")
    diff = model.diff
    assert [d.expname for d in diff.members("removed")] == [original.expnames[0]]
    assert [(d.a, d.b) for d in diff.members("role")] == [("science", "background")]
    assert "- " + original.expnames[0] in model.changes
    # against the original file, by its name alone (the rebuilt one's sequence is not news)
    assert model.changes.splitlines()[0] == f"{original.filename}: 2 differences"
    assert "~ " + original.expnames[1] + ": science -> background" in model.changes
    assert "[ASN101]" in model.errors[0]  # and the check says calwebb_image3 ignores it
    # the view starts the same way and shows the changes
    builder = AssociationBuilder.from_association(original, pool, sky=False)
    assert builder.model.changes == "same members as the original"
    builder.model.remove([builder.model.selected[0]])
    assert "Changes from the original" in builder.changes.value
    assert "1 removed" in builder.changes.value


def test_builder_from_association_with_members_not_in_the_pool():
    pool = read_quiet("pool_002_image_miri")
    asn = asnkit.to_association(pool, asn_type="image3").add_members("jw_09999_cal.fits")
    model = BuilderModel.from_association(asn, pool)
    assert len(model.selected) == 8
    assert model.warnings[0].startswith("1 member of the original association is not in the pool")
    assert [d.expname for d in model.diff.members("removed")] == ["jw_09999_cal.fits"]
