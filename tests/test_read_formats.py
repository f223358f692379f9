"""Every input format, written by the tests themselves, read back to the metre."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from pyproj import Transformer

from gis.errors import ValidationError
from gis.layers.read import Upload, read_any, read_layer

# Three hamlets in Hải Hậu (Nam Định), WGS84 lon/lat.
LONLAT = np.array([[106.2712, 20.1453], [106.2905, 20.1628], [106.3101, 20.1299]])
NAMES = ["Thôn Đông", "Xóm Trại", "Ấp Mới"]
POP = [1234.0, 987.0, 2045.0]


def expected_utm48(lonlat: np.ndarray) -> np.ndarray:
    t = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    return np.column_stack(t.transform(lonlat[:, 0], lonlat[:, 1]))


def assert_points(gdf: gpd.GeoDataFrame, lonlat: np.ndarray = LONLAT, tol_m: float = 1.0):
    assert gdf.crs.to_epsg() == 32648
    got = shapely.get_coordinates(gdf.geometry.values)
    np.testing.assert_allclose(got, expected_utm48(lonlat), atol=tol_m)


def villages_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ten_thon": NAMES, "dan_so": POP, "ma_thon": ["T1", "T2", "T3"]},
        geometry=shapely.points(LONLAT), crs="EPSG:4326")


def test_loose_shapefile_set(tmp_path):
    villages_gdf().to_file(tmp_path / "thon.shp", engine="pyogrio")
    files = [tmp_path / f"thon.{s}" for s in ("shp", "shx", "dbf", "prj", "cpg")]
    result = read_layer(files, "villages")
    assert_points(result.gdf)
    assert result.gdf["name"].tolist() == NAMES
    assert result.gdf["village_id"].tolist() == ["T1", "T2", "T3"]
    assert result.report.column_mapping["name"] == "ten_thon"
    assert result.report.source == "thon.shp"


def test_uploaded_shapefile_parts_are_written_inside_workdir(tmp_path):
    villages_gdf().to_file(tmp_path / "thon.shp", engine="pyogrio")
    uploads = [Upload(f"thon.{s}", (tmp_path / f"thon.{s}").read_bytes())
               for s in ("shp", "shx", "dbf", "prj", "cpg")]
    work = tmp_path / "session"
    result = read_layer(uploads, "villages", workdir=work)
    assert_points(result.gdf)
    # written inside the workdir for the read, and removed once it is over
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("folder", ["", "Lop du lieu/thon/"])
def test_zipped_shapefile(tmp_path, folder):
    villages_gdf().to_file(tmp_path / "thon.shp", engine="pyogrio")
    zpath = tmp_path / "thon.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for s in ("shp", "shx", "dbf", "prj", "cpg"):
            zf.write(tmp_path / f"thon.{s}", f"{folder}thon.{s}")
        zf.writestr("__MACOSX/._thon.shp", b"junk")
    work = tmp_path / "work"
    result = read_layer(Upload("thon.zip", zpath.read_bytes()), "villages", workdir=work)
    assert_points(result.gdf)
    assert result.gdf["population"].tolist() == POP
    assert all(work in p.parents for p in work.rglob("*"))


def test_geopackage_layer_choice(tmp_path):
    gpkg = tmp_path / "du_lieu.gpkg"
    villages_gdf().to_file(gpkg, layer="thon_xom", driver="GPKG", engine="pyogrio")
    sites = gpd.GeoDataFrame({"nha_mang": ["Viettel"]}, geometry=shapely.points([[106.3, 20.15]]),
                             crs="EPSG:4326")
    sites.to_file(gpkg, layer="tram_bts", driver="GPKG", engine="pyogrio")
    roads = gpd.GeoDataFrame({"cap_duong": ["QL21"]},
                             geometry=[shapely.LineString([(106.2, 20.1), (106.3, 20.2)])],
                             crs="EPSG:4326")
    roads.to_file(gpkg, layer="layer_c", driver="GPKG", engine="pyogrio")
    # the layer whose name matches the kind is chosen
    result = read_layer(gpkg, "villages")
    assert result.report.extra["layer"] == "thon_xom"
    assert_points(result.gdf)
    assert read_layer(gpkg, "sites").gdf["operator"].tolist() == ["Viettel"]
    # no layer name matches "facilities": the error lists the layers
    with pytest.raises(ValidationError) as exc:
        read_layer(gpkg, "facilities")
    assert "thon_xom, tram_bts, layer_c" in str(exc.value)
    roads_result = read_layer(gpkg, "roads", layer="layer_c")
    assert roads_result.gdf["road_class"].tolist() == ["national"]


def test_geojson(tmp_path):
    path = tmp_path / "thon.geojson"
    villages_gdf().to_file(path, driver="GeoJSON", engine="pyogrio")
    result = read_any(path)
    assert result.kind == "villages"
    assert_points(result.gdf)


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>BTS Hải Hậu</name>
<Schema name="s" id="s"><SimpleField name="height" type="float"/></Schema>
<Folder><name>Viettel</name>
 <Placemark><name>HHU001</name>
  <ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="height">42</SimpleData>
   <SimpleData name="cong_nghe">2G/3G/4G</SimpleData></SchemaData></ExtendedData>
  <Point><coordinates>106.2712,20.1453,0</coordinates></Point></Placemark>
 <Placemark><name>HHU002</name>
  <ExtendedData><Data name="cong_nghe"><value>LTE</value></Data></ExtendedData>
  <Point><coordinates>106.2905,20.1628</coordinates></Point></Placemark>
</Folder>
<Folder><name>VNPT</name>
 <Placemark><name>HHU003</name>
  <ExtendedData><Data name="cong_nghe"><value>5G NR</value></Data></ExtendedData>
  <Point><coordinates> 106.3101,20.1299,12 </coordinates></Point></Placemark>
</Folder></Document></kml>
"""


