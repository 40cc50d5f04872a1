"""The AssociationBuilder in a real browser refuses the 140-exposure mixed-filter association.

As a new user would: in JupyterLab (Debian's chromium through Playwright, a 1280x800 window), on
the shipped demo program, open the filters and click *Reset filters*, then *choose all shown* in
the table, type a product name with spaces, click *Export*: the builder's bar lists the errors in
words, every one readable without scrolling the list, and the file is not written; ticking
*export anyway* (offered beside *Export* once there are errors) writes it. The Python-side
state is read from the kernel (tests/lab.py holds the JupyterLab and browser plumbing).
"""

from __future__ import annotations

import json

import pytest

from tests import lab as lab_tools

pytestmark = pytest.mark.browser

NOTEBOOK = "builder.ipynb"
SETUP = """import warnings
warnings.simplefilter("ignore")
import asnkit
pool = asnkit.read_pool(asnkit.data.data_path("demo", "jw99999_simulated_pool.csv"))
builder = asnkit.widgets.AssociationBuilder(pool, path="mosaic_asn.json")
builder"""
STATE = """{"n": len(builder.model.selected), "valid": builder.model.valid,
"errors": builder.model.errors, "product": builder.model.product_name,
"override": builder.model.override, "written": builder.model.written,
"exists": __import__("os").path.exists("mosaic_asn.json"), "status": builder.model.status}"""


# the errors (✖) of the check list that are not wholly inside the list's visible box
ERRORS_OUT_OF_SIGHT = """items => items.filter(li => li.textContent.startsWith('\u2716'))
.filter(li => {
    const list = li.parentElement.getBoundingClientRect(), r = li.getBoundingClientRect();
    return r.top < list.top - 1 || r.bottom > list.bottom + 1;
}).map(li => li.textContent.slice(0, 60))"""
ROLES_OUT_OF_SIGHT = """scroller => {
    const box = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll('tbody select')]
        .filter(s => s.getBoundingClientRect().right > box.right + 0.5).length;
}"""
NOTEBOOK_VIEW = """() => {
    const box = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
        .getBoundingClientRect();
    return {top: box.top, bottom: box.bottom};
}"""


def test_builder_in_chromium_refuses_the_mixed_filter_association(tools, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    lab_tools.write_notebook(root / NOTEBOOK, [SETUP])
    screenshot = lab_tools.artifacts(tmp_path) / "browser_builder_refuses_mixed_filters.png"
    with tools.running_lab(root, tmp_path / "home") as lab:
        kernel = lab.start_kernel(NOTEBOOK)
        with tools.chromium_page(1280, 800) as page:
            try:
                tools.open_notebook(page, lab, NOTEBOOK)
                tools.run_all_cells(page)
                view = page.locator(".jp-OutputArea-output").filter(
                    has=page.locator(".asnkit-table")
                )
                view.wait_for()
                # Reset filters (inside the collapsed filters), then choose all shown
                view.get_by_text("Filters: all", exact=False).first.click()
                view.get_by_role("button", name="Reset filters").click()
                view.get_by_role("button", name="choose all shown").click()
                # the role menus are in sight beside the longest exposure names (no sideways
                # scrolling to find them)
                view.locator("tbody select").first.wait_for()
                assert view.locator(".asnkit-table-scroll").evaluate(ROLES_OUT_OF_SIGHT) == 0
                product = view.locator(".widget-text", has_text="product").locator("input")
                product.click()
                page.keyboard.type("my mosaic F150W")
                page.keyboard.press("Enter")  # the product box updates on Enter / blur
                # the check follows: errors, and a warning about the name once it is in
                check = view.locator(".asnkit-builder-check", has_text="spaces")
                check.wait_for()
                text = check.inner_text()
                assert "3 errors: calwebb would not do what this image3 association" in text
                assert "mix filters: f150w (96), f444w (24)" in text
                assert "20 background members: calwebb_image3 reads only science" in text
                assert "spaces" in text and "roles={" not in text
                assert not view.locator(".widget-checkbox", has_text="export anyway").is_hidden()
                view.get_by_role("button", name="Export").click()
                view.locator(".widget-html", has_text="not exported").wait_for()
                # every error is readable in the list as it is shown (none behind its scroll)
                assert check.locator("li").evaluate_all(ERRORS_OUT_OF_SIGHT) == []
                # the errors and the refusal beside Export are in the window together
                view_box = page.evaluate(NOTEBOOK_VIEW)
                head = check.bounding_box()
                refusal = view.locator(".asnkit-builder-status").bounding_box()
                assert view_box["top"] <= head["y"]
                assert refusal["y"] + refusal["height"] <= view_box["bottom"]
                assert "listed above" in view.locator(".asnkit-builder-status").inner_text()
                state = lab_tools.kernel_value(lab, kernel, STATE)
                assert state["n"] == 140 and not state["valid"]
                assert state["product"] == "my mosaic F150W"
                assert not state["exists"] and state["written"] == ""
                assert [e[-8:] for e in state["errors"]] == ["[ASN101]", "[ASN202]", "[ASN203]"]
                # the user insists: tick 'export anyway', export again
                view.locator(".widget-checkbox", has_text="export anyway").locator("input").check()
                view.get_by_role("button", name="Export").click()
                view.locator(".widget-html", has_text="exported anyway").wait_for()
                state = lab_tools.kernel_value(lab, kernel, STATE)
                assert state["override"] and state["exists"]
                assert state["written"] == str(root / "mosaic_asn.json")
                written = json.loads((root / "mosaic_asn.json").read_text())
                assert len(written["products"][0]["members"]) == 140
            except Exception:
                print(f"JupyterLab log (tail):\n{lab.log_tail()}")
                raise
            finally:
                page.screenshot(path=str(screenshot), full_page=True, timeout=10_000)
                print(f"screenshot: {screenshot}")
