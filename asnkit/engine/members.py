"""Members of associations: roles, Level 2/3 file names, header updates.

Called by :meth:`asnkit.engine.state.AsnState.add` when an exposure joins an
association (the reference generator's ``_init_hook`` / ``_add`` /
``update_asn``).
"""

from __future__ import annotations

import re
from typing import Any

from asnkit.rules.dms import (
    ACQ_EXP_TYPES,
    CORON_EXP_TYPES,
    DEGRADED_NOTOK,
    DEGRADED_OK,
    EMPTY,
    LEVEL2B_EXPTYPES,
    TSO_EXP_TYPES,
    first_value,
)
from asnkit.rules.naming import get_target

__all__ = [
    "DEGRADED_NOTOK",
    "DEGRADED_OK",
    "add_member",
    "default_integrations",
    "init_hook",
    "is_item_ami",
    "is_item_coron",
    "is_item_tso",
    "level2_name",
    "level3_name",
    "refresh",
]

_LEVEL1B = re.compile(r"(?P<path>.+)(?P<type>_uncal)(?P<extension>\..+)")


def _pointing_science(item: Any) -> bool:
    return item.get("pntgtype") == "science" and item.get("exp_type") not in ACQ_EXP_TYPES


def _exp_type(item: Any) -> str | None:
    try:
        return first_value(item, ("exp_type",))[1]
    except KeyError:
        return None


def is_item_ami(item: Any, asn: Any) -> bool:
    return _pointing_science(item) and _exp_type(item) == "nis_ami"


def is_item_coron(item: Any, asn: Any) -> bool:
    if not _pointing_science(item):
        return False
    if _exp_type(item) not in CORON_EXP_TYPES:
        return False
    if item.get("exp_type") == "nrc_coron" and item.get("subarray") == "full":
        pupil, detector = item.get("pupil"), item.get("detector")
        if pupil == "maskbar" and detector in ("nrca1", "nrca2", "nrca3"):
            return False
        if pupil == "maskrnd" and detector in ("nrca1", "nrca3", "nrca4"):
            return False
    return True


def is_item_tso(item: Any, asn: Any) -> bool:
    if not _pointing_science(item):
        return False
    try:
        tso = asn.value("is_tso") == "t"
    except KeyError:
        tso = False
    if not tso:
        try:
            tso = first_value(item, ("tsovisit",))[1] == "t"
        except KeyError:
            pass
    return tso or _exp_type(item) in TSO_EXP_TYPES


def default_integrations(item: Any, asn: Any) -> bool:
    """Coronagraphic, AMI and TSO members use the per-integration (``*ints``) files."""
    coron = is_item_coron(item, asn)
    ami = is_item_ami(item, asn)
    tso = is_item_tso(item, asn)
    return coron or ami or tso


def no_coron_integrations(item: Any, asn: Any) -> bool:
    """As :func:`default_integrations`, coronagraphy not counted (coron-as-rate rules)."""
    return is_item_ami(item, asn) or is_item_tso(item, asn)


def level2_name(filename: str, integrations: bool) -> str:
    """``*_uncal.*`` -> ``*_rate.*`` (or ``_rateints``); other names unchanged."""
    match = _LEVEL1B.match(filename)
    if match is None:
        return filename
    suffix = "rateints" if integrations else "rate"
    return f"{match.group('path')}_{suffix}{match.group('extension')}"


def level3_name(filename: str, exp_type: str, integrations: bool, exptype: str) -> str:
    """``*_uncal.*`` -> ``_cal`` / ``_x1d`` (backgrounds) / ``_rate`` (+``ints``)."""
    match = _LEVEL1B.match(filename)
    if match is None:
        return filename
    if exptype == "background":
        suffix = "x1d"
    else:
        suffix = "cal" if exp_type in LEVEL2B_EXPTYPES else "rate"
    if integrations:
        suffix += "ints"
    return f"{match.group('path')}_{suffix}{match.group('extension')}"


