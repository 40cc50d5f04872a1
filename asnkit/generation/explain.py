"""Why is an exposure (not) in an association? Queries over a :class:`~asnkit.generation.run.Run`.

* :func:`explain` -- for one exposure, the associations it joined (rule, role),
  and for every other rule the first condition that failed (column, the value
  the exposure has, the value required), or why the association it started
  was dropped at finalize (invalid, one observation only, duplicate);
* :func:`orphans` -- the exposures no association took, each with its reason;
* :func:`compare_rules` -- the associations added, removed or changed when
  one rule set replaces another (:mod:`asnkit.generation.compare`).

Everything is read from the run's record (what each association became at
finalize and pruning); a rule that formed no association with the exposure is
checked on the exposure alone (:func:`asnkit.engine.trial.trial`) to name the
condition that rejects it.

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
>>> print(why.result("Asn_Lv3ImageMosaic").reason)
asn_candidate is "[('o001', 'observation')]": the rule keeps only mosaic candidates (is_type_mosaic)
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

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from asnkit.dms.candidates import parse_candidates
from asnkit.dms.exposures import SPECIAL_MODIFIERS
from asnkit.dms.names import strip_suffix
from asnkit.engine.record import Fate, Formation
from asnkit.engine.trial import NodeResult, trial
from asnkit.errors import PoolKeyError, close_matches
from asnkit.generation.compare import COMPARE_COLUMNS, compare_rules
from asnkit.generation.explanation import EXPLAIN_COLUMNS, Explanation, Outcome, RuleResult
from asnkit.generation.reasons import dropped_reason, duplicate_reason, failure, validity_failure
from asnkit.generation.run import Run, run
from asnkit.rules.model import Attr, Finalize, Group, Reduce, Rule, Test, value_matches
from asnkit.rules.predicates import HasMember, OwnRole

__all__ = [
    "COMPARE_COLUMNS",
    "EXPLAIN_COLUMNS",
    "ORPHAN_COLUMNS",
    "Explanation",
    "Outcome",
    "RuleResult",
    "compare_rules",
    "exp_type_patterns",
    "explain",
    "explanation",
    "orphan_table",
    "orphans",
    "rule_results",
]


# --------------------------------------------------------------------------- what a rule did


def rule_results(
    run: Run, position: int, patterns: list[list[tuple[str, Any]]] | None = None
) -> list[RuleResult]:
    """What every rule of the run did with the pool row at ``position``.

    ``patterns``: :func:`exp_type_patterns` of every rule (computed when not given).
    """
    if patterns is None:
        patterns = exp_type_patterns(run.rules)
    by_rule: dict[int, list[Formation]] = {}
    for formation in run.formations_with(position):
        by_rule.setdefault(formation.rule, []).append(formation)
    out: list[RuleResult] = []
    for index, rule in enumerate(run.rules):
        formations = by_rule.get(index)
        if not formations:
            out.append(_not_matched(run, index, rule, position, patterns[index]))
            continue
        for formation in formations:
            out.extend(_fate(rule, formation, position))
    return out


def _fate(rule: Rule, formation: Formation, position: int) -> list[RuleResult]:
    acid, asn_rule = formation.asn_id, formation.asn_rule
    if formation.dropped:
        reason = f"association {acid} dropped at finalize: {dropped_reason(formation, rule)}"
        return [
            RuleResult(
                rule.name,
                rule.level,
                Outcome.DROPPED,
                reason,
                asn_rule=asn_rule,
                failed=formation.failed,
            )
        ]
    results = []
    for output in formation.outputs:
        if output.fate is Fate.DUPLICATE:
            reason = f"association {acid} pruned at finalize: {duplicate_reason(output)}"
            results.append(
                RuleResult(rule.name, rule.level, Outcome.PRUNED, reason, asn_rule=asn_rule)
            )
            continue
        filename = output.filename
        role = output.rows.get(position)
        if role is None and output.direct_image == position:
            reason = f"joined {filename} as direct_image (through its Level 3 products)"
            results.append(
                RuleResult(
                    rule.name,
                    rule.level,
                    Outcome.JOINED,
                    reason,
                    asn_file=filename,
                    asn_rule=asn_rule,
                    exptype="direct_image",
                )
            )
            continue
        if role is None:
            if formation.fate is Fate.SPLIT:
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
                    asn_rule=asn_rule,
                )
            )
            continue
        results.append(
            RuleResult(
                rule.name,
                rule.level,
                Outcome.JOINED,
                f"joined {filename} as {role}",
                asn_file=filename,
                asn_rule=asn_rule,
                exptype=role,
            )
        )
    return results


def _trial_candidates(run: Run, rule: Rule, position: int) -> list[tuple[str, str] | None]:
    """How the rule would meet the exposure: by discovery, or as one of its candidates."""
    if rule.keeps_candidate_type("discovered"):
        return [None]
    text = run.record.text(position, "asn_candidate")
    try:
        pairs = parse_candidates(text)
    except ValueError:
        return []
    return [(cid, ctype.lower()) for cid, ctype in pairs if rule.keeps_candidate_type(ctype)]


def _not_matched(
    run: Run, index: int, rule: Rule, position: int, patterns: list[tuple[str, Any]]
) -> RuleResult:
    best: NodeResult | None = None
    for candidate in _trial_candidates(run, rule, position):
        result = trial(run.record, index, position, candidate)
        if result.passed:
            reason = (
                "its conditions pass on their own, but this run made no "
                "association of the rule with it (candidates not selected or "
                "discovery off)"
            )
            return RuleResult(rule.name, rule.level, Outcome.NOT_MATCHED, reason)
        if best is None:
            best = result
    pool = run.pool
    if best is None:
        value = pool["asn_candidate"].iloc[position] if "asn_candidate" in pool else None
        value = None if pd.isna(value) else value
        keeps = "; ".join(
            validity_failure(check)
            for check in rule.validity
            if not getattr(check, "accepts_candidate_type", lambda kind: True)("discovered")
        )
        return RuleResult(
            rule.name,
            rule.level,
            Outcome.NOT_MATCHED,
            f"asn_candidate is {value!r}: {keeps}",
            column="asn_candidate",
            value=value,
            required="a candidate of a type the rule keeps",
        )
    found = failure(best, lambda column: run.value(position, column))
    return RuleResult(
        rule.name,
        rule.level,
        Outcome.NOT_MATCHED,
        found.text,
        column=found.column,
        value=found.value,
        required=found.required,
        conditions_met=best.leaves_passed,
        takes_exp_type=_takes_exp_type(run, patterns, position),
    )


def _exp_type_patterns(node: Any, negated: bool) -> list[tuple[str, Any]]:
    """Fixed exp_type values and roles a rule asks for (outside none_of / not_all)."""
    if isinstance(node, Group):
        flip = node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL)
        out: list[tuple[str, Any]] = []
        for child in node.children:
            out.extend(_exp_type_patterns(child, negated ^ flip))
        return out
    if negated:
        return []
    if (
        isinstance(node, Attr)
        and "exp_type" in node.sources
        and isinstance(node.value, (str, tuple))
    ):
        return [("exp_type", node.value)]
    if (
        isinstance(node, Test)
        and node.test is None
        and isinstance(node.value, str)
        and isinstance(node.source, OwnRole)
    ):
        return [("role", node.value)]
    return []


def exp_type_patterns(rules: Iterable[Rule]) -> list[list[tuple[str, Any]]]:
    """Per rule, the fixed exp_type values and roles it asks for (outside none_of / not_all)."""
    return [_exp_type_patterns(rule.constraints, False) for rule in rules]


def _takes_exp_type(run: Run, patterns: list[tuple[str, Any]], position: int) -> bool:
    """The rule is for this exposure type (one of its exp_type values or roles matches)."""
    if not patterns:
        return True
    value = run.record.text(position, "exp_type")
    role = run.record.role(position)
    return any(
        value_matches(value, pattern) if kind == "exp_type" else role == pattern
        for kind, pattern in patterns
    )


# --------------------------------------------------------------------------- public API


def _default_rules(rules: Iterable[Rule] | None) -> list[Rule]:
    if rules is None:
        from asnkit.rules import dms_rules

        return list(dms_rules())
    from asnkit.rules import as_rules

    return as_rules(rules)


def _find_rows(pool: pd.DataFrame, filename: str) -> list[int]:
    names = [n.lower() if isinstance(n, str) else "" for n in pool["filename"]]
    wanted = str(filename).lower()
    hits = [i for i, n in enumerate(names) if n == wanted]
    if not hits:
        key = strip_suffix(wanted)
        hits = [i for i, n in enumerate(names) if n and strip_suffix(n) == key]
    if not hits:
        known = [str(n) for n in pool["filename"] if isinstance(n, str)]
        close = close_matches(str(filename), known, n=3)
        if close:
            hint = f"; did you mean {', '.join(close)}"
        elif known:
            hint = f"; it has {len(known)} exposure(s), e.g. {', '.join(known[:3])}"
        else:
            hint = "; it has no exposures"
        where = pool.attrs.get("asn_pool", "the pool")
        raise PoolKeyError(f"{filename!r} is not in {where}{hint}")
    return hits


def explanation(run: Run, filename: str, *, row: Any = None) -> Explanation:
    """Why one exposure is (not) in each association of a run (:meth:`Run.explain`)."""
    pool = run.pool
    hits = _find_rows(pool, filename)
    note = ""
    if row is not None:
        chosen = [i for i in hits if pool.index[i] == row]
        if not chosen:
            labels = [pool.index[i] for i in hits]
            raise PoolKeyError(f"row {row!r} does not have {filename!r}; rows that do: {labels}")
        position = chosen[0]
    else:
        position = hits[0]
        if len(hits) > 1:
            labels = ", ".join(str(pool.index[i]) for i in hits)
            note = f"{len(hits)} rows have this file name ({labels}); pass row= for another"
    exp_type = pool["exp_type"].iloc[position] if "exp_type" in pool.columns else None
    return Explanation(
        filename=str(pool["filename"].iloc[position]),
        row=pool.index[position],
        exp_type=None if pd.isna(exp_type) else str(exp_type),
        results=tuple(rule_results(run, position)),
        note=note,
    )


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

    ``explain(pool, name, ...)`` is ``asnkit.run(pool, rules, ...).explain(name)``;
    to explain many exposures, make the run once and ask it.

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
    _find_rows(pool, filename)  # a name not in the pool fails before generating
    made = run(
        pool,
        _default_rules(rules),
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
    )
    return made.explain(filename, row=row)


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
_FLAGS = frozenset({*(column for _, column in SPECIAL_MODIFIERS), "tsovisit"})

_PREFERENCE = {Outcome.REMOVED: 0, Outcome.PRUNED: 1, Outcome.DROPPED: 2, Outcome.NOT_MATCHED: 3}


def _lacked_science_only(failed: Sequence[Any]) -> bool:
    """The validity checks failed are all "has a science member" (whatever their names)."""
    return bool(failed) and all(
        isinstance(check, HasMember) and check.role == "science" for check in failed
    )


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
        if r.outcome is Outcome.DROPPED and _lacked_science_only(r.failed):
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


def orphan_table(run: Run) -> pd.DataFrame:
    """The exposures no association of the run took, with the most telling reason."""
    pool = run.pool
    taken = run.taken_rows()
    patterns = exp_type_patterns(run.rules)
    records = []
    index = []
    for row in range(len(pool)):
        if row in taken:
            continue
        results = rule_results(run, row, patterns)
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
            reason = f"no rule takes exp_type {exp_type!r} (role {run.record.role(row)})"
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
    ``orphans(pool, ...)`` is ``asnkit.run(pool, rules, ...).orphans()``.

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
    made = run(
        pool,
        _default_rules(rules),
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
    )
    return made.orphans()
