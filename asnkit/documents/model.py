"""The association document: a read-only mapping with typed conveniences.

An :class:`Association` reads like the dict the pipeline expects
(``asn["products"][0]["members"][0]["expname"]``), keeps every key in the
order it was given (the reference pipeline orders Level 2 and Level 3 headers
differently, see :mod:`asnkit.documents.layout`), and writes the
same JSON text as the pipeline (4-space indent, ``", "``/``": "`` separators,
no trailing newline).

Associations are values: the editing methods return new objects and leave the
original unchanged. The nested dicts returned by ``asn[key]`` belong to the
association; do not change them in place (use :meth:`Association.to_dict` for
a private copy). Its products and members are the views of
:mod:`asnkit.documents.parts`; the names this module exported before the split
(``Member``, ``Product``, the key orders, ``level_of``...) still import from here.

Examples
--------
>>> asn = Association.new(
...     asn_type="image3", asn_id="o001", program="99009", target="t001",
...     products=[{"name": "jw99009-o001_t001_miri_f560w",
...                "members": [{"expname": "jw_00001_cal.fits", "exptype": "science"}]}],
... )
>>> asn["products"][0]["members"][0]["expname"]
'jw_00001_cal.fits'
>>> asn.level, asn.asn_type, [m.expname for m in asn.science_members]
(3, 'image3', ['jw_00001_cal.fits'])
>>> Association.from_dict(asn.to_dict()) == asn
True
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from asnkit.atomic import write_text
from asnkit.documents.layout import (
    LEVEL2_KEYS,
    LEVEL3_KEYS,
    MEMBER_KEYS,
    level_of,
    ordered_product,
)
from asnkit.documents.parts import JsonView, Member, Product, json_objects
from asnkit.documents.plain import json_text, plain

__all__ = [
    "LEVEL2_KEYS",
    "LEVEL3_KEYS",
    "MEMBER_KEYS",
    "Association",
    "Member",
    "Product",
    "atomic_write_text",
    "level_of",
    "plain",
]


def atomic_write_text(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically, creating its folder.

    See :func:`asnkit.atomic.write_text` (which this calls with ``make_folder=True``).

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false; the message names the file.
    """
    return write_text(path, text, overwrite=overwrite, make_folder=True)


