"""Parity with jwst 3.0.0 ``asn_generate`` on pools the other tests never see.

``tests/data/unseen/pools/`` holds pools made by ``scripts/make_unseen_pools.py``
from the shared test pools (shuffled, thinned, merged, case-changed);
``tests/data/unseen/expected/<pool>/`` what jwst wrote for each (without the
``constraints`` field), ``summary.tsv`` jwst's exit status per pool. jwst is
never run here: ``tests/data/unseen/README.md`` says how the data were made.

A pool asnkit does not reproduce yet is listed in ``KNOWN_DIFFERENCES`` with
the exact difference; its test is a strict xfail, so it turns into a failure
the day the engine gets it right (then remove the entry).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from functools import cache
from pathlib import Path

import pytest

import asnkit
from asnkit.errors import AssociationWarning, PoolWarning
from tests.helpers import DATA, EXPECTED, pool_file

VERSION_ID = "20250101t000000"
UNSEEN = DATA / "unseen"
TOP = ("asn_type", "asn_id", "program", "target", "asn_pool", "asn_rule", "degraded_status")
MEMBER_KEYS = ("expname", "exptype", "exposerr")

#: pool name -> precise difference between asnkit and jwst (strict xfail).
KNOWN_DIFFERENCES: dict[str, str] = {
    "unseen54_min_candidate_not_a_list": "asn_candidate 'o001' (not a list): jwst's evaluate() "
    "(lib/utilities.py:59-78) returns the text, ids_by_ctype skips it "
    "(generator/generate_per_candidate.py:248-257), but pool_from_candidate keeps every row "
    "whose text contains the candidate id as a substring (line 282), so the row joins o001: "
    "jwst writes image2_00001 (jw_00002), image2_00002 (jw_00001) and image3_00001 with both; "
    "asnkit raises PoolError 'line 4, column 'asn_candidate': malformed asn_candidate 'o001''",
}


def _summary() -> dict[str, dict[str, str]]:
    lines = (UNSEEN / "summary.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    rows = (dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:])
    return {row["pool"]: row for row in rows}


SUMMARY = _summary()
POOLS = sorted(p.stem for p in (UNSEEN / "pools").glob("*.csv"))
REFERENCED = [name for name in POOLS if SUMMARY[name]["jwst_exit"] == "0"]
JWST_FAILED = [name for name in POOLS if SUMMARY[name]["jwst_exit"] != "0"]


def _param(name: str):
    if name in KNOWN_DIFFERENCES:
        return pytest.param(
            name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[name])
        )
    return name


@cache
def generated(path: Path) -> dict[str, dict]:
    """asnkit's associations for the pool at ``path``: file name -> document."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoolWarning)  # junk rows of the jwst template pools
        asns = asnkit.generate(asnkit.read_pool(path), version_id=VERSION_ID)
    return {asn.filename: asn.to_dict() for asn in asns}


