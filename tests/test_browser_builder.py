"""The AssociationBuilder in a real browser refuses the 140-exposure mixed-filter association.

As a new user would: in JupyterLab (Debian's chromium through Playwright), on the shipped demo
program, click *Reset filters* then *Add filtered*, type a product name with spaces, click
*Export JSON*: the builder lists the errors in words and does not write the file; ticking
*export anyway* writes it. The Python-side state is read back from the kernel.

The JupyterLab and browser plumbing is that of tests/test_browser.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.test_browser import (
    ALL_CELLS_RAN,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_MS,
    RUN_TIMEOUT_MS,
    WIDGET_VIEWS,
    _artifacts,
    _chromium,
    _free_port,
    _lab_environment,
    _start_kernel_session,
    _sync_playwright,
    _wait_for_server,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "builder.ipynb"
SETUP = """import warnings
warnings.simplefilter("ignore")
import asnkit
pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
builder = asnkit.widgets.AssociationBuilder(pool, sky=False, path="mosaic_asn.json")
builder"""
STATE = """import json, os
m = builder.model
print("STATE " + json.dumps({"n": len(m.selected), "valid": m.valid, "errors": m.errors,
      "product": m.product_name, "override": m.override, "written": m.written,
      "exists": os.path.exists("mosaic_asn.json"), "status": m.status}))"""


@pytest.fixture
def browser_tools():
    """(Chromium executable, playwright's sync_playwright); skips when either is missing."""
    return _chromium(), _sync_playwright()


@pytest.fixture
def builder_lab(browser_tools, tmp_path: Path):
    root = tmp_path / "root"
    root.mkdir()
    book = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(STATE)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}},
    )  # fmt: skip
    nbformat.write(book, root / NOTEBOOK)
    port, token = _free_port(), "builder-test-token"
    log = tmp_path / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.allow_root=True"]  # fmt: skip
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=_lab_environment(tmp_path / "jupyter"),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(proc, f"{base}/api/status?token={token}", log)
        _start_kernel_session(base, token, NOTEBOOK)
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}", root, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _state(page) -> dict:
    """Run the second cell from the browser and read the model's state it prints."""
    cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
    cells.nth(1).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    output = cells.nth(1).locator(".jp-OutputArea-output", has_text="STATE ")
    output.wait_for(timeout=RUN_TIMEOUT_MS)
    text = output.inner_text().strip()
    page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_TIMEOUT_MS, polling=250)
    return json.loads(text.split("STATE ", 1)[1])


def test_builder_in_chromium_refuses_the_mixed_filter_association(
    browser_tools, builder_lab, tmp_path
):
    executable, sync_playwright = browser_tools
    url, root, log = builder_lab
    screenshot = _artifacts(tmp_path) / "browser_builder_refuses_mixed_filters.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            try:
                page.goto(url, wait_until="domcontentloaded")
                page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(state="visible")
                idle = '.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]'
                page.locator(idle).wait_for(state="attached")
                # run the first cell only: the builder appears
                page.locator(".jp-NotebookPanel .jp-CodeCell").first.locator(
                    ".jp-InputArea-editor"
                ).click()
                page.keyboard.press("Shift+Enter")
                view = page.locator(WIDGET_VIEWS).first
                view.wait_for(timeout=RUN_TIMEOUT_MS)
                view.get_by_role("button", name="Reset filters").click()
                view.get_by_role("button", name="Add filtered").click()
                product = view.locator(".widget-text", has_text="product").locator("input")
                product.click()
                page.keyboard.type("my mosaic F150W")
                page.keyboard.press("Enter")  # the product box updates on Enter / blur
                messages = view.locator(".widget-html", has_text="calwebb would not do")
                messages.wait_for()
                text = messages.inner_text()
                assert "3 errors: calwebb would not do what this image3 association says" in text
                assert "mix filters: f150w (96), f444w (24)" in text
                assert "20 background members: calwebb_image3 reads only science" in text
                assert "spaces" in view.inner_text()
                view.get_by_role("button", name="Export JSON").click()
                status = view.locator(".widget-html", has_text="not exported")
                status.wait_for()
                assert "3 errors found" in status.inner_text()
                state = _state(page)
                assert state["n"] == 140 and not state["valid"]
                assert state["product"] == "my mosaic F150W"
                assert not state["exists"] and state["written"] == ""
                assert [e[-8:] for e in state["errors"]] == ["[ASN101]", "[ASN202]", "[ASN203]"]
                # the user insists: tick 'export anyway', export again
                view.locator(".widget-checkbox", has_text="export anyway").locator("input").check()
                view.get_by_role("button", name="Export JSON").click()
                view.locator(".widget-html", has_text="exported anyway").wait_for()
                state = _state(page)
                assert state["override"] and state["exists"]
                assert state["written"].endswith("mosaic_asn.json")
                written = json.loads((root / "mosaic_asn.json").read_text())
                assert len(written["products"][0]["members"]) == 140
            except Exception:
                print(f"JupyterLab log (tail):\n{log.read_text()[-3000:]}")
                raise
            finally:
                page.screenshot(path=str(screenshot), full_page=True, timeout=10_000)
                print(f"screenshot: {screenshot}")
        finally:
            browser.close()
