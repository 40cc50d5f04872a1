#!/usr/bin/env python
"""Write asnkit's SIMULATED NIRCam imaging demo program: header-only FITS files and their pool.

THE PROGRAM IS SIMULATED. No telescope took these exposures: program 99999 does
not exist, the files hold headers only (no pixels), and every header says so.
What *is* real is the geometry: the detector apertures and their placement in
the telescope focal plane come from the JWST Science Instrument Aperture File
(SIAF, through ``pysiaf``, offline), and the sky coordinates (``S_REGION``,
``RA_REF``/``DEC_REF``/``ROLL_REF``) are computed from a spacecraft attitude
with the same rotations the DMS uses, so footprints drawn from these headers
look like a real NIRCam module-A program.

The program (target field "SIM-DEEP-FIELD"; module A: four short-wave
detectors NRCA1-4 in F150W and the long-wave detector NRCALONG in F444W, all
exposed at the same time):

- observation 001: a 2x2 mosaic (tiles 1-4, one visit per tile), each tile a
  4-point INTRAMODULEBOX dither;
- observation 002: two more tiles north of observation 001 (tiles 1-2 of its own
  mosaic), also 4-point dithers; together with 001 it makes a 3x2 mosaic that
  no DMS candidate association combines (one per observation; only the
  discovered a3001 association, made for the common target, spans both);
- observation 003: a dedicated background field ~8 arcmin away (BKGDTARG = T),
  one 4-point dither.

That is 28 pointings x 5 detectors = 140 files, written to
``asnkit/data/demo/exposures/`` with the pool ``jw99999_simulated_pool.csv``
next to them.

Usage::

    python scripts/make_demo_program.py [--out asnkit/data/demo] [--overwrite]

The output is deterministic: running the script twice gives identical files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits

__all__ = ["Exposure", "build_exposures", "main", "write_program"]

log = logging.getLogger("make_demo_program")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "asnkit" / "data" / "demo"
POOL_NAME = "jw99999_simulated_pool.csv"

PROGRAM = "99999"
SIM_NOTE = "SIMULATED asnkit demo data: not a real JWST exposure"
FIELD = "SIM-DEEP-FIELD"
BKG_FIELD = "SIM-DEEP-FIELD-BKG"
FIELD_RA, FIELD_DEC = 150.1000, 2.2000  # mosaic centre of observation 001
BKG_RA, BKG_DEC = 150.2400, 2.1000  # ~8.6 arcmin away: an empty background field
PA_APER = 70.0  # position angle (deg E of N) of the ideal Y axis at the pointing reference

POINTING_APERTURE = "NRCAS_FULL"  # centre of module A short-wave: the pointing reference
#: detector -> (SIAF aperture, channel, filter)
DETECTORS = {
    "NRCA1": ("NRCA1_FULL", "SHORT", "F150W"),
    "NRCA2": ("NRCA2_FULL", "SHORT", "F150W"),
    "NRCA3": ("NRCA3_FULL", "SHORT", "F150W"),
    "NRCA4": ("NRCA4_FULL", "SHORT", "F150W"),
    "NRCALONG": ("NRCA5_FULL", "LONG", "F444W"),
}
#: 4-point box dither (ideal-frame offsets, arcsec) that fills the ~5" gaps between detectors
DITHER = ((-2.9, -2.6), (2.9, -2.6), (2.9, 2.6), (-2.9, 2.6))
TILE_STEP = 120.0  # arcsec between mosaic tiles: module A is ~130" across, ~10" overlap
#: observation -> (target, bkgdtarg, [tile offsets in units of TILE_STEP], label)
OBSERVATIONS = {
    "001": (FIELD, False, [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)], "2x2 mosaic"),
    "002": (FIELD, False, [(1.5, -0.5), (1.5, 0.5)], "mosaic extension north"),
    "003": (BKG_FIELD, True, [(0.0, 0.0)], "dedicated background"),
}
MJD0 = 61041.25  # 2026-01-01T06:00 UTC
EXPTIME = 590.602  # s, MEDIUM8 x 6 groups-ish: plausible, not modelled
DATE = "2026-01-05T00:00:00.000"


@dataclass(frozen=True)
class Exposure:
    """One simulated exposure (one detector at one pointing)."""

    filename: str
    primary: fits.Header
    sci: fits.Header


def _siaf():
    """The NIRCam SIAF, loaded quietly (pysiaf prints a harmless PRD-version notice)."""
    quiet = logging.getLogger("pysiaf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import pysiaf

            return pysiaf.Siaf("NIRCam")
    finally:
        quiet.setLevel(level)


def _pointing_attitude(siaf, ra0: float, dec0: float, dx: float, dy: float) -> np.ndarray:
    """Attitude matrix that puts the pointing aperture's reference at ideal offset (dx, dy).

    The base attitude puts the reference point of :data:`POINTING_APERTURE` on
    (ra0, dec0) with its ideal Y axis at :data:`PA_APER`. A mosaic or dither
    offset moves the telescope so that the reference point lands on the sky
    position that had ideal coordinates (dx, dy) in the base attitude; the
    orientation is carried along (the V3 position angle at the new reference
    point is the one the base attitude had there).
    """
    from pysiaf.utils import rotations

    ref = siaf[POINTING_APERTURE]
    # V3 position angle at the reference point, from the aperture position angle
    pa_v3 = PA_APER - ref.V3IdlYAngle
    base = rotations.attitude(ref.V2Ref, ref.V3Ref, ra0, dec0, pa_v3)
    v2, v3 = ref.idl_to_tel(dx, dy)
    ra, dec = rotations.pointing(base, v2, v3)
    pa = rotations.posangle(base, v2, v3)
    return rotations.attitude(ref.V2Ref, ref.V3Ref, float(ra), float(dec), float(pa))


def _sky(aperture, attitude: np.ndarray) -> dict[str, float | str]:
    """Pointing keywords and S_REGION of one detector aperture under an attitude."""
    from pysiaf.utils import rotations

    aperture.set_attitude_matrix(attitude)
    ra_ref, dec_ref = aperture.tel_to_sky(aperture.V2Ref, aperture.V3Ref)
    xi, yi = aperture.corners("idl")
    ra, dec = aperture.idl_to_sky(xi, yi)
    corners = " ".join(f"{r:.9f} {d:.9f}" for r, d in zip(ra, dec, strict=True))
    ra_v1, dec_v1 = rotations.pointing(attitude, 0.0, 0.0)
    return {
        "ra_ref": float(ra_ref),
        "dec_ref": float(dec_ref),
        "roll_ref": float(rotations.posangle(attitude, aperture.V2Ref, aperture.V3Ref)),
        "ra_v1": float(ra_v1),
        "dec_v1": float(dec_v1),
        "pa_v3": float(rotations.posangle(attitude, 0.0, 0.0)),
        "s_region": f"POLYGON ICRS  {corners}",
    }


def _primary(**kw) -> fits.Header:
    h = fits.Header()
    h["DATE"] = (DATE, "UTC date file created")
    h["ORIGIN"] = ("ASNKIT-SIM", "SIMULATED by scripts/make_demo_program.py")
    h["FILENAME"] = (kw["filename"], "Name of the file")
    h["DATAMODL"] = ("Level1bModel", "Type of data model")
    h["TELESCOP"] = ("JWST", "Telescope used to acquire the data")
    h["TITLE"] = ("SIMULATED asnkit demo: NIRCam mosaic", "Proposal title")
    h["PI_NAME"] = ("Simulated, Demo", "Principal investigator name")
    h["DATE-OBS"] = (kw["date_obs"], "[yyyy-mm-dd] UTC date at start of exposure")
    h["TIME-OBS"] = (kw["time_obs"], "[hh:mm:ss.sss] UTC time at start of exposure")
    h["OBS_ID"] = (kw["obs_id"], "Programmatic observation identifier")
    h["VISIT_ID"] = (kw["visit_id"], "Visit identifier")
    h["PROGRAM"] = (PROGRAM, "Program number")
    h["OBSERVTN"] = (kw["observtn"], "Observation number")
    h["VISIT"] = (kw["visit"], "Visit number")
    h["VISITGRP"] = ("02", "Visit group identifier")
    h["SEQ_ID"] = ("1", "Parallel sequence identifier")
    h["ACT_ID"] = ("01", "Activity identifier")
    h["EXPOSURE"] = (kw["exposure"], "Exposure request number")
    h["BKGDTARG"] = (kw["bkgdtarg"], "Background target")
    h["TEMPLATE"] = ("NIRCam Imaging", "Observation template used")
    h["OBSLABEL"] = (kw["obslabel"], "Proposer label for the observation")
    h["VISITYPE"] = ("PRIME_TARGETED_FIXED", "Visit type")
    h["NEXPOSUR"] = (kw["nexposur"], "Total number of planned exposures in visit")
    h["TSOVISIT"] = (False, "Time Series Observation visit indicator")
    h["TARGPROP"] = (kw["targname"], "Proposer's name for the target")
    h["TARGNAME"] = (kw["targname"], "Standard astronomical catalog name for target")
    h["TARGTYPE"] = ("FIXED", "Type of target (fixed, moving, generic)")
    h["TARG_RA"] = (kw["targ_ra"], "Target RA at mid time of exposure")
    h["TARG_DEC"] = (kw["targ_dec"], "Target Dec at mid time of exposure")
    h["INSTRUME"] = ("NIRCAM", "Instrument used to acquire the data")
    h["DETECTOR"] = (kw["detector"], "Name of detector used to acquire the data")
    h["MODULE"] = ("A", "NIRCam module: A, B, or MULTIPLE")
    h["CHANNEL"] = (kw["channel"], "Instrument channel")
    h["FILTER"] = (kw["filter"], "Name of the filter element used")
    h["PUPIL"] = ("CLEAR", "Name of the pupil element used")
    h["EXPCOUNT"] = (kw["expcount"], "Running count of exposures in visit")
    h["EXPRIPAR"] = ("PRIME", "Prime or parallel exposure")
    h["EXP_TYPE"] = ("NRC_IMAGE", "Type of data in the exposure")
    h["EXPSTART"] = (kw["expstart"], "[d] exposure start time in MJD")
    h["EXPMID"] = (kw["expstart"] + EXPTIME / 172800, "[d] exposure mid time in MJD")
    h["EXPEND"] = (kw["expstart"] + EXPTIME / 86400, "[d] exposure end time in MJD")
    h["READPATT"] = ("MEDIUM8", "Readout pattern")
    h["NINTS"] = (1, "Number of integrations in exposure")
    h["NGROUPS"] = (6, "Number of groups in integration")
    h["EFFEXPTM"] = (EXPTIME, "[s] Effective exposure time")
    h["SUBARRAY"] = ("FULL", "Subarray used")
    h["PATTTYPE"] = ("INTRAMODULEBOX", "Primary dither pattern type")
    h["PRIDTPTS"] = (len(DITHER), "Number of points in primary dither pattern")
    h["PATT_NUM"] = (kw["patt_num"], "Position number within dither pattern")
    h["NUMDTHPT"] = (len(DITHER), "Total number of points in pattern")
    h["SUBPXPTS"] = (1, "Number of points in subpixel dither pattern")
    h["XOFFSET"] = (kw["xoffset"], "x offset from pattern starting position")
    h["YOFFSET"] = (kw["yoffset"], "y offset from pattern starting position")
    h["MOSTILNO"] = (kw["mostilno"], "Mosaic tile number")
    h["APERNAME"] = (kw["apername"], "PRD science aperture used")
    h["PPS_APER"] = (POINTING_APERTURE, "original AperName supplied by PPS")
    h["COMMENT"] = SIM_NOTE
    h["COMMENT"] = "Header only: no pixel data. Geometry from the JWST SIAF (pysiaf)."
    return h


def _sci(sky: dict[str, float | str], aperture) -> fits.Header:
    h = fits.Header()
    h["EXTNAME"] = ("SCI", "extension name")
    h["RADESYS"] = ("ICRS", "Name of the coordinate reference frame")
    h["RA_V1"] = (sky["ra_v1"], "[deg] RA of telescope V1 axis")
    h["DEC_V1"] = (sky["dec_v1"], "[deg] Dec of telescope V1 axis")
    h["PA_V3"] = (sky["pa_v3"], "[deg] Position angle of telescope V3 axis")
    h["S_REGION"] = (sky["s_region"], "spatial extent of the observation")
    h["V2_REF"] = (round(aperture.V2Ref, 6), "[arcsec] Telescope V2 coord of reference point")
    h["V3_REF"] = (round(aperture.V3Ref, 6), "[arcsec] Telescope V3 coord of reference point")
    h["VPARITY"] = (int(aperture.VIdlParity), "Relative sense of rotation Ideal xy vs V2V3")
    h["V3I_YANG"] = (aperture.V3IdlYAngle, "[deg] Angle from V3 axis to Ideal y axis")
    h["RA_REF"] = (sky["ra_ref"], "[deg] Right ascension of the reference point")
    h["DEC_REF"] = (sky["dec_ref"], "[deg] Declination of the reference point")
    h["ROLL_REF"] = (sky["roll_ref"], "[deg] V3 roll angle at the ref point (N over E)")
    h["COMMENT"] = SIM_NOTE
    return h


def _mjd_to_date_time(mjd: float) -> tuple[str, str]:
    from astropy.time import Time

    iso = Time(mjd, format="mjd", scale="utc").isot  # 2026-01-10T06:00:00.000
    date, time = iso.split("T")
    return date, time


def build_exposures() -> Iterator[Exposure]:
    """Every exposure of the simulated program, in observing order."""
    siaf = _siaf()
    mjd = MJD0
    for observtn, (target, bkgdtarg, tiles, label) in OBSERVATIONS.items():
        ra0, dec0 = (BKG_RA, BKG_DEC) if bkgdtarg else (FIELD_RA, FIELD_DEC)
        for tile_index, (tx, ty) in enumerate(tiles, start=1):
            visit = f"{tile_index:03d}"
            visit_id = f"{PROGRAM}{observtn}{visit}"
            for patt_num, (ddx, ddy) in enumerate(DITHER, start=1):
                dx, dy = tx * TILE_STEP + ddx, ty * TILE_STEP + ddy
                attitude = _pointing_attitude(siaf, ra0, dec0, dx, dy)
                date_obs, time_obs = _mjd_to_date_time(mjd)
                for detector, (apername, channel, filt) in DETECTORS.items():
                    aperture = siaf[apername]
                    sky = _sky(aperture, attitude)
                    filename = f"jw{visit_id}_02101_{patt_num:05d}_{detector.lower()}_uncal.fits"
                    primary = _primary(
                        filename=filename,
                        date_obs=date_obs,
                        time_obs=time_obs,
                        obs_id=f"V{visit_id}P0000000002101",
                        visit_id=visit_id,
                        observtn=observtn,
                        visit=visit,
                        exposure=str(patt_num),
                        bkgdtarg=bkgdtarg,
                        obslabel=f"SIMULATED {label}",
                        nexposur=len(DITHER) * len(DETECTORS),
                        targname=target,
                        targ_ra=ra0,
                        targ_dec=dec0,
                        detector=detector,
                        channel=channel,
                        filter=filt,
                        expcount=patt_num,
                        expstart=round(mjd, 8),
                        patt_num=patt_num,
                        xoffset=ddx,
                        yoffset=ddy,
                        mostilno=tile_index,
                        apername=apername,
                    )
                    yield Exposure(filename, primary, _sci(sky, aperture))
                mjd += (EXPTIME + 60.0) / 86400  # exposure + small-angle manoeuvre
            mjd += 600.0 / 86400  # visit overheads


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fits_bytes(exposure: Exposure) -> bytes:
    hdul = fits.HDUList(
        [fits.PrimaryHDU(header=exposure.primary), fits.ImageHDU(header=exposure.sci)]
    )
    buffer = io.BytesIO()
    hdul.writeto(buffer, output_verify="exception", checksum=False)
    return buffer.getvalue()


POOL_COMMENTS = [
    "SIMULATED association pool of the asnkit demo program (program 99999).",
    "Not a real JWST program: made by scripts/make_demo_program.py from the",
    "simulated header-only exposures in exposures/ (geometry from the JWST SIAF).",
    "obs 001: NIRCam 2x2 mosaic, 4-point dither, F150W (NRCA1-4) + F444W (NRCALONG)",
    "obs 002: two more tiles north of obs 001 (same set-up)",
    "obs 003: dedicated background field (BKGDTARG = T), 4-point dither",
]


_SKIP = {
    "SIMPLE",
    "BITPIX",
    "NAXIS",
    "EXTEND",
    "XTENSION",
    "PCOUNT",
    "GCOUNT",
    "EXTNAME",
    "COMMENT",
}


def _pool_body_fallback(paths: list[Path]) -> str:
    """Temporary pool writer (mkpool-style columns) used until asnkit.pool_from_files exists."""
    rows = []
    targets: dict[str, int] = {}
    for path in paths:
        with fits.open(path) as hdul:
            row = {}
            for hdu in hdul[:2]:
                for key, value in hdu.header.items():
                    if key in _SKIP:
                        continue
                    if isinstance(value, bool):
                        value = "T" if value else "F"
                    row[key.lower()] = str(value)
        targets.setdefault(row["targname"], len(targets) + 1)
        row.update(
            asn_candidate=f"[('o{row['observtn']}', 'observation')]",
            obs_num=str(int(row["observtn"])),
            targetid=str(targets[row["targname"]]),
            pntgtype="science",
            is_imprt="F",
            dithptin=row["patt_num"],
            dms_note="NULL",
        )
        rows.append(row)
    columns = list(rows[0])
    lines = ["|".join(c.upper() for c in columns)]
    lines += ["|".join(r.get(c, "NULL") for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def _pool_text(paths: list[Path]) -> str:
    """The pool of the exposures (via asnkit.pool_from_files), with SIMULATED comments."""
    import asnkit

    try:
        pool = asnkit.pool_from_files(paths)
    except (ImportError, AttributeError):  # pragma: no cover - until pool_from_files lands
        body = _pool_body_fallback(paths)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / POOL_NAME
            asnkit.write_pool(pool, target)
            body = target.read_text()
    comments = "".join(f"# {line}\n" for line in POOL_COMMENTS)
    return comments + body


def write_program(out: Path = DEFAULT_OUT, *, overwrite: bool = False) -> list[Path]:
    """Write the exposures and the pool under ``out``; return the paths written.

    Refuses to replace existing files unless ``overwrite=True``; with it, stale
    ``.fits`` files of an earlier run are removed so the folder matches the program.
    """
    exposures = list(build_exposures())
    exp_dir = out / "exposures"
    pool_path = out / POOL_NAME
    targets = [exp_dir / e.filename for e in exposures] + [pool_path]
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{len(existing)} demo file(s) exist already, e.g. {existing[0]}; "
            "pass --overwrite to replace them"
        )
    exp_dir.mkdir(parents=True, exist_ok=True)
    if overwrite:
        wanted = {e.filename for e in exposures}
        for stale in exp_dir.glob("*.fits"):
            if stale.name not in wanted:
                stale.unlink()
    for exposure in exposures:
        _write_atomic(exp_dir / exposure.filename, _fits_bytes(exposure))
    paths = [exp_dir / e.filename for e in exposures]
    _write_atomic(pool_path, _pool_text(paths).encode())
    log.info("wrote %d exposures and %s", len(exposures), pool_path)
    return [*paths, pool_path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        written = write_program(args.out, overwrite=args.overwrite)
    except FileExistsError as exc:
        print(f"make_demo_program: {exc}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({size / 1e6:.2f} MB) under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
