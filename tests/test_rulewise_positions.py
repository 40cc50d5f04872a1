"""A pass looks at a rule's rows through the rules each row names (``rules_of_row``).

:func:`asnkit.engine.rulewise.run_by_rule` used to find each rule's rows in a pass
with a boolean mask per rule (``possible | creatable``, plus the positions of files
seen before in the pass); it now groups the pass's rows by their precomputed rule
tuples (:func:`asnkit.engine.passes.rules_per_row`). Both must give every rule the
same positions, in order.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from asnkit.engine.passes import rules_per_row
from asnkit.engine.rulewise import _lists, _positions_by_rule, _Pushed
from asnkit.engine.state import ProcessList
from asnkit.engine.table import Item, build_table
from asnkit.rules.model import WorkOver


def by_masks(masks, rows, repeated, skip) -> dict[int, list[int]]:
    """Each rule's positions as the per-rule masks give them (rules without any left out)."""
    out = {}
    for r, mask in enumerate(masks):
        if skip[r]:
            continue
        wanted = mask[rows]
        if repeated is not None:
            wanted = wanted | repeated
        positions = np.flatnonzero(wanted).tolist()
        if positions:
            out[r] = positions
    return out


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_positions_are_those_of_the_masks(data):
    n = data.draw(st.integers(1, 40))
    n_rules = data.draw(st.integers(1, 12))
    masks = [
        np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        for _ in range(n_rules)
    ]
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=30)))
    skip = data.draw(st.lists(st.booleans(), min_size=n_rules, max_size=n_rules))
    repeated = None
    if data.draw(st.booleans()):
        repeated = np.array(
            data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))), dtype=bool
        )
    found = _positions_by_rule(rules_per_row(masks, n), rows, repeated, skip)
    assert all(at.dtype == np.int64 for at in found.values())
    found = {r: at.tolist() for r, at in found.items() if not skip[r] and len(at)}
    assert found == by_masks(masks, rows, repeated, skip)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_rules_per_row_are_the_rules_whose_mask_holds(data):
    """Integer keys (up to 64 rules) or packed bytes (more): the same tuples, one per pattern."""
    n = data.draw(st.integers(0, 30))
    n_rules = data.draw(st.sampled_from([0, 1, 5, 44, 63, 64, 65, 90]))
    masks = [
        None
        if data.draw(st.integers(0, 9)) == 0
        else np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        for _ in range(n_rules)
    ]
    found = rules_per_row(masks, n)
    assert found == [
        tuple(r for r, mask in enumerate(masks) if mask is None or mask[row]) for row in range(n)
    ]
    assert len({id(rules) for rules in found}) == len(set(found))  # equal patterns: one tuple


# --------------------------------------------------------------------------- pushed lists


def lists_by_sorting(pushes_by_run) -> list[tuple]:
    """The queue's lists as the reference orders them: every push sorted by (position,
    rule, order), merged per key in that order, then by priority (first in, first out)."""
    pushes = []
    for rule, pushes_of_run in enumerate(pushes_by_run):
        for order, (position, process_list) in enumerate(pushes_of_run):
            pushes.append((position, rule, order, process_list))
    pushes.sort(key=lambda push: push[:3])
    merged: dict[tuple, list] = {}
    for *_, process_list in pushes:
        merged.setdefault(process_list.key, []).extend(process_list.items)
    by_priority = sorted(merged.items(), key=lambda kv: kv[0][1])
    return [(key, [item.row for item in items]) for key, items in by_priority]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_pushed_lists_come_in_the_reference_order(data):
    """Pushes kept compactly (a position, a shared key and the exposure itself or a list
    of them) and merged lazily give the lists the reference queue pops, in its order."""
    names = [f"f{k}" for k in range(20)]
    table = build_table(pd.DataFrame({"filename": names, "asn_candidate": ["null"] * 20}))
    kinds = st.sampled_from([WorkOver.EXISTING, WorkOver.NONSCIENCE])
    runs, pushes_by_run = [], []
    for rule in range(data.draw(st.integers(1, 4))):
        run = SimpleNamespace(pushed=_Pushed())
        pushed = []
        positions = sorted(data.draw(st.lists(st.integers(0, 30), max_size=12)))
        for position in positions:
            rows = data.draw(st.lists(st.integers(0, 19), min_size=0, max_size=3))
            rules = data.draw(st.sampled_from([(rule,), (0,), ()]))
            only = data.draw(st.booleans())
            process_list = ProcessList(
                [Item(table, row) for row in rows], rules, data.draw(kinds), only
            )
            run.pushed.add(position, process_list)
            pushed.append((position, process_list))
        runs.append(run)
        pushes_by_run.append(pushed)
    found = _lists(runs)
    assert found is not None
    assert [(key, [item.row for item in items]) for key, items, _ in found] == lists_by_sorting(
        pushes_by_run
    )
    for key, _, only in found:
        assert only == (key[0][0] if key[0] else None)


def test_a_pushed_list_of_an_active_kind_stops_the_decomposition():
    table = build_table(pd.DataFrame({"filename": ["a", "b"], "asn_candidate": ["null"] * 2}))
    run = SimpleNamespace(pushed=_Pushed())
    run.pushed.add(0, ProcessList([Item(table, 0)], (0,), WorkOver.EXISTING))
    assert _lists([run]) is not None
    run.pushed.add(1, ProcessList([Item(table, 1)], (0,), WorkOver.BOTH))
    assert _lists([run]) is None
