#!/usr/bin/env python3
"""Build association pools the tests have never seen, from the shared test pools.

usage: python scripts/make_unseen_pools.py [--out DIR]

Every pool is made from ``tests/data/pools/*.csv`` by row shuffles, thinning
(random rows, whole observations, background / imprint / target-acquisition
rows), merges (same program, or with renumbered program, observation,
candidate ids and file names), case changes, and one pool without the
``asn_candidate`` column. The pools are written to
``tests/data/unseen/pools/`` (default), one ``|``-separated file each, with a
first comment line saying how it was made.

The output is deterministic: every pool has its own fixed seed and the text of
the rows is copied verbatim (apart from the edits named above). The script
needs only the standard library; it never runs jwst (see
``tests/data/unseen/README.md`` for how the expected associations were made).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["UNSEEN", "Pool", "build_all", "main", "read_text_pool"]

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "pools"
DEFAULT_OUT = ROOT / "tests" / "data" / "unseen" / "pools"
DELIMITER = "|"
TA_TYPES = frozenset(
    {
        "nrc_tacq", "nrc_taconfirm", "mir_tacq", "mir_taconfirm", "nis_tacq", "nis_taconfirm",
        "nrs_tacq", "nrs_taconfirm", "nrs_taslit", "nrs_confirm", "nrs_wata", "nrs_msata",
        "nrs_verify", "nrs_bota",
    }
)  # fmt: skip


@dataclasses.dataclass
class Pool:
    """A pool as text: comment lines, column names and rows of cells (verbatim)."""

    comments: list[str]
    columns: list[str]
    rows: list[list[str]]

    def index(self, name: str) -> int | None:
        """Position of column ``name`` (case-insensitive), None when absent."""
        for i, column in enumerate(self.columns):
            if column.strip().lower() == name:
                return i
        return None

    def value(self, row: list[str], name: str) -> str:
        """Lower-cased cell of ``row`` in column ``name`` ('' when the column is absent)."""
        i = self.index(name)
        return row[i].strip().lower() if i is not None and i < len(row) else ""

    def with_rows(self, rows: Iterable[list[str]], note: str) -> Pool:
        return Pool([f"# {note}"], list(self.columns), [list(r) for r in rows])

    def text(self) -> str:
        lines = [*self.comments, DELIMITER.join(self.columns)]
        lines += [DELIMITER.join(row) for row in self.rows]
        return "\n".join(lines) + "\n"


def read_text_pool(path: Path) -> Pool:
    """Split a pool file into comments, header and rows, keeping every cell's text."""
    comments, columns, rows = [], None, []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            if columns is None:
                comments.append(line)
            continue
        cells = line.split(DELIMITER)
        if columns is None:
            columns = cells
        else:
            rows.append(cells)
    if columns is None:
        raise ValueError(f"{path}: no header line")
    return Pool(comments, columns, rows)


def source(name: str) -> Pool:
    return read_text_pool(SOURCE / f"{name}.csv")


def is_junk(pool: Pool, row: list[str]) -> bool:
    """The repeated-header rows of the jwst template pools ('set acid', 'program', ...)."""
    return pool.value(row, "program") == "program"


# --- transformations -------------------------------------------------------------------------


def shuffle(pool: Pool, rng: random.Random, note: str) -> Pool:
    rows = list(pool.rows)
    rng.shuffle(rows)
    return pool.with_rows(rows, note)


def thin(pool: Pool, rng: random.Random, fraction: float, note: str) -> Pool:
    """Drop ``fraction`` of the rows at random; the others keep their order."""
    n = len(pool.rows)
    drop = set(rng.sample(range(n), round(n * fraction)))
    return pool.with_rows((r for i, r in enumerate(pool.rows) if i not in drop), note)


def drop_where(pool: Pool, test: Callable[[Pool, list[str]], bool], note: str) -> Pool:
    return pool.with_rows((r for r in pool.rows if not test(pool, r)), note)


def drop_observations(pool: Pool, rng: random.Random, fraction: float, note: str) -> Pool:
    """Drop every row of a random ``fraction`` of the observations (obs_num)."""
    observations = sorted({pool.value(r, "obs_num") for r in pool.rows if not is_junk(pool, r)})
    gone = set(rng.sample(observations, round(len(observations) * fraction)))
    return drop_where(pool, lambda p, r: p.value(r, "obs_num") in gone, note)


def is_background(pool: Pool, row: list[str]) -> bool:
    return pool.value(row, "bkgdtarg") in ("t", "true", "y")


