"""plot_sky / plot_grid: rendered to PNG with Agg and checked (not blank, polygons, colours)."""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import asnkit
from asnkit.errors import PoolKeyError, PoolTypeError, PoolWarning
from asnkit.sky.attitude import angular_separation, tangent_plane
from asnkit.sky.colors import UNGROUPED
from asnkit.sky.plot import FootprintPlot
from tests.helpers import EXPOSURES

NIRCAM = sorted(EXPOSURES.glob("*.fits"))
NIRISS = sorted((EXPOSURES / "synthetic_no_sregion").glob("*.fits"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def nircam() -> pd.DataFrame:
    return asnkit.pool_from_files(NIRCAM)


@pytest.fixture(scope="module")
def niriss() -> pd.DataFrame:
    return asnkit.pool_from_files(NIRISS)


def read_quiet(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)
        return asnkit.read_pool(asnkit.data.pool_path(name))


def render(out: FootprintPlot, path) -> np.ndarray:
    out.ax.figure.savefig(path, dpi=80)
    return matplotlib.image.imread(path)[..., :3]


def colour_present(image: np.ndarray, rgba, tolerance: float = 0.06) -> bool:
    distance = np.abs(image - np.asarray(rgba[:3])[None, None, :]).max(axis=-1)
    return bool((distance < tolerance).sum() >= 5)


def assert_not_blank(image: np.ndarray) -> None:
    assert image.std() > 0.02
    assert (image.min(axis=-1) < 0.9).mean() > 0.01  # a real share of non-white pixels


def test_nircam_sky_plot(nircam, tmp_path):
    assert matplotlib.get_backend().lower() == "agg"
    out = asnkit.plot_sky(nircam, color_by="detector")
    assert out.n_polygons == 3
    assert out.labels == ["NRCA2", "NRCA3", "NRCA4"]
    assert len({tuple(np.round(c, 3)) for c in out.collection.get_edgecolor()}) == 3
    assert out.ax.xaxis_inverted()
    # three NIRCam SW detectors span about 2': the axes are in arcmin
    assert out.unit.name == "arcmin"
    assert "RA [arcmin]" in out.ax.get_xlabel() and "east" in out.ax.get_xlabel()
    assert "Dec [arcmin]" in out.ax.get_ylabel() and "north" in out.ax.get_ylabel()
    # the plane is tangent at the target, which is marked at the origin
    assert out.center == pytest.approx(
        (float(nircam["targ_ra"].iloc[0]), float(nircam["targ_dec"].iloc[0]))
    )
    assert out.target is not None and out.target.get_xydata().tolist() == [[0.0, 0.0]]
    texts = [t.get_text() for t in out.legend.get_texts()]
    assert texts == ["NRCA2 (1)", "NRCA3 (1)", "NRCA4 (1)", "target HD 147980"]
    image = render(out, tmp_path / "nircam.png")
    assert_not_blank(image)
    for label in out.labels:
        assert colour_present(image, out.colors[label]), label
    assert list(out) and all(a.axes is out.ax or a is out.legend for a in out)


def test_east_is_left(nircam):
    """The NRCA3 footprint (largest RA) is drawn left of NRCA2 (smallest RA)."""
    out = asnkit.plot_sky(nircam, color_by="detector")
    fig = out.ax.figure
    fig.canvas.draw()
    paths = out.collection.get_paths()
    to_pixels = out.ax.transData.transform
    x_a2 = to_pixels(paths[0].vertices).mean(axis=0)[0]
    x_a3 = to_pixels(paths[1].vertices).mean(axis=0)[0]
    ra = pd.to_numeric(asnkit.footprints(nircam)["ra"])
    assert ra.iloc[1] > ra.iloc[0] and x_a3 < x_a2


def test_polygons_are_the_projected_footprints(nircam):
    out = asnkit.plot_sky(nircam, color_by="none")
    fp = asnkit.footprints(nircam)
    for path, polys in zip(out.collection.get_paths(), fp["polygons"], strict=True):
        xi, eta = tangent_plane(*polys[0].T, *out.center)  # degrees
        scale = 3600.0 / out.unit.arcsec
        np.testing.assert_allclose(path.vertices[:4], np.column_stack([xi, eta]) * scale)


def test_niriss_stacked_exposures(niriss, tmp_path):
    out = asnkit.plot_sky(niriss, color_by="visit")
    assert out.n_polygons == 18
    assert out.labels == ["001", "002", "003", "004"]
    assert any(t.get_text() == "\u00d718 exposures" for t in out.texts)
    # stacked fills share the opacity: the stack is no more opaque than ~alpha
    alphas = out.collection.get_facecolor()[:, 3]
    assert 1 - np.prod(1 - alphas) == pytest.approx(0.25, abs=1e-6)
    assert_not_blank(render(out, tmp_path / "niriss.png"))


def test_color_by_associations(nircam, tmp_path):
    def science(row):  # these real exposures are PSF references (IS_PSF = T)
        return "science"

    a = asnkit.to_association(
        nircam.iloc[:2], asn_type="coron3", product_name="a2_a3", roles=science
    )
    b = asnkit.to_association(
        nircam.iloc[[0]], asn_type="coron3", product_name="only_a2", roles=science
    )
    out = asnkit.plot_sky(asnkit.AssociationSet([a, b]), pool=nircam)
    # an exposure in two associations is drawn once per association; nrca4 in none
    assert sorted(out.labels) == sorted(["a2_a3", "only_a2", UNGROUPED])
    assert out.n_polygons == 4
    assert out.colors[UNGROUPED] == (0.6, 0.6, 0.6, 1.0)
    image = render(out, tmp_path / "asn.png")
    for label in out.labels:
        assert colour_present(image, out.colors[label]), label


def test_color_by_mapping_and_highlight(nircam):
    groups = {nircam["filename"].iloc[0]: "left", nircam["filename"].iloc[2]: ["right", "x"]}
    out = asnkit.plot_sky(
        nircam,
        color_by="association",
        associations=groups,
        highlight=[nircam["filename"].iloc[2]],
    )
    assert out.labels == ["left", "right", "x", UNGROUPED]
    assert len(out.highlight.get_paths()) == 2  # nrca4, once per group


def test_association_without_pool_is_an_error(nircam):
    asn = asnkit.to_association(
        nircam, asn_type="coron3", product_name="p", roles=lambda row: "science"
    )
    with pytest.raises(ValueError, match="pool="):
        asnkit.plot_sky(asnkit.AssociationSet([asn]))


def test_unknown_color_column(nircam):
    with pytest.raises(KeyError, match="not_a_column"):
        asnkit.plot_sky(nircam, color_by="not_a_column")


def test_color_by_typo_gets_close_matches(nircam):
    with pytest.raises(PoolKeyError) as info:
        asnkit.plot_sky(nircam, color_by="detecter")
    assert str(info.value).endswith("nor a column of the pool; close matches: detector")
    with pytest.raises(PoolKeyError, match="close matches: association"):
        asnkit.plot_sky(nircam, color_by="asociation")  # the special values too
    with pytest.raises(PoolKeyError, match=r"; columns: filename, .*detector"):
        asnkit.plot_sky(nircam, color_by="zzzzzz")  # nothing alike: the columns there are


def test_plot_sky_pool_given_as_a_path_is_a_type_error_naming_pool(nircam):
    asn = asnkit.to_association(
        nircam, asn_type="coron3", product_name="p", roles=lambda row: "science"
    )
    asns = asnkit.AssociationSet([asn])
    with pytest.raises(PoolTypeError) as info:
        asnkit.plot_sky(asns, pool="jw01234_pool.csv")
    assert isinstance(info.value, TypeError)
    assert str(info.value) == (
        "plot_sky: pool= must be a DataFrame (asnkit.read_pool(path)), not str 'jw01234_pool.csv'"
    )


@pytest.mark.parametrize(
    "data",
    [[str(p) for p in NIRCAM[:2]], "jw01234_pool.csv", 3],
    ids=["list-of-files", "path", "int"],
)
def test_plot_sky_data_neither_pool_nor_associations_is_a_type_error(data):
    with pytest.raises(PoolTypeError) as info:
        asnkit.plot_sky(data)
    text = str(info.value)
    assert text.startswith(
        "plot_sky: data must be a pool DataFrame (asnkit.read_pool(path), or "
        "asnkit.pool_from_files(files) for exposure files) or associations given with pool=, "
        f"not {type(data).__name__} "
    )
    assert "pass the pool they came from" not in text  # no associations were given


def test_plot_grid_not_a_frame_is_a_type_error():
    with pytest.raises(PoolTypeError, match=r"^plot_grid: df must be a pool DataFrame .*not str$"):
        asnkit.plot_grid("jw01234_pool.csv")


def test_footprint_plot_figure_is_its_axes_figure(nircam, tmp_path):
    out = asnkit.plot_sky(nircam, color_by="detector")
    assert out.figure is out.ax.figure
    out.figure.savefig(tmp_path / "x.png", dpi=40)
    assert (tmp_path / "x.png").stat().st_size > 0


def test_plot_sky_into_given_axes_and_no_show(nircam, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    _fig, (ax1, ax2) = plt.subplots(1, 2)
    out = asnkit.plot_sky(nircam, ax=ax2)
    assert out.ax is ax2 and not ax1.collections


def test_plot_sky_without_sky_falls_back_to_grid():
    pool = read_quiet("pool_002_image_miri")
    out = asnkit.plot_sky(pool)
    assert "Schematic" in out.ax.get_title()
    assert out.n_polygons == 8


def test_mixed_pool_warns_about_undrawn(nircam):
    pool = pd.concat([nircam, pd.DataFrame({"filename": ["x_uncal.fits"]})], ignore_index=True)
    with pytest.warns(UserWarning, match="1 exposure"):
        out = asnkit.plot_sky(pool)
    assert out.n_polygons == 3


@pytest.mark.parametrize("name", ["pool_002_image_miri", "pool_024_nirspec_fss_nods"])
def test_plot_grid_shipped_pools(name, tmp_path):
    pool = read_quiet(name)
    exposures = pool.loc[~pool["filename"].str.contains(" ")]
    out = asnkit.plot_grid(pool)
    assert out.n_polygons == len(exposures)
    assert "not sky" in out.ax.get_title()
    image = render(out, tmp_path / f"{name}.png")
    assert_not_blank(image)
    for label in out.labels:
        assert colour_present(image, out.colors[label], tolerance=0.08), label
    texts = {t.get_text() for t in out.texts}
    assert "obs 1" in texts and "tile 1" in texts


def test_plot_grid_colours_and_legend_counts():
    pool = read_quiet("pool_024_nirspec_fss_nods")
    out = asnkit.plot_grid(pool, color_by="dither")
    counts = {t.get_text() for t in out.legend.get_texts()}
    labels = asnkit.label_positions(pool.loc[~pool["filename"].str.contains(" ")])
    expected = labels["dither_position"].fillna(1).value_counts()
    assert counts == {f"dither {d} ({n})" for d, n in expected.items()}


def test_plot_grid_many_groups_truncates_legend():
    pool = read_quiet("mega_pool")
    out = asnkit.plot_grid(pool, color_by="obs_num", max_legend=10)
    assert len(out.labels) > 20
    texts = [t.get_text() for t in out.legend.get_texts()]
    assert len(texts) == 11 and texts[-1].startswith("... and ")
    assert len({tuple(c) for c in out.colors.values()}) == len(out.labels)
    assert out.texts == []  # no per-square labels on a big pool


def test_accessor_plot_sky(nircam):
    out = nircam.asn.plot_sky(color_by="detector")
    assert out.n_polygons == 3


def test_multi_polygon_s_region_and_frame_groups():
    pool = pd.DataFrame(
        {
            "filename": ["a_uncal.fits", "b_uncal.fits"],
            "s_region": [
                "POLYGON ICRS 10 0 10.1 0 10.1 0.1 10 0.1 POLYGON ICRS 10.2 0 10.3 0 10.3 0.1",
                "polygon 10 0.2 10.1 0.2 10.1 0.3",
            ],
        }
    )
    groups = pd.DataFrame({"expname": ["a_cal.fits", "b_cal.fits"], "product": ["p1", "p2"]})
    out = asnkit.plot_sky(pool, associations=groups)
    assert out.labels == ["p1", "p2"]
    assert out.n_polygons == 3 and out.polygon_groups == ["p1", "p1", "p2"]
    face = out.collection.get_facecolor()
    np.testing.assert_allclose(face[0], face[1])
    assert not np.allclose(face[0], face[2])
    assert out.target is None  # no target columns: nothing marked
    # RA grows to the left: the second polygon of a (RA 10.2-10.3) is left of the first
    left = out.collection.get_paths()[1].vertices[:, 0].mean()
    right = out.collection.get_paths()[0].vertices[:, 0].mean()
    assert left > right and out.ax.xaxis_inverted()


def test_legend_order_is_natural():
    from asnkit.dms.values import natural_key

    labels = ["exp_10", "exp_2", "tile 10", "tile 9", UNGROUPED, "10", "3"]
    ordered = sorted(labels, key=lambda g: (g == UNGROUPED, natural_key(g)))
    assert ordered == ["3", "10", "exp_2", "exp_10", "tile 9", "tile 10", UNGROUPED]


def test_duplicated_index_labels(nircam):
    twice = pd.concat([nircam, nircam.drop(columns="s_region")])
    assert twice.index.tolist() == [0, 1, 2, 0, 1, 2]
    fp = asnkit.footprints(twice)
    assert fp.index.tolist() == [0, 1, 2, 0, 1, 2]
    assert fp["source"].tolist() == ["s_region"] * 3 + ["pointing"] * 3
    assert asnkit.plot_sky(twice).n_polygons == 6
    assert asnkit.plot_grid(twice).n_polygons == 6


def test_stack_labels_count_files_not_polygons(niriss):
    """An exposure drawn once per association is one exposure in the stack label."""
    groups = {name: ["a", "b"] for name in niriss["filename"]}
    out = asnkit.plot_sky(niriss, associations=groups)
    assert out.n_polygons == 36
    assert [t.get_text() for t in out.texts] == ["\u00d718 exposures"]


def test_demo_program_on_the_sky(tmp_path):
    """The simulated demo program: S_REGION and pointing agree; mosaic tiles are drawn."""
    pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    from_region = asnkit.footprints(pool)
    from_pointing = asnkit.footprints(pool.drop(columns="s_region"))
    assert set(from_region["source"]) == {"s_region"}
    assert set(from_pointing["source"]) == {"pointing"}
    worst = max(
        float(np.max(angular_separation(*a[0].T, *b[0].T)))
        for a, b in zip(from_region["polygons"], from_pointing["polygons"], strict=True)
    )
    assert worst * 3600 < 1.0
    out = asnkit.plot_sky(pool, color_by="tile")
    labels = asnkit.label_positions(pool)
    tiles = labels["obs_num"].astype(int).map("obs {}".format) + " tile "
    tiles += labels["mosaic_tile"].astype(str)
    assert out.n_polygons == len(pool)
    # tiles are numbered within their observation: tile 1 of obs 1 is not tile 1 of obs 2
    assert out.labels == sorted(tiles.unique()) and len(out.labels) == 7
    assert out.unit.name == "arcmin"
    # with associations the default colours are the Level 3 associations, one each
    asns = pool.asn.generate()
    by_asn = asnkit.plot_sky(asns, pool=pool)
    assert by_asn.labels == sorted(a.products[0].name for a in asns if a.level == 3)
    assert by_asn.legend.get_title().get_text() == "Level 3 association"
    assert_not_blank(render(out, tmp_path / "demo.png"))


def test_far_apart_fields_warn():
    pool = pd.DataFrame(
        {
            "filename": ["a.fits", "b.fits"],
            "s_region": ["POLYGON 10 0 10.1 0 10.1 0.1", "POLYGON 190 0 190.1 0 190.1 0.1"],
        }
    )
    with pytest.warns(UserWarning, match="more than 60 deg"):
        out = asnkit.plot_sky(pool, center=(10.0, 0.0))
    assert out.n_polygons == 1 and out.polygon_filenames == ["a.fits"]


def test_an_exposure_in_several_associations_is_filled_once_and_hatched_not_blended(tmp_path):
    pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    f150w = pool.loc[pool["filter"] == "F150W"]
    asns = pool.asn.generate()
    out = asnkit.plot_sky(asns, pool=f150w)
    mosaic = "jw99999-a3001_t001_nircam_clear-f150w"
    assert out.labels == [
        mosaic,
        "jw99999-o001_t001_nircam_clear-f150w",
        "jw99999-o002_t001_nircam_clear-f150w",
        "jw99999-o003_t002_nircam_clear-f150w",
    ]
    # each exposure of obs 1 and 2 is drawn twice: filled in its observation's colour (the
    # smaller association), and, for the a3001 mosaic, not filled but hatched in its colour
    assert out.n_polygons == 112 + 96
    face = out.collection.get_facecolor()
    in_mosaic = np.array([g == mosaic for g in out.polygon_groups])
    assert (face[in_mosaic, 3] == 0).all() and (face[~in_mosaic, 3] > 0).all()
    (hatch,) = out.hatches
    assert hatch.get_hatch() == "////" and len(hatch.get_paths()) == 96
    image = render(out, tmp_path / "hatched.png")
    assert_not_blank(image)
    for label in out.labels:  # the mosaic's blue shows only as hatch lines and dashes
        assert colour_present(image, out.colors[label], tolerance=0.08), label


def test_many_groups_neighbours_get_distinct_colours():
    """148 associations (the demo's image2 ones): no two consecutive groups look alike."""
    from asnkit.sky.colors import palette

    labels = [f"jw99999001001_02101_{i:05d}_nrca1" for i in range(148)]
    colors = palette(labels)
    rgb = np.array([colors[lab][:3] for lab in labels])
    steps = np.abs(np.diff(rgb, axis=0)).sum(axis=1)  # L1 distance of neighbours in RGB
    assert len({tuple(c) for c in rgb}) == 148
    assert steps.min() > 0.3, steps.min()  # a linear sweep of turbo gives about 0.02
