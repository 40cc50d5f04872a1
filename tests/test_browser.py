"""Notebook 03 in a real browser: JupyterLab + headless Chromium render its widgets and plots.

The kernel-side tests (test_widgets, test_notebooks) show the widgets *work*; only a browser
shows that they *render*: that the front end finds the ipywidgets extension, that no widget is
left at 'Loading widget...', and that the sky plots arrive as images. The test starts JupyterLab
on 127.0.0.1 in a scratch folder holding a copy of the notebook, drives Debian's ``chromium``
with Playwright (never a downloaded browser), runs all cells from the Run menu, checks the page
and saves a full-page screenshot (to ``$ASNKIT_ARTIFACTS`` when set, else the test's tmp_path).

Skipped only when Chromium or the playwright package is missing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03_groupings_on_the_sky.ipynb"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "install Debian's Chromium (`apt-get install -y chromium`) and the test extra "
    '(`python -m pip install -e ".[test]"`, which brings playwright); never run '
    "`playwright install`: the test drives the system chromium"
)

SERVER_START_TIMEOUT = 30.0  # s, until /api/status answers
PAGE_TIMEOUT_MS = 20_000  # JupyterLab loaded, notebook opened, kernel idle
RUN_TIMEOUT_MS = 40_000  # Run All Cells until every cell has run
WIDGET_TIMEOUT_MS = 10_000  # widget views replaced their 'Loading widget...' placeholder


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip(f"no Chromium (/usr/bin/chromium or `chromium` on PATH): {INSTALL_HINT}")


def _sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"the playwright package cannot be imported ({exc}): {INSTALL_HINT}")
    return sync_playwright


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _widget_data_dirs() -> list[str]:
    """The ``share/jupyter`` folder holding the installed ipywidgets lab extension."""
    from importlib import metadata

    try:
        dist = metadata.distribution("jupyterlab_widgets")
    except metadata.PackageNotFoundError:
        return []
    for file in dist.files or ():
        parts = Path(str(file)).parts
        if "labextensions" in parts:
            share = dist.locate_file(Path(*parts[: parts.index("labextensions")]))
            return [str(Path(share).resolve())]
    return []


def _lab_environment(home: Path) -> dict[str, str]:
    """Environment of a JupyterLab that reads no user configuration and fetches nothing."""
    config, settings = home / "config", home / "settings"
    # no 'Would you like to receive official Jupyter news?' toast over the notebook
    _write_json(
        config / "labconfig" / "page_config.json",
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}},
    )
    # every cell attached to the DOM, so every output can be checked (default virtualises)
    _write_json(
        settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
        {"windowingMode": "none"},
    )
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the kernel uses the inline backend, as for a user
    # the widgets' JupyterLab extension lives in the data folder of the environment that
    # installed jupyterlab_widgets, which is not the server's own prefix in a venv made
    # with --system-site-packages: name it explicitly
    data_dirs = [*_widget_data_dirs(), env.get("JUPYTER_PATH", "")]
    env.update(
        JUPYTER_PATH=os.pathsep.join(d for d in data_dirs if d),
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_for_server(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(
        f"JupyterLab did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
    )


def _start_kernel_session(base: str, token: str, notebook: str) -> None:
    """Start the notebook's kernel through the REST API, before the page opens it.

    Left to the page, JupyterLab sometimes starts two kernels for the notebook at once
    and shuts one down, leaving the page talking to the dead one.
    """
    body = json.dumps(
        {"path": notebook, "name": notebook, "type": "notebook", "kernel": {"name": "python3"}}
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/sessions",
        data=body,
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, response.status


@pytest.fixture
def browser_tools():
    """(Chromium executable, playwright's sync_playwright); skips when either is missing."""
    return _chromium(), _sync_playwright()


@pytest.fixture
def jupyterlab(browser_tools, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A JupyterLab on 127.0.0.1 serving a scratch folder with a copy of notebook 03."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--ServerApp.allow_root=True")
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
        _start_kernel_session(base, token, NOTEBOOK.name)
        yield f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", root / NOTEBOOK.name, log
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# every code cell with source has run (a number in its prompt), or a cell failed and
# the rest of the queue was cancelled; and the kernel is idle
ALL_CELLS_RAN = """() => {
    const cells = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')];
    const prompts = cells
        .filter(c => (c.querySelector('.cm-content')?.textContent || '').trim() !== '')
        .map(c => (c.querySelector('.jp-InputPrompt')?.textContent || '').trim());
    const busy = prompts.some(p => p.includes('*'));
    const done = prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p));
    const failed = [...document.querySelectorAll(
        '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
        .some(e => e.textContent.includes('Traceback'));
    const indicator = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
    const idle = indicator !== null && indicator.dataset.status === 'idle';
    return idle && !busy && (done || failed);
}"""

IMAGES = """sel => [...document.querySelectorAll(sel)].map(
    img => ({w: img.naturalWidth, h: img.naturalHeight, complete: img.complete}))"""
WIDGET_VIEWS = ".jp-OutputArea-output > .jupyter-widgets"  # a widget output, rendered


def _artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ASNKIT_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_notebook_03_renders_widgets_and_sky_plots_in_chromium(browser_tools, jupyterlab, tmp_path):
    executable, sync_playwright = browser_tools
    url, saved, log = jupyterlab
    screenshot = _artifacts(tmp_path) / "browser_03_groupings_on_the_sky.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            try:
                _run_notebook(page, url)
                book = _save_notebook(page, saved)
                _check_rendered(page, book)
                _pick_a_group(page)
            except Exception:
                print(f"JupyterLab log (tail):\n{log.read_text()[-3000:]}")
                raise
            finally:
                views = page.locator(WIDGET_VIEWS)
                if views.count():  # the GroupingView's cell at the top: code, pickers, sky
                    views.first.evaluate(
                        "e => e.closest('.jp-Cell').scrollIntoView({block: 'start'})"
                    )
                    page.wait_for_timeout(300)  # let the scrolled cells paint
                page.screenshot(path=str(screenshot), full_page=True, timeout=10_000)
                print(f"screenshot: {screenshot}")
        finally:
            browser.close()


def _run_notebook(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(state="visible")
    # the kernel of the notebook (python3) started: 'idle' in the notebook's toolbar
    page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
        state="attached"
    )
    page.locator(".jp-NotebookPanel .jp-Notebook").click()  # focus the notebook
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_TIMEOUT_MS, polling=250)
    _assert_no_traceback(page)


