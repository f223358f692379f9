"""The folium map builders: statuses, wedges, compact GeoJSON, raster overlay, the whole map."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin

from gis.analysis.status import ftth_status, mobile_status
from gis.maps import MapOptions, build_map, hamlet_at, map_html
from gis.maps.geojson import compact_geojson
from gis.maps.layers import sector_wedges
from gis.maps.offline import VENDOR_DIR, use_local_assets
from gis.maps.raster import RsrpScale, rsrp_rgba, warp_to_mercator
from gis.project import Project

UTM = "EPSG:32648"


def test_mobile_status_classifies_each_case():
    h = pd.DataFrame({
        "mobile_4g": [True, False, False, False, pd.NA],
        "mobile_5g": [False, True, False, False, False],
        "no_signal": [False, False, True, False, False],
        "weak_spot": [False, False, False, True, False],
    })
    assert mobile_status(h).tolist() == ["covered", "covered", "no_signal", "weak_spot",
                                      "no_broadband"]
    assert mobile_status(pd.DataFrame(index=[0, 1])).tolist() == ["unknown", "unknown"]
    assert ftth_status(pd.DataFrame({"ftth": [True, False]})).tolist() == ["ftth_yes",
                                                                            "ftth_no"]


def test_sector_wedge_points_along_its_azimuth_with_the_right_area():
    sites = gpd.GeoDataFrame({"site_id": ["A", "B"], "operator": ["Viettel"] * 2,
                              "azimuth_deg": [90.0, np.nan], "beamwidth_deg": [60.0, 65.0]},
                             geometry=shapely.points([500_000.0, 0.0], [2_000_000.0, 0.0]),
                             crs=UTM)
    wedges = sector_wedges(sites, radius_m=250.0, n_arc=9)
    assert wedges["site_id"].tolist() == ["A"]          # no azimuth: no wedge
    poly = wedges.geometry.iloc[0]
    c = poly.centroid
    assert c.x - 500_000 > 100 and abs(c.y - 2_000_000) < 1e-6   # east of the site
    # 8 triangles of 7.5 degrees: 0.5 * 250^2 * 8 * sin(7.5 deg) = 32631.6 m2
    assert poly.area == pytest.approx(0.5 * 250**2 * 8 * math.sin(math.radians(7.5)), rel=1e-9)
    assert poly.area == pytest.approx(32631.6, abs=0.1)


def test_compact_geojson_rounds_and_keeps_only_named_properties():
    gdf = gpd.GeoDataFrame({"name": ["Thôn Đồng Tâm"], "secret": [1], "share": [0.123456]},
                           geometry=[shapely.Point(105.123456789, 20.987654321)], crs=4326)
    fc = compact_geojson(gdf, ["name", "share"])
    feat = fc["features"][0]
    assert feat["properties"] == {"name": "Thôn Đồng Tâm", "share": 0.123}
    assert feat["geometry"]["coordinates"] == [105.12346, 20.98765]


def test_compact_geojson_reprojects_from_utm():
    lon, lat = Transformer.from_crs(4326, UTM, always_xy=True).transform(105.8, 20.3)
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=[shapely.Point(lon, lat)], crs=UTM)
    x, y = compact_geojson(gdf, ["v"])["features"][0]["geometry"]["coordinates"]
    assert (x, y) == (105.8, 20.3)


def test_rsrp_colours_by_tier():
    rgba = rsrp_rgba(np.array([[-90.0, -100.0, -107.0, -115.0, np.nan, -140.0]]),
                     RsrpScale(), opacity=0.6)
    assert rgba[0, 0, :3].tolist() == [0x1a, 0x96, 0x41]      # good
    assert rgba[0, 1, :3].tolist() == [0xa6, 0xd9, 0x6a]      # fair
    assert rgba[0, 2, :3].tolist() == [0xfd, 0xae, 0x61]      # edge
    assert rgba[0, 3, :3].tolist() == [0xd7, 0x19, 0x1c]      # below edge, faint
    assert rgba[0, :, 3].tolist() == [153, 153, 153, 76, 0, 0]  # NaN and below floor clear


def test_raster_overlay_covers_the_source_extent(tmp_path):
    path = tmp_path / "cov.tif"
    x0, y0, res = 580_000.0, 2_250_000.0, 30.0
    data = np.full((200, 300), -100.0, np.float32)
    data[:, :10] = np.nan
    with rasterio.open(path, "w", driver="GTiff", width=300, height=200, count=1,
                       dtype="float32", crs=UTM, transform=from_origin(x0, y0, res, res),
                       nodata=np.nan) as dst:
        dst.write(data, 1)
    img, (south, west, north, east) = warp_to_mercator(path, max_px=128)
    assert max(img.shape) <= 128
    to_wgs = Transformer.from_crs(UTM, 4326, always_xy=True)
    lons, lats = to_wgs.transform([x0, x0 + 9000, x0, x0 + 9000], [y0, y0, y0 - 6000, y0 - 6000])
    tol = 0.002   # a down-sampled pixel is about 80 m here
    assert west <= min(lons) + tol and east >= max(lons) - tol
    assert south <= min(lats) + tol and north >= max(lats) - tol
    assert np.isnan(img[:, 0]).all() and np.nanmax(img) == pytest.approx(-100.0)


def test_hamlet_at_picks_the_nearest_centre_within_reach():
    frame = pd.DataFrame({"lon": [105.80, 105.90], "lat": [20.30, 20.30]})
    assert hamlet_at(frame, lat=20.301, lon=105.899) == 1
    assert hamlet_at(frame, lat=20.30, lon=105.70) is None


@pytest.fixture(scope="module")
def small_project(tmp_path_factory):
    from test_app_support import build_small_project

    return Project.load(build_small_project(tmp_path_factory.mktemp("maps")))


def test_build_map_has_every_control_and_all_hamlets(small_project):
    m = build_map(small_project, None, MapOptions(lang="en", basemap="plain"))
    html = map_html(m)
    for needle in ("L.control.layers", "L.control.scale", "L.Control.Measure",
                   "L.control.fullscreen", "Legend", "Hamlets", "World_Imagery"):
        assert needle in html, needle
    # all 24 hamlets are in the map's GeoJSON, all "not computed" before a run
    n = len(re.findall(r'"village_id": "V\d{3}"', html))
    assert n == 24
    assert "Not computed" in html
    assert len(html.encode()) < 1_000_000


def test_map_uses_vendored_libraries(small_project):
    m = use_local_assets(build_map(small_project, None, MapOptions()), "/app/static/vendor/")
    html = map_html(m)
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr.net/npm/leaflet@" not in html
    assert (VENDOR_DIR / "leaflet" / "leaflet.js").stat().st_size > 100_000


def _sites(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    return gpd.GeoDataFrame({"site_id": [f"S{i}" for i in range(n)], "operator": "Viettel",
                             "tech": rng.choice(["2G", "2G/4G", "4G/5G"], n)},
                            geometry=shapely.points(580_000 + rng.uniform(0, 9000, n),
                                                    2_240_000 + rng.uniform(0, 9000, n)),
                            crs=UTM)


def test_sites_are_clustered_only_when_many():
    import folium

    from gis.maps.layers import CLUSTER_MIN_SITES, site_radius, sites_layer

    def html(n: int) -> str:
        m = folium.Map()
        for g in sites_layer(_sites(n)):
            g.add_to(m)
        return map_html(m)

    assert "markerClusterGroup" not in html(10)
    many = html(CLUSTER_MIN_SITES + 1)
    assert "markerClusterGroup" in many and many.count("S1") >= 1
    assert (site_radius("2G/3G"), site_radius("2G/4G"), site_radius("4G/5G")) == (3.5, 5.0, 7.0)


def test_every_text_property_sent_to_the_map_is_escaped():
    """Popups insert properties as HTML: a hamlet name from a user's file must stay text."""
    import geopandas as gpd
    from shapely.geometry import Point

    from gis.maps.geojson import compact_geojson

    gdf = gpd.GeoDataFrame({"name": ["Thôn <script>alert(1)</script> & Đông"], "population": [5]},
                           geometry=[Point(600_000, 2_250_000)], crs=32648)
    props = compact_geojson(gdf, ["name", "population"])["features"][0]["properties"]
    assert props["name"] == "Thôn &lt;script&gt;alert(1)&lt;/script&gt; &amp; Đông"
    assert props["population"] == 5


