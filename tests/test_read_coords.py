"""CRS names, coordinate columns and their parsing."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.errors import CRSError
from gis.layers.coords import (
    crs_label,
    find_coordinate_columns,
    parse_coordinate,
    parse_crs,
)
from gis.layers.crs import vn2000_tm3
from gis.layers.read import read_layer


@pytest.mark.parametrize(("text", "label"), [
    ("EPSG:4326", "WGS 84"), (4326, "WGS 84"), ("vn2000-tm3:105.5", "VN-2000 / TM-3 105.5°"),
    ("VN2000 TM3 107.75", "VN-2000 / TM-3 107.75°"), ("vn2000-utm:48", "VN-2000 / UTM 48N"),
    ("vn2000-utm:49N", "VN-2000 / UTM 49N"), ("EPSG:3405", "VN-2000 / UTM zone 48N"),
])
def test_parse_crs(text, label):
    crs, got = parse_crs(text)
    assert got == label
    assert crs is not None


def test_parse_crs_needs_a_meridian_for_bare_vn2000():
    with pytest.raises(CRSError, match="central meridian"):
        parse_crs("VN-2000")
    assert parse_crs("VN-2000", meridian=106.25)[1] == "VN-2000 / TM-3 106.25°"
    with pytest.raises(CRSError, match="Unknown coordinate reference system"):
        parse_crs("EPSG:999999")
    with pytest.raises(CRSError, match="not a Vietnamese TM-3 meridian"):
        parse_crs("vn2000-tm3:45")


def test_crs_label_of_built_crs():
    assert crs_label(vn2000_tm3(105.75)) == "VN-2000 / TM-3 105.75°"


@pytest.mark.parametrize(("headers", "expected"), [
    (["STT", "Kinh độ", "Vĩ độ"], ("lonlat", "Kinh độ", "Vĩ độ")),
    (["LONG", "LAT"], ("lonlat", "LONG", "LAT")),
    (["Longitude (°)", "Latitude (°)"], ("lonlat", "Longitude (°)", "Latitude (°)")),
    (["kinh_do_wgs84", "vi_do_wgs84"], ("lonlat", "kinh_do_wgs84", "vi_do_wgs84")),
    (["X (m)", "Y (m)"], ("xy", "X (m)", "Y (m)")),
    (["Tọa độ X", "Tọa độ Y"], ("xy", "Tọa độ X", "Tọa độ Y")),
    (["Easting", "Northing"], ("en", "Easting", "Northing")),
    (["ten", "dan_so"], None),
])
def test_find_coordinate_columns(headers, expected):
    cols = find_coordinate_columns(headers)
    assert (cols and (cols.form, cols.a, cols.b)) == expected or (cols is None and expected is None)


@pytest.mark.parametrize(("text", "value"), [
    ("105°30'36\"E", 105.51), ("20°15'N", 20.25), ("105° 30' 36''", 105.51),
    ("106,2712", 106.2712), ("2 228 456,8", 2228456.8), (20.5, 20.5),
])
def test_parse_coordinate(text, value):
    assert parse_coordinate(text) == pytest.approx(value, abs=1e-9)


def test_epsg_3405_and_our_vn2000_utm_agree_within_a_metre(tmp_path):
    # EPSG's default VN-2000 shift and QĐ 05/2007 differ by < 1 m (DOMAIN.md section 4)
    path = tmp_path / "utm.csv"
    path.write_text("ten_thon,Easting,Northing\nA,628000,2228000\n", encoding="utf-8")
    a = read_layer(path, "villages", crs="EPSG:3405").gdf
    b = read_layer(path, "villages", crs="vn2000-utm:48").gdf
    d = shapely.distance(a.geometry.values, b.geometry.values)
    assert np.all(d < 1.0)


def test_google_maps_pairs_in_one_column(tmp_path):
    path = tmp_path / "bts.csv"
    path.write_text('Mã trạm,Nhà mạng,Tọa độ\nA,Viettel,"20.1453, 106.2712"\n'
                    'B,VNPT,"20.1628,106.2905"\nC,VNPT,\n', encoding="utf-8")
    result = read_layer(path, "sites")
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(106.2712, 20.1453)
    np.testing.assert_allclose(shapely.get_coordinates(result.gdf.geometry.values)[0], [x, y],
                               atol=0.01)
    assert any("Google Maps order" in w for w in result.report.warnings)
    assert [r.row for r in result.report.rejected] == [2]
