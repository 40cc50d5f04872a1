"""What generation does to keep its memory peak low changes nothing it decides (issue 14).

* Discovery runs before the candidates' passes (it matches every row at once, so it
  runs while the record is small), and its associations are numbered as if it ran
  after them (:func:`asnkit.engine.pipeline._renumber`): each pass must decide what it
  decides alone, and the numbers must be those of candidates first.
* Pruning (:func:`asnkit.engine.prune.prune`) and "which output does a pruned one
  duplicate" (:func:`asnkit.engine.pipeline._duplicates`) compare memberships through
  their hashes: where hashes meet, the memberships themselves decide. With every hash
  equal (monkeypatched), the record must not change.
"""

from __future__ import annotations

import warnings
from functools import cache

import pandas as pd
import pytest

import asnkit
import asnkit.engine.pipeline
import asnkit.engine.prune
from asnkit.engine.record import Fate
from asnkit.generation.run import Run, run
from tests.helpers import POOLS
from tests.test_fast_path import whole_record

VERSION_ID = "20250101t000000"
NAMES = [
    "pool_002_image_miri",
    "pool_003_image_nircam",
    "pool_013_coron_nircam",
    "pool_018_all_exptypes",
    "pool_019_niriss_wfss",
    "pool_023_nirspec_msa_3nod",
    "jw00632_dups",
    "pool_duplicate",
]


@cache
def _pool(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asnkit.read_pool(POOLS / f"{name}.csv")


def _run(name: str, **options) -> Run:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(_pool(name), version_id=VERSION_ID, **options)


def _formed(formation) -> tuple:
    """What a pass decided about one association (pruning aside: it reads every pass)."""
    outputs = tuple((o.members, o.product, o.direct_image) for o in formation.outputs)
    return (
        formation.rule,
        formation.candidate,
        formation.asn_id,
        formation.asn_rule,
        formation.members,
        formation.fate,
        tuple(map(repr, formation.failed)),
        formation.observations,
        outputs,
    )


@pytest.mark.parametrize("name", NAMES)
def test_each_pass_decides_alone_and_numbers_are_candidates_first(name):
    both = _run(name)
    only_candidates = _run(name, discover=False)
    only_discovery = _run(name, all_candidates=False)
    made = len(only_candidates.formations)
    from_candidates = [f for f in both.formations if f.candidate is not None]
    discovered = [f for f in both.formations if f.candidate is None]
    assert [_formed(f) for f in from_candidates] == [_formed(f) for f in only_candidates.formations]
    assert [f.number for f in from_candidates] == [f.number for f in only_candidates.formations]
    assert [_formed(f) for f in discovered] == [_formed(f) for f in only_discovery.formations]
    # numbered after the candidates' associations, in the order discovery made them
    assert [f.number for f in discovered] == [made + f.number for f in only_discovery.formations]
    assert sorted(f.number for f in both.formations) == list(range(1, len(both.formations) + 1))


def test_the_pools_have_discovered_and_pruned_associations():
    """(So the tests above and below compare something.)"""
    runs = [_run(name) for name in NAMES]
    assert sum(any(f.candidate is None for f in r.formations) for r in runs) >= 4
    assert sum(any(f.candidate is not None for f in r.formations) for r in runs) >= 6
    pruned = [o for r in runs for f in r.formations for o in f.outputs if o.fate is Fate.DUPLICATE]
    assert len(pruned) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_a_pruned_output_duplicates_what_the_definition_says(name):
    r = _run(name)
    levels = [rule.level for rule in r.rules]

    def key(output):
        return levels[output.formation.rule], frozenset((m[1], m[2]) for m in output.members)

    for formation in r.formations:
        for output in formation.outputs:
            if output.fate is not Fate.DUPLICATE:
                assert output.duplicate_of is None
                continue
            same = [o for o in r.record.outputs if key(o) == key(output)]
            named = [o for o in r.record.outputs if o.product == output.product]
            expected = same[0] if same else named[0] if named else None
            assert output.duplicate_of is expected


def _positions(r: Run) -> list:
    where = {id(o): k for k, o in enumerate(r.record.outputs)}
    return [
        None if o.duplicate_of is None else where[id(o.duplicate_of)]
        for f in r.formations
        for o in f.outputs
    ]


@pytest.mark.parametrize("name", NAMES)
def test_memberships_whose_hashes_meet_are_told_apart(name, monkeypatch):
    expected = _run(name)
    with monkeypatch.context() as patch:  # every membership has the same hash
        patch.setattr(asnkit.engine.prune, "hash", lambda value: 7, raising=False)
        patch.setattr(asnkit.engine.pipeline, "hash", lambda value: 7, raising=False)
        colliding = _run(name)
    assert whole_record(colliding) == whole_record(expected)
    assert _positions(colliding) == _positions(expected)
