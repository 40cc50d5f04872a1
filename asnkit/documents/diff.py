"""Comparing associations, or sets of associations: what differs, in words and as data.

Associations of two sets are paired by ``(asn_type, first product name)``
(so a different sequence number does not matter), then by file name;
products are paired by name and members by ``expname`` (optionally without
suffix). Header keys that are never reproducible (``constraints``,
``code_version``) are ignored by default.

Examples
--------
>>> from asnkit.documents.build import from_files
>>> a = from_files(["x_cal.fits", "y_cal.fits"], product_name="p")
>>> b = from_files(["x_cal.fits", "z_cal.fits"], product_name="p").set_role("x", "psf")
>>> d = diff(a, b)
>>> bool(d), len(d.frame)
(True, 3)
>>> print(d)
jwnoprogram-a3001_image3_00001_asn.json: 3 differences
  product 'p': member 'x_cal.fits' exptype 'science' -> 'psf'
  product 'p': member 'y_cal.fits' only in A
  product 'p': member 'z_cal.fits' only in B
>>> bool(diff(a, a))
False
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asnkit.dms.names import strip_suffix
from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import Association

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DIFF_COLUMNS", "AssociationDiff", "Difference", "diff"]

#: Columns of :attr:`AssociationDiff.frame`.
DIFF_COLUMNS = ("asn_a", "asn_b", "kind", "product", "expname", "field", "a", "b", "change")

#: Header keys ignored by default (not reproducible between runs).
DEFAULT_IGNORE = ("constraints", "code_version")


@dataclass(frozen=True)
class Difference:
    """One difference.

    ``kind`` is ``association``, ``header``, ``product`` or ``member``;
    ``change`` is ``only in A``, ``only in B`` or ``changed``.
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

    def describe(self) -> str:
        """The difference in words."""
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


@dataclass(frozen=True)
class AssociationDiff:
    """The differences between two associations or two sets.

    Truthy when anything differs. ``str()`` gives them in words, grouped by
    association; :attr:`frame` as a DataFrame (columns :data:`DIFF_COLUMNS`).
    """

    differences: tuple[Difference, ...] = field(default_factory=tuple)
    pairs: tuple[tuple[str | None, str | None], ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.differences)

    def __len__(self) -> int:
        return len(self.differences)

    @property
    def identical(self) -> bool:
        """Whether nothing differs."""
        return not self.differences

    @property
    def frame(self) -> pd.DataFrame:
        """One row per difference."""
        import pandas as pd

        rows = [[getattr(d, c) for c in DIFF_COLUMNS] for d in self.differences]
        return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))

    def __str__(self) -> str:
        if not self.differences:
            return "no differences"
        lines: list[str] = []
        groups: dict[tuple[str | None, str | None], list[Difference]] = {}
        for d in self.differences:
            if d.kind == "association":
                continue
            groups.setdefault((d.asn_a, d.asn_b), []).append(d)
        for d in self.differences:
            if d.kind == "association":
                lines.append(d.describe())
        for (name_a, name_b), items in groups.items():
            title = name_a if name_a == name_b or not name_b else f"{name_a} / {name_b}"
            n = len(items)
            lines.append(f"{title or 'association'}: {n} difference{'s' if n != 1 else ''}")
            lines.extend(f"  {d.describe()}" for d in items)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<AssociationDiff: {len(self)} difference{'s' if len(self) != 1 else ''}>"

    def _repr_html_(self) -> str:
        import html

        return f"<b>{html.escape(repr(self))}</b>" + self.frame.to_html(index=False)


def _member_key(expname: Any, ignore_suffix: bool) -> str:
    text = str(expname)
    return strip_suffix(text).lower() if ignore_suffix else text


def _compare(
    a: Association,
    b: Association,
    ignore: Sequence[str],
    ignore_suffix: bool,
) -> list[Difference]:
    na, nb = a.filename, b.filename
    out: list[Difference] = []

    def add(kind: str, product: Any, expname: Any, fld: Any, va: Any, vb: Any, change: str):
        out.append(Difference(na, nb, kind, product, expname, fld, va, vb, change))

    for key in dict.fromkeys([*a, *b]):
        if key == "products" or key in ignore:
            continue
        va, vb = a.get(key), b.get(key)
        if va != vb:
            add("header", None, None, key, va, vb, "changed")
    pa = {p.name: p for p in a.products}
    pb = {p.name: p for p in b.products}
    for name in dict.fromkeys([*pa, *pb]):
        if name not in pb:
            add("product", name, None, None, len(pa[name].members), None, "only in A")
            continue
        if name not in pa:
            add("product", name, None, None, None, len(pb[name].members), "only in B")
            continue
        ma = {_member_key(m.expname, ignore_suffix): m for m in pa[name].members}
        mb = {_member_key(m.expname, ignore_suffix): m for m in pb[name].members}
        for key in sorted(dict.fromkeys([*ma, *mb])):
            if key not in mb:
                add("member", name, ma[key].expname, None, ma[key].exptype, None, "only in A")
            elif key not in ma:
                add("member", name, mb[key].expname, None, None, mb[key].exptype, "only in B")
            else:
                x, y = ma[key], mb[key]
                for fld in dict.fromkeys([*x, *y]):
                    if fld == "expname" and ignore_suffix:
                        continue
                    vx, vy = x.get(fld), y.get(fld)
                    if fld == "exptype":
                        vx, vy = str(vx).lower(), str(vy).lower()
                    if vx != vy:
                        add("member", name, x.expname, fld, x.get(fld), y.get(fld), "changed")
        order_a = [k for k in ma if k in mb]
        order_b = [k for k in mb if k in ma]
        if order_a != order_b:
            add("product", name, None, "member order", None, None, "changed")
    return out


def _pair_key(asn: Association) -> tuple[str, str]:
    names = asn.product_names
    return (str(asn.asn_type).lower(), str(names[0]) if names else "")


def diff(
    a: Association | AssociationSet | Iterable[Association],
    b: Association | AssociationSet | Iterable[Association],
    *,
    ignore: Sequence[str] = DEFAULT_IGNORE,
    ignore_suffix: bool = False,
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

    Returns
    -------
    AssociationDiff
        Truthy when anything differs; ``str()`` in words, ``.frame`` as data.
    """
    if isinstance(a, Association) and isinstance(b, Association):
        return AssociationDiff(
            tuple(_compare(a, b, ignore, ignore_suffix)), ((a.filename, b.filename),)
        )
    if isinstance(a, Association) or isinstance(b, Association):
        raise TypeError("diff compares two associations or two sets, not one of each")
    set_a, set_b = AssociationSet(a), AssociationSet(b)
    by_key: dict[tuple[str, str], list[Association]] = {}
    for asn in set_b:
        by_key.setdefault(_pair_key(asn), []).append(asn)
    by_file = {asn.filename: asn for asn in set_b}
    used: set[int] = set()
    differences: list[Difference] = []
    pairs: list[tuple[str | None, str | None]] = []
    for asn in set_a:
        candidates = [x for x in by_key.get(_pair_key(asn), []) if id(x) not in used]
        match = next((x for x in candidates if x.filename == asn.filename), None)
        if match is None and candidates:
            match = candidates[0]
        if match is None:
            other = by_file.get(asn.filename)
            match = other if other is not None and id(other) not in used else None
        if match is None:
            differences.append(
                Difference(
                    asn.filename, None, "association", None, None, None, None, None, "only in A"
                )
            )
            continue
        used.add(id(match))
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
