"""What generation does to keep its memory peak low changes nothing it decides (issue 14).

* Discovery runs before the candidates' passes (it matches every row at once, so it
  runs while the record is small), and the candidates' passes run largest first
  (:func:`asnkit.engine.pipeline._candidate_passes`); formations are recorded and
  numbered as if the candidates ran in order, then discovery: each pass must decide
  what it decides alone, and in whatever order they run the record must not change.
* A lazy association builds its document with the output's source itself (a
  :class:`~asnkit.engine.record.DocumentSource` is callable).
* Pruning (:func:`asnkit.engine.prune.prune`) and "which output does a pruned one
  duplicate" (:func:`asnkit.engine.prune.link_duplicates`) compare memberships through
  their hashes: where hashes meet, the memberships themselves decide. With every hash
  equal (monkeypatched), the record must not change.
"""

from __future__ import annotations

import json
import re
import warnings
from functools import cache

import pandas as pd
import pytest

import asnkit
import asnkit.engine.passes
import asnkit.engine.prune
from asnkit.engine.record import DocumentSource, Fate, parted_lines
from asnkit.errors import PoolError
from asnkit.generation.run import Run, generated, run
from asnkit.rules.custom import rule
from tests.helpers import DATA, POOLS
from tests.test_fast_path import whole_record

