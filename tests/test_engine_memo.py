"""Remembered checks (asnkit.engine.memo) end as the rule's check ends, every time.

Each check of the fast path goes through the memo and, on a copy of the states,
through the rule's own check: same outcome, same states after, same
reprocessing requests -- on every test pool, random pools and a large
observation (where nearly every check of an existing association is remembered).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import asnkit.engine.columns
import asnkit.engine.memo
import asnkit.engine.passes
import asnkit.engine.rulewise
from asnkit.engine.memo import MemoPlan
from asnkit.engine.passes import CANDIDATE_PREFIX, compiled_rule
from asnkit.generation.run import run
from asnkit.rules import dms_level3, dms_rules
from asnkit.rules.model import all_of, any_of, test
from tests.helpers import POOLS
from tests.test_fast_path import PATHS, VERSION_ID, _read, random_pools


def _requests(reprocess) -> list[tuple]:
    return [(pl.rules, pl.work_over, pl.only_on_match, pl.items) for pl in reprocess]


class Compared:
    """Every remembered check compared with the rule's own check on the same states."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.remembered = 0  # checks answered without calling the rule's check
        remembered = asnkit.engine.memo.remembered

        def compared(check, touched, lists):
            calls = [0]

            def counted(asn, item):
                calls[0] += 1
                return check(asn, item)

            memo_check = remembered(counted, touched, lists)

            def both(asn, item):
                saved = asn.st[:]
                before = calls[0]
                match, reprocess = memo_check(asn, item)
                self.calls += 1
                self.remembered += calls[0] == before
                after = asn.st[:]
                asn.st[:] = saved
                expected, requests = check(asn, item)
                assert match == expected
                assert after == asn.st
                assert _requests(reprocess) == _requests(requests)
                return match, reprocess

            return both

        patch.setattr(asnkit.engine.memo, "remembered", compared)

    def run(self, pool) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                run(pool, version_id=VERSION_ID)
            except asnkit.PoolError:
                pass  # a value generation refuses: the reader's tests


def test_remembered_checks_are_the_checks_on_every_test_pool(monkeypatch):
    monkeypatch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", 0)
    compared = Compared(monkeypatch)
    for path in PATHS:
        pool = _read(path)
        if pool is not None:
            compared.run(pool)
    assert compared.remembered > 1000 and compared.calls > 5000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=random_pools())
def test_remembered_checks_are_the_checks_on_random_pools(pool):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", 0)
        patch.setattr(asnkit.engine.passes, "PRECHECK_MIN_ROWS", 0)
        patch.setattr(asnkit.engine.rulewise, "GROUP_MIN_ROWS", 1)
        Compared(patch).run(pool)


def test_a_large_observation_is_matched_from_memory(monkeypatch):
    """400 NIRCam images of one observation in 4 filters: every image after the first of
    its filter meets an association it is alike to the last exposure it took."""
    base = _read(POOLS / "pool_003_image_nircam.csv").iloc[[0]]
    pool = base.loc[base.index.repeat(400)].reset_index(drop=True)
    pool["filter"] = np.repeat(["f090w", "f150w", "f200w", "f210m"], 100)
    pool["filename"] = [f"jw99009001001_02101_{i:05d}_nrca1_uncal.fits" for i in range(400)]
    monkeypatch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", 0)
    compared = Compared(monkeypatch)
    compared.run(pool)
    assert compared.remembered >= 2 * 4 * 98  # Asn_Lv3Image, candidate and discovered


def _plan(name: str) -> MemoPlan:
    rule = next(r for r in dms_rules() if r.name == name)
    return MemoPlan(compiled_rule(rule, 0, CANDIDATE_PREFIX))


def test_conditions_reading_the_association_are_watched():
    image = _plan("Asn_Lv3Image")
    assert image.useful
    assert not image.watched  # its conditions read columns or its own states
    assert {"filter", "pupil", "targetid", "exp_type", "pntgtype", "obs_num"} <= set(image.columns)
    assert _plan("Asn_Lv2Image").watched  # "one science exposure": reads the members
    for rule in dms_level3():
        plan = MemoPlan(compiled_rule(rule, 0, CANDIDATE_PREFIX))
        assert "asn_candidate" in plan.columns


def _fewer_than_two(item, asn) -> bool:
    """A condition reading the association's members (no columns declared)."""
    return len(asn.members) < 2


def test_a_condition_reading_the_members_is_never_remembered(monkeypatch):
    """Images alike in every column the rule reads, two at most per association: the
    third check differs from the second only by the members (watched, so checked; the
    condition sits in an any-of, where the memo cannot tell it is always reached)."""
    image = next(r for r in dms_level3() if r.name == "Asn_Lv3Image")
    pairs = dataclasses.replace(
        image,
        name="Asn_Lv3ImagePairs",
        constraints=all_of(*image.constraints.children, any_of(test(True, source=_fewer_than_two))),
    )
    plan = MemoPlan(compiled_rule(pairs, 0, CANDIDATE_PREFIX))
    assert plan.useful and len(plan.watched) == 1
    base = _read(POOLS / "pool_003_image_nircam.csv").iloc[[0]]
    pool = base.loc[base.index.repeat(12)].reset_index(drop=True)
    pool["filename"] = [f"jw99009001001_02101_{i:05d}_nrca1_uncal.fits" for i in range(12)]
    monkeypatch.setattr(asnkit.engine.passes, "FAST_PATH_MIN_ROWS", 0)
    monkeypatch.setattr(asnkit.engine.passes, "PRECHECK_MIN_ROWS", 0)
    compared = Compared(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        made = run(pool, [pairs], version_id=VERSION_ID).associations()
    assert compared.calls and not compared.remembered
    assert [len(a.to_dict()["products"][0]["members"]) for a in made] == [2] * 6
