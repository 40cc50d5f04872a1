"""asnkit summary / asnkit pool on the command line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import asnkit
from asnkit.cli import main
from tests.helpers import EXPOSURES, pool_file

NIRCAM = sorted(EXPOSURES.glob("*.fits"))


def test_summary_prints_the_table(capsys):
    assert main(["summary", str(pool_file("pool_002_image_miri"))]) == 0
    out = capsys.readouterr().out
    table = asnkit.summary(asnkit.read_pool(pool_file("pool_002_image_miri")))
    for column in table.columns:
        assert column in out
    assert "mir_image" in out and "f560w" in out
    assert "8 rows, 8 exposures in 1 group\n" in out


def test_summary_reports_junk_rows_on_stderr_and_groups_by(capsys):
    assert main(["summary", str(pool_file("pool_001_candidates")), "--by", "candidate"]) == 0
    captured = capsys.readouterr()
    assert "2 junk row(s)" in captured.err
    assert "c1000" in captured.out and "mosaic" in captured.out
    # 70 exposures, each in an observation and a mosaic candidate: 140 pairs, not exposures
    pool = asnkit.read_pool(pool_file("pool_001_candidates"))
    from asnkit.dms.names import junk_rows

    assert int((~junk_rows(pool["filename"])).sum()) == 70
    assert (
        f"{len(pool)} rows (2 junk rows, not exposures), 70 exposures, "
        "140 exposure-candidate pairs in 10 groups" in captured.out
    )
    assert main(["summary", str(pool_file("pool_001_candidates"))]) == 0
    assert ", 70 exposures in " in capsys.readouterr().out  # one group per exposure: no pairs


def test_summary_errors_exit_2_with_a_message(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("filename|a\nx.fits|1|2\n")
    assert main(["summary", str(bad)]) == 2
    assert "bad.csv, line 2" in capsys.readouterr().err
    assert main(["summary", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    assert main(["summary", str(pool_file("pool_002_image_miri")), "--by", "filtr"]) == 2
    assert "close matches: filter" in capsys.readouterr().err


def test_pool_writes_a_pool_that_reads_back(tmp_path, capsys):
    target = tmp_path / "made_pool.csv"
    assert main(["pool", *map(str, NIRCAM), "-o", str(target)]) == 0
    assert "3 exposures" in capsys.readouterr().out
    pd.testing.assert_frame_equal(
        asnkit.read_pool(target), asnkit.pool_from_files(NIRCAM), check_dtype=False
    )
    # refuses to replace it unless asked
    assert main(["pool", str(NIRCAM[0]), "-o", str(target)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert len(asnkit.read_pool(target)) == 3
    assert main(["pool", str(NIRCAM[0]), "-o", str(target), "--overwrite"]) == 0
    assert len(asnkit.read_pool(target)) == 1


def test_pool_extra_candidates_and_bad_files(tmp_path, capsys):
    target = tmp_path / "p.csv"
    argv = ["pool", str(NIRCAM[0]), "-o", str(target), "--candidates", "[('c1000', 'background')]"]
    assert main(argv) == 0
    assert "c1000" in asnkit.read_pool(target)["asn_candidate"].iat[0]
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    assert main(["pool", str(notes), "-o", str(tmp_path / "q.csv")]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert not (tmp_path / "q.csv").exists()


@pytest.mark.parametrize("command", ["summary", "pool"])
def test_help_reads_well(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: asnkit {command}" in out and "example:" in out


def test_python_dash_m_runs_summary():
    done = subprocess.run(
        [sys.executable, "-m", "asnkit", "summary", str(pool_file("pool_002_image_miri"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "mir_image" in done.stdout
