"""What-if page: add a site, move one, or change its height, azimuth, tilt or technology on the
map, recompute only that site's coverage (:mod:`gis.whatif.sites`), see the hamlets gained and
lost and the new indicators, keep or drop the change, download the edited sites layer; and the
terrain profile between a site and a hamlet (:mod:`gis.whatif.profile`).

The scenario (the run's sites, coverage and hamlets as edited) lives in this session only; the
run itself and the project are never changed. "Use in this session" puts the edited sites
layer into the session's layers (as an upload does): the next analysis then runs in full.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import numpy as np
import pandas as pd
import streamlit as st
from pyproj import Transformer
from streamlit_folium import st_folium

from gis.analysis.status import STATUS_COLORS
from gis.app import _state
from gis.app.i18n import t
from gis.app.widgets import (
    fmt_number,
    fmt_share,
    header,
    localised,
    project_and_computed_run,
    show_error,
)
from gis.errors import GisError
from gis.labels import status_label
from gis.layers.rasters import read_window
from gis.maps.geojson import compact_geojson, to_wgs84
from gis.maps.offline import use_local_assets
from gis.maps.style import operator_colour
from gis.whatif.profile import LinkProfile, link_profile
from gis.whatif.sites import Scenario, SiteEdit, WhatIfResult, default_azimuths, run_whatif

__all__ = ["KEY_SCENARIO", "profile_figure", "render", "scenario_from_run"]

#: Session-state keys: the kept scenario (and its edits), the last result not yet kept.
KEY_SCENARIO = "_whatif_scenario"
KEY_PENDING = "_whatif_pending"
KEY_CLICK = "_whatif_click"


def scenario_from_run(project: Any, ctx: Any) -> Scenario | None:
    """The :class:`Scenario` of a run (``None`` when the run kept no coverage or terrain: a
    tiled run whose DEM is too large to hold in memory)."""
    cov = ctx.state.coverage
    terrain = ctx.state.terrain
    long = ctx.state.hamlet_coverage
    if cov is None or terrain is None or long is None or ctx.state.transmitters is None:
        return None
    tx = cov.transmitters if len(cov.transmitters) else ctx.state.transmitters
    dem, dtr = terrain.dem, terrain.transform
    crs = project.crs
    res = float(dtr.a)
    bounds = (dtr.c, dtr.f + dtr.e * dem.shape[0], dtr.c + res * dem.shape[1], dtr.f)
    landcover = None
    lc_path = project.rasters.get("landcover")
    if lc_path is not None:     # aligned with the DEM as the coverage stage aligns it
        lc, _ = read_window(lc_path, bounds, crs=crs, resolution_m=res, resampling="nearest")
        landcover = np.full(dem.shape, np.nan, np.float32)
        h, w = min(lc.shape[0], dem.shape[0]), min(lc.shape[1], dem.shape[1])
        landcover[:h, :w] = lc[:h, :w]
    population = None
    pop_path = project.rasters.get("population")
    if pop_path is not None:    # over the coverage grid, as the mobile stage reads it
        tr = cov.transform
        cb = (tr.c, tr.f + tr.e * cov.shape[0], tr.c + tr.a * cov.shape[1], tr.f)
        population = read_window(pop_path, cb, crs=crs, resampling="nearest")
    hamlets = ctx.hamlets
    villages = project.require("villages")
    if "district" not in hamlets and "district" in villages:
        hamlets = hamlets.assign(district=villages["district"].reindex(hamlets.index))
    return Scenario(sites=project.require("sites"), transmitters=tx, coverage=cov, dem=dem,
                    dem_transform=dtr, villages=villages, hamlets=hamlets, long=long,
                    radio=ctx.params.radio, rule=ctx.params.mobile, targets=ctx.params.targets,
                    landcover=landcover, population=population,
                    positions=ctx.tables.get("positions"),
                    facilities=ctx.tables.get("facilities"))


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared_scenario(run_key: str, _project: Any, _ctx: Any) -> Scenario | None:
    return scenario_from_run(_project, _ctx)


def _scenario(project: Any, ctx: Any) -> tuple[Scenario | None, list[SiteEdit]]:
    """This session's scenario: the kept one, or the run's own (shared, never modified)."""
    run_key = st.session_state.get(_state.KEY_LAST_RUN, "")
    kept = st.session_state.get(KEY_SCENARIO)
    if kept is not None and kept[0] == run_key:
        return kept[1], kept[2]
    sp = _state.session_project()
    if sp is not None and sp.uploaded:
        return scenario_from_run(project, ctx), []
    return _shared_scenario(run_key, project, ctx), []


def _to_lonlat(crs: Any) -> Transformer:
    return Transformer.from_crs(crs, 4326, always_xy=True)


def _to_metres(crs: Any) -> Transformer:
    return Transformer.from_crs(4326, crs, always_xy=True)


def _site_table(scn: Scenario) -> pd.DataFrame:
    sites = scn.sites
    cols = [c for c in ("site_id", "operator", "tech", "height_m", "azimuth_deg", "tilt_deg")
            if c in sites]
    return pd.DataFrame(sites[cols])


def _editor(scn: Scenario, lang: str, click: tuple[float, float] | None) -> SiteEdit | None:
    """The edit widgets; returns the edit when the user asks to compute it."""
    sites = scn.sites
    action = st.radio(t("whatif_action", lang), ["change", "add", "remove"], horizontal=True,
                      key="whatif_action", format_func=lambda a: t(f"whatif_{a}", lang))
    to_m = _to_metres(sites.crs)
    ids = sorted(sites["site_id"].astype(str).unique()) if "site_id" in sites else []
    operators = sorted(set(sites["operator"].astype(str))) if "operator" in sites else []
    c1, c2, c3 = st.columns(3)
    if action == "add":
        site_id = c1.text_input(t("whatif_new_id", lang), value=_free_id(ids), key="whatif_id")
        operator = c2.selectbox(t("operator_col", lang), operators or ["Viettel"],
                                key="whatif_operator")
        rows = None
    else:
        site_id = c1.selectbox(t("whatif_site", lang), ids, key="whatif_site")
        rows = sites[sites["site_id"].astype(str) == str(site_id)] if site_id else None
        ops = sorted(set(rows["operator"].astype(str))) if rows is not None else []
        operator = c2.selectbox(t("operator_col", lang), ops, key="whatif_site_operator") \
            if len(ops) > 1 else (ops[0] if ops else None)
        if rows is not None and operator is not None:
            rows = rows[rows["operator"].astype(str) == str(operator)]
    if action == "remove":
        if st.button(t("whatif_compute", lang), type="primary", key="whatif_go"):
            return SiteEdit("remove", str(site_id), operator)
        return None
    first = rows.iloc[0] if rows is not None and len(rows) else None
    lon0, lat0 = (_to_lonlat(sites.crs).transform(first.geometry.x, first.geometry.y)
                  if first is not None else (None, None))
    if click is not None:
        lat0, lon0 = click
        c3.info(t("whatif_from_click", lang))
    if lon0 is None:
        b = _to_lonlat(sites.crs).transform(*scn.villages.total_bounds[:2])
        lon0, lat0 = b
    c1, c2, c3 = st.columns(3)
    lon = c1.number_input(t("lon", lang), value=float(lon0), format="%.6f", step=0.0005,
                          key=f"whatif_lon_{site_id}_{click}")
    lat = c2.number_input(t("lat", lang), value=float(lat0), format="%.6f", step=0.0005,
                          key=f"whatif_lat_{site_id}_{click}")
    h0 = float(first["height_m"]) if first is not None and "height_m" in first \
        and pd.notna(first["height_m"]) else float(scn.radio.default_height_m)
    height = c3.number_input(t("whatif_height", lang), min_value=1.0, max_value=300.0,
                             value=h0, step=1.0, key=f"whatif_h_{site_id}")
    az0 = (tuple(float(a) for a in rows["azimuth_deg"].dropna())
           if rows is not None and "azimuth_deg" in rows and rows["azimuth_deg"].notna().any()
           else default_azimuths(3))
    c1, c2, c3 = st.columns(3)
    azimuths = c1.text_input(t("whatif_azimuths", lang),
                             value=", ".join(f"{a:g}" for a in az0), key=f"whatif_az_{site_id}")
    tilt0 = float(first["tilt_deg"]) if first is not None and "tilt_deg" in first \
        and pd.notna(first["tilt_deg"]) else 3.0
    tilt = c2.number_input(t("whatif_tilt", lang), min_value=-10.0, max_value=30.0,
                           value=tilt0, step=0.5, key=f"whatif_tilt_{site_id}")
    tech0 = str(first["tech"]) if first is not None and "tech" in first \
        and pd.notna(first["tech"]) else "4G"
    techs = c3.multiselect(t("whatif_tech", lang), ["2G", "3G", "4G", "5G"],
                           default=[x for x in ("2G", "3G", "4G", "5G") if x in tech0.upper()]
                           or ["4G"], key=f"whatif_tech_{site_id}")
    if not st.button(t("whatif_compute", lang), type="primary", key="whatif_go"):
        return None
    try:
        az = tuple(float(a) % 360.0 for a in azimuths.replace(";", ",").split(",") if a.strip())
    except ValueError:
        st.error(t("whatif_bad_azimuths", lang))
        return None
    x, y = to_m.transform(float(lon), float(lat))
    return SiteEdit(action, str(site_id), operator, x_m=x, y_m=y, height_m=float(height),
                    azimuths_deg=az or None, tilt_deg=float(tilt),
                    tech="/".join(techs) if techs else None)


def _free_id(ids: list[str]) -> str:
    i = 1
    while f"NEW{i:02d}" in ids:
        i += 1
    return f"NEW{i:02d}"


def _map(scn: Scenario, result: WhatIfResult | None, lang: str) -> tuple[float, float] | None:
    """A map of the sites and the hamlets by mobile status, those gained outlined green and
    those lost red; a click on it gives the position of a new or moved site."""
    from gis.analysis.status import mobile_status
    from gis.app.map_page import _asset_url
    from gis.maps.build import BASEMAPS, OFFLINE_BASEMAP, OfflineBase

    wgs = to_wgs84(scn.villages[[scn.villages.geometry.name]], simplify_m=None)
    west, south, east, north = wgs.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=12,
                   tiles=None, prefer_canvas=True)
    tiles = {k: folium.TileLayer(tiles=url, attr=attr or None, name=t(f"base_{k}", lang),
                                 show=k == "osm", max_zoom=19)
             for k, (url, attr) in BASEMAPS.items() if k in ("osm", OFFLINE_BASEMAP)}
    for layer in tiles.values():
        layer.add_to(m)
    m.add_child(OfflineBase(tiles[OFFLINE_BASEMAP], [tiles["osm"]], t("offline_note", lang)))
    change = pd.Series("", index=scn.villages.index)
    if result is not None and len(result.changes):
        change.loc[result.changes.index] = result.changes["change"].to_numpy()
    hamlets = (result.scenario if result is not None else scn).hamlets
    status = mobile_status(hamlets).reindex(scn.villages.index).fillna("unknown")
    frame = scn.villages[[c for c in ("name",) if c in scn.villages]
                         + [scn.villages.geometry.name]].assign(
        change=change.to_numpy(), status=status.to_numpy(),
        status_text=[status_label(c, lang) for c in status])
    outline = {"gained": ("#1b5e20", 3.5), "lost": ("#b71c1c", 3.5),
               "changed": ("#e65100", 2.5), "": ("#333333", 0.5)}
    folium.GeoJson(compact_geojson(frame, ["name", "change", "status", "status_text"]),
                   style_function=lambda f: {
                       "color": outline[f["properties"]["change"]][0],
                       "weight": outline[f["properties"]["change"]][1], "fillOpacity": 0.5,
                       "fillColor": STATUS_COLORS.get(f["properties"]["status"], "#9e9e9e")},
                   tooltip=folium.GeoJsonTooltip(["name", "status_text"], labels=False)
                   ).add_to(m)
    cols = [c for c in ("site_id", "operator") if c in scn.sites]
    sites = scn.sites[[*cols, scn.sites.geometry.name]]
    if "site_id" in sites:
        sites = sites.drop_duplicates("site_id")
    folium.GeoJson(compact_geojson(sites, cols, simplify_m=None),
                   marker=folium.CircleMarker(radius=5, weight=1, color="#ffffff", fill=True,
                                              fill_opacity=1.0),
                   style_function=lambda f: {"fillColor": operator_colour(
                       f["properties"].get("operator"))},
                   tooltip=folium.GeoJsonTooltip(cols, labels=False) if cols else None
                   ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    use_local_assets(m, _asset_url())
    out = st_folium(m, height=440, use_container_width=True, key="whatif_map",
                    returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked")
    if click and "lat" in click:
        return float(click["lat"]), float(click["lng"])
    return None


def _show_result(result: WhatIfResult, lang: str) -> None:
    st.success(t("whatif_done", lang, s=f"{result.seconds:.2f}".replace(".", ",")
                 if lang == "vi" else f"{result.seconds:.2f}",
                 n=fmt_number(result.transmitters, lang=lang),
                 cells=fmt_number(result.cells_changed, lang=lang)))
    ch = result.changes
    gained, lost = int((ch["change"] == "gained").sum()), int((ch["change"] == "lost").sum())
    c1, c2, c3 = st.columns(3)
    c1.metric(t("whatif_gained", lang), fmt_number(gained, lang=lang))
    c2.metric(t("whatif_lost", lang), fmt_number(lost, lang=lang))
    c3.metric(t("whatif_changed", lang), fmt_number(len(ch) - gained - lost, lang=lang))
    if len(ch):
        view = ch.assign(
            status_before=ch["status_before"].map(lambda c: status_label(c, lang)),
            status_after=ch["status_after"].map(lambda c: status_label(c, lang)),
            change=ch["change"].map(lambda c: t(f"whatif_{c}_one", lang)))
        st.dataframe(localised(view, lang), hide_index=True, width="stretch",
                     key="whatif_changes")
    name = "name_en" if lang == "en" else "name_vi"
    b, a = result.indicators_before, result.indicators_after
    table = pd.DataFrame({
        t("indicator", lang): b[name],
        t("whatif_before", lang): [fmt_share(v, lang=lang) for v in b["value"]],
        t("whatif_after", lang): [fmt_share(v, lang=lang) for v in a["value"]],
        t("target", lang): [fmt_share(v, 0, lang=lang) for v in b["target"]],
    })
    moved = (b["value"].fillna(-1).to_numpy() != a["value"].fillna(-1).to_numpy())
    st.markdown(f"**{t('whatif_indicators' if moved.any() else 'whatif_no_change', lang)}**")
    st.dataframe(table[moved] if moved.any() else table, hide_index=True, width="stretch",
                 key="whatif_indicators")
    st.caption(t("whatif_not_redone", lang))


def profile_figure(profile: LinkProfile, lang: str) -> Any:
    """The profile chart: the ground over the effective earth, the line of sight and the first
    Fresnel zone, the obstruction marked (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = profile.distance_m / 1000.0
    ground = profile.ground_m + profile.bulge_m
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=110)
    ax.fill_between(d, ground.min() - 5, ground, color="#a1887f", alpha=0.8,
                    label=t("profile_ground", lang))
    ax.plot(d, profile.los_m, color="#1565c0", lw=1.5, label=t("profile_los", lang))
    ax.plot(d, profile.los_m - profile.fresnel_m, color="#1565c0", lw=0.8, ls="--",
            label=t("profile_fresnel", lang))
    ax.plot(d, profile.los_m + profile.fresnel_m, color="#1565c0", lw=0.8, ls="--")
    if profile.obstruction_m > 0:
        i = int(np.argmin(np.abs(profile.distance_m - profile.obstruction_at_m)))
        ax.plot([d[i]], [ground[i]], "v", color="#c62828", ms=9,
                label=t("profile_obstruction", lang))
    ax.set_xlabel(t("profile_distance", lang))
    ax.set_ylabel(t("profile_height", lang))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def _profile_section(scn: Scenario, lang: str) -> None:
    st.subheader(t("profile_title", lang))
    sites = scn.sites
    if "site_id" not in sites or scn.villages.empty:
        return
    c1, c2, c3 = st.columns(3)
    ids = sorted(sites["site_id"].astype(str).unique())
    site_id = c1.selectbox(t("whatif_site", lang), ids, key="profile_site")
    names = scn.villages["name"].astype(str) if "name" in scn.villages else \
        pd.Series([str(i) for i in scn.villages.index], index=scn.villages.index)
    pos = c2.selectbox(t("profile_hamlet", lang), list(range(len(names))), key="profile_hamlet",
                       format_func=lambda i: names.iloc[i])
    rows = sites[sites["site_id"].astype(str) == site_id]
    tx = scn.transmitters
    freqs = sorted(set(tx.loc[tx["active"].to_numpy(bool)
                              & (tx["site_id"].astype(str) == site_id).to_numpy(),
                              "freq_mhz"].astype(float))) if "site_id" in tx else []
    freq = c3.selectbox(t("profile_freq", lang), freqs or [1800.0], key="profile_freq",
                        format_func=lambda f: f"{f:g} MHz")
    from gis.analysis.hamlets import hamlet_centres

    centre = hamlet_centres(scn.villages.iloc[[pos]])[0]
    site = rows.geometry.iloc[0]
    h = float(rows["height_m"].dropna().iloc[0]) if "height_m" in rows and \
        rows["height_m"].notna().any() else float(scn.radio.default_height_m)
    try:
        prof = link_profile(scn.dem, scn.dem_transform, (site.x, site.y), tuple(centre),
                            tx_height_m=h, freq_mhz=float(freq), radio=scn.radio)
    except GisError as exc:
        show_error(exc, lang)
        return
    st.pyplot(profile_figure(prof, lang), clear_figure=True)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("profile_length", lang), f"{fmt_number(prof.length_m / 1000, 2, lang=lang)} km")
    c2.metric(t("profile_los_q", lang), t("yes" if prof.line_of_sight else "no", lang))
    c3.metric(t("profile_obstruction", lang),
              f"{fmt_number(prof.obstruction_m, 1, lang=lang)} m"
              if math.isfinite(prof.obstruction_m) else "—")
    c4.metric(t("profile_clearance", lang), fmt_share(prof.fresnel_clearance, 0, lang=lang)
              if math.isfinite(prof.fresnel_clearance) else "—")
    rows_out = []
    for model, loss in prof.losses_db.items():
        note = t("profile_outside", lang) if model in prof.outside else ""
        if model == prof.engine_model:
            note = (note + " · " if note else "") + t("profile_band_model", lang)
        rows_out.append({t("profile_model", lang): t(f"model_{model}", lang),
                         t("profile_loss", lang): f"{fmt_number(loss, 1, lang=lang)} dB",
                         t("note", lang): note})
    st.dataframe(pd.DataFrame(rows_out), hide_index=True, width="stretch", key="profile_losses")
    for n in prof.notes:
        st.caption(n)


