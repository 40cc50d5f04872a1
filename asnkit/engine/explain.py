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

import enum
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# The engine's own steps (private names: explanations must follow generation
# exactly; tests/test_explain.py checks the result equals apply_rules on every pool).
from asnkit.engine.finalize import _finalize_level2, _finalize_level3, prune, resequence
from asnkit.engine.generate import _document, _Generator, build_table, candidates_by_type
from asnkit.engine.members import refresh
from asnkit.engine.state import AsnState, CompiledRule, Item, Table
from asnkit.rules.dms import EMPTY
from asnkit.rules.model import Attr, Finalize, Group, Reduce, Rule, Test, callable_name

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
        lines = [head]
        for title, items in self._sections():
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = len(self.joined)
        return f"<Explanation {self.filename}: {n} association{'s' * (n != 1)}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        parts = [
            f"<b>{esc(self.filename)}</b> (row {esc(str(self.row))}, {esc(str(self.exp_type))})"
        ]
        for title, items in self._sections():
            parts.append(f"<p><i>{esc(title)}</i></p><ul>")
            parts.extend(f"<li><code>{esc(item)}</code></li>" for item in items)
            parts.append("</ul>")
        return "".join(parts)


# --------------------------------------------------------------------------- the run


def _rows(asn: AsnState) -> dict[int, dict[str, Any]]:
    """Pool rows of an association's members (the first member entry of each row)."""
    out: dict[int, dict[str, Any]] = {}
    for product in asn.products:
        for member in product["members"]:
            item = member.get("item")
            if item is not None:
                out.setdefault(item.row, member)
    return out


@dataclass
class _Fate:
    outcome: Outcome
    reason: str
    outputs: list[AsnState]


