"""Footprints exported as region files (DS9 text; ``regions`` objects when installed)."""

from __future__ import annotations

import re
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import asnkit
from asnkit.errors import PoolError, PoolTypeError
from asnkit.sky.export import ds9_regions, to_regions, write_ds9

DEMO = asnkit.data.data_path("demo", "jw99999_simulated_pool.csv")
POLYGON = re.compile(r"^polygon\(([^)]*)\) # (.*)$")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return asnkit.read_pool(DEMO)


def parse(text: str) -> list[tuple[np.ndarray, str, str, list[str]]]:
    """(vertices, colour, text, tags) of each polygon line."""
    out = []
    for line in text.splitlines():
        match = POLYGON.match(line)
        if match:
            values = np.array([float(v) for v in match[1].split(",")]).reshape(-1, 2)
            props = match[2]
            color = re.search(r"color=(#[0-9a-f]{6})", props)[1]
            name = re.search(r"text=\{([^}]*)\}", props)[1]
            tags = re.findall(r"tag=\{([^}]*)\}", props)
            out.append((values, color, name, tags))
    return out


def test_ds9_text_is_the_footprints_in_icrs_degrees(demo):
    text = ds9_regions(demo, color_by="tile")
    lines = text.splitlines()
    assert lines[0] == "# Region file format: DS9 version 4.1"
    assert lines[1].startswith("global ") and "icrs" in lines
    polygons = parse(text)
    fp = asnkit.footprints(demo)
    assert len(polygons) == len(fp) == 140
    for (vertices, _, name, tags), (_, row) in zip(polygons, fp.iterrows(), strict=True):
        assert name == row["filename"]
        np.testing.assert_allclose(vertices, row["polygons"][0], atol=1e-8)
        assert len(tags) == 1 and tags[0].startswith("obs ")


def test_ds9_colours_and_groups_match_plot_sky(demo):
    asns = demo.asn.generate()
    text = ds9_regions(asns, pool=demo)
    assert "coloured by Level 3 association" in text
    plot = asnkit.plot_sky(asns, pool=demo)
    import matplotlib.pyplot as plt

    plt.close(plot.ax.figure)
    hexes = {label: to_hex(color) for label, color in plot.colors.items()}
    for _, color, name, tags in parse(text):
        assert tags, name  # every demo exposure is in a Level 3 association
        assert set(tags) <= set(hexes) and color == hexes[tags[0]]
    # an exposure in its observation's association and in the a3001 mosaic has both tags
    first = next(p for p in parse(text) if p[2].startswith("jw99999001001_02101_00001_nrca1"))
    assert sorted(first[3]) == [
        "jw99999-a3001_t001_nircam_clear-f150w",
        "jw99999-o001_t001_nircam_clear-f150w",
    ]


def test_ds9_multi_polygon_unsafe_text_and_undrawn_rows():
    pool = pd.DataFrame(
        {
            "filename": ["a{b}_cal.fits", "c_cal.fits", "d_cal.fits"],
            "s_region": [
                "POLYGON ICRS 10 0 10.1 0 10.1 0.1 POLYGON ICRS 11 0 11.1 0 11.1 0.1",
                "POLYGON ICRS 10.5 0 10.6 0 10.6 0.1",
                "",
            ],
        }
    )
    text = ds9_regions(pool, color_by="none")
    polygons = parse(text)
    assert [p[2] for p in polygons] == ["a_b__cal.fits", "a_b__cal.fits", "c_cal.fits"]
    assert "# 1 exposure(s) without sky information left out" in text


def test_write_ds9_is_atomic_and_never_overwrites(tmp_path, demo, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = write_ds9("demo.reg", demo)
    assert written == (tmp_path / "demo.reg") and written.is_absolute()
    before = written.read_text()
    with pytest.raises(FileExistsError, match="overwrite"):
        write_ds9("demo.reg", demo.iloc[:3])
    assert written.read_text() == before
    write_ds9(written, demo.iloc[:3], overwrite=True)
    assert len(parse(written.read_text())) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["demo.reg"]  # no temporary file left


def test_to_regions_needs_the_regions_package(demo, monkeypatch):
    monkeypatch.setitem(sys.modules, "regions", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install regions"):
        to_regions(demo)


def test_to_regions_gives_sky_polygons(demo):
    regions = pytest.importorskip("regions")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = to_regions(demo.iloc[:5], color_by="detector")
    assert len(found) == 5 and all(isinstance(r, regions.PolygonSkyRegion) for r in found)
    fp = asnkit.footprints(demo.iloc[:5])
    for region, (_, row) in zip(found, fp.iterrows(), strict=True):
        np.testing.assert_allclose(region.vertices.ra.deg, row["polygons"][0][:, 0], atol=1e-8)
        assert region.meta["text"] == row["filename"]


def test_ds9_regions_checks_its_pool_and_data_as_plot_sky_does(demo):
    asns = demo.asn.generate()
    with pytest.raises(PoolTypeError, match=r"^ds9_regions: pool= must be a DataFrame .*'p\.csv'$"):
        ds9_regions(asns, pool="p.csv")
    with pytest.raises(PoolError, match=r"^ds9_regions needs the pool the associations came"):
        ds9_regions(asns)
    with pytest.raises(PoolTypeError, match=r"^ds9_regions: data must be a pool DataFrame"):
        ds9_regions(["a_uncal.fits"])
