"""How jwst lays out an association document: its key orders, and the level of a type.

The reference pipeline writes Level 3 and Level 2 headers in different orders
(:data:`LEVEL3_KEYS`, :data:`LEVEL2_KEYS`: ``target`` and ``asn_pool`` swap),
products as ``name`` then ``members``, and members as :data:`MEMBER_KEYS`
then any other key. :meth:`asnkit.documents.model.Association.new` builds
documents in these orders, so that they are written as jwst writes them.

Examples
--------
>>> LEVEL3_KEYS.index("target") < LEVEL3_KEYS.index("asn_pool")
True
>>> level_of("image2"), level_of("spec3")
(2, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "LEVEL2_KEYS",
    "LEVEL3_KEYS",
    "MEMBER_KEYS",
    "level_of",
    "ordered_member",
    "ordered_product",
]

#: Header keys in the order jwst writes Level 3 associations.
LEVEL3_KEYS = (
    "asn_type",
    "asn_rule",
    "version_id",
    "code_version",
    "degraded_status",
    "program",
    "constraints",
    "asn_id",
    "target",
    "asn_pool",
    "products",
)
#: Header keys in the order jwst writes Level 2 associations (asn_pool before target).
LEVEL2_KEYS = (
    "asn_type",
    "asn_rule",
    "version_id",
    "code_version",
    "degraded_status",
    "program",
    "constraints",
    "asn_id",
    "asn_pool",
    "target",
    "products",
)
#: Member keys in the order jwst writes them.
MEMBER_KEYS = ("expname", "exptype", "exposerr", "asn_candidate")


def level_of(asn_type: Any, asn_rule: Any = None) -> int:
    """The level of an association type: 2 for ``*2`` types (or ``Lv2`` rules), else 3.

    Examples
    --------
    >>> level_of("spec2"), level_of("wfs-image3"), level_of("image", "discover_Asn_Image")
    (2, 3, 3)
    """
    text = str(asn_type or "").lower()
    if text.endswith("2"):
        return 2
    if text.endswith("3"):
        return 3
    if "lv2" in str(asn_rule or "").lower():
        return 2
    return 3


def ordered_product(product: Mapping[str, Any]) -> dict[str, Any]:
    """A product with its keys as jwst writes them: ``name``, any other key, ``members``.

    Examples
    --------
    >>> ordered_product({"members": [{"exptype": "science", "expname": "a"}], "name": "p"})
    {'name': 'p', 'members': [{'expname': 'a', 'exptype': 'science'}]}
    """
    out: dict[str, Any] = {}
    if "name" in product:
        out["name"] = product["name"]
    out.update((k, v) for k, v in product.items() if k not in ("name", "members"))
    out["members"] = [ordered_member(m) for m in product.get("members", ())]
    return out


def ordered_member(member: Mapping[str, Any]) -> dict[str, Any]:
    """A member with :data:`MEMBER_KEYS` first, in that order, then any other key."""
    out = {k: member[k] for k in MEMBER_KEYS if k in member}
    out.update((k, v) for k, v in member.items() if k not in out)
    return out