class _Run:
    """One generation with every association followed through finalize."""

    def __init__(
        self,
        pool: pd.DataFrame,
        rules: Sequence[Rule],
        candidates: Sequence[str] | None,
        discover: bool,
        all_candidates: bool,
        version_id: str | None,
    ) -> None:
        from asnkit import __version__

        self.pool = pool
        self.rules = list(rules)
        self.table: Table = build_table(pool)
        self.generator = _Generator(self.table, self.rules, version_id or None)
        found = candidates_by_type(self.table)
        if candidates is not None:
            chosen = []
            for cid in candidates:
                chosen.extend([(k, t) for k, t in found if k == cid][:1])
            discover = False
        else:
            chosen = found if all_candidates else []
        states: list[AsnState] = []
        for cid, ctype in chosen:
            states.extend(self.generator.candidate(cid, ctype))
        discovered = self.generator.discover() if discover else []
        self.states = discovered + states
        self.dropped: dict[int, str] = {}
        self.rows_before: dict[int, set[int]] = {}
        self.outputs: dict[int, list[AsnState]] = {}
        self.final: list[tuple[AsnState, str, dict[str, Any]]] = []
        for level in (2, 3):
            level_states = [a for a in self.states if a.rule.level == level]
            outs: list[AsnState] = []
            for asn in level_states:  # as finalize_level: headers brought up to date first
                refresh(asn)
                self.rows_before[id(asn)] = set(_rows(asn))  # finalize may change members
            for asn in level_states:
                reason = _drop_reason(asn)
                result = (_finalize_level3 if level == 3 else _finalize_level2)(asn)
                self.outputs[id(asn)] = result
                if not result:
                    self.dropped[id(asn)] = reason
                outs.extend(result)
            survivors = prune(outs)
            resequence(survivors)
            for asn in survivors:
                data, filename = _document(asn, __version__)
                self.final.append((asn, filename, data))
        self._exp_type_patterns: dict[int, list[Any]] = {}
        self.final_ids = {id(a): (filename, data) for a, filename, data in self.final}

    def associations(self) -> Any:
        from asnkit.documents.collection import AssociationSet
        from asnkit.documents.model import Association

        return AssociationSet(Association.from_dict(d, filename=f) for _, f, d in self.final)

    def taken_rows(self) -> set[int]:
        """Rows in an association (a WFSS direct image through its Level 3 products)."""
        rows: set[int] = set()
        for asn, _, _ in self.final:
            rows.update(_rows(asn))
            direct = _direct_image_row(asn)
            if direct is not None:
                rows.add(direct)
        return rows

    def _duplicate_of(self, asn: AsnState) -> str:
        key = _membership(asn)
        name = asn.products[0]["name"] if asn.products else None
        for kept, filename, _ in self.final:
            if kept.rule.level == asn.rule.level and _membership(kept) == key:
                return f"same members as {filename}"
        for kept, filename, _ in self.final:
            if kept.products and kept.products[0]["name"] == name:
                return f"same product {name} as {filename}"
        return "a duplicate"

    def results_for(self, row: int) -> list[RuleResult]:
        out: list[RuleResult] = []
        by_rule: dict[int, list[AsnState]] = {}
        for asn in self.states:
            if row in self.rows_before[id(asn)]:
                by_rule.setdefault(asn.cr.index, []).append(asn)
        for index, rule in enumerate(self.rules):
            states = by_rule.get(index)
            if not states:
                out.append(self._not_matched(index, rule, row))
                continue
            for asn in states:
                out.extend(self._fate(rule, asn, row))
        return out

    def _fate(self, rule: Rule, asn: AsnState, row: int) -> list[RuleResult]:
        acid = asn.acid[0]
        if id(asn) in self.dropped:
            reason = f"association {acid} dropped at finalize: {self.dropped[id(asn)]}"
            return [
                RuleResult(rule.name, rule.level, Outcome.DROPPED, reason, asn_rule=asn.cr.asn_rule)
            ]
        results = []
        for output in self.outputs[id(asn)]:
            final = self.final_ids.get(id(output))
            if final is None:
                reason = f"association {acid} pruned at finalize: {self._duplicate_of(output)}"
                results.append(
                    RuleResult(
                        rule.name, rule.level, Outcome.PRUNED, reason, asn_rule=asn.cr.asn_rule
                    )
                )
                continue
            filename, data = final
            member = _rows(output).get(row)
            if member is None and _direct_image_row(output) == row:
                reason = f"joined {filename} as direct_image (through its Level 3 products)"
                results.append(
                    RuleResult(
                        rule.name,
                        rule.level,
                        Outcome.JOINED,
                        reason,
                        asn_file=filename,
                        asn_rule=data["asn_rule"],
                        exptype="direct_image",
                    )
                )
                continue
            if member is None:
                if rule.finalize in (Finalize.NOD, Finalize.IMPRINT_NOD) and output is not asn:
                    continue  # another science exposure's nod association
                if rule.finalize is Finalize.WFSS:
                    reason = (
                        f"{filename} uses another direct image (the closest in the "
                        "exposure sequence), through its Level 3 products"
                    )
                else:
                    reason = f"removed from {filename} at finalize ({rule.finalize.value})"
                results.append(
                    RuleResult(
                        rule.name,
                        rule.level,
                        Outcome.REMOVED,
                        reason,
                        asn_file=filename,
                        asn_rule=data["asn_rule"],
                    )
                )
                continue
            results.append(
                RuleResult(
                    rule.name,
                    rule.level,
                    Outcome.JOINED,
                    f"joined {filename} as {member['exptype']}",
                    asn_file=filename,
                    asn_rule=data["asn_rule"],
                    exptype=member["exptype"],
                )
            )
        return results

    def _not_matched(self, index: int, rule: Rule, row: int) -> RuleResult:
        trials = self._trial_rules(index, row)
        best: _Trace | None = None
        for cr, override, item in trials:
            trace = _Trace(cr, override, item, self.pool, row)
            if trace.matched:
                reason = (
                    "its conditions pass on their own, but this run made no "
                    "association of the rule with it (candidates not selected or "
                    "discovery off)"
                )
                return RuleResult(rule.name, rule.level, Outcome.NOT_MATCHED, reason)
            if best is None:
                best = trace
        if best is None:
            reason = "Level 2b rules take only exposures of observation or background candidates"
            return RuleResult(
                rule.name, rule.level, Outcome.NOT_MATCHED, reason, column="asn_candidate"
            )
        failure = best.failure()
        return RuleResult(
            rule.name,
            rule.level,
            Outcome.NOT_MATCHED,
            failure.text,
            column=failure.column,
            value=failure.value,
            required=failure.required,
            conditions_met=best.met,
            takes_exp_type=self._takes_exp_type(index, row),
        )

    def _takes_exp_type(self, index: int, row: int) -> bool:
        """The rule is for this exposure type (one of its exp_type values matches)."""
        from asnkit.engine.state import meets

        patterns = self._exp_type_patterns.get(index)
        if patterns is None:
            patterns = _exp_type_patterns(self.rules[index].constraints, False)
            self._exp_type_patterns[index] = patterns
        if not patterns:
            return True
        value = self.table.cols["exp_type"][row] if "exp_type" in self.table.cols else "null"
        role = _role(self.table, row)
        return any(
            meets(value, pattern) if kind == "exp_type" else role == pattern
            for kind, pattern in patterns
        )

    def _trial_rules(self, index: int, row: int) -> list[tuple[CompiledRule, Any, Item]]:
        gen = self.generator
        rule = self.rules[index]
        if rule.level == 3:
            return [(gen.disc_rules[index], None, Item(self.table, row))]
        trials = []
        cr = gen.cand_rules[index]
        for cid, ctype in _candidates(self.table.cols["asn_candidate"][row]):
            if ctype not in ("observation", "background"):
                continue
            rewritten = f"[('{cid}', '{ctype}')]"
            override = (len(cr.nodes) - 1, (f".+({cid}).+", ("asn_candidate",), True, (), False))
            trials.append((cr, override, Item(self.table, row, rewritten)))
        return trials


