"""Serve the map's browser libraries from the app itself, so the map works with no internet.

folium elements name the JavaScript and CSS files they need (``default_js``/``default_css``,
public CDN addresses). :func:`use_local_assets` rewrites them, on one map, to copies vendored in
``static/vendor/`` (see its README) that Streamlit serves at ``/app/static/vendor/``; files the
planning map does not need (Bootstrap, Font Awesome, awesome-markers) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

__all__ = ["LOCAL_CSS", "LOCAL_JS", "VENDOR_DIR", "use_local_assets"]

#: Where the vendored files live in the repository.
VENDOR_DIR: Final = Path(__file__).resolve().parents[2] / "static" / "vendor"

#: folium asset name -> vendored file (relative to VENDOR_DIR); None: not needed, dropped.
LOCAL_JS: Final[dict[str, str | None]] = {
    "leaflet": "leaflet/leaflet.js",
    "jquery": "jquery/jquery.min.js",
    "bootstrap": None,
    "awesome_markers": None,
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "leaflet_measure_js": "leaflet-measure/leaflet-measure.min.js",
    "Control.Fullscreen.js": "fullscreen/Control.FullScreen.js",
    "d3": "d3/d3.min.js",
}
LOCAL_CSS: Final[dict[str, str | None]] = {
    "leaflet_css": "leaflet/leaflet.css",
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "leaflet_measure_css": "leaflet-measure/leaflet-measure.css",
    "Control.FullScreen.css": "fullscreen/Control.FullScreen.css",
}


def _walk(element: Any):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _rewrite(assets: list[tuple[str, str]], table: dict[str, str | None],
             base_url: str) -> list[tuple[str, str]]:
    out = []
    for name, url in assets:
        if name in table:
            local = table[name]
            if local is not None and (VENDOR_DIR / local).is_file():
                out.append((name, base_url + local))
            elif local is not None:
                out.append((name, url))   # no local copy: keep the CDN address
        else:
            out.append((name, url))
    return out


def use_local_assets(m: Any, base_url: str = "/app/static/vendor/") -> Any:
    """Point every element of map ``m`` at the vendored libraries under ``base_url``.

    Elements keep any asset that has no local copy. Returns ``m``.
    """
    for element in _walk(m):
        js = getattr(element, "default_js", None)
        css = getattr(element, "default_css", None)
        if js:
            element.default_js = _rewrite(list(js), LOCAL_JS, base_url)
        if css:
            element.default_css = _rewrite(list(css), LOCAL_CSS, base_url)
    return m