def is_imprint(pool: Pool, row: list[str]) -> bool:
    return pool.value(row, "is_imprt") in ("t", "true", "y")


def is_ta(pool: Pool, row: list[str]) -> bool:
    return pool.value(row, "exp_type") in TA_TYPES


def _padded(old: str, new: int) -> str:
    return str(new).zfill(len(old)) if old.startswith("0") else str(new)


def renumber(
    pool: Pool,
    *,
    program: str | None = None,
    obs_offset: int = 0,
    candidate_offset: int = 0,
) -> Pool:
    """Give rows a new program, shifted observation numbers, candidate ids and file names.

    ``program`` replaces numeric programs (and the program part of obs_id,
    visit_id and file names); ``obs_offset`` shifts obs_num, the ``oNNN``
    candidate ids and the observation part of obs_id / visit_id / file names;
    ``candidate_offset`` shifts the other candidate ids (``c1000`` ...).
    Template file names ``jw_00001_uncal.fits`` become
    ``jw_{obs_offset}00001_uncal.fits``-like unique names.
    """
    cols = {name: pool.index(name) for name in ("program", "obs_num", "asn_candidate")}
    cols |= {name: pool.index(name) for name in ("filename", "obs_id", "visit_id")}

    def candidate(match: re.Match) -> str:
        kind, number = match.group(2), match.group(3)
        shift = obs_offset if kind.lower() == "o" else candidate_offset
        return f"{match.group(1)}{kind}{str(int(number) + shift).zfill(len(number))}"

    def visit(match: re.Match) -> str:
        prog = program.zfill(5) if program is not None else match.group(2)
        obs = str(int(match.group(3)) + obs_offset).zfill(3)
        return f"{match.group(1)}{prog}{obs}"

    rows = []
    for row in pool.rows:
        row = list(row)
        if not is_junk(pool, row):
            if program is not None and cols["program"] is not None:
                old = row[cols["program"]]
                row[cols["program"]] = program.zfill(len(old)) if old.startswith("0") else program
            if obs_offset and cols["obs_num"] is not None:
                old = row[cols["obs_num"]]
                if old.strip().isdigit():
                    row[cols["obs_num"]] = _padded(old, int(old) + obs_offset)
            if cols["asn_candidate"] is not None:
                row[cols["asn_candidate"]] = re.sub(
                    r"(\(\s*')([a-zA-Z])(\d+)", candidate, row[cols["asn_candidate"]]
                )
            for name in ("obs_id", "visit_id"):
                if cols[name] is not None:
                    row[cols[name]] = re.sub(r"^([vV]?)(\d{5})(\d{3})", visit, row[cols[name]])
            i = cols["filename"]
            if i is not None:
                name = row[i]
                if re.match(r"^jw\d{11}", name, re.IGNORECASE):
                    name = re.sub(r"^(jw)(\d{5})(\d{3})", visit, name, flags=re.IGNORECASE)
                else:
                    name = re.sub(
                        r"^(jw_)(\d+)",
                        lambda m: f"{m.group(1)}{obs_offset or 9}{m.group(2)}",
                        name,
                        flags=re.IGNORECASE,
                    )
                row[i] = name
        rows.append(row)
    return Pool(list(pool.comments), list(pool.columns), rows)


def merge(first: Pool, second: Pool, note: str) -> Pool:
    """Rows of ``first`` then ``second`` under the union of their columns (missing: empty)."""
    columns = [c for c in first.columns if c.strip()]
    known = {c.strip().lower() for c in columns}
    columns += [c for c in second.columns if c.strip() and c.strip().lower() not in known]
    rows = []
    for pool in (first, second):
        where = [pool.index(c.strip().lower()) for c in columns]
        rows += [
            [row[i] if i is not None and i < len(row) else "" for i in where] for row in pool.rows
        ]
    return Pool([f"# {note}"], columns, rows)


def change_case(pool: Pool, rng: random.Random | None, note: str) -> Pool:
    """Upper-case header and cells (``rng`` None), or give each cell a random case."""

    def cell(text: str) -> str:
        if rng is None:
            return text.upper()
        return rng.choice((str.upper, str.lower, str.title, str.swapcase))(text)

    if rng is None:
        columns = [c.upper() for c in pool.columns]
    else:
        columns = [cell(c) for c in pool.columns]
    out = Pool([f"# {note}"], columns, [[cell(v) for v in row] for row in pool.rows])
    return out


