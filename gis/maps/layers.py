"""Folium layers of the planning map: hamlets by status, sites, sector wedges, lines and points.

Each builder takes a canonical layer (metric analysis CRS) or a result table (WGS84) and returns a
:class:`folium.FeatureGroup` that the map's layer control can switch. Geometry is sent as compact
GeoJSON (see :mod:`gis.maps.geojson`); popups are built in the browser from each feature's few
properties, so the HTML stays small.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import FastMarkerCluster

from gis.analysis.ducts import DUCT_CLASS_COLOURS
from gis.analysis.frames import points_frame
from gis.labels import map_text
from gis.locale import operator_name, readable
from gis.maps._fast import fast
from gis.maps.geojson import cached, compact_geojson, to_wgs84
from gis.maps.hamlets import hamlet_frame, hamlets_layer
from gis.maps.style import (
    EXTENSION_COLOUR,
    FIBER_COLOURS,
    ROAD_STYLES,
    operator_colour,
)

__all__ = [
    "CLUSTER_MIN_SITES",
    "SITE_POPUP_FIELDS",
    "WEDGE_RADIUS_M",
    "field_label",
    "hamlet_frame",
    "hamlets_layer",
    "lines_layer",
    "points_layer",
    "sector_wedges",
    "sectors_layer",
    "shown_values",
    "site_radius",
    "sites_layer",
]

#: Sites are clustered (folium FastMarkerCluster) when an operator has more than this many.
CLUSTER_MIN_SITES = 60
#: Drawn length of a sector wedge in metres (a symbol, not the coverage radius).
WEDGE_RADIUS_M = 250.0
#: The site properties shown in its popup, in this order (the last three when present).
SITE_POPUP_FIELDS = ("site_id", "operator", "tech", "height_m", "structure",
                     "position_uncertainty_m", "source", "note")


_CLUSTER_CALLBACK = """function (row) {
    var m = L.circleMarker(new L.LatLng(row[0], row[1]), {radius: 5, color: '#ffffff',
        weight: 1, fillColor: 'COLOUR', fillOpacity: 1.0});
    m.bindPopup(row[2]);
    return m;
}"""


def field_label(field: str, lang: str) -> str:
    """The popup label of a field: its column label in ``lang``."""
    return map_text(field, lang)


def shown_values(frame: pd.DataFrame, fields: Sequence[str], lang: str) -> gpd.GeoDataFrame:
    """``frame`` with its ``fields`` as people read them in ``lang`` (:func:`gis.locale.
    readable`: words for codes and flags, numbers with the language's marks, operators spelt
    one way), for popups and tooltips; the geometry is kept."""
    keep = [f for f in fields if f in frame.columns]
    text = readable(pd.DataFrame(frame[keep]), lang, text=True)
    out = frame[[frame.geometry.name]].copy()
    for f in keep:
        out[f] = text[f].to_numpy() if f in text else frame[f].to_numpy()
    return out[[*keep, frame.geometry.name]]


def _popup(fields: Sequence[str], lang: str) -> folium.GeoJsonPopup:
    return folium.GeoJsonPopup(fields=list(fields), aliases=[field_label(f, lang) for f in fields],
                               localize=False, labels=True)


def sites_layer(sites: gpd.GeoDataFrame, *, lang: str = "vi",
                cluster_min: int = CLUSTER_MIN_SITES,
                cache: dict | None = None) -> list[folium.FeatureGroup]:
    """One switchable group per operator; markers clustered when an operator has many sites.

    Rows of one site (one row per sector) are drawn once, at the site.
    """
    if sites is None or sites.empty:
        return []
    def points() -> gpd.GeoDataFrame:
        pts = to_wgs84(sites, simplify_m=None)
        if "site_id" in pts:
            pts = pts.drop_duplicates(subset=["site_id", "operator"])
        # Text shown in popups is HTML-escaped once, in gis.maps.geojson._jsonable.
        return pts

    pts = cached(cache, ("sites_wgs84",), points)
    groups = []
    # Estimated positions (OpenCelliD) carry their uncertainty, source and note: shown when
    # the layer has them (a column that is empty everywhere is left out of the popup).
    fields = [f for f in SITE_POPUP_FIELDS
              if f in pts and (f in SITE_POPUP_FIELDS[:5] or pts[f].notna().any())]
    shown = cached(cache, ("sites_text", lang), lambda: shown_values(pts, fields, lang))
    for operator, part in shown.groupby(pts["operator"].astype(str), sort=True):
        colour = operator_colour(operator)
        group = folium.FeatureGroup(
            name=f"{map_text('layer_sites', lang)}: {operator_name(operator)}", show=True)
        if len(part) > cluster_min:
            # Many sites: one data array and one JS callback, clustered until zoom 14.
            xy = shapely.get_coordinates(np.asarray(part.geometry.values))
            rows = part[fields].astype(object).where(part[fields].notna(), "").to_numpy()
            data = [[round(float(lat), 5), round(float(lon), 5),
                     "<br>".join(f"<b>{html.escape(field_label(f, lang))}</b>: "
                                 f"{html.escape(str(v))}"
                                 for f, v in zip(fields, row, strict=True))]
                    for (lon, lat), row in zip(xy, rows, strict=True)]
            fast(FastMarkerCluster)(data, callback=_CLUSTER_CALLBACK.replace("COLOUR", colour),
                              options={"disableClusteringAtZoom": 14}).add_to(group)
        else:
            # One GeoJSON per operator; popups are built in the browser from its properties.
            fast(folium.GeoJson)(
                cached(cache, ("sites", operator, lang),
                       lambda p=part: compact_geojson(p, fields, simplify_m=None)),
                marker=folium.CircleMarker(radius=5, color="#ffffff", weight=1, fill=True,
                                           fill_color=colour, fill_opacity=1.0),
                # the technology shows in the size: 5G sites largest, 2G/3G-only smallest
                style_function=lambda f: {"radius": site_radius(f["properties"].get("tech"))},
                popup=_popup(fields, lang),
                tooltip=folium.GeoJsonTooltip(fields=["site_id"], labels=False)
                if "site_id" in fields else None,
            ).add_to(group)
        groups.append(group)
    return groups


def site_radius(tech: object) -> float:
    """Marker radius in pixels by technology: 7 with 5G, 5 with 4G, 3.5 for 2G/3G only."""
    text = str(tech or "").upper()
    if "5G" in text:
        return 7.0
    if "4G" in text:
        return 5.0
    return 3.5


def sector_wedges(sites: gpd.GeoDataFrame, *, radius_m: float = WEDGE_RADIUS_M,
                  default_beamwidth_deg: float = 65.0, n_arc: int = 9) -> gpd.GeoDataFrame:
    """Wedge polygons (metric CRS) for the site rows that have an ``azimuth_deg``.

    Azimuth is clockwise from grid north in degrees; the wedge spans ``beamwidth_deg`` (or
    ``default_beamwidth_deg`` when missing) and is ``radius_m`` long. Vectorised over rows.
    """
    if sites is None or sites.empty or "azimuth_deg" not in sites:
        return gpd.GeoDataFrame(geometry=[], crs=getattr(sites, "crs", None))
    az = pd.to_numeric(sites["azimuth_deg"], errors="coerce").to_numpy(float)
    ok = np.isfinite(az)
    sub = sites[ok]
    az = az[ok]
    bw = (pd.to_numeric(sub["beamwidth_deg"], errors="coerce").to_numpy(float)
          if "beamwidth_deg" in sub else np.full(len(sub), np.nan))
    bw = np.where(np.isfinite(bw) & (bw > 0), np.minimum(bw, 360.0), default_beamwidth_deg)
    xy = shapely.get_coordinates(np.asarray(sub.geometry.values))
    frac = np.linspace(-0.5, 0.5, n_arc)
    theta = np.deg2rad(az[:, None] + bw[:, None] * frac[None, :])   # (n, n_arc)
    arc = np.stack([xy[:, :1] + radius_m * np.sin(theta),
                    xy[:, 1:2] + radius_m * np.cos(theta)], axis=-1)  # (n, n_arc, 2)
    ring = np.concatenate([xy[:, None, :], arc, xy[:, None, :]], axis=1)
    polys = shapely.polygons(ring)
    keep = [c for c in ("site_id", "operator", "tech", "azimuth_deg") if c in sub]
    return gpd.GeoDataFrame(sub[keep].copy(), geometry=polys, crs=sites.crs)


def sectors_layer(sites: gpd.GeoDataFrame, *, lang: str = "vi", min_zoom: int = 13,
                  cache: dict | None = None) -> folium.FeatureGroup | None:
    """Sector wedges coloured by operator, shown only from ``min_zoom`` on (see the map's JS)."""
    wedges = cached(cache, ("wedges",), lambda: sector_wedges(sites))
    if wedges.empty:
        return None
    group = folium.FeatureGroup(name=map_text("layer_sectors", lang), show=False, control=False)
    data = cached(cache, ("wedges_json",), lambda: compact_geojson(
        wedges, ["operator", "site_id", "azimuth_deg"], simplify_m=None))
    # not interactive: a wedge must not take the clicks of the hamlet under it
    fast(folium.GeoJson)(
        data,
        style_function=lambda f: {"color": operator_colour(f["properties"].get("operator")),
                                  "weight": 1, "fillOpacity": 0.35, "interactive": False,
                                  "fillColor": operator_colour(f["properties"].get("operator"))},
    ).add_to(group)
    group.min_zoom = min_zoom  # read by ZoomGate (gis.maps.build)
    return group


def lines_layer(lines: gpd.GeoDataFrame | None, *, name: str, kind: str, lang: str = "vi",
                show: bool = True, dashed: bool = False, fields: Sequence[str] = (),
                cache: dict | None = None) -> folium.FeatureGroup | None:
    """Roads (``kind="roads"``, styled by road class), fiber (by level), the shared-duct roads
    (``kind="ducts"``, by ``duct_class``) or other lines; the tooltip shows ``fields`` (and the
    class) in words."""
    if lines is None or len(lines) == 0:
        return None
    style_key = {"roads": "road_class", "fiber": "level", "ducts": "duct_class"}.get(kind)
    tip = [c for c in dict.fromkeys(("road_class", "level", "name", *fields)) if c in lines][:4]

    def make() -> dict:
        text = shown_values(lines, tip, lang).rename(columns={f: f"t_{f}" for f in tip})
        if style_key and style_key in lines:
            text.insert(0, style_key, lines[style_key].to_numpy())
        props = [c for c in text.columns if c != text.geometry.name]
        return compact_geojson(text, props)

    data = cached(cache, ("lines", kind, name, lang), make)
    group = folium.FeatureGroup(name=name, show=show)

    def style(feature: dict) -> dict:
        p = feature["properties"]
        if kind == "roads":
            colour, weight = ROAD_STYLES.get(str(p.get("road_class")), ROAD_STYLES["other"])
        elif kind == "fiber":
            colour, weight = FIBER_COLOURS.get(str(p.get("level")), "#8e24aa"), 2.5
        elif kind == "ducts":
            colour, weight = DUCT_CLASS_COLOURS.get(str(p.get("duct_class")), "#969696"), 5.0
        else:
            colour, weight = EXTENSION_COLOUR, 3.5
        return {"color": colour, "weight": weight, "opacity": 0.9,
                "dashArray": "6 4" if dashed else None}

    fast(folium.GeoJson)(
        data, style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=[f"t_{f}" for f in tip],
                                      aliases=[field_label(f, lang) for f in tip])
        if tip else None,
    ).add_to(group)
    return group