def check_kml_sites(result):
    gdf = result.gdf
    assert_points(gdf)
    assert gdf["site_id"].tolist() == ["HHU001", "HHU002", "HHU003"]
    assert gdf["operator"].tolist() == ["Viettel", "Viettel", "VinaPhone"]
    assert gdf["tech"].tolist() == ["2G/3G/4G", "4G", "5G"]
    assert gdf["height_m"].iloc[0] == 42.0  # an undeclared SimpleData is kept too


def test_kml_folders_and_extended_data(tmp_path):
    path = tmp_path / "bts.kml"
    path.write_text(KML, encoding="utf-8")
    check_kml_sites(read_layer(path, "sites"))


def test_kmz(tmp_path):
    path = tmp_path / "bts.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("doc.kml", KML)
        zf.writestr("files/icon.png", b"\x89PNG")
    result = read_any(Upload("bts.kmz", path.read_bytes()), workdir=tmp_path / "w")
    assert result.kind == "sites"
    check_kml_sites(result)


def test_csv_wgs84_semicolon_decimal_comma(tmp_path):
    lines = ["Tên thôn;Dân số;Kinh độ;Vĩ độ"]
    for n, p, (lon, lat) in zip(NAMES, ["1.234", "987", "2.045"], LONLAT, strict=True):
        lines.append(f"{n};{p};{str(lon).replace('.', ',')};{str(lat).replace('.', ',')}")
    path = tmp_path / "thon.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))
    result = read_layer(path, "villages")
    assert_points(result.gdf)
    assert result.gdf["population"].tolist() == POP
    assert result.report.crs_in.startswith("WGS 84")
    assert "inferred" in result.report.crs_note
    assert any("'1.234' -> 1234" in w for w in result.report.warnings)
    assert "BOM" in result.report.encoding


# -- VN-2000: an independent Helmert computation ------------------------------------------

A_WGS84, F_WGS84 = 6378137.0, 1 / 298.257223563
TOWGS84 = [-191.90441429, -39.30318279, -111.45032835, 0.00928836, -0.01975479, 0.00427372,
           0.252906278]


def geodetic_to_ecef(lon, lat, h=0.0):
    e2 = F_WGS84 * (2 - F_WGS84)
    lon, lat = np.radians(lon), np.radians(lat)
    n = A_WGS84 / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    return np.array([(n + h) * np.cos(lat) * np.cos(lon), (n + h) * np.cos(lat) * np.sin(lon),
                     (n * (1 - e2) + h) * np.sin(lat)])


def ecef_to_geodetic(xyz):
    e2 = F_WGS84 * (2 - F_WGS84)
    x, y, z = xyz
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(10):
        n = A_WGS84 / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(z, p * (1 - e2 * n / (n + h)))
    return np.degrees(np.arctan2(y, x)), np.degrees(lat)


def helmert_vn2000_to_wgs84(lon, lat):
    """7-parameter position-vector Helmert of QĐ 05/2007, as PROJ's +towgs84 defines it."""
    dx, dy, dz, rx, ry, rz, s = TOWGS84
    sec = np.pi / 180 / 3600
    rx, ry, rz, s = rx * sec, ry * sec, rz * sec, s * 1e-6
    rot = np.array([[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]])
    xyz = geodetic_to_ecef(np.atleast_1d(lon), np.atleast_1d(lat))
    return ecef_to_geodetic(np.array([dx, dy, dz])[:, None] + (1 + s) * rot @ xyz)


def tm3_inverse_no_datum(e, n, lon0):
    crs = (f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
           "+units=m +no_defs")
    return Transformer.from_crs(crs, "+proj=longlat +ellps=WGS84 +no_defs",
                                always_xy=True).transform(e, n)


