"""Points in the sea or in the wrong province: a VN-2000 .prj with the wrong central meridian is
reported with the likely right one; the land polygon of Vietnam shipped with the package."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from gis.errors import CRSError, ValidationError
from gis.layers.crs import vn2000_tm3
from gis.layers.land import LAND_FILE, LandParams, meridian_candidates, on_land, vietnam_land
from gis.layers.read import Upload, read_layer

PLACES = [  # (lon, lat, on land?)
    (105.8542, 21.0285, True),  # Hà Nội, Hoàn Kiếm
    (106.2712, 20.1453, True),  # Hải Hậu, Nam Định
    (103.9600, 10.2300, True),  # Phú Quốc
    (109.1200, 15.3800, True),  # Lý Sơn (island disc)
    (106.6000, 8.6900, True),  # Côn Đảo
    (107.1300, 20.8600, True),  # Cửa Vạn floating village, Hạ Long Bay (within the margin)
    (107.5000, 19.5000, False),  # Gulf of Tonkin
    (112.0000, 12.0000, False),  # South China Sea
    (104.5000, 9.0000, False),  # Gulf of Thailand
    (102.6000, 17.9700, False),  # Vientiane, Laos
    (104.9200, 11.5600, False),  # Phnom Penh, Cambodia
    (108.3200, 22.8200, False),  # Nanning, China
]


def test_land_polygon_is_small_valid_and_vietnam():
    assert LAND_FILE.stat().st_size < 300_000
    land = vietnam_land()
    assert shapely.is_valid(land)
    lon0, lat0, lon1, lat1 = land.bounds
    assert 102.1 < lon0 < 102.2 and 23.3 < lat1 < 23.4  # A Pa Chải and Lũng Cú
    assert 8.3 < lat0 < 8.6 and 115.5 < lon1 < 116  # Hòn Khoai, the Trường Sa islands
    # area of the mainland and islands: 331,000 km² (≈ 27 degrees² at 16°N)
    assert 25 < land.area < 30


@pytest.mark.parametrize(("lon", "lat", "expected"), PLACES)
def test_on_land(lon, lat, expected):
    assert bool(on_land(np.array([lon]), np.array([lat]))[0]) is expected


def test_on_land_margin_and_nan():
    # Cửa Vạn is ~6 km from the 1:10m coast: off land without a margin
    assert not on_land(np.array([107.13]), np.array([20.86]), margin_km=0)[0]
    assert not on_land(np.array([np.nan]), np.array([20.0]))[0]
    with pytest.raises(ValidationError, match="Invalid land check"):
        LandParams(margin_km=-1)


# three hamlets of Hải Hậu (Nam Định, former meridian 105.5) and five of Bà Rịa - Vũng Tàu
# (former meridian 107.75), WGS84
NAM_DINH = np.array([[106.2712, 20.1453], [106.2905, 20.1628], [106.3101, 20.1299]])
BRVT = np.array([[107.08, 10.35], [107.17, 10.50], [107.40, 10.56], [107.25, 10.65],
                 [107.50, 10.60]])


def _tm3_shapefile(tmp_path, lonlat, true_lon0, prj_lon0, province=None):
    """Points computed in TM-3 ``true_lon0`` but written with a .prj of ``prj_lon0``."""
    e, n = Transformer.from_crs(4326, vn2000_tm3(true_lon0), always_xy=True).transform(
        lonlat[:, 0], lonlat[:, 1])
    data = {"ten_thon": [f"Thôn {i + 1}" for i in range(len(e))]}
    if province:
        data["tinh"] = [province] * len(e)
    path = tmp_path / "thon.shp"
    gpd.GeoDataFrame(data, geometry=shapely.points(e, n), crs=vn2000_tm3(prj_lon0)).to_file(
        path, engine="pyogrio")
    return path


def test_wrong_prj_meridian_puts_points_in_the_sea(tmp_path):
    # Nam Định's 105.5 written as 106.5: 1° east, the Gulf of Tonkin (1.5° east would be
    # Bạch Long Vĩ island!)
    path = _tm3_shapefile(tmp_path, NAM_DINH, 105.5, 106.5, province="Nam Định")
    with pytest.raises(CRSError) as err:
        read_layer(path, "villages")
    e = err.value
    assert e.rows == [0, 1, 2] and e.file == "thon.shp"
    assert "106.5°" in e.en and "vn2000-tm3:105.5" in e.fix and "vn2000-tm3:105.5" in e.fix_vi
    # without a province column the right meridian is still among those named
    path = _tm3_shapefile(tmp_path, NAM_DINH, 105.5, 106.5)
    with pytest.raises(CRSError, match=r"105\.5°"):
        read_layer(path, "villages")


def test_meridian_candidates_rank_the_named_province_first():
    e, n = Transformer.from_crs(4326, vn2000_tm3(105.5), always_xy=True).transform(
        NAM_DINH[:, 0], NAM_DINH[:, 1])
    cands = meridian_candidates(e, n, 106.5, provinces=["Nam Định"])
    assert cands[0] == (105.5, 1.0)
    assert all(share <= 1.0 for _, share in cands)


def test_wrong_prj_meridian_on_land_in_the_wrong_province(tmp_path):
    # Bà Rịa - Vũng Tàu (107.75) written as 105.5: 2.25° west, on land in Kiên Giang /
    # Cambodia's border: the province named by the layer tells
    path = _tm3_shapefile(tmp_path, BRVT, 107.75, 105.5, province="Bà Rịa - Vũng Tàu")
    rep = read_layer(path, "villages").report
    assert rep.extra["likely_meridian"] == 107.75
    assert any("vn2000-tm3:107.75" in w for w in rep.warnings)
    # and --crs with the right meridian overrides the .prj, to the metre
    fixed = read_layer(path, "villages", crs="vn2000-tm3:107.75")
    got = fixed.gdf.to_crs(4326).geometry
    np.testing.assert_allclose(shapely.get_coordinates(got.values), BRVT, atol=1e-6)
    assert any("overridden" in w for w in fixed.report.warnings)


def test_prj_written_by_gdal_keeps_the_vn2000_shift(tmp_path):
    # GDAL writes the 7 parameters only into the datum's name; read back they are restored,
    # so the points come back where they were (not ~225 m off)
    path = _tm3_shapefile(tmp_path, NAM_DINH, 105.5, 105.5)
    result = read_layer(path, "villages")
    got = result.gdf.to_crs(4326).geometry
    np.testing.assert_allclose(shapely.get_coordinates(got.values), NAM_DINH, atol=1e-7)
    assert any("datum shift" in w for w in result.report.warnings)
    assert result.report.crs_in == "VN-2000 / TM-3 105.5°"


def test_rows_in_the_sea_are_kept_and_named():
    text = ("ten_thon,lon,lat\nA,106.2712,20.1453\nB,106.2905,20.1628\nC,107.5,19.5\n"
            "D,106.3101,20.1299\n")
    rep = read_layer(Upload("thon.csv", text.encode()), "villages").report
    assert rep.extra["off_land_rows"] == [2]
    assert rep.rows_loaded == 4 and any("in the sea" in w for w in rep.warnings)


def test_wrong_province_for_metric_csv_names_the_right_meridian():
    # Nam Định TM-3 (105.5) numbers read with --province 'Quảng Ninh' (107.75): 2.25° east,
    # in the Gulf of Tonkin; a candidate that only hits a small island (Bạch Long Vĩ) by chance
    # ranks below those that put the points on the mainland
    e, n = Transformer.from_crs(4326, vn2000_tm3(105.5), always_xy=True).transform(
        NAM_DINH[:, 0], NAM_DINH[:, 1])
    text = "ten_thon,X,Y\n" + "".join(f"T{i},{nn:.2f},{ee:.2f}\n"
                                      for i, (ee, nn) in enumerate(zip(e, n, strict=True)))
    with pytest.raises(CRSError) as err:
        read_layer(Upload("thon.csv", text.encode()), "villages", province="Quảng Ninh")
    assert "vn2000-tm3:105.5" in err.value.fix
    assert "107.75°" in err.value.en
