"""Generate associations from a pool: per candidate, then discovery, then finalize.

:func:`generate` gives the same associations as jwst 3.0.0 ``asn_generate``
(default: every candidate of the pool plus the discovered associations).
:func:`apply_rules` applies any rules (e.g. custom ones built with
:mod:`asnkit.rules`).

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> asns = asnkit.generate(pool, version_id="20250101t000000")
>>> sorted(a.filename for a in asns)[-1]
'jw99009-o001_20250101t000000_image3_00001_asn.json'
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import re
import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asnkit.documents.names import asn_filename
from asnkit.engine.finalize import finalize_level
from asnkit.engine.prefilter import FAIL, Route, StaticEval, routes
from asnkit.engine.run import Pass, RulePlan, rules_per_row, run_pass
from asnkit.engine.state import AsnState, CompiledRule, Item, Table
from asnkit.errors import AssociationWarning, PoolError
from asnkit.rules.model import Attr, Rule, missing_columns

if TYPE_CHECKING:  # pragma: no cover
    from asnkit.documents.collection import AssociationSet

__all__ = [
    "CANDIDATE_PREFIX",
    "DISCOVER_PREFIX",
    "apply_rules",
    "build_table",
    "generate",
    "orphan_rows",
    "run_generation",
]

CANDIDATE_PREFIX = "candidate"
DISCOVER_PREFIX = "discover"
_TIMESTAMP = "%Y%m%dt%H%M%S"
_ANY_CANDIDATE_TYPE_RULES = ("Asn_Lv2WFSSParallel",)


def build_table(pool: pd.DataFrame) -> Table:
    """Lower-case text columns (``"null"`` when missing), as the reference reads pools.

    A pool without ``asn_candidate`` gets observation candidates built from
    ``obs_num`` (``[('o001', 'observation')]``) with an
    :class:`~asnkit.AssociationWarning`.
    """
    cols: dict[str, list[str]] = {}
    # jwst fills the empty cells of narrow columns with "null" cut to the column's
    # width ("n", "nu", "nul"); read_pool records those columns (attrs["null_text"]).
    null_text = pool.attrs.get("null_text") or {}
    for column in pool.columns:
        codes, uniques = pd.factorize(pool[column], use_na_sentinel=True)
        missing = null_text.get(column, "null")
        lowered = np.array(
            [v.lower() if isinstance(v, str) else str(v).lower() for v in uniques] + [missing],
            dtype=object,
        )
        cols[str(column).lower()] = lowered[codes].tolist()  # code -1 (missing) -> "null"
    n = len(pool)
    if "asn_candidate" not in cols:
        name = pool.attrs.get("asn_pool", "in-memory")
        if "obs_num" not in cols:
            raise KeyError(f"{name}: the pool has neither 'asn_candidate' nor 'obs_num'")
        warnings.warn(
            f"{name}: no asn_candidate column; using observation candidates from obs_num "
            "(jwst asn_generate stops with KeyError on such pools)",
            AssociationWarning,
            stacklevel=3,
        )
        cols["asn_candidate"] = [
            "null" if v in ("null", "") else f"[('o{_obs(v)}', 'observation')]"
            for v in cols["obs_num"]
        ]
    asn_pool = pool.attrs.get("asn_pool", "in-memory")
    return Table(cols, n, str(asn_pool))


def _obs(value: str) -> str:
    try:
        return f"{int(value):03d}"
    except ValueError:
        return value.rjust(3, "0")


def _evaluate(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def candidates_by_type(table: Table) -> list[tuple[str, str]]:
    """(id, type) of every candidate, grouped by type in order of first appearance."""
    by_type: dict[str, dict[str, None]] = {}
    for text in table.cols["asn_candidate"]:
        parsed = _evaluate(text)
        if isinstance(parsed, int) and not isinstance(parsed, bool):
            by_type.setdefault("unknown", {})[str(parsed)] = None
            continue
        try:
            for cid, ctype in parsed:
                by_type.setdefault(ctype, {})[cid] = None
        except (ValueError, TypeError):
            continue
    return [(cid, ctype) for ctype, ids in by_type.items() for cid in ids]


def _candidate_rule(rule: Rule) -> Rule:
    cand = Attr(("asn_candidate",), name="asn_candidate", evaluate=True, is_acid=True)
    top = rule.constraints
    return dataclasses.replace(
        rule, constraints=dataclasses.replace(top, children=(*top.children, cand))
    )


_TOKEN = re.compile(r"[a-z0-9_]+")


def _rows_by_candidate(texts: list[str]) -> Any:
    """A function giving the rows whose ``asn_candidate`` text contains a candidate id.

    The reference selects a candidate's rows by substring match (``'1000'`` is in
    ``"[('c1000', 'background')]"``); this finds the same rows without scanning the
    pool once per candidate: every distinct text is split into word tokens, and
    every substring of a token is a key.
    """
    by_text: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        by_text.setdefault(text, []).append(row)
    index: dict[str, list[str]] = {}
    for text in by_text:
        keys: set[str] = set()
        for token in _TOKEN.findall(text):
            if len(token) > 24:
                continue
            for start in range(len(token)):
                for end in range(start + 1, len(token) + 1):
                    keys.add(token[start:end])
        for key in keys:
            index.setdefault(key, []).append(text)

    def rows(cid: str) -> list[int]:
        if _TOKEN.fullmatch(cid) and len(cid) <= 24:
            texts_with = index.get(cid, ())
        else:  # unusual id: plain substring scan of the distinct texts
            texts_with = [text for text in by_text if cid in text]
        found: list[int] = []
        for text in texts_with:
            found.extend(by_text[text])
        return sorted(found)

    return rows


def _plans(
    compiled: Sequence[CompiledRule],
    fresh_rules: Sequence[CompiledRule],
    static: StaticEval,
    shortcuts: bool = True,
) -> list[RulePlan]:
    plans = []
    for cr, base in zip(compiled, fresh_rules, strict=True):
        if not shortcuts:  # every exposure meets every association of every rule
            plans.append(RulePlan(cr, None, None, None, [Route((), (), ())]))
            continue
        root = base.rule.constraints
        possible = static.outcome(root) != FAIL
        creatable = static.outcome(root, AsnState(base, 0, None)) != FAIL
        anys, route_list = routes(cr)
        route_of_row = None
        if anys:
            route_of_row = np.zeros(static.n, dtype=np.int64)
            for a in anys:
                branches = [static.outcome(cr.nodes[b]) != FAIL for b in cr.children[a]]
                stacked = np.vstack(branches)
                single = stacked.sum(axis=0) == 1
                choice = np.where(single, stacked.argmax(axis=0) + 1, 0)
                route_of_row = route_of_row * (len(branches) + 1) + choice
        plans.append(RulePlan(cr, possible, creatable, route_of_row, route_list))
    return plans


class _Generator:
    """Candidate and discovery passes over one pool.

    With ``drop_invalid`` the associations that finalize would drop anyway for
    failing their validity checks (fixed when a pass ends) are dropped at the
    end of their pass, which keeps memory low on large pools.
    """

    def __init__(
        self,
        table: Table,
        rules: Sequence[Rule],
        version_id: str | None,
        *,
        drop_invalid: bool = False,
        shortcuts: bool = True,
    ) -> None:
        self.drop_invalid = drop_invalid
        self.shortcuts = shortcuts
        self.table = table
        self.rules = list(rules)
        self.version_id = version_id
        self.counter = [0]
        self.cand_rules = [
            CompiledRule(_candidate_rule(r), i, CANDIDATE_PREFIX) for i, r in enumerate(rules)
        ]
        self.disc_rules = [CompiledRule(r, i, DISCOVER_PREFIX) for i, r in enumerate(rules)]
        static = StaticEval(table)
        self.cand_plans = _plans(self.cand_rules, self.disc_rules, static, shortcuts)
        self.disc_plans = _plans(self.disc_rules, self.disc_rules, static, shortcuts)
        self._rows_by_cid = _rows_by_candidate(table.cols["asn_candidate"])
        # candidate and discovery rules share the pre-checks (same tree but the candidate)
        self.possible_rules = rules_per_row([p.possible for p in self.disc_plans], table.n)
        self.creatable_rules = rules_per_row([p.creatable for p in self.disc_plans], table.n)

    def _skip_for(self, ctype: str | None) -> list[bool]:
        """Rules whose associations could never be valid for this candidate type."""
        skip = []
        if not self.shortcuts:
            return [False] * len(self.rules)
        for rule in self.rules:
            level2_only_obs = rule.level == 2 and rule.name not in _ANY_CANDIDATE_TYPE_RULES
            bad_type = ctype is None or ctype.lower() not in ("observation", "background")
            skip.append(level2_only_obs and bad_type)
        return skip

    def candidate(self, cid: str, ctype: str) -> list[AsnState]:
        rows = self._rows_by_cid(cid)
        if not rows:
            return []
        rewritten = f"[('{cid}', '{ctype}')]"
        items = [Item(self.table, row, rewritten) for row in rows]
        generation = Pass(
            self.cand_rules,
            self.cand_plans,
            self.version_id,
            self.counter,
            self._skip_for(ctype),
            self.possible_rules,
            self.creatable_rules,
        )
        generation.override = f".+({cid}).+"
        return self._kept(run_pass(generation, items))

    def _kept(self, asns: list[AsnState]) -> list[AsnState]:
        if not self.drop_invalid:
            return asns
        kept = [asn for asn in asns if all(asn.validity)]
        for asn in kept:
            asn.filenames = frozenset()  # only generation asks "is this file a member?"
        return kept

    def discover(self) -> list[AsnState]:
        items = [Item(self.table, row) for row in range(self.table.n)]
        generation = Pass(
            self.disc_rules,
            self.disc_plans,
            self.version_id,
            self.counter,
            self._skip_for(None),
            self.possible_rules,
            self.creatable_rules,
        )
        return self._kept(run_pass(generation, items))


def _document(asn: AsnState, code_version: str) -> tuple[dict[str, Any], str]:
    data = dict(asn.data)
    data["code_version"] = code_version
    data["constraints"] = asn.constraints_text()  # the values pinned when generation ended
    level3 = asn.rule.level == 3
    products = []
    for product in asn.products:
        members = []
        for member in product["members"]:
            out = {"expname": member["expname"], "exptype": member["exptype"]}
            if "exposerr" in member:
                out["exposerr"] = member["exposerr"]
            if level3 and "asn_candidate" in member:
                out["asn_candidate"] = member["asn_candidate"]
            members.append(out)
        products.append({"name": product["name"], "members": members})
    data["products"] = products
    # data["program"] is already padded as jwst pads it ('00nul' too), which
    # asn_filename leaves as it is
    name = asn_filename(
        data["program"], data["asn_id"], data["asn_type"], asn.seq_out, asn.data["version_id"]
    )
    return data, name


def _used_rows(asns: list[AsnState]) -> set[int]:
    rows: set[int] = set()
    for asn in asns:
        for product in asn.products:
            for member in product["members"]:
                item = member.get("item")
                if item is not None:
                    rows.add(item.row)
        if asn.direct_image is not None and asn.direct_image.get("item") is not None:
            rows.add(asn.direct_image["item"].row)
    return rows


def orphan_rows(pool: pd.DataFrame, used: Iterable[int]) -> pd.DataFrame:
    """The rows of ``pool`` whose positions are not in ``used`` (see :func:`run_generation`).

    A WFSS direct image counts as taken when its Level 3 products are members.
    """
    used = list(used)
    mask = np.ones(len(pool), dtype=bool)
    mask[sorted(used)] = False
    out = pool.iloc[np.flatnonzero(mask)].copy()
    out.attrs = dict(pool.attrs)
    return out


def apply_rules(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
) -> AssociationSet:
    """Apply rules to a pool and return the finalized associations.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`); not modified.
    rules : iterable of Rule
        The rules, in the order they are tried.
    candidates : sequence of str, optional
        Only these candidate ids (``o001``, ``c1000``...); no discovery.
    discover : bool
        Make discovered (``a3001``) associations across candidates.
    all_candidates : bool
        Make the associations of every candidate.
    version_id : str, True or None
        Version stamp in file names; ``True`` for the current UTC time.

    Returns
    -------
    asnkit.AssociationSet
    """
    return run_generation(
        pool,
        rules,
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
    )[0]


def run_generation(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
) -> tuple[Any, frozenset[int]]:
    """:func:`apply_rules`, also returning the positions of the rows the associations took.

    ``shortcuts=False`` turns off the pre-checks and the index (every exposure is
    checked against every association of every rule, as the reference does):
    much slower, the same result -- the tests use it as a reference.
    """
    # Generation allocates many small, long-lived objects and no reference cycles;
    # the cyclic garbage collector would rescan them again and again (superlinear).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_generation(
            pool,
            rules,
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            shortcuts=shortcuts,
        )
    finally:
        if enabled:
            gc.enable()


def _run_generation(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None,
    discover: bool,
    all_candidates: bool,
    version_id: str | bool | None,
    shortcuts: bool,
) -> tuple[Any, frozenset[int]]:
    from asnkit.documents.collection import AssociationSet
    from asnkit.documents.model import Association
    from asnkit.documents.names import code_version

    if version_id is True:
        version_id = datetime.now(timezone.utc).strftime(_TIMESTAMP)
    elif version_id is False:
        version_id = None
    rules = list(rules)
    missing = missing_columns(rules, pool.columns)
    if missing:
        name, column = missing[0]
        raise PoolError(
            f"rule {name!r} names column {column!r}, which the pool does not have "
            f"(columns: {', '.join(map(str, pool.columns[:12]))}"
            f"{', ...' if len(pool.columns) > 12 else ''})",
            file=pool.attrs.get("asn_pool"),
            column=column,
        )
    table = build_table(pool)
    generator = _Generator(
        table, rules, version_id or None, drop_invalid=shortcuts, shortcuts=shortcuts
    )
    found_candidates = candidates_by_type(table)
    if candidates is not None:
        wanted = []
        for cid in candidates:
            for known, ctype in found_candidates:
                if known == cid:
                    wanted.append((cid, ctype))
                    break
            else:
                warnings.warn(
                    f"candidate {cid!r} not found in the pool", AssociationWarning, stacklevel=3
                )
        discover, all_candidates, chosen = False, True, wanted
    else:
        chosen = found_candidates if all_candidates else []
    from_candidates: list[AsnState] = []
    for cid, ctype in chosen:
        from_candidates.extend(generator.candidate(cid, ctype))
    discovered = generator.discover() if discover else []
    del generator
    ordered = discovered + from_candidates
    del discovered, from_candidates
    level2 = finalize_level([a for a in ordered if a.rule.level == 2], 2)
    level3 = finalize_level([a for a in ordered if a.rule.level == 3], 3)
    del ordered
    states = level2 + level3
    del level2, level3
    used = frozenset(_used_rows(states))
    out = []
    states.reverse()
    while states:  # each state is released once its document exists (lower peak memory)
        data, filename = _document(states.pop(), code_version())
        out.append(Association.from_dict(data, filename=filename))
    return AssociationSet(out), used


def generate(
    pool: pd.DataFrame,
    rules: Iterable[Rule] | None = None,
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
) -> AssociationSet:
    """The standard DMS associations of a pool, as ``asn_generate`` makes them.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`).
    rules : iterable of Rule, optional
        Default: :func:`asnkit.rules.dms_rules` (Level 2b and Level 3).
    candidates, discover, all_candidates, version_id
        As :func:`apply_rules`.

    Returns
    -------
    asnkit.AssociationSet
    """
    if rules is None:
        from asnkit.rules import dms_rules

        rules = dms_rules()
    return apply_rules(
        pool,
        rules,
        candidates=candidates,
        discover=discover,
        all_candidates=all_candidates,
        version_id=version_id,
    )