@pytest.mark.parametrize(("lon", "lat"), [(105.85, 21.03), (106.17, 20.42), (106.70, 10.78)])
def test_helmert_shift_is_the_published_size(lon, lat):
    # DOMAIN.md section 4: ignoring the datum shift costs about 225 m, ~110 m S and ~195 m E
    # (computed at Hà Nội, Nam Định, HCMC); our independent Helmert must reproduce that
    lon2, lat2 = helmert_vn2000_to_wgs84(lon, lat)
    t = Transformer.from_crs(4326, 32648, always_xy=True)
    east, north = np.subtract(t.transform(float(lon2[0]), float(lat2[0])), t.transform(lon, lat))
    assert east == pytest.approx(195, abs=10)
    assert north == pytest.approx(-110, abs=10)
    assert np.hypot(east, north) == pytest.approx(225, abs=5)


def test_reader_applies_the_datum_shift(tmp_path):
    # the same TM-3 numbers read with and without the 7 parameters land ~225 m apart
    path = tmp_path / "p.csv"
    path.write_text("ten_thon,Easting,Northing\nA,580012.3,2228456.8\n", encoding="utf-8")
    shifted = read_layer(path, "villages", crs="vn2000-tm3:105.5").gdf
    plain = read_layer(path, "villages", crs="+proj=tmerc +lat_0=0 +lon_0=105.5 +k=0.9999 "
                       "+x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs").gdf
    d = shapely.distance(shifted.geometry.values, plain.geometry.values)[0]
    assert d == pytest.approx(224, abs=3)


def test_csv_vn2000_tm3_vietnamese_xy(tmp_path):
    # X = northing, Y = easting (Vietnamese convention), TM-3 meridian 105°30' (Nam Định)
    en = np.array([[580_012.345, 2_228_456.789], [582_034.5, 2_230_407.25],
                   [584_101.0, 2_226_777.5]])
    lines = ["STT,Tên thôn,X,Y"] + [f"{i + 1},{n},{N:.3f},{E:.3f}"
                                    for i, (n, (E, N)) in enumerate(zip(NAMES, en, strict=True))]
    path = tmp_path / "thon_vn2000.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = read_layer(path, "villages", province="Nam Định")
    lon_vn, lat_vn = tm3_inverse_no_datum(en[:, 0], en[:, 1], 105.5)
    lon, lat = helmert_vn2000_to_wgs84(np.asarray(lon_vn), np.asarray(lat_vn))
    assert_points(result.gdf, np.column_stack([lon, lat]), tol_m=1.0)
    assert result.report.crs_in == "VN-2000 / TM-3 105.5°"
    assert any("X is the northing" in w for w in result.report.warnings)
    # the same file with the CRS given explicitly
    again = read_layer(path, "villages", crs="vn2000-tm3:105.5")
    np.testing.assert_allclose(shapely.get_coordinates(again.gdf.geometry.values),
                               shapely.get_coordinates(result.gdf.geometry.values), atol=1e-6)


def test_xlsx_vietnamese_headers_with_title_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["DANH SÁCH TRẠM BTS HUYỆN HẢI HẬU"])
    ws.append(["Mã trạm", "Nhà mạng", "Công nghệ", "Độ cao cột (m)", "Kinh độ", "Vĩ độ"])
    rows = [("HHU001", "Viettel", "2G/3G/4G", 42, *LONLAT[0]),
            ("HHU002", "452-01", "LTE", "36,5", *LONLAT[1]),
            ("HHU003", "Vina", "4G LTE/5G NR", 30, *LONLAT[2])]
    for r in rows:
        ws.append(list(r))
    path = tmp_path / "tram.xlsx"
    wb.save(path)
    result = read_layer(path, "sites")
    gdf = result.gdf
    assert_points(gdf)
    assert gdf["operator"].tolist() == ["Viettel", "MobiFone", "VinaPhone"]
    assert gdf["tech"].tolist() == ["2G/3G/4G", "4G", "4G/5G"]
    assert gdf["height_m"].tolist() == [42.0, 36.5, 30.0]
    assert result.report.column_mapping["operator"] == "Nhà mạng"
    assert any("title row" in w for w in result.report.warnings)


def _tcvn3_and_vni_shapefile(tmp_path, stem, names_latin1):
    gdf = gpd.GeoDataFrame({"TEN_THON": names_latin1}, geometry=shapely.points(LONLAT[:2]),
                           crs="EPSG:4326")
    gdf.to_file(tmp_path / f"{stem}.shp", engine="pyogrio", encoding="latin1")
    (tmp_path / f"{stem}.cpg").unlink(missing_ok=True)  # old files carry no .cpg
    return tmp_path / f"{stem}.shp"