def drop_column(pool: Pool, name: str, note: str) -> Pool:
    i = pool.index(name)
    keep = [j for j in range(len(pool.columns)) if j != i]
    return Pool(
        [f"# {note}"],
        [pool.columns[j] for j in keep],
        [[row[j] for j in keep if j < len(row)] for row in pool.rows],
    )


def select_programs(pool: Pool, programs: set[str], note: str) -> Pool:
    return pool.with_rows((r for r in pool.rows if pool.value(r, "program") in programs), note)


def null_cells(
    pool: Pool, rng: random.Random, columns: Iterable[str], fraction: float, note: str
) -> Pool:
    """Empty a random ``fraction`` of the cells of ``columns`` (jwst reads them as 'null')."""
    rows = [list(r) for r in pool.rows]
    for name in columns:
        i = pool.index(name)
        if i is None:
            continue
        real = [r for r in rows if not is_junk(pool, r)]
        for row in rng.sample(real, round(len(real) * fraction)):
            row[i] = ""
    return pool.with_rows(rows, note)


def edit_candidates(pool: Pool, edit: Callable[[str], str], note: str) -> Pool:
    """Apply ``edit`` to the asn_candidate text of every real row."""
    i = pool.index("asn_candidate")
    rows = []
    for row in pool.rows:
        row = list(row)
        if not is_junk(pool, row):
            row[i] = edit(row[i])
        rows.append(row)
    return pool.with_rows(rows, note)


def without_observation_candidates(text: str) -> str:
    """``[('o001', 'observation'), ('c1000', 'background')]`` -> ``[('c1000', 'background')]``."""
    kept = re.findall(r"\(\s*'[^']*'\s*,\s*'[^']*'\s*\)", text)
    kept = [c for c in kept if "observation" not in c.lower()]
    return f"[{', '.join(kept)}]" if kept else "null"


def rename_files(pool: Pool, old: str, new: str, note: str) -> Pool:
    """Replace ``old`` by ``new`` in every file name (e.g. ``_uncal.fits`` -> ``_rate.fits``)."""
    i = pool.index("filename")
    rows = [list(r) for r in pool.rows]
    for row in rows:
        if not is_junk(pool, row):
            row[i] = row[i].replace(old, new)
    return pool.with_rows(rows, note)


def concat(pools: Iterable[Pool], note: str) -> Pool:
    """Rows of several pools one after the other (their columns merged)."""
    pools = list(pools)
    out = pools[0]
    for other in pools[1:]:
        out = merge(out, other, note)
    return Pool([f"# {note}"], out.columns, out.rows)


def first_rows(pool: Pool, n: int) -> Pool:
    return Pool([], list(pool.columns), [list(r) for r in pool.rows[:n]])


def set_column(pool: Pool, name: str, values: list[str], note: str) -> Pool:
    """Give column ``name`` (added at the end when absent) the cell texts ``values``."""
    i = pool.index(name)
    columns = list(pool.columns) if i is not None else [*pool.columns, name]
    rows = []
    for row, value in zip(pool.rows, values, strict=True):
        row = list(row)
        if i is None:
            row.append(value)
        else:
            row[i] = value
        rows.append(row)
    return Pool([f"# {note}"], columns, rows)


# --- the unseen pools -------------------------------------------------------------------------


def _u(seed: int) -> random.Random:
    return random.Random(20250101 + seed)


