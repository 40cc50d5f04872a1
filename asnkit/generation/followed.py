"""Generation followed association by association through finalize.

:class:`FollowedRun` makes the same associations as
:func:`asnkit.apply_rules` with the engine's own steps (candidate passes,
discovery, finalize per association, pruning, sequence numbers), keeping for
every association the rows it held before finalize and what finalize did with
it, so :mod:`asnkit.engine.explain` can say for one exposure which rule took
it, in which association, with which role, and why an association it started
is not in the output. It uses engine internals on purpose (it must follow
generation exactly); ``tests/test_explain.py`` checks on every test pool that
its output equals :func:`asnkit.apply_rules`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from asnkit.dms.candidates import parse_candidates
from asnkit.dms.exposures import exposure_type
from asnkit.documents.collection import AssociationSet
from asnkit.documents.model import Association
from asnkit.engine.finalize import finalize_level2, finalize_level3, prune, resequence
from asnkit.engine.generate import (
    Generator,
    build_table,
    check_rule_columns,
    document,
    resolve_version_id,
    select_candidates,
)
from asnkit.engine.members import refresh
from asnkit.engine.state import AsnState, CompiledRule, Item, Table, meets
from asnkit.generation.trace import Trace
from asnkit.rules.model import Attr, Finalize, Group, Reduce, Rule, Test, callable_name

__all__ = ["FollowedRun", "Outcome", "RuleResult", "exposure_role"]


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


def _rows(asn: AsnState) -> dict[int, dict[str, Any]]:
    """Pool rows of an association's members (the first member entry of each row)."""
    out: dict[int, dict[str, Any]] = {}
    for product in asn.products:
        for member in product["members"]:
            item = member.get("item")
            if item is not None:
                out.setdefault(item.row, member)
    return out


class FollowedRun:
    """One generation with every association followed through finalize."""

    def __init__(
        self,
        pool: pd.DataFrame,
        rules: Sequence[Rule],
        candidates: Sequence[str] | None,
        discover: bool,
        all_candidates: bool,
        version_id: str | bool | None,
    ) -> None:
        self.pool = pool
        self.rules = list(rules)
        check_rule_columns(pool, self.rules)
        self.table: Table = build_table(pool)
        self.generator = Generator(self.table, self.rules, resolve_version_id(version_id))
        chosen = select_candidates(self.table, candidates, all_candidates, stacklevel=5)
        if candidates is not None:
            discover = False
        states: list[AsnState] = []
        for cid, ctype in chosen:
            states.extend(self.generator.candidate(cid, ctype))
        discovered = self.generator.discover() if discover else []
        self.states = discovered + states
        self.dropped: dict[int, str] = {}
        self.rows_before: dict[int, set[int]] = {}
        self._by_row: dict[int, list[AsnState]] | None = None
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
                result = (finalize_level3 if level == 3 else finalize_level2)(asn)
                self.outputs[id(asn)] = result
                if not result:
                    self.dropped[id(asn)] = reason
                outs.extend(result)
            survivors = prune(outs)
            resequence(survivors)
            for asn in survivors:
                data, filename = document(asn)
                self.final.append((asn, filename, data))
        self._exp_type_patterns: dict[int, list[Any]] = {}
        self.final_ids = {id(a): (filename, data) for a, filename, data in self.final}

    def associations(self) -> AssociationSet:
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

    def _states_by_row(self) -> dict[int, list[AsnState]]:
        if self._by_row is None:
            self._by_row = {}
            for asn in self.states:
                for row in self.rows_before[id(asn)]:
                    self._by_row.setdefault(row, []).append(asn)
        return self._by_row

    def results_for(self, row: int) -> list[RuleResult]:
        out: list[RuleResult] = []
        by_rule: dict[int, list[AsnState]] = {}
        for asn in self._states_by_row().get(row, ()):
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
        best: Trace | None = None
        for cr, override, item in trials:
            trace = Trace(cr, override, item, self.pool, row)
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
            value = self.pool["asn_candidate"].iloc[row] if "asn_candidate" in self.pool else None
            value = None if pd.isna(value) else value
            reason = (
                f"asn_candidate is {value!r}: Level 2b rules take only exposures of "
                "observation or background candidates"
            )
            return RuleResult(
                rule.name,
                rule.level,
                Outcome.NOT_MATCHED,
                reason,
                column="asn_candidate",
                value=value,
                required="an observation or background candidate",
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
        patterns = self._exp_type_patterns.get(index)
        if patterns is None:
            patterns = _exp_type_patterns(self.rules[index].constraints, False)
            self._exp_type_patterns[index] = patterns
        if not patterns:
            return True
        value = self.table.cols["exp_type"][row] if "exp_type" in self.table.cols else "null"
        role = exposure_role(self.table, row)
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
    try:
        return [(c, t.lower()) for c, t in parse_candidates(text)]
    except ValueError:
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


def exposure_role(table: Table, row: int) -> str:
    """The DMS role of a pool row (science, dark, target_acquisition...)."""
    try:
        return exposure_type(Item(table, row))
    except LookupError:
        return "unknown"
