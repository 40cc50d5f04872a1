"""Exposure types and what the DMS makes of them: roles, calibrated paths, integrations.

The exposure-type tables, the member role of an exposure (:func:`exposure_type`),
the optical paths the pipeline calibrates (NIRSpec fixed slit, IFU and lamps,
NIRCam coronagraphy detectors, NIRISS SOSS filters) and which members use the
per-integration ``*ints`` files (:func:`uses_integrations`). Facts from jwst
3.0.0 (``associations.lib.dms_base`` and the rule bases); the code is asnkit's.

Functions that look at an exposure take ``item``: a mapping of lower-case
column name to lower-case text, ``"null"`` when missing
(:func:`asnkit.dms.values.text_row` makes one from a pool row).

Examples
--------
>>> exposure_type({"pntgtype": "science", "exp_type": "nrc_image", "is_psf": "t"})
'psf'
>>> exposure_type({"pntgtype": "science", "exp_type": "nrc_dark"})
'dark'
>>> uses_integrations({"pntgtype": "science", "exp_type": "nis_ami"})
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asnkit.dms.values import EMPTY, first_value

__all__ = [
    "ACQ_EXP_TYPES",
    "CORON_EXP_TYPES",
    "DETECTORS",
    "EXPTYPE_MAP",
    "IMAGE2_NONSCIENCE_EXP_TYPES",
    "IMAGE2_SCIENCE_EXP_TYPES",
    "IMAGING_EXP_TYPES",
    "LEVEL2B_EXPTYPES",
    "NOD_PATTERN_TYPES",
    "NON_SCIENCE_EXP_TYPES",
    "NRS_FSS_VALID_LAMP_OPTICAL_PATHS",
    "NRS_FSS_VALID_OPTICAL_PATHS",
    "NRS_IFU_VALID_OPTICAL_PATHS",
    "SPEC2_SCIENCE_EXP_TYPES",
    "SPECIAL_MODIFIERS",
    "SPEC_EXP_TYPES",
    "TSO_EXP_TYPES",
    "detector_info",
    "exposure_type",
    "is_ami",
    "is_coron",
    "is_pointing_science",
    "is_tso",
    "nissoss_calibrated_filter",
    "nrccoron_valid_detector",
    "nrsfss_valid_detector",
    "nrsifu_valid_detector",
    "nrslamp_valid_detector",
    "uses_integrations",
]

#: Target-acquisition exposure types.
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

#: Exposure types that are not science, by role (else science).
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

#: Exposure types that are never science (calibration, engineering, target acquisition).
NON_SCIENCE_EXP_TYPES = frozenset(EXPTYPE_MAP) | frozenset(ACQ_EXP_TYPES)


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
#: Time-series exposure types.
TSO_EXP_TYPES = ("nrc_tsimage", "nrc_tsgrism", "nrs_brightobj")
#: Dither patterns (``patttype``) of nodded spectroscopy: the nods are each other's
#: background.
NOD_PATTERN_TYPES = ("2-point-nod", "4-point-nod", "along-slit-nod")
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
#: Science exposures taken for a special use: (role, pool column flagging it), in order.
SPECIAL_MODIFIERS = (("psf", "is_psf"), ("imprint", "is_imprt"), ("background", "bkgdtarg"))

#: NIRCam full-frame coronagraphy: detectors that do not see the mask, by pupil.
_NRC_CORON_BLIND_DETECTORS = {
    "maskbar": ("nrca1", "nrca2", "nrca3"),
    "maskrnd": ("nrca1", "nrca3", "nrca4"),
}

#: NIRSpec fixed slit: calibrated (slit, grating, filter, detector); slit "a" = any but s200b1.
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


def detector_info(detector: Any) -> tuple[str | None, str | None]:
    """The instrument and NIRCam channel of a detector name (``(None, None)`` if unknown).

    >>> detector_info("NRCALONG"), detector_info("nrcb3"), detector_info("nrs1")
    (('nircam', 'long'), ('nircam', 'short'), ('nirspec', None))
    """
    return DETECTORS.get(str(detector).strip().lower(), (None, None))


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
    for special, column in SPECIAL_MODIFIERS:
        try:
            first_value(item, (column,))
        except KeyError:
            continue
        return special
    return result


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
        return detector not in _NRC_CORON_BLIND_DETECTORS.get(pupil, ())
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


def is_pointing_science(item: Mapping[str, str]) -> bool:
    """The exposure points at science (not a target acquisition)."""
    return item.get("pntgtype") == "science" and item.get("exp_type") not in ACQ_EXP_TYPES


def _exp_type(item: Mapping[str, str]) -> str | None:
    try:
        return first_value(item, ("exp_type",))[1]
    except KeyError:
        return None


def is_ami(item: Mapping[str, str]) -> bool:
    """NIRISS aperture masking interferometry science."""
    return is_pointing_science(item) and _exp_type(item) == "nis_ami"


def is_coron(item: Mapping[str, str]) -> bool:
    """Coronagraphic science on a detector that sees the mask."""
    if not is_pointing_science(item):
        return False
    if _exp_type(item) not in CORON_EXP_TYPES:
        return False
    if item.get("exp_type") == "nrc_coron" and item.get("subarray") == "full":
        blind = _NRC_CORON_BLIND_DETECTORS.get(item.get("pupil") or "", ())
        return item.get("detector") not in blind
    return True


def is_tso(item: Mapping[str, str], *, tso_visit: bool = False) -> bool:
    """Time-series science: a TSO visit (``tsovisit``, or ``tso_visit`` given) or TSO type."""
    if not is_pointing_science(item):
        return False
    if not tso_visit:
        try:
            tso_visit = first_value(item, ("tsovisit",))[1] == "t"
        except KeyError:
            pass
    return tso_visit or _exp_type(item) in TSO_EXP_TYPES


def uses_integrations(
    item: Mapping[str, str], *, tso_visit: bool = False, coron: bool = True
) -> bool:
    """The member is a per-integration file (``_rateints``, ``_calints``).

    Coronagraphic (unless ``coron`` is false: rules that calibrate coronagraphy as
    plain images), AMI and time-series science exposures; ``tso_visit``: the
    association pinned a TSO visit.
    """
    return (coron and is_coron(item)) or is_ami(item) or is_tso(item, tso_visit=tso_visit)
