"""Many associations at once: the output of the rule engine.

:class:`AssociationSet` is a read-only sequence of :class:`Association` with a
DataFrame view (:meth:`AssociationSet.to_frame`, one row per
association/product/member), filters and a writer.

Examples
--------
>>> from asnkit.documents.model import Association
>>> def asn(t, i, *names):
...     return Association.new(asn_type=t, asn_id=i, program="99009", products=[
...         {"name": names[0].split("_cal")[0],
...          "members": [{"expname": n, "exptype": "science"} for n in names]}])
>>> s = AssociationSet([asn("image3", "o001", "a_cal.fits", "b_cal.fits"),
...                     asn("image3", "o002", "c_cal.fits")])
>>> s
<AssociationSet: 2 associations (2 image3), 3 members>
>>> s.to_frame()[["asn_file", "asn_id", "expname"]]
                             asn_file asn_id     expname
0  jw99009-o001_image3_00001_asn.json   o001  a_cal.fits
1  jw99009-o001_image3_00001_asn.json   o001  b_cal.fits
2  jw99009-o002_image3_00001_asn.json   o002  c_cal.fits
>>> len(s.with_member("c_cal"))
1
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from asnkit.atomic import file_name_problem
from asnkit.dms.names import asn_filename, sequence_numbers, strip_suffix
from asnkit.documents.model import Association
from asnkit.errors import (
    AssociationError,
    AssociationFileExistsError,
    AssociationKeyError,
    AssociationTypeError,
    exists_as,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FRAME_COLUMNS", "AssociationSet", "path_given"]


def path_given(takes: str, path: str | bytes | os.PathLike[str]) -> AssociationTypeError:
    """The error for a path given where associations are taken: says what reads it.

    A folder is read with :func:`asnkit.read_asn_set`, anything else with
    :func:`asnkit.read_asn` (a missing file too: reading it says so).

    Parameters
    ----------
    takes : str
        What the function takes, as a sentence start (``"check takes an association"``).
    path : str, bytes or path-like
        The path that was given.

    Examples
    --------
    >>> print(path_given("check takes an association", "a.json"))
    check takes an association, not the path 'a.json': read it with asnkit.read_asn('a.json')
    """
    text = os.fsdecode(path)
    reader = "read_asn_set" if os.path.isdir(text) else "read_asn"
    return AssociationTypeError(
        f"{takes}, not the path {text!r}: read it with asnkit.{reader}({text!r})"
    )


#: Columns of :meth:`AssociationSet.to_frame`, in order.
FRAME_COLUMNS = (
    "asn_file",
    "asn_type",
    "asn_rule",
    "asn_id",
    "level",
    "program",
    "target",
    "asn_pool",
    "product",
    "expname",
    "exptype",
    "exposerr",
    "asn_candidate",
)

_SUMMARY_COLUMNS = ("asn_file", "asn_type", "asn_id", "asn_rule", "products", "members", "science")


class AssociationSet(Sequence[Association]):
    """A read-only sequence of associations.

    Associations without a ``filename`` get the DMS file name (see
    :func:`asnkit.dms.names.asn_filename`), numbered per
    ``(asn_id, asn_type)`` from 1 in the order given.

    Parameters
    ----------
    associations : iterable of Association or mapping
        Mappings are turned into :class:`Association`.
    """

    __slots__ = ("_items",)

    def __init__(self, associations: Iterable[Association | Any] = ()) -> None:
        if isinstance(associations, (str, bytes, os.PathLike, Association)) or not isinstance(
            associations, Iterable
        ):
            if isinstance(associations, (str, bytes, os.PathLike)):
                made = "an AssociationSet is made from a list of associations"
                raise path_given(made, associations)
            raise AssociationTypeError(
                "an AssociationSet is made from a list of associations, not "
                f"{type(associations).__name__}"
            )
        items = [
            a if isinstance(a, Association) else Association.from_dict(a) for a in associations
        ]
        missing = [a for a in items if not a.filename]
        if missing:
            items = _with_default_filenames(items)
        self._items: tuple[Association, ...] = tuple(items)

    # ------------------------------------------------------------------ sequence
    @overload
    def __getitem__(self, index: int) -> Association: ...
    @overload
    def __getitem__(self, index: slice) -> AssociationSet: ...
    @overload
    def __getitem__(self, index: str) -> Association: ...

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return AssociationSet(self._items[index])
        if isinstance(index, str):
            for asn in self._items:
                if asn.filename == index or asn.name == index:
                    return asn
            raise AssociationKeyError(f"no association named {index!r}")
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Association]:
        return iter(self._items)

    def __add__(self, other: Iterable[Association]) -> AssociationSet:
        return AssociationSet([*self._items, *other])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AssociationSet):
            return self._items == other._items
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ views
    @property
    def filenames(self) -> list[str]:
        """The file name of each association, in order."""
        return [a.filename for a in self._items]

    def to_frame(self) -> pd.DataFrame:
        """One row per association, product and member (columns :data:`FRAME_COLUMNS`).

        Rows come in document order; ``level`` is an int, everything else text
        (or None when the document lacks the key).
        """
        import pandas as pd

        rows = []
        for asn in self._items:
            head = (
                asn.filename,
                asn.asn_type,
                asn.asn_rule,
                asn.asn_id,
                asn.level,
                asn.program,
                asn.target,
                asn.asn_pool,
            )
            for product in asn.products:
                for m in product.members():
                    rows.append(
                        (*head, product.name, m.expname, m.exptype, m.exposerr, m.asn_candidate)
                    )
        frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
        frame["level"] = frame["level"].astype("int64")
        return frame

    def summary(self) -> pd.DataFrame:
        """One row per association: file, type, id, products, members, science members."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "asn_file": a.filename,
                    "asn_type": a.asn_type,
                    "asn_id": a.asn_id,
                    "asn_rule": a.asn_rule,
                    "products": len(a.products),
                    "members": len(a.members()),
                    "science": len(a.science_members),
                }
                for a in self._items
            ],
            columns=list(_SUMMARY_COLUMNS),
        )

    # ------------------------------------------------------------------ filters
    def filter(self, predicate: Callable[[Association], bool]) -> AssociationSet:
        """The associations for which ``predicate(asn)`` is true."""
        return AssociationSet(a for a in self._items if predicate(a))

    def by_type(self, *asn_types: str) -> AssociationSet:
        """The associations of the given types (case-insensitive), e.g. ``by_type("image3")``."""
        wanted = {t.lower() for t in asn_types}
        return self.filter(lambda a: str(a.asn_type).lower() in wanted)

    def by_asn_id(self, *asn_ids: str) -> AssociationSet:
        """The associations with the given ids (``o001``, ``c1000``; case-insensitive)."""
        wanted = {i.lower() for i in asn_ids}
        return self.filter(lambda a: str(a.asn_id).lower() in wanted)

    def by_level(self, level: int) -> AssociationSet:
        """The Level 2 or Level 3 associations."""
        return self.filter(lambda a: a.level == level)

    def with_member(self, name: str, *, role: str | None = None) -> AssociationSet:
        """The associations with a member named ``name``.

        The name matches without folder, extension and suffix
        (``jw_00001``, ``jw_00001_cal.fits``, ``data/jw_00001_rate.fits`` all match
        ``jw_00001_cal.fits``), optionally only members of ``role``.
        """
        key = strip_suffix(name).lower()
        role = role.lower() if role else None

        def has(asn: Association) -> bool:
            return any(
                strip_suffix(m.expname).lower() == key and (role is None or m.role == role)
                for m in asn.members()
            )

        return self.filter(has)

    # ------------------------------------------------------------------ checks
    def validate(self) -> AssociationSet:
        """Validate every association and the set (see :func:`asnkit.validate`); return self."""
        from asnkit.documents.validation import validate

        validate(self)
        return self

    def check(self, **kwargs: Any) -> Any:
        """The findings of :func:`asnkit.check` for every association of the set."""
        from asnkit.documents.checks import check

        return check(self, **kwargs)

    def diff(self, other: Iterable[Association]) -> Any:
        """What differs from ``other`` (see :func:`asnkit.diff`)."""
        from asnkit.documents.diff import diff

        return diff(self, other)

    # ------------------------------------------------------------------ output
    def write(self, directory: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
        """Write each association as ``directory/filename``: all of them, or none.

        The folder is created when missing. The set is one transaction (see
        :func:`asnkit.atomic.write_files`): nothing is written when any file
        exists and ``overwrite`` is false; the files are staged inside the
        folder, made durable with one sync, then moved into place; a failure
        or an interrupted run leaves the folder as it was.

        Returns
        -------
        list of pathlib.Path
            The files written, in order.

        Raises
        ------
        AssociationError
            An association's file name is not a plain DMS file name (values
            such as ``o001/../../x`` in its ``asn_id`` or ``program`` would put
            it outside ``directory``), or two associations have the same name.
        FileExistsError
            A file exists and ``overwrite`` is false (the message names it).
        OSError
            The folder cannot be written.
        """
        from asnkit.atomic import write_files

        files: dict[str, Association] = {}
        for index, asn in enumerate(self._items):
            name = asn.filename
            problem = file_name_problem(name)
            if problem:
                raise AssociationError(
                    f"association {index} ({asn.asn_type} {asn.asn_id}) cannot be written: "
                    f"{problem}; its file name comes from asn_id, program, asn_type and "
                    "version_id, which must be DMS identifiers",
                    errors=[(f"[{index}]", problem)],
                )
            if name in files:
                raise AssociationError(
                    f"two associations would be written as {name}",
                    errors=[(f"[{index}]", f"file name {name} is used twice")],
                )
            files[name] = asn
        with exists_as(AssociationFileExistsError):
            return write_files(directory, _JsonTexts(files), overwrite=overwrite)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for a in self._items:
            counts[str(a.asn_type)] = counts.get(str(a.asn_type), 0) + 1
        kinds = ", ".join(f"{n} {t}" for t, n in counts.items())
        members = sum(len(a.members()) for a in self._items)
        n = len(self._items)
        return (
            f"<AssociationSet: {n} association{'s' if n != 1 else ''}"
            f"{f' ({kinds})' if kinds else ''}, {members} members>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in row) + "</tr>"
            for row in self.summary().itertuples(index=False)
        )
        head = "".join(
            f"<th>{c}</th>"
            for c in (
                "asn_file",
                "asn_type",
                "asn_id",
                "asn_rule",
                "products",
                "members",
                "science",
            )
        )
        return (
            f"<div><b>{esc(repr(self))}</b><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


class _JsonTexts(Mapping[str, str]):
    """File name -> the association's JSON text, made when it is read: a set is written
    holding one text (and one document of a generated set) at a time, not all of them."""

    def __init__(self, by_name: dict[str, Association]) -> None:
        self._by_name = by_name

    def __getitem__(self, name: str) -> str:
        return self._by_name[name].to_json()

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


def _with_default_filenames(items: list[Association]) -> list[Association]:
    keys = [(str(a.asn_id).lower(), str(a.asn_type).lower()) for a in items]
    out = []
    for asn, seq in zip(items, sequence_numbers(keys), strict=True):
        if not asn.filename:
            name = asn_filename(
                asn.program if asn.program is not None else "noprogram",
                asn.asn_id or "a3001",
                asn.asn_type or "none",
                seq,
                asn.version_id,
            )
            asn = asn.with_filename(name)
        out.append(asn)
    return out
