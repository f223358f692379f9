"""Benchmark of the web app on the sample area (issue 7).

Prints:

* the time to compute the analysis when it is not cached yet (once; then it is on disk),
* the size of the map's HTML (target < 5 MB), without and with a coverage overlay,
* the time from a cold start of ``streamlit run app.py`` to the first full render of the map
  page in headless Chromium (target < 10 s with the analysis cached on disk),
* the time to re-render after a map-only change (colour by FTTH instead of mobile; target < 1 s),
  in the browser and as the server-side script time (AppTest).

With ``--screenshot`` it also saves the map page to docs/screenshot.png. Run:
``python benchmarks/app.py [--project data/sample] [--screenshot]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gis.maps import MapOptions, build_map, coverage_choices, map_html  # noqa: E402
from gis.maps.offline import use_local_assets  # noqa: E402
from gis.pipeline.cache import DiskStore, default_cache_dir, run_cached  # noqa: E402
from gis.project import Project  # noqa: E402


def ensure_cached(project_dir: Path, cache: Path) -> object:
    """Run the analysis into the app's disk cache unless it is there already."""
    project = Project.load(project_dir)
    t0 = time.perf_counter()
    ctx, hit = run_cached(project, project.params, store=DiskStore(cache))
    dt = time.perf_counter() - t0
    print(f"analysis: {'from the disk cache' if hit else 'computed'} in {dt:.1f} s "
          f"({len(ctx.hamlets)} hamlets, {len(ctx.rasters)} rasters)")
    return project, ctx


def html_sizes(project, ctx) -> None:
    t0 = time.perf_counter()
    html = map_html(use_local_assets(build_map(project, ctx, MapOptions())))
    dt = time.perf_counter() - t0
    print(f"map HTML: {len(html.encode()) / 1e6:.2f} MB (target < 5 MB), built in {dt:.2f} s")
    choices = coverage_choices(ctx.rasters)
    if choices:
        name = next((n for n in choices if n.endswith("_4g")), next(iter(choices)))
        html = map_html(use_local_assets(build_map(project, ctx, MapOptions(coverage=name))))
        print(f"map HTML with the {name} overlay: {len(html.encode()) / 1e6:.2f} MB")


def appttest_rerender(project_dir: Path, cache: Path, repeats: int = 5) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["GIS_PROJECT"], os.environ["GIS_APP_CACHE"] = str(project_dir), str(cache)

    def script() -> None:
        from gis.app.main import run_page

        run_page("map")

    at = AppTest.from_function(script, default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    times = []
    for i in range(repeats):
        at.radio(key="map_colour_by_vi").set_value("ftth" if i % 2 == 0 else "mobile")
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    assert not at.exception, [e.message for e in at.exception]
    print(f"server script, map page: first run in this process {first:.2f} s; "
          f"re-run after a map-only change: median {statistics.median(times):.2f} s "
          f"(target < 1 s)")


def browser(project_dir: Path, cache: Path, screenshot: bool, n_hamlets: int) -> None:
    from test_browser import (
        CHROMIUM,
        CHROMIUM_ARGS,
        SCREENSHOT,
        map_frame,
        start_app,
        stop_app,
        wait_for_hamlets,
    )

    if not Path(CHROMIUM).exists():
        print(f"browser timings skipped: no Chromium at {CHROMIUM}")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        br = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = br.new_page(viewport={"width": 1500, "height": 950})
        t0 = time.perf_counter()
        proc, url = start_app(project_dir, cache)
        try:
            t_up = time.perf_counter() - t0
            page.goto(f"{url}/map", wait_until="domcontentloaded")
            frame = map_frame(page, timeout_ms=300_000)
            wait_for_hamlets(page, frame, n_hamlets, timeout_ms=300_000)
            cold = time.perf_counter() - t0
            print(f"cold start -> map page fully drawn: {cold:.1f} s (target < 10 s; server up "
                  f"after {t_up:.1f} s)")
            page.wait_for_timeout(1000)
            if screenshot:
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT))
                print(f"screenshot: {SCREENSHOT.relative_to(ROOT)}")
            from gis.analysis.status import (
                FTTH_STATUSES,
                MOBILE_STATUSES,
                STATUS_COLORS,
            )

            times = []
            for label, codes in (("Cáp quang FTTH", FTTH_STATUSES),
                                 ("Vùng phủ di động", MOBILE_STATUSES)):
                palette = {c: STATUS_COLORS[c] for c in codes}
                before = _colours(page)
                t1 = time.perf_counter()
                page.get_by_text(label, exact=True).click()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    now = _colours(page)
                    if now and now != before and now <= set(palette.values()):
                        break
                    page.wait_for_timeout(20)
                times.append(time.perf_counter() - t1)
            print("re-render after a map-only change (browser, click to new colours drawn): "
                  + ", ".join(f"{x:.2f} s" for x in times) + " (target < 1 s)")
        finally:
            stop_app(proc)
            br.close()


def _colours(page) -> set[str]:
    """The fill colours of the hamlets drawn in the page's map (empty while re-rendering)."""
    from test_browser import hamlets_on_map

    for frame in page.frames:
        try:
            found = hamlets_on_map(frame)
        except Exception:
            continue
        if found and found.get("n"):
            return set(found["colours"])
    return set()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", type=Path, default=ROOT / "data" / "sample")
    ap.add_argument("--screenshot", action="store_true")
    args = ap.parse_args()
    if not (args.project / "project.json").is_file():
        sys.exit(f"No project in {args.project}: run `make sample` first.")
    cache = Path(os.environ.get("GIS_APP_CACHE") or default_cache_dir())
    project, ctx = ensure_cached(args.project, cache)
    html_sizes(project, ctx)
    appttest_rerender(args.project, cache)
    browser(args.project, cache, args.screenshot, len(ctx.hamlets))


if __name__ == "__main__":
    main()
