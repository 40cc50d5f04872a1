"""The widgets in a real browser: JupyterLab + headless Chromium, driven with the mouse.

The kernel-side tests (test_widgets, test_sky_selection, test_notebooks) show the widgets
*work*; only a browser shows that they *render* and that a person's gestures reach Python.
Two tests, each with its own JupyterLab on 127.0.0.1 in a scratch folder (tests/lab.py),
Debian's ``chromium`` driven by Playwright (never a downloaded browser):

* notebook 03 runs from the Run menu; every widget renders (no 'Loading widget...'), the
  sky canvases are drawn, the static plots decode; a legend click in the GroupingView
  selects that association's exposures in the kernel;
* the AssociationBuilder, on the demo program read from its pool file and from its FITS
  headers (``pool_from_files``), in a 1280x800 window: filter F150W, lasso tile 1 of
  observation 001, Shift-box tile 2, hover an exposure (tooltip), zoom with the wheel,
  Alt-click that exposure out, and Export: the kernel's selection, the table's ticks and
  the written file are checked at each step, and all of it happens on one screen (the
  notebook never scrolls between the first gesture and the "Written ..." status).

Screenshots go to ``$ASNKIT_ARTIFACTS`` when set, else the test's tmp_path. Skipped only
when Chromium or the playwright package is missing.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path

import pytest

import asnkit
from tests import lab as lab_tools

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03_groupings_on_the_sky.ipynb"
WIDGET_TIMEOUT_MS = 15_000  # widget views replaced their 'Loading widget...' placeholder
WIDGET_VIEWS = ".jp-OutputArea-output > .jupyter-widgets, .jp-OutputArea-output > .asnkit-sky"
SKY = "document.querySelectorAll('.asnkit-sky')[{i}].__asnkitSky"


# ----------------------------------------------------------------------------- notebook 03
def test_notebook_03_renders_and_a_legend_click_selects_in_the_kernel(tools, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    screenshot = lab_tools.artifacts(tmp_path) / "browser_03_groupings_on_the_sky.png"
    with tools.running_lab(root, tmp_path / "home") as lab:
        kernel = lab.start_kernel(NOTEBOOK.name)
        with tools.chromium_page() as page:
            try:
                tools.open_notebook(page, lab, NOTEBOOK.name)
                tools.run_all_cells(page)
                assert not tools.tracebacks(page), tools.tracebacks(page)
                book = _save_notebook(page, root / NOTEBOOK.name)
                _check_rendered(page, book)
                _legend_click_selects(page, lab, kernel)
            except Exception:
                print(f"JupyterLab log (tail):\n{lab.log_tail()}")
                raise
            finally:
                sky = page.locator(".asnkit-sky")
                if sky.count() > 1:  # the GroupingView: list, small multiples, legend
                    sky.nth(1).evaluate("e => e.closest('.jp-Cell').scrollIntoView()")
                    page.wait_for_timeout(300)
                page.screenshot(path=str(screenshot), full_page=True, timeout=10_000)
                print(f"screenshot: {screenshot}")


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


IMAGES = """sel => [...document.querySelectorAll(sel)].map(
    img => ({w: img.naturalWidth, h: img.naturalHeight, complete: img.complete}))"""

# share of the plot's pixels that are drawn on (not transparent), per sky canvas
CANVAS_INK = """() => [...document.querySelectorAll('.asnkit-sky-base')].map(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    return ink / (c.width * c.height);
})"""


def _check_rendered(page, book: dict) -> None:
    errors = [
        f"{o['ename']}: {o['evalue']}"
        for cell in book["cells"]
        for o in cell.get("outputs", [])
        if o["output_type"] == "error"
    ]
    assert not errors, f"cells raised: {errors}"
    # every widget output of the notebook became a live view: not the placeholder, not an error
    expected_views = _outputs(book, "application/vnd.jupyter.widget-view+json")
    assert expected_views >= 4, "notebook 03 displays too few widgets"
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading widget...')",
        timeout=WIDGET_TIMEOUT_MS,
    )
    views = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".jupyter-widgets, .asnkit-sky")
    )
    assert views.count() == expected_views, (
        f"{views.count()} of the notebook's {expected_views} widget outputs render as widgets "
        "(are the ipywidgets and anywidget lab extensions installed?)"
    )
    body = page.inner_text("body")
    assert "Loading widget..." not in body and "Error displaying widget" not in body
    # the sky views (SkyView, GroupingView, AssociationBuilder) drew their footprints
    page.wait_for_function(
        "n => document.querySelectorAll('.asnkit-sky').length === n && "
        "[...document.querySelectorAll('.asnkit-sky')].every(e => e.__asnkitSky.stats.firstDraw)",
        arg=3,
        timeout=WIDGET_TIMEOUT_MS,
    )
    ink = page.evaluate(CANVAS_INK)
    assert len(ink) == 3 and all(0.01 < share < 0.9 for share in ink), ink
    # the static plots: every matplotlib figure (inline PNG), decoded
    figures = page.evaluate(IMAGES, ".jp-RenderedImage img")
    assert len(figures) == _outputs(book, "image/png") >= 4, figures
    assert all(f["complete"] and f["w"] > 100 and f["h"] > 100 for f in figures), figures


# near-black opaque pixels (the selection's outline; the target star's edge is a few dozen)
# in the small-multiple panel of one group
DARK_PIXELS = """(el, label) => {
    const api = el.__asnkitSky, canvas = el.querySelector('.asnkit-sky-base');
    const vp = api.viewports().find(v => api.state.c.groups[v.group].label === label);
    const dpr = canvas.width / api.state.width;
    const data = canvas.getContext('2d').getImageData(
        Math.round(vp.x * dpr), Math.round(vp.y * dpr),
        Math.round(vp.w * dpr), Math.round(vp.h * dpr)).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && data[i] < 60 && data[i + 1] < 60 && data[i + 2] < 60) dark++;
    }
    return dark;
}"""


def _legend_click_selects(page, lab, kernel) -> None:
    """Click a legend entry of the GroupingView: the kernel selects and lists that group."""
    sky = page.locator(".asnkit-sky").nth(1)
    sky.scroll_into_view_if_needed()
    label = "jw99999-o002_t001_nircam_clear-f150w"
    sky.locator(f".asnkit-sky-legend-entry[data-group='{label}']").click()
    expected = sorted(
        name
        for name in lab_tools.kernel_value(lab, kernel, "list(demo['filename'])")
        if name.startswith("jw99999002") and "nrcalong" not in name
    )
    lab_tools.wait_for_kernel(lab, kernel, "sorted(groups.sky.selected)", expected, "legend click")
    assert lab_tools.kernel_value(lab, kernel, "groups.model.group") == label
    # the small multiples: the group's own panel highlights its exposures; a panel of
    # another group (o003, another field) keeps its own colours, no selection drawn over it
    page.wait_for_function(
        f"([el, label]) => ({DARK_PIXELS})(el, label) > 500",
        arg=[sky.element_handle(), label],
        timeout=WIDGET_TIMEOUT_MS,
    )
    other = "jw99999-o003_t002_nircam_clear-f150w"
    dark = page.evaluate(
        f"([el, label]) => ({DARK_PIXELS})(el, label)", [sky.element_handle(), other]
    )
    assert dark < 150, f"{dark} selection-dark pixels in the panel of {other}"
    # the list beside the sky picked the group, and the members are listed below it
    page.wait_for_function(
        "([el, text]) => el.closest('.jp-OutputArea-output').innerText.includes(text)",
        arg=[sky.element_handle(), f"{label}: {len(expected)} exposure(s)"],
        timeout=WIDGET_TIMEOUT_MS,
    )


# ----------------------------------------------------------------------------- the builder
BUILDER_NOTEBOOK = [
    """import warnings
