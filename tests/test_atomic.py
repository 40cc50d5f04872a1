"""asnkit.atomic: the one way asnkit writes files."""

from __future__ import annotations

import os
import stat

import pytest

import asnkit
from asnkit.atomic import write_text
from tests.helpers import pool_file


def test_new_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_text(tmp_path / "a.json", "{}")
        asnkit.generate(asnkit.read_pool(pool_file("pool_002_image_miri"))).write(tmp_path / "asn")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "asn").glob("*.json")}
    assert modes == {0o644}


def test_refuses_to_replace_and_keeps_the_mode_when_asked(tmp_path):
    path = write_text(tmp_path / "a.txt", "one")
    path.chmod(0o600)
    with pytest.raises(FileExistsError, match=r"a\.txt: file exists"):
        write_text(path, "two")
    assert path.read_text() == "one"
    write_text(path, "two", overwrite=True)
    assert path.read_text() == "two" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left


def test_missing_folder_is_an_error_unless_asked(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_text(tmp_path / "new" / "a.txt", "x")
    assert write_text(tmp_path / "new" / "a.txt", "x", make_folder=True).read_text() == "x"
