"""The planning map: base maps, every layer of a project and its results, controls and legend.

:func:`build_map` is what the app's Map page and the notebook call::

    m = build_map(project, ctx, MapOptions(lang="en"))
    m.save("map.html")

The base map is OpenStreetMap when its tiles load; when they cannot be reached (no internet, a
closed network) the map switches by itself to the plain background, which needs no network
(:class:`OfflineBase`). The legend is collapsible and lists what the map shows: the hamlet
colouring in use, the coverage overlay, and each layer while it is switched on in the layer
control (:class:`Legend`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template
from folium.plugins import Fullscreen, MeasureControl

from gis.analysis.ducts import DUCT_CLASS_COLOURS, DUCT_CLASS_LABELS, duct_class
from gis.analysis.speed import speed_legend
from gis.analysis.status import FTTH_STATUSES, MOBILE_STATUSES, STATUS_COLORS
from gis.labels import FIBER_LEVEL_LABELS, ROAD_CLASS_LABELS, map_text, status_label
from gis.locale import operator_name
from gis.maps._fast import fast
from gis.maps.geojson import cached, compact_geojson, to_wgs84
from gis.maps.hamlets import COLOUR_BY, hamlet_frame, hamlets_layer
from gis.maps.layers import (
    lines_layer,
    points_layer,
    sectors_layer,
    sites_layer,
)
from gis.maps.raster import RsrpScale, coverage_overlay
from gis.maps.style import (
    COLOCATION_COLOUR,
    EXTENSION_COLOUR,
    FIBER_COLOURS,
    PROPOSED_COLOUR,
    ROAD_STYLES,
    operator_colour,
)

__all__ = [
    "BASEMAPS",
    "Legend",
    "MapOptions",
    "MapParts",
    "OfflineBase",
    "build_map",
    "build_map_parts",
    "colour_choices",
    "coverage_choices",
    "hamlet_at",
    "legend_sections",
    "map_html",
    "overlay_name",
    "speed_choices",
]

#: Base map id -> (tile URL or folium name, attribution).
BASEMAPS: dict[str, tuple[str, str]] = {
    "osm": ("OpenStreetMap", ""),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
        "{z}/{y}/{x}",
        "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, GIS User Community",
    ),
    # One light-grey 1x1 PNG as every tile: a background that needs no network at all.
    "plain": (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4"
        "/+8/AAX+Av4N70a4AAAAAElFTkSuQmCC",
        "—",
    ),
}
#: The base map that needs no network (the fallback).
OFFLINE_BASEMAP = "plain"

_RASTER_NAME = re.compile(r"^coverage_(?P<operator>.+)_(?P<tech>[2345]g)$", re.IGNORECASE)


@dataclass(frozen=True)
class MapOptions:
    """What the map shows. Changing these never recomputes an analysis.

    Attributes
    ----------
    lang
        ``"vi"`` or ``"en"``: layer names, legend and popups.
    colour_by
        ``"mobile"`` (covered / weak spot / no signal), ``"ftth"``, or, when the run estimated
        them, ``"speed"`` / ``"speed_fixed"`` (expected download speed; :func:`colour_choices`).
    basemap
        ``"osm"``, ``"satellite"`` or ``"plain"`` (no network needed): the one shown first; the
        others stay selectable in the layer control. A remote one that cannot be reached is
        replaced by ``"plain"`` in the browser.
    coverage
        Name of the coverage raster to overlay (a key of ``ctx.rasters`` such as
        ``"coverage_viettel_4g"``), or ``None``.
    opacity
        Opacity of the coverage overlay, 0 (invisible) to 1 (opaque); 0.6 lets the hamlets and
        the base map show through.
    layers
        Optional layers to draw (``roads``, ``fiber``, ``fiber_nodes``, ``sites``, ``sectors``,
        ``facilities``, ``admin``, ``positions``, ``colocation``, ``proposed``, ``extensions``,
        ``ducts``).
    rsrp_scale
        The RSRP colour tiers of the coverage overlay.
    """

    lang: str = "vi"
    colour_by: str = "mobile"
    basemap: str = "osm"
    coverage: str | None = None
    opacity: float = 0.6
    layers: frozenset[str] = frozenset({
        "roads", "fiber", "fiber_nodes", "sites", "sectors", "facilities", "admin",
        "positions", "colocation", "proposed", "extensions", "ducts",
    })
    rsrp_scale: RsrpScale = field(default_factory=RsrpScale)


def coverage_choices(rasters: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The coverage rasters of a run: raster name -> (operator as spelt, technology), sorted."""
    out = {}
    for name in sorted(rasters):
        m = _RASTER_NAME.match(name)
        if m:
            out[name] = (str(operator_name(m["operator"])), m["tech"].upper())
    return out