def test_dbf_in_tcvn3(tmp_path):
    # "Bảo Thắng", "Mường Khương" in TCVN3 (ABC): published byte forms B¶o Th¾ng, M­êng Kh­¬ng
    shp = _tcvn3_and_vni_shapefile(tmp_path, "tcvn3",
                                   ["B\xb6o Th\xbeng", "M\xad\xeang Kh\xad\xacng"])
    assert b"B\xb6o Th\xbeng" in shp.with_suffix(".dbf").read_bytes()
    result = read_layer(shp, "villages")
    assert result.gdf["name"].tolist() == ["Bảo Thắng", "Mường Khương"]
    assert "TCVN3" in result.report.encoding
    assert_points(result.gdf, LONLAT[:2])


def test_dbf_in_vni(tmp_path):
    # "Hà Nội", "Trường học" in VNI Windows: Haø Noäi, Tröôøng hoïc
    shp = _tcvn3_and_vni_shapefile(tmp_path, "vni", ["Haø Noäi", "Tröôøng hoïc"])
    assert b"Ha\xf8 No\xe4i" in shp.with_suffix(".dbf").read_bytes()
    result = read_layer(shp, "villages")
    assert result.gdf["name"].tolist() == ["Hà Nội", "Trường học"]
    assert "VNI" in result.report.encoding


def test_kml_attributes_in_an_html_description(tmp_path):
    # Google My Maps puts the table columns in the description, not in ExtendedData
    kml = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Trạm A</name><description><![CDATA[<table>
<tr><th>Nhà mạng</th><td>MobiFone</td></tr><tr><td>Độ cao cột</td><td>36,5</td></tr>
</table>]]></description><Point><coordinates>106.2712,20.1453</coordinates></Point></Placemark>
<Placemark><name>Trạm B</name><description>Nhà mạng: Viettel&lt;br&gt;Độ cao cột: 40</description>
<Point><coordinates> 106.2905, 20.1628 </coordinates></Point></Placemark>
</Document></kml>"""
    path = tmp_path / "mymaps.kml"
    path.write_text(kml, encoding="utf-8")
    result = read_layer(path, "sites")
    assert result.gdf["operator"].tolist() == ["MobiFone", "Viettel"]
    assert result.gdf["height_m"].tolist() == [36.5, 40.0]
    assert result.gdf["site_id"].tolist() == ["Trạm A", "Trạm B"]
    assert_points(result.gdf, LONLAT[:2])


def test_csv_with_wkt_lines_in_vn2000(tmp_path):
    # QGIS "Save as CSV, GEOMETRY=AS_WKT" of a fiber layer in VN-2000 TM-3 (Nam Định)
    path = tmp_path / "cap_quang.csv"
    path.write_text(
        'WKT;Cấp;Hình thức lắp đặt;Nhà mạng\n'
        '"LINESTRING (580012.3 2228456.8, 582034.5 2230407.2)";Trục;treo;VNPT\n'
        '"MULTILINESTRING ((582034.5 2230407.2, 584101.0 2226777.5))";truy nhập;cống bể;FPT\n',
        encoding="utf-8")
    result = read_layer(path, "fiber", province="Nam Định")
    gdf = result.gdf
    assert gdf["level"].tolist() == ["backbone", "access"]
    assert gdf["installation"].tolist() == ["aerial", "duct"]
    assert gdf["operator"].tolist() == ["VNPT", "FPT Telecom"]
    assert result.report.crs_in == "VN-2000 / TM-3 105.5°"
    # the first vertex, independently: TM-3 inverse without datum, then the Helmert shift
    lon_vn, lat_vn = tm3_inverse_no_datum(np.array([580012.3]), np.array([2228456.8]), 105.5)
    lon, lat = helmert_vn2000_to_wgs84(np.asarray(lon_vn), np.asarray(lat_vn))
    first = shapely.get_coordinates(gdf.geometry.values)[0]
    np.testing.assert_allclose(first, expected_utm48(np.column_stack([lon, lat]))[0], atol=1.0)
    assert gdf.geometry.length.iloc[0] == pytest.approx(np.hypot(2022.2, 1950.4), rel=1e-3)


def test_geojson_in_vn2000_metres_without_crs_member(tmp_path):
    # GeoJSON is WGS84 by rule; files written in VN-2000 metres without a "crs" member exist
    path = tmp_path / "thon.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"ten_thon": "A"}, "geometry": {"type": "Point", '
                    '"coordinates": [580012.345, 2228456.789]}}]}', encoding="utf-8")
    result = read_layer(path, "villages", crs="vn2000-tm3:105.5")
    lon_vn, lat_vn = tm3_inverse_no_datum(np.array([580012.345]), np.array([2228456.789]), 105.5)
    lon, lat = helmert_vn2000_to_wgs84(np.asarray(lon_vn), np.asarray(lat_vn))
    assert_points(result.gdf, np.column_stack([lon, lat]))
    assert any("coordinates are metres" in w for w in result.report.warnings)
