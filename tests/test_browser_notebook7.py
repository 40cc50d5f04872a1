"""The SkyView in Notebook 7, in a real browser: it renders, a click and a hover work.

Notebook 7 is a front end of its own (``python -m notebook``, notebooks open at
``/notebooks/<path>``), built from JupyterLab's components but loading the widget extensions
(ipywidgets' and anywidget's) into its own application; test_browser.py covers JupyterLab.
Here, in Debian's Chromium through Playwright (tests/lab.py, never a downloaded browser): a
notebook building a SkyView of the shipped demo program runs from the Run menu; the sky draws
(a canvas with footprints on it, no 'Loading widget...', no traceback) with nothing fetched
from anywhere but the server; then, with the mouse, a wheel zoom, a hover (the tooltip names
the exposure, its observation, filter/pupil and detector), a click (the kernel's
``view.selected`` is that exposure, and the tooltip then says so) and a second click (the
kernel's selection is empty again). Skipped only when Chromium or playwright is missing.
"""

from __future__ import annotations

import pytest

import asnkit
from tests.test_browser import CANVAS_INK

pytestmark = pytest.mark.browser

NOTEBOOK = "sky.ipynb"
CELLS = [
    """import asnkit
demo = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
view = demo.asn.sky(associations=demo.asn.generate())
view""",
]
WIDGET_TIMEOUT_MS = 15_000  # the sky replaced its 'Loading widget...' placeholder and drew
SKY = "document.querySelector('.asnkit-sky').__asnkitSky"


def _loneliest(names: list[str], centres: list[list[float]]) -> int:
    """Index of the exposure whose centre is farthest from every other centre (first on ties)."""

    def nearest(i: int) -> float:
        x, y = centres[i]
        return min((x - u) ** 2 + (y - v) ** 2 for j, (u, v) in enumerate(centres) if j != i)

    return max(range(len(names)), key=nearest)


def test_skyview_in_notebook7_renders_and_a_click_selects_in_the_kernel(tools, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    tools.write_notebook(root / NOTEBOOK, CELLS)
    screenshot = tools.artifacts(tmp_path) / "browser_notebook7_skyview.png"
    with tools.running_notebook7(root, tmp_path / "home") as server:
        kernel = server.start_kernel(NOTEBOOK)
        with tools.chromium_page(1280, 900) as page:
            elsewhere = tools.requests_elsewhere(page, server)
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            try:
                tools.open_notebook(page, server, NOTEBOOK)
                # Notebook 7's own application, not JupyterLab's
                assert f"/notebooks/{NOTEBOOK}" in page.url, page.url
                assert page.evaluate("() => document.body.dataset.notebook") == "notebooks"
                assert page.locator("#jp-top-panel, .jp-LabShell").count() == 0
                tools.run_all_cells(page)
                assert not tools.tracebacks(page), tools.tracebacks(page)
                _check_rendered(page, console)
                _hover_and_click(page, tools, server, kernel, screenshot)
                assert not elsewhere, f"the page fetched from outside the server: {elsewhere}"
            except Exception:
                print(f"Notebook 7 server log (tail):\n{server.log_tail()}")
                page.screenshot(path=str(screenshot.with_name("browser_notebook7_failure.png")))
                raise


def _wait(page, condition: str, what: str, console: list[str]) -> None:
    """Wait for a JavaScript condition; on time-out, fail saying what the output shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, timeout=WIDGET_TIMEOUT_MS, polling=100)
    except PlaywrightTimeout:
        output = page.locator(".jp-OutputArea-output").all_inner_texts()
        pytest.fail(
            f"{what} within {WIDGET_TIMEOUT_MS / 1000:.0f} s; the cell's output shows "
            f"{output!r}; the browser's console errors: {console}"
        )


def _check_rendered(page, console: list[str]) -> None:
    _wait(
        page,
        "() => !document.body.innerText.includes('Loading widget...')",
        "the widget's 'Loading widget...' placeholder did not go",
        console,
    )
    body = page.inner_text("body")
    assert "Error displaying widget" not in body and "Loading widget..." not in body
    _wait(
        page,
        "() => document.querySelectorAll('.jp-OutputArea-output .asnkit-sky').length === 1 && "
        f"{SKY}.stats.firstDraw !== null",
        "the SkyView did not draw",
        console,
    )
    (ink,) = page.evaluate(CANVAS_INK)  # share of the plot's pixels drawn on
    assert 0.01 < ink < 0.9, ink
    assert "0 selected \u00b7 140 footprints shown" in page.inner_text(".asnkit-sky-status")


def _hover_and_click(page, tools, server, kernel, screenshot) -> None:
    names, centres = tools.kernel_value(
        server, kernel, "[view.geometry.filenames.tolist(), view.geometry.centres.tolist()]"
    )
    assert len(names) == 140
    i = _loneliest(names, centres)
    target = names[i]
    pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
    row = pool.loc[pool["filename"] == target].iloc[0]

    def client() -> tuple[float, float]:
        point = page.evaluate(f"([x, y]) => {SKY}.toClient(x, y)", centres[i])
        return point["x"], point["y"]

    def hover() -> str:
        """Move onto the target from a pixel away; the tooltip's text."""
        x, y = client()
        page.mouse.move(x + 1, y + 1)
        page.mouse.move(x, y)
        tip = page.locator(".asnkit-sky-tip")
        tip.wait_for(state="visible", timeout=5_000)
        return tip.inner_text()

    # zoom in on the target with the wheel, then hover it
    page.locator(".asnkit-sky").scroll_into_view_if_needed()
    page.mouse.move(*client())
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => {SKY}.state.view.zoom > 1.5", timeout=5_000)
    text = hover()
    assert text.splitlines()[0] == target, text
    expected = [
        f"observation: {row['obs_num']}",
        f"filter/pupil: {row['filter'].upper()} / {row['pupil'].upper()}",
        f"detector: {row['detector'].upper()}",
    ]
    assert all(line in text for line in expected), (expected, text)
    assert "\u2714 selected" not in text

    # a click selects it in the kernel; the browser hears back and the tooltip says so
    page.mouse.click(*client())
    tools.wait_for_kernel(server, kernel, "view.selected", [target], "click on one footprint")
    page.wait_for_function(
        "() => document.querySelector('.asnkit-sky-status').innerText.startsWith('1 selected')",
        timeout=5_000,
    )
    page.mouse.move(*(v + 40 for v in client()))
    text = hover()
    assert text.splitlines()[0] == target and "\u2714 selected" in text, text
    page.screenshot(path=str(screenshot))
    print(f"screenshot: {screenshot}")

    # a second click on it toggles it out again
    page.mouse.click(*client())
    tools.wait_for_kernel(server, kernel, "view.selected", [], "second click on the footprint")
