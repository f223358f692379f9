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
