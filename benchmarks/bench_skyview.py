"""SkyView in a real browser: 10,000 footprints drawn, zoomed, hovered and selected.

Targets (issue 11): first draw under 1 s, a zoom or hover frame under 30 ms, a selection
round trip (browser -> Python decides -> browser draws) under 200 ms. Measured in headless
Chromium (Debian's, through Playwright, as the browser tests) in JupyterLab, with
``performance.now()`` in the widget's own code; every frame is rasterised before its time
is taken (``getImageData`` of one pixel), so the figures include the drawing, not only the
commands. Run with ``python benchmarks/run.py skyview``; nothing is asserted.

Figures (milliseconds, median and 95th percentile where repeated):

* *python*: building the widget in the kernel (footprints given), and the message size;
* *first draw*: from the front end's ``render`` to the first complete frame (decoding the
  arrays, spatial index, paths, drawing);
* *zoom frame*: the work of one frame while the wheel turns (the last full drawing scaled),
  and from the wheel event to that frame on screen (waiting for the display's next frame
  included); *full redraw*: the drawing of every footprint once the wheel pauses;
* *hover frame*: per pointer move, the hit test, the highlight of the footprint under it
  and its tooltip;
* *selection round trip*: a box drawn with the mouse, from the message sent to the
  selection drawn after Python answered (boxes taking ~100 to all 10,000 exposures).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main"]

N = 10_000
SKY = "document.querySelector('.asnkit-sky').__asnkitSky"

CELLS = [
    f"""import sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from bench_sky import synthetic_pool
import asnkit
from asnkit.widgets import SkyView
pool = synthetic_pool({N})
fp = asnkit.footprints(pool)""",
    """start = time.perf_counter()
view = SkyView(pool, footprint_frame=fp, color_by="mostilno", height=560)
built = time.perf_counter() - start
view""",
]


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"median {statistics.median(values):7.1f}   p95 {p95:7.1f}   (n={len(values)})"


def _measure(page, lab, kernel, tools) -> dict[str, object]:
    sky = page.locator(".asnkit-sky")
    sky.wait_for(timeout=60_000)
    page.wait_for_function(f"() => {SKY}.stats.firstDraw !== null", timeout=60_000)
    sky.scroll_into_view_if_needed()
    out: dict[str, object] = {"first draw": page.evaluate(f"() => {SKY}.stats.firstDraw")}
    out["python"] = tools.kernel_value(lab, kernel, "round(built * 1000, 1)")
    out["message"] = tools.kernel_value(
        lab,
        kernel,
        "sum(len(v) for v in view._geometry.values() if isinstance(v, bytes)) + "
        "sum(len(v) for v in view._colors.values() if isinstance(v, bytes))",
    )
    page.evaluate(f"() => {{ {SKY}.flush = true; }}")
    box = page.locator(".asnkit-sky-over").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # zoom: wheel steps in, then out, about the middle of the plot
    page.evaluate(
        f"() => {{ const s = {SKY}.stats; s.frames.length = 0; s.zoomLatency.length = 0;"
        " s.moveFrames.length = 0; }"
    )
    page.mouse.move(cx, cy)
    for step in range(40):
        page.mouse.wheel(0, -120 if step < 20 else 120)
        page.wait_for_timeout(40 if step % 5 else 400)  # a pause now and then: full redraws
    page.wait_for_timeout(400)
    out["zoom frame"] = page.evaluate(f"() => {SKY}.stats.moveFrames.slice()")
    out["zoom latency"] = page.evaluate(f"() => {SKY}.stats.zoomLatency.slice()")
    out["full redraw"] = page.evaluate(f"() => {SKY}.stats.frames.slice()")

    # hover: the pointer across the footprints
    page.locator(".asnkit-sky-reset").click()
    page.wait_for_timeout(200)
    page.evaluate(f"() => {{ {SKY}.stats.hoverFrames.length = 0; }}")
    for k in range(80):
        page.mouse.move(box["x"] + 60 + k * (box["width"] - 120) / 80, cy + 40 * ((k % 7) - 3))
    out["hover frame"] = page.evaluate(f"() => {SKY}.stats.hoverFrames.slice()")

    # selection round trips: boxes of growing size, drawn with the mouse
    page.locator(".asnkit-sky-tool[data-tool=box]").click()
    page.evaluate(f"() => {{ {SKY}.stats.roundTrips.length = 0; }}")
    sizes = []
    for k in range(1, 11):
        half_w, half_h = box["width"] * k / 20, box["height"] * k / 20
        page.mouse.move(cx - half_w, cy - half_h)
        page.mouse.down()
        page.mouse.move(cx, cy, steps=3)
        page.mouse.move(cx + half_w, cy + half_h, steps=3)
        page.mouse.up()
        page.wait_for_function(f"n => {SKY}.stats.roundTrips.length >= n", arg=k, timeout=30_000)
        sizes.append(page.evaluate(f"() => {SKY}.state.selected.size"))
    out["round trip"] = page.evaluate(f"() => {SKY}.stats.roundTrips.slice()")
    out["selected"] = sizes
    return out


def main() -> int:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))  # tests/lab.py: JupyterLab + Chromium
    from tests import lab as tools

    try:
        tools.chromium()
        tools.sync_playwright()
    except tools.Missing as exc:
        print(f"skipped: {exc}")
        return 0
    with tempfile.TemporaryDirectory(prefix="asnkit-bench-skyview-") as folder:
        root, home = Path(folder) / "root", Path(folder) / "home"
        root.mkdir()
        tools.write_notebook(root / "bench.ipynb", CELLS)
        started = time.perf_counter()
        with tools.running_lab(root, home) as lab:
            kernel = lab.start_kernel("bench.ipynb")
            with tools.chromium_page(1400, 1000) as page:
                tools.open_notebook(page, lab, "bench.ipynb")
                tools.run_all_cells(page, timeout_ms=300_000)
                if tools.tracebacks(page):
                    print("\n".join(tools.tracebacks(page)))
                    return 1
                out = _measure(page, lab, kernel, tools)
        print(f"SkyView, {N:,} footprints (synthetic NIRCam mosaic, S_REGION), headless Chromium")
        print(
            f"  python: widget built in {out['python']} ms; {out['message'] / 1e6:.2f} MB of arrays"
        )
        print(f"  first draw            {out['first draw']:7.1f} ms        (target < 1000)")
        print(f"  zoom frame            {_stats(out['zoom frame'])}   (target < 30)")
        print(f"    wheel to screen     {_stats(out['zoom latency'])}")
        print(f"    full redraw         {_stats(out['full redraw'])}")
        print(f"  hover frame           {_stats(out['hover frame'])}   (target < 30)")
        print(f"  selection round trip  {_stats(out['round trip'])}   (target < 200)")
        print(f"    exposures selected  {out['selected']}")
        print(f"  ({time.perf_counter() - started:.0f} s in all, JupyterLab start included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
