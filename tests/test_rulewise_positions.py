"""A pass looks at a rule's rows through the rules each row names (``rules_of_row``).

:func:`asnkit.engine.rulewise.run_by_rule` used to find each rule's rows in a pass
with a boolean mask per rule (``possible | creatable``, plus the positions of files
seen before in the pass); it now groups the pass's rows by their precomputed rule
tuples (:func:`asnkit.engine.passes.rules_per_row`). Both must give every rule the
same positions, in order.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from asnkit.engine.passes import rules_per_row
from asnkit.engine.rulewise import _positions_by_rule


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
