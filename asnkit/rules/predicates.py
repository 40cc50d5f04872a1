"""Named conditions and member-role functions used by the DMS rule sets.

Rules are data; the few computed conditions they need are these plain
functions (named, so a rule's ``repr`` and ``describe()`` stay readable).
Signatures: ``source(item, asn)``, ``test(value, source_value, asn)``,
``onlyif(item, asn)``, ``exposure_type(item, asn)``, ``validity(member, asn)``.
"""

from __future__ import annotations

from typing import Any

from asnkit.dms import exposures
from asnkit.errors import PoolError

__all__ = [
    "acq_obsnum_pattern",
    "always_false",
    "asn_not_background_candidate",
    "asn_state",
    "brightobj_valid_is",
    "default_integrations",
    "exposure_type_aux",
    "exposure_type_level2",
    "exposure_type_level2_lrs_nod",
    "exposure_type_level2_special",
    "exposure_type_level2_wfss",
    "exposure_type_level3",
    "exposure_type_of_item",
    "has_psf",
    "has_science",
    "has_science_now",
    "is_not_background",
    "is_science_exposure",
    "is_type_mosaic",
    "is_type_not_group",
    "is_type_observation",
    "level2_allowed_candidates",
    "no_coron_integrations",
    "not_patt_num_pattern",
    "original_type_of_asn",
    "pair_complete",
    "reads",
    "rule_exposure_differs",
    "rule_exposure_is",
    "soss_calibrated_is",
    "target_000",
    "true",
    "valid_nrccoron",
    "valid_nrccoron_source",
    "valid_nrsfss",
    "valid_nrsifu",
    "valid_nrslamp",
    "value_differs",
]

_DIRECT_IMAGE_TYPES = ("nis_image", "nrc_image", "mir_image")
_EXPOSURE_COLUMNS = ("pntgtype", "exp_type", "is_psf", "is_imprt", "bkgdtarg")


def reads(*columns: str) -> Any:
    """Mark a source/test function as depending only on these columns of the exposure.

    The engine then pre-checks constraints using it over the whole pool at once
    (and skips rules an exposure can never match).
    """

    def mark(fn: Any) -> Any:
        fn.item_columns = tuple(columns)
        return fn

    return mark


def asn_state(fn: Any) -> Any:
    """Mark a source that depends only on the association and, once it changes, stays.

    (``has_science_now``: an association never loses its science.) The engine
    then stops offering new exposures to associations such a test closed.
    """
    fn.asn_state_only = True
    return fn


# --------------------------------------------------------------------------- member roles


def _own_type(item: Any) -> str:
    """exposures.exposure_type, remembered per pool row (it reads only the row)."""
    table = getattr(item, "table", None)
    if table is None:  # a plain mapping (pre-checks)
        return exposures.exposure_type(item)
    cache = table.exposure_types
    kind = cache.get(item.row)
    if kind is None:
        try:
            kind = exposures.exposure_type(item)
        except LookupError:
            raise PoolError(
                f"row {item.row} ({item.filename}): no exp_type, the exposure's role "
                "cannot be determined (asn_generate stops with LookupError too)",
                file=table.asn_pool,
                column="exp_type",
            ) from None
        cache[item.row] = kind
    return kind


@reads(*_EXPOSURE_COLUMNS)
def exposure_type_of_item(item: Any, asn: Any = None) -> str:
    """The exposure's own role (pointing type, EXP_TYPE class, special flags)."""
    return _own_type(item)


def exposure_type_level3(item: Any, asn: Any) -> str:
    """Level 3 science rules: the exposure's own role."""
    return _own_type(item)


def exposure_type_aux(item: Any, asn: Any) -> str:
    """Auxiliary Level 3 rules: everything is science except target acquisitions."""
    kind = _own_type(item)
    return kind if kind == "target_acquisition" else "science"


def exposure_type_level2(item: Any, asn: Any) -> str:
    """Level 2b: PSF exposures are science."""
    kind = _own_type(item)
    asn.original_exposure_type = kind
    return "science" if kind == "psf" else kind


def exposure_type_level2_special(item: Any, asn: Any) -> str:
    """Level 2b special rules: science, or imprint once the science is in."""
    kind = exposure_type_level2(item, asn)
    asn.original_exposure_type = kind
    if asn.has_science() and kind == "imprint":
        return "imprint"
    return "science"


def exposure_type_level2_wfss(item: Any, asn: Any) -> str:
    """Level 2b WFSS: imaging exposures are direct images."""
    kind = exposure_type_level2(item, asn)
    if kind == "science" and item.get("exp_type") in _DIRECT_IMAGE_TYPES:
        return "direct_image"
    return kind


def exposure_type_level2_lrs_nod(item: Any, asn: Any) -> str:
    """MIRI LRS fixed-slit nods: the other nod position is background."""
    kind = exposure_type_level2(item, asn)
    if kind == "science" and asn.matched("is_current_patt_num"):
        return "background"
    return kind