def _exp_type_patterns(node: Any, negated: bool) -> list[Any]:
    """Fixed exp_type values and roles a rule asks for (outside none_of / not_all)."""
    if isinstance(node, Group):
        flip = node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL)
        out: list[Any] = []
        for child in node.children:
            out.extend(_exp_type_patterns(child, negated ^ flip))
        return out
    if (
        isinstance(node, Attr)
        and not negated
        and "exp_type" in node.sources
        and isinstance(node.value, (str, tuple))
    ):
        return [("exp_type", node.value)]
    if (
        isinstance(node, Test)
        and not negated
        and node.test is None
        and isinstance(node.value, str)
        and callable_name(node.source) == "exposure_type_of_item"
    ):
        return [("role", node.value)]
    return []


def _direct_image_row(asn: AsnState) -> int | None:
    direct = asn.direct_image
    item = direct.get("item") if isinstance(direct, dict) else None
    return None if item is None else item.row


def _candidates(text: str) -> list[tuple[str, str]]:
    from asnkit.engine.state import _evaluate

    parsed = _evaluate(text)
    try:
        return [(str(c), str(t).lower()) for c, t in parsed]
    except (TypeError, ValueError):
        return []


def _membership(asn: AsnState) -> frozenset:
    return frozenset((m["expname"], m["exptype"]) for p in asn.products for m in p["members"])


_VALIDITY_TEXT: dict[str, str] = {
    "has_science": "it has no science member",
    "has_psf": "it has no PSF member",
    "is_type_mosaic": "the rule keeps only mosaic candidates",
    "is_type_observation": "the rule keeps only observation candidates",
    "is_type_not_group": "the rule does not keep group candidates",
    "is_discovered": "the rule keeps only pool-wide (discovered) associations",
    "is_candidate": "the rule keeps only candidate associations",
    "pair_complete": "the wavefront-sensing pair is incomplete",
    "level2_allowed_candidates": "Level 2b keeps observation candidates, and background "
    "candidates with a background member",
}


def _drop_reason(asn: AsnState) -> str:
    """Why finalize would drop the association (computed before finalize changes it)."""
    acid, kind = asn.acid
    what = (
        "a discovered association" if kind.lower() == "discovered" else f"candidate {acid} ({kind})"
    )
    rule = asn.rule
    if (
        rule.level == 3
        and rule.finalize is Finalize.MULTI_OBS
        and kind.lower() in ("group", "background", "mosaic")
    ):
        try:
            observations = asn.found("obs_num")
        except KeyError:
            observations = None
        if observations is not None and len(observations) <= 1:
            obs = ", ".join(str(o).replace("\\", "") for o in observations) or "none"
            return (
                f"it is {what} whose exposures come from one observation only "
                f"(obs_num {obs}); needs >= 2"
            )
    failed = [
        callable_name(check)
        for check, ok in zip(rule.validity, asn.validity, strict=False)
        if not ok
    ]
    if failed:
        texts = [f"{_VALIDITY_TEXT.get(name, 'validity check failed')} ({name})" for name in failed]
        return f"it is {what}; " + "; ".join(texts)
    if rule.finalize is Finalize.WFSS:
        return "a WFSS association needs both science and a direct image"
    return f"it is {what}; not valid after the {rule.finalize.value} finalize step"


# --------------------------------------------------------------------------- tracing


@dataclass(frozen=True)
class _Failure:
    text: str
    column: str | None = None
    value: Any = None
    required: str | None = None


