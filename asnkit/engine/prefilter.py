"""Whole-pool pre-checks that let the engine skip what can never match.

A rule's constraint tree is immutable, so much of it can be evaluated once for
the whole pool, vectorised: every leaf is evaluated once per distinct value
(``pandas.factorize`` / group-by) and groups are combined with numpy. Each
node gets, per row, one of three outcomes: PASS (matches whatever the
association's state, without reprocessing), FAIL (fails whatever the state,
without reprocessing) or UNKNOWN. Two modes:

* any state -- used to skip existing associations and to choose a branch;
* fresh -- the state of a new association (values not pinned yet, computed
  values such as "the obs_num found so far" evaluated on an empty
  association): rows that FAIL cannot create an association of the rule.

:func:`routes` then describes, per rule, the "must pass" paths (all-of groups
from the root, and inside the branches of any-of groups on that path) with the
columns every association pins there (:class:`Route`): existing associations
are found by a dict lookup on those values instead of a scan.

Everything here is conservative: UNKNOWN means "check it", so results are
exactly those of checking everything.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from asnkit.dms.values import EMPTY
from asnkit.engine.state import AsnState, CompiledRule, meets
from asnkit.engine.table import Table, narrow_codes
from asnkit.rules.model import Attr, Group, Reduce, Test

__all__ = ["FAIL", "PASS", "UNKNOWN", "Route", "StaticEval", "routes"]

PASS, FAIL, UNKNOWN = np.int8(1), np.int8(2), np.int8(3)


def _item_columns(fn: Any) -> tuple[str, ...] | None:
    """The pool columns a condition reads alone (``Condition.columns``), or None."""
    return getattr(fn, "columns", None)


def _asn_only(fn: Any) -> bool:
    return bool(getattr(fn, "state_only", False))


class StaticEval:
    """Vectorised outcomes of constraint nodes over one pool (cached per node)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.n = table.n
        self._first: dict[tuple[str, ...], tuple[np.ndarray, list[Any]]] = {}
        self._groups: dict[tuple[str, ...], tuple[np.ndarray, list[dict[str, str]]]] = {}
        self._cache: dict[tuple[int, bool], np.ndarray] = {}
        # equal subtrees (optical_path() in a dozen rules) are evaluated once: each node gets
        # the number of its structure, computed once per node (a dataclass hash is deep)
        self._numbers: dict[int, int] = {}
        self._structures: dict[Any, int] = {}
        self._nodes: list[Any] = []  # keeps the numbered nodes (and so their ids) alive
        self._reads_candidate: set[int] = set()  # numbers of nodes reading asn_candidate
        self._constants: dict[int, np.ndarray] = {}

    def _constant(self, outcome: Any) -> np.ndarray:
        """The same outcome for every row: one shared, read-only array per outcome."""
        hit = self._constants.get(int(outcome))
        if hit is None:
            hit = np.full(self.n, outcome, dtype=np.int8)
            hit.flags.writeable = False
            self._constants[int(outcome)] = hit
        return hit

    def forget(self) -> None:
        """Drop the per-row arrays computed so far (they are recomputed when asked again)."""
        self._first.clear()
        self._groups.clear()
        self._cache.clear()

    # ------------------------------------------------------------------ factorizations
    def _coded(self, column: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The column as codes ``0 .. len(texts) - 1`` into its texts (None if absent)."""
        coded = self.table.coded(column)
        if coded is None:
            return None
        codes, texts = coded
        if len(codes) and codes.min() < 0:  # -1: the last text (a missing value)
            codes = np.where(codes < 0, len(texts) - 1, codes)
        return codes, texts

    def _first_valid(self, sources: tuple[str, ...]) -> tuple[np.ndarray, list[Any]]:
        """Per row, a code into values: the first valid text among ``sources`` (or None).

        Read from the columns' codes (:meth:`Table.coded`): validity is decided once
        per distinct text. A value may appear under more than one code.
        """
        hit = self._first.get(sources)
        if hit is not None:
            return hit
        codes = np.full(self.n, -1, dtype=np.int64)  # -1: no valid value yet
        values: list[Any] = []
        for column in sources:
            coded = self._coded(column)
            if coded is None:
                continue
            column_codes, texts = coded
            valid = np.fromiter((text not in EMPTY for text in texts), bool, len(texts))
            take = (codes < 0) & valid[column_codes]
            codes[take] = column_codes[take].astype(np.int64) + len(values)
            values.extend(texts.tolist())
        codes[codes < 0] = len(values)
        values.append(None)
        result = (narrow_codes(codes, len(values)), values)
        self._first[sources] = result
        return result

    def _combos(self, columns: tuple[str, ...]) -> tuple[np.ndarray, list[dict[str, str]]]:
        """Per row, a code into the distinct combinations of the columns' texts."""
        hit = self._groups.get(columns)
        if hit is not None:
            return hit
        present = [c for c in dict.fromkeys(columns) if c in self.table.cols]
        if not present:
            result = (np.zeros(self.n, dtype=np.int8), [{}])
        else:
            coded = [self._coded(c) for c in present]
            key = np.zeros(self.n, dtype=np.int64)
            size = 1
            for codes, texts in coded:
                size *= len(texts)
                if size >= 2**62:  # too many combinations for one integer: number them
                    key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
                    size = (int(key.max()) + 1 if self.n else 1) * len(texts)
                key = key * len(texts) + codes
            firsts, inverse = np.unique(key, return_index=True, return_inverse=True)[1:]
            uniques = [
                {c: texts[codes[row]] for c, (codes, texts) in zip(present, coded, strict=True)}
                for row in firsts.tolist()
            ]
            result = (narrow_codes(np.asarray(inverse).reshape(-1), len(uniques)), uniques)
        self._groups[columns] = result
        return result

    # ------------------------------------------------------------------ evaluation
    def outcome(
        self, node: Any, fresh: AsnState | None = None, discovery: bool = False
    ) -> np.ndarray:
        """Per-row outcome of ``node`` (any state, or the fresh association ``fresh``).

        ``discovery``: exposures carry their own ``asn_candidate`` text (else a
        candidate pass rewrites it, and conditions on it are left UNKNOWN).
        """
        number = self._number(node)
        key = (number, fresh is not None, discovery and number in self._reads_candidate)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._evaluate(node, fresh, discovery)
            if len(hit) and hit.flags.writeable and hit.min() == hit.max():
                hit = self._constant(hit[0])  # one shared array for every all-alike outcome
            elif hit.flags.writeable:
                hit = self.table.share(hit)  # one array for equal outcomes of other nodes
            self._cache[key] = hit
        return hit

    def _number(self, node: Any) -> int:
        """The same number for equal nodes (as ``==`` on the frozen nodes says)."""
        number = self._numbers.get(id(node))
        if number is None:
            if isinstance(node, Group):
                children = tuple(self._number(child) for child in node.children)
                structure: Any = (
                    Group,
                    children,
                    node.reduce,
                    node.name,
                    node.reprocess_on_match,
                    node.reprocess_on_fail,
                    node.work_over,
                )
            else:
                structure = node  # a leaf: its hash is shallow
            number = self._structures.setdefault(structure, len(self._structures))
            self._numbers[id(node)] = number
            self._nodes.append(node)
            reads = self._reads_candidate
            if isinstance(node, Group):
                if any(self._number(child) in reads for child in node.children):
                    reads.add(number)
            elif isinstance(node, Attr) and "asn_candidate" in node.sources:
                reads.add(number)
        return number

    def _evaluate(self, node: Any, fresh: AsnState | None, discovery: bool) -> np.ndarray:
        if isinstance(node, Attr):
            return self._attr(node, fresh, discovery)
        if isinstance(node, Test):
            return self._test(node, fresh)
        return self._group(node, fresh, discovery)

    def _attr(self, node: Attr, fresh: AsnState | None, discovery: bool) -> np.ndarray:
        if node.onlyif is not None or node.evaluate:
            return self._constant(UNKNOWN)
        if "asn_candidate" in node.sources and not discovery:
            return self._constant(UNKNOWN)
        pattern = node.value
        if callable(pattern):
            if fresh is None:
                return self._constant(UNKNOWN)
            pattern = pattern(fresh)
        codes, uniques = self._first_valid(node.sources)
        verdict = np.array([_attr_scalar(node, v, pattern, fresh) for v in uniques], dtype=np.int8)
        return verdict.take(codes)

    def _test(self, node: Test, fresh: AsnState | None) -> np.ndarray:
        if node.reprocess_on_fail or node.reprocess_on_match:
            return self._constant(UNKNOWN)
        if node.value is None:
            return self._constant(PASS)
        if node.source is not None and _asn_only(node.source) and node.test is None:
            if fresh is None:
                return self._constant(UNKNOWN)
            ok = node.source(None, fresh) == node.value
            return self._constant(PASS if ok else FAIL)
        if node.source is None and node.test is None:
            return self._constant(UNKNOWN)
        source_cols = () if node.source is None else _item_columns(node.source)
        test_cols = () if node.test is None else _item_columns(node.test)
        if source_cols is None or test_cols is None:
            return self._constant(UNKNOWN)
        codes, uniques = self._combos(tuple(sorted({*source_cols, *test_cols})))
        verdict = []
        for row in uniques:
            try:
                value = row if node.source is None else node.source(row, None)
                ok = (
                    node.value == value if node.test is None else node.test(node.value, value, None)
                )
            except (LookupError, ValueError, TypeError):  # the engine meets the same error
                verdict.append(UNKNOWN)
                continue
            verdict.append(PASS if ok else FAIL)
        return np.asarray(verdict, dtype=np.int8).take(codes)

    def _group(self, node: Group, fresh: AsnState | None, discovery: bool) -> np.ndarray:
        # arithmetic on whole int8 arrays only: masked selections (np.where, lookups) cost
        # ten times more on large pools
        outs = [self.outcome(child, fresh, discovery) for child in node.children]
        if not outs:
            rank = np.full(self.n, _rank(FAIL), dtype=np.int8)
        elif node.reduce in (Reduce.ALL, Reduce.NOT_ALL):
            # FAIL if a child fails, else PASS if all pass, else UNKNOWN: the worst rank
            rank = _rank(outs[0])
            for out in outs[1:]:
                np.maximum(rank, _rank(out), out=rank)
        else:  # any of: the outcome of the first child that does not fail
            result = outs[-1]
            for out in reversed(outs[:-1]):
                result = out + (result - out) * (out == FAIL)
            if not _reshapes(node):
                return result
            rank = _rank(result)
        if node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
            rank = 4 - rank  # PASS <-> FAIL
        if node.reprocess_on_match:  # a pass asks for reprocessing: not decided
            np.maximum(rank, _rank(UNKNOWN), out=rank)
        if node.reprocess_on_fail:
            np.minimum(rank, _rank(UNKNOWN), out=rank)
        return _rank(rank)


def _rank(code: Any) -> Any:
    """Outcome -> rank (PASS 1, UNKNOWN 2, FAIL 3), and rank -> outcome (the same map)."""
    return code ^ (code >> 1)


def _reshapes(node: Group) -> bool:
    return bool(
        node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL)
        or node.reprocess_on_match
        or node.reprocess_on_fail
    )


