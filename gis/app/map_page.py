"""Map page: the planning map (gis.maps) with its options, and the clicked hamlet's details.

Map options only change how the map is drawn: the run comes from the cache, so changing them
never recomputes an analysis. ``st_folium`` returns only the last clicked object, so panning and
zooming do not rerun the script. The map fills the window's height (:func:`fill_height`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
import streamlit as st
from shapely.geometry import shape
from streamlit_folium import st_folium

from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import header, project_and_run
from gis.labels import column_label
from gis.locale import format_value
from gis.maps import (
    BASEMAPS,
    MapOptions,
    build_map_parts,
    colour_choices,
    coverage_choices,
    overlay_name,
    speed_choices,
)
from gis.maps.offline import use_local_assets

__all__ = ["OPTIONAL_LAYERS", "clicked_hamlet", "fill_height", "map_options", "render",
           "selected_hamlet"]

#: Optional layers and their label keys, in the order of the multiselect.
OPTIONAL_LAYERS = {
    "roads": "layer_roads", "fiber": "layer_fiber", "fiber_nodes": "layer_fiber_nodes",
    "sites": "layer_sites", "sectors": "layer_sectors", "facilities": "layer_facilities",
    "admin": "layer_admin", "positions": "layer_positions", "colocation": "layer_colocation",
    "proposed": "layer_proposed", "extensions": "layer_extensions", "ducts": "layer_ducts",
}
#: Pixels of the page above and below the map (title, padding): the map takes the rest.
MAP_CHROME_PX = 150
#: A click this close to a point hamlet (degrees, about 60 m) is on it.
POINT_CLICK_DEG = 6e-4


def _rsrp_scale(ctx: Any):
    """The RSRP tiers of the run's radio parameters when they define them (4G), else defaults."""
    from gis.maps.raster import RsrpScale

    radio = getattr(getattr(ctx, "params", None), "radio", None)
    tiers = getattr(radio, "tiers", None)
    tier = tiers.get("4G") if isinstance(tiers, dict) else None
    try:
        return RsrpScale(good_dbm=float(tier.good_dbm), fair_dbm=float(tier.fair_dbm),
                         edge_dbm=float(tier.edge_dbm))
    except (AttributeError, TypeError, ValueError):
        return RsrpScale()


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_map_cache(run_key: str) -> dict:
    """Prepared GeoJSON of the map layers of one run on a project folder (keyed on content)."""
    return {}


def _map_cache() -> dict:
    """The GeoJSON memo of the run this session shows: shared for runs on the project folder,
    private to the session for runs on uploaded layers."""
    key = st.session_state.get(_state.KEY_LAST_RUN, "")
    sp = _state.session_project()
    if sp is not None and sp.uploaded:
        caches = st.session_state.setdefault("_map_caches", {})
        if key not in caches:
            caches.clear()
            caches[key] = {}
        return caches[key]
    return _shared_map_cache(key)


