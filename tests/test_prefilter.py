"""The vectorised pre-checks give, node by node, the outcomes of a plain evaluation.

:class:`asnkit.engine.prefilter.StaticEval` reads the columns' codes (validity
decided once per distinct text), numbers value combinations with integer keys
and combines groups through lookup tables. Here :class:`PlainEval` computes the
same outcomes the straightforward way (object arrays, ``pandas`` group-bys,
``numpy.where`` per reduction, as the pre-checks first did): every node of every
DMS rule, in both modes (any state, fresh association), with and without the
pool's own candidate texts, must give the same array.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import asnkit
from asnkit.dms.values import EMPTY
from asnkit.engine.passes import CANDIDATE_PREFIX, DISCOVER_PREFIX, compiled_rule
from asnkit.engine.prefilter import FAIL, PASS, UNKNOWN, StaticEval
from asnkit.engine.state import AsnState
from asnkit.engine.table import build_table
from asnkit.rules.model import Reduce
from tests.helpers import POOLS


class PlainEval(StaticEval):
    """The pre-checks written plainly (the reference for :class:`StaticEval`)."""

    def _first_valid(self, sources: tuple[str, ...]) -> tuple[np.ndarray, list[Any]]:
        values = np.full(self.n, None, dtype=object)
        missing = np.ones(self.n, dtype=bool)
        for column in sources:
            arr = self.table.array(column)
            if arr is None:
                continue
            valid = ~pd.Series(arr).isin(EMPTY).to_numpy()
            take = missing & valid
            values[take] = arr[take]
            missing &= ~take
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return codes, list(uniques)

    def _combos(self, columns: tuple[str, ...]) -> tuple[np.ndarray, list[dict[str, str]]]:
        present = [c for c in dict.fromkeys(columns) if c in self.table.cols]
        if not present:
            return np.zeros(self.n, dtype=np.int8), [{}]
        frame = pd.DataFrame({c: self.table.array(c) for c in present})
        codes = frame.groupby(present, sort=False).ngroup().to_numpy()
        return codes, frame.drop_duplicates().to_dict("records")

    def _group(self, node: Any, fresh: AsnState | None, discovery: bool) -> np.ndarray:
        outs = [self.outcome(child, fresh, discovery) for child in node.children]
        if not outs:
            result = np.full(self.n, FAIL)
        elif node.reduce in (Reduce.ALL, Reduce.NOT_ALL):
            stacked = np.vstack(outs)
            result = np.where(
                (stacked == FAIL).any(axis=0),
                FAIL,
                np.where((stacked == PASS).all(axis=0), PASS, UNKNOWN),
            )
        else:
            result = np.full(self.n, FAIL)
            decided = np.zeros(self.n, dtype=bool)
            for out in outs:
                take = ~decided & (out != FAIL)
                result[take] = out[take]
                decided |= take
        if node.reduce in (Reduce.NOT_ANY, Reduce.NOT_ALL):
            result = np.where(result == PASS, FAIL, np.where(result == FAIL, PASS, UNKNOWN))
        if node.reprocess_on_match:
            result = np.where(result == PASS, UNKNOWN, result)
        if node.reprocess_on_fail:
            result = np.where(result == FAIL, UNKNOWN, result)
        return result.astype(np.int8)


_RULES = asnkit.rules.dms_rules()


def outcomes(kind: type[StaticEval], pool: pd.DataFrame) -> list[np.ndarray]:
    """Every node's outcome, for every rule as both passes compile it, in every mode."""
    static = kind(build_table(pool))
    out = []
    for k, rule in enumerate(_RULES):
        for prefix in (CANDIDATE_PREFIX, DISCOVER_PREFIX):
            cr = compiled_rule(rule, k, prefix)
            for node in cr.nodes:
                for fresh in (None, AsnState(cr, 0, None)):
                    for discovery in (False, True):
                        out.append(np.array(static.outcome(node, fresh, discovery)))
    return out


def assert_same_outcomes(pool: pd.DataFrame) -> int:
    fast, plain = outcomes(StaticEval, pool), outcomes(PlainEval, pool)
    assert len(fast) == len(plain)
    for k, (a, b) in enumerate(zip(fast, plain, strict=True)):
        assert a.dtype == np.int8, k
        assert np.array_equal(a, b), k
    return sum(int(np.any(a == UNKNOWN)) + int(np.any(a == PASS)) for a in plain)


def _read(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asnkit.read_pool(POOLS / f"{name}.csv")


@pytest.mark.parametrize(
    "name",
    [
        "pool_018_all_exptypes",
        "pool_024_nirspec_fss_nods",
        "pool_019_niriss_wfss",
        "jw87800_20180412T163456_pool",
        "pool_021_tso",
    ],
)
def test_outcomes_are_the_plain_ones_on_test_pools(name):
    assert assert_same_outcomes(_read(name)) > 100  # not all FAIL: the comparison means something


_MIXED = pd.concat(
    [_read(n) for n in ("pool_018_all_exptypes", "pool_010_spec_nirspec_lv2bkg", "mega_pool")],
    ignore_index=True,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_outcomes_are_the_plain_ones_on_random_pools(data):
    """Random rows, missing and empty-meaning values (``null``, ``n/a``, ``f``...) put in."""
    rows = data.draw(st.lists(st.integers(0, len(_MIXED) - 1), min_size=1, max_size=60))
    pool = _MIXED.iloc[rows].reset_index(drop=True)
    columns = ["filter", "pupil", "grating", "exp_type", "detector", "is_imprt", "subpxpts"]
    values = [np.nan, "NULL", "n/a", "F", "clear", "T", "2", "nrc_image", "nrcalong", "full"]
    for column in [*columns, "targetid", "subarray", "bkgdtarg", "is_psf", "pntgtype"]:
        pool[column] = pool[column].astype(object) if column in pool else None
        for row in data.draw(st.lists(st.integers(0, len(pool) - 1), max_size=6)):
            pool.loc[row, column] = data.draw(st.sampled_from(values))
    assert_same_outcomes(pool)
