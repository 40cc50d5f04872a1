#!/usr/bin/env python3
"""Random unseen pools: build, run jwst ``asn_generate``, compare with ``asnkit.generate``.

usage: python scripts/fuzz_unseen.py [--out DIR] [--kinds K1,K2] [--rows MIN,MAX]
                                     [--asn-generate PATH] START COUNT

For every seed in START .. START+COUNT-1 it builds a pool from the shared test
pools (``tests/data/pools``) with one randomly chosen transformation, runs
jwst 3.0.0 (``ASN_GENERATE POOL -p DIR --version-id 20250101t000000``,
default ``/tmp/jwstenv/bin/asn_generate``, a throwaway venv) and asnkit on it,
and prints one tab-separated line per pool::

    seed  rows  jwst_seconds  OK | DIFF missing=M extra=E layout=L | JWSTFAIL ...  note

Everything is kept under ``--out`` (default ``/tmp/asnkit-fuzz``): the pool, jwst's
and asnkit's associations. This is a development tool: it needs jwst and is
never run by the tests; pools worth keeping go into
``scripts/make_unseen_pools.py`` (see ``tests/data/unseen/README.md``).

Kinds: subset, shuffle, merge, merge_renum, mutate (flag values), nullify
(literal ``null`` cells), blank (empty cells), swapcol (a column's values
permuted among rows), zeropad (zero-padded numbers).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_unseen_pools as mk

__all__ = ["KINDS", "compare", "main", "make"]

VERSION_ID = "20250101t000000"
SOURCES = {
    "mega_pool": 8, "pool_018_all_exptypes": 4, "pool_013_coron_nircam": 3,
    "pool_007_spec_miri": 3, "pool_006_spec_nirspec": 3, "pool_010_spec_nirspec_lv2bkg": 3,
    "pool_024_nirspec_fss_nods": 2, "pool_024b_nirspec_fss_nods": 2,
    "pool_024c_nirspec_fss_nods": 2, "pool_023_nirspec_msa_3nod": 2,
    "pool_023b_nirspec_msa_3nod_subpix": 2, "pool_025_nirspec_fss_nod_chop": 3,
    "pool_019_niriss_wfss": 2, "pool_021_tso": 2, "pool_017_spec_nirspec_lv2imprint": 2,
    "pool_008_exposerr": 1, "jw87800_20180412T163456_pool": 1,
    "jw09505_20251216t202003_pool": 1, "pool_004_wfs": 1, "pool_001_candidates": 2,
    "pool_033_wfs_jitter": 1, "pool_005_spec_niriss": 1, "pool_003_image_nircam": 1,
    "pool_002_image_miri": 1, "jw00632_dups": 1,
}  # fmt: skip
FLAGS = {
    "bkgdtarg": ["t", "f"], "is_imprt": ["t", "f"], "tsovisit": ["t", "f"],
    "exposerr": ["null", "1", "some error"], "patt_num": ["1", "2", "3", "null"],
    "dithptin": ["1", "2"], "numdthpt": ["1", "2", "3", "4"], "subpxpns": ["1", "2", "null"],
}  # fmt: skip
RELEVANT = (
    "exp_type", "filter", "pupil", "grating", "detector", "visitype", "pntgtype", "is_psf",
    "bkgdtarg", "is_imprt", "tsovisit", "patt_num", "numdthpt", "subpxpns", "dithptin",
    "targetid", "fxd_slit", "subarray", "band", "channel", "msametfl", "opmode", "lamp",
    "expspcin", "act_id", "visit", "obs_num", "asn_candidate", "template", "instrume",
    "exposerr", "targordn", "module", "mostilno",
)  # fmt: skip
NUMERIC = (
    "patt_num", "numdthpt", "subpxpns", "dithptin", "act_id", "obs_num", "visit", "expspcin",
    "targetid", "exposure", "seq_id", "mostilno", "targordn", "program",
)  # fmt: skip
KINDS = (
    "subset", "shuffle", "merge", "merge_renum", "mutate", "nullify", "blank", "swapcol",
    "zeropad",
)  # fmt: skip


def _subset(rng: random.Random, name: str, k: int) -> mk.Pool:
    pool = mk.source(name)
    rows = pool.rows
    if len(rows) > k:
        if rng.random() < 0.5:
            start = rng.randrange(0, len(rows) - k + 1)
            rows = rows[start : start + k]
        else:
            rows = [rows[i] for i in sorted(rng.sample(range(len(rows)), k))]
    return mk.Pool([], pool.columns, [list(r) for r in rows])


def _cells(pool: mk.Pool, rng: random.Random, columns, change) -> mk.Pool:
    """Apply ``change(rng, text)`` (None: keep) to cells of ``columns`` of the real rows."""
    rows = [list(r) for r in pool.rows]
    for name in columns:
        i = pool.index(name)
        for row in rows:
            if i is not None and not mk.is_junk(pool, row):
                new = change(rng, row[i])
                if new is not None:
                    row[i] = new
    return mk.Pool([], pool.columns, rows)


def _pick(rng: random.Random, pool: mk.Pool, names, most: int) -> list[str]:
    present = [c for c in names if pool.index(c) is not None]
    return rng.sample(present, min(len(present), rng.randint(1, most)))


def make(seed: int, kinds=KINDS, rows=(8, 60)) -> tuple[mk.Pool, str]:
    """The random pool of ``seed`` and a note saying how it was made."""
    rng = random.Random(seed)
    kind = rng.choice(list(kinds))
    first = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
    pool = _subset(rng, first, rng.randint(*rows))
    note = f"{kind} {first}"
    if kind == "shuffle":
        rng.shuffle(pool.rows)
    elif kind.startswith("merge"):
        second = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
        other = _subset(rng, second, rng.randint(rows[0] // 2 + 1, rows[1] * 2 // 3))
        if kind == "merge_renum":
            other = mk.renumber(
                other, obs_offset=rng.randint(1, 30), candidate_offset=rng.choice([0, 100])
            )
        pool = mk.merge(pool, other, "")
        if rng.random() < 0.5:
            rng.shuffle(pool.rows)
        note += f" + {second}"
    elif kind == "mutate":
        fraction = rng.choice([0.1, 0.3])
        for name, values in FLAGS.items():

            def flip(r: random.Random, _text: str, values=values) -> str | None:
                return r.choice(values) if r.random() < fraction else None

            pool = _cells(pool, rng, [name], flip)
    elif kind in ("nullify", "blank"):
        skip = {"filename", "asn_candidate", "exp_type"}
        names = [c.strip().lower() for c in pool.columns if c.strip()]
        chosen = _pick(
            rng, pool, [c for c in names if c not in skip], 6 if kind == "nullify" else 4
        )
        value = "null" if kind == "nullify" else ""
        pool = _cells(pool, rng, chosen, lambda r, _t: value if r.random() < 0.3 else None)
        note += " " + ",".join(chosen)
    elif kind == "swapcol":
        chosen = _pick(rng, pool, RELEVANT, 3)
        real = [r for r in pool.rows if not mk.is_junk(pool, r)]
        for name in chosen:
            i = pool.index(name)
            values = [r[i] for r in real]
            rng.shuffle(values)
            for row, value in zip(real, values, strict=True):
                row[i] = value
        note += " " + ",".join(chosen)
    elif kind == "zeropad":
        chosen = _pick(rng, pool, NUMERIC, 4)

        def pad(r: random.Random, text: str) -> str | None:
            text = text.strip()
            if not text.isdigit() or r.random() >= 0.5:
                return None
            return text.zfill(len(text) + r.randint(1, 2)) if r.random() < 0.7 else str(int(text))

        pool = _cells(pool, rng, chosen, pad)
        note += " " + ",".join(chosen)
    pool.comments = [f"# fuzz {seed}: {note}"]
    return pool, note


def _content(document: dict) -> tuple:
    top = tuple(
        str(document.get(k))
        for k in ("asn_type", "asn_id", "program", "target", "asn_pool", "asn_rule")
    )
    products = sorted(
        (
            str(p.get("name")),
            tuple(
                sorted(
                    str((m.get("expname"), m.get("exptype"), m.get("exposerr")))
                    for m in p["members"]
                )
            ),
        )
        for p in document.get("products", [])
    )
    return (*top, str(document.get("degraded_status")), tuple(products))


def compare(want: dict[str, dict], got: dict[str, dict]) -> tuple[int, int, int]:
    """(missing, extra, layout): by content with file names, and JSON text per file."""
    a = Counter((name, _content(d)) for name, d in want.items())
    b = Counter((name, _content(d)) for name, d in got.items())
    layout = 0
    for name, document in want.items():
        if name in got:
            mine = {k: v for k, v in got[name].items() if k not in ("constraints", "code_version")}
            theirs = {k: v for k, v in document.items() if k not in ("constraints", "code_version")}
            layout += json.dumps(mine) != json.dumps(theirs)
    return sum((a - b).values()), sum((b - a).values()), layout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("start", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--out", type=Path, default=Path("/tmp/asnkit-fuzz"))
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--rows", default="8,60", help="MIN,MAX rows taken from a pool")
    parser.add_argument("--asn-generate", default="/tmp/jwstenv/bin/asn_generate")
    args = parser.parse_args(argv)
    import asnkit  # here, so that --help works without the package

    rows = tuple(int(x) for x in args.rows.split(","))
    for seed in range(args.start, args.start + args.count):
        pool, note = make(seed, args.kinds.split(","), rows)
        folder = args.out / f"f{seed:05d}"
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "jwst").mkdir(parents=True)
        path = folder / f"fuzz{seed:05d}.csv"
        path.write_text(pool.text())
        cmd = [args.asn_generate, str(path), "-p", str(folder / "jwst"), "--version-id", VERSION_ID]
        t0 = time.monotonic()
        run = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.monotonic() - t0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                asns = asnkit.generate(asnkit.read_pool(path), version_id=VERSION_ID)
            got, error = {a.filename: a.to_dict() for a in asns}, ""
        except Exception as exc:  # reported; the campaign goes on
            got, error = {}, f"asnkit {type(exc).__name__}: {exc}"
        (folder / "asnkit").mkdir()
        for name, document in got.items():
            (folder / "asnkit" / name).write_text(json.dumps(document, indent=4))
        if run.returncode:
            lines = run.stderr.strip().splitlines() or [""]
            status = f"JWSTFAIL {lines[-1][:100]}"
        else:
            want = {p.name: json.loads(p.read_text()) for p in (folder / "jwst").glob("*.json")}
            missing, extra, layout = compare(want, got)
            status = (
                "OK"
                if missing == extra == layout == 0
                else f"DIFF missing={missing} extra={extra} layout={layout}"
            )
        print(f"{seed}\t{len(pool.rows)}\t{seconds:.1f}\t{status}\t{note}\t{error}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
