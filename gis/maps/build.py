"""The planning map: base maps, every layer of a project and its results, controls and legend.

:func:`build_map` is what the app's Map page and the notebook call::

    m = build_map(project, ctx, MapOptions(lang="en"))
    m.save("map.html")
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template
from folium.plugins import Fullscreen, MeasureControl

from gis.analysis.status import FTTH_STATUSES, MOBILE_STATUSES, STATUS_COLORS
from gis.labels import map_text, status_label
from gis.maps._fast import fast
from gis.maps.geojson import cached, compact_geojson, to_wgs84
from gis.maps.layers import (
    HAMLET_PANE,
    hamlet_frame,
    hamlets_layer,
    lines_layer,
    points_layer,
    sectors_layer,
    sites_layer,
)
from gis.maps.raster import RsrpScale, coverage_overlay
from gis.maps.style import (
    COLOCATION_COLOUR,
    EXTENSION_COLOUR,
    OPERATOR_COLOURS,
    PROPOSED_COLOUR,
)

__all__ = [
    "BASEMAPS",
    "MapOptions",
    "MapParts",
    "build_map",
    "build_map_parts",
    "coverage_choices",
    "hamlet_at",
    "map_html",
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

_RASTER_NAME = re.compile(r"^coverage_(?P<operator>.+)_(?P<tech>[2345]g)$", re.IGNORECASE)


@dataclass(frozen=True)
class MapOptions:
    """What the map shows. Changing these never recomputes an analysis.

    Attributes
    ----------
    lang
        ``"vi"`` or ``"en"``: layer names, legend and popups.
    colour_by
        ``"mobile"`` (covered / weak spot / no signal) or ``"ftth"``.
    basemap
        ``"osm"``, ``"satellite"`` or ``"plain"`` (no network needed): the one shown first; the
        others stay selectable in the layer control.
    coverage
        Name of the coverage raster to overlay (a key of ``ctx.rasters`` such as
        ``"coverage_viettel_4g"``), or ``None``.
    layers
        Optional layers to draw (``roads``, ``fiber``, ``fiber_nodes``, ``sites``, ``sectors``,
        ``facilities``, ``admin``, ``positions``, ``colocation``, ``proposed``, ``extensions``).
    rsrp_scale
        The RSRP colour tiers of the coverage overlay.
    """

    lang: str = "vi"
    colour_by: str = "mobile"
    basemap: str = "osm"
    coverage: str | None = None
    layers: frozenset[str] = frozenset({
        "roads", "fiber", "fiber_nodes", "sites", "sectors", "facilities", "admin",
        "positions", "colocation", "proposed", "extensions",
    })
    rsrp_scale: RsrpScale = field(default_factory=RsrpScale)


def coverage_choices(rasters: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The coverage rasters of a run: raster name -> (operator, technology), sorted."""
    out = {}
    for name in sorted(rasters):
        m = _RASTER_NAME.match(name)
        if m:
            out[name] = (m["operator"], m["tech"].upper())
    return out


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


