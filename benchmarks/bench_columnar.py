"""The columnar grouping prototype (asnkit/engine/columnar.py) against the sequential engine.

``python benchmarks/run.py columnar``. For each pool, every (candidate, Level 3 rule)
pair where :func:`~asnkit.engine.columnar.grouping` says the rule reduces to a
group-by: CPU seconds of the sequential engine for that rule and candidate (one
pass, pre-checks and index on, as ``generate`` runs it) against the grouping,
and how many rows that covers. The groups are checked to be the same as the
sequential engine's (tests/test_columnar.py does it on every shared pool).
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

__all__ = ["main"]

HERE = Path(__file__).resolve().parent


def _measure(name: str, pool) -> None:
    from asnkit.engine.columnar import ColumnarPool
    from asnkit.engine.passes import (
        CANDIDATE_PREFIX,
        DISCOVER_PREFIX,
        Pass,
        _plans,
        candidate_rule,
        rules_per_row,
        run_pass,
    )
    from asnkit.engine.prefilter import StaticEval
    from asnkit.engine.state import CompiledRule
    from asnkit.engine.table import Item, build_table, candidates_by_type, rows_by_candidate
    from asnkit.rules import dms_level3

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = build_table(pool)
    static = StaticEval(table)
    columnar = ColumnarPool(table, static)
    rows_of = rows_by_candidate(table.cols["asn_candidate"])
    rules = [
        (CompiledRule(candidate_rule(r), 0, CANDIDATE_PREFIX), CompiledRule(r, 0, DISCOVER_PREFIX))
        for r in dms_level3()
    ]
    t_col = t_seq = 0.0
    pairs = grouped_pairs = rows_grouped = 0
    for cid, ctype in candidates_by_type(table):
        rows = rows_of(cid)
        cand = f"[('{cid}', '{ctype}')]"
        for cr, base in rules:
            pairs += 1
            start = time.process_time()
            found = columnar.grouping(cr, rows, cand)
            t_col += time.process_time() - start
            if found is None or not len(found.order):
                continue
            grouped_pairs += 1
            rows_grouped += len(found.order)
            start = time.process_time()
            (plan,) = _plans([cr], [base], static)
            possible = rules_per_row([plan.possible], table.n)
            creatable = rules_per_row([plan.creatable], table.n)
            generation = Pass([cr], [plan], None, [0], [False], possible, creatable)
            generation.override = f".+({cid}).+"
            asns = run_pass(generation, [Item(table, row, cand) for row in rows])
            t_seq += time.process_time() - start
            sequential = [[m["item"].row for m in a.products[-1]["members"]] for a in asns]
            assert sequential == [g.tolist() for g in found.groups()], (cid, cr.rule.name)
    ratio = t_seq / t_col if t_col else float("nan")
    print(
        f"  {name:22s} {table.n:>7d} rows: {grouped_pairs:>5d}/{pairs:<6d} pairs grouped,"
        f" {rows_grouped:>7d} rows; sequential {t_seq:7.2f} s, grouping (all pairs tried)"
        f" {t_col:6.2f} s CPU = {ratio:5.1f}x"
    )


def main() -> int:
    sys.path.insert(0, str(HERE))
    from synthetic import nircam_observation, synthetic_pool

    import asnkit

    print("Level 3 rules, per candidate: sequential engine vs columnar grouping (same groups)")
    for n in (1000, 4000, 16000):
        _measure(f"nircam observation {n}", nircam_observation(n))
    with tempfile.TemporaryDirectory():
        for n in (1000, 10000):
            _measure(f"synthetic {n}", synthetic_pool(n, seed=1))
    mega = HERE.parent / "tests" / "data" / "pools" / "mega_pool.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _measure("mega_pool", asnkit.read_pool(mega))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
