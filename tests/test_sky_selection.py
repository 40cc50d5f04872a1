"""Selection geometry: which footprints a box, a lasso, a click or a legend entry takes.

The browser only sends geometry; these rules run in Python and are checked here against
matplotlib's ``Path.contains_points`` on random footprints, and on the demo program.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.path import Path

import asnkit
from asnkit.sky.geometry import pick, points_in_box, points_in_polygon, rings_containing
from asnkit.sky.layout import Plane, angle_unit, colouring, sky_layout
from asnkit.widgets.selection import SelectOp, SkySelector, combine, op_for
from asnkit.widgets.skyview import SkyView, tooltip_table

DEMO = asnkit.data.data_path("demo", "jw99999_simulated_pool.csv")

coordinate = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)
point = st.tuples(coordinate, coordinate)


def segment_distance(p: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Distance of each point to the nearest edge of a closed polygon."""
    a = polygon
    b = np.roll(polygon, -1, axis=0)
    ab = b - a
    length = np.maximum((ab**2).sum(axis=1), 1e-300)
    t = np.clip(((p[:, None, :] - a[None]) * ab[None]).sum(-1) / length[None], 0.0, 1.0)
    nearest = a[None] + t[..., None] * ab[None]
    return np.sqrt(((p[:, None, :] - nearest) ** 2).sum(-1)).min(axis=1)


def clear_of_edges(points: np.ndarray, polygon: np.ndarray, margin: float = 1e-6) -> np.ndarray:
    return segment_distance(points, polygon) > margin


# ----------------------------------------------------------------------------- primitives
@settings(max_examples=300, deadline=None)
@given(st.lists(point, min_size=3, max_size=12), st.lists(point, min_size=1, max_size=40))
def test_points_in_polygon_agrees_with_matplotlib(vertices, points):
    polygon, pts = np.array(vertices), np.array(points)
    ours = points_in_polygon(pts, polygon)
    theirs = Path(polygon).contains_points(pts)
    clear = clear_of_edges(pts, polygon)
    np.testing.assert_array_equal(ours[clear], theirs[clear])


@settings(max_examples=100, deadline=None)
@given(st.lists(point, min_size=3, max_size=10))
def test_a_closed_ring_is_the_same_polygon(vertices):
    polygon = np.array(vertices)
    pts = np.random.default_rng(0).uniform(-100, 100, size=(50, 2))
    closed = np.vstack([polygon, polygon[:1]])
    np.testing.assert_array_equal(points_in_polygon(pts, polygon), points_in_polygon(pts, closed))


def test_points_in_polygon_edge_cases():
    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    assert not points_in_polygon(np.array([[0.5, 0.5]]), square[:2]).any()  # not a polygon
    assert points_in_polygon(np.zeros((0, 2)), square).shape == (0,)
    assert not points_in_polygon(np.array([[np.nan, 0.5]]), square).any()
    # a long lasso is processed in chunks of edges: same answer as matplotlib
    t = np.linspace(0, 2 * np.pi, 1000, endpoint=False)
    star = np.column_stack([np.cos(t), np.sin(t)]) * (1 + 0.5 * np.sin(7 * t))[:, None]
    pts = np.random.default_rng(1).uniform(-1.6, 1.6, size=(2000, 2))
    clear = clear_of_edges(pts, star)
    np.testing.assert_array_equal(
        points_in_polygon(pts, star)[clear], Path(star).contains_points(pts)[clear]
    )


@given(st.lists(point, min_size=1, max_size=30), point, point)
def test_points_in_box_any_corner_order(points, a, b):
    pts = np.array(points)
    expected = (
        (pts[:, 0] >= min(a[0], b[0]))
        & (pts[:, 0] <= max(a[0], b[0]))
        & (pts[:, 1] >= min(a[1], b[1]))
        & (pts[:, 1] <= max(a[1], b[1]))
    )
    np.testing.assert_array_equal(points_in_box(pts, a, b), expected)
    np.testing.assert_array_equal(points_in_box(pts, b, a), expected)


# random footprints: quadrilaterals around random centres, some with two rings
footprint = st.tuples(
    point,  # centre
    st.floats(0.5, 10.0),  # half-size
    st.floats(0.0, np.pi),  # rotation
    st.booleans(),  # a second ring
)


