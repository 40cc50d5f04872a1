"""An explanation of one exposure: what every rule did with it (:class:`Explanation`).

Made by :func:`asnkit.explain` and :meth:`asnkit.Run.explain`: one
:class:`RuleResult` per rule and association -- joined (file and role),
removed, dropped or pruned at finalize (why), or not matched (the condition
that failed: column, value, value required).
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from asnkit.errors import AssociationKeyError

__all__ = ["EXPLAIN_COLUMNS", "Explanation", "Outcome", "RuleResult"]

#: Columns of :meth:`Explanation.to_frame`.
EXPLAIN_COLUMNS = (
    "rule",
    "level",
    "outcome",
    "asn_file",
    "asn_rule",
    "exptype",
    "column",
    "value",
    "required",
    "reason",
)


class Outcome(enum.Enum):
    """What a rule did with an exposure."""

    JOINED = "joined"  #: member of an association in the output
    DROPPED = "dropped"  #: matched, but the association was invalid at finalize
    PRUNED = "pruned"  #: matched, but the association duplicated another one
    REMOVED = "removed"  #: the association was kept, without this exposure
    NOT_MATCHED = "not matched"  #: a condition of the rule failed


@dataclass(frozen=True)
class RuleResult:
    """What one rule did with the exposure (one row of :meth:`Explanation.to_frame`)."""

    rule: str
    level: int
    outcome: Outcome
    reason: str
    asn_file: str | None = None
    asn_rule: str | None = None
    exptype: str | None = None
    column: str | None = None
    value: Any = None
    required: str | None = None
    conditions_met: int = 0
    takes_exp_type: bool = False
    #: The association was dropped at finalize: the validity conditions it failed.
    failed: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return f"{self.rule}: {self.reason}"


@dataclass(frozen=True)
class Explanation:
    """Why an exposure is (not) in the associations of a rule set.

    ``str()`` reads as text, :meth:`to_frame` gives one row per rule and
    association, ``_repr_html_`` shows it in Jupyter.
    """

    filename: str
    row: Any
    exp_type: str | None
    results: tuple[RuleResult, ...] = field(repr=False)
    note: str = ""

    @property
    def joined(self) -> tuple[RuleResult, ...]:
        """The associations the exposure is a member of."""
        return tuple(r for r in self.results if r.outcome is Outcome.JOINED)

    @property
    def taken(self) -> bool:
        """True if at least one association has the exposure."""
        return bool(self.joined)

    def result(self, rule: str) -> RuleResult:
        """The first result of a rule, by name (KeyError if the rule is not in the set)."""
        for r in self.results:
            if r.rule == rule:
                return r
        names = ", ".join(dict.fromkeys(r.rule for r in self.results))
        raise AssociationKeyError(f"no rule {rule!r} in this explanation; rules: {names}")

    def to_frame(self) -> pd.DataFrame:
        """One row per rule (per association it joined or started), :data:`EXPLAIN_COLUMNS`."""
        rows = [
            (
                r.rule,
                r.level,
                r.outcome.value,
                r.asn_file,
                r.asn_rule,
                r.exptype,
                r.column,
                r.value,
                r.required,
                r.reason,
            )
            for r in self.results
        ]
        return pd.DataFrame(rows, columns=list(EXPLAIN_COLUMNS))

    def _sections(self) -> list[tuple[str, list[str]]]:
        out = []
        titles = {
            Outcome.JOINED: "joined",
            Outcome.REMOVED: "removed at finalize",
            Outcome.DROPPED: "matched, association dropped at finalize",
            Outcome.PRUNED: "matched, association pruned as a duplicate",
            Outcome.NOT_MATCHED: "not taken",
        }
        for outcome, title in titles.items():
            lines = []
            for r in self.results:
                if r.outcome is not outcome:
                    continue
                if outcome is Outcome.JOINED:
                    lines.append(f"{r.asn_file}  {r.asn_rule}  as {r.exptype}")
                else:
                    lines.append(f"{r.rule}: {r.reason}")
            if lines:
                out.append((title, lines))
        return out

    def __str__(self) -> str:
        head = f"{self.filename} (row {self.row}, exp_type {self.exp_type})"
        if not self.taken:
            head += ": in no association"
        lines = [head] + ([f"({self.note})"] if self.note else [])
        for title, items in self._sections():
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = len(self.joined)
        return f"<Explanation {self.filename}: {n} association{'s' * (n != 1)}>"

    def _repr_html_(self) -> str:
        esc = html.escape

        def table(head: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
            cells = "".join(f"<th>{esc(h)}</th>" for h in head)
            body = "".join(
                "<tr>"
                + "".join(f"<td>{esc('' if v is None else str(v))}</td>" for v in row)
                + "</tr>"
                for row in rows
            )
            return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"

        state = "" if self.taken else ": in no association"
        parts = [
            f"<p><b>{esc(self.filename)}</b> (row {esc(str(self.row))}, "
            f"exp_type {esc(str(self.exp_type))}){esc(state)}</p>"
        ]
        if self.note:
            parts.append(f"<p>({esc(self.note)})</p>")
        joined = [(r.asn_file, r.asn_rule, r.exptype) for r in self.joined]
        if joined:
            parts.append("<p><i>joined</i></p>")
            parts.append(table(("association", "rule", "role"), joined))
        finalized = [
            (r.rule, r.outcome.value, r.reason)
            for r in self.results
            if r.outcome in (Outcome.REMOVED, Outcome.DROPPED, Outcome.PRUNED)
        ]
        if finalized:
            parts.append("<p><i>matched, but not kept at finalize</i></p>")
            parts.append(table(("rule", "outcome", "why"), finalized))
        missed = [
            (r.rule, r.column, r.value, r.required, r.reason)
            for r in self.results
            if r.outcome is Outcome.NOT_MATCHED
        ]
        if missed:
            parts.append("<details><summary><i>not taken</i> "
                         f"({len(missed)} rules)</summary>")  # fmt: skip
            parts.append(table(("rule", "column", "value", "required", "why"), missed))
            parts.append("</details>")
        return "".join(parts)