def _integrations(item: Any, asn: Any) -> bool:
    fn = asn.rule.integrations
    return default_integrations(item, asn) if fn is None else fn(item, asn)


def _exposerr(item: Any) -> Any:
    return item["exposerr"] if "exposerr" in item else None


def make_member(asn: Any, item: Any) -> dict[str, Any]:
    rule = asn.rule
    if rule.level == 3:
        exptype = rule.exposure_type(item, asn)
        expname = level3_name(
            item["filename"], item.get("exp_type"), _integrations(item, asn), exptype
        )
        return {
            "expname": expname,
            "exptype": exptype,
            "exposerr": _exposerr(item),
            "asn_candidate": item["asn_candidate"],
            "item": item,
        }
    expname = level2_name(item["filename"], _integrations(item, asn))
    return {
        "expname": expname,
        "exptype": rule.exposure_type(item, asn),
        "exposerr": _exposerr(item),
        "item": item,
    }


def _is_member(asn: Any, member: dict[str, Any]) -> bool:
    for other in asn.members:
        if other["expname"] == member["expname"] and other["exptype"] == member["exptype"]:
            return True
    return False


def _update_validity(asn: Any, member: dict[str, Any]) -> None:
    for k, check in enumerate(asn.rule.validity):
        if not asn.validity[k]:
            asn.validity[k] = bool(check(member, asn))


def _update_degraded(asn: Any) -> None:
    if asn.data["degraded_status"] != DEGRADED_OK:
        return
    for product in asn.products:
        for member in product["members"]:
            if "exposerr" in member and member["exposerr"] not in _EMPTY_ERR:
                asn.data["degraded_status"] = DEGRADED_NOTOK
                return


_EMPTY_ERR = frozenset({None, *EMPTY, "NULL", "Null", "FALSE", "False", "N", "F", "N/A"})


def _update_level3(asn: Any, item: Any) -> None:
    _update_degraded(asn)
    if item is not None:
        if asn.data["program"] == "noprogram":
            asn.data["program"] = str(item["program"]).rjust(5, "0")
        if asn.data["asn_pool"] == "none":
            asn.data["asn_pool"] = item.table.asn_pool
    asn.stale = True


def refresh(asn: Any) -> None:
    """Bring ``asn_id``, ``target`` and the product name up to date with the state.

    The reference recomputes them after every member it adds; they depend only
    on the association's state, so asnkit computes them when they are read.
    """
    if not asn.stale:
        return
    asn.stale = False
    if not asn.products:
        return
    if asn.rule.level == 3:
        asn.data["asn_id"] = asn.acid[0]
        asn.data["target"] = get_target(asn)
    asn.products[-1]["name"] = asn.rule.product_name(asn)


def init_hook(asn: Any, item: Any) -> None:
    """First exposure of an association: header values and the first product."""
    rule = asn.rule
    if rule.level == 3:
        asn.data["asn_type"] = rule.asn_type
        asn.products.append({"name": "undefined", "members": []})
        _update_level3(asn, item)
        return
    asn.data["target"] = item["targetid"]
    asn.data["program"] = str(item["program"]).rjust(5, "0")
    asn.data["asn_pool"] = item.table.asn_pool
    asn.data["asn_id"] = asn.acid[0]
    asn.products.append({"name": "undefined", "members": []})
    asn.data["asn_type"] = rule.asn_type


def add_member(asn: Any, item: Any) -> bool:
    """Add the exposure as a member (unless the same member is there already).

    Returns False when nothing was added (and the header was not updated).
    """
    member = make_member(asn, item)
    if _is_member(asn, member):
        return False
    asn.filenames.add(item.filename)
    if asn.rule.level == 3:
        _update_validity(asn, member)
        asn.products[-1]["members"].append(member)
        _update_level3(asn, item)
    else:
        asn.products[-1]["members"].append(member)
        _update_validity(asn, member)
        _update_degraded(asn)
        asn.stale = True
    return True
