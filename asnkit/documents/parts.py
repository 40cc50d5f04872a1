"""The parts of an association document: read-only views of its products and members.

:class:`Product` and :class:`Member` read like the dicts the pipeline expects
and add typed conveniences; :class:`~asnkit.documents.model.Association` hands
them out (``asn.products``, ``asn.members()``). A document read without
validation may hold anything: the views show the entries that are objects
(:func:`json_objects`).

Examples
--------
>>> p = Product({"name": "x", "members": [{"expname": "a_cal.fits", "exptype": "SCIENCE"}]})
>>> p.name, [(m.expname, m.role) for m in p.members()]
('x', [('a_cal.fits', 'science')])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from asnkit.deprecation import renamed
from asnkit.documents.plain import plain

__all__ = ["JsonView", "Member", "Product", "json_objects"]


class JsonView(Mapping[str, Any]):
    """A read-only mapping over one JSON object of an association document.

    The base of :class:`Member`, :class:`Product` and
    :class:`~asnkit.documents.model.Association`: reads like the dict, keys in
    their order; :meth:`to_dict` is a private copy.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON deep copy, keys in order."""
        return plain(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._data)!r})"


class Member(JsonView):
    """One member of a product: ``expname``, ``exptype`` (role) and any other keys.

    Examples
    --------
    >>> m = Member({"expname": "jw_1_cal.fits", "exptype": "SCIENCE"})
    >>> m.expname, m.exptype, m.role, m.exposerr
    ('jw_1_cal.fits', 'SCIENCE', 'science', None)
    """

    __slots__ = ()

    @property
    def expname(self) -> str:
        """The exposure file name (may carry a folder)."""
        return self._data.get("expname")

    @property
    def exptype(self) -> str:
        """The member type as written (``science``, ``background``, ...)."""
        return self._data.get("exptype")

    @property
    def role(self) -> str:
        """The member type, lowercase."""
        return str(self._data.get("exptype", "")).lower()

    @property
    def exposerr(self) -> Any:
        """The exposure error, if any (usually None)."""
        return self._data.get("exposerr")

    @property
    def asn_candidate(self) -> str | None:
        """The pool's asn_candidate text of the exposure (Level 3 only)."""
        return self._data.get("asn_candidate")

    @property
    def is_science(self) -> bool:
        """Whether the member is a science exposure."""
        return self.role == "science"


class Product(JsonView):
    """One product: a ``name`` and its ``members``.

    Examples
    --------
    >>> p = Product({"name": "x", "members": [{"expname": "a", "exptype": "science"},
    ...                                      {"expname": "b", "exptype": "background"}]})
    >>> p.name, len(p.members()), [m.expname for m in p.science_members]
    ('x', 2, ['a'])
    """

    __slots__ = ()

    @property
    def name(self) -> str | None:
        """The product name."""
        return self._data.get("name")

    def members(self, role: str | None = None) -> tuple[Member, ...]:
        """The members, in order (entries that are not objects are left out); only those of
        one role (case-insensitive) with ``role``."""
        members = tuple(Member(m) for m in json_objects(self._data.get("members")))
        if role is None:
            return members
        role = role.lower()
        return tuple(m for m in members if m.role == role)

    #: Deprecated (v0.1.0): ``members(role)``.
    members_by_role = renamed(members, "members_by_role")

    @property
    def science_members(self) -> tuple[Member, ...]:
        """The science members."""
        return self.members("science")


def json_objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON list (anything else: none): what views show of a loose document.

    Examples
    --------
    >>> json_objects([{"name": "p"}, "x", 3]), json_objects("not a list")
    ([{'name': 'p'}], [])
    """
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]
