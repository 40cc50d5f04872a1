"""Fuzz: a seeded corpus of mutated pools and documents (issue 16).

Only :class:`~asnkit.PoolError` / :class:`~asnkit.AssociationError` may escape the
readers, generation and the writers, and no file may be written outside the
output folder. The mutants are made by ``tests/fuzzing.py`` from the test
pools and jwst's association files, with fixed seeds: the same corpus on every
machine (``scripts/fuzz_campaign.py`` runs thousands of them).
"""

from __future__ import annotations

import random

import pytest

from tests.fuzzing import check_document, check_pool, mutate_document, mutate_pool
from tests.helpers import EXPECTED, POOLS

#: Small pools (mega_pool's generation takes most of a second; the campaign uses it).
SOURCES = sorted(p for p in POOLS.glob("*.csv") if p.stem != "mega_pool")
DOCUMENTS = sorted(EXPECTED.glob("*/*.json"))[::7]
POOL_MUTANTS = 160
DOCUMENT_MUTANTS = 160
BATCH = 20


def _report(kind, failures):
    lines = [f"{kind} seed {seed} ({source}), stage {o.stage}:" for seed, source, o in failures]
    details = [o.escaped or f"written outside: {o.outside}" for _, _, o in failures]
    return "\n".join(f"{a}\n{b}" for a, b in zip(lines, details, strict=True))


@pytest.mark.parametrize("start", range(0, POOL_MUTANTS, BATCH))
def test_mutated_pools_give_pool_errors_and_stay_in_the_output_folder(start, tmp_path):
    failures, refused = [], 0
    for seed in range(start, start + BATCH):
        rng = random.Random(seed)
        source = rng.choice(SOURCES)
        work = tmp_path / str(seed)
        (work / "in").mkdir(parents=True)
        path = work / "in" / "pool.csv"
        path.write_bytes(mutate_pool(source.read_text(), rng))
        outcome = check_pool(path, work / "in" / "out", tmp_path)
        refused += bool(outcome.refused)
        if not outcome.ok:
            failures.append((seed, source.name, outcome))
    assert not failures, _report("pool", failures)
    assert 0 < refused < BATCH  # mutants that are refused, and mutants that get through


@pytest.mark.parametrize("start", range(0, DOCUMENT_MUTANTS, BATCH))
def test_mutated_documents_give_association_errors_and_stay_in_the_folder(start, tmp_path):
    failures, refused = [], 0
    for seed in range(start, start + BATCH):
        rng = random.Random(10_000 + seed)
        source = rng.choice(DOCUMENTS)
        work = tmp_path / str(seed)
        (work / "in").mkdir(parents=True)
        path = work / "in" / "x_asn.json"
        text = mutate_document(source.read_text(), rng)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        outcome = check_document(path, work / "in" / "out", tmp_path)
        refused += bool(outcome.refused)
        if not outcome.ok:
            failures.append((seed, source.name, outcome))
    assert not failures, _report("document", failures)
    assert refused > 0


def test_the_checks_catch_what_they_are_for(tmp_path, monkeypatch):
    """The fuzz checks fail on an escaping exception and on a file written outside."""
    import asnkit

    pool = tmp_path / "in" / "pool.csv"
    pool.parent.mkdir()
    pool.write_text((POOLS / "pool_002_image_miri.csv").read_text())

    def broken(*args, **kwargs):
        raise KeyError("targetid")

    monkeypatch.setattr(asnkit, "generate", broken)
    outcome = check_pool(pool, tmp_path / "in" / "out", tmp_path)
    assert outcome.stage == "generate" and "KeyError: 'targetid'" in outcome.escaped

    def stray(*args, **kwargs):
        (tmp_path / "escaped.json").write_text("{}")
        return asnkit.AssociationSet([])

    monkeypatch.setattr(asnkit, "generate", stray)
    outcome = check_pool(pool, tmp_path / "in" / "out", tmp_path)
    assert outcome.outside == [str(tmp_path / "escaped.json")] and not outcome.ok
