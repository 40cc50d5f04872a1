"""The command line never prints a traceback (issue 16, items 3 and 8): each reproducer.

Every failure is one line ``asnkit CMD: error: ...`` on standard error and a
non-zero exit status.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from asnkit.cli import main
from tests.helpers import EXPECTED, EXPOSURES, asnkit_command, pool_file

POOL = pool_file("pool_002_image_miri")
LV3 = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image3_00001_asn.json"
NIRCAM = sorted(EXPOSURES.glob("*.fits"))


def _one_error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith(f"asnkit {command}: warning")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"asnkit {command}: error: "), err
    return lines[0]


def _cannot_create_in(folder: Path) -> bool:
    try:
        (folder / ".probe").touch()
    except OSError:
        return True
    (folder / ".probe").unlink()
    return False


@pytest.fixture
def unwritable(tmp_path):
    """A folder nobody can write into: read-only for a user, a sysfs folder for root."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if _cannot_create_in(folder):
            yield folder
            return
        system = Path("/sys/kernel")
        if system.is_dir() and _cannot_create_in(system):
            yield system
            return
        pytest.skip("no folder this user cannot write into")
    finally:
        folder.chmod(0o755)


@pytest.fixture
def unreadable(tmp_path):
    """A file that cannot be read: no permission for a user, /proc/self/mem for root."""
    path = tmp_path / "locked_asn.json"
    path.write_text(LV3.read_text())
    path.chmod(0)
    try:
        try:
            path.read_bytes()
        except OSError:
            yield path
            return
        memory = Path("/proc/self/mem")
        try:
            memory.read_bytes()
        except OSError:
            yield memory
            return
        pytest.skip("no file this user cannot read")
    finally:
        path.chmod(0o644)


def _argv(command: str, folder: Path, tmp_path: Path) -> list[str]:
    asn = tmp_path / "in_asn.json"
    asn.write_text(LV3.read_text())
    return {
        "generate": ["generate", str(POOL), "-o", str(folder / "out")],
        "generate-into": ["generate", str(POOL), "-o", str(folder)],
        "save-orphans": ["generate", str(POOL), "-o", str(tmp_path / "ok"),
                         "--save-orphans", str(folder / "orphans.csv")],
        "from-list": ["from-list", "jw_1_cal.fits", "--product-name", "p",
                      "-o", str(folder / "x_asn.json")],
        "edit": ["edit", str(asn), "--remove", "jw_00001", "-o", str(folder / "x_asn.json")],
        "pool": ["pool", *map(str, NIRCAM[:2]), "-o", str(folder / "pool.csv")],
    }[command]  # fmt: skip


@pytest.mark.parametrize(
    "command", ["generate", "generate-into", "save-orphans", "from-list", "edit", "pool"]
)
def test_unwritable_output_is_one_line(command, unwritable, tmp_path, capsys):
    argv = _argv(command, unwritable, tmp_path)
    assert main(argv) == 2
    line = _one_error_line(capsys, argv[0])
    assert str(unwritable) in line


def test_unreadable_file_in_diff_and_validate_is_one_line(unreadable, capsys):
    assert main(["diff", str(unreadable), str(LV3)]) == 2
    line = _one_error_line(capsys, "diff")
    assert str(unreadable) in line
    assert main(["validate", "-q", str(unreadable)]) == 2
    line = _one_error_line(capsys, "validate")
    assert str(unreadable) in line


@pytest.mark.parametrize("command", ["generate", "from-list", "edit", "pool"])
def test_output_under_a_file_is_one_line(command, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("precious")
    argv = _argv(command, afile / "sub", tmp_path)
    assert main(argv) == 2
    assert "Not a directory" in _one_error_line(capsys, argv[0])
    assert afile.read_text() == "precious"


def test_generate_into_a_file_is_one_line(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("precious")
    assert main(["generate", str(POOL), "-o", str(afile)]) == 2
    assert "not a folder" in _one_error_line(capsys, "generate")


@pytest.mark.parametrize("what", ["directory", "missing"])
def test_edit_validate_summary_given_a_directory_or_nothing(what, tmp_path, capsys):
    path = tmp_path if what == "directory" else tmp_path / "nothing.json"
    assert main(["edit", str(path), "--remove", "x"]) == 2
    _one_error_line(capsys, "edit")
    assert main(["summary", str(path)]) == 2
    _one_error_line(capsys, "summary")
    assert main(["explain", str(path), "--orphans"]) == 2
    _one_error_line(capsys, "explain")
    assert main(["generate", str(path), "-o", str(tmp_path / "out")]) == 2
    _one_error_line(capsys, "generate")


def test_a_file_name_too_long_is_one_line(tmp_path, capsys):
    long = "x" * 300
    for argv in (
        ["generate", str(POOL), "-o", str(tmp_path / long)],
        ["from-list", "jw_1_cal.fits", "--product-name", "p", "-o", str(tmp_path / f"{long}.json")],
        ["pool", str(NIRCAM[0]), "-o", str(tmp_path / f"{long}.csv")],
    ):
        assert main(argv) == 2
        assert "too long" in _one_error_line(capsys, argv[0]).lower()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", ["from-list", "edit"])
def test_a_trailing_slash_means_a_folder(command, tmp_path, capsys):
    asn = tmp_path / "in_asn.json"
    asn.write_text(LV3.read_text())
    newdir = f"{tmp_path}/newdir/"
    argv = {
        "from-list": ["from-list", "jw01234001001_02101_00001_nrca1_cal.fits",
                      "--product-name", "p", "-o", newdir],
        "edit": ["edit", str(asn), "--remove", "jw_00001", "-o", newdir],
    }[command]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    assert (tmp_path / "newdir").is_dir()
    written = list((tmp_path / "newdir").iterdir())
    assert len(written) == 1 and written[0].name.endswith("_asn.json")
    json.loads(written[0].read_text())


def test_an_internal_error_says_how_to_report_it(monkeypatch, capsys):
    import asnkit.pool.summary

    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(asnkit.pool.summary, "summary", broken)
    assert main(["summary", str(POOL)]) == 3
    line = _one_error_line(capsys, "summary")
    assert "internal error (ZeroDivisionError: oops)" in line
    assert "please report it at https://" in line and "-vv" in line


def test_an_interrupt_is_one_line(monkeypatch, capsys):
    import asnkit.pool.summary

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(asnkit.pool.summary, "summary", interrupted)
    assert main(["summary", str(POOL)]) == 130
    assert capsys.readouterr().err == "asnkit summary: interrupted\n"


def test_the_installed_command_prints_no_traceback(tmp_path):
    """The real ``asnkit`` process, not main(): one line, status 2."""
    argv = asnkit_command()
    done = subprocess.run(
        [*argv, "edit", str(tmp_path), "--remove", "x"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("asnkit edit: error: ") and done.stderr.count("\n") == 1


@pytest.mark.parametrize("products", ['["x"]', '"abc"', "[{}]", '[{"name": "p", "members": [1]}]'])
def test_edit_on_a_malformed_document_is_one_line_not_an_internal_error(products, tmp_path, capsys):
    path = tmp_path / "x_asn.json"  # found by scripts/fuzz_campaign.py
    path.write_text(f'{{"asn_type": "image3", "products": {products}}}')
    assert main(["edit", str(path), "--remove", "jw_00001", "-o", str(tmp_path / "e/")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asnkit edit: error: ") and "internal error" not in err
    assert not (tmp_path / "e").exists()
