"""Generation as named stages, each recording what it decided (:mod:`asnkit.engine.record`).

1. **candidate selection** (:func:`select_candidates`): the candidates of the pool
   (or those asked for), grouped by type as the reference orders them;
2. **matching** (:func:`match`): per candidate, the associations every rule forms
   over the candidate's exposures (:class:`~asnkit.engine.passes.Matcher`);
3. **discovery** (:func:`discovery`): the associations formed across the pool;
4. **finalize** (:func:`finalize_level`): each association by its rule (kept, split,
   or dropped, and why), per level;
5. **pruning**: duplicate associations dropped (which one each duplicates);
6. **sequencing**: numbers per ``(asn_id, asn_type)``, file names and documents.

:func:`run_engine` runs them all; :mod:`asnkit.generation` wraps the record as a
:class:`~asnkit.generation.run.Run`. Associations that can never be valid (their
validity checks are settled when their pass ends) are recorded and released at
once, which keeps memory low on large pools.

Examples
--------
>>> import asnkit
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_002_image_miri"))
>>> record = run_engine(pool, asnkit.rules.dms_rules(), version_id="20250101t000000")
>>> [o.filename for o in record.outputs][-1]
'jw99009-o001_20250101t000000_image3_00001_asn.json'
>>> sorted({f.fate.value for f in record.formations})
['invalid', 'kept']
>>> sorted({o.fate.value for f in record.formations for o in f.outputs})
['duplicate', 'kept']
"""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from asnkit.dms.identifiers import VERSION_ID
from asnkit.dms.names import asn_filename, version_timestamp
from asnkit.engine.finalize import dropped_fate, finalize, prune, resequence
from asnkit.engine.members import refresh
from asnkit.engine.passes import Matcher
from asnkit.engine.record import Fate, Formation, Member, Output, Record
from asnkit.engine.state import AsnState
from asnkit.engine.table import Table, build_table, candidates_by_type
from asnkit.errors import AssociationError, AssociationWarning, PoolError
from asnkit.pool.read import check_identifiers, locate
from asnkit.rules.model import Rule, missing_columns
from asnkit.version import code_version

__all__ = [
    "REQUIRED_COLUMNS",
    "check_pool",
    "check_rule_columns",
    "discovery",
    "document",
    "finalize_level",
    "gc_paused",
    "match",
    "resolve_version_id",
    "run_engine",
    "select_candidates",
]


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
    """``True``: the current UTC time (``%Y%m%dt%H%M%S``); ``False`` or empty: none.

    Raises
    ------
    AssociationError
        A version id that is not a DMS version id (it names files).
    """
    if version_id is True:
        return version_timestamp()
    if version_id and not VERSION_ID.matches(version_id):
        problem = VERSION_ID.problem(version_id)
        raise AssociationError(f"version_id: {problem}", errors=[("version_id", problem)])
    return version_id or None


#: Columns the engine reads from every exposure that starts an association.
REQUIRED_COLUMNS = ("filename", "program", "targetid")


def check_pool(pool: pd.DataFrame) -> None:
    """Refuse a pool generation cannot use, before generating.

    The pool needs the :data:`REQUIRED_COLUMNS` (``asn_generate`` stops with
    ``KeyError`` without them), and its programs and candidate ids become
    parts of file names: they must be DMS identifiers
    (:func:`asnkit.pool.read.check_identifiers`; frames built in memory never
    went through :func:`asnkit.read_pool`).

    Raises
    ------
    asnkit.PoolError
        Naming the pool file, the column and the line (or row).
    """
    lowered = {str(column).lower() for column in pool.columns}
    name = pool.attrs.get("pool_file") or pool.attrs.get("asn_pool") or "in-memory pool"
    for column in REQUIRED_COLUMNS:
        if column not in lowered:
            raise PoolError(
                f"no {column!r} column: the rules read it from every exposure that starts "
                "an association (asn_generate stops with KeyError too)",
                file=str(name),
                column=column,
            )
    frame = pool
    if any(str(column) != str(column).lower() for column in pool.columns):
        frame = pool.rename(columns=lambda column: str(column).lower())
    try:
        check_identifiers(frame)
    except PoolError as exc:
        raise locate(exc, pool) from None


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


# --------------------------------------------------------------------------- stages


def select_candidates(
    table: Table, candidates: Sequence[str] | None, all_candidates: bool, stacklevel: int = 3
) -> list[tuple[str, str]]:
    """Stage 1: the (id, type) of the candidates to make associations of, in the reference's order.

    ``candidates`` given: those (an :class:`~asnkit.AssociationWarning` for an id
    the pool does not have); else all of them, or none without ``all_candidates``.
    """
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
            message = f"candidate {cid!r} not found in the pool"
            warnings.warn(message, AssociationWarning, stacklevel=stacklevel)
    return wanted


def _members(asn: AsnState) -> tuple[Member, ...]:
    out = []
    for product in asn.products:
        for member in product["members"]:
            item = member.get("item")
            out.append((None if item is None else item.row, member["exptype"], member["expname"]))
    return tuple(out)