def random_layout(specs):
    from asnkit.sky.layout import SkyLayout

    rings, owners, centres = [], [], []
    for e, ((cx, cy), half, angle, second) in enumerate(specs):
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float) * half
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        ring = corners @ rot.T + [cx, cy]
        rings.append(ring)
        owners.append(e)
        if second:
            rings.append(ring + np.array([2.5 * half, 0.0]))
            owners.append(e)
        centres.append([cx, cy])
    sizes = [len(r) for r in rings]
    return SkyLayout(
        plane=Plane.SKY,
        center=(0.0, 0.0),
        rows=np.arange(len(specs)),
        filenames=np.array([f"f{e}" for e in range(len(specs))]),
        xy=np.concatenate(rings),
        ring_start=np.concatenate([[0], np.cumsum(sizes)]),
        ring_exposure=np.array(owners),
        centres=np.array(centres, float),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(footprint, min_size=1, max_size=25), st.lists(point, min_size=3, max_size=15))
def test_lasso_takes_footprints_whose_centre_is_inside(specs, lasso):
    layout = random_layout(specs)
    polygon = np.array(lasso)
    clear = clear_of_edges(layout.centres, polygon)
    assume(clear.all())
    taken = SkySelector(layout).lasso(polygon)
    inside = Path(polygon).contains_points(layout.centres)
    assert taken == [f"f{e}" for e in np.flatnonzero(inside)]


@settings(max_examples=150, deadline=None)
@given(st.lists(footprint, min_size=1, max_size=25), point, point)
def test_box_takes_footprints_whose_centre_is_inside(specs, a, b):
    layout = random_layout(specs)
    taken = SkySelector(layout).box(a, b)
    box = np.array([[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]]])
    clear = clear_of_edges(layout.centres, box)
    inside = Path(box).contains_points(layout.centres) | ~clear
    strictly = Path(box).contains_points(layout.centres) & clear
    assert set(np.flatnonzero(strictly)) <= {int(t[1:]) for t in taken}
    assert {int(t[1:]) for t in taken} <= set(np.flatnonzero(inside))


@settings(max_examples=150, deadline=None)
@given(st.lists(footprint, min_size=1, max_size=25), point)
def test_click_takes_the_containing_footprint_with_the_nearest_centre(specs, where):
    layout = random_layout(specs)
    x, y = where
    containing = []
    for e in range(layout.n_exposures):
        rings = layout.rings(e)
        assume(all(clear_of_edges(np.array([where]), r).all() for r in rings))
        if any(Path(r).contains_point(where) for r in rings):
            containing.append(e)
    taken = SkySelector(layout).click(x, y)
    if not containing:
        assert taken == []
        return
    d = [float(np.sum((layout.centres[e] - where) ** 2)) for e in containing]
    best = [e for e, de in zip(containing, d, strict=True) if de == min(d)][-1]
    assert taken == [f"f{best}"]


def test_rings_containing_and_pick_ties():
    square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    xy = np.vstack([square, square, square + 5])  # two identical footprints, one apart
    start = np.array([0, 4, 8, 12])
    owners = np.array([0, 1, 2])
    centres = np.array([[1.0, 1.0], [1.0, 1.0], [6.0, 6.0]])
    assert rings_containing(1.0, 1.0, xy, start).tolist() == [True, True, False]
    assert pick(1.0, 1.0, xy, start, owners, centres) == 1  # a tie: the one drawn last
    assert pick(1.0, 1.0, xy, start, owners, centres, np.array([True, False, True])) == 0
    assert pick(4.0, 4.0, xy, start, owners, centres) == -1


def test_combine_and_modifier_keys():
    assert combine(["a", "b"], ["c", "a"], SelectOp.REPLACE) == ["c", "a"]
    assert combine(["a", "b"], ["c", "a"], "add") == ["a", "b", "c"]
    assert combine(["a", "b"], ["a"], SelectOp.REMOVE) == ["b"]
    assert combine(["a", "b"], ["b", "c"], SelectOp.TOGGLE) == ["a", "c"]
    assert op_for(shift=False, alt=False, default=SelectOp.TOGGLE) is SelectOp.TOGGLE
    assert op_for(shift=True, alt=False, default=SelectOp.TOGGLE) is SelectOp.ADD
    assert op_for(shift=True, alt=True, default=SelectOp.REPLACE) is SelectOp.REMOVE
    with pytest.raises(ValueError):
        combine([], [], "xor")


# ----------------------------------------------------------------------------- the demo program
@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return asnkit.read_pool(DEMO)


@pytest.fixture(scope="module")
def demo_from_headers(demo) -> pd.DataFrame:
    files = sorted(asnkit.data.data_path("demo", "exposures").glob("*.fits"))
    return asnkit.pool_from_files(files)


def tile_files(pool: pd.DataFrame, obs: str, tile: int, filt: str | None = None) -> list[str]:
    labels = asnkit.label_positions(pool)
    keep = (labels["obs_num"].astype(int) == int(obs)) & (labels["mosaic_tile"] == tile)
    if filt:
        keep &= labels["filter"].str.upper() == filt
    return labels.loc[keep, "filename"].tolist()


