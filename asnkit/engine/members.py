"""Members of associations: roles, Level 2/3 file names, header updates.

Called by :meth:`asnkit.engine.state.AsnState.add` when an exposure joins an
association (the reference generator's ``_init_hook`` / ``_add`` /
``update_asn``).
"""

from __future__ import annotations

from typing import Any

from asnkit.dms.members import DEGRADED_NOTOK, DEGRADED_OK, level2_name, level3_name
from asnkit.dms.values import is_empty
from asnkit.rules.naming import get_target
from asnkit.rules.predicates import Integrations, default_integrations

__all__ = ["add_member", "init_hook", "make_member", "refresh"]


def _integrations(item: Any, asn: Any) -> bool:
    check = asn.cr.rule.integrations or default_integrations
    if type(check) is not Integrations:
        return check(item, asn)
    # the DMS check reads the exposure and whether the association pinned a TSO visit:
    # remembered per pool row (members of many associations ask again), a byte a row
    flags = item.table.integrations.get((_tso_visit(asn), check.coron))
    if flags is None:
        flags = item.table.integrations[(_tso_visit(asn), check.coron)] = bytearray(item.table.n)
    hit = flags[item.row]
    if not hit:
        hit = flags[item.row] = 2 if check(item, asn) else 1
    return hit == 2


def _tso_visit(asn: Any) -> bool:
    """``asn.value("is_tso") == "t"`` (False if the rule has no such constraint)."""
    i = asn.cr.by_name.get("is_tso")
    state = None if i is None else asn.st[i]
    return state is not None and state[0] == "t"


def _exposerr(item: Any) -> Any:
    column = item.table.cols.get("exposerr")
    return None if column is None else column[item.row]


def _name(item: Any, asn: Any, level: int, role: str | None) -> str:
    """The member's file name (:func:`level2_name` / :func:`level3_name`), per pool row,
    role (Level 3) and what says whether it is a per-integration (``*ints``) file."""
    check = asn.cr.rule.integrations or default_integrations
    if type(check) is Integrations:  # it reads the row and whether a TSO visit is pinned
        key: tuple = (level, role, _tso_visit(asn), check.coron)
        integrations = None
    else:
        integrations = check(item, asn)
        key = (level, role, integrations)
    names = item.table.member_names.get(key)  # pool row -> name (int keys: compact)
    if names is None:
        names = item.table.member_names[key] = {}
    hit = names.get(item.row)
    if hit is None:
        if integrations is None:
            integrations = _integrations(item, asn)
        filename = item["filename"]
        if level == 3:
            exp_type = item.get("exp_type", "null")
            hit = level3_name(filename, exp_type=exp_type, role=role, integrations=integrations)
        else:
            hit = level2_name(filename, integrations=integrations)
        names[item.row] = hit
    return hit


def make_member(asn: Any, item: Any) -> dict[str, Any]:
    rule = asn.cr.rule
    if rule.level == 3:
        exptype = rule.exposure_type(item, asn)
        return {
            "expname": _name(item, asn, 3, exptype),
            "exptype": exptype,
            "exposerr": _exposerr(item),
            "asn_candidate": item["asn_candidate"],
            "item": item,
        }
    expname = _name(item, asn, 2, None)
    return {
        "expname": expname,
        "exptype": rule.exposure_type(item, asn),
        "exposerr": _exposerr(item),
        "item": item,
    }


def _update_validity(asn: Any, member: dict[str, Any]) -> None:
    validity = asn.validity
    if False not in validity:  # each holds once it held
        return
    for k, check in enumerate(asn.cr.rule.validity):
        if not validity[k]:
            validity[k] = bool(check(member, asn))


def _update_degraded(asn: Any, member: dict[str, Any] | None) -> None:
    """Degraded once a member has an exposure error (only the new member needs a look:
    every earlier one was looked at when it was added)."""
    if asn.data["degraded_status"] != DEGRADED_OK or member is None:
        return
    if "exposerr" in member and not is_empty(member["exposerr"]):
        asn.data["degraded_status"] = DEGRADED_NOTOK


def _update_level3(asn: Any, item: Any, member: dict[str, Any] | None = None) -> None:
    _update_degraded(asn, member)
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
    members = asn.products[-1]["members"]
    if members and asn.has_member(member["expname"], member["exptype"]):
        return False
    asn.filenames.add(item.filename)
    if asn.cr.rule.level == 3:
        _update_validity(asn, member)
        members.append(member)
        _update_level3(asn, item, member)
    else:
        members.append(member)
        _update_validity(asn, member)
        _update_degraded(asn, member)
        asn.stale = True
    return True
