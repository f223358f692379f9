"""The app in a real browser: ``streamlit run app.py`` on a free port, headless Chromium through
Playwright, the Leaflet map and its hamlets, and a screenshot saved to docs/screenshot.png.

Skipped (with the reason) only where no Chromium exists and not in CI; with ``CI=true`` a missing
browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_app_support import build_small_project

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOT = ROOT / "docs" / "screenshot.png"

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but no Chromium at {CHROMIUM}: install the Debian package "
                    "'chromium' (apt-get install -y chromium).")
    pytest.skip(f"No Chromium at {CHROMIUM} (install the Debian package 'chromium'); "
                "the browser test runs wherever it exists and always in CI.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(project: Path, cache: Path, *, port: int | None = None,
              timeout_s: float = 90.0) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` headless on localhost; return the process and its URL
    once the health endpoint answers."""
    port = port or _free_port()
    env = {**os.environ, "GIS_PROJECT": str(project), "GIS_APP_CACHE": str(cache),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {err[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout_s} s")


def stop_app(proc: subprocess.Popen) -> None:
    """Terminate the streamlit process (kill it if it does not stop)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on the small test area (its analysis takes seconds), or on the project folder
    named by ``$GIS_BROWSER_PROJECT`` (e.g. data/sample, for the README's screenshot)."""
    _need_chromium()
    named = os.environ.get("GIS_BROWSER_PROJECT")
    project = (Path(named).resolve() if named
               else build_small_project(tmp_path_factory.mktemp("browser-project")))
    cache = tmp_path_factory.mktemp("browser-cache")
    proc, url = start_app(project, cache)
    yield url, project
    stop_app(proc)


def map_frame(page, *, timeout_ms: int = 120_000):
    """The st_folium iframe's frame once its Leaflet map is drawn."""
    page.wait_for_selector("iframe", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector(".leaflet-container"):
                    return frame
            except Exception:  # a frame being replaced while we look
                pass
        page.wait_for_timeout(250)
    raise AssertionError("no Leaflet map appeared in the page")


#: The hamlet features Leaflet holds and their fill colours. folium's layers are page globals;
#: the groups st_folium swaps in (feature_group_to_add) are listed in window.feature_group, which
#: also keeps the groups it removed from the map (their layers have no ``_map`` any more).
HAMLETS_JS = """() => {
    const seen = new Set(); const colours = new Set(); let n = 0;
    function visit(layer) {
        if (!layer || typeof layer !== 'object' || seen.has(layer)) return;
        seen.add(layer);
        if (layer.feature && layer.feature.properties
                && 'village_id' in layer.feature.properties) {
            if (!layer._map) return;        // a group st_folium has swapped out
            n++;
            if (layer.options && layer.options.fillColor) colours.add(layer.options.fillColor);
            return;
        }
        if (typeof layer.eachLayer === 'function') layer.eachLayer(visit);
    }
    for (const k of Object.keys(window)) {
        if (k.startsWith('geo_json_') || k.startsWith('feature_group_')) visit(window[k]);
    }
    (window.feature_group || []).forEach(visit);
    return {n: n, colours: Array.from(colours).sort()};
}"""


#: The positions (pixels, in the map's frame) of the centres of the hamlets drawn, largest
#: first (a big hamlet's centre is rarely under a site marker or a road).
HAMLET_POINTS_JS = """() => {
    const layers = [];
    function visit(layer) {
        if (!layer || typeof layer !== 'object' || layers.includes(layer)) return;
        if (layer.feature && layer.feature.properties
                && 'village_id' in layer.feature.properties && layer._map) {
            layers.push(layer); return;
        }
        if (typeof layer.eachLayer === 'function') layer.eachLayer(visit);
    }
    for (const k of Object.keys(window)) {
        if (k.startsWith('geo_json_') || k.startsWith('feature_group_')) visit(window[k]);
    }
    (window.feature_group || []).forEach(visit);
    function size(l) {
        if (!l.getBounds) return 0;
        const b = l.getBounds(); const p = l._map.latLngToContainerPoint(b.getNorthEast());
        const q = l._map.latLngToContainerPoint(b.getSouthWest());
        return Math.abs((p.x - q.x) * (p.y - q.y));
    }
    layers.sort((a, b) => size(b) - size(a));
    const r = layers.length ? layers[0]._map.getContainer().getBoundingClientRect() : null;
    return layers.slice(0, 8).map(function (layer) {
        const centre = layer.getCenter ? layer.getCenter() : layer.getLatLng();
        const p = layer._map.latLngToContainerPoint(centre);
        return [r.left + p.x, r.top + p.y, layer.feature.properties.name];
    });
}"""

def hamlets_on_map(frame) -> dict:
    """``{"n": hamlets on the map, "colours": their fill colours}`` in the map's frame."""
    return frame.evaluate(HAMLETS_JS)


def wait_for_hamlets(page, frame, n: int, *, timeout_ms: int = 60_000) -> int:
    """Wait until the map holds at least ``n`` hamlets; return how many it holds."""
    deadline = time.monotonic() + timeout_ms / 1000
    count = 0
    while time.monotonic() < deadline:
        try:
            count = int(hamlets_on_map(frame)["n"])
        except Exception:  # the frame is being replaced by a re-render
            frame = map_frame(page, timeout_ms=timeout_ms)
            continue
        if count >= n:
            break
        page.wait_for_timeout(100)
    return count


def click_a_hamlet(page, frame) -> tuple[object, str]:
    """Click hamlets (largest first) until one opens its own popup; returns the frame and the
    popup's text."""
    iframe = page.query_selector("iframe[title='streamlit_folium.st_folium']")
    box = iframe.bounding_box()
    for _attempt in range(3):
        for x, y, _name in frame.evaluate(HAMLET_POINTS_JS):
            page.mouse.click(box["x"] + x, box["y"] + y)
            try:
                frame.wait_for_selector(".leaflet-popup-content .gis-hamlet", timeout=3000)
                return frame, frame.inner_text(".leaflet-popup-content")
            except Exception:  # a site or a line was over that point, or a re-render
                continue
        frame = map_frame(page)
        box = page.query_selector("iframe[title='streamlit_folium.st_folium']").bounding_box()
    raise AssertionError("no hamlet opened its popup")


def test_map_page_in_chromium(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    url, project = app_url
    from gis.project import Project

    n_villages = len(Project.load(project).layers["villages"])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 950})
            page.goto(f"{url}/map", wait_until="domcontentloaded")
            frame = map_frame(page)
            # every hamlet is on the map, drawn on the vector canvas
            assert wait_for_hamlets(page, frame, n_villages) == n_villages
            assert frame.query_selector(".leaflet-overlay-pane canvas") is not None
            # the controls the issue asks for are on the map
            for selector in (".leaflet-control-layers", ".leaflet-control-scale",
                             ".leaflet-control-measure", ".leaflet-control-zoom"):
                assert frame.query_selector(selector) is not None, selector
            # the legend: collapsible, in Vietnamese, listing the layers drawn
            legend = frame.wait_for_selector(".gis-legend details", timeout=30_000)
            assert "Chú giải" in legend.inner_text() and "Đường giao thông" in \
                legend.inner_text()
            page.wait_for_timeout(1000)           # let the map settle after fitting its bounds
            # a click on a hamlet opens ITS popup: status, reason, fix, people served
            frame, popup = click_a_hamlet(page, frame)
            assert "Di động" in popup and "Cáp quang" in popup and "Dân số" in popup
            assert "Số dân được phục vụ" in popup
            # ... and fills the side panel with that hamlet (st_folium returns the feature)
            name = popup.splitlines()[0].strip()
            page.wait_for_selector("[data-testid='stDataFrame']", state="attached",
                                   timeout=30_000)
            page.get_by_text(name, exact=False).first.wait_for(timeout=30_000)
            # hovering a hamlet shows its tooltip (name and status)
            iframe = page.query_selector("iframe[title='streamlit_folium.st_folium']")
            box = iframe.bounding_box()
            x, y, hover_name = frame.evaluate(HAMLET_POINTS_JS)[0]
            page.mouse.move(box["x"] + x - 3, box["y"] + y - 3)
            page.mouse.move(box["x"] + x, box["y"] + y)
            frame.wait_for_function(
                "(name) => [...document.querySelectorAll('.gis-hamlet-tip')]"
                ".some(t => t.innerText.includes(name))", arg=hover_name, timeout=10_000)
            # no internet here: the base map falls back to the plain one by itself
            online = frame.evaluate("() => !!document.querySelector("
                                    "'.leaflet-tile-loaded[src^=\"http\"]')")
            if not online:
                page.wait_for_timeout(7000)
                assert frame.evaluate("() => window.gisOfflineBase === true")
            # the Vietnamese page title is shown by default
            assert page.get_by_text("Bản đồ").first.is_visible()
            page.wait_for_timeout(800)
            # docs/screenshot.png shows the sample area; other projects' go to tmp_path
            shot = SCREENSHOT if project.name == "sample" else tmp_path / "screenshot.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            frame, _popup = click_a_hamlet(page, frame)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000
