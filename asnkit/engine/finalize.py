"""Finalize generated associations: validity, nod splitting, imprints, WFSS, pruning.

Follows the reference generator's finalize step (jwst 3.0.0): each association
is finalized by its rule (:class:`asnkit.rules.Finalize`); duplicates are then
pruned per level (:mod:`asnkit.engine.prune`).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from asnkit.dms.members import wfss_catalog_members
from asnkit.dms.names import member_stem
from asnkit.dms.values import first_value
from asnkit.engine.record import Fate
from asnkit.engine.state import AsnState
from asnkit.rules.model import DirectImage, Finalize
from asnkit.rules.naming import product_name_default, wfss_direct_opt_element

__all__ = [
    "dropped_fate",
    "edits_members",
    "finalize",
    "finalize_level2",
    "finalize_level3",
]

log = logging.getLogger(__name__)

#: Candidate types whose Level 3 ``MULTI_OBS`` associations need two observations.
_MULTI_OBS_TYPES = ("group", "background", "mosaic")


def _valid(asn: AsnState) -> bool:
    if not asn.products:
        return False
    for product in asn.products:
        for member in product["members"]:
            if not isinstance(member.get("expname"), str) or not isinstance(
                member.get("exptype"), str
            ):
                return False
    return all(asn.validity)


# --------------------------------------------------------------------------- level 3


def _fixedslit_background(asn: AsnState) -> list[AsnState]:
    values = asn.found("patttype_spectarg")
    if not values or "nod" not in values[-1]:
        return [asn]
    for product in asn.products:
        members = product["members"]
        sciences = [m for m in members if m["exptype"] == "science"]
        if len(sciences) < 2:
            return [asn]
        for science in sciences:
            background = dict(science)
            background["expname"] = member_stem(science["expname"]) + "_x1d.fits"
            background["exptype"] = "background"
            members.append(background)
        return [asn] if _valid(asn) else []
    return [asn]


def finalize_level3(asn: AsnState) -> list[AsnState]:
    kind = asn.rule.finalize
    if kind is Finalize.FIXEDSLIT_BKG:
        return _fixedslit_background(asn) if _valid(asn) else []
    if kind is Finalize.MULTI_OBS and asn.acid[1].lower() in _MULTI_OBS_TYPES:
        try:
            if len(asn.found("obs_num")) <= 1:
                return []
        except KeyError:
            pass
    return [asn] if _valid(asn) else []


# --------------------------------------------------------------------------- level 2


def _int(item: Any, *columns: str) -> int | None:
    """The first of these columns whose value is a number (None: missing, or not a number)."""
    for column in columns:
        text = item.get(column)  # None when the pool has no such column
        if text is None:
            continue
        try:
            return int(text)
        except (ValueError, TypeError):
            continue
    return None


#: Exposure types whose nods can overlap (:func:`nod_background_overlap`).
_NOD_TYPES = ("nrs_fixedslit", "nrs_msaspec")

#: What :func:`nod_background_overlap` reads of an exposure (None: missing, or not a number).
_NodFacts = tuple[str, str | None, int | None, int | None, int | None, str | None]


def _nod_facts(item: Any) -> _NodFacts:
    """(exp_type, targetid, numdthpt, patt_num, sub-pixel points, fxd_slit) of an exposure."""
    subpx = _int(item, "subpxpts")
    if subpx is None:
        subpx = _int(item, "subpxpns")
    return (
        str(item.get("exp_type", "")).lower(),
        str(item["targetid"]).lower() if "targetid" in item else None,
        _int(item, "numdthpt"),
        _int(item, "patt_num"),
        subpx,
        str(item["fxd_slit"]).lower() if "fxd_slit" in item else None,
    )


def _overlap(science: _NodFacts, background: _NodFacts) -> bool:
    exptype, target, numdthpt, patt_num, subpx, slit = science
    if exptype not in _NOD_TYPES:
        return False
    if target is not None and background[1] is not None and target != background[1]:
        return True
    bkg_num, bkg_subpx = background[3], background[4]
    if (
        numdthpt is None
        or patt_num is None
        or bkg_num is None
        or not subpx  # missing or 0
        or not bkg_subpx
    ):
        return exptype == "nrs_fixedslit"
    sci_primary = (patt_num - 1) // subpx
    bkg_primary = (bkg_num - 1) // bkg_subpx
    if sci_primary == bkg_primary:
        return True
    if exptype == "nrs_msaspec":
        return False
    return (
        exptype == "nrs_fixedslit"
        and slit == "s1600a1"
        and numdthpt // subpx == 5
        and abs(sci_primary - bkg_primary) <= 1
    )


def nod_background_overlap(science: Any, background: Any) -> bool:
    """True if the other nod cannot serve as background for this science exposure."""
    return _overlap(_nod_facts(science), _nod_facts(background))


def _nod_associations(asn: AsnState) -> list[AsnState]:
    product = asn.products[0]
    members = product["members"]
    sciences = [m for m in members if m["exptype"] == "science"]
    others = [m for m in members if m["exptype"] != "science"]
    facts = [_nod_facts(science["item"]) for science in sciences]  # read once, not per pair
    results = []
    for science, own in zip(sciences, facts, strict=True):
        new = copy.copy(asn)
        new.data = dict(asn.data)
        new_members = [science]
        for other, its in zip(sciences, facts, strict=True):
            if other["expname"] == science["expname"]:
                continue
            if not _overlap(own, its):
                background = dict(other)
                background["exptype"] = "background"
                new_members.append(background)
        new_members.extend(others)
        new.products = [{"name": member_stem(science["expname"]), "members": new_members}]
        if _valid(new):
            results.append(new)
    return results


def _prune_imprints(asn: AsnState) -> None:
    members = asn.products[0]["members"]
    science, imprint_sci, imprint_bkg = [], [], []
    science_is_background = False
    targets: set[str] = set()
    for member in members:
        item = member.get("item")
        if item is None or "targetid" not in item or "bkgdtarg" not in item:
            continue
        target, bkgdtarg = item["targetid"], item["bkgdtarg"]
        if member["exptype"] == "science":
            science.append(member)
            targets.add(str(target))
            if bkgdtarg == "t":
                science_is_background = True
        elif member["exptype"] == "imprint":
            (imprint_bkg if bkgdtarg == "t" else imprint_sci).append(member)
    to_check = imprint_bkg if science_is_background else imprint_sci
    matching = [m for m in to_check if str(m["item"]["targetid"]) in targets]
    not_matching = [m for m in to_check if str(m["item"]["targetid"]) not in targets]
    if matching:
        to_check = matching
        for member in not_matching:
            members.remove(member)
    if 1 <= len(science) < len(to_check):
        keep: set[str] = set()
        for sci in science:
            if "dithptin" not in sci["item"]:
                continue
            for imprint in to_check:
                if "dithptin" not in imprint["item"]:
                    continue
                if imprint["item"]["dithptin"] == sci["item"]["dithptin"]:
                    keep.add(imprint["expname"])
        if keep:
            for imprint in to_check:
                if imprint["expname"] not in keep:
                    members.remove(imprint)


def _expspcin(item: Any) -> int:
    """The exposure's ``expspcin`` as a number (KeyError when not set, as the reference)."""
    text = first_value(item, ("expspcin",))[1]
    try:
        return int(text)
    except ValueError:  # asn_generate stops with ValueError
        from asnkit.errors import PoolError

        raise PoolError(
            f"{item.filename}: expspcin {text!r} is not a number", column="expspcin", row=item.row
        ) from None