# -- issue 15: hamlets clickable with their own popup, legend of what is shown, offline base map

def _has(html: str, text: str) -> bool:
    """``text`` is in the page, as it is or escaped in a JSON string (folium's ``tojson``)."""
    import json

    return text in html or json.dumps(text)[1:-1] in html


def _small_run(project):
    from gis.pipeline.cache import run_cached

    ctx, _ = run_cached(project, project.params, store={})
    return ctx


@pytest.fixture(scope="module")
def small_ctx(small_project):
    return _small_run(small_project)


def test_hamlet_frame_carries_reason_fix_and_people_served(small_project, small_ctx):
    from gis.maps.hamlets import hamlet_frame, served_columns

    h = small_ctx.hamlets
    frame = hamlet_frame(small_project.layers["villages"], h, "vi", small_ctx.tables)
    served = served_columns(h)
    assert ("srv_viettel_4g", "Viettel", "4G") in served.values()
    # people served = population x the share of the operator and technology, whole people
    expected = np.round(h["cov_4g_viettel"].to_numpy(float) * h["population"].to_numpy(float))
    assert frame["srv_viettel_4g"].to_numpy(float).tolist() == expected.tolist()
    lacking = ~(h["ftth"].astype(bool))
    assert (frame.loc[lacking, "reason"].str.contains("không có FTTH")).all()
    assert (frame.loc[~lacking & h["mobile_4g"].astype(bool), "reason"] == "").all()
    assert frame.loc[lacking, "proposed_fix"].str.len().gt(0).all()


