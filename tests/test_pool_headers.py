"""pool_from_files: asn_make_pool's job from FITS headers only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits

import asnkit
from asnkit import PoolError, PoolWarning
from asnkit.pool.headers import SKY_COLUMNS
from tests.helpers import DATA, EXPOSURES

NIRCAM = sorted(EXPOSURES.glob("*.fits"))
SYNTHETIC = sorted((EXPOSURES / "synthetic_no_sregion").glob("*.fits"))
#: What jwst 3.0.0 ``asn_make_pool`` wrote for the same files (run in their folder).
JWST_POOLS = DATA / "make_pool"


def test_test_data_is_there():
    assert len(NIRCAM) == 3 and len(SYNTHETIC) == 18


def test_one_row_per_file_with_dms_columns_from_real_nircam_headers():
    pool = asnkit.pool_from_files(NIRCAM)
    assert pool["filename"].tolist() == [p.name for p in NIRCAM]
    assert pool.columns[0] == "filename"
    assert all(c == c.lower() for c in pool.columns)
    assert (pool["asn_candidate"] == "[('o001', 'observation')]").all()
    assert asnkit.parse_candidates(pool["asn_candidate"].iat[0]) == (("o001", "observation"),)
    assert (pool["obs_num"] == "001").all()
    assert (pool["targetid"] == "1").all()
    assert (pool["pntgtype"] == "science").all()
    assert (pool["is_imprt"] == "f").all()
    assert (pool["mostilno"] == "1").all() and (pool["dithptin"] == "1").all()
    assert pool["dms_note"].isna().all()
    assert pool.attrs == {"asn_pool": "in-memory", "pool_file": "in-memory"}


def test_sky_columns_come_from_the_sci_header():
    pool = asnkit.pool_from_files(NIRCAM)
    assert set(SKY_COLUMNS) <= set(pool.columns)
    for path, (_, row) in zip(NIRCAM, pool.iterrows(), strict=True):
        sci = fits.getheader(path, "SCI")
        primary = fits.getheader(path)
        assert row["s_region"] == sci["S_REGION"].strip()
        assert float(row["ra_ref"]) == sci["RA_REF"]
        assert float(row["v3i_yang"]) == sci["V3I_YANG"]
        assert row["apername"] == primary["APERNAME"]
        assert float(row["targ_dec"]) == primary["TARG_DEC"]
    assert "xtension" not in pool.columns and "extname" not in pool.columns


def test_synthetic_headers_give_pointing_and_missing_s_region():
    pool = asnkit.pool_from_files(SYNTHETIC)
    assert len(pool) == 18
    assert pool["s_region"].isna().all()  # empty S_REGION is missing
    for column in ("ra_ref", "dec_ref", "roll_ref", "v2_ref", "v3_ref", "vparity", "apername"):
        assert pool[column].notna().all(), column
    assert np.isfinite(pd.to_numeric(pool["ra_ref"])).all()


@pytest.mark.parametrize(("name", "files"), [("nircam", NIRCAM), ("synthetic", SYNTHETIC)])
def test_same_values_as_jwst_asn_make_pool(name, files):
    """Every column asn_make_pool writes holds the same values (t/f for its True/False)."""
    reference = asnkit.read_pool(JWST_POOLS / f"jwst_asn_make_pool_{name}.csv")
    ours = asnkit.pool_from_files(files)
    assert set(reference.columns) <= set(ours.columns)
    reference = reference.set_index("filename").loc[ours["filename"]]
    ours = ours.set_index("filename")

    def normal(values):
        return values.str.lower().replace({"true": "t", "false": "f"})

    for column in reference.columns:
        pd.testing.assert_series_equal(normal(ours[column]), normal(reference[column]))


def test_target_ids_are_numbered_by_target_name_in_file_order():
    pool = asnkit.pool_from_files([*SYNTHETIC[:2], NIRCAM[0], SYNTHETIC[2]])
    assert pool["targetid"].tolist() == ["1", "1", "2", "1"]


def test_extra_candidates_and_overrides():
    pool = asnkit.pool_from_files(
        NIRCAM[:1], candidates=[("c1000", "background")], pntgtype="target_acquisition"
    )
    assert pool["asn_candidate"].iat[0] == "[('o001', 'observation'), ('c1000', 'background')]"
    assert pool["pntgtype"].iat[0] == "target_acquisition"
    text = asnkit.pool_from_files(NIRCAM[:1], candidates="[('c1001', 'mosaic')]")
    assert asnkit.parse_candidates(text["asn_candidate"].iat[0])[1] == ("c1001", "mosaic")
    with pytest.raises(PoolError, match="cannot read candidates"):
        asnkit.pool_from_files(NIRCAM[:1], candidates="[c1001]")


def test_acquisition_exposures_get_target_acquisition_pointing(tmp_path):
    path = tmp_path / "ta.fits"
    fits.PrimaryHDU(header=fits.Header({"OBSERVTN": "2", "EXP_TYPE": "NRC_TACQ"})).writeto(path)
    pool = asnkit.pool_from_files(path)  # a single path is fine too
    assert pool["pntgtype"].tolist() == ["target_acquisition"]
    assert pool["asn_candidate"].tolist() == ["[('o002', 'observation')]"]
    assert asnkit.science(pool).empty


@pytest.mark.filterwarnings("ignore:File may have been truncated")
def test_headers_only_data_never_read(tmp_path):
    """A file cut right after its headers still works: the data are never read."""
    source = NIRCAM[0]
    with fits.open(source) as hdul:
        sci_offset = hdul.fileinfo(1)["datLoc"]
    cut = tmp_path / source.name
    cut.write_bytes(source.read_bytes()[:sci_offset])
    pool = asnkit.pool_from_files([cut])
    full = asnkit.pool_from_files([source])
    pd.testing.assert_frame_equal(pool, full)


def test_round_trips_through_write_and_read(tmp_path):
    pool = asnkit.pool_from_files(NIRCAM + SYNTHETIC)
    target = tmp_path / "made_pool.csv"
    asnkit.write_pool(pool, target)
    pd.testing.assert_frame_equal(asnkit.read_pool(target), pool, check_dtype=False)


def test_bad_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing_uncal\.fits"):
        asnkit.pool_from_files([tmp_path / "missing_uncal.fits"])
    text = tmp_path / "notes.txt"
    text.write_text("not FITS at all\n")
    with pytest.raises(PoolError, match=r"notes\.txt: not a readable FITS file"):
        asnkit.pool_from_files([NIRCAM[0], text])
    empty = tmp_path / "empty.fits"
    empty.write_bytes(b"")
    with pytest.raises(PoolError, match=r"empty\.fits"):
        asnkit.pool_from_files([empty])
    with pytest.raises(PoolError, match="no exposure files"):
        asnkit.pool_from_files([])
    no_obs = tmp_path / "no_obs.fits"
    fits.PrimaryHDU().writeto(no_obs)
    with pytest.raises(PoolError, match=r"no_obs\.fits: no OBSERVTN"):
        asnkit.pool_from_files([no_obs])


def test_same_file_name_twice_warns(tmp_path):
    copy = tmp_path / NIRCAM[0].name
    copy.write_bytes(NIRCAM[0].read_bytes())
    with pytest.warns(PoolWarning, match="more than once"):
        pool = asnkit.pool_from_files([NIRCAM[0], copy])
    assert len(pool) == 2
