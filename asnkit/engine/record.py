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
from asnkit.engine.table import Item

__all__ = ["Fate", "Formation", "Member", "Output", "Record"]


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


@dataclass(eq=False)
class Output:
    """An association finalize made of a formation.

    ``members`` are its member entries after finalize (document order);
    ``direct_image`` the pool row whose Level 3 products a WFSS association
    uses; ``duplicate_of`` the kept output it duplicates when pruned;
    ``filename`` and ``document`` once kept (``document`` is released once the
    documents are built).
    """

    formation: Formation
    members: tuple[Member, ...]
    product: str
    direct_image: int | None = None
    fate: Fate = Fate.KEPT
    duplicate_of: Output | None = None
    filename: str | None = None
    document: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def rows(self) -> dict[int, str]:
        """Pool row -> role of the members (the first entry of each row)."""
        out: dict[int, str] = {}
        for row, role, _ in self.members:
            if row is not None:
                out.setdefault(row, role)
        return out


@dataclass(eq=False)
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
    outputs: list[Output] = field(default_factory=list)

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
    """

    rules: list[Any]
    candidates: list[tuple[str, str]]
    discovered: bool
    formations: list[Formation] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    table: Any = field(default=None, repr=False)
    compiled: Any = field(default=None, repr=False)

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
        """(document, file name) of the kept associations, releasing each document."""
        for output in self.outputs:
            document, output.document = output.document, None
            if document is None:
                raise ValueError("the documents of this record were taken already")
            yield document, str(output.filename)

    def by_row(self) -> dict[int, list[Formation]]:
        """Pool row -> the formations that had it before finalize (in formation order)."""
        index: dict[int, list[Formation]] = {}
        for formation in self.formations:
            for row in formation.rows:
                index.setdefault(row, []).append(formation)
        return index