def _attr_scalar(node: Attr, value: Any, pattern: Any, fresh: AsnState | None) -> np.int8:
    if not isinstance(value, str):  # no valid value (factorize gives NaN for None)
        value = None
    if value is None:
        if node.required and not node.force_undefined:
            return FAIL
        return PASS
    if node.force_undefined:
        return FAIL
    reprocess = node.force_reprocess is not None
    if pattern is None:
        if (node.force_unique and fresh is None) or reprocess:
            return UNKNOWN
        return PASS
    if not meets(value, pattern):
        return FAIL
    if (node.force_unique and fresh is None) or reprocess:
        return UNKNOWN
    return PASS


# --------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Route:
    """A choice of branch at each any-of node on the must-pass path.

    ``choice[k]`` is the branch taken at the k-th any-of node, or None when the
    exposure could take more than one. ``keys`` are the (node, column) pairs
    pinned along the route; ``closers`` the state-only tests along it (once
    they fail, no new exposure can join through this route); ``optional`` the
    other pins along it, with their columns (an exposure with a value other
    than the one pinned fails).
    """

    choice: tuple[int | None, ...]
    keys: tuple[tuple[int, str], ...]
    closers: tuple[int, ...]
    optional: tuple[tuple[int, tuple[str, ...]], ...] = ()


