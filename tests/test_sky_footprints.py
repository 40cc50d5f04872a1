"""Footprints: S_REGION parsing, pointing reconstruction with pysiaf, schematic layout."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from astropy.coordinates import SkyCoord
from hypothesis import given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.errors import PoolError, PoolWarning
from asnkit.sky.apertures import ApertureCatalog
from asnkit.sky.attitude import (
    angular_separation,
    attitude_matrix,
    tangent_plane,
    v2v3_to_sky,
    vector_center,
)
from asnkit.sky.footprints import FootprintSource, footprints
from asnkit.sky.regions import parse_s_region, parse_s_regions
from asnkit.sky.schematic import schematic_layout
from tests.helpers import EXPOSURES

NIRCAM = sorted(EXPOSURES.glob("*.fits"))
NIRISS = sorted((EXPOSURES / "synthetic_no_sregion").glob("*.fits"))


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


# ----------------------------------------------------------------- S_REGION text
@pytest.mark.parametrize(
    "text",
    [
        "POLYGON ICRS 1 2 3 2 3 4",
        "polygon icrs 1 2 3 2 3 4",
        "POLYGON 1 2 3 2 3 4",
        "Polygon J2000 GEOCENTER 1, 2, 3, 2, 3, 4",
        "POLYGON ICRS 1 2 3 2 3 4 1 2",  # closed ring
    ],
)
def test_parse_s_region_variants(text):
    (poly,) = parse_s_region(text)
    np.testing.assert_allclose(poly, [[1, 2], [3, 2], [3, 4]])


def test_parse_s_region_several_polygons_and_circle():
    shapes = parse_s_region("POLYGON ICRS 1 2 3 2 3 4 POLYGON ICRS 10 2 13 2 13 4 10 4")
    assert [len(s) for s in shapes] == [3, 4]
    (circle,) = parse_s_region("CIRCLE ICRS 100 60 0.01")
    dist = angular_separation(100, 60, circle[:, 0], circle[:, 1])
    np.testing.assert_allclose(dist, 0.01, rtol=1e-3)


def test_parse_s_region_wraps_ra():
    (poly,) = parse_s_region("POLYGON ICRS -0.1 0 0.1 0 0.1 0.1")
    assert poly[0, 0] == pytest.approx(359.9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BOX ICRS 1 2 3 4", "must start with"),
        ("POLYGON ICRS 1 2 3", "odd number"),
        ("POLYGON ICRS 1 2 3 4", "at least 3 vertices"),
        ("POLYGON ICRS 1 2 3 abc 5 6", "not a number"),
        ("POLYGON ICRS 1 95 3 4 5 6", "declination"),
    ],
)
def test_parse_s_region_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_s_region(text)


@settings(max_examples=60, deadline=None)
@given(
    polygons=st.lists(
        st.lists(st.tuples(st.floats(0, 359.999), st.floats(-89.9, 89.9)), min_size=3, max_size=8),
        min_size=1,
        max_size=4,
    ),
    frame=st.sampled_from(["ICRS ", "icrs ", "", "FK5 GEOCENTER "]),
    word=st.sampled_from(["POLYGON", "polygon", "Polygon"]),
)
def test_parse_s_region_round_trip(polygons, frame, word):
    text = " ".join(
        f"{word} {frame}" + " ".join(f"{ra:.9f} {dec:.9f}" for ra, dec in poly) for poly in polygons
    )
    parsed = parse_s_region(text)
    assert len(parsed) == len(polygons)
    for got, poly in zip(parsed, polygons, strict=True):
        want = np.array(poly)
        if len(want) > 3 and np.allclose(want[0], want[-1], rtol=0.0, atol=1e-9):
            want = want[:-1]  # a closed ring loses its repeated vertex
        np.testing.assert_allclose(got, want, atol=1e-8)


# ----------------------------------------------------------------- attitude
@settings(max_examples=40, deadline=None)
@given(
    v2=st.floats(-800, 800),
    v3=st.floats(-800, 800),
    ra=st.floats(0, 360),
    dec=st.floats(-89, 89),
    roll=st.floats(0, 360),
)
def test_attitude_matches_pysiaf(v2, v3, ra, dec, roll):
    from asnkit.sky.apertures import import_pysiaf

    expected = import_pysiaf().utils.rotations.attitude(v2, v3, ra, dec, roll)
    np.testing.assert_allclose(attitude_matrix(v2, v3, ra, dec, roll), expected, atol=1e-12)
    # and the reference point goes exactly to the reference sky position
    got_ra, got_dec = v2v3_to_sky(attitude_matrix(v2, v3, ra, dec, roll), [v2], [v3])
    assert angular_separation(ra, dec, got_ra[0], got_dec[0]) * 3600 < 1e-6


def test_tangent_plane_orientation():
    xi, eta = tangent_plane([10.01, 10.0], [0.0, 0.01], 10.0, 0.0)
    assert xi[0] > 0 and abs(eta[0]) < 1e-9  # east (larger RA) is positive xi
    assert eta[1] > 0 and abs(xi[1]) < 1e-9
    assert np.isnan(tangent_plane(190.0, 0.0, 10.0, 0.0)[0])


def test_vector_center_across_ra_zero():
    ra, dec = vector_center([359.9, 0.1], [0.0, 0.0])
    assert min(ra, 360 - ra) < 1e-9 and abs(dec) < 1e-9


# ----------------------------------------------------------------- real NIRCam headers
def test_nircam_footprints_come_from_s_region(nircam):
    fp = footprints(nircam)
    assert fp["source"].tolist() == ["s_region"] * 3
    assert fp.index.equals(nircam.index)
    for text, polys in zip(nircam["s_region"], fp["polygons"], strict=True):
        values = np.array(text.split()[2:], dtype=float).reshape(-1, 2)
        np.testing.assert_allclose(polys[0], values)


def test_rebuilt_corners_within_one_arcsec_of_s_region(nircam):
    rebuilt = footprints(nircam.drop(columns="s_region"))
    assert rebuilt["source"].tolist() == ["pointing"] * 3
    worst = 0.0
    for text, polys in zip(nircam["s_region"], rebuilt["polygons"], strict=True):
        (truth,) = parse_s_region(text)
        (corners,) = polys
        assert corners.shape == truth.shape == (4, 2)
        # independent distance with astropy; every rebuilt corner matches a distinct one
        sep = (
            SkyCoord(corners[:, 0], corners[:, 1], unit="deg")[:, None]
            .separation(SkyCoord(truth[:, 0], truth[:, 1], unit="deg")[None, :])
            .arcsec
        )
        nearest = sep.argmin(axis=1)
        assert sorted(nearest.tolist()) == [0, 1, 2, 3]
        worst = max(worst, float(sep.min(axis=1).max()))
    print(f"max corner separation rebuilt vs S_REGION: {worst:.3f} arcsec")
    assert worst < 1.0


def test_rebuilt_without_header_orientation_uses_siaf(nircam):
    """Without v3i_yang/vparity the SIAF values are used: still close (PRD differences)."""
    pool = nircam.drop(columns=["s_region", "v3i_yang", "vparity"])
    fp = footprints(pool)
    (truth,) = parse_s_region(nircam["s_region"].iloc[0])
    corners = fp["polygons"].iloc[0][0]
    assert angular_separation(*corners.T, *truth.T).max() * 3600 < 2.0


def test_bad_s_region_warns_and_falls_back(nircam):
    pool = nircam.copy()
    pool.loc[1, "s_region"] = "POLYGON ICRS 1 2 oops"
    before = pool.copy()
    with pytest.warns(PoolWarning, match=r"row 1 \(jw01075001001_03105_00009_nrca3_uncal.fits\)"):
        fp = footprints(pool)
    assert fp["source"].tolist() == ["s_region", "pointing", "s_region"]
    pd.testing.assert_frame_equal(pool, before)  # input untouched
    with pytest.raises(PoolError, match=r"column 's_region'.*row 1"):
        footprints(pool, strict=True)


def test_unknown_aperture_warns_then_schematic(nircam):
    pool = nircam.drop(columns="s_region")
    pool.loc[0, "apername"] = "NRCA9_NOT_REAL"
    with pytest.warns(PoolWarning, match="NRCA9_NOT_REAL"):
        fp = footprints(pool)
    assert fp["source"].tolist() == ["schematic", "pointing", "pointing"]
    assert np.isnan(fp["ra"].iloc[0])


# ----------------------------------------------------------------- synthetic NIRISS
def test_niriss_rebuilt_from_pointing(niriss):
    fp = footprints(niriss)
    assert (fp["source"] == FootprintSource.POINTING.value).all()
    assert len(fp) == 18
    ra_ref = pd.to_numeric(niriss["ra_ref"])
    dec_ref = pd.to_numeric(niriss["dec_ref"])
    for polys, ra, dec in zip(fp["polygons"], ra_ref, dec_ref, strict=True):
        (corners,) = polys
        sides = angular_separation(*corners.T, *np.roll(corners, 1, axis=0).T) * 3600
        # NIRISS full field: 2048 pixels of 0.0656" ~ 134" (SIAF NIS_CEN)
        assert np.all((sides > 125) & (sides < 140))
        # NIS_CEN is centred on its reference point
        assert angular_separation(ra, dec, *vector_center(*corners.T)) * 3600 < 5


def test_apertures_are_read_without_importing_pysiaf():
    # the SIAF numbers come from pysiaf's own XML files: no pysiaf import (seconds), no network
    code = (
        "import sys, asnkit\n"
        "pool = asnkit.read_pool(asnkit.data.pool_path('pool_002_image_miri'))\n"
        "assert 'pysiaf' not in sys.modules and 'matplotlib' not in sys.modules\n"
        "from asnkit.sky.apertures import ApertureCatalog\n"
        "assert ApertureCatalog().get('NIS_CEN') is not None\n"
        "assert 'pysiaf' not in sys.modules and 'requests' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


def test_pysiaf_import_never_asks_the_network_and_is_quiet():
    code = (
        "import requests\n"
        "calls = []\n"
        "def spy(*args, **kwargs):\n"
        "    calls.append(args)\n"
        "    raise requests.exceptions.ConnectionError('no network in this test')\n"
        "requests.get = spy\n"
        "from asnkit.sky.apertures import import_pysiaf\n"
        "pysiaf = import_pysiaf()\n"
        "assert calls == [], calls\n"
        "assert requests.get is spy\n"  # restored
        "assert pysiaf.Siaf('NIRISS')['NIS_CEN'].V2Ref is not None\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


@pytest.mark.parametrize("instrument", ["NIRCam", "NIRISS", "NIRSpec", "MIRI", "FGS"])
def test_siaf_apertures_are_pysiafs(instrument):
    from asnkit.sky.apertures import _from_pysiaf, siaf_apertures, siaf_file

    assert siaf_file(instrument) is not None  # read from the XML, not through pysiaf
    mine, theirs = siaf_apertures(instrument), _from_pysiaf(instrument)
    assert mine.keys() == theirs.keys()
    assert sum(ap is not None for ap in mine.values()) > 0.7 * len(mine)
    for name, ap in mine.items():
        other = theirs[name]
        assert (ap is None) == (other is None), name
        if ap is not None:
            assert np.array_equal(ap.x_idl, other.x_idl) and np.array_equal(ap.y_idl, other.y_idl)
            assert (ap.v2_ref, ap.v3_ref, ap.v3_idl_yangle, ap.parity) == (
                other.v2_ref,
                other.v3_ref,
                other.v3_idl_yangle,
                other.parity,
            ), name


def test_apertures_are_read_once_per_process_and_read_only():
    catalog = ApertureCatalog()
    first = catalog.get("NIS_CEN")
    assert catalog.get("nis_cen") is first
    assert ApertureCatalog().get("NIS_CEN") is first  # the SIAF is read once per process
    with pytest.raises(ValueError):
        first.x_idl[0] = 0.0  # shared, so nobody may change it


# ----------------------------------------------------------------- schematic
def test_shipped_pool_footprints_are_schematic():
    pool = read_quiet("pool_024_nirspec_fss_nods")
    fp = footprints(pool)
    junk = pool["filename"].str.contains(" ")
    assert (fp.loc[junk, "source"] == "none").all()
    assert (fp.loc[~junk, "source"] == "schematic").all()
    assert fp.loc[~junk, "ra"].isna().all()
    assert fp.loc[junk, "polygons"].map(len).eq(0).all()


def test_schematic_layout_separates_tiles_and_dithers():
    pool = read_quiet("pool_024_nirspec_fss_nods")
    layout = schematic_layout(pool)
    # distinct (observation, tile, dither) spots never overlap
    spots = layout.groupby(["group", "tile", "dither"])[["x", "y", "size"]].first()
    xy = spots[["x", "y"]].to_numpy()
    size = spots["size"].to_numpy()
    for i in range(len(xy)):
        for j in range(i + 1, len(xy)):
            gap = np.abs(xy[i] - xy[j]).max()
            assert gap >= (size[i] + size[j]) / 2 - 1e-9
    # exposures at one spot become disjoint strips of it
    strips = layout.groupby(["group", "tile", "dither"])["polygon"].apply(list)
    for polys in strips:
        lefts = sorted(p[:, 0].min() for p in polys)
        rights = sorted(p[:, 0].max() for p in polys)
        assert all(r <= nl + 1e-9 for r, nl in zip(rights[:-1], lefts[1:], strict=True))


def test_schematic_uses_label_positions():
    pool = pd.DataFrame(
        {
            "filename": [f"f{i}.fits" for i in range(6)],
            "obs_num": ["1"] * 4 + ["2"] * 2,
            "mostilno": ["1", "1", "2", "2", "1", "1"],
            "patt_num": ["1", "2", "1", "2", "0", "0"],
            "dithptin": ["9", "9", "9", "9", "3", "4"],
        }
    )
    layout = schematic_layout(pool)
    assert layout["tile"].tolist() == [1, 1, 2, 2, 1, 1]
    assert layout["dither"].tolist() == [1, 2, 1, 2, 3, 4]  # patt_num 0 -> dithptin
    assert layout["group"].tolist() == ["obs 1"] * 4 + ["obs 2"] * 2
    assert layout.loc[0, "tile_x"] != layout.loc[2, "tile_x"]


def test_schematic_can_be_turned_off():
    pool = read_quiet("pool_002_image_miri")
    fp = footprints(pool, schematic=False)
    assert (fp["source"] == "none").all() and fp["polygons"].map(len).eq(0).all()


def test_warning_names_the_pool_file():
    pool = read_quiet("pool_002_image_miri").head(2).assign(s_region="POLYGON ICRS 1 2 x")
    with pytest.warns(PoolWarning, match=r"pool_002_image_miri\.csv: 2 unreadable") as caught:
        fp = footprints(pool)
    assert len(caught) == 1  # one warning for the whole pool
    assert "row 0 (jw_00001_uncal.fits)" in str(caught[0].message)
    assert "row 1 (jw_00002_uncal.fits)" in str(caught[0].message)
    assert fp["source"].tolist() == ["schematic", "schematic"]


# ----------------------------------------------------------------- batch S_REGION parsing
_TEXTS = [
    "POLYGON ICRS 10 20 10.1 20 10.1 20.1 10 20.1",
    "polygon 1 1 2 1 2 2 polygon 5 5 6 5 6 6",
    "POLYGON ICRS 359.9 20 0.1 20 0.1 20.1 359.9 20",
    "POLYGON ICRS 1 2 3",
    "CIRCLE ICRS 10 20 0.1",
    "POLYGON ICRS 10 95 10.1 20 10.1 20.1",
    "POLYGON J2000 GEOCENTER -10 20 10.1 20 10.1 20.1 -10 20",
    "POLYGON ICRS POLYGON 1 2 3 4 5 6",
    "POLYGON ICRS nan 2 3 4 5 6 7 8",
    "POLYGON 1e1 2 3 4 5 6 1e1 2.0000000001",
    "POLYGON ICRS 1,2,3,4,5,6",
    "POLYGON ICRS 1 2 3 4 5 6 1 90.0000000001",
    "  polygon   icrs  +.5 -2. 3 4 5 6  ",
]
_COORD = st.floats(-100, 400, allow_nan=False).map(lambda v: f"{v:.{abs(hash(v)) % 9}f}")


def _same_as_one_by_one(texts):
    shapes, errors = parse_s_regions(texts)
    for i, text in enumerate(texts):
        try:
            expected, message = parse_s_region(text), None
        except ValueError as exc:
            expected, message = [], str(exc)
        assert errors.get(i) == message, text
        assert len(shapes[i]) == len(expected), text
        for mine, theirs in zip(shapes[i], expected, strict=True):
            assert np.array_equal(mine, theirs), text


def test_batch_s_region_parsing_is_parse_s_region_text_by_text():
    _same_as_one_by_one(_TEXTS)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["POLYGON ICRS", "polygon", "POLYGON J2000 x", "CIRCLE", "BOX"]),
            st.lists(_COORD, min_size=0, max_size=12),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_batch_s_region_parsing_property(parts):
    texts = []
    for head, numbers, close in parts:
        if close and len(numbers) >= 2:
            numbers = [*numbers, *numbers[:2]]
        texts.append(" ".join([head, *numbers]))
    _same_as_one_by_one(texts)