def _short(text: str, width: int = 60) -> str:
    """Long alternatives cut at a ``|`` boundary: ``'a|b|...'``."""
    if len(text) <= width:
        return text
    out = ""
    for part in text.split("|"):
        if out and len(out) + len(part) + 5 > width:
            return out + "|..."
        out = f"{out}|{part}" if out else part
    return out[: width - 3] + "..."


def _pattern_text(value: Any, state: AsnState) -> str:
    if callable(value):
        try:
            computed = value(state)
        except (KeyError, TypeError, ValueError):
            computed = None
        name = callable_name(value)
        return f"{computed} ({name})" if computed is not None else name
    if isinstance(value, tuple):
        return "|".join(str(v) for v in value)
    return str(value)


class _Trace(AsnState):
    """A fresh association state that records the result of every constraint node."""

    def __init__(self, cr: CompiledRule, override: Any, item: Item, pool: pd.DataFrame, row: int):
        super().__init__(cr, 0, None, override)
        self.results: dict[int, bool] = {}
        self.item = item
        self.pool = pool
        self.row = row
        self.matched = self._evaluate(0, item)
        self.met = sum(
            1 for i, ok in self.results.items() if ok and not isinstance(cr.nodes[i], Group)
        )

    def _evaluate(self, i: int, item: Item) -> bool:
        """Evaluate node ``i`` as the engine does, recording every node's result.

        Leaves are checked by the engine itself (so values are read and pinned
        exactly as in generation); groups combine them here: all-of stops at
        the first failure, any-of at the first match, none-of / not-all negate.
        """
        node = self.cr.nodes[i]
        if isinstance(node, Group):
            kids = self.cr.children[i]
            if node.reduce in (Reduce.ALL, Reduce.NOT_ALL):
                ok = bool(kids) and all(self._evaluate(k, item) for k in kids)
            else:
                ok = any(self._evaluate(k, item) for k in kids)
            if node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
                ok = not ok
        else:
            ok = self._leaf(i, node, item)
        self.results[i] = ok
        return ok

    def _leaf(self, i: int, node: Attr | Test, item: Item) -> bool:
        return bool(self.cr.checkers[i](self, item)[0])  # the engine's own check of node i

    # ------------------------------------------------------------------ reading values
    def _value(self, column: str) -> Any:
        """The exposure's value as the pool has it (original case), None if missing."""
        if column in self.pool.columns:
            value = self.pool[column].iloc[self.row]
            return None if pd.isna(value) else value
        value = self.item.get(column)
        return None if value is None or value in EMPTY else value

    def _source(self, node: Attr) -> tuple[str, Any]:
        for column in node.sources:
            value = self.item.get(column)
            if value is not None and value not in EMPTY:
                return column, self._value(column)
        return node.sources[0], None

    def _score(self, i: int) -> int:
        if not isinstance(self.cr.nodes[i], Group):
            return int(self.results.get(i, False))
        return sum(self._score(k) for k in self.cr.children[i])

    # ------------------------------------------------------------------ explaining
    def failure(self) -> _Failure:
        return self._failed(0)

    def _failed(self, i: int) -> _Failure:
        node = self.cr.nodes[i]
        if isinstance(node, Attr):
            return self._attr_failed(i, node)
        if isinstance(node, Test):
            return self._test_failed(i, node)
        kids = [k for k in self.cr.children[i] if k in self.results]
        if node.reduce is Reduce.ALL:
            for k in kids:
                if not self.results[k]:
                    return self._failed(k)
        elif node.reduce is Reduce.ANY and kids:
            return self._any_failed(kids)
        elif node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
            for k in kids:
                if self.results[k]:
                    return self._excluded(k)
        return _Failure(f"{node.name or node.reduce.value} does not match")

    def _any_failed(self, kids: list[int]) -> _Failure:
        """The alternative that came closest; alternatives failing on the same column merged."""
        top = max(self._score(k) for k in kids)
        failures = [self._failed(k) for k in kids if self._score(k) == top]
        first = failures[0]
        same = [f for f in failures if f.column == first.column and f.required]
        if len(same) < 2 or first.value is None:
            return first
        required = " or ".join(dict.fromkeys(str(f.required) for f in same))
        text = f"{first.column} is {first.value!r}, needs " + " or ".join(
            repr(_short(str(f.required))) for f in dict.fromkeys(same)
        )
        return _Failure(text, first.column, first.value, required)

    def _attr_failed(self, i: int, node: Attr) -> _Failure:
        column, value = self._source(node)
        state_value = self.st[i][0]
        if value is None:
            if state_value is None:
                required, shown = "a value", "a value"
            else:
                required = _pattern_text(state_value, self)
                shown = repr(_short(required))
            return _Failure(f"{column} has no value, needs {shown}", column, None, required)
        if node.force_undefined:
            return _Failure(f"{column} is {value!r}, must have no value", column, value, "no value")
        required = _pattern_text(node.value if node.value is not None else state_value, self)
        return _Failure(
            f"{column} is {value!r}, needs {_short(required)!r}", column, value, required
        )

    def _test_failed(self, i: int, node: Test) -> _Failure:
        label = node.name or callable_name(node.test or node.source or "test")
        if node.source is not None and node.test is None:
            try:
                got = node.source(self.item, self)
            except (KeyError, LookupError, TypeError, ValueError):
                got = None
            what = "role" if callable_name(node.source) == "exposure_type_of_item" else label
            return _Failure(
                f"{what} is {got!r}, needs {node.value!r}", label, got, repr(node.value)
            )
        if node.test is not None:
            if callable_name(node.test) == "always_false":
                return _Failure("the rule makes no association of its own (always_false)", label)
            return _Failure(f"{callable_name(node.test)} is false for this exposure", label)
        return _Failure(f"{label} does not match", label)

    def _excluded(self, i: int) -> _Failure:
        node = self.cr.nodes[i]
        if isinstance(node, Attr):
            column, value = self._source(node)
            pattern = "any value" if node.value is None else _pattern_text(node.value, self)
            return _Failure(
                f"{column} is {value!r}, which is excluded ({_short(pattern)})",
                column,
                value,
                f"not {pattern}",
            )
        if isinstance(node, Test):
            label = node.name or callable_name(node.test or node.source or "test")
            return _Failure(f"{label} holds, which is excluded", label)
        if node.name:
            return _Failure(f"{node.name} holds, which is excluded", node.name)
        for k in self.cr.children[i]:
            if self.results.get(k):
                return self._excluded(k)
        return _Failure("an excluded condition holds")


