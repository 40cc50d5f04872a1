"""Comparing associations, or sets of associations: what differs, in words and as data.

Associations of two sets are paired by ``(asn_type, first product name)``
(so a different sequence number does not matter), then by file name, then by
shared members; products are paired by name, then by shared members (a
renamed product is still the same product), and members by ``expname``
(optionally without suffix). Header keys that are never reproducible
(``constraints``, ``code_version``) are ignored by default.

``str()`` reads like a review comment: per product, the members added (``+``),
removed (``-``) and whose role changed (``~``); ``.to_frame()`` holds the same as
data, one row per difference.

Examples
--------
>>> from asnkit.documents.build import asn_from_files
>>> a = asn_from_files(["x_cal.fits", "y_cal.fits"], product_name="p")
>>> b = asn_from_files(["x_cal.fits", "z_cal.fits"], product_name="q").set_role("x", "psf")
>>> d = diff(a, b)
>>> bool(d), len(d.to_frame())
(True, 4)
>>> print(d)
jwnoprogram-a3001_image3_00001_asn.json: 4 differences
  product 'p', renamed 'q' (1 of 2 members kept): 1 added, 1 removed, 1 changed role
    + z_cal.fits (science)
    - y_cal.fits (science)
    ~ x_cal.fits: science -> psf
>>> bool(diff(a, a))
False
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asnkit.deprecation import deprecated_property
from asnkit.dms.names import strip_suffix
from asnkit.documents.collection import AssociationSet, path_given
from asnkit.documents.model import Association
from asnkit.documents.parts import Product
from asnkit.documents.validation import validate
from asnkit.errors import AssociationTypeError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DIFF_COLUMNS", "AssociationDiff", "Difference", "diff"]

#: Columns of :meth:`AssociationDiff.to_frame`.
DIFF_COLUMNS = (
    "asn_a",
    "asn_b",
    "kind",
    "product",
    "product_b",
    "expname",
    "field",
    "a",
    "b",
    "change",
)

#: Header keys ignored by default (not reproducible between runs).
DEFAULT_IGNORE = ("constraints", "code_version")
#: Members listed per product and kind of change in the text form.
_SHOWN = 12


@dataclass(frozen=True)
class Difference:
    """One difference.

    ``kind`` is ``association``, ``header``, ``product`` or ``member``;
    ``change`` is ``only in A``, ``only in B`` or ``changed``. ``product`` is the
    product's name in A (in B for products only in B), ``product_b`` its name in
    B when paired by members under another name. For a member whose role
    changed, ``field`` is ``exptype``.
    """

    asn_a: str | None
    asn_b: str | None
    kind: str
    product: str | None
    expname: str | None
    field: str | None
    a: Any
    b: Any
    change: str
    product_b: str | None = None

    def describe(self) -> str:
        """The difference in words, on one line."""
        if self.kind == "association":
            return f"association {self.asn_a or self.asn_b}: {self.change}"
        if self.kind == "header":
            return f"{self.field}: {self.a!r} -> {self.b!r}"
        where = f"product {self.product!r}"
        if self.kind == "product":
            if self.change == "changed":
                return f"{where}: {self.field} {self.a!r} -> {self.b!r}"
            return f"{where}: {self.change}"
        what = f"{where}: member {self.expname!r}"
        if self.change == "changed":
            return f"{what} {self.field} {self.a!r} -> {self.b!r}"
        return f"{what} {self.change}"


def _review(items: list[Difference]) -> list[str]:
    """The differences of one pair of associations, as review-comment lines."""
    lines = [f"  {d.describe()}" for d in items if d.kind == "header"]
    products: dict[str | None, list[Difference]] = {}
    for d in items:
        if d.kind in ("product", "member"):
            products.setdefault(d.product, []).append(d)
    for name, diffs in products.items():
        if all(_is_note(d) for d in diffs):
            continue  # paired and unchanged: only the note of the members they share
        alone = [d for d in diffs if d.kind == "product" and d.change != "changed"]
        if alone:
            d = alone[0]
            n = d.a if d.change == "only in A" else d.b
            side = "A" if d.change == "only in A" else "B"
            lines.append(f"  product {name!r} ({_count(n)}): only in {side}")
            continue
        renamed = next((d for d in diffs if d.kind == "product" and d.field == "name"), None)
        shared = next((d for d in diffs if d.kind == "product" and d.field == "members"), None)
        added = [d for d in diffs if d.kind == "member" and d.change == "only in B"]
        removed = [d for d in diffs if d.kind == "member" and d.change == "only in A"]
        roles = [d for d in diffs if d.kind == "member" and d.field == "exptype"]
        other = [d for d in diffs if d.kind == "member" and d.change == "changed"
                 and d.field != "exptype"]  # fmt: skip
        title = f"  product {name!r}"
        if renamed is not None:
            title += f", renamed {renamed.b!r}"
        if shared is not None:
            title += f" ({shared.a} of {shared.b} members kept)"
        counts = [
            f"{len(added)} added" if added else "",
            f"{len(removed)} removed" if removed else "",
            f"{len(roles)} changed role" if roles else "",
            f"{len(other)} changed" if other else "",
        ]
        if any(d.kind == "product" and d.field == "member order" for d in diffs):
            counts.append("members in another order")
        lines.append(f"{title}: {', '.join(c for c in counts if c) or 'renamed only'}")
        lines.extend(_listed(added, "+", lambda d: f"{d.expname} ({d.b})"))
        lines.extend(_listed(removed, "-", lambda d: f"{d.expname} ({d.a})"))
        lines.extend(_listed(roles, "~", lambda d: f"{d.expname}: {d.a} -> {d.b}"))
        lines.extend(_listed(other, "~", lambda d: f"{d.expname}: {d.field} {d.a!r} -> {d.b!r}"))
    return lines


def _count(n: Any) -> str:
    return f"{n} member{'s' if n != 1 else ''}" if isinstance(n, int) else "?"


def _listed(items: list[Difference], mark: str, text: Any) -> list[str]:
    out = [f"    {mark} {text(d)}" for d in items[:_SHOWN]]
    if len(items) > _SHOWN:
        out.append(f"    {mark} ... and {len(items) - _SHOWN} more")
    return out


@dataclass(frozen=True)
class AssociationDiff:
    """The differences between two associations or two sets.

    Truthy when anything differs. ``str()`` gives them in words, grouped by
    association and product, like a review comment; :attr:`frame` as a
    DataFrame (columns :data:`DIFF_COLUMNS`).
    """

    differences: tuple[Difference, ...] = field(default_factory=tuple)
    pairs: tuple[tuple[str | None, str | None], ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return any(not _is_note(d) for d in self.differences)

    def __len__(self) -> int:
        return sum(not _is_note(d) for d in self.differences)

    @property
    def identical(self) -> bool:
        """Whether nothing differs."""
        return not self

    def to_frame(self) -> pd.DataFrame:
        """One row per difference (columns :data:`DIFF_COLUMNS`)."""
        import pandas as pd

        rows = [[getattr(d, c) for c in DIFF_COLUMNS] for d in self.differences if not _is_note(d)]
        return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))

    frame = deprecated_property("to_frame", "frame")

    def members(self, change: str | None = None) -> list[Difference]:
        """Member differences: ``added``, ``removed``, ``role`` or all (None)."""
        wanted = {"added": ("only in B", None), "removed": ("only in A", None),
                  "role": ("changed", "exptype")}  # fmt: skip
        out = [d for d in self.differences if d.kind == "member"]
        if change is not None:
            kind, fld = wanted[change]
            out = [d for d in out if d.change == kind and (fld is None or d.field == fld)]
        return out

    def __str__(self) -> str:
        if not self:
            return "no differences"
        lines: list[str] = [d.describe() for d in self.differences if d.kind == "association"]
        groups: dict[tuple[str | None, str | None], list[Difference]] = {}
        for d in self.differences:
            if d.kind != "association":
                groups.setdefault((d.asn_a, d.asn_b), []).append(d)
        for (name_a, name_b), items in groups.items():
            title = name_a if name_a == name_b or not name_b else f"{name_a} / {name_b}"
            n = sum(not _is_note(d) for d in items)
            if not n:
                continue
            lines.append(f"{title or 'association'}: {n} difference{'s' if n != 1 else ''}")
            lines.extend(_review(items))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<AssociationDiff: {len(self)} difference{'s' if len(self) != 1 else ''}>"

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>" + self.to_frame().to_html(index=False)


def _is_note(d: Difference) -> bool:
    """How many members two paired products share: context for the text, not a difference."""
    return d.kind == "product" and d.field == "members"


def _member_key(expname: Any, ignore_suffix: bool) -> str:
    text = str(expname)
    return strip_suffix(text).lower() if ignore_suffix else text


def _name_key(name: Any) -> Any:
    return name if name is None or isinstance(name, str) else repr(name)


def _keys(product: Product, ignore_suffix: bool) -> set[str]:
    return {_member_key(m.expname, ignore_suffix) for m in product.members()}


def _pair_by_members(left: list[Any], right: list[Any], keys: Any) -> list[tuple[Any, Any]]:
    """Greedy pairs of ``left`` and ``right`` items sharing most members (Jaccard), if any."""
    scored = []
    for i, x in enumerate(left):
        kx = keys(x)
        for j, y in enumerate(right):
            ky = keys(y)
            shared = len(kx & ky)
            if shared:
                scored.append((shared / len(kx | ky), i, j))
    pairs, used_i, used_j = [], set(), set()
    for _, i, j in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((left[i], right[j]))
    return pairs


def _compare(
    a: Association,
    b: Association,
    ignore: Sequence[str],
    ignore_suffix: bool,
) -> list[Difference]:
    na, nb = a.filename, b.filename
    out: list[Difference] = []

    def add(kind: str, product: Any, expname: Any, fld: Any, va: Any, vb: Any, change: str,
            product_b: Any = None) -> None:  # fmt: skip
        out.append(Difference(na, nb, kind, product, expname, fld, va, vb, change, product_b))

    for key in dict.fromkeys([*a, *b]):
        if key == "products" or key in ignore:
            continue
        va, vb = a.get(key), b.get(key)
        if va != vb:
            add("header", None, None, key, va, vb, "changed")
    # names of documents loaded without validation may be anything: compare them as text
    pa = {_name_key(p.name): p for p in a.products}
    pb = {_name_key(p.name): p for p in b.products}
    pairs = [(pa[n], pb[n]) for n in pa if n in pb]
    rest_a = [p for n, p in pa.items() if n not in pb]
    rest_b = [p for n, p in pb.items() if n not in pa]
    pairs += _pair_by_members(rest_a, rest_b, lambda p: _keys(p, ignore_suffix))
    paired_a = {id(x) for x, _ in pairs}
    paired_b = {id(y) for _, y in pairs}
    for x in rest_a:
        if id(x) not in paired_a:
            add("product", x.name, None, None, len(x.members()), None, "only in A")
    for x, y in sorted(pairs, key=lambda xy: list(pa).index(_name_key(xy[0].name))):
        name, other = x.name, (y.name if y.name != x.name else None)
        if other is not None:
            add("product", name, None, "name", x.name, y.name, "changed", other)
        ma = {_member_key(m.expname, ignore_suffix): m for m in x.members()}
        mb = {_member_key(m.expname, ignore_suffix): m for m in y.members()}
        both = len(ma.keys() & mb.keys())
        add("product", name, None, "members", both, len(ma), "changed", other)
        for key in sorted(dict.fromkeys([*ma, *mb])):
            if key not in mb:
                add("member", name, ma[key].expname, None, ma[key].exptype, None, "only in A",
                    other)  # fmt: skip
            elif key not in ma:
                add("member", name, mb[key].expname, None, None, mb[key].exptype, "only in B",
                    other)  # fmt: skip
            else:
                m, n = ma[key], mb[key]
                for fld in dict.fromkeys([*m, *n]):
                    if fld == "expname" and ignore_suffix:
                        continue
                    vx, vy = m.get(fld), n.get(fld)
                    if fld == "exptype":
                        vx, vy = str(vx).lower(), str(vy).lower()
                    if vx != vy:
                        add("member", name, m.expname, fld, m.get(fld), n.get(fld), "changed",
                            other)  # fmt: skip
        order_a = [k for k in ma if k in mb]
        order_b = [k for k in mb if k in ma]
        if order_a != order_b:
            add("product", name, None, "member order", None, None, "changed", other)
    for y in rest_b:
        if id(y) not in paired_b:
            add("product", y.name, None, None, None, len(y.members()), "only in B")
    return out


def _pair_key(asn: Association) -> tuple[str, str]:
    names = asn.product_names
    return (str(asn.asn_type).lower(), str(names[0]) if names else "")


def _asn_keys(asn: Association) -> set[tuple[str, str]]:
    return {(str(asn.asn_type).lower(), strip_suffix(str(m.expname)).lower())
            for m in asn.members()}  # fmt: skip


def _refuse_invalid(items: Iterable[Association]) -> None:
    for asn in items:  # one by one: jwst's own sets share product names (wfs-image3)
        validate(asn, warn_paths=False, paths="as_given")


def diff(
    a: Association | AssociationSet | Iterable[Association],
    b: Association | AssociationSet | Iterable[Association],
    *,
    ignore: Sequence[str] = DEFAULT_IGNORE,
    ignore_suffix: bool = False,
    validate: bool = True,
) -> AssociationDiff:
    """What differs between two associations, or two sets of associations.

    Parameters
    ----------
    a, b : Association or AssociationSet
        What to compare (two of the same kind).
    ignore : sequence of str
        Header keys not compared (default ``constraints`` and ``code_version``).
    ignore_suffix : bool
        Pair members by name without suffix (``x_cal.fits`` = ``x_rate.fits``).
    validate : bool
        Refuse invalid documents (default); ``False`` compares whatever can be
        read of them (an association being edited).

    Returns
    -------
    AssociationDiff
        Truthy when anything differs; ``str()`` in words (per product: members
        added, removed, changed role), ``.to_frame()`` as data, ``.members("added")``...

    Raises
    ------
    AssociationError
        When either side holds an invalid document (naming its file and the JSON
        path of each fault): a comparison of what calwebb cannot read would hide
        the fault. Member names may be of any path form.
    AssociationTypeError
        When either side is a path (what reads it: :func:`asnkit.read_asn`, or
        :func:`asnkit.read_asn_set` for a folder), or one side is an association
        and the other a set.
    """
    for side in (a, b):
        if isinstance(side, (str, bytes, os.PathLike)):
            raise path_given("diff compares two associations or two sets", side)
    if isinstance(a, Association) and isinstance(b, Association):
        _refuse_invalid([a, b] if validate else [])
        return AssociationDiff(
            tuple(_compare(a, b, ignore, ignore_suffix)), ((a.filename, b.filename),)
        )
    if isinstance(a, Association) or isinstance(b, Association):
        kinds = ", ".join(type(x).__name__ for x in (a, b))
        raise AssociationTypeError(
            f"diff compares two associations or two sets, not one of each ({kinds}); "
            "wrap the association: AssociationSet([asn])"
        )
    set_a, set_b = AssociationSet(a), AssociationSet(b)
    _refuse_invalid([*set_a, *set_b] if validate else [])
    by_key: dict[tuple[str, str], list[Association]] = {}
    for asn in set_b:
        by_key.setdefault(_pair_key(asn), []).append(asn)
    by_file = {asn.filename: asn for asn in set_b}
    used: set[int] = set()
    matched: dict[int, Association] = {}
    for asn in set_a:
        candidates = [x for x in by_key.get(_pair_key(asn), []) if id(x) not in used]
        match = next((x for x in candidates if x.filename == asn.filename), None)
        if match is None and candidates:
            match = candidates[0]
        if match is None:
            other = by_file.get(asn.filename)
            match = other if other is not None and id(other) not in used else None
        if match is not None:
            used.add(id(match))
            matched[id(asn)] = match
    left = [x for x in set_a if id(x) not in matched]
    right = [x for x in set_b if id(x) not in used]
    for x, y in _pair_by_members(left, right, _asn_keys):
        used.add(id(y))
        matched[id(x)] = y
    differences: list[Difference] = []
    pairs: list[tuple[str | None, str | None]] = []
    for asn in set_a:
        match = matched.get(id(asn))
        if match is None:
            differences.append(
                Difference(
                    asn.filename, None, "association", None, None, None, None, None, "only in A"
                )
            )
            continue
        pairs.append((asn.filename, match.filename))
        differences.extend(_compare(asn, match, ignore, ignore_suffix))
    for asn in set_b:
        if id(asn) not in used:
            differences.append(
                Difference(
                    None, asn.filename, "association", None, None, None, None, None, "only in B"
                )
            )
    return AssociationDiff(tuple(differences), tuple(pairs))