_SPEED_RASTER = re.compile(r"^est_dl_mbps_(?P<operator>.+)$")


def speed_choices(rasters: dict[str, Any]) -> dict[str, str]:
    """The expected-speed rasters of a run (issue 16: ``est_dl_mbps_best``,
    ``est_dl_mbps_<operator>``): raster name -> the operator as spelt (``""`` for the best
    operator's), sorted with the best first."""
    out = {}
    for name in sorted(rasters, key=lambda n: (n != "est_dl_mbps_best", n)):
        m = _SPEED_RASTER.match(name)
        if m:
            op = m["operator"]
            out[name] = "" if op == "best" else str(operator_name(op))
    return out


def overlay_name(name: str, lang: str) -> str:
    """The layer name of an overlay raster: "Vùng phủ Viettel 4G", "Tốc độ ước tính ..."."""
    cov = coverage_choices({name: 0})
    if name in cov:
        return map_text("layer_coverage", lang, operator=cov[name][0], tech=cov[name][1])
    speed = speed_choices({name: 0})
    if name in speed:
        who = speed[name] or map_text("best_operator", lang)
        return map_text("layer_speed", lang, operator=who)
    return name


def colour_choices(hamlets: pd.DataFrame | None) -> list[str]:
    """How the hamlets of a run can be coloured: ``mobile``, ``ftth``, and ``speed`` /
    ``speed_fixed`` when the run has the expected-speed columns."""
    cols = set(getattr(hamlets, "columns", []))
    return [k for k, need in COLOUR_BY.items() if need is None or need in cols]


class _ZoomGate(MacroElement):
    """Shows a layer only at or above a zoom level (sector wedges clutter the district view)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var layer = {{ this.layer.get_name() }};
            function gate() {
                if (map.getZoom() >= {{ this.min_zoom }}) { if (!map.hasLayer(layer)) {
                    map.addLayer(layer); } }
                else if (map.hasLayer(layer)) { map.removeLayer(layer); }
            }
            map.on('zoomend', gate); gate();
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: folium.FeatureGroup, min_zoom: int) -> None:
        super().__init__()
        self._name = "ZoomGate"
        self.layer = layer
        self.min_zoom = int(min_zoom)


class _MetricScale(MacroElement):
    """A metric-only scale bar (Vietnam measures in metres)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, maxWidth: 160,
                         position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class OfflineBase(MacroElement):
    """Switches to the plain background when the remote base maps cannot be reached.

    When the browser says it is offline, when three tiles of the remote base map shown fail
    before any loads, or when none has loaded ``timeout_ms`` after the map opened (a closed
    network that drops requests without an answer), the remote base maps are removed, the plain
    one is added and a note says why. It happens once; the user can still pick a remote base
    map in the layer control afterwards.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var plain = {{ this.plain.get_name() }};
            var remote = [{% for l in this.remote %}{{ l.get_name() }}{{ "," if not loop.last }}{% endfor %}];
            var loaded = 0, errors = 0, done = false;
            function fallback() {
                if (done || loaded > 0) return;
                var shown = remote.filter(function(l) { return map.hasLayer(l); });
                if (!shown.length) return;
                done = true;
                shown.forEach(function(l) { map.removeLayer(l); });
                map.addLayer(plain);
                var note = L.control({position: 'bottomleft'});
                note.onAdd = function() {
                    var d = L.DomUtil.create('div', 'gis-offline-note');
                    d.style.cssText = 'background:rgba(255,255,255,.9);padding:2px 6px;'
                        + 'border-radius:3px;font:11px sans-serif;max-width:260px';
                    d.textContent = {{ this.note|tojson }};
                    return d;
                };
                note.addTo(map);
                window.gisOfflineBase = true;
            }
            remote.forEach(function(l) {
                l.on('tileload', function() { loaded++; });
                l.on('tileerror', function() { errors++; if (errors >= 3) fallback(); });
            });
            if (navigator.onLine === false) { setTimeout(fallback, 0); }
            setTimeout(fallback, {{ this.timeout_ms }});
        })();
        {% endmacro %}
    """)

    def __init__(self, plain: folium.TileLayer, remote: list[folium.TileLayer], note: str, *,
                 timeout_ms: int = 6000) -> None:
        super().__init__()
        self._name = "OfflineBase"
        self.plain = plain
        self.remote = remote
        self.note = note
        self.timeout_ms = int(timeout_ms)