def recorded(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def content(document: dict) -> tuple:
    """What must match: top-level fields, product names, member sets per product."""
    top = tuple((key, document.get(key)) for key in TOP)
    products = tuple(
        sorted(
            (
                product.get("name"),
                frozenset(
                    tuple(str(member.get(k)) for k in MEMBER_KEYS) for member in product["members"]
                ),
            )
            for product in document.get("products", [])
        )
    )
    return top, products


def differences(want: dict[str, dict], got: dict[str, dict]) -> list[str]:
    """One line per difference between two {file name: document} mappings."""
    out = [f"{name}: written by jwst only" for name in sorted(set(want) - set(got))]
    out += [f"{name}: written by asnkit only" for name in sorted(set(got) - set(want))]
    for name in sorted(set(want) & set(got)):
        (want_top, want_products), (got_top, got_products) = content(want[name]), content(got[name])
        out += [
            f"{name}: {key} jwst {a!r} asnkit {b!r}"
            for (key, a), (_, b) in zip(want_top, got_top, strict=True)
            if a != b
        ]
        wp, gp = dict(want_products), dict(got_products)
        if sorted(wp, key=str) != sorted(gp, key=str):
            out.append(f"{name}: products jwst {sorted(wp, key=str)} asnkit {sorted(gp, key=str)}")
        for product in sorted(set(wp) & set(gp), key=str):
            if wp[product] != gp[product]:
                out.append(
                    f"{name}: product {product} members only in jwst "
                    f"{sorted(wp[product] - gp[product])}, only in asnkit "
                    f"{sorted(gp[product] - wp[product])}"
                )
    return out


def test_every_unseen_pool_has_a_jwst_record():
    assert len(POOLS) >= 15
    assert sorted(SUMMARY) == POOLS
    for name in REFERENCED:
        folder = UNSEEN / "expected" / name
        assert len(list(folder.glob("*.json"))) == int(SUMMARY[name]["associations"]) > 0
    for name in JWST_FAILED:
        assert not (UNSEEN / "expected" / name).exists()


def test_pools_are_what_the_script_makes(tmp_path, monkeypatch):
    """The committed pools are reproducible: the seeded script writes them byte for byte."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "make_unseen_pools.py"
    spec = importlib.util.spec_from_file_location("make_unseen_pools", script)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    written = module.build_all(tmp_path)
    assert sorted(p.stem for p in written) == POOLS
    for path in written:
        assert path.read_bytes() == (UNSEEN / "pools" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", [_param(n) for n in REFERENCED])
def test_same_associations_as_jwst(name):
    got = generated(UNSEEN / "pools" / f"{name}.csv")
    want = recorded(UNSEEN / "expected" / name)
    problems = differences(want, got)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", [_param(n) for n in REFERENCED])
def test_same_layout_as_jwst(name):
    """Key order, product and member order: the JSON text matches (constraints aside)."""
    got = generated(UNSEEN / "pools" / f"{name}.csv")
    for filename, want in recorded(UNSEEN / "expected" / name).items():
        assert filename in got
        document = {k: v for k, v in got[filename].items() if k != "constraints"}
        document["code_version"] = want["code_version"]
        assert json.dumps(document, indent=4) == json.dumps(want, indent=4), filename


def test_differences_are_seen():
    """The comparison itself notices a changed member, product name and missing file."""
    name = REFERENCED[0]
    want = recorded(UNSEEN / "expected" / name)
    got = json.loads(json.dumps(want))
    first = sorted(got)[0]
    got[first]["products"][0]["members"][0]["exptype"] = "changed"
    got[first]["products"][0]["name"] += "x"
    del got[sorted(got)[-1]]
    problems = differences(want, got)
    assert any("products jwst" in p for p in problems)
    assert any("written by jwst only" in p for p in problems)
    assert differences(want, want) == []


@pytest.mark.parametrize("name", JWST_FAILED)
def test_jwst_failure_pools(name):
    """jwst stops on a pool without asn_candidate (KeyError); asnkit warns and uses obs_num.

    The pool is pool_003_image_nircam, whose only candidates are the observation
    ones, without that column: asnkit then writes what jwst wrote for
    pool_003_image_nircam, apart from the pool name.
    """
    assert "KeyError: 'asn_candidate'" in SUMMARY[name]["jwst_error"]
    path = UNSEEN / "pools" / f"{name}.csv"
    with pytest.warns(AssociationWarning, match="asn_candidate"):
        asns = asnkit.generate(asnkit.read_pool(path), version_id=VERSION_ID)
    got = {asn.filename: asn.to_dict() for asn in asns}
    original = "pool_003_image_nircam"
    assert name.endswith(original.removeprefix("pool_"))
    want = recorded(EXPECTED / original)
    for document in want.values():
        document["asn_pool"] = path.name
    assert pool_file(original).exists()
    assert differences(want, got) == []
