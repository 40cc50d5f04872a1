"""JupyterLab or Notebook 7 + Debian's Chromium for the browser tests and the sky benchmark.

:func:`running_lab` starts JupyterLab (:func:`running_notebook7` the Notebook 7 front end, the
same server with the same isolation) on 127.0.0.1 in a scratch folder (no user configuration,
no update check, no news), :func:`open_notebook` opens a notebook in a Playwright page and
:func:`run_all_cells` runs it from the Run menu (both front ends share JupyterLab's notebook
components, so the same selectors serve both); :func:`kernel_value` asks the notebook's kernel
for a value through a second client (what the Python side holds, not what the page shows).
Playwright drives the system ``chromium``; never ``playwright install``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
PAGE_TIMEOUT_MS = 20_000  # front end loaded, notebook opened, kernel idle
RUN_TIMEOUT_MS = 60_000  # Run All Cells until every cell has run
KERNEL_TIMEOUT = 15.0  # s, for the kernel to reflect a gesture


class Missing(RuntimeError):
    """Chromium or playwright is not installed (the caller skips)."""


def chromium() -> str:
    """Path of the system Chromium; raises :class:`Missing` when there is none."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise Missing(f"no Chromium (/usr/bin/chromium or `chromium` on PATH): {INSTALL_HINT}")


def sync_playwright():
    """playwright's ``sync_playwright``; raises :class:`Missing` when it cannot be imported."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError as exc:
        raise Missing(
            f"the playwright package cannot be imported ({exc}): {INSTALL_HINT}"
        ) from None
    return start


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _data_dirs() -> list[str]:
    """The ``share/jupyter`` folders holding the widget lab extensions (ipywidgets, anywidget)."""
    from importlib import metadata

    found = []
    for name in ("jupyterlab_widgets", "anywidget"):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            parts = Path(str(file)).parts
            if "labextensions" in parts:
                share = str(
                    Path(dist.locate_file(Path(*parts[: parts.index("labextensions")]))).resolve()
                )
                if share not in found:
                    found.append(share)
                break
    return found


def lab_environment(home: Path) -> dict[str, str]:
    """Environment of a Jupyter server that reads no user configuration and fetches nothing."""
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
    # the widgets' JupyterLab extensions live in the data folder of the environment that
    # installed them, which is not the server's own prefix in a venv made with
    # --system-site-packages: name them explicitly
    data_dirs = [*_data_dirs(), env.get("JUPYTER_PATH", "")]
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


@dataclass(frozen=True)
class Frontend:
    """A Jupyter front end: the server module that serves it and where it opens a notebook."""

    name: str  # for messages
    module: str  # ``python -m <module>`` starts the server with this front end
    notebook_page: str  # URL path (below the server's base) opening a notebook
    options: tuple[str, ...] = ()  # command-line options of its own


# JupyterLab's server extension is loaded by both front ends (Notebook 7 is built on it): it
# must not check PyPI for a newer JupyterLab nor fetch news in either
NO_UPDATE_CHECK = "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"
JUPYTERLAB = Frontend("JupyterLab", "jupyterlab", "lab/tree", (NO_UPDATE_CHECK,))
NOTEBOOK7 = Frontend("Notebook 7", "notebook", "notebooks", (NO_UPDATE_CHECK,))


@dataclass
class Lab:
    """A running Jupyter server with a front end (JupyterLab or Notebook 7)."""

    base: str
    token: str
    root: Path
    runtime: Path
    log: Path
    frontend: Frontend = JUPYTERLAB

    def url(self, notebook: str) -> str:
        return f"{self.base}/{self.frontend.notebook_page}/{notebook}?token={self.token}"

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:]

    def start_kernel(self, notebook: str) -> str:
        """Start the notebook's kernel through the REST API, before the page opens it.

        Left to the page, JupyterLab sometimes starts two kernels for the notebook at once
        and shuts one down, leaving the page talking to the dead one. Returns the kernel id.
        """
        body = json.dumps(
            {"path": notebook, "name": notebook, "type": "notebook", "kernel": {"name": "python3"}}
        ).encode()
        request = urllib.request.Request(
            f"{self.base}/api/sessions",
            data=body,
            method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201, response.status
            return json.loads(response.read())["kernel"]["id"]

    def kernel_connections(self, notebook: str) -> int:
        """How many pages are connected to the kernel of ``notebook``'s session (0 if none)."""
        request = urllib.request.Request(
            f"{self.base}/api/sessions", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            sessions = json.loads(response.read())
        return sum(s["kernel"].get("connections", 0) for s in sessions if s["path"] == notebook)


def _wait_for_server(proc: subprocess.Popen, url: str, log: Path, name: str) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"{name} did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
    )