#: One legend section: the layer-control name it follows (``None``: always shown), its title
#: (``""``: none, for a one-row section that names itself) and its rows ``(label, colour,
#: shape)`` with shape ``box``, ``dot`` or ``line``.
Section = tuple[str | None, str, list[tuple[str, str, str]]]


class Legend(MacroElement):
    """A collapsible legend (bottom right) that lists what the map shows.

    Added to a :class:`folium.FeatureGroup` (not drawn itself), it appears with the group and
    goes with it, so the app swaps it with the hamlet colouring without redrawing the map. A
    section tied to a layer (its name in the layer control) is shown only while that layer is
    switched on.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var group = {{ this._parent.get_name() }};
            var ctrl = L.control({position: 'bottomright'});
            var html = {{ this.html|tojson }};
            function sync(map, div) {
                var boxes = {};
                var labels = map.getContainer().querySelectorAll(
                    '.leaflet-control-layers-overlays label');
                labels.forEach(function(lab) {
                    var input = lab.querySelector('input');
                    if (input) { boxes[lab.textContent.trim()] = input.checked; }
                });
                div.querySelectorAll('[data-layer]').forEach(function(sec) {
                    var name = sec.getAttribute('data-layer');
                    var on = (name in boxes) ? boxes[name] : sec.getAttribute('data-shown') === '1';
                    sec.style.display = on ? '' : 'none';
                });
            }
            ctrl.onAdd = function(map) {
                var div = L.DomUtil.create('div', 'gis-legend');
                div.innerHTML = html;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                var again = function() { setTimeout(function() { sync(map, div); }, 0); };
                this._again = again;
                map.on('overlayadd overlayremove', again);
                again();
                return div;
            };
            ctrl.onRemove = function(map) { map.off('overlayadd overlayremove', this._again); };
            group.on('add', function() { ctrl.addTo(group._map); });
            group.on('remove', function() { ctrl.remove(); });
            if (group._map) { ctrl.addTo(group._map); }
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, sections: list[Section], shown: dict[str, bool]) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend_html(title, sections, shown)


def legend_html(title: str, sections: list[Section], shown: dict[str, bool]) -> str:
    """The legend's HTML: a ``<details>`` block (collapsible, open) with one ``<div>`` per
    section; ``shown`` says which layers are on when the map opens."""
    parts = ['<details open style="background:rgba(255,255,255,.93);padding:5px 8px;'
             'border-radius:4px;font:12px/1.35 sans-serif;box-shadow:0 1px 4px #0004;'
             'max-height:46vh;overflow:auto;max-width:290px">',
             f'<summary style="cursor:pointer"><b>{html.escape(title)}</b></summary>']
    for layer, head, rows in sections:
        attrs = ""
        if layer is not None:
            on = "1" if shown.get(layer, True) else "0"
            attrs = (f' data-layer="{html.escape(layer)}" data-shown="{on}"'
                     + ('' if on == "1" else ' style="display:none"'))
        parts.append(f'<div class="gis-legend-section"{attrs}>')
        if head:
            parts.append(f'<div style="margin-top:3px"><i>{html.escape(head)}</i></div>')
        for label, colour, shape in rows:
            if shape == "line":
                sym = (f'<span style="display:inline-block;width:16px;height:0;margin-right:5px;'
                       f'vertical-align:3px;border-top:3px solid {colour}"></span>')
            else:
                radius = "50%" if shape == "dot" else "2px"
                sym = (f'<span style="display:inline-block;width:12px;height:12px;'
                       f'margin-right:5px;vertical-align:-2px;background:{colour};'
                       f'border-radius:{radius};border:1px solid #444"></span>')
            parts.append(f"<div>{sym}{html.escape(label)}</div>")
        parts.append("</div>")
    parts.append("</details>")
    return "".join(parts)


def _add(group: Any, m: folium.Map) -> None:
    if group is not None:
        group.add_to(m)


def _center_zoom(villages: Any) -> tuple[list[float], list[list[float]]]:
    wgs = to_wgs84(villages[[villages.geometry.name]], simplify_m=None)
    west, south, east, north = (float(v) for v in wgs.total_bounds)
    return [(south + north) / 2, (west + east) / 2], [[south, west], [north, east]]


@dataclass
class MapParts:
    """The map split for the app: the static ``map``, the ``dynamic`` groups that change with
    the map options (coverage overlay, hamlet colours, legend) and the ``layer_control``.

    The app passes them to ``st_folium(map, feature_group_to_add=dynamic,
    layer_control=layer_control)``: a change of hamlet colours or overlay then only swaps those
    groups in the browser instead of redrawing the whole map.
    """

    map: folium.Map
    dynamic: list[folium.FeatureGroup]
    layer_control: folium.LayerControl


def _boundaries(admin: Any) -> Any:
    """Commune polygons as their boundary lines: the line shows the name on hover, and the
    inside of a commune stays free for clicks on its hamlets."""
    out = admin[[c for c in ("name",) if c in admin] + [admin.geometry.name]].copy()
    return out.set_geometry(shapely.boundary(np.asarray(out.geometry.values)), crs=admin.crs)


def _ducts(tables: dict[str, Any]) -> Any:
    table = tables.get("shared_duct_roads")
    if table is None or len(table) == 0 or "geometry" not in table:
        return None
    if "duct_class" not in table:
        table = table.assign(duct_class=duct_class(table))
    return table


def build_map_parts(project: Any, ctx: Any = None, options: MapOptions = MapOptions(), *,
                    height: str = "100%", cache: dict | None = None) -> MapParts:
    """:func:`build_map` in parts (see :class:`MapParts`); same arguments."""
    lang = options.lang
    villages = project.require("villages")
    center, bounds = cached(cache, ("view",), lambda: _center_zoom(villages))
    m = folium.Map(location=center, zoom_start=12, tiles=None, control_scale=False,
                   prefer_canvas=True, height=height)
    tiles = {}
    for key, (url, attr) in BASEMAPS.items():
        tiles[key] = folium.TileLayer(tiles=url, attr=attr or None,
                                      name=map_text(f"base_{key}", lang), overlay=False,
                                      control=True, show=key == options.basemap, max_zoom=19)
        tiles[key].add_to(m)
    m.add_child(OfflineBase(tiles[OFFLINE_BASEMAP],
                            [t for k, t in tiles.items() if k != OFFLINE_BASEMAP],
                            map_text("offline_note", lang)))
    want = options.layers
    hamlets = getattr(ctx, "hamlets", None)
    tables = getattr(ctx, "tables", {}) or {}
    rasters = getattr(ctx, "rasters", {}) or {}
    shown: dict[str, bool] = {}    # layer-control name -> on when the map opens

    def add(group: Any, key: str) -> None:
        if group is not None:
            group.add_to(m)
            shown[map_text(key, lang) if key.startswith("layer_") else key] = group.show

    if "admin" in want and project.layer("admin") is not None and len(project.layer("admin")):
        admin = project.layer("admin")
        group = folium.FeatureGroup(name=map_text("layer_admin", lang), show=True)
        fast(folium.GeoJson)(cached(cache, ("admin",),
                                    lambda: compact_geojson(_boundaries(admin), ["name"],
                                                            simplify_m=20.0)),
                             style_function=lambda _f: {"color": "#37474f", "weight": 1.4,
                                                        "dashArray": "4 3"},
                             tooltip=folium.GeoJsonTooltip(["name"], labels=False)
                             if "name" in admin else None).add_to(group)
        add(group, "layer_admin")

    dynamic: list[folium.FeatureGroup] = []
    if options.coverage and options.coverage in rasters:
        name = overlay_name(options.coverage, lang)
        group = folium.FeatureGroup(name=name, show=True)
        kind = "speed" if options.coverage in speed_choices(rasters) else "rsrp"
        coverage_overlay(rasters[options.coverage], scale=options.rsrp_scale, name=name,
                         opacity=options.opacity, cache=cache, kind=kind).add_to(group)
        dynamic.append(group)

    if "roads" in want:
        add(lines_layer(project.layer("roads"), name=map_text("layer_roads", lang),
                        kind="roads", lang=lang, cache=cache), "layer_roads")
    if "fiber" in want:
        add(lines_layer(project.layer("fiber"), name=map_text("layer_fiber", lang),
                        kind="fiber", lang=lang, cache=cache), "layer_fiber")
    if "extensions" in want:
        add(lines_layer(tables.get("fiber_extensions"), name=map_text("layer_extensions", lang),
                        kind="extensions", lang=lang, dashed=True,
                        fields=("route_id", "length_m", "cost_vnd", "hamlets_served"),
                        cache=cache), "layer_extensions")
    ducts = _ducts(tables) if "ducts" in want else None
    if ducts is not None:
        add(lines_layer(ducts, name=map_text("layer_ducts", lang), kind="ducts", lang=lang,
                        fields=("name", "operators", "length_m", "saving_vnd"), cache=cache,
                        show=True), "layer_ducts")

    tables_key = tuple(sorted(tables))
    frame = cached(cache, ("hamlet_frame", lang, tables_key),
                   lambda: hamlet_frame(villages, hamlets, lang, tables))
    colour_by = options.colour_by if options.colour_by in colour_choices(hamlets) else "mobile"
    dynamic.append(hamlets_layer(frame, colour_by=colour_by, lang=lang, cache=cache))
    shown[map_text("layer_hamlets", lang)] = True

    if "fiber_nodes" in want:
        add(points_layer(project.layer("fiber_nodes"), name=map_text("layer_fiber_nodes", lang),
                         colour="#7b1fa2", radius=3.0, lang=lang, show=False,
                         fields=("node_id", "kind", "operator"), cache=cache),
            "layer_fiber_nodes")
    if "facilities" in want:
        add(points_layer(project.layer("facilities"), name=map_text("layer_facilities", lang),
                         colour="#263238", radius=3.5, lang=lang, show=False,
                         fields=("name", "kind"), cache=cache), "layer_facilities")
    if "sites" in want:
        for group in sites_layer(project.layer("sites"), lang=lang, cache=cache):
            group.add_to(m)
            shown[group.layer_name] = True
    if "sectors" in want:
        wedges = sectors_layer(project.layer("sites"), lang=lang, cache=cache)
        if wedges is not None:
            wedges.add_to(m)
            m.add_child(_ZoomGate(wedges, wedges.min_zoom))
    if "positions" in want and "positions" in tables:
        pos = tables["positions"]
        shared = pos[pos["shared"].astype(bool)] if "shared" in pos else pos
        add(points_layer(shared, name=map_text("layer_positions", lang), colour="#ffffff",
                         radius=7, lang=lang, show=False,
                         fields=("position_id", "operators", "n_operators"), cache=cache),
            "layer_positions")
    if "colocation" in want and "colocation_opportunities" in tables:
        add(points_layer(_colocation_points(tables), name=map_text("layer_colocation", lang),
                         colour=COLOCATION_COLOUR, radius=6, lang=lang, show=False,
                         fields=("host_position_id", "operator", "host_operators",
                                 "hamlets_gained", "population_gained"), cache=cache),
            "layer_colocation")
    if "proposed" in want and "proposed_towers" in tables:
        add(points_layer(tables["proposed_towers"], name=map_text("layer_proposed", lang),
                         colour=PROPOSED_COLOUR, radius=7, lang=lang,
                         fields=("tower_id", "operators", "hamlets_served",
                                 "population_served", "tower_class"), cache=cache),
            "layer_proposed")

    Fullscreen(position="topleft").add_to(m)
    m.add_child(_MetricScale())
    MeasureControl(position="topleft", primary_length_unit="meters",
                   secondary_length_unit="kilometers", primary_area_unit="hectares").add_to(m)
    legend = folium.FeatureGroup(name="legend", show=True, control=False)
    legend.add_child(Legend(map_text("legend", lang),
                            legend_sections(options, project, frame, tables, rasters,
                                            colour_by=colour_by, ducts=ducts),
                            shown))
    dynamic.append(legend)
    m.fit_bounds(bounds)
    return MapParts(m, dynamic, folium.LayerControl(collapsed=True, position="topright"))


def build_map(project: Any, ctx: Any = None, options: MapOptions = MapOptions(), *,
              height: str = "100%", cache: dict | None = None) -> folium.Map:
    """The planning map of ``project`` (a :class:`gis.project.Project`) and its run results.

    Parameters
    ----------
    project
        The layers: villages (required), sites, roads, fiber, fiber_nodes, facilities, admin.
    ctx
        A :class:`gis.pipeline.context.RunContext` (``hamlets``, ``tables``, ``rasters``) or ``None``
        before any run: hamlets are then drawn grey ("not computed").
    options
        What to show; see :class:`MapOptions`.
    cache
        A dict kept by the caller for one ``(project, ctx)`` pair: the prepared GeoJSON of every
        layer is memoised in it, so that rebuilding the map with other options is fast.
    """
    parts = build_map_parts(project, ctx, options, height=height, cache=cache)
    for group in parts.dynamic:
        group.add_to(parts.map)
    parts.layer_control.add_to(parts.map)
    return parts.map


def _colocation_points(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Opportunities located at their host position (joined on ``host_position_id``)."""
    opp = tables.get("colocation_opportunities")
    pos = tables.get("positions")
    if opp is None or len(opp) == 0:
        return None
    if {"lon", "lat"} <= set(opp.columns) or "geometry" in opp:
        return opp
    if pos is None or "host_position_id" not in opp or "position_id" not in pos:
        return None
    xy = pd.DataFrame(pos)[["position_id", "lon", "lat"]]
    return opp.merge(xy, left_on="host_position_id", right_on="position_id", how="left")


