"""What a rule makes of a given set of exposures: their roles and the product name.

:func:`as_rule_forms` adds the exposures one by one to a fresh association of
the rule (of the candidate ``asn_id``, or discovered for ``a3001``), with the
engine's own checks, and asks the rule for the member roles and the product
name: the values the name is made of (target, instrument, optical elements,
slit, subarray...) are the ones the rule collected, exactly as in
:func:`asnkit.generate`. Used by :func:`asnkit.to_association` when it is given
a rule.

Examples
--------
>>> import asnkit
>>> from asnkit.rules.custom import dms_rule
>>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_018_all_exptypes"))
>>> mrs = pool[pool["exp_type"] == "mir_mrs"]
>>> formed = as_rule_forms(dms_rule("Asn_Lv3MIRMRS"), mrs, "c1005")
>>> formed.product_name, formed.roles
('jw99009-c1005_t001_nirspec', {0: 'science', 2: 'background'})
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from asnkit.engine.members import refresh
from asnkit.engine.passes import (
    CANDIDATE_PREFIX,
    DISCOVER_PREFIX,
    candidate_items,
    candidate_override,
    candidate_rule,
)
from asnkit.engine.state import AsnState, CompiledRule
from asnkit.engine.table import Item, build_table
from asnkit.rules.model import Rule

__all__ = ["RuleForms", "as_rule_forms"]


@dataclass(frozen=True)
class RuleForms:
    """The product name a rule gives some rows, and the role it gives each row it takes.

    ``roles`` maps positions in the rows to roles (rows the rule rejects are left out).
    """

    product_name: str
    roles: dict[int, str]


def as_rule_forms(rule: Rule, rows: pd.DataFrame, asn_id: str) -> RuleForms | None:
    """What ``rule`` makes of ``rows`` as one association with id ``asn_id``.

    Rows the rule's conditions reject do not contribute (as in generation);
    rows a condition rejects only until others are in (target acquisitions
    follow their science) are tried again. None when the rule takes no row.
    """
    table = build_table(rows)
    if asn_id.lower() == "a3001":
        cr = CompiledRule(rule, 0, DISCOVER_PREFIX)
        state = AsnState(cr, 0, None)
        items = [Item(table, row) for row in range(table.n)]
    else:
        cr = CompiledRule(candidate_rule(rule), 0, CANDIDATE_PREFIX)
        state = AsnState(cr, 0, None, candidate_override(cr, asn_id))
        ctype = "observation" if asn_id.lower().startswith("o") else "group"
        items = candidate_items(table, range(table.n), asn_id, ctype)
    waiting = items
    while waiting:
        rejected = [item for item in waiting if not state.add(item)[0]]
        if len(rejected) == len(waiting):
            break
        waiting = rejected
    if not state.products:
        return None
    state.stale = True
    refresh(state)
    roles: dict[int, str] = {}
    for product in state.products:
        for member in product["members"]:
            item = member.get("item")
            if item is not None:
                roles.setdefault(item.row, member["exptype"])
    return RuleForms(str(state.products[-1]["name"]), roles)
