"""Map page: the planning map (gis.maps) with its options, and the clicked hamlet's details.

Map options only change how the map is drawn: the run comes from the cache, so changing them
never recomputes an analysis. ``st_folium`` returns only the last clicked object, so panning and
zooming do not rerun the script.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import header, project_and_run
from gis.labels import column_label
from gis.maps import BASEMAPS, MapOptions, build_map_parts, coverage_choices, hamlet_at
from gis.maps.offline import use_local_assets

__all__ = ["OPTIONAL_LAYERS", "map_options", "render", "selected_hamlet"]

#: Optional layers and their label keys, in the order of the multiselect.
OPTIONAL_LAYERS = {
    "roads": "layer_roads", "fiber": "layer_fiber", "fiber_nodes": "layer_fiber_nodes",
    "sites": "layer_sites", "sectors": "layer_sectors", "facilities": "layer_facilities",
    "admin": "layer_admin", "positions": "layer_positions", "colocation": "layer_colocation",
    "proposed": "layer_proposed", "extensions": "layer_extensions",
}


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


def map_options(ctx: Any, lang: str) -> MapOptions:
    """The map option widgets (in the sidebar) -> :class:`MapOptions`."""
    sb = st.sidebar
    sb.subheader(t("map_options", lang))
    # one radio per language (its labels are its identity in the browser); the choice is kept
    choices = ["mobile", "ftth"]
    kept = st.session_state.get("map_colour_by", "mobile")
    colour_by = sb.radio(t("colour_by", lang), choices, index=choices.index(kept),
                         key=f"map_colour_by_{lang}",
                         format_func=lambda v: t("by_mobile" if v == "mobile" else "by_ftth",
                                                 lang))
    st.session_state["map_colour_by"] = colour_by
    basemap = sb.selectbox(t("basemap", lang), list(BASEMAPS), key="map_basemap",
                           format_func=lambda v: t(f"base_{v}", lang))
    choices = coverage_choices(getattr(ctx, "rasters", {}) or {})
    options = [None, *choices]
    coverage = sb.selectbox(
        t("coverage_layer", lang), options, key="map_coverage",
        format_func=lambda v: t("none", lang) if v is None
        else f"{choices[v][0].title()} {choices[v][1]}")
    with sb.expander(t("map_layers", lang), expanded=False):
        layers = [name for name, label in OPTIONAL_LAYERS.items()
                  if st.checkbox(t(label, lang), value=True, key=f"map_layer_{name}")]
    return MapOptions(lang=lang, colour_by=colour_by, basemap=basemap, coverage=coverage,
                      layers=frozenset(layers), rsrp_scale=_rsrp_scale(ctx))


def selected_hamlet(returned: dict | None, hamlets: pd.DataFrame) -> pd.Series | None:
    """The hamlet row the user clicked: by the feature's ``village_id``, else the nearest centre."""
    if not returned or hamlets is None or hamlets.empty:
        return None
    feature = returned.get("last_active_drawing") or {}
    vid = (feature.get("properties") or {}).get("village_id")
    if vid is not None and "village_id" in hamlets:
        rows = hamlets[hamlets["village_id"].astype(str) == str(vid)]
        if len(rows):
            return rows.iloc[0]
    click = returned.get("last_object_clicked") or {}
    if "lat" in click and "lng" in click:
        i = hamlet_at(hamlets, lat=float(click["lat"]), lon=float(click["lng"]))
        if i is not None:
            return hamlets.iloc[i]
    return None


def _fmt(column: str, value: object, lang: str) -> str:
    """A hamlet value for people: yes/no, shares in percent, numbers with separators."""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, bool | np.bool_):
        return t("yes" if value else "no", lang)
    if isinstance(value, float | np.floating):
        if column.startswith(("pop_share", "hh_share", "cov_")):
            return f"{100 * float(value):.1f} %"
        if column in ("lon", "lat"):
            return f"{float(value):.5f}"
        v = float(value)
        return f"{int(v):,}" if v.is_integer() else f"{v:,.1f}"
    return str(value)


def _details(row: pd.Series | None, lang: str) -> None:
    st.subheader(t("hamlet_details", lang))
    if row is None:
        st.info(t("click_hamlet", lang))
        return
    st.markdown(f"**{row.get('name', '')}** — {row.get('commune', '')}")
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
    left, right = st.columns([3, 1])
    with left:
        # the hamlet colours and the coverage overlay are swapped in the browser without
        # redrawing the map (feature_group_to_add); panning and zooming never rerun the script
        returned = st_folium(m, height=640, use_container_width=True, key="planning_map",
                             feature_group_to_add=parts.dynamic,
                             layer_control=parts.layer_control,
                             returned_objects=["last_object_clicked", "last_active_drawing"])
    hamlets = ctx.hamlets if ctx is not None else None
    with right:
        _details(selected_hamlet(returned, hamlets), lang)