def _pinning(node: Any) -> bool:
    return _agreeing(node) and len(node.sources) == 1 and node.required


def _agreeing(node: Any) -> bool:
    """A constraint an exposure fails when it has a value other than the one pinned."""
    return isinstance(node, Attr) and node.pins_own_value and node.onlyif is None


def _closing(node: Any) -> bool:
    return (
        isinstance(node, Test)
        and node.source is not None
        and _asn_only(node.source)
        and node.test is None
        and node.value is not None
        and not node.reprocess_on_fail
    )


def _walk(
    cr: CompiledRule, i: int, keys: list, closers: list, anys: list | None, optional: list
) -> None:
    node = cr.nodes[i]
    if isinstance(node, Group):
        if node.reprocess_on_fail:
            return
        if node.reduce is Reduce.ALL:
            for child in cr.children[i]:
                _walk(cr, child, keys, closers, anys, optional)
        elif node.reduce is Reduce.ANY and anys is not None and cr.children[i]:
            anys.append(i)
    elif _pinning(node):
        keys.append((i, node.sources[0]))
    elif _agreeing(node):
        optional.append((i, node.sources))
    elif _closing(node):
        closers.append(i)


@functools.lru_cache(maxsize=1024)
def routes(cr: CompiledRule) -> tuple[list[int], list[Route]]:
    """The any-of nodes on the must-pass path, and every route through them."""
    keys: list = []
    closers: list = []
    anys: list[int] = []
    optional: list = []
    _walk(cr, 0, keys, closers, anys, optional)
    anys = anys[:3]
    branch_parts = []
    for a in anys:
        parts = []
        for child in cr.children[a]:
            k: list = []
            c: list = []
            o: list = []
            _walk(cr, child, k, c, None, o)
            parts.append((k, c, o))
        branch_parts.append(parts)
    out = []
    options = [[None, *range(len(cr.children[a]))] for a in anys]
    for choice in itertools.product(*options):
        k = list(keys)
        c = list(closers)
        o = list(optional)
        for position, branch in enumerate(choice):
            if branch is not None:
                k.extend(branch_parts[position][branch][0])
                c.extend(branch_parts[position][branch][1])
                o.extend(branch_parts[position][branch][2])
        seen: set[str] = set()
        unique_keys = []
        for node, column in k:
            if column not in seen:
                seen.add(column)
                unique_keys.append((node, column))
        unique_optional = [(node, sources) for node, sources in dict(o).items()]
        out.append(
            Route(
                tuple(choice),
                tuple(unique_keys),
                tuple(dict.fromkeys(c)),
                tuple(unique_optional),
            )
        )
    return anys, out