# --------------------------------------------------------------------------- sources


def rule_exposure_is(value: Any, item: Any, asn: Any) -> bool:
    """The rule's role for the exposure equals ``value``."""
    return asn.rule.exposure_type(item, asn) == value


def rule_exposure_differs(value: Any, item: Any, asn: Any) -> bool:
    """The rule's role for the exposure differs from ``value``."""
    return asn.rule.exposure_type(item, asn) != value


def is_science_exposure(item: Any, asn: Any) -> bool:
    return asn.rule.exposure_type(item, asn) == "science"


@asn_state
def has_science_now(item: Any, asn: Any) -> bool:
    return asn.has_science()


def original_type_of_asn(item: Any, asn: Any) -> Any:
    """The role computed by the association's last role lookup (jwst keeps it as state)."""
    return asn.original_exposure_type


def value_differs(value: Any, source_value: Any, asn: Any) -> bool:
    return value != source_value


@reads()
def target_000(item: Any, asn: Any) -> str:
    return "000"


def is_not_background(item: Any, asn: Any) -> bool:
    return asn.rule.exposure_type(item, asn) != "background"


def acq_obsnum_pattern(asn: Any) -> str:
    """Target acquisitions join when their obs_num is one the science came from."""
    return "(" + "|".join(asn.found("obs_num")) + ")"


def not_patt_num_pattern(asn: Any) -> str:
    return f"((?!{asn.value('patt_num')}).)*"


def asn_not_background_candidate(value: Any, item: Any, asn: Any) -> bool:
    return asn.acid[1] != "background"


@reads()
def always_false(value: Any, source_value: Any, asn: Any) -> bool:
    return False


def true(value: Any, source_value: Any, asn: Any) -> bool:
    return True


def false_source(item: Any, asn: Any) -> bool:
    return False


# --------------------------------------------------------------------------- detectors


@reads("detector", "subarray", "pupil")
def valid_nrccoron(value: Any, item: Any, asn: Any) -> bool:
    return exposures.nrccoron_valid_detector(item)


@reads("detector", "subarray", "pupil")
def valid_nrccoron_source(item: Any, asn: Any) -> bool:
    return exposures.nrccoron_valid_detector(item)


@reads("detector", "filter", "grating", "fxd_slit")
def valid_nrsfss(value: Any, item: Any, asn: Any) -> bool:
    return exposures.nrsfss_valid_detector(item)


@reads("exp_type", "detector", "filter", "grating")
def valid_nrsifu(value: Any, item: Any, asn: Any) -> bool:
    return exposures.nrsifu_valid_detector(item)


@reads("detector", "grating", "opmode", "lamp")
def valid_nrslamp(value: Any, item: Any, asn: Any) -> bool:
    return exposures.nrslamp_valid_detector(item)


@reads("exp_type", "filter")
def soss_calibrated_is(value: Any, item: Any, asn: Any) -> bool:
    return exposures.nissoss_calibrated_filter(item) == value


@reads("detector", "filter", "grating", "fxd_slit")
def brightobj_valid_is(value: Any, item: Any, asn: Any) -> bool:
    return exposures.nrsfss_valid_detector(item) == value


# --------------------------------------------------------------------------- validity


def has_science(member: dict, asn: Any) -> bool:
    return member["exptype"] == "science"


def has_psf(member: dict, asn: Any) -> bool:
    return member["exptype"] == "psf"


def is_type_observation(member: dict, asn: Any) -> bool:
    return asn.acid[1].lower() == "observation"


def is_type_mosaic(member: dict, asn: Any) -> bool:
    return asn.acid[1].lower() == "mosaic"


def is_type_not_group(member: dict, asn: Any) -> bool:
    return asn.acid[1].lower() != "group"


def pair_complete(member: dict, asn: Any) -> bool:
    """Wavefront pairs: true when the second member arrives (checked before it is added)."""
    return len(asn.members) == 1


def level2_allowed_candidates(member: dict, asn: Any) -> bool:
    """Level 2b: observation candidates, or background candidates with a background."""
    kind = asn.acid[1].lower()
    if kind == "observation":
        return True
    if kind == "background":
        return any(m["exptype"].lower() == "background" for m in asn.members)
    return False


# --------------------------------------------------------------------------- integrations


def _tso_visit(asn: Any) -> bool:
    """The association pinned a TSO visit (its ``is_tso`` constraint holds ``t``)."""
    try:
        return asn.value("is_tso") == "t"
    except KeyError:
        return False


def default_integrations(item: Any, asn: Any) -> bool:
    """Coronagraphic, AMI and TSO members use the per-integration (``*ints``) files."""
    return exposures.uses_integrations(item, tso_visit=_tso_visit(asn))


def no_coron_integrations(item: Any, asn: Any) -> bool:
    """As :func:`default_integrations`, coronagraphy not counted (coron-as-rate rules)."""
    return exposures.uses_integrations(item, tso_visit=_tso_visit(asn), coron=False)