def test_hamlets_are_clickable_everywhere_and_sent_to_the_back(small_project, small_ctx):
    m = build_map(small_project, small_ctx, MapOptions(lang="vi", basemap="plain"))
    html = map_html(m)
    # no pane of their own (its canvas sat under the overlay canvas and got no clicks) ...
    assert "createPane(\"hamlets\")" not in html and "hamlets" not in re.findall(
        r'pane: "(\w+)"', html)
    # ... but the front canvas, sent to the back on add, with their own tooltip and popup
    assert html.count("l.bringToBack()") >= 1 and "bindPopup" in html and "bindTooltip" in html
    assert "Số dân được phục vụ" in html
    # commune boundaries are lines: the inside of a commune is left to its hamlets
    assert '"type":"LineString"' in html.replace(" ", "") and "Polygon" in html


def test_legend_lists_only_what_is_shown(small_project, small_ctx):
    from gis.maps.build import legend_sections
    from gis.maps.hamlets import hamlet_frame

    frame = hamlet_frame(small_project.layers["villages"], small_ctx.hamlets, "en",
                         small_ctx.tables)
    sections = legend_sections(MapOptions(lang="en"), small_project, frame,
                               small_ctx.tables, small_ctx.rasters)
    rows = {label for _layer, _title, items in sections for label, _c, _s in items}
    from gis.labels import status_label

    # the hamlet colouring: exactly the statuses some hamlet has
    present = {status_label(c, "en") for c in mobile_status(small_ctx.hamlets)}
    assert {label for label, _c, _s in sections[0][2]} == present
    heads = [title for _l, title, _i in sections]
    assert "Roads" in heads and "Fiber routes" in heads
    assert {"National road", "Commune road", "Village road"} <= rows      # the classes drawn
    assert "Provincial road" not in rows                                     # none in the layer
    assert "Distribution" in rows and "Commune boundaries" in rows
    # a layer left out of the map leaves the legend too; the overlay adds its RSRP tiers
    less = legend_sections(MapOptions(lang="en", layers=frozenset({"sites"}),
                                      coverage="coverage_viettel_4g"),
                           small_project, frame, small_ctx.tables, small_ctx.rasters)
    heads = [title for _l, title, _i in less]
    assert "Roads" not in heads and any("RSRP" in h for h in heads)
    # by FTTH: only the FTTH statuses some hamlet has
    ftth = legend_sections(MapOptions(lang="vi", colour_by="ftth"), small_project,
                           frame, small_ctx.tables, small_ctx.rasters)[0]
    codes = set(frame["ftth_code"])
    assert len(ftth[2]) == len(codes)


