"""Sky and widget speed: footprints and plots of 5,000 exposures, filtering 50,000 rows.

Targets (issue 6): a 5,000-exposure pool plots in under 2 s; filtering a 50,000-row
pool in the PoolExplorer updates in under 0.5 s. Issue 14: ``plot_sky`` of 5,000
exposures rebuilt from pointing keywords under 1 s, against the previous release in
the same run (``--baseline PYTHON`` of run.py, or ``$ASNKIT_BASELINE_PYTHON``). Run
with ``python benchmarks/run.py sky``.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

__all__ = ["main", "synthetic_pool"]


def synthetic_pool(n: int, *, seed: int = 0, sky: str = "s_region") -> pd.DataFrame:
    """A pool of ``n`` NIRCam-like exposures on a mosaic: 4 dithers x tiles x 8 detectors.

    ``sky`` is ``"s_region"`` (polygon text), ``"pointing"`` (keywords for pysiaf) or
    ``"none"`` (pool columns only).
    """
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    detectors = np.array([f"NRCA{k}" for k in range(1, 5)] + [f"NRCB{k}" for k in range(1, 5)])
    det = detectors[i % 8]
    dither = (i // 8) % 4 + 1
    tile = (i // 32) % 25 + 1
    obs = i // 800 + 1
    ra0, dec0 = 150.1, 2.2
    # tile centres on a 5x5 grid of 2.2', dither offsets of a few arcsec, detectors in a 4x2 block
    tx, ty = ((tile - 1) % 5) * 2.2 / 60, ((tile - 1) // 5) * 2.2 / 60
    dx, dy = (dither - 1) * 3 / 3600, (dither - 1) * 2 / 3600
    kx, ky = (i % 4) * 1.05 / 60, ((i % 8) // 4) * 1.05 / 60
    cra = ra0 + (tx + dx + kx) / np.cos(np.radians(dec0))
    cdec = dec0 + ty + dy + ky + (obs - 1) * 0.2
    pool = pd.DataFrame(
        {
            "filename": [
                f"jw01234{o:03d}001_02101_{k:05d}_{d.lower()}_cal.fits"
                for o, k, d in zip(obs, i, det, strict=True)
            ],
            "program": "01234",
            "obs_num": obs.astype(str),
            "visit": "1",
            "instrume": "nircam",
            "exp_type": rng.choice(["nrc_image", "nrc_image", "nrc_tacq"], n),
            "detector": det,
            "filter": rng.choice(["F090W", "F150W", "F277W", "F444W"], n),
            "pupil": "CLEAR",
            "patt_num": dither.astype(str),
            "numdthpt": "4",
            "mostilno": tile.astype(str),
            "targ_ra": str(ra0),
            "targ_dec": str(dec0),
        }
    )
    half = 1.0 / 60 / 2
    if sky == "s_region":
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        scale = np.cos(np.radians(cdec))
        pool["s_region"] = [
            "POLYGON ICRS "
            + " ".join(f"{a + sx * half / s:.7f} {b + sy * half:.7f}" for sx, sy in corners)
            for a, b, s in zip(cra, cdec, scale, strict=True)
        ]
    elif sky == "pointing":
        pool["apername"] = [f"{d}_FULL" for d in det]
        pool["ra_ref"] = cra
        pool["dec_ref"] = cdec
        pool["roll_ref"] = 30.0
        # reference point of each detector's aperture: read from pysiaf once
        from asnkit.sky.apertures import ApertureCatalog

        catalog = ApertureCatalog()
        refs = {d: catalog.get(f"{d}_FULL") for d in detectors}
        pool["v2_ref"] = [refs[d].v2_ref for d in det]
        pool["v3_ref"] = [refs[d].v3_ref for d in det]
    return pool


def _time(function, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_plot(n: int = 5000) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import asnkit

    for sky in ("s_region", "pointing"):
        pool = synthetic_pool(n, sky=sky)
        t_fp, fp = _time(lambda pool=pool: asnkit.footprints(pool), repeat=2)

        def plot(pool=pool, fp=fp):
            fig, ax = plt.subplots(figsize=(8, 6))
            out = asnkit.plot_sky(pool, ax, color_by="mostilno", footprint_frame=fp)
            fig.canvas.draw()
            plt.close(fig)
            return out

        def everything(pool=pool):
            fig, ax = plt.subplots(figsize=(8, 6))
            out = asnkit.plot_sky(pool, ax, color_by="mostilno")
            fig.canvas.draw()
            plt.close(fig)
            return out

        t_plot, out = _time(plot, repeat=2)
        t_all, _ = _time(everything, repeat=2)
        print(
            f"plot_sky {n} exposures from {sky:8s}: footprints {t_fp:.2f} s, "
            f"plot+draw {t_plot:.2f} s, total {t_all:.2f} s "
            f"({out.n_polygons} polygons, {len(out.labels)} colours)  target < 2 s"
        )
    pool = synthetic_pool(n, sky="none")

    def grid(pool=pool):
        fig, ax = plt.subplots(figsize=(8, 6))
        out = asnkit.plot_grid(pool, ax)
        fig.canvas.draw()
        plt.close(fig)
        return out

    t_grid, out = _time(grid, repeat=2)
    print(f"plot_grid {n} exposures (schematic): {t_grid:.2f} s ({out.n_polygons} polygons)")


def bench_filter(n: int = 50_000) -> None:
    from asnkit.widgets import PoolExplorer

    pool = synthetic_pool(n, sky="none")
    start = time.perf_counter()
    explorer = PoolExplorer(pool, debounce=0)
    t_build = time.perf_counter() - start
    model = explorer.model
    steps = [
        ("filter=f150w", lambda: setattr(explorer.filters["filter"], "value", ("f150w",))),
        (
            "+ detector nrca1,nrcb1",
            lambda: setattr(explorer.filters["detector"], "value", ("nrca1", "nrcb1")),
        ),
        ("+ file name '*_04*'", lambda: setattr(explorer.pattern, "value", "*_04*")),
        ("reset", explorer.reset),
    ]
    print(f"PoolExplorer on {n} rows: built in {t_build:.2f} s, {len(explorer.filters)} filters")
    for label, action in steps:
        start = time.perf_counter()
        action()
        elapsed = time.perf_counter() - start
        print(
            f"  {label:26s} -> {model.n_selected:6d} rows in {elapsed * 1000:6.1f} ms "
            "(model + controls + table + summary)  target < 500 ms"
        )
    # the model alone (alternating, so that every assignment is a change)
    choices = [{"exp_type": ["nrc_tacq"]}, {"exp_type": ["nrc_image"], "obs_num": ["3"]}]
    times = []
    for k in range(6):
        start = time.perf_counter()
        model.selections = choices[k % 2]
        times.append(time.perf_counter() - start)
    print(f"  model update alone (mask + faceted counts): {min(times) * 1000:.1f} ms")


def bench_grouping(n: int = 5000) -> None:
    from asnkit.widgets import GroupingView

    pool = synthetic_pool(n, sky="s_region")
    start = time.perf_counter()
    view = GroupingView(pool, grouping="mostilno")
    t_build = time.perf_counter() - start
    start = time.perf_counter()
    view.groups.value = view.model.groups[3][0]
    t_pick = time.perf_counter() - start
    n_members = len(view.model.members)
    start = time.perf_counter()
    view.sky.color_by = "filter"  # the "colour by" menu: regroups the list and the sky
    t_regroup = time.perf_counter() - start
    print(
        f"GroupingView on {n} exposures: built {t_build:.2f} s, pick a group "
        f"{t_pick:.2f} s ({n_members} members), regroup {t_regroup:.2f} s"
    )


def bench_versions(n: int = 5000) -> None:
    """footprints and plot_sky from pointing keywords: this version vs the baseline."""
    from versions import Versions, format_ratio, median

    versions = Versions()
    print(versions.describe())
    repeat = 3
    for workload, what in (("footprints", "footprints"), ("plot_sky", "plot_sky + draw")):
        runs = versions.measure(workload, 1, n=n, calls=repeat + 1)
        walls = {label: median(r[0]["wall"][1:]) for label, r in runs.items()}
        cpus = {label: median(r[0]["cpu"][1:]) for label, r in runs.items()}
        for label in walls:
            print(
                f"  {what} of {n} exposures from pointing ({label}): {walls[label]:.3f} s wall, "
                f"{cpus[label]:.3f} s CPU (median of {repeat} after the first call)"
            )
        if "base" in walls:
            wall = format_ratio(walls["base"], walls["this"])
            cpu = format_ratio(cpus["base"], cpus["this"])
            print(f"  ratio base / this: wall {wall}, CPU {cpu}  (plot_sky target < 1 s)")


def main() -> None:
    bench_versions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bench_plot()
        bench_filter()
        bench_grouping()


if __name__ == "__main__":
    main()