class Association(JsonView):
    """An association document.

    Build one with :meth:`from_dict` (keeps the keys and their order) or
    :meth:`new` (puts the header in the pipeline's order). ``filename`` is the
    DMS file name (or None); it is not part of the document.

    Parameters
    ----------
    data : mapping
        The document; deep-copied into plain JSON types.
    filename : str, optional
        The file name to write the association under.
    """

    __slots__ = ("filename",)  # and JsonView's _data

    def __init__(self, data: Mapping[str, Any], *, filename: str | None = None) -> None:
        if not isinstance(data, Mapping):
            from asnkit.errors import AssociationTypeError

            raise AssociationTypeError(
                f"an association is a mapping, not {type(data).__name__}"
                + (
                    f" ({os.fspath(data)!r}: read a file with asnkit.read_asn)"
                    if isinstance(data, (str, os.PathLike))
                    else ""
                )
            )
        self._data: dict[str, Any] = plain(data)
        self.filename: str | None = filename

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, filename: str | None = None) -> Association:
        """An association holding a deep copy of ``data``, keys in the given order."""
        return cls(data, filename=filename)

    @classmethod
    def lazy(
        cls, build: Callable[[], dict[str, Any]], *, filename: str | None = None
    ) -> Association:
        """An association whose document ``build()`` makes when it is first read.

        ``build`` must return a new dict of plain JSON types each time (it is
        kept, not copied). Generation uses it: documents are made from the
        run's compact record only when someone reads them.
        """
        return _Lazy(build, filename)

    @classmethod
    def from_json(cls, text: str, *, filename: str | None = None) -> Association:
        """An association from JSON text (no validation; see :func:`asnkit.read_asn`).

        The JSON is read strictly (:func:`asnkit.documents.io.parse_json`).
        """
        from asnkit.documents.io import parse_json

        data = parse_json(text, filename or "<string>")
        if not isinstance(data, Mapping):
            from asnkit.errors import AssociationError

            raise AssociationError(
                f"an association is a JSON object, not {type(data).__name__}",
                errors=[("", f"expected an object, found {type(data).__name__}")],
            )
        return cls(data, filename=filename)

    @classmethod
    def new(
        cls,
        *,
        asn_type: str,
        products: Iterable[Mapping[str, Any]],
        level: int | None = None,
        filename: str | None = None,
        **header: Any,
    ) -> Association:
        """An association with its header in the pipeline's key order.

        Keys of ``header`` known to the pipeline (:data:`LEVEL3_KEYS` or
        :data:`LEVEL2_KEYS`, by ``level``, guessed from ``asn_type``) come in its
        order; other keys follow, then ``products``. Products are written as
        ``name`` then ``members``, members as ``expname, exptype, exposerr,
        asn_candidate`` then any other key.
        """
        if level is None:
            level = level_of(asn_type, header.get("asn_rule"))
        order = LEVEL2_KEYS if level == 2 else LEVEL3_KEYS
        fields = {"asn_type": asn_type, **header}
        data: dict[str, Any] = {k: fields[k] for k in order if k in fields}
        data.update((k, v) for k, v in fields.items() if k not in data)
        data["products"] = [ordered_product(p) for p in products]
        return cls(data, filename=filename)

    # ------------------------------------------------------------------ mapping
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Association):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ output
    def to_json(self) -> str:
        """The JSON text the pipeline writes (4-space indent, no trailing newline)."""
        return json_text(self._data)

    def write(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the JSON text atomically to ``path``; return the path written.

        If ``path`` is a folder (existing, or written with a trailing ``/``),
        the file goes there under :attr:`filename`; missing folders are created.

        Raises
        ------
        FileExistsError
            The file exists and ``overwrite`` is false.
        AssociationError
            ``path`` is a folder and :attr:`filename` is missing or not a plain
            file name (it would land outside the folder).
        """
        from asnkit.atomic import file_name_problem
        from asnkit.errors import AssociationError, AssociationFileExistsError, exists_as

        target = Path(path)
        text = os.fspath(path)
        if target.is_dir() or text.endswith(("/", os.sep)):
            problem = file_name_problem(self.filename) if self.filename else "it has no filename"
            if problem:
                raise AssociationError(
                    f"{target} is a folder and the association cannot be written there: {problem}",
                    errors=[("", problem)],
                )
            target = target / self.filename
        with exists_as(AssociationFileExistsError):
            return atomic_write_text(target, self.to_json(), overwrite=overwrite)

    # ------------------------------------------------------------------ header fields
    def _get(self, key: str) -> Any:
        return self._data.get(key)

    @property
    def asn_type(self) -> str | None:
        """The association type (``image3``, ``spec2``, ...)."""
        return self._get("asn_type")

    @property
    def asn_rule(self) -> str | None:
        """The rule that made the association."""
        return self._get("asn_rule")

    @property
    def asn_id(self) -> str | None:
        """The association id (``o001``, ``c1000``, ``a3001``)."""
        return self._get("asn_id")

    @property
    def program(self) -> str | None:
        """The program, as written."""
        return self._get("program")

    @property
    def target(self) -> str | None:
        """The target, as written (``t001`` in Level 3, ``1`` in Level 2)."""
        return self._get("target")

    @property
    def asn_pool(self) -> str | None:
        """The pool the association came from."""
        return self._get("asn_pool")

    @property
    def version_id(self) -> str | None:
        """The version id (a timestamp), if any."""
        return self._get("version_id")

    @property
    def code_version(self) -> str | None:
        """The version of the software that wrote the association."""
        return self._get("code_version")

    @property
    def degraded_status(self) -> str | None:
        """Whether any member has an exposure error, in words."""
        return self._get("degraded_status")

    @property
    def constraints(self) -> str | None:
        """The constraints text the pipeline records (not deterministic)."""
        return self._get("constraints")

    @property
    def level(self) -> int:
        """2 for Level 2 (``*2`` types, ``Lv2`` rules), else 3."""
        return level_of(self.asn_type, self.asn_rule)

    @property
    def name(self) -> str | None:
        """The file name without ``.json`` (None without filename)."""
        if not self.filename:
            return None
        base = os.path.basename(self.filename)
        return base[:-5] if base.lower().endswith(".json") else base

    # ------------------------------------------------------------------ products and members
    @property
    def products(self) -> tuple[Product, ...]:
        """The products, in order (entries that are not objects are left out).

        A document loaded without validation may hold anything; the views
        show what they can and :func:`asnkit.validate` says what is wrong.
        """
        return tuple(Product(p) for p in json_objects(self._data.get("products")))

    @property
    def product_names(self) -> list[str | None]:
        """The product names, in order."""
        return [p.get("name") for p in json_objects(self._data.get("products"))]

    def members(self, role: str | None = None) -> list[Member]:
        """Every member of every product, optionally only those of one role."""
        out = [m for p in self.products for m in p.members()]
        if role is not None:
            role = role.lower()
            out = [m for m in out if m.role == role]
        return out

    @property
    def science_members(self) -> list[Member]:
        """Every science member of every product."""
        return self.members("science")

    @property
    def expnames(self) -> list[str]:
        """The expname of every member, in order (repeated if in several products)."""
        return [m.expname for m in self.members()]

    @property
    def roles(self) -> dict[str, int]:
        """How many members of each role (lowercase exptype)."""
        counts: dict[str, int] = {}
        for m in self.members():
            counts[m.role] = counts.get(m.role, 0) + 1
        return counts

    def to_frame(self) -> Any:
        """One row per product and member (see :meth:`AssociationSet.to_frame`)."""
        from asnkit.documents.collection import AssociationSet

        return AssociationSet([self]).to_frame()

    # ------------------------------------------------------------------ new associations
    def replace(self, **fields: Any) -> Association:
        """A new association with header fields set (new keys go before ``products``).

        Examples
        --------
        >>> asn = Association({"asn_type": "image3", "products": []})
        >>> list(asn.replace(asn_id="o002"))
        ['asn_type', 'asn_id', 'products']
        """
        data = dict(self._data)
        products = data.pop("products", None)
        data.update(fields)
        if products is not None and "products" not in fields:
            data["products"] = products
        return Association(data, filename=self.filename)

    def without(self, *keys: str) -> Association:
        """A new association without the given header keys (e.g. ``constraints``)."""
        return Association(
            {k: v for k, v in self._data.items() if k not in keys}, filename=self.filename
        )

    def with_filename(self, filename: str | None) -> Association:
        """The same document under another file name."""
        return Association(self._data, filename=filename)

    def with_products(self, products: Iterable[Mapping[str, Any]]) -> Association:
        """The same header with other products."""
        data = dict(self._data)
        data["products"] = [dict(p) for p in products]
        return Association(data, filename=self.filename)

    # editing conveniences (see asnkit.documents.edit)
    def add_members(self, expnames: str | Iterable[str], **kwargs: Any) -> Association:
        """See :func:`asnkit.documents.edit.add_members`."""
        from asnkit.documents.edit import add_members

        return add_members(self, expnames, **kwargs)

    def remove_members(self, expnames: str | Iterable[str], **kwargs: Any) -> Association:
        """See :func:`asnkit.documents.edit.remove_members`."""
        from asnkit.documents.edit import remove_members

        return remove_members(self, expnames, **kwargs)

    def set_role(self, expnames: str | Iterable[str], role: str, **kwargs: Any) -> Association:
        """See :func:`asnkit.documents.edit.set_role`."""
        from asnkit.documents.edit import set_role

        return set_role(self, expnames, role, **kwargs)

    def rename_product(self, new_name: str, **kwargs: Any) -> Association:
        """See :func:`asnkit.documents.edit.rename_product`."""
        from asnkit.documents.edit import rename_product

        return rename_product(self, new_name, **kwargs)

    def with_paths(self, mode: Any, **kwargs: Any) -> Association:
        """See :func:`asnkit.documents.edit.with_paths`."""
        from asnkit.documents.edit import with_paths

        return with_paths(self, mode, **kwargs)

    def diff(self, other: Association) -> Any:
        """What differs from ``other`` (see :func:`asnkit.diff`)."""
        from asnkit.documents.diff import diff

        return diff(self, other)

    def check(self, **kwargs: Any) -> Any:
        """What calwebb would do differently from what this association says.

        See :func:`asnkit.check` (``pool=``, ``files=``).
        """
        from asnkit.documents.checks import check

        return check(self, **kwargs)

    def validate(self) -> Association:
        """Validate (see :func:`asnkit.validate`); return self."""
        from asnkit.documents.validation import validate

        validate(self)
        return self

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        roles = ", ".join(f"{n} {r}" for r, n in self.roles.items())
        nprod = len(self.products)
        nmem = len(self.members())
        title = " ".join(str(x) for x in (self.asn_type, self.asn_id, self.filename) if x)
        return (
            f"<Association {title}: {nprod} product{'s' if nprod != 1 else ''}, "
            f"{nmem} member{'s' if nmem != 1 else ''}{f' ({roles})' if roles else ''}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(str(v))}</td></tr>"
            for k, v in self._data.items()
            if k not in ("products", "constraints")
        )
        rows = []
        for product in self.products:
            for m in product.members():
                rows.append(
                    f"<tr><td>{esc(str(product.name))}</td><td>{esc(str(m.expname))}</td>"
                    f"<td>{esc(str(m.exptype))}</td></tr>"
                )
        title = esc(self.filename or "Association")
        return (
            f"<div><b>{title}</b><table>{head}</table>"
            f"<table><thead><tr><th>product</th><th>expname</th><th>exptype</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


class _Lazy(Association):
    """An :class:`Association` built on first read (:meth:`Association.lazy`)."""

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[], dict[str, Any]], filename: str | None) -> None:
        self._build: Callable[[], dict[str, Any]] | None = build
        self.filename = filename

    @property  # type: ignore[override]
    def _data(self) -> dict[str, Any]:  # the base class's slot, filled on first read
        slot = Association._data  # JsonView's slot
        build = self._build
        if build is None:
            return slot.__get__(self, Association)  # type: ignore[attr-defined]
        data = build()
        slot.__set__(self, data)  # type: ignore[attr-defined]
        self._build = None
        return data

    def to_json(self) -> str:
        build = self._build
        if build is None:
            return super().to_json()
        # not kept: writing a set of many associations holds one document at a time
        return json_text(build())

    def __reduce__(self) -> tuple:
        return (Association, (self._data,), (None, {"filename": self.filename}))
