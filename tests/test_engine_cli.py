"""``asnkit generate``: the command line the project is measured with."""

from __future__ import annotations

import json
import warnings

import pytest

import asnkit
from asnkit.cli import main
from tests.helpers import EXPECTED, pool_file

VERSION_ID = "20250101t000000"


def run(*argv: str) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return main(["generate", *argv])


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*.json"))


def test_writes_the_files_asn_generate_writes(tmp_path):
    out = tmp_path / "new" / "folder"  # created
    assert (
        run(str(pool_file("pool_002_image_miri")), "-o", str(out), "--version-id", VERSION_ID) == 0
    )
    expected = EXPECTED / "pool_002_image_miri"
    assert names(out) == names(expected)
    for path in expected.glob("*.json"):
        want = json.loads(path.read_text())
        got = json.loads((out / path.name).read_text())
        assert got["products"] == want["products"]
        assert got["code_version"] == f"asnkit {asnkit.__version__}"
        assert isinstance(got["constraints"], str) and "0x" not in got["constraints"]


def test_refuses_to_overwrite(tmp_path, capsys):
    pool = str(pool_file("pool_002_image_miri"))
    assert run(pool, "-o", str(tmp_path)) == 0
    first = {p.name: p.read_text() for p in tmp_path.glob("*.json")}
    capsys.readouterr()
    assert run(pool, "-o", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "exists" in err and ".json" in err and "overwrite" in err
    assert {p.name: p.read_text() for p in tmp_path.glob("*.json")} == first
    assert run(pool, "-o", str(tmp_path), "--overwrite") == 0


@pytest.mark.parametrize(
    ("options", "check"),
    [
        (["--rules", "level3"], lambda n: n and all("image2" not in x for x in n)),
        (["--rules", "level2"], lambda n: n and all("image2" in x for x in n)),
        (["--discover"], lambda n: n and all("-a3001_image3_" in x for x in n)),
        (["--all-candidates"], lambda n: len(n) == 20 and not any("a3001" in x for x in n)),
        (["-i", "o001"], lambda n: n and all("-o001_" in x for x in n)),
    ],
)
def test_modes(tmp_path, options, check):
    assert run(str(pool_file("pool_003_image_nircam")), "-o", str(tmp_path), *options) == 0
    assert check(names(tmp_path))


def test_modes_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        run("pool.csv", "--discover", "--all-candidates")
    assert "not allowed" in capsys.readouterr().err


def test_save_orphans(tmp_path):
    orphans = tmp_path / "orphans.csv"
    pool = pool_file("pool_018_all_exptypes")
    assert run(str(pool), "-o", str(tmp_path / "asns"), "--save-orphans", str(orphans)) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = asnkit.read_pool(orphans)
        source = asnkit.read_pool(pool)
    assert 0 < len(table) < len(source)
    assert list(table.columns) == list(source.columns)
    written = " ".join(p.read_text() for p in (tmp_path / "asns").glob("*.json"))
    for filename in table["filename"]:
        if " " not in filename:  # junk rows are orphans too
            assert filename.lower().replace("_uncal.fits", "") not in written


def test_save_orphans_refuses_an_existing_file(tmp_path, capsys):
    orphans = tmp_path / "orphans.csv"
    orphans.write_text("mine")
    pool = str(pool_file("pool_002_image_miri"))
    assert run(pool, "-o", str(tmp_path / "asns"), "--save-orphans", str(orphans)) == 2
    assert "orphans.csv" in capsys.readouterr().err
    assert orphans.read_text() == "mine"
    assert not (tmp_path / "asns").exists()


def test_pool_without_candidates(tmp_path, capsys):
    pool = str(pool_file("jw93060_20150312T160130_pool"))
    assert main(["generate", pool, "-o", str(tmp_path)]) == 0
    assert "asnkit generate: warning: " in capsys.readouterr().err
    with pytest.warns(asnkit.AssociationWarning, match="no asn_candidate column"):
        asnkit.generate(asnkit.read_pool(pool))
    assert len(names(tmp_path)) > 0


def test_missing_pool(tmp_path, capsys):
    assert run(str(tmp_path / "nope.csv"), "-o", str(tmp_path)) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_a_candidate_not_in_the_pool_is_an_error(tmp_path, capsys):
    pool = str(pool_file("pool_003_image_nircam"))
    out = tmp_path / "out"
    assert run(pool, "-o", str(out), "-i", "o999") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["asnkit generate: error: candidate 'o999' not in pool_003_image_nircam.csv"]
    assert not out.exists() or not names(out)
    assert run(pool, "-o", str(out), "-i", "o001", "O001") == 2  # ids are exact, close ones named
    err = capsys.readouterr().err
    assert "error: candidate 'O001' (close matches: o001) not in pool_003" in err
    with pytest.warns(asnkit.AssociationWarning, match="o999"):  # the library warns
        assert not asnkit.generate(asnkit.read_pool(pool), candidates=["o999"])


def test_files_of_another_pool_are_not_said_to_be_from_this_one(tmp_path, capsys):
    import shutil

    pool = str(pool_file("pool_002_image_miri"))
    assert run(pool, "-o", str(tmp_path), "--version-id", VERSION_ID) == 0
    capsys.readouterr()
    assert run(pool, "-o", str(tmp_path), "--version-id", VERSION_ID) == 2
    assert "from an earlier run on this pool (use --overwrite" in capsys.readouterr().err
    # the same names from another pool (same program, same candidates)
    other = tmp_path / "pool_020_twin.csv"
    shutil.copy(pool, other)
    assert run(str(other), "-o", str(tmp_path), "--version-id", VERSION_ID) == 2
    err = capsys.readouterr().err
    assert "from an earlier run on pool_002_image_miri.csv (use --overwrite" in err
    assert "this pool" not in err
    for path in tmp_path.glob("*_asn.json"):  # a file that does not say its pool
        doc = json.loads(path.read_text())
        del doc["asn_pool"]
        path.write_text(json.dumps(doc))
    assert run(str(other), "-o", str(tmp_path), "--version-id", VERSION_ID) == 2
    err = capsys.readouterr().err
    assert "from an earlier run (use --overwrite" in err