def test_offline_base_map_and_overlay_opacity(small_project, small_ctx):
    name = sorted(k for k in small_ctx.rasters if k.startswith("coverage_"))[0]
    html = map_html(build_map(small_project, small_ctx,
                              MapOptions(lang="en", coverage=name, opacity=0.35)))
    assert "tileerror" in html and "navigator.onLine" in html
    assert _has(html, "The online base map cannot be reached")
    assert re.search(r'"opacity": 0\.35', html)
    from gis.maps import coverage_choices

    assert coverage_choices({"coverage_vinaphone_4g": 0, "coverage_mobifone_5g": 0}) == {
        "coverage_mobifone_5g": ("MobiFone", "5G"), "coverage_vinaphone_4g": ("VinaPhone", "4G")}
    from gis.errors import ValidationError
    from gis.maps.raster import coverage_overlay

    with pytest.raises(ValidationError):
        coverage_overlay(small_ctx.rasters[name], name="x", opacity=1.5)


def test_speed_colouring_appears_with_the_speed_columns(small_project, small_ctx):
    from gis.analysis.speed import SPEED_COLOURS
    from gis.maps import colour_choices
    from gis.maps.hamlets import hamlet_colours, hamlet_frame

    h = small_ctx.hamlets.drop(columns=["est_dl_mbps_mobile", "est_dl_mbps_fixed"],
                               errors="ignore")
    assert colour_choices(h) == ["mobile", "ftth"]
    h["est_dl_mbps_mobile"] = np.linspace(5.0, 160.0, len(h))
    h.loc[h.index[0], "est_dl_mbps_mobile"] = np.nan
    assert colour_choices(h) == ["mobile", "ftth", "speed"]
    frame = hamlet_frame(small_project.layers["villages"], h, "en", small_ctx.tables)
    colours = hamlet_colours(frame, "speed")
    assert colours.iloc[0] == SPEED_COLOURS["nodata"] and colours.iloc[-1] == SPEED_COLOURS["6"]
    ctx = type("Ctx", (), {"hamlets": h, "tables": small_ctx.tables, "rasters": {}})()
    html = map_html(build_map(small_project, ctx, MapOptions(lang="en", colour_by="speed")))
    assert _has(html, "Estimated download speed (Mbit/s)") and SPEED_COLOURS["6"] in html


def test_duct_roads_layer_appears_with_its_table(small_project, small_ctx):
    from gis.analysis.ducts import DUCT_CLASS_COLOURS

    roads = gpd.GeoDataFrame({"name": ["Đường Lê Lợi", "Đường Trần Phú"],
                              "operators": ["Viettel, VNPT", "Viettel"], "n_operators": [2, 1],
                              "n_cables": [2, 1], "length_m": [820.0, 300.0],
                              "saving_vnd": [1.5e8, 0.0], "duct_class": ["shared", "single"]},
                             geometry=[shapely.LineString([(105.84, 20.25), (105.85, 20.25)]),
                                       shapely.LineString([(105.84, 20.26), (105.85, 20.26)])],
                             crs=4326)
    tables = {**small_ctx.tables, "shared_duct_roads": roads}
    ctx = type("Ctx", (), {"hamlets": small_ctx.hamlets, "tables": tables, "rasters": {}})()
    html = map_html(build_map(small_project, ctx, MapOptions(lang="vi")))
    assert _has(html, "Tuyến đường cần cống bể dùng chung")
    assert DUCT_CLASS_COLOURS["shared"] in html and "150.000.000" in html
    none = map_html(build_map(small_project, small_ctx, MapOptions(lang="vi")))
    assert not _has(none, "Tuyến đường cần cống bể dùng chung")


