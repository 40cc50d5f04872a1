"""Generation as named stages, each recording what it decided (:mod:`asnkit.engine.record`).

1. **candidate selection** (:func:`select_candidates`): the candidates of the pool
   (or those asked for), grouped by type as the reference orders them;
2. **matching** (:func:`match`): per candidate, the associations every rule forms
   over the candidate's exposures (:class:`~asnkit.engine.passes.Matcher`);
3. **discovery** (:func:`discovery`): the associations formed across the pool;
4. **finalize** (:func:`finish`): each association by its rule (kept, split, or
   dropped, and why), as soon as its pass ends;
5. **pruning** (:func:`number`): duplicate associations dropped, per level (which
   one each duplicates);
6. **sequencing** (:func:`number`): numbers per ``(asn_id, asn_type)``, file names;
   documents are made from their parts when read (:class:`DocumentSource`).

:func:`run_engine` runs them all; :mod:`asnkit.generation` wraps the record as a
:class:`~asnkit.generation.run.Run`. Associations that can never be valid (their
validity checks are settled when their pass ends) are recorded and released at
once, and the others once finalized (only their documents' parts are kept), so
only one pass's associations are ever alive: memory stays low on large pools.

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
from itertools import chain
from typing import TYPE_CHECKING, Any

from asnkit.dms.identifiers import VERSION_ID
from asnkit.dms.names import version_timestamp
from asnkit.engine.admit import check_pool, check_rule_columns
from asnkit.engine.finalize import dropped_fate, edits_members, finalize
from asnkit.engine.members import refresh
from asnkit.engine.passes import Matcher
from asnkit.engine.prune import link_duplicates, prune, resequence
from asnkit.engine.record import (
    DocumentSource,
    Fate,
    Formation,
    Member,
    Output,
    Record,
    parted_lines,
)
from asnkit.engine.state import AsnState
from asnkit.engine.table import Table, build_table, candidates_by_type
from asnkit.errors import AssociationError, AssociationWarning, PoolError
from asnkit.pool.coded import CodedPool, code_frame, locate
from asnkit.rules.model import Rule

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RunCache",
    "discovery",
    "document_source",
    "finish",
    "gc_paused",
    "match",
    "number",
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


class RunCache:
    """What the associations of one run share, made once: member entries, headers, lines.

    :meth:`entry`: each member entry ``(pool row, role, file name)`` once (an exposure is
    a member of several associations), kept by pool row (``rows``: an entry, or a tuple of
    the row's entries when it has several; a dict of every entry would be larger than the
    entries it saves); ``layouts``: the headers' keys and their positions
    (:class:`~asnkit.engine.record.DocumentSource`); ``lines``: the constraint lines
    (:meth:`~asnkit.engine.state.AsnState.constraint_lines`); ``tuples``: each distinct
    header's values, lines of a document, and failed checks, once (the
    checks keyed by their ids: text and ids never meet as keys).
    """

    __slots__ = ("layouts", "lines", "products", "rows", "tuples")

    def __init__(self, n: int) -> None:
        self.rows: list[Any] = [None] * n  # pool row -> its entry, or a tuple of its entries
        self.products: dict[Member, Member] = {}  # entries without a pool row
        self.layouts: dict[tuple[str, ...], dict[str, int]] = {}
        self.lines: dict = {}
        self.tuples: dict[tuple, tuple] = {}

    def entry(self, row: int | None, role: str, name: str) -> Member:
        """The run's one member entry ``(row, role, name)``."""
        if row is None:
            entry: Member = (None, role, name)
            return self.products.setdefault(entry, entry)
        rows = self.rows
        got = rows[row]
        if got is None:
            entry = rows[row] = (row, role, name)
            return entry
        several = type(got[0]) is tuple
        for entry in got if several else (got,):
            if entry[1] == role and entry[2] == name:
                return entry
        entry = (entry[0], role, name)  # (one number object per row for its entries)
        rows[row] = (*got, entry) if several else (got, entry)
        return entry

    def layout(self, data: dict[str, Any]) -> dict[str, int]:
        """The run's one layout of headers with these keys in this order: key -> position."""
        keys = tuple(data)
        layout = self.layouts.get(keys)
        if layout is None:
            layout = self.layouts[keys] = {key: k for k, key in enumerate(keys)}
        return layout

    def shared(self, values: tuple) -> tuple:
        """The run's one tuple equal to ``values`` (values of hashable types only)."""
        return self.tuples.setdefault(values, values)

    def checks(self, checks: tuple) -> tuple:
        """The run's one tuple of these very check objects (compared by identity)."""
        return self.tuples.setdefault(tuple(map(id, checks)), checks)


