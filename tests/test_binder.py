"""The Binder set-up (``binder/``) matches pyproject.toml and installs asnkit."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def _runtime_dependencies() -> dict[str, Requirement]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    reqs = [Requirement(text) for text in project["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def _binder_requirements() -> dict[str, Requirement]:
    found: dict[str, Requirement] = {}
    path = BINDER / "requirements.txt"
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:  # pip options (-r, -e ...) are not expected here
            pytest.fail(f"{path}:{number}: not a plain requirement: {raw!r} ({exc})")
        name = canonicalize_name(req.name)
        assert name not in found, f"{path}:{number}: {req.name} listed twice"
        found[name] = req
    return found


def test_pyproject_has_runtime_dependencies():
    deps = _runtime_dependencies()
    # the notebooks need these; if pyproject lost them the Binder check below would be vacuous
    assert {"pandas", "matplotlib", "ipywidgets"} <= set(deps)


def test_binder_requirements_name_every_runtime_dependency():
    deps = _runtime_dependencies()
    binder = _binder_requirements()
    missing = sorted(str(deps[name]) for name in set(deps) - set(binder))
    assert not missing, f"binder/requirements.txt lacks runtime dependencies: {missing}"


def test_binder_requirements_keep_pyproject_version_bounds():
    deps = _runtime_dependencies()
    binder = _binder_requirements()
    differ = {
        str(req): str(binder[name])
        for name, req in deps.items()
        if name in binder and binder[name].specifier != req.specifier
    }
    assert not differ, f"binder/requirements.txt bounds differ from pyproject.toml: {differ}"


def test_binder_requirements_include_jupyterlab():
    assert "jupyterlab" in _binder_requirements()


def test_binder_widgets_need_no_extension_build():
    # ipywidgets >= 8 brings its JupyterLab extension prebuilt; older ones need a labextension build
    req = _binder_requirements()["ipywidgets"]
    assert req.specifier, "ipywidgets must be bounded (>= 8) in binder/requirements.txt"
    assert not req.specifier.contains("7.8.5"), f"{req} allows ipywidgets 7"
    assert req.specifier.contains("8.1.0")


def test_postbuild_installs_the_package():
    path = BINDER / "postBuild"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!"), f"{path} needs a shebang line"
    assert os.access(path, os.X_OK), f"{path} must be executable"
    commands = [
        shlex.split(line, comments=True)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    installs = [
        words
        for words in commands
        if "pip" in " ".join(words[:3]) and "install" in words and "." in words
    ]
    assert installs, f"{path} does not pip-install the repository ('pip install -e .')"
    assert any("-e" in words or "--editable" in words for words in installs), (
        f"{path} should install asnkit editable so notebooks use this clone: {installs}"
    )
