"""Why is an exposure (not) in an association? And what changes when a rule changes?

* :func:`explain` -- for one exposure, the associations it joined (rule, role),
  and for every other rule the first condition that failed (column, the value
  the exposure has, the value required), or why the association it started
  was dropped at finalize (invalid, one observation only, duplicate);
* :func:`orphans` -- the exposures no association took, each with its reason;
* :func:`compare_rules` -- the associations added, removed or changed when
  one rule set replaces another.

The generation is the engine's own (the same associations as
:func:`asnkit.apply_rules`), followed association by association through
finalize; conditions are traced by evaluating the rule's constraint tree on
the exposure alone.

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
>>> why = pool.asn.explain("jw_00001_uncal.fits",
...                        rules=asnkit.rules.dms_level3())
>>> why.joined[0].asn_file, why.joined[0].exptype
('jw99009-a3001_image3_00002_asn.json', 'science')
>>> print(why.result("Asn_Lv3AMI").reason)
exp_type is 'nrc_image', needs 'nis_ami'
>>> print(why.result("Asn_Lv3ImageMosaic").reason)  # doctest: +ELLIPSIS
association a3001 dropped at finalize: it is a discovered association; ... (is_type_mosaic)
>>> other = asnkit.read_pool(asnkit.data.pool_path("pool_018_all_exptypes"))
>>> lonely = other.asn.orphans(rules=asnkit.rules.dms_level3())
>>> print(lonely.loc[44, "reason"])
msametfl has no value, needs a value (Asn_Lv3SpectralSource)
>>> print(lonely.loc[10, "reason"])
no rule takes exp_type 'nrc_dark' (role dark)

Comparing rule sets (see :func:`compare_rules`): what a mosaic gains with observation 7:

>>> from asnkit.rules.custom import rule
>>> before = rule("Mosaic", select={"exp_type": "nrc_image"}, agree=["filter"],
...               exclude={"obs_num": "7"})
>>> after = rule("Mosaic", select={"exp_type": "nrc_image"}, agree=["filter"])
>>> table = asnkit.compare_rules(pool, [before], [after])
>>> table[["change", "product_b", "members_a", "members_b"]]
    change                        product_b  members_a  members_b
0  changed  jw99009-a3001_t000_nircam_f277w         12         14
1  changed  jw99009-a3001_t000_nircam_f090w         48         56
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from asnkit.dms.names import strip_suffix
from asnkit.generation.compare import COMPARE_COLUMNS, compare_rules
from asnkit.generation.followed import FollowedRun, Outcome, RuleResult, exposure_role
from asnkit.rules.model import Rule

__all__ = [
    "COMPARE_COLUMNS",
    "EXPLAIN_COLUMNS",
    "ORPHAN_COLUMNS",
    "Explanation",
    "Outcome",
    "RuleResult",
    "compare_rules",
    "explain",
    "orphans",
]

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
        raise KeyError(f"no rule {rule!r} in this explanation")

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


# --------------------------------------------------------------------------- public API


def _default_rules(rules: Iterable[Rule] | None) -> list[Rule]:
    if rules is None:
        from asnkit.rules import dms_rules

        return list(dms_rules())
    return list(rules)


def _find_rows(pool: pd.DataFrame, filename: str) -> list[int]:
    names = [n.lower() if isinstance(n, str) else "" for n in pool["filename"]]
    wanted = str(filename).lower()
    hits = [i for i, n in enumerate(names) if n == wanted]
    if not hits:
        key = strip_suffix(wanted)
        hits = [i for i, n in enumerate(names) if n and strip_suffix(n) == key]
    if not hits:
        import difflib

        close = difflib.get_close_matches(wanted, [str(n) for n in names], n=3)
        hint = f"; did you mean {', '.join(close)}" if close else ""
        where = pool.attrs.get("asn_pool", "the pool")
        raise KeyError(f"{filename!r} is not in {where}{hint}")
    return hits


def explain(
    pool: pd.DataFrame,
    filename: str,
    *,
    rules: Iterable[Rule] | None = None,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    row: Any = None,
) -> Explanation:
    """Why one exposure is (or is not) in each association a rule set makes.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`); not modified.
    filename : str
        The exposure's pool file name (case-insensitive; another suffix such
        as ``_cal`` or no extension also finds it).
    rules : iterable of Rule, optional
        Default: the DMS rules (:func:`asnkit.rules.dms_rules`).
    candidates, discover, all_candidates, version_id
        As :func:`asnkit.apply_rules`.
    row : index label, optional
        Which row, when several rows have that file name (merged pools); by
        default the first (the explanation's ``note`` says so).

    Returns
    -------
    Explanation
        Per rule: joined (association file and role), dropped or pruned at
        finalize (why), removed at finalize, or not matched (the first failing
        condition: column, value, required value).

    Raises
    ------
    KeyError
        The file is not in the pool, or ``row`` is not one of its rows.
    """
    rules = _default_rules(rules)
    hits = _find_rows(pool, filename)
    note = ""
    if row is not None:
        chosen = [i for i in hits if pool.index[i] == row]
        if not chosen:
            labels = [pool.index[i] for i in hits]
            raise KeyError(f"row {row!r} does not have {filename!r}; rows that do: {labels}")
        position = chosen[0]
    else:
        position = hits[0]
        if len(hits) > 1:
            labels = ", ".join(str(pool.index[i]) for i in hits)
            note = f"{len(hits)} rows have this file name ({labels}); pass row= for another"
    run = FollowedRun(pool, rules, candidates, discover, all_candidates, version_id)
    exp_type = pool["exp_type"].iloc[position] if "exp_type" in pool.columns else None
    return Explanation(
        filename=str(pool["filename"].iloc[position]),
        row=pool.index[position],
        exp_type=None if pd.isna(exp_type) else str(exp_type),
        results=tuple(run.results_for(position)),
        note=note,
    )


#: Columns of :func:`orphans`.
ORPHAN_COLUMNS = (
    "filename",
    "exp_type",
    "obs_num",
    "rule",
    "outcome",
    "column",
    "value",
    "required",
    "reason",
)

#: Flags of special exposures: a rule failing on their absence is not for this exposure.
_FLAGS = frozenset({"is_imprt", "is_psf", "bkgdtarg", "tsovisit"})

_PREFERENCE = {Outcome.REMOVED: 0, Outcome.PRUNED: 1, Outcome.DROPPED: 2, Outcome.NOT_MATCHED: 3}


def _closest(results: Sequence[RuleResult]) -> RuleResult:
    """The most telling result for an orphan.

    A finalize drop first (unless only for lack of science members); else,
    among the rules for the exposure's type, the failure most of them share
    (not a missing special-exposure flag), then the rule whose conditions it
    came closest to meeting.
    """
    counts: dict[tuple, int] = {}
    for r in results:
        if r.outcome is Outcome.NOT_MATCHED and r.takes_exp_type:
            key = (r.column, r.value is None, r.required)
            counts[key] = counts.get(key, 0) + 1

    def rank(r: RuleResult) -> int:
        if r.outcome is Outcome.DROPPED and r.reason.endswith("(has_science)"):
            return 4  # the exposure was not science there: rarely the reason
        if r.outcome is Outcome.NOT_MATCHED:
            return 3 if r.takes_exp_type else 5
        return _PREFERENCE.get(r.outcome, 9)

    return min(
        results,
        key=lambda r: (
            rank(r),
            r.column in _FLAGS and r.value is None,  # a rule for special exposures only
            -counts.get((r.column, r.value is None, r.required), 0),
            -r.conditions_met,
        ),
    )


def orphans(
    pool: pd.DataFrame,
    *,
    rules: Iterable[Rule] | None = None,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
) -> pd.DataFrame:
    """The exposures that no association took, each with its reason.

    The reason is the most telling rule's: one whose association was dropped
    or pruned at finalize if any, else the rule whose conditions the exposure
    came closest to meeting, with the first condition it failed.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`); not modified.
    rules : iterable of Rule, optional
        Default: the DMS rules.
    candidates, discover, all_candidates
        As :func:`asnkit.apply_rules`.

    Returns
    -------
    pandas.DataFrame
        Indexed like the pool; columns :data:`ORPHAN_COLUMNS` (``reason`` is
        ``"<text> (<rule>)"``). Use :func:`explain` for every rule's answer.
    """
    rules = _default_rules(rules)
    run = FollowedRun(pool, rules, candidates, discover, all_candidates, None)
    taken = run.taken_rows()
    records = []
    index = []
    for row in range(len(pool)):
        if row in taken:
            continue
        results = run.results_for(row)
        if not results:
            continue
        best = _closest(results)
        exp_type = pool["exp_type"].iloc[row] if "exp_type" in pool.columns else None
        reason = f"{best.reason} ({best.rule})"
        if best.outcome is Outcome.NOT_MATCHED and not best.takes_exp_type:
            best = RuleResult(
                "",
                0,
                Outcome.NOT_MATCHED,
                "",
                column="exp_type",
                value=exp_type,
                required=None,
            )
            reason = f"no rule takes exp_type {exp_type!r} (role {exposure_role(run.table, row)})"
        records.append(
            {
                "filename": pool["filename"].iloc[row],
                "exp_type": exp_type,
                "obs_num": pool["obs_num"].iloc[row] if "obs_num" in pool.columns else None,
                "rule": best.rule or None,
                "outcome": best.outcome.value,
                "column": best.column,
                "value": best.value,
                "required": best.required,
                "reason": reason,
            }
        )
        index.append(pool.index[row])
    return pd.DataFrame(
        records, index=pd.Index(index, name=pool.index.name), columns=list(ORPHAN_COLUMNS)
    )