#: A state's member entries, the number of members of each product, and the candidate
#: text of each member in its pass (one for all members when they share it).
Parts = tuple[tuple[Member, ...], tuple[int, ...], Any]


def _parts(asn: AsnState, cache: RunCache) -> Parts:
    share = cache.entry
    entries: list[Member] = []
    cands: list[Any] = []
    sizes = []
    for product in asn.products:
        members = product["members"]
        sizes.append(len(members))
        for member in members:
            item = member.get("item")
            if item is None:
                entries.append(share(None, member["exptype"], member["expname"]))
                cands.append(None)
            else:
                entries.append(share(item.row, member["exptype"], member["expname"]))
                cands.append(item.cand)
    first = cands[0] if cands else None
    one = cands.count(first) == len(cands)  # (text or None)
    return tuple(entries), tuple(sizes), first if one else tuple(cands)


_NO_FILES: frozenset[str] = frozenset()


def _formed(
    record: Record, asns: list[AsnState], candidate: tuple[str, str] | None, cache: RunCache
) -> list:
    """Record the associations a pass formed; those that can never be valid are dropped now."""
    kept = []
    complete = record.complete
    for asn in asns:
        valid = all(asn.validity)
        if not (valid or complete):
            continue  # (only the kept associations are asked for: let it go unrecorded)
        formation = Formation(
            number=asn.seq,
            rule=asn.cr.index,
            candidate=candidate,
            asn_id=asn.acid[0],
            asn_rule=asn.cr.asn_rule,
            members=(),
        )
        if complete:
            record.formations.append(formation)
        if valid:
            asn.filenames = _NO_FILES  # only matching asks "is this file a member?"
            kept.append((asn, formation))
        else:  # finalize would drop it: record why, and let it go
            formation.members = _parts(asn, cache)[0]
            formation.fate, failed, formation.observations = dropped_fate(asn)
            formation.failed = cache.checks(failed)
    return kept


def match(
    record: Record, matcher: Matcher, candidate: tuple[str, str], cache: RunCache
) -> list[tuple[AsnState, Formation]]:
    """Stage 2: the associations every rule forms over one candidate's exposures."""
    cid, ctype = candidate
    return _formed(record, matcher.candidate(cid, ctype), candidate, cache)


def discovery(
    record: Record, matcher: Matcher, cache: RunCache
) -> list[tuple[AsnState, Formation]]:
    """Stage 3: the associations the rules form across the whole pool (``a3001``)."""
    return _formed(record, matcher.discover(), None, cache)


def finish(
    formed: list[tuple[AsnState, Formation]],
    table: Table,
    cache: RunCache,
    complete: bool = True,
) -> list[Output]:
    """Stage 4 for the associations of one pass: each finalized by its rule.

    What finalize made of each is recorded (an :class:`~asnkit.engine.record.Output`,
    its ``source`` the parts of its document: :class:`DocumentSource`); each state is
    let go as soon as it is finished (``formed`` is emptied), so a pass's states and
    their outputs are not all alive at once. ``complete=False``: why one was dropped and
    which outputs a formation has are not recorded (:attr:`Record.complete`).
    """
    out = []
    columns = (table.column("exposerr"), table.column("asn_candidate"))  # lists, kept by documents
    formed.reverse()
    while formed:  # each state let go once finished (a pass's states can be many)
        asn, formation = formed.pop()
        refresh(asn)  # header and product name up to date before finalize reads them
        parts = _parts(asn, cache)
        formation.members = parts[0]
        results, formation.fate = finalize(asn)
        if not results:
            if complete:
                _, failed, formation.observations = dropped_fate(asn)
                formation.failed = cache.checks(failed)
            continue
        outputs = []
        for result in results:
            if result is not asn or edits_members(asn.rule):
                parts = _parts(result, cache)
                if parts[0] == formation.members:
                    parts = (formation.members, *parts[1:])  # one tuple when nothing changed
            direct = result.direct_image
            output = Output(
                formation,
                parts[0],
                product=result.products[0]["name"] if result.products else "",
                direct_image=direct["item"].row if isinstance(direct, dict) else None,
            )
            output.source = document_source(result, parts, cache, columns)
            outputs.append(output)
            out.append(output)
        if complete:
            formation.outputs = tuple(outputs)
    return out


