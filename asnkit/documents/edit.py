"""Editing associations: add and remove members, change roles, rename products, rewrite paths.

Every function returns a new :class:`~asnkit.documents.model.Association`
and leaves its input unchanged. Members are named by file name, with or
without folder, extension and suffix: ``jw_00001``, ``jw_00001_cal.fits`` and
``data/jw_00001_cal.fits`` all name the member ``jw_00001_cal.fits`` (an exact
base-name match wins over a suffix-less one).

Examples
--------
>>> from asnkit.documents.build import asn_from_files
>>> asn = asn_from_files(["a_cal.fits", "b_cal.fits"], product_name="p")
>>> asn2 = add_members(asn, "bg_x1d.fits", role="background")
>>> asn2.expnames, asn.expnames
(['a_cal.fits', 'b_cal.fits', 'bg_x1d.fits'], ['a_cal.fits', 'b_cal.fits'])
>>> remove_members(asn2, ["a", "bg"]).expnames
['b_cal.fits']
>>> set_role(asn, "b", "psf").roles
{'science': 1, 'psf': 1}
>>> rename_product(asn, "mosaic").product_names
['mosaic']
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from typing import Any

from asnkit.dms.names import strip_suffix
from asnkit.documents.model import Association
from asnkit.documents.paths import PathMode, member_path
from asnkit.documents.validation import member_role
from asnkit.errors import (
    AssociationError,
    AssociationIndexError,
    AssociationKeyError,
    close_matches,
)

__all__ = [
    "add_members",
    "find_members",
    "remove_members",
    "rename_product",
    "set_role",
    "with_paths",
]


def _names(values: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    if isinstance(values, (str, os.PathLike)):
        return [os.fspath(values)]
    return [os.fspath(v) for v in values]


def _not_a_member(asn: Association, name: str) -> AssociationKeyError:
    """The error for a name that matches no member: close member names, or the members there are."""
    members = [
        os.path.basename(str(m.get("expname", "")))
        for p in asn.get("products", ())
        for m in p.get("members", ())
    ]
    close = close_matches(os.path.basename(name), members, n=3)
    if close:
        hint = f"; did you mean: {', '.join(close)}"
    else:
        hint = f"; members: {', '.join(members[:5])}" + (", ..." if len(members) > 5 else "")
    where = asn.filename or "the association"
    return AssociationKeyError(f"{name!r} is not a member of {where}{hint}")


def find_members(asn: Association, name: str) -> list[tuple[int, int]]:
    """``(product index, member index)`` of the members named ``name``.

    An exact base-name match (case-insensitive) wins; otherwise names are
    compared without folder, extension and suffix.

    Examples
    --------
    >>> from asnkit.documents.build import asn_from_files
    >>> asn = asn_from_files(["a_cal.fits", "b_cal.fits"], product_name="p")
    >>> find_members(asn, "b"), find_members(asn, "data/a_cal.fits"), find_members(asn, "c")
    ([(0, 1)], [(0, 0)], [])
    """
    base = os.path.basename(name).lower()
    exact, loose = [], []
    key = strip_suffix(name).lower()
    for i, product in enumerate(asn.get("products", ())):
        for j, member in enumerate(product.get("members", ())):
            expname = str(member.get("expname", ""))
            if os.path.basename(expname).lower() == base:
                exact.append((i, j))
            elif strip_suffix(expname).lower() == key:
                loose.append((i, j))
    return exact or loose


def _product_index(asn: Association, product: int | str | None) -> list[int]:
    count = len(asn.get("products", ()))
    if product is None:
        return list(range(count))
    if isinstance(product, int):
        if not -count <= product < count:
            raise AssociationIndexError(
                f"products[{product}]: the association has {count} product(s)"
            )
        return [product % count]
    names = asn.product_names
    if product not in names:
        raise AssociationKeyError(f"no product named {product!r} (products: {names})")
    return [names.index(product)]


def add_members(
    asn: Association,
    expnames: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    role: str = "science",
    product: int | str | None = None,
    path_mode: PathMode | str = PathMode.AS_GIVEN,
    folder: str | os.PathLike[str] | None = None,
    **fields: Any,
) -> Association:
    """A copy with members added.

    Parameters
    ----------
    asn : Association
        The association.
    expnames : str or list of str
        File names of the new members.
    role : str
        Their member type (``science``, ``background``, ``psf``...).
    product : int or str, optional
        The product (index or name) to add to; by default every product, as
        jwst's ``asn_edit`` does. In a Level 2 association a new *science*
        member makes a new product of its own (named after the file), since
        a Level 2 product holds one science member.
    path_mode, folder :
        How to write the names (see :class:`~asnkit.documents.paths.PathMode`).
    **fields :
        Other member keys (``exposerr=None``, ``asn_candidate=...``).

    Raises
    ------
    asnkit.AssociationError (a ValueError)
        A name is already a member of a target product, or the role is unknown.
    """
    role = member_role(role)
    data = asn.to_dict()
    names = [member_path(n, path_mode, folder=folder) for n in _names(expnames)]
    if asn.level == 2 and role == "science" and product is None:
        others = [
            m for p in data["products"][:1] for m in p["members"] if m["exptype"] != "science"
        ]
        for name in names:
            if find_members(asn, name):
                raise AssociationError(f"{name!r} is already a member of the association")
            member = {"expname": name, "exptype": role, **fields}
            data["products"].append(
                {"name": strip_suffix(name), "members": [member, *copy.deepcopy(others)]}
            )
        return Association.from_dict(data, filename=asn.filename)
    targets = _product_index(asn, product)
    for name in names:
        taken = [i for i, _ in find_members(asn, name) if i in targets]
        if taken:
            raise AssociationError(f"{name!r} is already a member of products[{taken[0]}]")
        for i in targets:
            data["products"][i]["members"].append({"expname": name, "exptype": role, **fields})
    return Association.from_dict(data, filename=asn.filename)


def remove_members(
    asn: Association,
    expnames: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    drop_empty: bool = True,
    missing_ok: bool = False,
) -> Association:
    """A copy without the named members (from every product).

    Products left without members are dropped (``drop_empty``), as jwst's
    ``asn_edit -r`` does; so is a Level 2 product whose science member was
    removed.

    Raises
    ------
    asnkit.errors.AssociationKeyError (a KeyError)
        A name matches no member (unless ``missing_ok``).
    asnkit.AssociationError (a ValueError)
        Nothing would be left.
    """
    data = asn.to_dict()
    doomed: set[tuple[int, int]] = set()
    for name in _names(expnames):
        found = find_members(asn, name)
        if not found and not missing_ok:
            raise _not_a_member(asn, name)
        doomed.update(found)
    products = []
    for i, product in enumerate(data["products"]):
        members = [m for j, m in enumerate(product["members"]) if (i, j) not in doomed]
        lost_science = any(
            str(m.get("exptype")).lower() == "science"
            for j, m in enumerate(product["members"])
            if (i, j) in doomed
        )
        if drop_empty and (not members or (asn.level == 2 and lost_science)):
            continue
        products.append({**product, "members": members})
    if not products:
        raise AssociationError("removing these members would leave no product")
    data["products"] = products
    return Association.from_dict(data, filename=asn.filename)


def set_role(
    asn: Association,
    expnames: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    role: str,
) -> Association:
    """A copy where the named members have member type ``role``.

    Raises
    ------
    asnkit.errors.AssociationKeyError (a KeyError)
        A name matches no member.
    """
    role = member_role(role)
    data = asn.to_dict()
    for name in _names(expnames):
        found = find_members(asn, name)
        if not found:
            raise _not_a_member(asn, name)
        for i, j in found:
            data["products"][i]["members"][j]["exptype"] = role
    return Association.from_dict(data, filename=asn.filename)


def rename_product(asn: Association, new_name: str, *, product: int | str = 0) -> Association:
    """A copy where one product (index or current name; default the first) is renamed.

    Raises
    ------
    asnkit.AssociationError (a ValueError)
        Another product already has that name.
    """
    (index,) = _product_index(asn, product)
    names = asn.product_names
    if new_name in names and names.index(new_name) != index:
        raise AssociationError(f"products[{names.index(new_name)}] is already named {new_name!r}")
    data = asn.to_dict()
    data["products"][index]["name"] = new_name
    return Association.from_dict(data, filename=asn.filename)


def with_paths(
    asn: Association,
    mode: PathMode | str,
    *,
    folder: str | os.PathLike[str] | None = None,
) -> Association:
    """A copy with every expname rewritten in ``mode`` (basename, absolute, relative...).

    ``folder`` is the association's folder (relative names are relative to
    it; default the current folder).

    Examples
    --------
    >>> from asnkit.documents.build import asn_from_files
    >>> asn = asn_from_files(["/data/x/a_cal.fits"], product_name="p", path_mode="absolute")
    >>> with_paths(asn, "relative", folder="/data").expnames
    ['x/a_cal.fits']
    >>> with_paths(asn, "basename").expnames
    ['a_cal.fits']
    """
    data = asn.to_dict()
    for product in data["products"]:
        for member in product["members"]:
            member["expname"] = member_path(member["expname"], mode, folder=folder)
    return Association.from_dict(data, filename=asn.filename)
