"""Association state while rules are applied, and constraint evaluation.

A rule (:class:`asnkit.rules.Rule`) is immutable; :class:`CompiledRule` numbers
its constraint nodes once, and every association being built
(:class:`AsnState`) keeps only a small list of per-node values (the value a
constraint pinned, the values found, whether it matched). Checking an exposure
against an association evaluates the tree with the same semantics as the
reference generator (jwst 3.0.0): values pinned by the first exposure,
optional constraints, reprocessing requests, restore on failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from asnkit.dms.members import DEGRADED_OK
from asnkit.dms.values import evaluate
from asnkit.engine.members import add_member, init_hook, refresh
from asnkit.engine.table import Item
from asnkit.rules.model import Attr, Group, Rule, Test, WorkOver, value_matches

__all__ = ["AsnState", "CompiledRule", "MemberIndex", "ProcessList", "meets", "meets_cached"]

_ATTR, _TEST, _GROUP = 0, 1, 2
_NO_NODE = object()
_CALLABLE = object()  # in the key of a constraint line of a callable value


class ProcessList:
    """Exposures waiting to be (re)matched: over which rules and which associations."""

    __slots__ = ("items", "only_on_match", "rules", "work_over")

    def __init__(
        self,
        items: list[Item],
        rules: tuple[int, ...] | None = None,
        work_over: WorkOver = WorkOver.BOTH,
        only_on_match: bool = False,
    ) -> None:
        self.items = items
        self.rules = rules
        self.work_over = work_over
        self.only_on_match = only_on_match

    @property
    def key(self) -> tuple:
        return (self.rules, self.work_over, self.only_on_match)


#: A value matches a constraint's regular expression(s) in full, ignoring case.
meets = value_matches


def meets_cached(cache: dict, value: str, conditions: str | Sequence[str]) -> bool:
    """:func:`meets`, remembered in ``cache`` (values and patterns repeat a lot)."""
    key = (conditions, value)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = meets(value, conditions)
    return hit


class MemberIndex:
    """What generation asks about the members of an association's last product, kept as
    members are appended: how many are science, and (for more than a few members) the
    set of their (expname, exptype) pairs.

    Checking an exposure once rescanned every member (quadratic in association size).
    The index follows the members list it last saw; a different list, a shorter one,
    or a changed last member means it was edited, and the index is rebuilt.
    """

    __slots__ = ("keys", "last", "members", "science", "seen")

    #: Up to this many members, "is it a member?" is a scan (no set kept).
    SCAN = 8

    def __init__(self) -> None:
        self.members: list | None = None
        self.seen = 0
        self.last: Any = None
        self.keys: set[tuple[str, str]] | None = None
        self.science = 0

    def sync(self, members: list[dict[str, Any]]) -> MemberIndex:
        if (
            members is not self.members
            or len(members) < self.seen
            or (self.seen and members[self.seen - 1] is not self.last)
        ):
            self.members, self.seen, self.keys, self.science = members, 0, None, 0
        if len(members) > self.seen:
            keys = self.keys
            for member in members[self.seen :]:
                if keys is not None:
                    keys.add((member["expname"], member["exptype"]))
                self.science += member["exptype"].lower() == "science"
            self.seen = len(members)
            self.last = members[-1]
        return self

    def contains(self, members: list[dict[str, Any]], key: tuple[str, str]) -> bool:
        """Whether a member of ``members`` has this (expname, exptype)."""
        self.sync(members)
        if self.keys is None:
            if len(members) <= self.SCAN:
                name, kind = key
                return any(m["expname"] == name and m["exptype"] == kind for m in members)
            self.keys = {(m["expname"], m["exptype"]) for m in members}
        return key in self.keys


class CompiledRule:
    """A rule with its constraint nodes numbered (pre-order) for fast state handling."""

    def __init__(self, rule: Rule, index: int, prefix: str) -> None:
        self.rule = rule
        self.index = index
        self.prefix = prefix
        self.asn_rule = f"{prefix}_{rule.name}" if prefix else rule.name
        self.nodes: list[Any] = []
        self.kinds: list[int] = []
        self.children: list[tuple[int, ...]] = []
        self._seen: dict[int, int] = {}
        self._add(rule.constraints)
        self.initial = [self._initial(node) for node in self.nodes]
        self.by_name: dict[str, int] = {}
        self.all_by_name: dict[str, list[int]] = {}
        for i, node in enumerate(self.nodes):
            if i == 0 or node.name is None:
                continue
            self.by_name.setdefault(node.name, i)
            self.all_by_name.setdefault(node.name, []).append(i)
        self.acid_nodes = [i for i, n in enumerate(self.nodes) if isinstance(n, Attr) and n.is_acid]
        self.named_leaves = [i for i in self.iter_leaves() if self.nodes[i].name is not None]
        self.force_match: int | None = self.by_name.get("force_match")
        from asnkit.engine.checks import compile_checkers

        self.checkers = compile_checkers(self)

    def _add(self, node: Any) -> int:
        # A constraint object used twice in one tree is one constraint (one state),
        # as in the reference generator.
        seen = self._seen.get(id(node))
        if seen is not None:
            return seen
        i = len(self.nodes)
        self._seen[id(node)] = i
        self.nodes.append(node)
        if isinstance(node, Group):
            self.kinds.append(_GROUP)
            self.children.append(())
            kids = tuple(self._add(child) for child in node.children)
            self.children[i] = kids
        else:
            self.kinds.append(_ATTR if isinstance(node, Attr) else _TEST)
            self.children.append(())
        return i

    @staticmethod
    def _initial(node: Any) -> tuple | None:
        if isinstance(node, Attr):
            return (node.value, node.sources, node.force_unique, (), False)
        if isinstance(node, Test):
            return (node.value, node.force_unique, (), False)
        return None

    def iter_leaves(self) -> Iterator[int]:
        return (i for i, k in enumerate(self.kinds) if k != _GROUP)


class AsnState:
    """One association being built by a rule."""

    __slots__ = (
        "_acid",
        "_index",
        "check",
        "cr",
        "data",
        "direct_image",
        "filenames",
        "first",
        "original_exposure_type",
        "products",
        "run_init_hook",
        "seq",
        "seq_out",
        "st",
        "stale",
        "validity",
    )

    def __init__(
        self,
        cr: CompiledRule,
        seq: int,
        version_id: str | None,
        override: tuple[int, tuple] | None = None,
        check: Any = None,
        first: Any = None,
    ) -> None:
        self.cr = cr
        self.check = cr.checkers[0] if check is None else check  # the rule's whole check
        self.first = first  # the first check, if not that (engine.fresh: same outcome)
        self.st = list(cr.initial)
        if override is not None:
            self.st[override[0]] = override[1]
        self.seq_out = 0
        self.stale = False  # header/product name to recompute (members.refresh)
        self.seq = seq
        self.run_init_hook = True
        self.filenames: set[str] = set()
        self.products: list[dict[str, Any]] = []
        self.validity = [False] * len(cr.rule.validity)
        self.original_exposure_type: str | None = None
        self.direct_image: Any = None
        self._acid: tuple[str, str] | None = None
        self._index = MemberIndex()
        rule = cr.rule
        self.data: dict[str, Any] = {
            "asn_type": "None",
            "asn_rule": cr.asn_rule,
            "version_id": version_id,
            "code_version": None,
            "degraded_status": DEGRADED_OK,
            "program": "noprogram",
            "constraints": "No constraints",
            "asn_id": "a3001",
        }
        if rule.level == 3:
            self.data["target"] = "none"
        self.data["asn_pool"] = "none"

    # ------------------------------------------------------------------ views for rules
    @property
    def rule(self) -> Rule:
        return self.cr.rule

    def value(self, name: str) -> Any:
        """Value of the first constraint called ``name`` (KeyError if none, a marker if group)."""
        i = self.cr.by_name.get(name)
        if i is None:
            raise KeyError(name)
        state = self.st[i]
        return _NO_NODE if state is None else state[0]

    def found(self, name: str) -> tuple:
        """Values found by the first constraint called ``name`` (KeyError if none)."""
        i = self.cr.by_name.get(name)
        if i is None:
            raise KeyError(name)
        state = self.st[i]
        if state is None:
            raise KeyError(name)
        return state[-2]

    def first_found(self, name: str) -> tuple:
        """The first non-empty found values among the constraints called ``name``."""
        for i in self.cr.all_by_name.get(name, ()):
            state = self.st[i]
            if state is not None and state[-2]:
                return state[-2]
        return ()

    def matched(self, name: str) -> bool:
        i = self.cr.by_name.get(name)
        if i is None:
            raise KeyError(name)
        state = self.st[i]
        return bool(state and state[-1])

    @property
    def members(self) -> list[dict[str, Any]]:
        return self.products[-1]["members"] if self.products else []

    def members_by_type(self, exptype: str) -> list[dict[str, Any]]:
        return [m for m in self.members if m["exptype"].lower() == exptype]

    def has_science(self) -> bool:
        """The last product has a science member."""
        return bool(self.products) and self._index.sync(self.products[-1]["members"]).science > 0

    def has_member(self, expname: str, exptype: str) -> bool:
        """The last product has a member of this name and type."""
        return bool(self.products) and self._index.contains(
            self.products[-1]["members"], (expname, exptype)
        )

    @property
    def acid(self) -> tuple[str, str]:
        if self._acid is not None:
            return self._acid
        for i in self.cr.acid_nodes:
            found = self.st[i][3]
            text = "-".join(found).replace("\\", "")
            parsed = evaluate(text)
            if isinstance(parsed, tuple) and len(parsed) == 2:
                acid = (str(parsed[0]), str(parsed[1]))
            else:
                parts = text.split("-", 1)
                if len(parts) != 2:
                    continue
                acid = (parts[0], parts[1])
            if len(found) == 1:  # a candidate pass only ever finds its own candidate
                self._acid = acid
            return acid
        if not self.cr.acid_nodes:
            self._acid = ("a3001", "DISCOVERED")
        return ("a3001", "DISCOVERED")

    # ------------------------------------------------------------------ matching
    def add(self, item: Item) -> tuple[bool, list[ProcessList]]:
        """Try to add an exposure; return (matched, reprocess requests)."""
        if item.filename in self.filenames:
            return True, []
        saved = self.st[:]
        check = self.first
        if check is None:
            check = self.check
        else:
            self.first = None
        match, reprocess = check(self, item)
        if reprocess:
            for process_list in reprocess:
                if process_list.rules is None:
                    process_list.rules = (self.cr.index,)
        else:
            reprocess = []
        if match:
            if self.run_init_hook:
                init_hook(self, item)
                self.run_init_hook = False
            if not add_member(self, item) and self.stale:
                # nothing added, so the reference leaves the header as it was before
                current, self.st = self.st, saved
                refresh(self)
                self.st = current
        else:
            self.st = saved
        i = self.cr.force_match
        if i is not None and self.st[i] is not None and self.st[i][0] is not None:
            match = bool(self.st[i][0])
        return match, reprocess

    # ------------------------------------------------------------------ text
    def constraints_text(self) -> str:
        """Deterministic text of the named constraints and their current values."""
        return "\n".join(self.constraint_lines())

    def constraint_lines(self, cache: dict | None = None) -> tuple[str, ...]:
        """The lines of :meth:`constraints_text`; ``cache`` remembers lines already written
        (associations of one rule share most of their pinned values): per compiled rule,
        its named leaves, each with the lines of the values it was seen with."""
        st = self.st
        if cache is None:
            nodes = self.cr.nodes
            return tuple(_line(nodes[i], st[i]) for i in self.cr.named_leaves)
        leaves = cache.get(self.cr)
        if leaves is None:
            leaves = cache[self.cr] = _leaves(self.cr, cache)
        lines = []
        for i, node, attr, memo in leaves:
            state = st[i]
            value = state[0]
            if value is None or type(value) is str:  # most values
                key = (value, state[1]) if attr else value
            elif _exact_key(value):  # -0.0 == 0.0, but not as text: the type is in the key
                key = (type(value), value, state[1] if attr else None)
            elif callable(value):  # written as its name
                name = getattr(value, "__name__", "computed")
                key = (_CALLABLE, name, state[1] if attr else None)
            else:
                lines.append(_line(node, state))
                continue
            line = memo.get(key)
            if line is None:
                line = memo[key] = _line(node, state)
            lines.append(line)
        return tuple(lines)


def _leaves(cr: CompiledRule, cache: dict) -> list[tuple[int, Any, bool, dict]]:
    """A compiled rule's named leaves: (index, node, is an Attr, lines by value), the lines
    shared by the rules compiled from one rule (per node)."""
    out = []
    for i in cr.named_leaves:
        node = cr.nodes[i]
        out.append((i, node, isinstance(node, Attr), cache.setdefault(id(node), {})))
    return out


def _exact_key(value: Any) -> bool:
    """Values equal as keys exactly when their text is equal (with the type in the key)."""
    kind = type(value)
    if kind in (str, bool, int) or value is None:
        return True
    return kind is tuple and all(type(v) is str for v in value)


def _line(node: Any, state: tuple) -> str:
    value = state[0]
    if callable(value):
        value = f"<{getattr(value, '__name__', 'computed')}>"
    elif not isinstance(value, (str, bool, int, float, type(None), tuple, list)):
        value = f"<{type(value).__name__}>"
    if isinstance(node, Attr):
        return f"Attr({{'name': {node.name!r}, 'sources': {list(state[1])!r}, 'value': {value!r}}})"
    return f"Test({{'name': {node.name!r}, 'value': {value!r}}})"
