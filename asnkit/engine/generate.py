"""Generate associations from a pool: per candidate, then discovery, then finalize.

:func:`generate_documents` gives the documents jwst 3.0.0 ``asn_generate`` writes
(default: every candidate of the pool plus the discovered associations), as
plain dicts with their file names; :mod:`asnkit.generation` makes
:class:`~asnkit.AssociationSet` objects of them (:func:`asnkit.generate`).

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> documents, used = generate_documents(pool, asnkit.rules.dms_rules(),
...                                      version_id="20250101t000000")
>>> sorted(name for _, name in documents)[-1]
'jw99009-o001_20250101t000000_image3_00001_asn.json'
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from asnkit.dms.candidates import observation_id, parse_candidates
from asnkit.dms.names import asn_filename, version_timestamp
from asnkit.engine.finalize import finalize_level
from asnkit.engine.prefilter import FAIL, Route, StaticEval, routes
from asnkit.engine.run import Pass, RulePlan, rules_per_row, run_pass
from asnkit.engine.state import AsnState, CompiledRule, Item, Table
from asnkit.errors import AssociationWarning, PoolError
from asnkit.rules.model import Attr, Rule, missing_columns
from asnkit.version import code_version

__all__ = [
    "CANDIDATE_PREFIX",
    "DISCOVER_PREFIX",
    "Generator",
    "build_table",
    "candidates_by_type",
    "check_rule_columns",
    "document",
    "gc_paused",
    "generate_documents",
    "orphan_rows",
    "resolve_version_id",
    "select_candidates",
    "used_rows",
]

CANDIDATE_PREFIX = "candidate"
DISCOVER_PREFIX = "discover"
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
            "null" if v in ("null", "") else f"[('{observation_id(v)}', 'observation')]"
            for v in cols["obs_num"]
        ]
    asn_pool = pool.attrs.get("asn_pool", "in-memory")
    return Table(cols, n, str(asn_pool))


def candidates_by_type(table: Table) -> list[tuple[str, str]]:
    """(id, type) of every candidate, grouped by type in order of first appearance.

    Values that are not candidates (junk rows) are skipped.
    """
    by_type: dict[str, dict[str, None]] = {}
    for text in dict.fromkeys(table.cols["asn_candidate"]):
        try:
            pairs = parse_candidates(text)
        except ValueError:
            continue
        for cid, ctype in pairs:
            by_type.setdefault(ctype, {})[cid] = None
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


class Generator:
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


def document(asn: AsnState) -> tuple[dict[str, Any], str]:
    """The association document of a finalized state (a plain dict) and its file name."""
    data = dict(asn.data)
    data["code_version"] = code_version()
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


def used_rows(asns: Iterable[AsnState]) -> set[int]:
    """Pool rows the associations hold (a WFSS direct image through its Level 3 products)."""
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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored after, if it was on).

    Generation allocates many small, long-lived objects and no reference cycles;
    the collector would rescan them again and again (superlinear time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def resolve_version_id(version_id: str | bool | None) -> str | None:
    """``True``: the current UTC time (``%Y%m%dt%H%M%S``); ``False`` or empty: none."""
    if version_id is True:
        return version_timestamp()
    return version_id or None


def select_candidates(
    table: Table, candidates: Sequence[str] | None, all_candidates: bool, stacklevel: int = 3
) -> list[tuple[str, str]]:
    """The (id, type) of the candidates to make associations of, in the reference's order."""
    found = candidates_by_type(table)
    if candidates is None:
        return found if all_candidates else []
    wanted = []
    for cid in candidates:
        for known, ctype in found:
            if known == cid:
                wanted.append((cid, ctype))
                break
        else:
            warnings.warn(
                f"candidate {cid!r} not found in the pool",
                AssociationWarning,
                stacklevel=stacklevel,
            )
    return wanted


def check_rule_columns(pool: pd.DataFrame, rules: Iterable[Rule]) -> None:
    """Raise :class:`~asnkit.PoolError` when a rule names a column the pool lacks.

    Only the columns a user named (``select`` / ``agree`` of
    :func:`asnkit.rules.custom.rule`, :attr:`Rule.columns`) are required: the DMS rules
    read missing columns as empty, as jwst does.
    """
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


def generate_documents(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
) -> tuple[list[tuple[dict[str, Any], str]], frozenset[int]]:
    """The documents the rules make (plain dicts and file names) and the rows they took.

    Parameters are those of :func:`asnkit.apply_rules`. ``shortcuts=False`` turns
    off the pre-checks and the index (every exposure is checked against every
    association of every rule, as the reference does): much slower, the same
    result -- the tests use it as a reference.
    """
    rules = list(rules)
    check_rule_columns(pool, rules)
    with gc_paused():
        table = build_table(pool)
        generator = Generator(
            table,
            rules,
            resolve_version_id(version_id),
            drop_invalid=shortcuts,
            shortcuts=shortcuts,
        )
        chosen = select_candidates(table, candidates, all_candidates, stacklevel=4)
        if candidates is not None:
            discover = False
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
        used = frozenset(used_rows(states))
        out = []
        states.reverse()
        while states:  # each state is released once its document exists (lower peak memory)
            out.append(document(states.pop()))
        return out, used
