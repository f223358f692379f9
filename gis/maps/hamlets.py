"""The hamlets on the map: coloured by status (or expected speed), each with its own tooltip and
popup, drawn under every other vector layer and clickable wherever nothing is drawn over them.

Leaflet draws all vector layers of the map on one canvas (``prefer_canvas``) and gives a click
to the topmost feature under the mouse. The hamlets are sent to the back of that canvas when
they are added (:class:`ToBack`), so sites, towers and lines drawn over them keep their clicks,
and a click anywhere else inside a hamlet is the hamlet's (commune boundaries are lines, not
polygons that would cover the hamlets: :func:`gis.maps.build.build_map_parts`).

The popup (status, reason, the proposed fix, the people each operator serves with each
technology) is built in the browser from a few properties per feature, so the HTML stays small:
:func:`hamlet_frame` prepares them, :data:`POPUP_JS` draws them.
"""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template
from folium.utilities import JsCode

from gis.analysis.speed import speed_colour
from gis.analysis.status import STATUS_COLORS, ftth_status, mobile_status, uncovered_hamlets
from gis.labels import OPERATOR_NAMES, map_text, status_label
from gis.maps._fast import fast
from gis.maps.geojson import cached, compact_geojson

__all__ = [
    "COLOUR_BY",
    "HAMLET_FIELDS",
    "POPUP_JS",
    "SERVED_PREFIX",
    "ToBack",
    "hamlet_colours",
    "hamlet_frame",
    "hamlets_layer",
    "served_columns",
]

#: What the hamlets can be coloured by: hamlet column that must exist (``None``: always).
COLOUR_BY: dict[str, str | None] = {
    "mobile": None, "ftth": None, "speed": "est_dl_mbps_mobile", "speed_fixed": "est_dl_mbps_fixed",
}
#: Properties every hamlet feature carries (those the frame has), for its tooltip and popup.
HAMLET_FIELDS = (
    "village_id", "name", "commune", "former_commune", "population", "households",
    "mobile_code", "mobile_status", "ftth_code", "ftth_status", "pop_share_4g", "pop_share_5g",
    "hh_share_ftth", "reason", "proposed_fix", "est_dl_mbps_mobile", "est_dl_mbps_fixed",
)
#: Prefix of the "people served by operator and technology" properties: ``srv_<op>_<tech>``.
SERVED_PREFIX = "srv_"
_COV = re.compile(r"^cov_(?P<tech>\dg)_(?P<op>.+)$")


def served_columns(hamlets: pd.DataFrame) -> dict[str, tuple[str, str, str]]:
    """The ``cov_<tech>_<operator>`` columns of a hamlet table: column -> (property name,
    operator as spelt, technology), operators and technologies sorted."""
    out = {}
    for col in hamlets.columns:
        m = _COV.match(str(col))
        if m:
            op = OPERATOR_NAMES.get(m["op"], m["op"].replace("_", " ").title())
            out[str(col)] = (f"{SERVED_PREFIX}{m['op']}_{m['tech']}", op, m["tech"].upper())
    return dict(sorted(out.items(), key=lambda kv: (kv[1][1], kv[1][2])))


def hamlet_frame(villages: gpd.GeoDataFrame, hamlets: pd.DataFrame | None,
                 lang: str = "vi", tables: dict[str, pd.DataFrame] | None = None
                 ) -> gpd.GeoDataFrame:
    """The villages layer joined (on its index) with the per-hamlet results, for the map.

    Adds the status codes of :mod:`gis.analysis.status` (``mobile_code``, ``ftth_code``) and
    their words in ``lang`` (``mobile_status``, ``ftth_status``), the ``reason`` and the
    ``proposed_fix`` of :func:`~gis.analysis.status.uncovered_hamlets` (empty for covered
    hamlets), and the people served by each operator and technology (``srv_<op>_<tech>``: the
    population share ``cov_<tech>_<op>`` times the population, rounded to whole people).
    """
    gdf = villages[[c for c in ("village_id", "name", "commune", "population", "households")
                    if c in villages] + [villages.geometry.name]].copy()
    if hamlets is not None and len(hamlets):
        extra = [c for c in hamlets.columns if c not in gdf.columns]
        gdf = gdf.join(hamlets[extra], how="left")
        for c in ("commune", "population", "households"):   # the run's (2025 units) win
            if c in hamlets and c in villages:
                gdf[c] = hamlets[c].reindex(gdf.index)
    res = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    gdf["mobile_code"] = mobile_status(res).to_numpy()
    gdf["ftth_code"] = ftth_status(res).to_numpy()
    gdf["mobile_status"] = gdf["mobile_code"].map(lambda c: status_label(c, lang))
    gdf["ftth_status"] = gdf["ftth_code"].map(lambda c: status_label(c, lang))
    gdf["reason"] = ""
    gdf["proposed_fix"] = ""
    if hamlets is not None and len(hamlets) and {"lon", "lat"} <= set(hamlets.columns):
        unc = uncovered_hamlets(hamlets, tables or {}, lang=lang)
        idx = unc.index.intersection(gdf.index)
        gdf.loc[idx, "reason"] = unc.loc[idx, "reason"].astype(str).to_numpy()
        gdf.loc[idx, "proposed_fix"] = unc.loc[idx, "proposed_fix"].fillna("").astype(
            str).to_numpy()
    pop = pd.to_numeric(gdf.get("population", pd.Series(np.nan, index=gdf.index)),
                        errors="coerce").to_numpy(float)
    for col, (prop, _op, _tech) in served_columns(res).items():
        share = pd.to_numeric(gdf[col], errors="coerce").to_numpy(float)
        people = np.round(share * pop)
        gdf[prop] = pd.array(np.where(np.isfinite(people), people, np.nan)).astype("Int64")
    return gdf