def lasso_around(view: SkyView, names: list[str], grow: float = 8.0) -> np.ndarray:
    centres = view.geometry.centres[view.geometry.index_of(names)]
    angle = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    centre = centres.mean(axis=0)
    radius = np.linalg.norm(centres - centre, axis=1).max() + grow
    return centre + radius * np.column_stack([np.cos(angle), np.sin(angle)])


@pytest.mark.parametrize("source", ["pool file", "FITS headers"])
def test_lasso_a_tile_shift_box_another_alt_click_one_out(source, demo, demo_from_headers):
    pool = demo if source == "pool file" else demo_from_headers
    f150w = pool.loc[pool["filter"].str.upper() == "F150W"]
    view = SkyView(f150w, color_by="tile")
    tile1 = tile_files(f150w, "001", 1)
    tile2 = tile_files(f150w, "001", 2)
    assert len(tile1) == len(tile2) == 16
    # a lasso round tile 1 (a circle through its outermost centres, plus 8") takes exactly it
    view.receive({"event": "lasso", "points": lasso_around(view, tile1).tolist(), "seq": 1})
    assert sorted(view.selected) == sorted(tile1)
    assert view._ack == 1
    # shift + box round the centres of tile 2 adds it
    c2 = view.geometry.centres[view.geometry.index_of(tile2)]
    a, b = c2.min(axis=0) - 5, c2.max(axis=0) + 5
    view.receive({"event": "box", "a": a.tolist(), "b": b.tolist(), "shift": True, "seq": 2})
    assert sorted(view.selected) == sorted(tile1 + tile2)
    # alt + click inside one exposure (near its centre) takes it out
    out = tile2[3]
    x, y = view.geometry.centres[view.geometry.index_of([out])[0]]
    view.receive({"event": "click", "x": x, "y": y, "alt": True, "seq": 3})
    assert sorted(view.selected) == sorted(tile1 + tile2[:3] + tile2[4:])
    # a plain click toggles it back in, a second plain click out again
    view.receive({"event": "click", "x": x, "y": y})
    assert out in view.selected
    view.receive({"event": "click", "x": x, "y": y})
    assert out not in view.selected and len(view.selected) == 31


def test_box_replaces_and_alt_box_removes(demo):
    view = SkyView(demo, color_by="tile")
    everything = view.geometry.extent
    view.receive({"event": "box", "a": [everything[0], everything[2]], "b": everything[1::2]})
    assert len(view.selected) == len(demo)
    tile1 = tile_files(demo, "001", 1)
    view.select_lasso(lasso_around(view, tile1), SelectOp.REMOVE)
    assert len(view.selected) == len(demo) - 20 and not set(tile1) & set(view.selected)
    view.receive({"event": "box", "a": [1e6, 1e6], "b": [1e6 + 1, 1e6 + 1]})
    assert view.selected == []


def test_selecting_a_name_not_in_the_pool_says_so(demo):
    view = SkyView(demo, color_by="tile")
    first = str(demo["filename"].iloc[0])
    view.selected = [first, first]  # kept once
    assert view.selected == [first]
    typo = first.replace("_uncal", "_uncl")
    with pytest.raises(
        asnkit.PoolError, match=rf"not in the pool: {typo} \(close matches: {first}"
    ):
        view.selected = [first, typo]
    assert view.selected == [first]  # unchanged


def test_legend_entry_selects_its_group(demo):
    asns = demo.asn.generate()
    view = SkyView(asns, pool=demo)
    assert view.color_by == "level3"
    label = next(g for g in view.colouring.groups if "o001" in g and "f150w" in g)
    view.receive({"event": "legend", "group": label})
    product = next(a for a in asns if a.products[0].name == label)
    expected = {m.expname.replace("_cal.fits", "_uncal.fits") for m in product.members()}
    assert set(view.selected) == expected and len(expected) == 64
    other = next(g for g in view.colouring.groups if "o002" in g and "f150w" in g)
    view.receive({"event": "legend", "group": other, "shift": True})
    assert len(view.selected) == 96
    view.receive({"event": "legend", "group": label, "alt": True})
    assert len(view.selected) == 32
    view.receive({"event": "clear"})
    assert view.selected == []


def test_only_shown_exposures_are_taken(demo):
    view = SkyView(demo, color_by="filter")
    f444w = demo.loc[demo["filter"] == "F444W", "filename"].tolist()
    view.show_only(f444w)
    assert view.selectable.sum() == len(f444w) == 28
    x0, x1, y0, y1 = view.geometry.extent
    view.select_box((x0, y0), (x1, y1))
    assert sorted(view.selected) == sorted(f444w)
    # a click where an F150W detector and the F444W footprint overlap takes the F444W one
    a1 = tile_files(demo, "001", 1, "F150W")[0]
    x, y = view.geometry.centres[view.geometry.index_of([a1])[0]]
    view.selected = []
    taken = view.click(x, y)
    assert taken and taken[0] in f444w
    view.show_only(None)
    assert view._selectable == b"" and view.selectable.all()