def _closest_direct(science: dict, directs: list[dict], parallel: bool) -> dict:
    if parallel:
        longs = [d for d in directs if "long" in d["expname"]]
        return longs[0] if longs else directs[0]
    closest = directs[0]
    try:
        expspcin = _expspcin(science["item"])
    except KeyError:
        return closest
    min_diff = 9999
    for direct in directs:
        try:
            direct_expspcin = _expspcin(direct["item"])
        except KeyError:
            continue
        diff = direct_expspcin - expspcin
        if 0 < diff < min_diff:
            min_diff = diff
            closest = direct
    return closest


def _wfss_catalog(asn: AsnState) -> bool:
    directs = asn.members_by_type("direct_image")
    sciences = asn.members_by_type("science")
    if not directs or not sciences:
        return False
    members = asn.products[-1]["members"]
    members[:] = [m for m in members if m["exptype"] != "direct_image"]
    parallel = asn.rule.direct_image is DirectImage.LONG_CHANNEL
    asn.direct_image = _closest_direct(sciences[0], directs, parallel)
    root = product_name_default(asn, opt_element=wfss_direct_opt_element)
    members.extend(wfss_catalog_members(root))
    return True


def finalize_level2(asn: AsnState) -> list[AsnState]:
    kind = asn.rule.finalize
    if kind is Finalize.WFSS:
        if not _wfss_catalog(asn):
            return []
        return [asn] if _valid(asn) else []
    if not _valid(asn):
        return []
    if kind in (Finalize.IMPRINT, Finalize.IMPRINT_NOD):
        _prune_imprints(asn)
    if kind in (Finalize.NOD, Finalize.IMPRINT_NOD):
        return _nod_associations(asn)
    return [asn]


def edits_members(rule: Any) -> bool:
    """Whether finalizing by this rule may change the members (else it keeps or drops
    an association as it is)."""
    return rule.finalize not in (Finalize.DEFAULT, Finalize.MULTI_OBS)


def finalize(asn: AsnState) -> tuple[list[AsnState], Fate]:
    """Finalize one association by its rule: what it became, and its :class:`Fate`.

    Kept (``[asn]``, members perhaps changed), split into new associations
    (nods), or dropped (``[]``; :func:`dropped_fate` says why).
    """
    outputs = finalize_level3(asn) if asn.rule.level == 3 else finalize_level2(asn)
    if not outputs:
        return [], dropped_fate(asn)[0]
    split = asn.rule.finalize in (Finalize.NOD, Finalize.IMPRINT_NOD)
    return outputs, Fate.SPLIT if split else Fate.KEPT


def dropped_fate(asn: AsnState) -> tuple[Fate, tuple[Any, ...], tuple[str, ...]]:
    """Why finalize drops an association: the fate, the failed checks, the observations.

    A group, background or mosaic candidate of a Level 3 ``MULTI_OBS`` rule
    needs exposures from two observations (checked first, as finalize does);
    then the rule's validity checks; else a finalize step could not complete it.
    """
    rule = asn.rule
    kind = asn.acid[1].lower()
    if rule.level == 3 and rule.finalize is Finalize.MULTI_OBS and kind in _MULTI_OBS_TYPES:
        try:
            observations = tuple(str(o).replace("\\", "") for o in asn.found("obs_num"))
        except KeyError:
            observations = None
        if observations is not None and len(observations) <= 1:
            return Fate.SINGLE_OBSERVATION, (), observations
    failed = tuple(check for check, ok in zip(rule.validity, asn.validity, strict=False) if not ok)
    if failed:
        return Fate.INVALID, failed, ()
    return Fate.INCOMPLETE, (), ()
