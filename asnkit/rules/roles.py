"""Member roles: the computed conditions that say what role an exposure has in a rule.

``Rule.exposure_type`` is one of these (``(item, asn) -> role``): the exposure's
own role (its pointing type, EXP_TYPE class and special flags, from
:func:`asnkit.dms.exposures.exposure_type`) and the variants the DMS rules give
it (PSF exposures as science at Level 2, imaging exposures as direct images
for WFSS, the other nod position as background...). Every name is also in
:mod:`asnkit.rules.predicates`.

Examples
--------
>>> exposure_type_of_item({"exp_type": "nrc_image", "pntgtype": "science"})
'science'
>>> exposure_type_level2_wfss.text
'the Level 2 role; imaging exposures are direct images'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from asnkit.dms import exposures
from asnkit.errors import PoolError
from asnkit.rules.condition import AsnReads, Condition, Reading

__all__ = [
    "MemberRole",
    "OwnRole",
    "exposure_type_aux",
    "exposure_type_level2",
    "exposure_type_level2_lrs_nod",
    "exposure_type_level2_special",
    "exposure_type_level2_wfss",
    "exposure_type_level3",
    "exposure_type_of_item",
]

_DIRECT_IMAGE_TYPES = ("nis_image", "nrc_image", "mir_image")
_EXPOSURE_COLUMNS = ("pntgtype", "exp_type", "is_psf", "is_imprt", "bkgdtarg")


def _own_type(item: Any) -> str:
    """dms exposure_type, remembered per pool row (it reads only the row)."""
    table = getattr(item, "table", None)
    if table is None:  # a plain mapping (pre-checks)
        return exposures.exposure_type(item)
    cache = table.exposure_types
    kind = cache[item.row]  # (a list: one entry a row)
    if kind is None:
        try:
            kind = exposures.exposure_type(item)
        except LookupError:
            raise PoolError(
                f"{item.filename}: no exp_type, the exposure's role cannot be determined "
                "(asn_generate stops with LookupError too)",
                file=table.asn_pool,
                column="exp_type",
                row=item.row,
            ) from None
        cache[item.row] = kind
    return kind


@dataclass(frozen=True, repr=False)
class OwnRole(Condition):
    """Source: the exposure's own role (pointing type, EXP_TYPE class, special flags).

    It declares its :attr:`~asnkit.rules.condition.Condition.columns`.
    """

    def __call__(self, item: Any, asn: Any = None) -> str:
        return _own_type(item)


@dataclass(frozen=True, repr=False)
class MemberRole(Condition):
    """The role a rule gives a member: the exposure's own (Level 3 science rules)."""

    #: How much of the association the role reads (or sets).
    association: ClassVar[AsnReads] = AsnReads.NOTHING
    #: The constraints whose states it looks up.
    names: ClassVar[tuple[str, ...]] = ()

    def __call__(self, item: Any, asn: Any) -> str:
        return _own_type(item)

    def reading(self, rule: Any = None) -> Reading | None:
        return Reading((*_EXPOSURE_COLUMNS, "exp_type"), self.association, self.names)


@dataclass(frozen=True, repr=False)
class _AuxRole(MemberRole):
    def __call__(self, item: Any, asn: Any) -> str:
        kind = _own_type(item)
        return kind if kind == "target_acquisition" else "science"


@dataclass(frozen=True, repr=False)
class _Level2Role(MemberRole):
    association = AsnReads.ROLE  # it sets the role computed last

    def __call__(self, item: Any, asn: Any) -> str:
        kind = _own_type(item)
        asn.original_exposure_type = kind
        return "science" if kind == "psf" else kind


@dataclass(frozen=True, repr=False)
class _Level2SpecialRole(MemberRole):
    association = AsnReads.MEMBERS  # whether it has science; it sets the role

    def __call__(self, item: Any, asn: Any) -> str:
        kind = exposure_type_level2(item, asn)
        asn.original_exposure_type = kind
        if asn.has_science() and kind == "imprint":
            return "imprint"
        return "science"


@dataclass(frozen=True, repr=False)
class _WfssRole(MemberRole):
    association = AsnReads.ROLE  # (the Level 2 role)

    def __call__(self, item: Any, asn: Any) -> str:
        kind = exposure_type_level2(item, asn)
        if kind == "science" and item.get("exp_type") in _DIRECT_IMAGE_TYPES:
            return "direct_image"
        return kind


@dataclass(frozen=True, repr=False)
class _LrsNodRole(MemberRole):
    association = AsnReads.ROLE  # (the Level 2 role), and one constraint's state
    names = ("is_current_patt_num",)

    def __call__(self, item: Any, asn: Any) -> str:
        kind = exposure_type_level2(item, asn)
        if kind == "science" and asn.matched("is_current_patt_num"):
            return "background"
        return kind


exposure_type_of_item = OwnRole(
    "exposure_type_of_item",
    "the exposure's own role (pointing type, EXP_TYPE, special flags)",
    columns=_EXPOSURE_COLUMNS,
    label="role",
)
exposure_type_level3 = MemberRole("exposure_type_level3", "the exposure's own role")
exposure_type_aux = _AuxRole(
    "exposure_type_aux", "science, except target acquisitions (auxiliary Level 3 rules)"
)
exposure_type_level2 = _Level2Role(
    "exposure_type_level2", "the own role; PSF exposures are science"
)
exposure_type_level2_special = _Level2SpecialRole(
    "exposure_type_level2_special", "science, or imprint once the science is in"
)
exposure_type_level2_wfss = _WfssRole(
    "exposure_type_level2_wfss", "the Level 2 role; imaging exposures are direct images"
)
exposure_type_level2_lrs_nod = _LrsNodRole(
    "exposure_type_level2_lrs_nod", "the Level 2 role; the other nod position is background"
)