def hamlet_colours(frame: pd.DataFrame, colour_by: str = "mobile") -> pd.Series:
    """The fill colour of each hamlet: its status colour (``mobile``, ``ftth``) or the colour
    of its expected speed (``speed``: ``est_dl_mbps_mobile``, ``speed_fixed``:
    ``est_dl_mbps_fixed``; :func:`gis.analysis.speed.speed_colour`)."""
    if colour_by in ("speed", "speed_fixed"):
        col = COLOUR_BY[colour_by]
        values = pd.to_numeric(frame.get(col, pd.Series(np.nan, index=frame.index)),
                               errors="coerce").to_numpy(float)
        return pd.Series(speed_colour(values), index=frame.index)
    code = frame["ftth_code" if colour_by == "ftth" else "mobile_code"]
    return code.map(lambda c: STATUS_COLORS.get(c, STATUS_COLORS["unknown"]))


class ToBack(MacroElement):
    """Sends every feature of its parent layer to the back of the map's canvas when the layer
    is added (and at once if it is on the map already), so the layers drawn over it keep their
    clicks and a click elsewhere inside a feature is the feature's."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var layer = {{ this._parent.get_name() }};
            function back() { layer.eachLayer(function(l) { if (l.bringToBack) l.bringToBack(); }); }
            layer.on('add', back);
            if (layer._map) { back(); }
        })();
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ToBack"


#: The hamlet's tooltip and popup, built in the browser from its properties and the words
#: (``W``) of the map's language. Text properties were HTML-escaped when the GeoJSON was made
#: (:func:`gis.maps.geojson.compact_geojson`); numbers are written with the language's marks.
POPUP_JS = """function (feature, layer) {
    var W = __WORDS__;
    var p = feature.properties;
    function num(v) { return (v === null || v === undefined) ? '—'
        : Number(v).toLocaleString(W.locale, {maximumFractionDigits: 0}); }
    function pct(v) { return (v === null || v === undefined) ? '—'
        : Number(v * 100).toLocaleString(W.locale, {minimumFractionDigits: 1,
                                                     maximumFractionDigits: 1}) + ' %'; }
    function dot(code) { return '<span style="display:inline-block;width:10px;height:10px;'
        + 'border-radius:2px;border:1px solid #444;margin-right:4px;background:'
        + (W.colours[code] || '#9e9e9e') + '"></span>'; }
    layer.bindTooltip(function () {
        return '<b>' + p.name + '</b><br>' + (p[W.tip] === undefined ? '' : p[W.tip]);
    }, {sticky: true, className: 'gis-hamlet-tip'});
    layer.bindPopup(function () {
        var h = '<div class="gis-hamlet" style="font:12px/1.4 sans-serif;min-width:230px">'
            + '<b style="font-size:13px">' + p.name + '</b><br><span style="color:#555">'
            + (p.commune || '') + (p.former_commune ? ' · ' + W.former + ': '
            + p.former_commune : '') + '</span>';
        h += '<table style="margin-top:4px;border-collapse:collapse">';
        function row(k, v) { h += '<tr><th style="text-align:left;padding:1px 6px 1px 0;'
            + 'vertical-align:top;white-space:nowrap">' + k + '</th><td>' + v + '</td></tr>'; }
        row(W.mobile, dot(p.mobile_code) + p.mobile_status);
        row(W.ftth, dot(p.ftth_code) + p.ftth_status);
        if (p.reason) { row(W.reason, p.reason); }
        if (p.proposed_fix) { row(W.fix, p.proposed_fix); }
        row(W.population, num(p.population) + (p.households === null
            || p.households === undefined ? '' : ' · ' + num(p.households) + ' ' + W.hh));
        if (p.pop_share_4g !== undefined) { row(W.share4g, pct(p.pop_share_4g)); }
        if (p.est_dl_mbps_mobile !== undefined) { row(W.speed, p.est_dl_mbps_mobile === null
            ? '—' : num(p.est_dl_mbps_mobile) + ' Mbit/s (' + W.estimate + ')'); }
        h += '</table>';
        if (W.served.length) {
            h += '<table style="margin-top:6px;border-collapse:collapse;font-size:11px">'
                + '<tr><th style="text-align:left;padding-right:6px">' + W.served_title
                + '</th>';
            W.techs.forEach(function (t) { h += '<th style="padding:0 4px">' + t + '</th>'; });
            h += '</tr>';
            W.served.forEach(function (op) {
                h += '<tr><td style="padding-right:6px">' + op.name + '</td>';
                W.techs.forEach(function (t) { var k = op.props[t];
                    h += '<td style="text-align:right;padding:0 4px">'
                        + (k ? num(p[k]) : '') + '</td>'; });
                h += '</tr>';
            });
            h += '</table>';
        }
        return h + '</div>';
    }, {maxWidth: 380, autoPanPaddingTopLeft: [64, 16]});   // clear of the map's controls
}"""


def _words(frame: pd.DataFrame, colour_by: str, lang: str) -> dict:
    served = served_columns(frame.rename(columns=lambda c: c))
    by_op: dict[str, dict[str, str]] = {}
    techs: list[str] = []
    for prop, op, tech in served.values():
        if prop in frame:
            by_op.setdefault(op, {})[tech] = prop
            if tech not in techs:
                techs.append(tech)
    tip = {"ftth": "ftth_status", "speed": "speed_text", "speed_fixed": "speed_text"}.get(
        colour_by, "mobile_status")
    return {
        "locale": "vi-VN" if lang == "vi" else "en-GB",
        "tip": tip,
        "colours": STATUS_COLORS,
        "former": map_text("former_commune_short", lang),
        "mobile": map_text("popup_mobile", lang), "ftth": map_text("popup_ftth", lang),
        "reason": map_text("reason", lang), "fix": map_text("proposed_fix", lang),
        "population": map_text("population", lang), "hh": map_text("households_short", lang),
        "share4g": map_text("pop_share_4g", lang), "speed": map_text("popup_speed", lang),
        "estimate": map_text("estimate_short", lang),
        "served_title": map_text("popup_served", lang),
        "techs": sorted(techs),
        "served": [{"name": op, "props": props} for op, props in sorted(by_op.items())],
    }


def hamlets_layer(frame: gpd.GeoDataFrame, *, colour_by: str = "mobile", lang: str = "vi",
                  name: str | None = None, cache: dict | None = None) -> folium.FeatureGroup:
    """Hamlets coloured by ``colour_by`` (a key of :data:`COLOUR_BY`), one GeoJSON per colour
    inside one switchable group, each hamlet with its tooltip (name, status) and popup.

    Parameters
    ----------
    frame
        The output of :func:`hamlet_frame` (polygons or points, metric CRS).
    colour_by
        ``"mobile"`` (covered / weak spot / no signal), ``"ftth"`` (FTTH yes / no), ``"speed"``
        or ``"speed_fixed"`` (expected download speed, an estimate).
    """
    group = folium.FeatureGroup(name=name or map_text("layer_hamlets", lang), show=True)
    colours = hamlet_colours(frame, colour_by)
    props = [f for f in HAMLET_FIELDS if f in frame.columns]
    props += [c for c in frame.columns if str(c).startswith(SERVED_PREFIX)]
    shown = frame
    if colour_by in ("speed", "speed_fixed"):
        col = COLOUR_BY[colour_by]
        v = pd.to_numeric(frame.get(col, pd.Series(np.nan, index=frame.index)), errors="coerce")
        none = map_text("no_estimate", lang)
        shown = frame.assign(speed_text=[none if pd.isna(x) else f"{x:.0f} Mbit/s" for x in v])
        props.append("speed_text")
    on_each = JsCode(POPUP_JS.replace("__WORDS__", json.dumps(_words(frame, colour_by, lang),
                                                                ensure_ascii=False)))
    is_point = bool(len(frame)) and bool(
        np.all(shapely.get_type_id(np.asarray(frame.geometry.values)) == 0))
    for colour in pd.unique(colours.to_numpy()):
        mask = (colours == colour).to_numpy()
        style = {"color": "#333333", "weight": 0.6, "fillColor": colour, "fillOpacity": 0.55}
        data = cached(cache, ("hamlets", colour_by, colour, lang),
                      lambda m=mask: compact_geojson(shown[m], props))
        marker = (folium.CircleMarker(radius=6, fill=True, color="#333333", weight=0.8,
                                      fill_color=colour, fill_opacity=0.9) if is_point else None)
        layer = fast(folium.GeoJson)(
            data,
            name=str(colour),
            style_function=lambda _f, s=style: s,
            highlight_function=lambda _f: {"weight": 2.5, "color": "#000000"},
            marker=marker,
            on_each_feature=on_each,
            control=False,
            smooth_factor=1.0,
        )
        layer.add_child(ToBack())
        layer.add_to(group)
    return group