def render() -> None:
    """The What-if page."""
    lang = header("page_whatif", "whatif_intro")
    project, ctx = project_and_computed_run(lang)
    scn, edits = _scenario(project, ctx)
    if scn is None:
        st.warning(t("whatif_unavailable", lang))
        return
    pending: WhatIfResult | None = st.session_state.get(KEY_PENDING)
    click = _map(pending.scenario if pending is not None else scn, pending, lang)
    try:
        edit = _editor(scn, lang, click)
        if edit is not None:
            result = run_whatif(scn, edit)
            st.session_state[KEY_PENDING] = result
            st.session_state["_whatif_pending_edit"] = edit
            pending = result
            st.rerun()
    except GisError as exc:
        show_error(exc, lang, "whatif_failed")
    if pending is not None:
        _show_result(pending, lang)
        c1, c2 = st.columns(2)
        if c1.button(t("whatif_keep", lang), key="whatif_keep", type="primary"):
            run_key = st.session_state.get(_state.KEY_LAST_RUN, "")
            edit = st.session_state.pop("_whatif_pending_edit", None)
            st.session_state[KEY_SCENARIO] = (run_key, pending.scenario,
                                              [*edits, *([edit] if edit else [])])
            st.session_state.pop(KEY_PENDING, None)
            st.rerun()
        if c2.button(t("whatif_drop", lang), key="whatif_drop"):
            st.session_state.pop(KEY_PENDING, None)
            st.session_state.pop("_whatif_pending_edit", None)
            st.rerun()
    if edits:
        st.markdown(f"**{t('whatif_kept', lang, n=len(edits))}**")
        st.dataframe(_site_table(scn).tail(12), hide_index=True, key="whatif_sites")
        c1, c2, c3 = st.columns(3)
        from gis.export.writers import export_table

        def sites_file(fmt: str):
            def make() -> bytes:
                import tempfile
                from pathlib import Path

                folder = Path(tempfile.mkdtemp(prefix="whatif-", dir=_state.session_dir()))
                return export_table(scn.sites.to_crs(4326), folder / f"tram_sua.{fmt}", fmt,
                                    lang=lang, layer="sites").read_bytes()

            return make

        c1.download_button(t("whatif_download", lang, fmt="GeoPackage"), data=sites_file("gpkg"),
                           file_name="tram_sua.gpkg", key="whatif_dl_gpkg", on_click="ignore")
        c2.download_button(t("whatif_download", lang, fmt="CSV"), data=sites_file("csv"),
                           file_name="tram_sua.csv", key="whatif_dl_csv", on_click="ignore")
        if c3.button(t("whatif_use", lang), key="whatif_use"):
            _state.set_override("sites", scn.sites, None, note=t("page_whatif", lang))
            st.session_state.pop(KEY_SCENARIO, None)
            st.rerun()
        if st.button(t("whatif_reset", lang), key="whatif_reset"):
            st.session_state.pop(KEY_SCENARIO, None)
            st.rerun()
    _profile_section(pending.scenario if pending is not None else scn, lang)