def number(finished: list[Output]) -> list[Output]:
    """Stages 5 and 6 for one level: duplicates pruned (their ``source`` let go), the
    others numbered; in list order."""
    # each output has its own source, hashed by identity (no number made per output)
    by_source = {output.source: output for output in finished}
    survivors = prune(list(by_source))
    resequence(survivors)
    kept = [by_source.pop(source) for source in survivors]
    for output in by_source.values():  # the pruned
        output.fate = Fate.DUPLICATE
        output.source = None
    return kept


def document_source(
    asn: AsnState, parts: Parts, cache: RunCache, columns: tuple[Any, Any]
) -> DocumentSource:
    """What the document of a finalized state is made of (:class:`DocumentSource`).

    ``parts``: the state's members (:func:`_parts`), ``cache`` the run's
    :class:`RunCache`; ``columns`` the pool's ``exposerr`` and ``asn_candidate``
    columns (or None).
    """
    members, sizes, cands = parts
    if len(sizes) == 1:
        products: tuple = ((asn.products[0]["name"], members),)
    else:
        start = 0
        named = []
        for product, size in zip(asn.products, sizes, strict=True):
            named.append((product["name"], members[start : start + size]))
            start += size
        products = tuple(named)
    data = asn.data
    return DocumentSource(
        cache.layout(data),
        _header_values(data, cache),
        parted_lines(asn.constraint_lines(cache.lines), cache.shared),
        products,
        cands,
        asn.rule.level == 3,
        columns,
    )


_TEXT = frozenset({str, type(None)})


def _header_values(data: dict[str, Any], cache: RunCache) -> tuple[Any, ...]:
    """The header's values, one tuple for equal headers when they are text (or None)."""
    values = tuple(data.values())
    if _TEXT.issuperset(map(type, values)):
        return cache.shared(values)
    return values


def _candidate_passes(
    record: Record, matcher: Matcher, chosen: list[tuple[str, str]], cache: RunCache
) -> list[Output]:
    """Stages 2 and 4 for each candidate; the outputs in the candidates' order.

    A pass's states are all alive until it ends, so the passes over the most rows run
    first, while the record is small. The passes are independent: the formations are
    recorded (after those discovered so far) and numbered as if the candidates had run
    in order, before discovery -- the order the reference makes them in (within a pass,
    formations are recorded in the order they were made).
    """
    discovered = record.formations
    blocks: list[Any] = [None] * len(chosen)
    sizes = [matcher.size(cid) for cid, _ in chosen]
    for k in sorted(range(len(chosen)), key=lambda k: -sizes[k]):  # (stable: ties in order)
        record.formations = []
        formed = match(record, matcher, chosen[k], cache)
        outputs = finish(formed, matcher.table, cache, record.complete)
        blocks[k] = (record.formations, outputs)
    formations = [formation for block, _ in blocks for formation in block]
    for number, formation in enumerate(chain(formations, discovered), 1):
        formation.number = number
    record.formations = discovered + formations
    return [output for _, outputs in blocks for output in outputs]