# --------------------------------------------------------------------------- public API


def _default_rules(rules: Iterable[Rule] | None) -> list[Rule]:
    if rules is None:
        from asnkit.rules import dms_rules

        return list(dms_rules())
    return list(rules)


def _find_row(pool: pd.DataFrame, filename: str) -> int:
    from asnkit.documents.names import strip_suffix

    names = pool["filename"].astype("string").str.lower()
    wanted = str(filename).lower()
    hits = [i for i, n in enumerate(names) if n == wanted]
    if not hits:
        key = strip_suffix(wanted)
        hits = [i for i, n in enumerate(names) if isinstance(n, str) and strip_suffix(n) == key]
    if not hits:
        import difflib

        close = difflib.get_close_matches(wanted, [str(n) for n in names], n=3)
        hint = f"; did you mean {', '.join(close)}" if close else ""
        where = pool.attrs.get("asn_pool", "the pool")
        raise KeyError(f"{filename!r} is not in {where}{hint}")
    return hits[0]


def explain(
    pool: pd.DataFrame,
    filename: str,
    *,
    rules: Iterable[Rule] | None = None,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | None = None,
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

    Returns
    -------
    Explanation
        Per rule: joined (association file and role), dropped or pruned at
        finalize (why), removed at finalize, or not matched (the first failing
        condition: column, value, required value).

    Raises
    ------
    KeyError
        The file is not in the pool.
    """
    rules = _default_rules(rules)
    row = _find_row(pool, filename)
    run = _Run(pool, rules, candidates, discover, all_candidates, version_id)
    exp_type = pool["exp_type"].iloc[row] if "exp_type" in pool.columns else None
    return Explanation(
        filename=str(pool["filename"].iloc[row]),
        row=pool.index[row],
        exp_type=None if pd.isna(exp_type) else str(exp_type),
        results=tuple(run.results_for(row)),
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


def _role(table: Table, row: int) -> str:
    from asnkit.rules.dms import exposure_type

    try:
        return exposure_type(Item(table, row))
    except LookupError:
        return "unknown"


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
    run = _Run(pool, rules, candidates, discover, all_candidates, None)
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
            reason = f"no rule takes exp_type {exp_type!r} (role {_role(run.table, row)})"
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


# --------------------------------------------------------------------------- comparing rule sets

#: Columns of :func:`compare_rules`.
COMPARE_COLUMNS = (
    "change",
    "asn_type",
    "asn_file_a",
    "asn_file_b",
    "asn_rule_a",
    "asn_rule_b",
    "product_a",
    "product_b",
    "members_a",
    "members_b",
    "gained",
    "lost",
    "role_changes",
)


def _members(asn: Any) -> dict[str, str]:
    return {m.expname: m.exptype for m in asn.members()}


def _pair(set_a: Sequence[Any], set_b: Sequence[Any]) -> list[tuple[Any, Any]]:
    """Pair associations: same type and members, then same product, then most shared members."""
    free_b = list(set_b)
    pairs: list[tuple[Any, Any]] = []
    rest_a = []

    def take(match: Callable[[Any, Any], bool]) -> None:
        nonlocal rest_a
        left = []
        for a in rest_a:
            found = next((b for b in free_b if match(a, b)), None)
            if found is None:
                left.append(a)
            else:
                free_b.remove(found)
                pairs.append((a, found))
        rest_a = left

    rest_a = list(set_a)
    take(lambda a, b: a.asn_type == b.asn_type and _members(a) == _members(b))
    take(lambda a, b: a.asn_type == b.asn_type and a.product_names == b.product_names)
    left = []
    for a in rest_a:
        names = set(_members(a))
        scored = [
            (len(names & set(_members(b))), -i, b)
            for i, b in enumerate(free_b)
            if b.asn_type == a.asn_type
        ]
        scored = [s for s in scored if s[0] > 0]
        if scored:
            best = max(scored, key=lambda s: (s[0], s[1]))[2]
            free_b.remove(best)
            pairs.append((a, best))
        else:
            left.append(a)
    pairs.extend((a, None) for a in left)
    pairs.extend((None, b) for b in free_b)
    return pairs


def compare_rules(
    pool: pd.DataFrame,
    rules_a: Iterable[Rule],
    rules_b: Iterable[Rule],
    *,
    include_same: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """What changes in a pool's associations when rule set ``a`` is replaced by ``b``.

    Associations are paired by type and identical members, then by product
    name, then by the most members in common.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`).
    rules_a, rules_b : iterable of Rule
        The two rule sets (plain lists).
    include_same : bool
        Also list the associations that did not change.
    **kwargs
        Passed to :func:`asnkit.apply_rules` (``candidates``, ``discover``...).

    Returns
    -------
    pandas.DataFrame
        One row per association (columns :data:`COMPARE_COLUMNS`): ``change`` is
        ``added`` (only with ``b``), ``removed`` (only with ``a``), ``changed``
        (members gained, lost, or with another role), ``renamed`` (same members,
        other product or file) or ``same``; ``gained``/``lost`` list member names.
        Use :func:`asnkit.diff` on two associations for every detail.

    Examples
    --------
    >>> import asnkit
    >>> from asnkit.rules.custom import derive, dms_rule
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    >>> image = dms_rule("Asn_Lv3Image")
    >>> wide = derive(image, "WideImage", ignore=["obs_num", "target"])
    >>> table = compare_rules(pool, [image], [wide], include_same=True)
    >>> table["change"].value_counts().to_dict()
    {'removed': 20, 'same': 2}
    """
    from asnkit.engine.generate import apply_rules

    set_a = apply_rules(pool, list(rules_a), **kwargs)
    set_b = apply_rules(pool, list(rules_b), **kwargs)
    rows = []
    for a, b in _pair(set_a, set_b):
        ma = _members(a) if a is not None else {}
        mb = _members(b) if b is not None else {}
        gained = tuple(sorted(set(mb) - set(ma)))
        lost = tuple(sorted(set(ma) - set(mb)))
        roles = sum(1 for n in set(ma) & set(mb) if ma[n] != mb[n])
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        elif gained or lost or roles:
            change = "changed"
        elif a.product_names != b.product_names or a.filename != b.filename:
            change = "renamed"
        else:
            change = "same"
        if change == "same" and not include_same:
            continue
        rows.append(
            (
                change,
                (a or b).asn_type,
                a.filename if a is not None else None,
                b.filename if b is not None else None,
                a.asn_rule if a is not None else None,
                b.asn_rule if b is not None else None,
                a.product_names[0] if a is not None and a.product_names else None,
                b.product_names[0] if b is not None and b.product_names else None,
                len(ma),
                len(mb),
                gained,
                lost,
                roles,
            )
        )
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