def points_layer(table: pd.DataFrame | None, *, name: str, colour: str, lang: str = "vi",
                 fields: Sequence[str] = (), radius: float = 6.0, show: bool = True,
                 icon: str | None = None,
                 cache: dict | None = None) -> folium.FeatureGroup | None:
    """A point layer (a canonical layer or a result table with geometry or lon/lat columns)."""
    if table is None or len(table) == 0:
        return None

    def make() -> tuple[list[str], dict] | None:
        pts = points_frame(table)
        if pts is None:
            return None
        pts = pts[~(pts.geometry.isna() | pts.geometry.is_empty)]
        if pts.empty:
            return None
        if not bool(np.all(shapely.get_type_id(np.asarray(pts.geometry.values)) == 0)):
            pts = pts.set_geometry(pts.geometry.representative_point())
        props = [f for f in fields if f in pts]
        return props, compact_geojson(shown_values(pts, props, lang), props, simplify_m=None)

    made = cached(cache, ("points", name, lang), make)
    if made is None:
        return None
    props, data = made
    group = folium.FeatureGroup(name=name, show=show)
    marker = (folium.Marker(icon=folium.Icon(color="darkred", icon=icon, prefix="fa"))
              if icon else folium.CircleMarker(radius=radius, color="#222222", weight=1,
                                               fill=True, fill_color=colour, fill_opacity=0.95))
    fast(folium.GeoJson)(
        data, marker=marker,
        popup=_popup(props, lang) if props else None,
    ).add_to(group)
    return group