class _Legend(MacroElement):
    """A fixed HTML legend in the bottom-right corner."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="gis-legend" style="position: absolute; z-index: 9999; bottom: 24px;
             right: 10px; background: rgba(255,255,255,0.92); padding: 6px 9px;
             border-radius: 4px; font: 12px/1.35 sans-serif; box-shadow: 0 1px 4px #0004;">
          <b>{{ this.title }}</b>
          {% for label, colour, shape in this.items %}
          {% if shape == 'title' %}<div style="margin-top:3px"><i>{{ label }}</i></div>
          {% else %}
          <div><span style="display:inline-block; width:12px; height:12px; margin-right:5px;
               vertical-align:-2px; background:{{ colour }};
               border-radius:{{ '50%' if shape == 'dot' else '2px' }};
               border:1px solid #444;"></span>{{ label }}</div>
          {% endif %}
          {% endfor %}
        </div>
        {% endmacro %}
    """)

    def __init__(self, title: str, items: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._name = "Legend"
        self.title = title
        self.items = items


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
    the map options (hamlet colours, coverage overlay) and the ``layer_control`` listing all.

    The app passes them to ``st_folium(map, feature_group_to_add=dynamic,
    layer_control=layer_control)``: a change of hamlet colours or overlay then only swaps those
    groups in the browser instead of redrawing the whole map.
    """

    map: folium.Map
    dynamic: list[folium.FeatureGroup]
    layer_control: folium.LayerControl


def build_map_parts(project: Any, ctx: Any = None, options: MapOptions = MapOptions(), *,
                    height: str = "100%", cache: dict | None = None) -> MapParts:
    """:func:`build_map` in parts (see :class:`MapParts`); same arguments."""
    lang = options.lang
    villages = project.require("villages")
    center, bounds = cached(cache, ("view",), lambda: _center_zoom(villages))
    m = folium.Map(location=center, zoom_start=12, tiles=None, control_scale=False,
                   prefer_canvas=True, height=height)
    folium.map.CustomPane(HAMLET_PANE, z_index=350, pointer_events=True).add_to(m)
    for key, (tiles, attr) in BASEMAPS.items():
        folium.TileLayer(tiles=tiles, attr=attr or None, name=map_text(f"base_{key}", lang),
                         overlay=False, control=True, show=key == options.basemap,
                         max_zoom=19).add_to(m)
    want = options.layers
    hamlets = getattr(ctx, "hamlets", None)
    tables = getattr(ctx, "tables", {}) or {}
    rasters = getattr(ctx, "rasters", {}) or {}

    if "admin" in want and project.layer("admin") is not None:
        admin = project.layer("admin")
        group = folium.FeatureGroup(name=map_text("layer_admin", lang), show=True)
        fast(folium.GeoJson)(cached(cache, ("admin",),
                              lambda: compact_geojson(admin, ["name"], simplify_m=20.0)),
                       style_function=lambda _f: {"color": "#37474f", "weight": 1.2,
                                                  "fillOpacity": 0.0, "dashArray": "4 3"},
                       tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(group)
        group.add_to(m)

    dynamic: list[folium.FeatureGroup] = []
    if options.coverage and options.coverage in rasters:
        operator, tech = coverage_choices({options.coverage: 0}).get(
            options.coverage, (options.coverage, ""))
        name = map_text("layer_coverage", lang, operator=operator.title(), tech=tech)
        group = folium.FeatureGroup(name=name, show=True)
        coverage_overlay(rasters[options.coverage], scale=options.rsrp_scale,
                         name=name).add_to(group)
        dynamic.append(group)

    if "roads" in want:
        _add(lines_layer(project.layer("roads"), name=map_text("layer_roads", lang), kind="roads",
                         lang=lang, cache=cache), m)
    if "fiber" in want:
        _add(lines_layer(project.layer("fiber"), name=map_text("layer_fiber", lang), kind="fiber",
                         lang=lang, cache=cache), m)
    if "extensions" in want:
        _add(lines_layer(tables.get("fiber_extensions"), name=map_text("layer_extensions", lang),
                         kind="extensions", lang=lang, dashed=True,
                         fields=("route_id", "length_m", "cost_vnd", "hamlets_served"), cache=cache), m)

    frame = cached(cache, ("hamlet_frame", lang), lambda: hamlet_frame(villages, hamlets, lang))
    dynamic.append(hamlets_layer(frame, colour_by=options.colour_by, lang=lang, cache=cache))

    if "fiber_nodes" in want:
        _add(points_layer(project.layer("fiber_nodes"), name=map_text("layer_fiber_nodes", lang),
                          colour="#7b1fa2", radius=3.0, lang=lang, show=False,
                          fields=("node_id", "kind", "operator"), cache=cache), m)
    if "facilities" in want:
        _add(points_layer(project.layer("facilities"), name=map_text("layer_facilities", lang),
                          colour="#263238", radius=3.5, lang=lang, show=False,
                          fields=("name", "kind"), cache=cache), m)
    if "sites" in want:
        for group in sites_layer(project.layer("sites"), lang=lang, cache=cache):
            group.add_to(m)
    if "sectors" in want:
        wedges = sectors_layer(project.layer("sites"), lang=lang, cache=cache)
        if wedges is not None:
            wedges.add_to(m)
            m.add_child(_ZoomGate(wedges, wedges.min_zoom))
    if "positions" in want and "positions" in tables:
        pos = tables["positions"]
        shared = pos[pos["shared"].astype(bool)] if "shared" in pos else pos
        _add(points_layer(shared, name=map_text("layer_positions", lang), colour="#ffffff",
                          radius=7, lang=lang, show=False,
                          fields=("position_id", "operators", "n_operators"), cache=cache), m)
    if "colocation" in want and "colocation_opportunities" in tables:
        _add(points_layer(_colocation_points(tables), name=map_text("layer_colocation", lang),
                          colour=COLOCATION_COLOUR, radius=6, lang=lang, show=False,
                          fields=("host_position_id", "operator", "host_operators",
                                  "hamlets_gained", "population_gained"), cache=cache), m)
    if "proposed" in want and "proposed_towers" in tables:
        _add(points_layer(tables["proposed_towers"], name=map_text("layer_proposed", lang),
                          colour=PROPOSED_COLOUR, radius=7, lang=lang,
                          fields=("tower_id", "operators", "hamlets_served",
                                  "population_served", "tower_class"), cache=cache), m)

    Fullscreen(position="topleft").add_to(m)
    m.add_child(_MetricScale())
    MeasureControl(position="topleft", primary_length_unit="meters",
                   secondary_length_unit="kilometers", primary_area_unit="hectares").add_to(m)
    m.add_child(_Legend(map_text("legend", lang), _legend_items(options, project, rasters, tables)))
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


def _legend_items(options: MapOptions, project: Any, rasters: dict[str, Any],
                  tables: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Legend entries: both hamlet colourings, RSRP tiers and operators (static, so that
    switching colours or overlays does not change the base map)."""
    lang = options.lang
    items = [(map_text("by_mobile", lang), "", "title")]
    items += [(status_label(k, lang), STATUS_COLORS[k], "box") for k in MOBILE_STATUSES]
    items.append((map_text("by_ftth", lang), "", "title"))
    items += [(status_label(k, lang), STATUS_COLORS[k], "box") for k in FTTH_STATUSES
              if k != "unknown"]
    if coverage_choices(rasters):
        sc = options.rsrp_scale
        good, fair, edge, below = sc.colours
        items += [("RSRP (dBm)", "", "title"),
                  (f"≥ {sc.good_dbm:g}", good, "box"),
                  (f"{sc.fair_dbm:g} … {sc.good_dbm:g}", fair, "box"),
                  (f"{sc.edge_dbm:g} … {sc.fair_dbm:g}", edge, "box"),
                  (f"< {sc.edge_dbm:g}", below, "box")]
    if tables.get("proposed_towers") is not None and "proposed" in options.layers:
        items.append((map_text("layer_proposed", lang), PROPOSED_COLOUR, "dot"))
    if tables.get("colocation_opportunities") is not None and "colocation" in options.layers:
        items.append((map_text("layer_colocation", lang), COLOCATION_COLOUR, "dot"))
    if tables.get("fiber_extensions") is not None and "extensions" in options.layers:
        items.append((map_text("layer_extensions", lang), EXTENSION_COLOUR, "box"))
    sites = project.layer("sites")
    if sites is not None and "sites" in options.layers and "operator" in sites:
        items.append((map_text("layer_sites", lang), "", "title"))
        for op in sorted(sites["operator"].dropna().astype(str).unique()):
            items.append((op, OPERATOR_COLOURS.get(op, "#555555"), "dot"))
    return items


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