UNSEEN: dict[str, Callable[[], Pool]] = {
    "unseen01_shuffle_007_spec_miri": lambda: shuffle(
        source("pool_007_spec_miri"), _u(1), "rows of pool_007_spec_miri shuffled"
    ),
    "unseen02_shuffle_013_coron_nircam": lambda: shuffle(
        source("pool_013_coron_nircam"), _u(2), "rows of pool_013_coron_nircam shuffled"
    ),
    "unseen03_shuffle_018_all_exptypes": lambda: shuffle(
        source("pool_018_all_exptypes"), _u(3), "rows of pool_018_all_exptypes shuffled"
    ),
    "unseen04_shuffle_024c_fss_nods": lambda: shuffle(
        source("pool_024c_nirspec_fss_nods"), _u(4), "rows of pool_024c_nirspec_fss_nods shuffled"
    ),
    "unseen05_thin40_004_wfs": lambda: thin(
        source("pool_004_wfs"), _u(5), 0.40, "pool_004_wfs with 40% of its rows dropped at random"
    ),
    "unseen06_thin30_006_spec_nirspec": lambda: thin(
        source("pool_006_spec_nirspec"),
        _u(6),
        0.30,
        "pool_006_spec_nirspec with 30% of its rows dropped at random",
    ),
    "unseen07_thin35_019_niriss_wfss": lambda: thin(
        source("pool_019_niriss_wfss"),
        _u(7),
        0.35,
        "pool_019_niriss_wfss with 35% of its rows dropped at random",
    ),
    "unseen08_thin30_023b_msa_subpix": lambda: thin(
        source("pool_023b_nirspec_msa_3nod_subpix"),
        _u(8),
        0.30,
        "pool_023b_nirspec_msa_3nod_subpix with 30% of its rows dropped at random",
    ),
    "unseen09_thin25_024_fss_nods": lambda: thin(
        source("pool_024_nirspec_fss_nods"),
        _u(9),
        0.25,
        "pool_024_nirspec_fss_nods with 25% of its rows dropped at random",
    ),
    "unseen10_dropobs_018_all_exptypes": lambda: drop_observations(
        source("pool_018_all_exptypes"),
        _u(10),
        0.5,
        "pool_018_all_exptypes without half of its observations",
    ),
    "unseen11_dropobs_007_spec_miri": lambda: drop_observations(
        source("pool_007_spec_miri"),
        _u(11),
        0.4,
        "pool_007_spec_miri without 40% of its observations",
    ),
    "unseen12_nobkg_010_lv2bkg": lambda: drop_where(
        source("pool_010_spec_nirspec_lv2bkg"),
        is_background,
        "pool_010_spec_nirspec_lv2bkg without its background rows (bkgdtarg true)",
    ),
    "unseen13_noimprint_017_lv2imprint": lambda: drop_where(
        source("pool_017_spec_nirspec_lv2imprint"),
        is_imprint,
        "pool_017_spec_nirspec_lv2imprint without its imprint rows (is_imprt true)",
    ),
    "unseen14_nota_013_coron_nircam": lambda: drop_where(
        source("pool_013_coron_nircam"),
        is_ta,
        "pool_013_coron_nircam without its target-acquisition rows",
    ),
    "unseen15_nota_006_spec_nirspec": lambda: drop_where(
        source("pool_006_spec_nirspec"),
        is_ta,
        "pool_006_spec_nirspec without its target-acquisition rows",
    ),
    "unseen16_merge_024_024b_same_program": lambda: merge(
        source("pool_024_nirspec_fss_nods"),
        renumber(source("pool_024b_nirspec_fss_nods"), obs_offset=10),
        "pool_024_nirspec_fss_nods + pool_024b_nirspec_fss_nods (same program 93125; "
        "second: obs +10, file names renumbered)",
    ),
    "unseen17_merge_002_020_renumbered": lambda: merge(
        source("pool_002_image_miri"),
        renumber(source("pool_020_00009_image_miri"), program="99009", obs_offset=1),
        "pool_002_image_miri + pool_020_00009_image_miri (second: program 00009 -> 99009, "
        "obs +1, file names renumbered)",
    ),
    "unseen18_merge_019_005_niriss": lambda: merge(
        source("pool_019_niriss_wfss"),
        renumber(source("pool_005_spec_niriss"), obs_offset=4, candidate_offset=100),
        "pool_019_niriss_wfss + pool_005_spec_niriss (second: obs +4, candidates +100, "
        "file names renumbered)",
    ),
    "unseen19_merge_010_021_renumbered": lambda: merge(
        source("pool_010_spec_nirspec_lv2bkg"),
        renumber(source("pool_021_tso"), program="99010", obs_offset=20, candidate_offset=500),
        "pool_010_spec_nirspec_lv2bkg + pool_021_tso (second: program 99010, obs +20, "
        "candidates +500, file names renumbered)",
    ),
    "unseen20_merge_025_023_same_program": lambda: merge(
        source("pool_025_nirspec_fss_nod_chop"),
        renumber(source("pool_023_nirspec_msa_3nod"), obs_offset=5),
        "pool_025_nirspec_fss_nod_chop + pool_023_nirspec_msa_3nod (same program 93125; "
        "second: obs +5, file names renumbered)",
    ),
    "unseen21_upper_021_tso": lambda: change_case(
        source("pool_021_tso"), None, "pool_021_tso with header and every cell upper-cased"
    ),
    "unseen22_mixedcase_010_lv2bkg": lambda: change_case(
        source("pool_010_spec_nirspec_lv2bkg"),
        _u(22),
        "pool_010_spec_nirspec_lv2bkg with header and cells in random case",
    ),
    "unseen23_nocandidate_003_image_nircam": lambda: drop_column(
        source("pool_003_image_nircam"),
        "asn_candidate",
        "pool_003_image_nircam without its asn_candidate column",
    ),
    "unseen24_mega_small_programs": lambda: select_programs(
        source("mega_pool"),
        {"93125", "84600", "96691", "98010", "00009", "87600"},
        "mega_pool rows of programs 93125, 84600, 96691, 98010, 00009, 87600",
    ),
    "unseen25_mega_random130": lambda: (
        lambda pool: thin(
            pool, _u(25), 1 - 130 / len(pool.rows), "130 rows of mega_pool drawn at random"
        )
    )(source("mega_pool")),
    "unseen26_shuffle_thin20_025_chop": lambda: thin(
        shuffle(source("pool_025_nirspec_fss_nod_chop"), _u(26), ""),
        _u(126),
        0.2,
        "pool_025_nirspec_fss_nod_chop shuffled, then 20% of its rows dropped",
    ),
    # --- second batch: collisions, missing values, odd candidates ---
    "unseen27_merge_010_013_colliding_candidates": lambda: merge(
        source("pool_010_spec_nirspec_lv2bkg"),
        source("pool_013_coron_nircam"),
        "pool_010_spec_nirspec_lv2bkg + pool_013_coron_nircam, nothing renumbered "
        "(both use candidates c1000, c1001; programs 99009 and 10005)",
    ),
    "unseen28_merge_007_018_same_program_same_obs": lambda: merge(
        source("pool_007_spec_miri"),
        renumber(source("pool_018_all_exptypes"), obs_offset=0, candidate_offset=0),
        "pool_007_spec_miri + pool_018_all_exptypes, nothing renumbered (program 99009, "
        "observation numbers collide)",
    ),
    "unseen29_mega_random100_seed2": lambda: (
        lambda pool: thin(
            pool, _u(29), 1 - 100 / len(pool.rows), "100 rows of mega_pool drawn at random"
        )
    )(source("mega_pool")),
    "unseen30_mega_random110_shuffled": lambda: (
        lambda pool: shuffle(
            thin(pool, _u(30), 1 - 110 / len(pool.rows), ""),
            _u(130),
            "110 rows of mega_pool drawn at random, shuffled",
        )
    )(source("mega_pool")),
    "unseen31_thin50_024b_fss_nods": lambda: thin(
        source("pool_024b_nirspec_fss_nods"),
        _u(31),
        0.5,
        "pool_024b_nirspec_fss_nods with half of its rows dropped at random",
    ),
    "unseen32_shuffle_023_msa_3nod": lambda: shuffle(
        source("pool_023_nirspec_msa_3nod"), _u(32), "rows of pool_023_nirspec_msa_3nod shuffled"
    ),
    "unseen33_thin40_001_candidates": lambda: thin(
        source("pool_001_candidates"),
        _u(33),
        0.4,
        "pool_001_candidates with 40% of its rows dropped at random",
    ),
    "unseen34_dropobs_013_coron_nircam": lambda: drop_observations(
        source("pool_013_coron_nircam"),
        _u(34),
        0.5,
        "pool_013_coron_nircam without half of its observations",
    ),
    "unseen35_upper_018_all_exptypes": lambda: change_case(
        source("pool_018_all_exptypes"),
        None,
        "pool_018_all_exptypes with header and every cell upper-cased",
    ),
    "unseen36_mixedcase_jw87800": lambda: change_case(
        source("jw87800_20180412T163456_pool"),
        _u(36),
        "jw87800_20180412T163456_pool with header and cells in random case",
    ),
    "unseen37_nulls_018_all_exptypes": lambda: null_cells(
        source("pool_018_all_exptypes"),
        _u(37),
        ("filter", "pupil", "grating", "detector", "targetid", "subarray"),
        0.15,
        "pool_018_all_exptypes with 15% of filter, pupil, grating, detector, targetid, "
        "subarray cells emptied",
    ),
    "unseen38_nulls_024_fss_nods": lambda: null_cells(
        source("pool_024_nirspec_fss_nods"),
        _u(38),
        ("patt_num", "numdthpt", "subpxpns", "dithptin", "fxd_slit"),
        0.2,
        "pool_024_nirspec_fss_nods with 20% of dither / slit cells emptied",
    ),
    "unseen39_no_obs_candidates_013_coron": lambda: edit_candidates(
        source("pool_013_coron_nircam"),
        without_observation_candidates,
        "pool_013_coron_nircam with the observation candidates removed from asn_candidate",
    ),
    "unseen40_no_obs_candidates_010_lv2bkg": lambda: edit_candidates(
        source("pool_010_spec_nirspec_lv2bkg"),
        without_observation_candidates,
        "pool_010_spec_nirspec_lv2bkg with the observation candidates removed",
    ),
    "unseen41_nobkgdtarg_column_010": lambda: drop_column(
        source("pool_010_spec_nirspec_lv2bkg"),
        "bkgdtarg",
        "pool_010_spec_nirspec_lv2bkg without its bkgdtarg column",
    ),
    "unseen42_no_tsovisit_column_021": lambda: drop_column(
        source("pool_021_tso"), "tsovisit", "pool_021_tso without its tsovisit column"
    ),
    "unseen43_rate_files_019_wfss": lambda: rename_files(
        source("pool_019_niriss_wfss"),
        "_uncal.fits",
        "_rate.fits",
        "pool_019_niriss_wfss with file names ending _rate.fits",
    ),
    "unseen44_twice_021_tso": lambda: concat(
        [source("pool_021_tso"), source("pool_021_tso")],
        "pool_021_tso twice (every row duplicated)",
    ),
    "unseen45_three_real_pools": lambda: concat(
        [
            source("jw00632_dups"),
            source("jw09505_20251216t202003_pool"),
            source("jw87800_20180412T163456_pool"),
            source("pool_duplicate"),
        ],
        "jw00632_dups + jw09505 + jw87800 + pool_duplicate (real pools, upper-case headers)",
    ),
    "unseen46_thin30_033_wfs_jitter": lambda: thin(
        source("pool_033_wfs_jitter"),
        _u(46),
        0.3,
        "pool_033_wfs_jitter with 30% of its rows dropped at random",
    ),
    # --- third batch: empty cells in short columns (jwst reads them as 'n', 'nu', 'nul') ---
    "unseen47_mega_99009_thin100": lambda: (
        lambda pool: thin(
            pool,
            _u(47),
            1 - 100 / len(pool.rows),
            "100 random rows of program 99009 of mega_pool (no junk rows; exposerr empty)",
        )
    )(select_programs(source("mega_pool"), {"99009"}, "")),
    "unseen48_min_exposerr_empty": lambda: set_column(
        first_rows(source("pool_002_image_miri"), 1),
        "exposerr",
        [""],
        "first row of pool_002_image_miri with an empty exposerr column",
    ),
    "unseen49_min_exposerr_width2": lambda: set_column(
        first_rows(source("pool_002_image_miri"), 2),
        "exposerr",
        ["", "ok"],
        "first two rows of pool_002_image_miri, exposerr empty and 'ok'",
    ),
    "unseen50_min_targetid_width2": lambda: set_column(
        first_rows(source("pool_002_image_miri"), 2),
        "targetid",
        ["", "10"],
        "first two rows of pool_002_image_miri, targetid empty and '10'",
    ),
    "unseen51_min_program_width3": lambda: set_column(
        first_rows(source("jw00632_dups"), 2),
        "program",
        ["", "632"],
        "first two rows of jw00632_dups, program empty and '632'",
    ),
    # --- fourth batch: double-quoted cells (astropy's quoting, as its writer makes them) ---
    "unseen52_min_quoted_filename": lambda: set_column(
        first_rows(source("pool_002_image_miri"), 1),
        "filename",
        ['"jw_00001_uncal.fits"'],
        "first row of pool_002_image_miri, file name in double quotes",
    ),
    "unseen53_min_quoted_delimiter": lambda: set_column(
        first_rows(source("pool_002_image_miri"), 1),
        "targname",
        ['"dil|ngc-3603"'],
        "first row of pool_002_image_miri, targname with the delimiter, in double quotes",
    ),
    # --- fifth batch: asn_candidate text that is not a list ---
    "unseen54_min_candidate_not_a_list": lambda: set_column(
        first_rows(source("pool_002_image_miri"), 2),
        "asn_candidate",
        ["[('o001', 'observation')]", "o001"],
        "first two rows of pool_002_image_miri, the second with asn_candidate 'o001' (no list)",
    ),
}


def build_all(out: Path) -> list[Path]:
    """Write every unseen pool into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in UNSEEN.items():
        path = out / f"{name}.csv"
        path.write_text(make().text())
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the pools")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        pool = read_text_pool(path)
        print(f"{path.name}\t{len(pool.rows)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
