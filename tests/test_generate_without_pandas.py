"""``asnkit generate`` reads, generates and writes without pandas, with the same output.

The command reads the pool into coded columns (:func:`asnkit.pool.parse.parse_pool`), and
the engine builds its table from them; ``read_pool`` makes its DataFrame from the same
columns, and a frame given to the engine is coded the same way. These tests check that
pandas is never imported by the command, and that every route gives the same table,
the same run and the same files.
"""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import asnkit
from asnkit.engine.table import build_table
from asnkit.pool.coded import CodedPool, code_frame, factorize
from asnkit.pool.parse import parse_pool
from tests.helpers import POOLS

VERSION = "20250101t000000"
SEVERAL = [
    "pool_002_image_miri",
    "pool_005_spec_niriss",
    "pool_006_spec_nirspec",
    "pool_008_exposerr",
    "pool_019_niriss_wfss",
    "pool_021_tso",
    "jw93060_20150312T160130_pool",
    "mega_pool",
]


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def test_the_generate_command_never_imports_pandas(tmp_path):
    """Fresh folder, existing folder, --overwrite, refusal, -i (known and unknown): no pandas."""
    pool, out = str(POOLS / "mega_pool.csv"), str(tmp_path / "out")
    runs = [
        ["generate", pool, "-o", out, "--version-id", VERSION],
        ["generate", pool, "-o", out, "--version-id", VERSION],  # refused: files exist
        ["generate", pool, "-o", out, "--version-id", VERSION, "--overwrite"],
        ["generate", pool, "-o", str(tmp_path / "one"), "-i", "o001", "--version-id", VERSION],
        ["generate", pool, "-o", str(tmp_path / "bad"), "-i", "o0001", "c100"],
        ["generate", str(POOLS / "pool_004_wfs.csv"), "-o", str(tmp_path / "wfs")],
    ]
    script = (
        "import json, sys\n"
        "from asnkit.cli import main\n"
        f"statuses = [main(arguments) for arguments in {runs!r}]\n"
        "print(json.dumps({'statuses': statuses, 'pandas': 'pandas' in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"statuses": [0, 2, 0, 0, 2, 0], "pandas": False}, done.stderr
    assert "file exists" in done.stderr and "'o0001' (close matches: o001" in done.stderr
    assert "858 associations written" in done.stderr
    assert (tmp_path / "one").is_dir() and not (tmp_path / "bad").exists()


def test_saving_orphans_is_the_one_generate_option_that_makes_a_frame(tmp_path):
    pool = str(POOLS / "pool_002_image_miri.csv")
    script = (
        "import sys\n"
        "from asnkit.cli import main\n"
        f"assert main(['generate', {pool!r}, '-o', {str(tmp_path / 'o')!r},"
        f" '--save-orphans', {str(tmp_path / 'orphans.csv')!r}]) == 0\n"
        "assert 'pandas' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    frame = _quiet(asnkit.read_pool, POOLS / "pool_002_image_miri.csv")
    made = _quiet(asnkit.run, frame)
    expected = made.orphan_rows()
    pd.testing.assert_frame_equal(
        asnkit.read_pool(tmp_path / "orphans.csv"), expected.reset_index(drop=True)
    )


@pytest.mark.parametrize("name", SEVERAL)
def test_the_command_writes_what_generate_on_the_frame_writes(tmp_path, name):
    from asnkit.cli import main

    path = POOLS / f"{name}.csv"
    assert (
        _quiet(main, ["generate", str(path), "-o", str(tmp_path / "cli"), "--version-id", VERSION])
        == 0
    )
    frame = _quiet(asnkit.read_pool, path)
    _quiet(asnkit.generate, frame, version_id=VERSION).write(tmp_path / "frame")
    made = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert made == sorted(p.name for p in (tmp_path / "frame").iterdir()) and made
    same, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "cli", tmp_path / "frame", made, shallow=False
    )
    assert (same, mismatch, errors) == (made, [], [])


def _table_facts(table) -> dict:
    facts = {}
    for name, column in table.cols.items():
        coded = table.coded(name)
        facts[name] = (
            type(column).__name__,
            table.column(name),
            coded[0].dtype.str,
            coded[0].tolist(),
            list(coded[1]),
        )
    return facts


@pytest.mark.parametrize("name", SEVERAL)
def test_the_table_of_the_coded_pool_is_the_table_of_its_frame(name):
    path = POOLS / f"{name}.csv"
    coded = _quiet(parse_pool, path)
    frame = coded.to_frame()
    pd.testing.assert_frame_equal(frame, _quiet(asnkit.read_pool, path), check_exact=True)
    assert frame.attrs == coded.attrs
    from_coded, from_frame = _quiet(build_table, coded), _quiet(build_table, frame)
    assert (from_coded.n, from_coded.asn_pool) == (from_frame.n, from_frame.asn_pool)
    assert _table_facts(from_coded) == _table_facts(from_frame)


@pytest.mark.parametrize("name", SEVERAL[:4])
def test_a_run_on_the_coded_pool_is_the_run_on_its_frame(name):
    path = POOLS / f"{name}.csv"
    coded = _quiet(parse_pool, path)
    frame = _quiet(asnkit.read_pool, path)
    on_coded = _quiet(asnkit.run, coded, version_id=VERSION)
    on_frame = _quiet(asnkit.run, frame, version_id=VERSION)
    assert repr(on_coded) == repr(on_frame)
    assert isinstance(on_coded._pool, CodedPool)  # the frame is made only when asked for
    pd.testing.assert_frame_equal(on_coded.to_frame(), on_frame.to_frame())
    pd.testing.assert_frame_equal(on_coded.pool, frame)
    assert on_coded.pool.attrs == frame.attrs
    pd.testing.assert_frame_equal(on_coded.orphans(), on_frame.orphans())
    documents = [a.to_dict() for a in on_coded.associations()]
    assert documents == [a.to_dict() for a in on_frame.associations()]


def test_a_frame_is_coded_as_read_with_its_own_names_and_index():
    frame = pd.DataFrame(
        {"FileName": ["a.fits", "b.fits", "a.fits"], "n": [3, None, 3]}, index=[10, 11, 12]
    )
    coded = code_frame(frame)
    assert coded.columns == ["FileName", "n"] and list(coded.index) == [10, 11, 12]
    codes, values = coded.column("filename")
    assert codes.tolist() == [0, 1, 0] and values == ["a.fits", "b.fits"]
    codes, values = coded.column("n")
    assert codes.tolist() == [0, -1, 0] and values == [3.0]
    assert coded.column("absent") is None and coded.distinct("absent") == []


def test_run_refuses_what_is_neither_a_frame_nor_coded_columns():
    with pytest.raises(asnkit.PoolError, match="pool must be a DataFrame"):
        asnkit.run({"filename": ["a.fits"]})


@given(
    st.lists(
        st.sampled_from(["a", "b", "B", "", " a", "é", "null", "a\n"]) | st.text(), max_size=60
    )
)
def test_factorize_codes_text_as_pandas_does(values):
    codes, uniques = factorize(values)
    expected_codes, expected_uniques = pd.factorize(np.asarray(values, dtype=object))
    assert codes.tolist() == expected_codes.tolist()
    assert uniques == list(expected_uniques)
    assert codes.dtype == expected_codes.dtype


def test_the_whole_command_line_parser_loads_no_pandas():
    """``asnkit --version`` builds every command's parser (generate-many's imports the manifest)."""
    script = (
        "import sys\n"
        "from asnkit.cli import build_parser\n"
        "build_parser()\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_junk_row_warning_names_the_caller_of_either_reader():
    path = POOLS / "mega_pool.csv"
    for read in (asnkit.read_pool, parse_pool):
        with pytest.warns(asnkit.PoolWarning, match="36 junk row") as caught:
            read(path)
        assert [w.filename for w in caught] == [__file__]


def test_ids_asked_for_on_a_pool_without_asn_candidate_are_its_observations(tmp_path):
    # generation makes observation candidates from obs_num there: -i o001 is one of them
    path = POOLS / "jw93060_20150312T160130_pool.csv"
    command = [sys.executable, "-m", "asnkit", "generate", str(path), "--version-id",
               "20250101t000000", "-o"]  # fmt: skip
    done = subprocess.run(
        [*command, str(tmp_path / "a"), "-i", "o001"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = asnkit.generate(asnkit.read_pool(path), candidates=["o001"],
                                   version_id="20250101t000000")  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        a.filename for a in expected
    )
    done = subprocess.run(
        [*command, str(tmp_path / "b"), "-i", "o009"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "candidate 'o009' (close matches: o002, o001) not in" in done.stderr, done.stderr
