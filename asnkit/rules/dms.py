"""DMS vocabulary shared by the Level 2b and Level 3 rule sets.

Exposure-type tables, the values that count as "no value", member roles
(``exptype``), valid optical paths, and the product-name builders. Facts taken
from the reference generator (jwst 3.0.0 ``associations.lib.dms_base`` and the
rule bases); the code is asnkit's.

Every function that looks at an exposure takes ``item`` (a mapping of
lower-case column name to lower-case text, ``"null"`` when missing) and, where
the association matters, ``asn`` (the engine's association state; see
:class:`asnkit.engine.state.AsnState`).

Examples
--------
>>> is_empty("null"), is_empty("F"), is_empty("t")
(True, True, False)
>>> exposure_type({"pntgtype": "science", "exp_type": "nrc_image", "is_psf": "t"})
'psf'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "ACQ_EXP_TYPES",
    "CORON_EXP_TYPES",
    "DEGRADED_NOTOK",
    "DEGRADED_OK",
    "DETECTORS",
    "EMPTY",
    "EXPTYPE_MAP",
    "IMAGE2_NONSCIENCE_EXP_TYPES",
    "IMAGE2_SCIENCE_EXP_TYPES",
    "IMAGING_EXP_TYPES",
    "KNOWN_SUFFIXES",
    "LEVEL2B_EXPTYPES",
    "SPEC2_SCIENCE_EXP_TYPES",
    "SPEC_EXP_TYPES",
    "TSO_EXP_TYPES",
    "detector_info",
    "exposure_type",
    "first_value",
    "format_template",
    "is_empty",
    "nissoss_calibrated_filter",
    "nrccoron_valid_detector",
    "nrsfss_valid_detector",
    "nrsifu_valid_detector",
    "nrslamp_valid_detector",
    "remove_suffix",
]

#: ``degraded_status`` when no member has an exposure error.
DEGRADED_OK = "No known degraded exposures in association."
#: ``degraded_status`` when some member has an exposure error (``exposerr`` set).
DEGRADED_NOTOK = (
    "One or more members have an error associated with them."
    "\nDetails can be found in the member.exposerr attribute."
)

#: Values that mean "not set" (compared on lower-case text).
EMPTY = frozenset({"", "null", "--", "n", "f", "false", "n/a"})

ACQ_EXP_TYPES = (
    "mir_tacq",
    "mir_taconfirm",
    "nis_taconfirm",
    "nis_tacq",
    "nrc_taconfirm",
    "nrc_tacq",
    "nrs_confirm",
    "nrs_msata",
    "nrs_taconfirm",
    "nrs_tacq",
    "nrs_taslit",
    "nrs_verify",
    "nrs_wata",
)

EXPTYPE_MAP = {
    "mir_darkall": "dark",
    "mir_darkimg": "dark",
    "mir_darkmrs": "dark",
    "mir_flatimage": "flat",
    "mir_flatmrs": "flat",
    "mir_flatimage-ext": "flat",
    "mir_flatmrs-ext": "flat",
    "mir_tacq": "target_acquisition",
    "mir_taconfirm": "target_acquisition",
    "nis_dark": "dark",
    "nis_focus": "engineering",
    "nis_lamp": "engineering",
    "nis_tacq": "target_acquisition",
    "nis_taconfirm": "target_acquisition",
    "nrc_dark": "dark",
    "nrc_flat": "flat",
    "nrc_focus": "engineering",
    "nrc_led": "engineering",
    "nrc_tacq": "target_acquisition",
    "nrc_taconfirm": "target_acquisition",
    "nrs_autoflat": "autoflat",
    "nrs_autowave": "autowave",
    "nrs_confirm": "target_acquisition",
    "nrs_dark": "dark",
    "nrs_focus": "engineering",
    "nrs_image": "engineering",
    "nrs_lamp": "engineering",
    "nrs_msata": "target_acquisition",
    "nrs_tacq": "target_acquisition",
    "nrs_taconfirm": "target_acquisition",
    "nrs_taslit": "target_acquisition",
    "nrs_wata": "target_acquisition",
}

CORON_EXP_TYPES = ("mir_4qpm", "mir_lyot", "nrc_coron")
IMAGE2_SCIENCE_EXP_TYPES = (
    "fgs_image",
    "mir_4qpm",
    "mir_image",
    "mir_lyot",
    "nis_ami",
    "nis_image",
    "nrc_coron",
    "nrc_image",
    "nrs_mimf",
    "nrc_tsimage",
)
IMAGE2_NONSCIENCE_EXP_TYPES = (
    "mir_coroncal",
    "nis_focus",
    "nrc_focus",
    "nrs_focus",
    "nrs_image",
    *ACQ_EXP_TYPES,
)
SPEC2_SCIENCE_EXP_TYPES = (
    "mir_lrs-fixedslit",
    "mir_lrs-slitless",
    "mir_mrs",
    "mir_wfss",
    "nis_soss",
    "nis_wfss",
    "nrc_tsgrism",
    "nrc_wfss",
    "nrs_fixedslit",
    "nrs_ifu",
    "nrs_msaspec",
    "nrs_brightobj",
)
LEVEL2B_EXPTYPES = frozenset(
    IMAGE2_SCIENCE_EXP_TYPES + IMAGE2_NONSCIENCE_EXP_TYPES + SPEC2_SCIENCE_EXP_TYPES
)
TSO_EXP_TYPES = ("nrc_tsimage", "nrc_tsgrism", "nrs_brightobj")
#: Imaging exposure types (jwst 3.0.0 ``jwst.lib.exposure_types.IMAGING_TYPES``).
IMAGING_EXP_TYPES = frozenset(
    ACQ_EXP_TYPES + IMAGE2_SCIENCE_EXP_TYPES + IMAGE2_NONSCIENCE_EXP_TYPES
    + ("fgs_image", "fgs_focus")
)  # fmt: skip
#: Spectroscopic exposure types (jwst 3.0.0 ``jwst.lib.exposure_types.SPEC_TYPES``).
#: NIRSpec exposures with grating ``mirror`` are images all the same (MSA confirmation).
SPEC_EXP_TYPES = frozenset(SPEC2_SCIENCE_EXP_TYPES)

#: Detector name (``DETECTOR``, and the detector field of exposure file names) ->
#: ``(instrument, channel)``; the channel is NIRCam's ``short`` / ``long`` (else None).
DETECTORS = {
    **{f"nrc{m}{n}": ("nircam", "short") for m in "ab" for n in "1234"},
    **{f"nrc{m}{n}": ("nircam", "long") for m in "ab" for n in ("long", "5")},
    "nrs1": ("nirspec", None),
    "nrs2": ("nirspec", None),
    "mirimage": ("miri", None),
    "mirifulong": ("miri", None),
    "mirifushort": ("miri", None),
    "nis": ("niriss", None),
    "guider1": ("fgs", None),
    "guider2": ("fgs", None),
}
_SPECIAL_MODIFIERS = (("psf", "is_psf"), ("imprint", "is_imprt"), ("background", "bkgdtarg"))

NRS_FSS_VALID_OPTICAL_PATHS = frozenset(
    [
        ("a", "prism", "clear", "nrs1"),
        ("a", "g395h", "f290lp", "nrs1"),
        ("a", "g395h", "f290lp", "nrs2"),
        ("a", "g235h", "f170lp", "nrs1"),
        ("a", "g235h", "f170lp", "nrs2"),
        ("a", "g140h", "f100lp", "nrs1"),
        ("a", "g140h", "f100lp", "nrs2"),
        ("a", "g140h", "f070lp", "nrs1"),
        ("a", "g395m", "f290lp", "nrs1"),
        ("a", "g235m", "f170lp", "nrs1"),
        ("a", "g140m", "f100lp", "nrs1"),
        ("a", "g140m", "f070lp", "nrs1"),
        ("s200b1", "prism", "clear", "nrs2"),
        ("s200b1", "g395h", "f290lp", "nrs2"),
        ("s200b1", "g235h", "f170lp", "nrs2"),
        ("s200b1", "g140h", "f100lp", "nrs2"),
        ("s200b1", "g140h", "f070lp", "nrs1"),
        ("s200b1", "g140h", "f070lp", "nrs2"),
        ("s200b1", "g395m", "f290lp", "nrs2"),
        ("s200b1", "g235m", "f170lp", "nrs2"),
        ("s200b1", "g140m", "f100lp", "nrs2"),
        ("s200b1", "g140m", "f070lp", "nrs1"),
        ("s200b1", "g140m", "f070lp", "nrs2"),
    ]
)
_LAMP_GRATINGS = {
    "prism": ("line4", "flat5", "test"),
    "g395h": ("flat3", "line3"),
    "g235h": ("flat2", "line2"),
    "g140h": ("flat1", "ref", "line1", "flat4"),
    "g395m": ("flat3", "line3"),
    "g235m": ("flat2", "line2"),
    "g140m": ("flat1", "line1", "flat4"),
}
NRS_FSS_VALID_LAMP_OPTICAL_PATHS = frozenset(
    (grating, lamp, detector)
    for grating, lamps in _LAMP_GRATINGS.items()
    for lamp in lamps
    for detector in ("nrs1", "nrs2")
)
NRS_IFU_VALID_OPTICAL_PATHS = frozenset(
    [
        ("prism", "clear", "nrs1"),
        ("g140m", "f070lp", "nrs1"),
        ("g140m", "f100lp", "nrs1"),
        ("g235m", "f170lp", "nrs1"),
        ("g395m", "f290lp", "nrs1"),
        ("g140h", "f070lp", "nrs1"),
        ("g140h", "f100lp", "nrs1"),
        ("g140h", "f100lp", "nrs2"),
        ("g235h", "f170lp", "nrs1"),
        ("g235h", "f170lp", "nrs2"),
        ("g395h", "f290lp", "nrs1"),
        ("g395h", "f290lp", "nrs2"),
    ]
)

#: Pipeline file-name suffixes that product names drop (jwst.lib.suffix).
KNOWN_SUFFIXES = (
    "adaptive_trace_model adaptivetracemodelstep align_refs alignrefsstep ami ami-oi "
    "ami3pipeline ami_analyze ami_normalize amianalyzestep aminorm aminorm-oi "
    "aminormalizestep assign_mtwcs assign_wcs assignmtwcsstep assignwcsstep backgroundstep "
    "badpixselfcalstep barshadowstep bkg_subtract blot bsub bsubints c1d cal calints cat "
    "chargemigrationstep clean_flicker_noise cleanflickernoisestep combine1dstep combine_1d "
    "coron3pipeline crf crfints cube_build cubebuildstep dark dark_current darkcurrentstep "
    "darkpipeline detector1pipeline dq_init dqinitstep emicorr emicorrstep engdblog "
    "extract1dstep extract2dstep extract_1d extract_2d firstframe firstframestep flat_field "
    "flatfieldstep fringe fringestep gain_scale gainscalestep group_scale groupscalestep "
    "guider_cds guidercdsstep guiderpipeline hlsp hlspstep i2d image2pipeline image3pipeline "
    "imprint imprintstep ipc ipcstep jump jumpstep klip klipstep lastframe lastframestep "
    "linearity linearitystep master_background masterbackgroundmosstep masterbackgroundstep "
    "mbsub median msaflagopenstep outlier_detection outlierdetectionstep pathloss "
    "pathlossstep persistence persistencestep phot photom photomstep picture_frame "
    "pictureframestep pixelreplacestep psfalign psfstack psfsub ramp ramp_fit rampfitstep "
    "rate rateints refpix refpixstep resample resample_spec resamplespecstep resamplestep "
    "reset resetstep residual_fringe residualfringestep rscd rscdstep s2d s3d saturation "
    "saturationstep skymatch skymatchstep snr source_catalog sourcecatalogstep "
    "sourcetypestep spec2nrslamp spec2pipeline spec3pipeline spectral_leak spectralleakstep "
    "srctype stackrefs stackrefsstep straylight straylightstep superbias superbiasstep "
    "targ_centroid targcentroidstep tso3pipeline tsophotometrystep tweakreg tweakregstep "
    "uncal wavecorrstep wfscmb wfscombine wfscombinestep wfsscontamstep white_light "
    "whitelightstep whtlt x1d x1dints"
).split()

_SUFFIX_RE = re.compile("^(?P<root>.+?)((?P<sep>_|-)(" + "|".join(KNOWN_SUFFIXES) + "))?$")


def is_empty(value: Any) -> bool:
    """True for values that mean "not set" (``None``, ``null``, ``f``, ``n/a``...)."""
    return value is None or (isinstance(value, str) and value.lower() in EMPTY)


def first_value(item: Mapping[str, str], sources: Iterable[str]) -> tuple[str, str]:
    """The first column of ``sources`` that holds a value, and that value.

    Raises
    ------
    KeyError
        None of the columns holds a value.
    """
    for source in sources:
        value = item.get(source)
        if value is None or value in EMPTY:
            continue
        return source, value
    raise KeyError(f"no value in {list(sources)}")


def exposure_type(item: Mapping[str, str], default: str = "science") -> str:
    """The member role of an exposure: pointing type, EXP_TYPE class or special flag.

    Raises
    ------
    LookupError
        The exposure has no ``exp_type``.
    """
    try:
        _, result = first_value(item, ("pntgtype",))
    except KeyError:
        result = default
    else:
        if result != "science":
            return result
    try:
        _, exp_type = first_value(item, ("exp_type",))
    except KeyError:
        raise LookupError("Exposure type cannot be determined") from None
    result = EXPTYPE_MAP.get(exp_type, default)
    if result != "science":
        return result
    for special, column in _SPECIAL_MODIFIERS:
        try:
            first_value(item, (column,))
        except KeyError:
            continue
        return special
    return result


def detector_info(detector: Any) -> tuple[str | None, str | None]:
    """The instrument and NIRCam channel of a detector name (``(None, None)`` if unknown).

    >>> detector_info("NRCALONG"), detector_info("nrcb3"), detector_info("nrs1")
    (('nircam', 'long'), ('nircam', 'short'), ('nirspec', None))
    """
    return DETECTORS.get(str(detector).strip().lower(), (None, None))


def remove_suffix(name: str) -> str:
    """Drop one known pipeline suffix (``_rate``, ``_cal``...) from a file stem.

    >>> remove_suffix("jw00001001001_01101_00001_nrca1_rate")
    'jw00001001001_01101_00001_nrca1'
    """
    match = _SUFFIX_RE.match(name)
    return match.group("root") if match else name


def _values(item: Mapping[str, str], *columns: str) -> tuple[str, ...] | None:
    out = []
    for column in columns:
        try:
            out.append(first_value(item, (column,))[1])
        except KeyError:
            return None
    return tuple(out)


def nrsfss_valid_detector(item: Mapping[str, str]) -> bool:
    """NIRSpec fixed-slit: the (slit, grating, filter, detector) path is calibrated."""
    values = _values(item, "detector", "filter", "grating", "fxd_slit")
    if values is None:
        return False
    detector, nrs_filter, grating, slit = values
    if slit != "s200b1":
        slit = "a"
    return (slit, grating, nrs_filter, detector) in NRS_FSS_VALID_OPTICAL_PATHS


def nrsifu_valid_detector(item: Mapping[str, str]) -> bool:
    """NIRSpec IFU: the (grating, filter, detector) path is calibrated (other types pass)."""
    exp_type = item.get("exp_type")
    if exp_type is None or exp_type in EMPTY:
        raise KeyError("exp_type")
    if exp_type != "nrs_ifu":
        return True
    values = _values(item, "detector", "filter", "grating")
    if values is None:
        return False
    detector, nrs_filter, grating = values
    return (grating, nrs_filter, detector) in NRS_IFU_VALID_OPTICAL_PATHS


def nrslamp_valid_detector(item: Mapping[str, str]) -> bool:
    """NIRSpec lamp exposures: the detector sees light for this mode."""
    values = _values(item, "detector", "grating", "opmode")
    if values is None:
        return False
    detector, grating, opmode = values
    if opmode == "msaspec":
        return True
    if opmode in ("ifu", "fixedslit"):
        lamp = _values(item, "lamp")
        if lamp is None:
            return False
        lamp = lamp[0]
        if opmode == "fixedslit":
            return (grating, lamp, detector) in NRS_FSS_VALID_LAMP_OPTICAL_PATHS
        if grating in ("g395h", "g235h"):
            return True
        if grating in ("g395m", "g235m", "g140m", "prism"):
            return detector == "nrs1"
        if grating == "g140h":
            return not (detector == "nrs2" and lamp == "flat4")
    return False


def nrccoron_valid_detector(item: Mapping[str, str]) -> bool:
    """NIRCam coronagraphy: full-frame detectors that do not see the mask are invalid."""
    values = _values(item, "detector", "subarray", "pupil")
    if values is None:
        return False
    detector, subarray, pupil = values
    if subarray == "full":
        if pupil == "maskbar" and detector in ("nrca1", "nrca2", "nrca3"):
            return False
        if pupil == "maskrnd" and detector in ("nrca1", "nrca3", "nrca4"):
            return False
    return True


def nissoss_calibrated_filter(item: Mapping[str, str]) -> bool:
    """NIRISS SOSS: the filter is calibrated (other types pass)."""
    exp_type = item.get("exp_type")
    if exp_type is None or exp_type in EMPTY:
        raise KeyError("exp_type")
    if exp_type != "nis_soss":
        return True
    values = _values(item, "filter")
    if values is None:
        return False
    return values[0] != "f277w"


_FIELD = re.compile(r"\{(\w+)(?::([^}]*))?\}")


def format_template(template: str, **values: Any) -> str:
    """Fill ``{key}`` fields; fields without a value stay literal (``{source_id}``).

    ``expspcin`` is zero-padded to two characters, as DMS product names do.

    >>> format_template("jw{program}_{source_id}", program="00001")
    'jw00001_{source_id}'
    """

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            return match.group(0)
        value = values[key]
        if value is None:
            return ""
        text = str(value)
        if key == "expspcin":
            text = text.rjust(2, "0")
        return text

    return _FIELD.sub(fill, template)