def test_small_multiples_panel_limits_a_gesture_to_its_group(demo):
    view = SkyView(demo, color_by="tile", panels=True)
    x0, x1, y0, y1 = view.geometry.extent
    view.receive({"event": "box", "a": [x0, y0], "b": [x1, y1], "group": "obs 2 tile 1"})
    assert sorted(view.selected) == sorted(tile_files(demo, "002", 1))


def test_setting_selected_from_python_keeps_it_unique_and_unknown_messages_change_nothing(demo):
    view = SkyView(demo)
    names = demo["filename"].tolist()[:3]
    view.selected = [*names, names[0]]
    assert view.selected == names
    # the browser gets the drawn exposures as indices into its arrays
    sent = np.frombuffer(view._selection, dtype=np.int32)
    assert [view._geometry["filenames"][i] for i in sent] == names
    view.selected = names
    for message in (
        {"event": "box", "a": [0, 0]},
        {"event": "lasso", "points": "nonsense"},
        {"event": "click", "x": "left"},
        {"event": "dance"},
        {},
    ):
        view.receive(message)
        assert view.selected == names


# ----------------------------------------------------------------------------- layout & colours
def test_layout_is_arcsec_on_the_tangent_plane_at_the_target(demo):
    layout = sky_layout(demo)
    assert layout.plane is Plane.SKY and layout.n_exposures == 140 and layout.undrawn == 0
    ra, dec = float(demo["targ_ra"].iloc[0]), float(demo["targ_dec"].iloc[0])
    assert layout.center == pytest.approx((ra, dec))
    assert layout.target[:2] == pytest.approx((0.0, 0.0), abs=1e-9)
    # the background field of observation 003 lies some 8' away: arcsec, not degrees
    span = np.ptp(layout.centres, axis=0)
    assert 300 < span.max() < 1500
    assert angle_unit(span.max()).name == "arcmin"


def test_layout_without_sky_is_schematic():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(asnkit.data.pool_path("pool_024_nirspec_fss_nods"))
    layout = sky_layout(pool)
    assert layout.plane is Plane.SCHEMATIC and np.isnan(layout.center[0])
    assert layout.n_exposures == len(pool) - 1  # the junk 'set acid' row is not an exposure
    view = SkyView(pool, color_by="dither")
    assert view._geometry["plane"] == "schematic"
    view.select_box((-100, -100), (100, 100))
    assert len(view.selected) == layout.n_exposures


def test_tiles_are_numbered_within_their_observation(demo):
    colours = colouring(demo, sky_layout(demo), "tile")
    assert colours.groups == [
        "obs 1 tile 1",
        "obs 1 tile 2",
        "obs 1 tile 3",
        "obs 1 tile 4",
        "obs 2 tile 1",
        "obs 2 tile 2",
        "obs 3 tile 1",
    ]
    assert set(colours.counts().values()) == {20}


def test_an_exposure_in_several_associations_is_one_item_per_association(demo):
    asns = demo.asn.generate()
    layout = sky_layout(demo)
    level3 = colouring(demo, layout, None, asns)
    assert level3.how == "Level 3 association" and len(level3.groups) == 8
    first = layout.index_of(tile_files(demo, "001", 1, "F150W"))[0]
    assert sorted(level3.groups_of(first)) == [
        "jw99999-a3001_t001_nircam_clear-f150w",
        "jw99999-o001_t001_nircam_clear-f150w",
    ]
    everything = colouring(demo, layout, "association", asns)
    assert len(everything.groups) == len(asns)  # 140 image2 + 8 image3
    assert len(everything.groups_of(first)) == 3
    # the DMS makes the background field its own image3: science members there
    roles = colouring(demo, layout, "role", asns)
    assert roles.counts() == {"science": 140}
    without = colouring(demo, layout, "role")
    assert without.counts() == {"background": 20, "science": 120}


def test_tooltip_says_where_an_exposure_is(demo):
    table = tooltip_table(demo)
    row = table.iloc[demo.index[demo["filename"] == tile_files(demo, "002", 2, "F150W")[5]][0]]
    assert row["observation"] == "002" and row["filter/pupil"] == "F150W / CLEAR"
    assert row["dither position"] == "2 of 4" and row["mosaic tile"] == "tile 2 of obs 2"
    assert row["detector"].startswith("NRCA")