warnings.simplefilter("ignore")
import asnkit
demo = asnkit.data.data_path("demo")
pools = {
    "pool file": asnkit.read_pool(demo / "jw99999_simulated_pool.csv"),
    "FITS headers": asnkit.pool_from_files(sorted((demo / "exposures").glob("*.fits"))),
}""",
    """csv = pools["pool file"].asn.build(path="from_pool_file_asn.json")
csv""",
    """headers = pools["FITS headers"].asn.build(path="from_headers_asn.json")
headers""",
]


def _tile(pool, tile: int) -> list[str]:
    labels = asnkit.label_positions(pool)
    keep = (labels["obs_num"].astype(int) == 1) & (labels["mosaic_tile"] == tile)
    keep &= labels["filter"].str.upper() == "F150W"
    return sorted(labels.loc[keep, "filename"])


def test_builder_lasso_shift_box_alt_click_export_with_the_mouse(tools, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    tools.write_notebook(root / "builder.ipynb", BUILDER_NOTEBOOK)
    demo = asnkit.data.data_path("demo")
    pools = {
        "csv": asnkit.read_pool(demo / "jw99999_simulated_pool.csv"),
        "headers": asnkit.pool_from_files(sorted((demo / "exposures").glob("*.fits"))),
    }
    artifacts = lab_tools.artifacts(tmp_path)
    with tools.running_lab(root, tmp_path / "home") as lab:
        kernel = lab.start_kernel("builder.ipynb")
        with tools.chromium_page(*SCREEN) as page:
            try:
                tools.open_notebook(page, lab, "builder.ipynb")
                tools.run_all_cells(page)
                assert not tools.tracebacks(page), tools.tracebacks(page)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.asnkit-sky')].filter("
                    "e => e.__asnkitSky.stats.firstDraw).length === 2",
                    timeout=WIDGET_TIMEOUT_MS,
                )
                for i, (name, path) in enumerate(
                    (("csv", "from_pool_file_asn.json"), ("headers", "from_headers_asn.json"))
                ):
                    _build_two_tiles(
                        page, lab, kernel, i, name, pools[name], root / path, artifacts
                    )
            except Exception:
                print(f"JupyterLab log (tail):\n{lab.log_tail()}")
                page.screenshot(path=str(artifacts / "browser_builder_failure.png"))
                raise


SCREEN = (1280, 800)  # a laptop: the builder, bar included, must fit on it
NOTEBOOK_VIEW = """() => {
    const outer = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
    const box = outer.getBoundingClientRect();
    return {top: box.top, bottom: box.bottom, scroll: outer.scrollTop};
}"""


def _client(page, i: int, x: float, y: float) -> tuple[float, float]:
    point = page.evaluate(f"([x, y]) => {SKY.format(i=i)}.toClient(x, y)", [x, y])
    return point["x"], point["y"]


def _centres(lab, kernel, builder: str, names: list[str]) -> list[list[float]]:
    return lab_tools.kernel_value(
        lab,
        kernel,
        f"{builder}.sky.geometry.centres[{builder}.sky.geometry.index_of({names!r})].tolist()",
    )


def _checked_rows(page, i: int) -> list[str]:
    table = page.locator(".asnkit-table").nth(i)
    return sorted(
        table.locator("tbody tr")
        .filter(has=page.locator("input:checked"))
        .evaluate_all("rows => rows.map(r => r.dataset.filename)")
    )


def _build_two_tiles(page, lab, kernel, i, builder, pool, target: Path, artifacts: Path):
    tile1, tile2 = _tile(pool, 1), _tile(pool, 2)
    assert len(tile1) == len(tile2) == 16
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".asnkit-table")).nth(i)
    output.evaluate("e => e.scrollIntoView()")  # the builder's top at the top of the window

    # 1. filters: open, choose F150W, close
    header = output.get_by_text("Filters: all", exact=False).first
    header.click()
    choice = output.locator(".widget-select-multiple").filter(has_text="filter").locator("select")
    value = next(v for v in choice.locator("option").all_inner_texts() if v.startswith("f150w"))
    choice.select_option(label=value)
    page.wait_for_function(
        f"() => {SKY.format(i=i)}.state.shown && "
        f"{SKY.format(i=i)}.state.shown.reduce((a, b) => a + b, 0) === 112",
        timeout=WIDGET_TIMEOUT_MS,
    )
    output.get_by_text("Filters: 112 of 140", exact=False).first.click()  # collapse again
    sky = output.locator(".asnkit-sky")
    output.evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(200)
    screen = page.evaluate(NOTEBOOK_VIEW)  # from here on, nothing may need scrolling

    # 2. lasso round tile 1 (the builder's sky starts with the lasso tool)
    c1 = _centres(lab, kernel, builder, tile1)
    cx = sum(p[0] for p in c1) / len(c1)
    cy = sum(p[1] for p in c1) / len(c1)
    radius = max(math.hypot(p[0] - cx, p[1] - cy) for p in c1) + 8.0
    ring = [
        _client(page, i, cx + radius * math.cos(a), cy + radius * math.sin(a))
        for a in (2 * math.pi * k / 40 for k in range(41))
    ]
    page.mouse.move(*ring[0])
    page.mouse.down()
    for point in ring[1:]:
        page.mouse.move(*point, steps=2)
    page.mouse.up()
    lab_tools.wait_for_kernel(
        lab, kernel, f"sorted({builder}.model.selected)", tile1, "lasso round tile 1"
    )
    page.wait_for_function(
        "([el, n]) => el.querySelectorAll('tbody input:checked').length === n",
        arg=[page.locator(".asnkit-table").nth(i).element_handle(), 16],
        timeout=WIDGET_TIMEOUT_MS,
    )
    assert _checked_rows(page, i) == tile1  # exactly its exposures ticked in the table
    # each chosen row's role menu is in sight, not behind the table's sideways scroll
    table = page.locator(".asnkit-table").nth(i).locator(".asnkit-table-scroll").bounding_box()
    role = page.locator(".asnkit-table").nth(i).locator("tbody select").first.bounding_box()
    assert table["x"] <= role["x"] and role["x"] + role["width"] <= table["x"] + table["width"]

    # 3. Shift + box round tile 2 adds it
    sky.locator(".asnkit-sky-tool[data-tool=box]").click()
    c2 = _centres(lab, kernel, builder, tile2)
    xs, ys = [p[0] for p in c2], [p[1] for p in c2]
    a = _client(page, i, min(xs) - 3, min(ys) - 3)
    b = _client(page, i, max(xs) + 3, max(ys) + 3)
    page.keyboard.down("Shift")
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, steps=4)
    page.mouse.move(*b, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    both = sorted(tile1 + tile2)
    lab_tools.wait_for_kernel(
        lab, kernel, f"sorted({builder}.model.selected)", both, "shift-box tile 2"
    )

    # 4. zoom in on tile 2 with the wheel, hover one exposure: the tooltip names it
    out = tile2[5]
    [[ox, oy]] = _centres(lab, kernel, builder, [out])
    page.mouse.move(*_client(page, i, ox, oy))
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => {SKY.format(i=i)}.state.view.zoom > 1.5", timeout=5_000)
    page.wait_for_timeout(100)
    x, y = _client(page, i, ox, oy)
    page.mouse.move(x + 1, y + 1)
    page.mouse.move(x, y)
    tip = sky.locator(".asnkit-sky-tip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert out in text and "tile 2 of obs 1" in text and "F150W / CLEAR" in text, text
    assert text.count("tile 2") == 1, text  # coloured by tile: the tile said once, not twice
    assert "\u2714 selected" in text
    page.screenshot(path=str(artifacts / f"browser_builder_{builder}_hover.png"))

    # 5. Alt + click takes that exposure out
    page.keyboard.down("Alt")
    page.mouse.click(x, y)
    page.keyboard.up("Alt")
    kept = sorted(set(both) - {out})
    lab_tools.wait_for_kernel(
        lab, kernel, f"sorted({builder}.model.selected)", kept, "alt-click one out"
    )
    page.wait_for_function(
        "([el, n]) => el.querySelectorAll('tbody input:checked').length === n",
        arg=[page.locator(".asnkit-table").nth(i).element_handle(), 31],
        timeout=WIDGET_TIMEOUT_MS,
    )
    assert _checked_rows(page, i) == kept
    sky.locator(".asnkit-sky-reset").click()
    page.wait_for_function(f"() => {SKY.format(i=i)}.state.view.zoom === 1", timeout=5_000)

    # 6. Export: the bar says where it wrote a valid image3 of the 31 exposures
    assert "Ready: image3 association of 31 exposures" in output.inner_text()
    output.get_by_role("button", name="Export").click()
    written_text = output.get_by_text(f"Written {target}", exact=False)
    written_text.wait_for(timeout=WIDGET_TIMEOUT_MS)
    page.screenshot(path=str(artifacts / f"browser_builder_{builder}_exported.png"))
    # one screen: the notebook did not scroll (clicking Export would have scrolled to reach
    # it), and the sky and the status saying where the file went are both in the window
    after = page.evaluate(NOTEBOOK_VIEW)
    assert after["scroll"] == screen["scroll"], (screen, after)
    status, top = written_text.bounding_box(), sky.bounding_box()
    assert after["top"] <= top["y"] and status["y"] + status["height"] <= after["bottom"], (
        top,
        status,
        after,
    )
    written = asnkit.read_asn(target)
    assert written.asn_type == "image3"
    members = sorted(m.expname.replace("_cal.fits", "_uncal.fits") for m in written.members())
    assert members == kept