def _first_error(
    table: Table,
    rules: list[Rule],
    chosen: list[tuple[str, str]],
    discovering: bool,
    version_id: str | bool | None,
    shortcuts: bool,
) -> Exception | None:
    """The error the passes meet first when run in the reference's order, or None.

    The engine runs its passes out of order (discovery first, then the largest
    candidates: :func:`_candidate_passes`); when one fails, the passes run again in
    the order the reference runs them (the candidates in order, then discovery), so
    that a pool with several faults reports the one the reference reports, the
    first in the file. Warnings are not repeated.
    """
    record = Record(rules, chosen, discovering, table=table, complete=False)
    matcher = Matcher(table, rules, version_id, shortcuts=shortcuts)
    cache = RunCache(table.n)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for candidate in chosen:
                finish(match(record, matcher, candidate, cache), table, cache, False)
            if discovering:
                finish(discovery(record, matcher, cache), table, cache, False)
    except Exception as error:  # (the one to report)
        return error
    finally:
        matcher.forget()
        table.forget()
    return None


def run_engine(
    pool: CodedPool | pd.DataFrame,
    rules: Iterable[Rule],
    *,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
    version_id: str | bool | None = None,
    shortcuts: bool = True,
    stacklevel: int = 3,
    complete: bool = True,
) -> Record:
    """Run every stage on a pool; the :class:`~asnkit.engine.record.Record` of what they decided.

    Parameters are those of :func:`asnkit.run`; ``pool`` may also be the coded
    columns of a pool (:func:`asnkit.pool.parse.parse_pool`), so that pandas is
    not needed. ``shortcuts=False`` turns off the pre-checks, the index and the candidate-type
    skips (every exposure is checked against every association of every rule, as
    the reference does): much slower, the same result. ``complete=False``: only the
    kept associations are asked for (:func:`asnkit.generate`): the record keeps no
    formations (:attr:`Record.complete <asnkit.engine.record.Record>`).
    """
    if not isinstance(pool, CodedPool):
        pool = code_frame(pool)
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
            complete=complete,
        )
    except PoolError as exc:  # name the file and the line, not a 0-based row
        raise locate(exc, pool) from None


def _run_engine(
    pool: CodedPool,
    rules: list[Rule],
    *,
    candidates: Sequence[str] | None,
    discover: bool,
    all_candidates: bool,
    version_id: str | bool | None,
    shortcuts: bool,
    stacklevel: int,
    complete: bool,
) -> Record:
    check_rule_columns(pool, rules)
    check_pool(pool)
    version_id = resolve_version_id(version_id)
    with gc_paused():
        table = build_table(pool)
        chosen = select_candidates(table, candidates, all_candidates, stacklevel=stacklevel + 1)
        discovering = discover and candidates is None
        record = Record(rules, chosen, discovering, table=table, complete=complete)
        matcher = Matcher(table, rules, version_id, shortcuts=shortcuts)
        record.compiled = (matcher.cand_rules, matcher.disc_rules)
        cache = RunCache(table.n)
        # per level, the finished associations discovered, then those of the candidates: the
        # order finalize takes them in
        finished: dict[int, tuple[list, list]] = {2: ([], []), 3: ([], [])}
        try:
            if discovering:
                # discovery matches every row at once (the run's memory peak): it runs first,
                # while the record is small; numbered as if it ran after them (_candidate_passes)
                formed = discovery(record, matcher, cache)
                for output in finish(formed, table, cache, record.complete):
                    finished[rules[output.formation.rule].level][0].append(output)
            for output in _candidate_passes(record, matcher, chosen, cache):
                finished[rules[output.formation.rule].level][1].append(output)
        except Exception as error:
            matcher.forget()
            del matcher, cache, record, finished
            table.forget()
            first = _first_error(table, rules, chosen, discovering, version_id, shortcuts)
            if first is None or first is error:
                raise
            raise first from None
        matcher.forget()
        del matcher, cache
        table.forget()  # per-row caches of matching
        kept: list[Output] = []
        for level in (2, 3):
            discovered, from_candidates = finished.pop(level)
            discovered += from_candidates
            del from_candidates
            kept += number(discovered)
            del discovered
        record.outputs = tuple(kept)
        del kept
        for output in record.outputs:
            output.filename = output.source.filename()
        pruned = [o for f in record.formations for o in f.outputs if o.fate is Fate.DUPLICATE]
        link_duplicates(record, pruned)
    return record