def test_speed_raster_overlay_when_the_run_estimated_speeds(small_project, small_ctx, tmp_path):
    from gis.maps import overlay_name, speed_choices
    from gis.maps.raster import speed_rgba

    rgba = speed_rgba(np.array([[5.0, 75.0, 200.0, np.nan]]))
    assert rgba[0, 0, :3].tolist() == [0xd7, 0x30, 0x27]          # < 10 Mbit/s
    assert rgba[0, 1, :3].tolist() == [0xd9, 0xef, 0x8b]          # 70-100
    assert rgba[0, 2, :3].tolist() == [0x1a, 0x98, 0x50]          # >= 150
    assert rgba[0, :, 3].tolist() == [255, 255, 255, 0]
    path = tmp_path / "est_dl_mbps_best.tif"
    with rasterio.open(path, "w", driver="GTiff", width=50, height=40, count=1,
                       dtype="float32", crs=UTM, nodata=np.nan,
                       transform=from_origin(587_000.0, 2_241_000.0, 60.0, 60.0)) as dst:
        dst.write(np.linspace(5.0, 160.0, 2000, dtype=np.float32).reshape(40, 50), 1)
    rasters = {**{k: v for k, v in small_ctx.rasters.items() if not k.startswith("est_dl_")},
               "est_dl_mbps_best": path, "est_dl_mbps_viettel": path}
    assert set(speed_choices(small_ctx.rasters)) >= {"est_dl_mbps_best"}  # the run's own
    assert speed_choices(rasters) == {"est_dl_mbps_best": "", "est_dl_mbps_viettel": "Viettel"}
    assert overlay_name("est_dl_mbps_viettel", "vi") == "Tốc độ tải xuống ước tính Viettel"
    ctx = type("Ctx", (), {"hamlets": small_ctx.hamlets, "tables": small_ctx.tables,
                           "rasters": rasters})()
    html = map_html(build_map(small_project, ctx, MapOptions(lang="en",
                                                             coverage="est_dl_mbps_best")))
    assert _has(html, "Expected download speed (best operator)")
    assert _has(html, "Estimated download speed (Mbit/s)") and "data:image/png;base64" in html


def test_large_raster_overlay_read_decimated_matches_the_full_warp(tmp_path):
    """A national-size raster is read decimated (from a COG's overviews) before the warp: the
    overlay equals the warp of every cell to within the averaging's rounding, tier for tier."""
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    from gis.layers.rasters import write_geotiff

    n, res = 2048, 30.0
    yy, xx = np.mgrid[0:n, 0:n]
    data = (-70.0 - 50.0 * np.hypot(xx - n / 2, yy - n / 2) / n).astype(np.float32)
    data[:, :64] = np.nan
    path = write_geotiff(tmp_path / "cov.tif", data, from_origin(500_000.0, 2_300_000.0, res, res),
                         UTM, nodata=np.nan, cog=True)
    with rasterio.open(path) as src:
        assert src.overviews(1), "the COG has overviews"
    img, _ = warp_to_mercator(path, max_px=256)
    with rasterio.open(path) as src:          # the reference: every cell warped
        transform, w, h = calculate_default_transform(src.crs, "EPSG:3857", src.width,
                                                      src.height, *src.bounds)
        scale = max(w, h) / 256
        w, h = int(np.ceil(w / scale)), int(np.ceil(h / scale))
        transform = transform * transform.scale(scale, scale)
        ref = np.full((h, w), np.nan, np.float32)
        reproject(rasterio.band(src, 1), ref, src_transform=src.transform, src_crs=src.crs,
                  src_nodata=src.nodata, dst_transform=transform, dst_crs="EPSG:3857",
                  dst_nodata=np.nan, resampling=Resampling.average)
    assert img.shape == ref.shape
    both = np.isfinite(img) & np.isfinite(ref)
    assert both.sum() > 0.9 * np.isfinite(ref).sum()
    assert np.nanmax(np.abs(img[both] - ref[both])) < 0.5   # dB; the field varies 0.2 dB a pixel
    assert np.isnan(img[:, 0]).all()