def _asset_url() -> str:
    """Where Streamlit serves static/vendor/ (``server.enableStaticServing``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/vendor/" if base else "/app/static/vendor/"


_COLOUR_WORDS = {"mobile": "by_mobile", "ftth": "by_ftth", "speed": "by_speed",
                 "speed_fixed": "by_speed_fixed"}


def map_options(ctx: Any, lang: str) -> MapOptions:
    """The map option widgets (in the sidebar) -> :class:`MapOptions`."""
    sb = st.sidebar
    sb.subheader(t("map_options", lang))
    # one radio per language (its labels are its identity in the browser); the choice is kept
    choices = colour_choices(getattr(ctx, "hamlets", None))
    kept = st.session_state.get("map_colour_by", "mobile")
    colour_by = sb.radio(t("colour_by", lang), choices,
                         index=choices.index(kept) if kept in choices else 0,
                         key=f"map_colour_by_{lang}",
                         format_func=lambda v: t(_COLOUR_WORDS[v], lang))
    st.session_state["map_colour_by"] = colour_by
    basemap = sb.selectbox(t("basemap", lang), list(BASEMAPS), key="map_basemap",
                           format_func=lambda v: t(f"base_{v}", lang))
    run_rasters = getattr(ctx, "rasters", {}) or {}
    rasters = coverage_choices(run_rasters)
    speeds = speed_choices(run_rasters)       # issue 16: present when the run estimated them
    options = [None, *rasters, *speeds]
    coverage = sb.selectbox(
        t("coverage_layer", lang), options, key="map_coverage",
        format_func=lambda v: t("none", lang) if v is None
        else f"{rasters[v][0]} {rasters[v][1]}" if v in rasters else overlay_name(v, lang))
    opacity = sb.slider(t("opacity", lang), 0.0, 1.0, 0.6, 0.05, key="map_opacity",
                        disabled=coverage is None)
    with sb.expander(t("map_layers", lang), expanded=False):
        layers = [name for name, label in OPTIONAL_LAYERS.items()
                  if st.checkbox(t(label, lang), value=True, key=f"map_layer_{name}")]
    return MapOptions(lang=lang, colour_by=colour_by, basemap=basemap, coverage=coverage,
                      opacity=float(opacity), layers=frozenset(layers),
                      rsrp_scale=_rsrp_scale(ctx))


def clicked_hamlet(returned: dict | None) -> dict | None:
    """The properties of the hamlet the user clicked last, or ``None``.

    ``st_folium`` returns the last GeoJSON feature clicked (``last_active_drawing``) and the
    position of the last click on any layer (``last_object_clicked``). The feature is a hamlet
    when it has a ``village_id``, and it is the one clicked last when that click lies on it:
    a later click on a site or a tower (which leaves the feature as it was) selects nothing.
    """
    if not returned:
        return None
    feature = returned.get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    if "village_id" not in props:
        return None
    click = returned.get("last_object_clicked") or {}
    if "lat" in click and "lng" in click and feature.get("geometry"):
        try:
            geom = shape(feature["geometry"])
        except (ValueError, TypeError, AttributeError):
            return props
        pt = shapely.Point(float(click["lng"]), float(click["lat"]))
        near = POINT_CLICK_DEG if geom.geom_type == "Point" else 1e-7
        if geom.distance(pt) > near:
            return None
    return props


def selected_hamlet(returned: dict | None, hamlets: pd.DataFrame) -> pd.Series | None:
    """The row of ``hamlets`` the user clicked (by the feature's ``village_id``), or ``None``:
    a click on a commune, a site or the background selects no hamlet."""
    if hamlets is None or hamlets.empty:
        return None
    props = clicked_hamlet(returned)
    if props is None or "village_id" not in hamlets:
        return None
    rows = hamlets[hamlets["village_id"].astype(str) == str(props["village_id"])]
    return rows.iloc[0] if len(rows) else None


def fill_height() -> None:
    """Make the map's frame as tall as the window (Streamlit gives components a fixed height)."""
    st.markdown(
        f"<style>iframe[title='streamlit_folium.st_folium'] {{"
        f"height: calc(100vh - {MAP_CHROME_PX}px) !important; min-height: 420px; }}</style>",
        unsafe_allow_html=True)


def _fmt(column: str, value: object, lang: str) -> str:
    """A hamlet value for people (:func:`gis.locale.format_value`)."""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, np.generic):
        value = value.item()
    return format_value(column, value, lang) or "—"


def _details(row: pd.Series | None, props: dict | None, lang: str) -> None:
    st.subheader(t("hamlet_details", lang))
    if row is None:
        st.info(t("click_hamlet", lang))
        return
    st.markdown(f"**{row.get('name', '')}** — {row.get('commune', '')}")
    former = row.get("former_commune")
    if isinstance(former, str) and former:
        st.caption(f"{column_label('former_commune', lang)}: {former}")
    # the reason and the fix first: what a planner acts on
    reason = (props or {}).get("reason") or ""
    fix = (props or {}).get("proposed_fix") or ""
    if reason:
        st.error(f"**{column_label('reason', lang)}**: {reason}")
        if fix:
            st.info(f"**{column_label('proposed_fix', lang)}**: {fix}")
    else:
        st.success(t("hamlet_ok", lang))
    values = row.drop(labels=["geometry"], errors="ignore")
    table = pd.DataFrame({
        t("indicator", lang): [column_label(str(k), lang) for k in values.index],
        t("value", lang): [_fmt(str(k), v, lang) for k, v in values.items()],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="hamlet_detail_table")


def render() -> None:
    """The Map page."""
    lang = header("page_map")
    project, ctx = project_and_run(lang)
    options = map_options(ctx, lang)
    parts = build_map_parts(project, ctx, options, cache=_map_cache())
    m = use_local_assets(parts.map, _asset_url())
    for group in parts.dynamic:
        use_local_assets(group, _asset_url())
    fill_height()
    left, right = st.columns([3, 1])
    with left:
        # the hamlet colours, the overlay and the legend are swapped in the browser without
        # redrawing the map (feature_group_to_add); panning and zooming never rerun the script
        returned = st_folium(m, height=640, use_container_width=True, key="planning_map",
                             feature_group_to_add=parts.dynamic,
                             layer_control=parts.layer_control,
                             returned_objects=["last_object_clicked", "last_active_drawing"])
    hamlets = ctx.hamlets if ctx is not None else None
    with right:
        _details(selected_hamlet(returned, hamlets), clicked_hamlet(returned), lang)
