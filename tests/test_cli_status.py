"""Exit statuses of the real ``asnkit`` command, as diff(1) and cmp(1) have them.

0: done (the same, valid, no error finding); 1: the answer is no (they differ,
a file is invalid, an error finding); 2: trouble (a file missing, not JSON, an
invalid document to compare, bad usage), never confused with 1.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from asnkit.cli import build_parser
from asnkit.errors import ExitStatus
from tests.helpers import EXPECTED, EXPOSURES, asnkit_command, pool_file

LV3 = EXPECTED / "pool_002_image_miri" / "jw99009-o001_20250101t000000_image3_00001_asn.json"


def asnkit(*args: str | Path) -> subprocess.CompletedProcess:
    """Run the installed ``asnkit`` command; its output as text."""
    return subprocess.run(
        [*asnkit_command(), *map(str, args)], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """An association, an edited copy, one with an error finding, and broken files."""
    doc = json.loads(LV3.read_text())
    same = tmp_path / "same_asn.json"
    same.write_text(LV3.read_text())
    other = json.loads(LV3.read_text())
    other["products"][0]["members"].pop()
    changed = tmp_path / "changed_asn.json"
    changed.write_text(json.dumps(other))
    doc["products"][0]["members"][0]["exptype"] = "background"  # calwebb_image3 ignores it
    finding = tmp_path / "background_asn.json"
    finding.write_text(json.dumps(doc))
    invalid = json.loads(LV3.read_text())
    del invalid["products"][0]["members"][0]["expname"]
    schema = tmp_path / "invalid_asn.json"
    schema.write_text(json.dumps(invalid))
    broken = tmp_path / "broken_asn.json"
    broken.write_text("{")
    return {
        "original": LV3,
        "same": same,
        "changed": changed,
        "finding": finding,
        "invalid": schema,
        "broken": broken,
        "missing": tmp_path / "missing_asn.json",
    }


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("original", "same", ExitStatus.OK),
        ("original", "changed", ExitStatus.FOUND),
        ("same", "missing", ExitStatus.TROUBLE),
        ("broken", "same", ExitStatus.TROUBLE),
        ("same", "invalid", ExitStatus.TROUBLE),
    ],
)
def test_diff_tells_different_from_trouble(files, first, second, status):
    done = asnkit("diff", files[first], files[second])
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    if status is ExitStatus.TROUBLE:
        assert done.stderr.startswith("asnkit diff: error: ")
        assert done.stdout == ""  # never "no differences" for what was not compared
    elif status is ExitStatus.FOUND:
        assert "jw" in done.stdout and done.stderr == ""
    else:
        assert "no differences" in done.stdout


def test_check_tells_error_findings_from_trouble(files):
    assert asnkit("check", files["same"]).returncode == ExitStatus.OK
    found = asnkit("check", files["finding"])
    assert found.returncode == ExitStatus.FOUND
    assert "error ASN101" in found.stdout
    # a file that cannot be read is trouble, even beside an error finding (which is still shown)
    both = asnkit("check", files["finding"], files["broken"])
    assert both.returncode == ExitStatus.TROUBLE
    assert "error ASN101" in both.stdout and "broken_asn.json: error: cannot read" in both.stdout
    assert asnkit("check", files["missing"]).returncode == ExitStatus.TROUBLE


def test_validate_tells_invalid_from_trouble(files):
    assert asnkit("validate", files["same"]).returncode == ExitStatus.OK
    assert asnkit("validate", files["same"], files["invalid"]).returncode == ExitStatus.FOUND
    assert asnkit("validate", files["broken"]).returncode == ExitStatus.FOUND  # not JSON: invalid
    missing = asnkit("validate", files["invalid"], files["missing"])
    assert missing.returncode == ExitStatus.TROUBLE  # no answer for a file that is not there
    assert missing.stderr.splitlines()[0] == (
        f"asnkit validate: error: {files['missing']}: no such file or folder"
    )  # the one-line form of every command (asnkit check says the same)
    assert "missing_asn.json" not in missing.stdout  # not a validation result


def test_errors_of_commands_without_an_answer_are_trouble(tmp_path):
    done = asnkit("generate", tmp_path / "nope.csv", "-o", tmp_path / "out")
    assert done.returncode == ExitStatus.TROUBLE
    assert done.stderr.startswith("asnkit generate: error: ")
    usage = asnkit("summary")
    assert usage.returncode == ExitStatus.TROUBLE and "usage:" in usage.stderr
    assert asnkit("summary", pool_file("pool_002_image_miri")).returncode == ExitStatus.OK


def test_a_role_without_equals_is_a_one_line_usage_error(files, tmp_path):
    """It was a SystemExit with a message: status 1, and an exception escaping main()."""
    out = tmp_path / "out_asn.json"
    done = asnkit("edit", files["same"], "--set-role", "psf", "-o", out)
    assert done.returncode == ExitStatus.TROUBLE
    assert done.stderr == "asnkit edit: error: expected FILE=ROLE, got 'psf'\n"
    assert not out.exists()


COMMANDS = ["summary", "pool", "generate", "explain", "validate", "from-list", "edit", "diff",
            "check", "generate-many"]  # fmt: skip


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_every_command_documents_its_exit_statuses(capsys):
    listed = _help(capsys)
    assert [name for name in COMMANDS if f" {name} " in listed] == COMMANDS
    assert "1 when the answer is no" in listed
    answers = set()
    for name in COMMANDS:
        text = _help(capsys, name)
        assert "Exit status: 0 when done" in text, name
        assert "2 on trouble" in text and "3 on an internal error" in text, name
        if ", 1 when" in text:
            answers.add(name)
    assert answers == {"diff", "check", "validate", "generate-many"}
    shown = asnkit("diff", "--help")
    assert shown.returncode == 0
    assert "1 when something differs" in " ".join(shown.stdout.split())


def test_every_refused_write_names_the_option(tmp_path, capsys, monkeypatch):
    """The library says overwrite=True; every command says --overwrite, in one helper."""
    from asnkit.cli import main

    monkeypatch.chdir(tmp_path)
    exposures = [str(p) for p in sorted(EXPOSURES.glob("*.fits"))[:2]]
    commands = {
        "pool": ["pool", *exposures, "-o", "p.csv"],
        "from-list": ["from-list", "jw_1_cal.fits", "--product-name", "p", "-o", "a.json"],
        "edit": ["edit", "a.json", "--rename", "q"],  # would replace its input
    }
    assert main(commands["pool"]) == main(commands["from-list"]) == ExitStatus.OK
    capsys.readouterr()
    for name, argv in commands.items():
        assert main(argv) == ExitStatus.TROUBLE, name
        err = capsys.readouterr().err
        target = "p.csv" if name == "pool" else "a.json"
        said = f"{target}: file exists (use --overwrite to replace it)"
        assert err == f"asnkit {name}: error: {said}\n"
    # generate: a file written meanwhile by another run (after the check before generating)
    assert main(["generate", "p.csv", "-o", "out"]) == ExitStatus.OK
    monkeypatch.setattr("asnkit.generation.commands.earlier_output", lambda *args: [])
    capsys.readouterr()
    assert main(["generate", "p.csv", "-o", "out"]) == ExitStatus.TROUBLE
    err = capsys.readouterr().err
    assert err.startswith("asnkit generate: error: ") and "use --overwrite to replace" in err
    assert "overwrite=True" not in err
