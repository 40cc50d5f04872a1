"""Parity with jwst 3.0.0 ``asn_generate`` on every shared pool.

``tests/data/expected/<pool>/`` holds what ``asn_generate POOL --version-id
20250101t000000`` wrote. asnkit must write the same files (names included) with
the same content, apart from ``constraints`` (jwst's text holds memory
addresses) and ``code_version``. The comparison code is here, on purpose
independent of the tools in ``../shared``.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from functools import cache

import pytest

import asnkit
from tests.helpers import EXPECTED, pool_file, pool_names

VERSION_ID = "20250101t000000"
TOP = ("asn_type", "asn_rule", "version_id", "degraded_status", "program", "asn_id", "asn_pool")
MEMBER_KEYS = ("expname", "exptype", "exposerr", "asn_candidate")
REFERENCED = [name for name in pool_names() if (EXPECTED / name).is_dir()]


@cache
def generated(name: str) -> dict[str, dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # junk-row PoolWarnings of the jwst test pools
        pool = asnkit.read_pool(pool_file(name))
        asns = asnkit.generate(pool, version_id=VERSION_ID)
    return {asn.filename: asn.to_dict() for asn in asns}


def expected(name: str) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted((EXPECTED / name).glob("*.json"))}


def member_rows(product: dict) -> Counter:
    return Counter(tuple(str(m.get(k)) for k in MEMBER_KEYS) for m in product["members"])


def differences(want: dict, got: dict) -> list[str]:
    """Human-readable differences between two association documents."""
    out = [
        f"{key}: expected {want.get(key)!r}, got {got.get(key)!r}"
        for key in (*TOP, "target")
        if want.get(key) != got.get(key)
    ]
    want_products = [(p["name"], member_rows(p)) for p in want["products"]]
    got_products = [(p["name"], member_rows(p)) for p in got["products"]]
    if [n for n, _ in want_products] != [n for n, _ in got_products]:
        out.append(
            f"product names: expected {[n for n, _ in want_products]}, "
            f"got {[n for n, _ in got_products]}"
        )
    for (name, want_members), (_, got_members) in zip(want_products, got_products, strict=False):
        missing = want_members - got_members
        extra = got_members - want_members
        if missing or extra:
            out.append(f"product {name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    return out


def test_every_reference_pool_is_tested():
    assert len(REFERENCED) == 28
    assert "jw93060_20150312T160130_pool" not in REFERENCED  # jwst fails on it


@pytest.mark.parametrize("name", REFERENCED)
def test_same_files(name):
    assert sorted(generated(name)) == sorted(expected(name))


@pytest.mark.parametrize("name", REFERENCED)
def test_same_content(name):
    got = generated(name)
    problems = []
    for filename, want in expected(name).items():
        if filename not in got:
            problems.append(f"{filename}: not written")
            continue
        problems.extend(f"{filename}: {d}" for d in differences(want, got[filename]))
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", REFERENCED)
def test_same_layout(name):
    """Key order of documents and members, member order: the JSON text matches."""
    got = generated(name)
    for filename, want in expected(name).items():
        doc = dict(got[filename])
        for key in ("constraints", "code_version"):
            assert key in doc
            doc[key] = want[key]
        assert list(doc) == list(want)
        assert json.dumps(doc, indent=4) == json.dumps(want, indent=4), filename


def test_level_totals():
    level3 = sum(
        1 for n in REFERENCED for d in expected(n).values() if not d["asn_type"].endswith("2")
    )
    level2 = sum(1 for n in REFERENCED for d in expected(n).values() if d["asn_type"].endswith("2"))
    assert (level3, level2) == (391, 1340)
    made = sum(len(generated(n)) for n in REFERENCED)
    assert made == level3 + level2