def _present(layer: Any, column: str, order: dict) -> list[str]:
    if layer is None or len(layer) == 0 or column not in layer:
        return []
    values = set(layer[column].dropna().astype(str))
    return [k for k in order if k in values] + sorted(values - set(order))


def legend_sections(options: MapOptions, project: Any, frame: pd.DataFrame,
                    tables: dict[str, Any], rasters: dict[str, Any], *,
                    colour_by: str = "mobile", ducts: Any = None) -> list[Section]:
    """The legend of what the map shows: the hamlet colouring in use (only the statuses some
    hamlet has), the coverage overlay's RSRP tiers, then one section per layer drawn, tied to
    its name in the layer control (roads by class, fiber by level, boundaries, sites by
    operator, proposals, ducts)."""
    lang = options.lang
    sections: list[Section] = []
    hamlets = map_text("layer_hamlets", lang)
    if colour_by in ("speed", "speed_fixed"):
        title, rows = speed_legend(lang)
        sections.append((hamlets, title, [(label, colour, "box") for colour, label in rows]))
    else:
        col = "ftth_code" if colour_by == "ftth" else "mobile_code"
        codes = FTTH_STATUSES if colour_by == "ftth" else MOBILE_STATUSES
        present = set(frame[col]) if col in frame else set(codes)
        sections.append((hamlets, map_text("by_ftth" if colour_by == "ftth" else "by_mobile",
                                           lang),
                         [(status_label(k, lang), STATUS_COLORS[k], "box") for k in codes
                          if k in present]))
    if options.coverage and options.coverage in speed_choices(rasters):
        title, rows = speed_legend(lang)
        sections.append((overlay_name(options.coverage, lang), title,
                         [(label, colour, "box") for colour, label in rows]))
    elif options.coverage and options.coverage in rasters:
        sc = options.rsrp_scale
        good, fair, edge, below = sc.colours
        name = overlay_name(options.coverage, lang)
        sections.append((name, f"{name}: {map_text('rsrp', lang)}", [
            (f"≥ {sc.good_dbm:g}", good, "box"),
            (f"{sc.fair_dbm:g} … {sc.good_dbm:g}", fair, "box"),
            (f"{sc.edge_dbm:g} … {sc.fair_dbm:g}", edge, "box"),
            (f"< {sc.edge_dbm:g}", below, "box")]))
    want = options.layers
    i = 0 if lang == "vi" else 1
    roads = project.layer("roads")
    if "roads" in want and roads is not None and len(roads):
        classes = _present(roads, "road_class", ROAD_STYLES) or ["other"]
        sections.append((map_text("layer_roads", lang), map_text("layer_roads", lang), [
            (ROAD_CLASS_LABELS.get(c, (c, c))[i], ROAD_STYLES.get(c, ROAD_STYLES["other"])[0],
             "line") for c in classes]))
    fiber = project.layer("fiber")
    if "fiber" in want and fiber is not None and len(fiber):
        levels = _present(fiber, "level", FIBER_COLOURS) or ["distribution"]
        sections.append((map_text("layer_fiber", lang), map_text("layer_fiber", lang), [
            (FIBER_LEVEL_LABELS.get(lv, (lv, lv))[i], FIBER_COLOURS.get(lv, "#8e24aa"), "line")
            for lv in levels]))
    ext = tables.get("fiber_extensions")
    if "extensions" in want and ext is not None and len(ext):
        sections.append((map_text("layer_extensions", lang), "",
                         [(map_text("layer_extensions", lang), EXTENSION_COLOUR, "line")]))
    if ducts is not None and len(ducts):
        classes = [k for k in DUCT_CLASS_COLOURS if k in set(ducts["duct_class"])]
        sections.append((map_text("layer_ducts", lang), map_text("layer_ducts", lang),
                         [(DUCT_CLASS_LABELS[k][i], DUCT_CLASS_COLOURS[k], "line")
                          for k in classes]))
    admin = project.layer("admin")
    if "admin" in want and admin is not None and len(admin):
        sections.append((map_text("layer_admin", lang), "",
                         [(map_text("layer_admin", lang), "#37474f", "line")]))
    sites = project.layer("sites")
    if "sites" in want and sites is not None and len(sites) and "operator" in sites:
        sections.append((None, map_text("layer_sites", lang), []))
        for op in sorted(sites["operator"].dropna().astype(str).unique()):
            name = f"{map_text('layer_sites', lang)}: {operator_name(op)}"
            sections.append((name, "", [(str(operator_name(op)), operator_colour(op), "dot")]))
    for key, table, colour in (("proposed", "proposed_towers", PROPOSED_COLOUR),
                               ("colocation", "colocation_opportunities", COLOCATION_COLOUR),
                               ("positions", "positions", "#ffffff")):
        t = tables.get(table)
        if key in want and t is not None and len(t):
            name = map_text(f"layer_{key}", lang)
            sections.append((name, "", [(name, colour, "dot")]))
    for key, colour in (("facilities", "#263238"), ("fiber_nodes", "#7b1fa2")):
        layer = project.layer(key)
        if key in want and layer is not None and len(layer):
            name = map_text(f"layer_{key}", lang)
            sections.append((name, "", [(name, colour, "dot")]))
    return sections


def map_html(m: folium.Map) -> str:
    """The full HTML document of a map (what the browser receives)."""
    return m.get_root().render()


def hamlet_at(frame: pd.DataFrame, *, lat: float, lon: float,
              max_deg: float = 0.02) -> int | None:
    """The position (row number) of the hamlet whose centre is nearest a clicked point.

    ``frame`` has ``lon``/``lat`` columns (WGS84 degrees). A click farther than ``max_deg``
    degrees (about 2 km) from every centre selects nothing.
    """
    if frame is None or len(frame) == 0 or not {"lon", "lat"} <= set(frame.columns):
        return None
    dlon = (frame["lon"].to_numpy(float) - lon) * np.cos(np.deg2rad(lat))
    dlat = frame["lat"].to_numpy(float) - lat
    d2 = dlon * dlon + dlat * dlat
    if not np.isfinite(d2).any():
        return None
    i = int(np.nanargmin(d2))
    return i if d2[i] <= max_deg * max_deg else None