@contextlib.contextmanager
def running_server(root: Path, home: Path, frontend: Frontend) -> Iterator[Lab]:
    """A Jupyter server with ``frontend`` on 127.0.0.1 serving ``root``; ``home`` holds its
    configuration and log (:func:`lab_environment`), a fresh token and a free port."""
    port, token = free_port(), secrets.token_hex(16)
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"{frontend.module}.log"
    command = [
        sys.executable,
        "-m",
        frontend.module,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        *frontend.options,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--ServerApp.allow_root=True")
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=lab_environment(home / "jupyter"),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(proc, f"{base}/api/status?token={token}", log, frontend.name)
        yield Lab(base, token, root, home / "jupyter" / "runtime", log, frontend)
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def running_lab(root: Path, home: Path) -> contextlib.AbstractContextManager[Lab]:
    """A JupyterLab on 127.0.0.1 serving ``root``; ``home`` holds its configuration and log."""
    return running_server(root, home, JUPYTERLAB)


def running_notebook7(root: Path, home: Path) -> contextlib.AbstractContextManager[Lab]:
    """The Notebook 7 front end (``python -m notebook``), isolated as :func:`running_lab` is."""
    return running_server(root, home, NOTEBOOK7)


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1400) -> Iterator[Any]:
    """A Playwright page in headless system Chromium."""
    executable, start = chromium(), sync_playwright()
    with start() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def requests_elsewhere(page, lab: Lab) -> list[str]:
    """A list the page's requests to anywhere but ``lab`` are appended to, from now on.

    Empty at the end when everything the page needed came from the server (no CDN, no
    tile server); ``data:`` and ``blob:`` URLs are the page's own.
    """
    elsewhere: list[str] = []
    local = (f"{lab.base}/", "data:", "blob:")

    def record(request) -> None:
        if not request.url.startswith(local):
            elsewhere.append(request.url)

    page.on("request", record)
    return elsewhere


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


#: Notebook metadata naming the kernel (without it JupyterLab may ask which kernel to use).
KERNELSPEC = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook of code cells, with the python3 kernel named in its metadata."""
    import nbformat

    book = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells], metadata=KERNELSPEC
    )
    nbformat.write(book, path)
    return path


def open_notebook(page, lab: Lab, notebook: str) -> None:
    """Open a notebook whose kernel :meth:`Lab.start_kernel` started; wait for it to be idle.

    The page is ready when the server counts its connection to that kernel. On a loaded
    machine the page may not see the session in time (or not know the kernel specs yet) and
    ask which kernel to use, at any moment after the cells show: answered with the preferred
    one, the server hands back the session it has for the path.
    """
    page.goto(lab.url(notebook), wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(state="visible")
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while not lab.kernel_connections(notebook):
        if dialog.count():
            dialog.get_by_role("button", name="Select").click()
        if time.monotonic() > deadline:
            raise AssertionError(f"the page did not connect to the kernel of {notebook}")
        page.wait_for_timeout(250)
    page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
        state="attached"
    )


def run_all_cells(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Run All Cells from the Run menu and wait until every cell has run."""
    page.locator(".jp-NotebookPanel .jp-Notebook").click()  # focus the notebook
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(ALL_CELLS_RAN, timeout=timeout_ms, polling=250)


def tracebacks(page) -> list[str]:
    stderr = page.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
    return [text for text in stderr.all_inner_texts() if "Traceback" in text]


def kernel_value(lab: Lab, kernel_id: str, expression: str, timeout: float = 20.0) -> Any:
    """Evaluate ``expression`` in the notebook's kernel (a second client) and return it (JSON)."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=str(lab.runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        code = f"import json as _json\nprint(_json.dumps({expression}))"
        lines: list[str] = []

        def output(msg: dict) -> None:
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                lines.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                lines.append("ERROR " + msg["content"]["evalue"])

        reply = client.execute_interactive(
            code, timeout=timeout, output_hook=output, store_history=False, allow_stdin=False
        )
        text = "".join(lines)
        if reply["content"]["status"] != "ok" or text.startswith("ERROR"):
            raise RuntimeError(f"kernel could not evaluate {expression!r}: {text}")
        return json.loads(text)
    finally:
        client.stop_channels()


def wait_for_kernel(
    lab: Lab, kernel_id: str, expression: str, expected: Any, what: str, timeout=KERNEL_TIMEOUT
) -> Any:
    """Poll :func:`kernel_value` until ``expression`` equals ``expected``; return it.

    Raises AssertionError saying ``what`` was expected and what the kernel has instead.
    """
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = kernel_value(lab, kernel_id, expression)
        if value == expected:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: the kernel has {value!r}, expected {expected!r}")


def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$ASNKIT_ARTIFACTS`` when set (CI keeps it), else ``tmp_path``."""
    folder = Path(os.environ.get("ASNKIT_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
