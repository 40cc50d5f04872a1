"""Explanations and custom rules: explain, orphans, compare_rules, apply_rules with a custom rule.

``python benchmarks/run.py explain``. Times one ``explain`` (a whole generation
followed through finalize, plus a trace per rule), ``orphans`` (a trace per
rule for every orphan), ``compare_rules`` and a custom rule on mega_pool and on
a 5,000-row synthetic pool (``benchmarks/synthetic.py``).
"""

from __future__ import annotations

import logging
import warnings

from timing import timed  # benchmarks/ is on sys.path (see run.py)

__all__ = ["SYNTHETIC_ROWS", "main"]

#: Rows of the synthetic pool.
SYNTHETIC_ROWS = 5_000


def _report(what: str, rows: int, best: float, median: float) -> None:
    print(
        f"  {what:<44} {rows:>7} rows  best {best * 1000:8.1f} ms  median {median * 1000:8.1f} ms"
    )


def _bench(name: str, pool, custom: list, changed: list) -> None:
    import asnkit
    from asnkit.rules import dms_level3

    first = str(pool["filename"].iloc[len(pool) // 2])
    n = len(pool)
    _report(f"{name}: explain (all DMS rules)", n, *timed(lambda: pool.asn.explain(first), 3))
    _report(f"{name}: orphans (all DMS rules)", n, *timed(lambda: pool.asn.orphans(), 1))
    _report(f"{name}: apply_rules [custom mosaic]", n, *timed(
        lambda: pool.asn.apply_rules(custom), 3
    ))  # fmt: skip
    _report(f"{name}: compare_rules L3 vs L3+WideImage", n, *timed(
        lambda: asnkit.compare_rules(pool, dms_level3(), changed), 1
    ))  # fmt: skip


def main() -> int:
    import asnkit
    from asnkit.errors import AssociationWarning, PoolWarning
    from asnkit.rules import dms_level3
    from asnkit.rules.custom import derive, dms_rule, rule

    logging.getLogger("asnkit").setLevel(logging.ERROR)  # prune's duplicate-product notes
    warnings.simplefilter("ignore", PoolWarning)
    warnings.simplefilter("ignore", AssociationWarning)
    try:
        from synthetic import synthetic_pool  # benchmarks/ on sys.path when run directly
    except ImportError:  # pragma: no cover - run through benchmarks/run.py
        from benchmarks.synthetic import synthetic_pool

    mosaic = rule("Mosaic", select={"exp_type": "nrc_image|mir_image"}, agree=["filter", "pupil"])
    wide = derive(dms_rule("Asn_Lv3Image"), "WideImage", ignore=["obs_num", "target"])
    pools = {
        "mega_pool": asnkit.read_pool(asnkit.data.pool_path("mega_pool")),
        f"synthetic {SYNTHETIC_ROWS}": synthetic_pool(SYNTHETIC_ROWS, seed=1),
    }
    for name, pool in pools.items():
        _bench(name, pool, [mosaic], [*dms_level3(), wide])
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
