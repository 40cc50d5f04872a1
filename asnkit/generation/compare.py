"""Compare the associations two rule sets make on a pool: a query over two runs.

:func:`compare_runs` pairs the associations of two :class:`~asnkit.generation.run.Run`
objects; :func:`compare_rules` makes the two runs of a pool first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from asnkit.documents.diff import diff
from asnkit.generation.run import Run, run
from asnkit.rules.model import Rule

__all__ = ["COMPARE_COLUMNS", "compare_rules", "compare_runs"]

#: Columns of :func:`compare_rules`.
COMPARE_COLUMNS = (
    "change",
    "asn_type",
    "asn_file_a",
    "asn_file_b",
    "asn_rule_a",
    "asn_rule_b",
    "product_a",
    "product_b",
    "members_a",
    "members_b",
    "gained",
    "lost",
    "role_changes",
    "differences",
)


def _members(asn: Any) -> dict[str, str]:
    return {m.expname: m.exptype for m in asn.members()}


def _pair(set_a: Sequence[Any], set_b: Sequence[Any]) -> list[tuple[Any, Any]]:
    """Pair associations: same type and members, then same product, then most shared members."""
    free_b = list(set_b)
    pairs: list[tuple[Any, Any]] = []
    rest_a = []

    def take(match: Callable[[Any, Any], bool]) -> None:
        nonlocal rest_a
        left = []
        for a in rest_a:
            found = next((b for b in free_b if match(a, b)), None)
            if found is None:
                left.append(a)
            else:
                free_b.remove(found)
                pairs.append((a, found))
        rest_a = left

    rest_a = list(set_a)
    take(lambda a, b: a.asn_type == b.asn_type and _members(a) == _members(b))
    take(lambda a, b: a.asn_type == b.asn_type and a.product_names == b.product_names)
    left = []
    for a in rest_a:
        names = set(_members(a))
        scored = [
            (len(names & set(_members(b))), -i, b)
            for i, b in enumerate(free_b)
            if b.asn_type == a.asn_type
        ]
        scored = [s for s in scored if s[0] > 0]
        if scored:
            best = max(scored, key=lambda s: (s[0], s[1]))[2]
            free_b.remove(best)
            pairs.append((a, best))
        else:
            left.append(a)
    pairs.extend((a, None) for a in left)
    pairs.extend((None, b) for b in free_b)
    return pairs


def compare_rules(
    pool: pd.DataFrame,
    rules_a: Iterable[Rule],
    rules_b: Iterable[Rule],
    *,
    include_same: bool = False,
    candidates: Sequence[str] | None = None,
    discover: bool = True,
    all_candidates: bool = True,
) -> pd.DataFrame:
    """What changes in a pool's associations when rule set ``a`` is replaced by ``b``.

    Associations are paired by type and identical members, then by product
    name, then by the most members in common.

    Parameters
    ----------
    pool : pandas.DataFrame
        A pool (:func:`asnkit.read_pool`).
    rules_a, rules_b : iterable of Rule
        The two rule sets (plain lists).
    include_same : bool
        Also list the associations that did not change.
    candidates, discover, all_candidates
        As :func:`asnkit.apply_rules`, for both rule sets.

    Returns
    -------
    pandas.DataFrame
        One row per association (columns :data:`COMPARE_COLUMNS`): ``change`` is
        ``added`` (only with ``b``), ``removed`` (only with ``a``), ``changed``
        (members gained, lost, or with another role), ``renamed`` (same members,
        other product or file) or ``same``; ``gained``/``lost`` list member names;
        ``differences`` counts what :func:`asnkit.diff` finds between the two
        associations (headers such as ``asn_rule`` included): use it on them
        for every detail.

    Examples
    --------
    >>> import asnkit
    >>> from asnkit.rules.custom import derive, dms_rule
    >>> pool = asnkit.read_pool(asnkit.data.pool_path("pool_001_candidates"))
    >>> image = dms_rule("Asn_Lv3Image")
    >>> wide = derive(image, "WideImage", ignore=["obs_num", "target"])
    >>> table = compare_rules(pool, [image], [wide], include_same=True)
    >>> table["change"].value_counts().to_dict()
    {'removed': 20, 'same': 2}
    """
    options: dict[str, Any] = {
        "candidates": candidates,
        "discover": discover,
        "all_candidates": all_candidates,
    }
    from asnkit.rules import as_rules

    return compare_runs(
        run(pool, as_rules(rules_a, argument="rules_a"), **options),
        run(pool, as_rules(rules_b, argument="rules_b"), **options),
        include_same=include_same,
    )


def compare_runs(run_a: Run, run_b: Run, *, include_same: bool = False) -> pd.DataFrame:
    """What changes between the associations of two runs (see :func:`compare_rules`)."""
    set_a = run_a.associations()
    set_b = run_b.associations()
    rows = []
    for a, b in _pair(set_a, set_b):
        ma = _members(a) if a is not None else {}
        mb = _members(b) if b is not None else {}
        gained = tuple(sorted(set(mb) - set(ma)))
        lost = tuple(sorted(set(ma) - set(mb)))
        roles = sum(1 for n in set(ma) & set(mb) if ma[n] != mb[n])
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        elif gained or lost or roles:
            change = "changed"
        elif a.product_names != b.product_names or a.filename != b.filename:
            change = "renamed"
        else:
            change = "same"
        if change == "same" and not include_same:
            continue
        rows.append(
            (
                change,
                (a or b).asn_type,
                a.filename if a is not None else None,
                b.filename if b is not None else None,
                a.asn_rule if a is not None else None,
                b.asn_rule if b is not None else None,
                a.product_names[0] if a is not None and a.product_names else None,
                b.product_names[0] if b is not None and b.product_names else None,
                len(ma),
                len(mb),
                gained,
                lost,
                roles,
                len(diff(a, b)) if a is not None and b is not None else None,
            )
        )
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    frame["differences"] = frame["differences"].astype("Int64")
    return frame