def _assert_no_traceback(page) -> None:
    stderr = page.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
    tracebacks = [text for text in stderr.all_inner_texts() if "Traceback" in text]
    assert not tracebacks, "error output in the notebook:\n" + "\n---\n".join(tracebacks)


def _save_notebook(page, path: Path) -> dict:
    """Save from the browser (Ctrl+S) and read what the front end holds: the expected outputs."""
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        book = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in book["cells"] if c["cell_type"] == "code" and "".join(c["source"])]
        if code and all(c.get("execution_count") for c in code):
            return book
        time.sleep(0.25)
    pytest.fail(f"the notebook saved from the browser lacks execution counts: {path}")


def _outputs(book: dict, mime: str) -> int:
    return sum(
        mime in output.get("data", {})
        for cell in book["cells"]
        for output in cell.get("outputs", [])
    )


def _check_rendered(page, book: dict) -> None:
    errors = [
        f"{o['ename']}: {o['evalue']}"
        for cell in book["cells"]
        for o in cell.get("outputs", [])
        if o["output_type"] == "error"
    ]
    assert not errors, f"cells raised: {errors}"
    _assert_no_traceback(page)

    # every widget output of the notebook became a live view: not the placeholder, not an error
    expected_views = _outputs(book, "application/vnd.jupyter.widget-view+json")
    assert expected_views >= 1, "notebook 03 displays no widget"
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading widget...')",
        timeout=WIDGET_TIMEOUT_MS,
    )
    views = page.locator(WIDGET_VIEWS)
    assert views.count() == expected_views, (
        f"{views.count()} of the notebook's {expected_views} widget outputs render as widgets "
        "in JupyterLab (is ipywidgets' JupyterLab extension, jupyterlab_widgets, installed?)"
    )
    for i in range(views.count()):
        assert views.nth(i).locator("[class*='widget-']").count() >= 2, f"widget view {i} empty"
    body = page.inner_text("body")
    assert "Loading widget..." not in body
    assert "Error displaying widget" not in body

    # the sky plots: every matplotlib figure (inline PNG) and the widgets' sky image, decoded
    figures = page.evaluate(IMAGES, ".jp-RenderedImage img")
    assert len(figures) == _outputs(book, "image/png") >= 1, figures
    assert all(f["complete"] and f["w"] > 100 and f["h"] > 100 for f in figures), figures
    sky = page.evaluate(IMAGES, f"{WIDGET_VIEWS} img.widget-image")
    assert sky, "the GroupingView shows no sky image"
    assert all(s["complete"] and s["w"] > 100 and s["h"] > 100 for s in sky), sky


def _pick_a_group(page) -> None:
    """Click a group in the GroupingView: the kernel redraws, the browser shows the result."""
    view = page.locator(WIDGET_VIEWS).filter(has_text="group by").first
    listbox = view.locator(".widget-select select").first
    # ipywidgets shows option labels with no-break spaces: "dither\xa01\xa0(35)"
    labels = [t.replace("\xa0", " ").strip() for t in listbox.locator("option").all_inner_texts()]
    index = next((i for i, t in enumerate(labels) if re.fullmatch(r".+ \(\d+\)", t)), None)
    assert index is not None, f"no group to pick in the GroupingView: {labels}"
    name, size = re.fullmatch(r"(.+) \((\d+)\)", labels[index]).groups()
    image = view.locator("img.widget-image").first
    before = image.get_attribute("src")
    listbox.select_option(index=index)
    # the members list comes back from the kernel, and the highlighted sky image with it
    page.wait_for_function(
        "([el, text]) => el.innerText.includes(text)",
        arg=[view.element_handle(), f"{name}: {size} exposure(s)"],
        timeout=WIDGET_TIMEOUT_MS,
    )
    page.wait_for_function(
        "([img, old]) => img.getAttribute('src') !== old && img.complete && img.naturalWidth > 100",
        arg=[image.element_handle(), before],
        timeout=WIDGET_TIMEOUT_MS,
    )