def _formed(record: Record, asns: list[AsnState], candidate: tuple[str, str] | None) -> list:
    """Record the associations a pass formed; those that can never be valid are dropped now."""
    kept = []
    for asn in asns:
        formation = Formation(
            number=asn.seq,
            rule=asn.cr.index,
            candidate=candidate,
            asn_id=asn.acid[0],
            asn_rule=asn.cr.asn_rule,
            members=(),
        )
        record.formations.append(formation)
        if all(asn.validity):
            asn.filenames = frozenset()  # only matching asks "is this file a member?"
            kept.append((asn, formation))
        else:  # finalize would drop it: record why, and let it go
            formation.members = _members(asn)
            formation.fate, formation.failed, formation.observations = dropped_fate(asn)
    return kept


def match(
    record: Record, matcher: Matcher, candidates: Iterable[tuple[str, str]]
) -> list[tuple[AsnState, Formation]]:
    """Stage 2: the associations every rule forms over each candidate's exposures."""
    out = []
    for cid, ctype in candidates:
        out.extend(_formed(record, matcher.candidate(cid, ctype), (cid, ctype)))
    return out


def discovery(record: Record, matcher: Matcher) -> list[tuple[AsnState, Formation]]:
    """Stage 3: the associations the rules form across the whole pool (``a3001``)."""
    return _formed(record, matcher.discover(), None)


def finalize_level(
    record: Record, formed: list[tuple[AsnState, Formation]], level: int
) -> list[tuple[AsnState, Output]]:
    """Stages 4 to 6 for one level: finalize, prune duplicates, number; in list order."""
    for asn, _ in formed:
        refresh(asn)  # headers and product names up to date before finalize reads them
    outputs: list[tuple[AsnState, Output]] = []
    for asn, formation in formed:
        formation.members = _members(asn)
        results, formation.fate = finalize(asn)
        if not results:
            _, formation.failed, formation.observations = dropped_fate(asn)
        for result in results:
            members = _members(result)
            if members == formation.members:
                members = formation.members  # one tuple when finalize changed nothing
            direct = result.direct_image
            output = Output(
                formation,
                members,
                product=result.products[0]["name"] if result.products else "",
                direct_image=direct["item"].row if isinstance(direct, dict) else None,
            )
            formation.outputs.append(output)
            outputs.append((result, output))
    by_state = {id(asn): output for asn, output in outputs}
    survivors = prune([asn for asn, _ in outputs])
    resequence(survivors)
    kept_ids = {id(asn) for asn in survivors}
    for asn, output in outputs:
        if id(asn) not in kept_ids:
            output.fate = Fate.DUPLICATE
    return [(asn, by_state[id(asn)]) for asn in survivors]


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


def _duplicates(record: Record, pruned: list[Output]) -> None:
    """Which kept output each pruned one duplicates: same level and members, else same product."""
    by_members: dict[tuple, Output] = {}
    by_product: dict[str, Output] = {}
    for output in record.outputs:
        level = record.rules[output.formation.rule].level
        key = (level, frozenset((role, name) for _, role, name in output.members))
        by_members.setdefault(key, output)
        by_product.setdefault(output.product, output)
    for output in pruned:
        level = record.rules[output.formation.rule].level
        key = (level, frozenset((role, name) for _, role, name in output.members))
        output.duplicate_of = by_members.get(key) or by_product.get(output.product)


def run_engine(
    pool: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
    stacklevel: int = 3,
) -> Record:
    """Run every stage on a pool; the :class:`~asnkit.engine.record.Record` of what they decided.

    Parameters are those of :func:`asnkit.run`.
    ``shortcuts=False`` turns off the pre-checks, the index and the candidate-type
    skips (every exposure is checked against every association of every rule, as
    the reference does): much slower, the same result.
    """
    try:
        return _run_engine(
            pool,
            list(rules),
            candidates=candidates,
            discover=discover,
            all_candidates=all_candidates,
            version_id=version_id,
            shortcuts=shortcuts,
            stacklevel=stacklevel + 1,
        )
    except PoolError as exc:  # name the file and the line, not a 0-based row
        raise locate(exc, pool) from None


def _run_engine(
    pool: pd.DataFrame,
    rules: list[Rule],
    *,
    candidates: Sequence[str] | None,
    discover: bool,
    all_candidates: bool,
    version_id: str | bool | None,
    shortcuts: bool,
    stacklevel: int,
) -> Record:
    check_rule_columns(pool, rules)
    check_pool(pool)
    version_id = resolve_version_id(version_id)
    with gc_paused():
        table = build_table(pool)
        chosen = select_candidates(table, candidates, all_candidates, stacklevel=stacklevel + 1)
        discovering = discover and candidates is None
        record = Record(rules, chosen, discovering, table=table)
        matcher = Matcher(table, rules, version_id, shortcuts=shortcuts)
        record.compiled = (matcher.cand_rules, matcher.disc_rules)
        from_candidates = match(record, matcher, chosen)
        formed = (discovery(record, matcher) if discovering else []) + from_candidates
        del matcher, from_candidates
        # the order finalize takes them in: discovered first, then per candidate
        record.formations.sort(key=lambda f: f.candidate is not None)
        states: list[tuple[AsnState, Output]] = []
        for level in (2, 3):
            states += finalize_level(record, [f for f in formed if f[0].rule.level == level], level)
        del formed
        record.outputs = [output for _, output in states]
        states.reverse()
        while states:  # each state is released once its document exists (lower peak memory)
            asn, output = states.pop()
            output.document, output.filename = document(asn)
        pruned = [o for f in record.formations for o in f.outputs if o.fate is Fate.DUPLICATE]
        _duplicates(record, pruned)
    return record