VERSION_ID = "20250101t000000"
PATHS = sorted(POOLS.glob("*.csv")) + sorted((DATA / "unseen" / "pools").glob("*.csv"))
# (mega_pool has its own parity test; read_pool refuses the pool whose candidate is not a list)
PATHS = [p for p in PATHS if p.stem != "mega_pool" and not p.stem.endswith("not_a_list")]
NAMES = [
    "pool_002_image_miri",
    "pool_003_image_nircam",
    "pool_013_coron_nircam",
    "pool_018_all_exptypes",
    "pool_019_niriss_wfss",
    "pool_023_nirspec_msa_3nod",
    "jw00632_dups",
    "pool_duplicate",
    "pool_001_candidates",
    "pool_021_tso",
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
    assert sum(len(r.candidates) >= 3 for r in runs) >= 4
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
        colliding = _run(name)
    assert whole_record(colliding) == whole_record(expected)
    assert _positions(colliding) == _positions(expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("order", ["in order", "reversed", "shuffled"])
def test_the_candidates_passes_give_one_record_in_any_order(name, order, monkeypatch):
    expected = _run(name)
    ids = [cid for cid, _ in expected.candidates]
    sizes = {
        "in order": dict.fromkeys(ids, 0),  # all tied: the candidates' order
        "reversed": {cid: k for k, cid in enumerate(ids)},  # the last one first
        "shuffled": {cid: (k * 7919) % 13 for k, cid in enumerate(ids)},
    }[order]
    with monkeypatch.context() as patch:
        patch.setattr(asnkit.engine.passes.Matcher, "size", lambda self, cid: sizes[cid])
        reordered = _run(name)
    assert whole_record(reordered) == whole_record(expected)
    assert _positions(reordered) == _positions(expected)


def test_the_largest_candidate_runs_first(monkeypatch):
    seen = []
    original = asnkit.engine.passes.Matcher.candidate

    def candidate(self, cid, ctype):
        seen.append((self.size(cid), cid))
        return original(self, cid, ctype)

    monkeypatch.setattr(asnkit.engine.passes.Matcher, "candidate", candidate)
    r = _run("pool_018_all_exptypes")
    assert len(seen) == len(r.candidates) >= 3
    assert [size for size, _ in seen] == sorted((size for size, _ in seen), reverse=True)
    assert len({size for size, _ in seen}) >= 2


def test_a_lazy_association_builds_with_the_source_itself():
    r = _run("pool_002_image_miri")
    for association, output in zip(r.associations(), r.record.outputs, strict=True):
        assert association._build is output.source  # (not read yet: no document made)
        assert output.source() == output.document()
        assert json.loads(association.to_json()) == output.document()


@pytest.mark.parametrize("lines", [(), ("a",), ("a", "b"), ("a", "b", "c"), tuple("abcdefg")])
def test_parted_lines_read_as_the_lines(lines):
    shared: dict = {}
    parted = parted_lines(lines, lambda t: shared.setdefault(t, t))
    source = DocumentSource({}, (), parted, (("p", ()),), None, False, (None, None))
    assert source.lines == lines
    assert source.build()["constraints"] == "\n".join(lines)


def test_the_middle_lines_are_shared_between_associations():
    r = _run("pool_013_coron_nircam")
    sources = [o.source for o in r.record.outputs]
    parted = [s.parted for s in sources if len(s.lines) >= 3]
    assert len(parted) >= 10
    # one tuple per distinct middle, fewer than the associations
    assert len({id(p[0]) for p in parted}) == len({p[0] for p in parted}) < len(parted)
    for source in sources:  # each document's constraints: its own lines, in order
        assert source.build()["constraints"].split("\n") == list(source.lines)


def _documents(associations) -> list:
    return [(a.filename, a.to_json()) for a in associations]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_generate_keeps_no_record_and_gives_runs_associations(path):
    """generate asks for the associations only (``complete=False``): the same documents."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool = asnkit.read_pool(path)
        try:
            full = run(pool, version_id=VERSION_ID)
        except PoolError as exc:  # a pool generation refuses: refused the same way
            with pytest.raises(PoolError, match=re.escape(str(exc))):
                asnkit.generate(pool, version_id=VERSION_ID)
            return
        record, associations = generated(pool, version_id=VERSION_ID, complete=False)
        generate = asnkit.generate(pool, version_id=VERSION_ID)
    assert not record.complete and record.formations == []
    assert full.record.complete and full.record.formations
    expected = _documents(full.associations())
    assert _documents(associations) == expected
    assert _documents(generate) == expected
    assert [o.filename for o in record.outputs] == [o.filename for o in full.record.outputs]
    assert [o.members for o in record.outputs] == [o.members for o in full.record.outputs]


def test_the_pools_compared_drop_and_prune_associations():
    """(So the comparison above covers what a record without formations leaves out.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs = [run(asnkit.read_pool(path)) for path in PATHS]
    assert sum(any(f.dropped for f in r.formations) for r in runs) >= 10
    pruned = [
        [o for f in r.formations for o in f.outputs if o.fate is Fate.DUPLICATE] for r in runs
    ]
    assert sum(map(bool, pruned)) >= 5


def _two_observations_with_a_bad_value(folder) -> str:
    """pool_019's NIRISS WFSS rows as o001 (first in the file) and o002 (three copies: its
    pass is the larger, run first), one science row of each with an ``expspcin`` that is
    not a number (finalize stops on it, as asn_generate does)."""
    lines = [
        line
        for line in (POOLS / "pool_019_niriss_wfss.csv").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    header, rows = (
        lines[0],
        [line.split("|") for line in lines[1:] if not line.startswith("set acid")],
    )
    at = {name: k for k, name in enumerate(header.split("|"))}
    out = [header]
    for obs, copies in ((1, 1), (2, 3)):
        bad = False
        for copy in range(copies):
            for row in rows:
                cells = list(row)
                cells[at["filename"]] = cells[at["filename"]].replace("jw_0", f"jw_{obs}{copy}")
                cells[at["obs_num"]] = str(obs)
                cells[at["asn_candidate"]] = f"[('o00{obs}', 'observation')]"
                if cells[at["exp_type"]] == "nis_wfss" and not bad:
                    cells[at["expspcin"]], bad = f"bad{obs}", True
                out.append("|".join(cells))
    path = folder / "two_bad.csv"
    path.write_text("\n".join(out) + "\n")
    return str(path)


def test_of_several_faults_the_first_in_the_references_order_is_reported(tmp_path):
    # the passes run largest first (o002), but the reference stops on o001's fault
    pool = asnkit.read_pool(_two_observations_with_a_bad_value(tmp_path))
    with pytest.raises(PoolError, match="'bad1'") as raised:
        asnkit.generate(pool, version_id="20250101t000000")
    assert raised.value.line == 3
    assert raised.value.__context__ is None or raised.value.__suppress_context__


def test_a_failing_custom_rule_fails_on_the_first_candidate_before_discovery():
    def product(asn, *args, **kwargs):
        raise ValueError(f"no name for {asn.data['asn_id']}")

    custom = rule(
        "R", "image3", select={"exp_type": ".*"}, agree=["exp_type"], scope="dms",
        product_name=product,
    )  # fmt: skip
    pool = asnkit.read_pool(POOLS / "pool_003_image_nircam.csv")
    with pytest.raises(ValueError, match=r"no name for o001$"):
        asnkit.run(pool, rules=[custom], version_id="20250101t000000")


def test_a_frame_with_two_columns_of_one_name_is_refused():
    pool = asnkit.read_pool(POOLS / "pool_002_image_miri.csv")
    pool["Program"] = "12345"
    with pytest.raises(PoolError, match="'program' and 'Program' have the same name"):
        asnkit.generate(pool, version_id="20250101t000000")
