"""What a generation decided, as facts: every association formed, and what became of it.

:func:`asnkit.engine.pipeline.run_engine` fills a :class:`Record` stage by stage:

* a :class:`Formation` per association a rule formed (which rule, which
  candidate, its members before finalize), in the order they were formed;
* its :class:`Fate` at finalize: kept, split (one association per science
  exposure), or dropped -- invalid (the validity checks that failed), from a
  single observation, or incomplete (a WFSS association without science or
  direct image);
* an :class:`Output` per association finalize made of it: its members after
  finalize, and whether it was pruned as a duplicate (of which output) or kept
  (its file name and document).

The record holds plain data (pool rows as positions, roles, names); queries
(:mod:`asnkit.generation`) read it without re-running anything.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from asnkit.dms.exposures import exposure_type
from asnkit.dms.names import asn_filename
from asnkit.engine.table import Item

__all__ = ["DocumentSource", "Fate", "Formation", "Member", "Output", "Record", "parted_lines"]


class Fate(enum.Enum):
    """What finalize and pruning did with an association (or with a member of it)."""

    KEPT = "kept"  #: in the output (its members perhaps changed)
    SPLIT = "split"  #: one association per science exposure (nods)
    INVALID = "invalid"  #: dropped: a validity check of the rule failed
    SINGLE_OBSERVATION = "single observation"  #: dropped: group/mosaic from one observation
    INCOMPLETE = "incomplete"  #: dropped: the finalize step could not complete it
    DUPLICATE = "duplicate"  #: pruned: the same members (or product) as another output


#: One member entry: (pool row or None for a product such as a WFSS catalog, role, file name).
Member = tuple[int | None, str, str]


@dataclass(eq=False, slots=True)
class Output:
    """An association finalize made of a formation.

    ``members`` are its member entries after finalize (document order);
    ``direct_image`` the pool row whose Level 3 products a WFSS association
    uses; ``duplicate_of`` the kept output it duplicates when pruned;
    ``filename`` and ``source`` once kept (the document is built from
    ``source`` when asked for: :meth:`document`).
    """

    formation: Formation
    members: tuple[Member, ...]
    product: str
    direct_image: int | None = None
    fate: Fate = Fate.KEPT
    duplicate_of: Output | None = None
    filename: str | None = None
    source: DocumentSource | None = field(default=None, repr=False)

    def document(self) -> dict[str, Any]:
        """The association document (a new plain dict each time)."""
        if self.source is None:
            raise ValueError("not a kept association: it has no document")
        return self.source.build()

    @property
    def rows(self) -> dict[int, str]:
        """Pool row -> role of the members (the first entry of each row)."""
        out: dict[int, str] = {}
        for row, role, _ in self.members:
            if row is not None:
                out.setdefault(row, role)
        return out


@dataclass(eq=False, slots=True)
class Formation:
    """An association as a rule formed it, before finalize.

    ``number``: the order formations were made in (across passes); ``rule``: index of the rule
    in :attr:`Record.rules`; ``candidate``: ``(id, type)``, or None for an
    association formed across the pool (``a3001``); ``failed``: the validity
    checks that failed (``INVALID``); ``observations``: the ``obs_num`` values
    found (``SINGLE_OBSERVATION``).
    """

    number: int
    rule: int
    candidate: tuple[str, str] | None
    asn_id: str
    asn_rule: str
    members: tuple[Member, ...]
    fate: Fate = Fate.KEPT
    failed: tuple[Any, ...] = ()
    observations: tuple[str, ...] = ()
    outputs: tuple[Output, ...] = ()

    @property
    def rows(self) -> dict[int, str]:
        """Pool row -> role of the members before finalize (the first entry of each row)."""
        out: dict[int, str] = {}
        for row, role, _ in self.members:
            if row is not None:
                out.setdefault(row, role)
        return out

    @property
    def dropped(self) -> bool:
        return self.fate in (Fate.INVALID, Fate.SINGLE_OBSERVATION, Fate.INCOMPLETE)


@dataclass(eq=False)
class Record:
    """The facts of one generation: rules, candidates, formations and their outputs.

    ``outputs`` are the kept associations in document order; ``formations``
    every association formed, in the order finalize takes them: the discovered
    ones, then those of each candidate, each in the order formed (``number``).
    ``complete`` False: only the outputs were asked for (:func:`asnkit.generate`);
    ``formations`` is then empty, and an output's formation says only its rule,
    candidate and id (the associations dropped are let go unrecorded).
    """

    rules: list[Any]
    candidates: list[tuple[str, str]]
    discovered: bool
    formations: list[Formation] = field(default_factory=list)
    outputs: tuple[Output, ...] = ()
    table: Any = field(default=None, repr=False)
    compiled: Any = field(default=None, repr=False)
    complete: bool = True

    def text(self, position: int, column: str) -> str:
        """A pool value as generation read it: lower-case text, ``null`` when missing or absent."""
        values = self.table.cols.get(column)
        return "null" if values is None else values[position]

    def role(self, position: int) -> str:
        """The DMS role of a pool row (science, dark, target_acquisition...; ``unknown``)."""
        try:
            return exposure_type(Item(self.table, position))
        except LookupError:
            return "unknown"

    def taken_rows(self) -> set[int]:
        """Pool rows in a kept association (a WFSS direct image through its Level 3 products)."""
        rows: set[int] = set()
        for output in self.outputs:
            rows.update(row for row, _, _ in output.members if row is not None)
            if output.direct_image is not None:
                rows.add(output.direct_image)
        return rows

    def documents(self) -> Iterator[tuple[dict[str, Any], str]]:
        """(document, file name) of the kept associations, in order."""
        for output in self.outputs:
            yield output.document(), str(output.filename)

    def by_row(self) -> dict[int, list[Formation]]:
        """Pool row -> the formations that had it before finalize (in formation order)."""
        index: dict[int, list[Formation]] = {}
        for formation in self.formations:
            for row in formation.rows:
                index.setdefault(row, []).append(formation)
        return index


def parted_lines(lines: tuple[str, ...], share: Any) -> tuple:
    """``(middle lines, first, last)`` of the lines of a constraints text, each tuple given to
    ``share`` (the run's one tuple equal to it); fewer than two lines as they are.

    Associations of one rule differ mostly in their first and last lines (the program, the
    candidate): the middle lines are then one tuple for many associations.
    """
    if len(lines) < 2:
        return share(lines)
    return share((share(lines[1:-1]), lines[0], lines[-1]))


class DocumentSource:
    """What an association document is made of, kept compact until the document is asked for.

    The header (``layout``: its keys in order, each with its position, shared
    between associations; ``values``), the lines of the constraints text (``lines``;
    kept parted and shared between associations: :func:`parted_lines`), and the
    ``products``: ``(name, members)`` pairs, the members as the record keeps them
    (pool row or None, role, file name); each
    member's ``exposerr`` and ``asn_candidate`` are read from the pool's columns
    (``cands``: the candidate text the exposure carried in its pass, one for all
    members or one per member; None: its own column). ``seq_out`` is the
    association's number among those of its ``(asn_id, asn_type)``.
    """

    __slots__ = (
        "cands",
        "columns",
        "layout",
        "level3",
        "members",
        "named",
        "parted",
        "seq_out",
        "values",
    )

    def __init__(
        self,
        layout: dict[str, int],
        values: tuple[Any, ...],
        lines: tuple[str, ...],
        products: tuple[tuple[str, tuple[Member, ...]], ...],
        cands: Any,
        level3: bool,
        columns: tuple[Any, Any],
    ) -> None:
        self.layout = layout
        self.values = values
        self.parted = lines  # the lines, or (middle lines, first, last): :func:`parted_lines`
        # one product (most): its name and members, not a tuple of one pair
        single = len(products) == 1 and type(products[0][0]) is str
        self.members = products[0][1] if single else ()
        self.named: Any = products[0][0] if single else products
        self.cands = cands
        self.level3 = level3
        self.columns = columns  # the pool's exposerr and asn_candidate columns (lists, or None)
        self.seq_out = 0

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines of the constraints text, in order."""
        parted = self.parted
        if len(parted) == 3 and type(parted[0]) is tuple:
            middle, first, last = parted
            return (first, *middle, last)
        return parted

    @property
    def products(self) -> tuple[tuple[str, tuple[Member, ...]], ...]:
        """The ``(name, members)`` pairs, in order."""
        named = self.named
        return ((named, self.members),) if type(named) is str else named

    @property
    def data(self) -> dict[str, Any]:
        """The header (a new dict)."""
        return dict(zip(self.layout, self.values, strict=True))

    def value(self, key: str) -> Any:
        """One value of the header (KeyError if it has none)."""
        return self.values[self.layout[key]]

    @property
    def asn_id(self) -> str:
        return self.value("asn_id")

    @property
    def asn_type(self) -> str:
        return self.value("asn_type")

    def filename(self) -> str:
        """The document's file name (:func:`~asnkit.dms.names.asn_filename`), once numbered."""
        # the header's program is already padded as jwst pads it ('00nul' too), which
        # asn_filename leaves as it is
        return asn_filename(
            self.value("program"),
            self.asn_id,
            self.asn_type,
            self.seq_out,
            self.value("version_id"),
        )

    def build(self) -> dict[str, Any]:
        """The document: a new plain dict (keys in the order the reference writes them)."""
        from asnkit.version import code_version

        data = self.data
        data["code_version"] = code_version()
        data["constraints"] = "\n".join(self.lines)
        exposerrs, candidates = self.columns
        cands = self.cands
        single = not isinstance(cands, tuple)
        products = []
        k = 0
        for name, entries in self.products:
            members = []
            for row, role, expname in entries:
                out: dict[str, Any] = {"expname": expname, "exptype": role}
                if row is not None:
                    out["exposerr"] = None if exposerrs is None else exposerrs[row]
                    if self.level3:
                        cand = cands if single else cands[k]
                        out["asn_candidate"] = cand if cand is not None else candidates[row]
                members.append(out)
                k += 1
            products.append({"name": name, "members": members})
        data["products"] = products
        return data

    #: A source is what a lazy association builds its document with (no bound method kept
    #: per association: :meth:`asnkit.Association.lazy`).
    __call__ = build
