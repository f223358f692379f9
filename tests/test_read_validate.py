"""Bad inputs: each gives a project error (or a reported repair) naming the file and rows."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from gis.errors import CRSError, InputFileError, ValidationError
from gis.layers.crs import vn2000_tm3
from gis.layers.read import read_layer
from gis.project import load_project

LONLAT = [(106.2712, 20.1453), (106.2905, 20.1628), (106.3101, 20.1299), (106.2501, 20.1702)]


def write_csv(path, header, rows):
    path.write_text("\n".join([header, *(",".join(map(str, r)) for r in rows)]) + "\n",
                    encoding="utf-8")
    return path


def villages_csv(tmp_path, rows=None, header="ten_thon,ma_thon,dan_so,lon,lat", name="thon.csv"):
    rows = rows or [(f"Thôn {i + 1}", f"T{i + 1}", 100 * (i + 1), lon, lat)
                    for i, (lon, lat) in enumerate(LONLAT)]
    return write_csv(tmp_path / name, header, rows)


def geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
    ]}), encoding="utf-8")
    return path


def test_missing_required_column_lists_found_columns_and_aliases(tmp_path):
    path = write_csv(tmp_path / "thon.csv", "dan_so,lon,lat", [(100, 106.27, 20.14)])
    with pytest.raises(ValidationError) as exc:
        read_layer(path, "villages")
    msg = str(exc.value)
    assert "thon.csv" in msg and "'dan_so'" in msg
    assert "ten_thon" in msg and "Required column(s) name" in msg
    assert "Không tìm thấy cột bắt buộc" in msg


def test_missing_operator_for_sites(tmp_path):
    path = write_csv(tmp_path / "bts.csv", "ma_tram,lon,lat", [("A", 106.27, 20.14)])
    with pytest.raises(ValidationError, match="nha_mang"):
        read_layer(path, "sites")


def test_empty_and_unreadable_files(tmp_path):
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_layer(empty, "villages")
    header_only = write_csv(tmp_path / "header.csv", "ten_thon,lon,lat", [])
    with pytest.raises(InputFileError, match="no rows"):
        read_layer(header_only, "villages")
    garbage = tmp_path / "hong.gpkg"
    garbage.write_bytes(b"this is not a geopackage" * 10)
    with pytest.raises(InputFileError, match=r"hong\.gpkg"):
        read_layer(garbage, "villages")
    with pytest.raises(InputFileError, match="does not exist"):
        read_layer(tmp_path / "missing.csv", "villages")
    with pytest.raises(InputFileError, match="Unknown file type"):
        read_layer(write_csv(tmp_path / "x.doc", "a", []), "villages")


def test_wrong_geometry_type_names_rows(tmp_path):
    line = {"type": "LineString", "coordinates": [[106.27, 20.14], [106.28, 20.15]]}
    path = geojson(tmp_path / "bts.geojson", [({"nha_mang": "Viettel"}, line)] * 2)
    with pytest.raises(ValidationError) as exc:
        read_layer(path, "sites")
    assert "expected Point, found LineString" in str(exc.value)
    assert "row(s) 1, 2" in str(exc.value)


def test_some_wrong_geometries_are_rejected_and_reported(tmp_path):
    pt = {"type": "Point", "coordinates": [106.27, 20.14]}
    poly = {"type": "Polygon", "coordinates": [[[106.27, 20.14], [106.28, 20.14],
                                                [106.28, 20.15], [106.27, 20.14]]]}
    path = geojson(tmp_path / "bts.geojson", [({"nha_mang": "Viettel", "ma_tram": "A"}, pt),
                                              ({"nha_mang": "Viettel", "ma_tram": "B"}, poly)])
    result = read_layer(path, "sites")
    assert result.gdf["site_id"].tolist() == ["A"]
    assert [r.row for r in result.report.rejected] == [1]
    assert "Polygon" in result.report.rejected[0].reason_en
    assert "Rejected row 2" in result.report.summary()


def test_invalid_geometry_is_repaired_and_reported(tmp_path):
    square = [[106.27, 20.14], [106.29, 20.14], [106.29, 20.16], [106.27, 20.16], [106.27, 20.14]]
    bowtie = [[106.30, 20.14], [106.32, 20.16], [106.32, 20.14], [106.30, 20.16], [106.30, 20.14]]
    path = geojson(tmp_path / "xa.geojson", [
        ({"ten_xa": "Hải Bắc"}, {"type": "Polygon", "coordinates": [square]}),
        ({"ten_xa": "Hải Nam"}, {"type": "Polygon", "coordinates": [bowtie]}),
    ])
    result = read_layer(path, "admin")
    assert result.gdf.is_valid.all()
    assert result.report.extra["repaired_rows"] == [1]
    assert any("make_valid" in w and "row(s) 2" in w for w in result.report.warnings)
    assert len(result.gdf) == 2
    # the bow-tie becomes two triangles, each a quarter of its 0.02 x 0.02 degree box
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    box = shapely.transform(shapely.box(106.30, 20.14, 106.32, 20.16),
                            lambda c: np.column_stack(to_utm.transform(c[:, 0], c[:, 1])))
    assert result.gdf.geometry.iloc[1].area == pytest.approx(box.area / 2, rel=0.001)


def test_null_geometry_and_missing_coordinates_are_rejected(tmp_path):
    path = geojson(tmp_path / "thon.geojson", [
        ({"ten_thon": "A"}, {"type": "Point", "coordinates": [106.27, 20.14]}),
        ({"ten_thon": "B"}, None),
    ])
    result = read_layer(path, "villages")
    assert result.gdf["name"].tolist() == ["A"]
    assert result.report.rejected[0].row == 1
    assert "no geometry" in result.report.rejected[0].reason_en
    csv = villages_csv(tmp_path, rows=[("A", "T1", 1, 106.27, 20.14), ("B", "T2", 2, "", 20.15),
                                       ("C", "T3", 3, "abc", 20.16)])
    res = read_layer(csv, "villages")
    assert res.gdf["name"].tolist() == ["A"]
    assert [r.row for r in res.report.rejected] == [1, 2]
    assert all("coordinates" in r.reason_en for r in res.report.rejected)


def test_duplicate_ids_name_rows(tmp_path):
    rows = [("A", "T1", 1, 106.27, 20.14), ("B", "T2", 2, 106.28, 20.15),
            ("C", "T3", 3, 106.29, 20.16), ("D", "T2", 4, 106.30, 20.17)]
    with pytest.raises(ValidationError) as exc:
        read_layer(villages_csv(tmp_path, rows=rows), "villages")
    assert "Duplicate village_id: T2" in str(exc.value)
    assert "row(s) 2, 4" in str(exc.value)


def test_sites_may_repeat_id_per_sector_but_not_per_azimuth(tmp_path):
    header = "ma_tram,nha_mang,phuong_vi,lon,lat"
    ok = [("A", "Viettel", 0, 106.27, 20.14), ("A", "Viettel", 120, 106.27, 20.14),
          ("A", "VNPT", 0, 106.27, 20.14)]
    assert len(read_layer(write_csv(tmp_path / "s.csv", header, ok), "sites").gdf) == 3
    bad = [*ok, ("A", "Viettel", 120, 106.27, 20.14)]
    with pytest.raises(ValidationError, match=r"row\(s\) 2, 4"):
        read_layer(write_csv(tmp_path / "s2.csv", header, bad), "sites")


def test_points_outside_vietnam_are_rejected_with_rows(tmp_path):
    rows = [("A", "T1", 1, 106.27, 20.14), ("Bangkok", "T2", 2, 100.50, 13.75),
            ("C", "T3", 3, 106.29, 20.16)]
    result = read_layer(villages_csv(tmp_path, rows=rows), "villages")
    assert result.gdf["name"].tolist() == ["A", "C"]
    assert result.report.rejected[0].row == 1
    assert "outside Vietnam" in result.report.rejected[0].reason_en
    assert any("row(s) lie outside Vietnam" in w and ": 2." in w
               for w in result.report.warnings)
    paris = [("P", "T1", 1, 2.35, 48.85), ("Q", "T2", 2, 2.36, 48.86)]
    paris_csv = villages_csv(tmp_path, rows=paris, name="paris.csv")
    with pytest.raises(CRSError, match="neither lon/lat in Vietnam"):
        read_layer(paris_csv, "villages")
    with pytest.raises(CRSError, match="No row lies in Vietnam") as exc:
        read_layer(paris_csv, "villages", crs="EPSG:4326")
    assert "row(s) 1, 2:" in str(exc.value)


def test_lat_lon_swapped_everywhere_is_repaired_loudly(tmp_path):
    rows = [(f"T{i}", f"T{i}", 1, lat, lon) for i, (lon, lat) in enumerate(LONLAT)]
    result = read_layer(villages_csv(tmp_path, rows=rows), "villages")
    assert any("SWAPPED" in w for w in result.report.warnings)
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    x, y = to_utm.transform(*LONLAT[0])
    got = shapely.get_coordinates(result.gdf.geometry.values)[0]
    np.testing.assert_allclose(got, [x, y], atol=0.01)


def test_lat_lon_swapped_in_some_rows_is_an_error(tmp_path):
    rows = [("A", "T1", 1, 106.27, 20.14), ("B", "T2", 2, 20.15, 106.28),
            ("C", "T3", 3, 106.29, 20.16)]
    with pytest.raises(ValidationError) as exc:
        read_layer(villages_csv(tmp_path, rows=rows), "villages")
    assert "swapped" in str(exc.value) and "row(s) 2:" in str(exc.value)


def test_numbers_written_as_text(tmp_path):
    path = tmp_path / "thon.csv"
    path.write_text('ten_thon,dan_so,so_ho,lon,lat\nA,"1.234",300,106.27,20.14\n'
                    'B,"1,234","12,5",106.28,20.15\nC,2 045,x,106.29,20.16\n', encoding="utf-8")
    result = read_layer(path, "villages")
    assert result.gdf["population"].tolist() == [1234.0, 1234.0, 2045.0]
    hh = result.gdf["households"].tolist()
    assert hh[0] == 300.0 and hh[1] == 12.5 and np.isnan(hh[2])
    warnings = " ".join(result.report.warnings)
    assert "population: numbers written as text were parsed in row(s) 1, 2, 3" in warnings
    assert "households: value(s) 'x' are not numbers (row(s) 3)" in warnings


def test_metric_coordinates_without_crs_ask_for_it(tmp_path):
    path = write_csv(tmp_path / "thon.csv", "ten_thon,X,Y", [("A", 2_228_456.8, 580_012.3)])
    with pytest.raises(CRSError) as exc:
        read_layer(path, "villages")
    assert "EPSG:4326" in str(exc.value) and "vn2000-tm3:105.5" in str(exc.value)
    assert read_layer(path, "villages", province="Nam Định").report.crs_in == \
        "VN-2000 / TM-3 105.5°"
    assert read_layer(path, "villages", meridian=105.5).gdf is not None


def test_shapefile_without_prj(tmp_path):
    gdf = gpd.GeoDataFrame({"ten_thon": ["A", "B"]}, geometry=shapely.points(LONLAT[:2]))
    gdf.to_file(tmp_path / "thon.shp", engine="pyogrio")
    assert not (tmp_path / "thon.prj").exists()
    result = read_layer(tmp_path / "thon.shp", "villages")
    assert "inferred" in result.report.crs_note and "no .prj" in " ".join(result.report.warnings)
    metric = gpd.GeoDataFrame({"ten_thon": ["A"]}, geometry=[shapely.Point(580_012, 2_228_456)])
    metric.to_file(tmp_path / "vn.shp", engine="pyogrio")
    with pytest.raises(CRSError, match="does not say in which system"):
        read_layer(tmp_path / "vn.shp", "villages")
    ok = read_layer(tmp_path / "vn.shp", "villages", province="Nam Dinh")
    assert ok.report.crs_in == "VN-2000 / TM-3 105.5°"


def _communes_and_villages(tmp_path, lon0_file=105.5):
    """Three 2 km communes around hamlets; hamlets written in VN-2000 TM-3 (meridian lon0)."""
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    names = ["Hải Bắc", "Hải Nam", "Hải Đông"]
    centres = np.array(LONLAT[:3])
    x, y = to_utm.transform(centres[:, 0], centres[:, 1])
    squares = [shapely.box(a - 1000, b - 1000, a + 1000, b + 1000) for a, b in zip(x, y,
                                                                                    strict=True)]
    admin = gpd.GeoDataFrame({"ten_xa": names}, geometry=squares, crs=32648).to_crs(4326)
    admin.to_file(tmp_path / "xa.geojson", driver="GeoJSON", engine="pyogrio")
    to_tm3 = Transformer.from_crs("EPSG:4326", vn2000_tm3(lon0_file), always_xy=True)
    rows = []
    for i, (lon, lat) in enumerate(centres):
        for k, d in enumerate((-0.002, 0.0, 0.002)):
            e, n = to_tm3.transform(lon + d, lat - d)
            rows.append((f"Thôn {i}{k}", f"Xã {names[i]}", f"{n:.2f}", f"{e:.2f}"))
    villages = write_csv(tmp_path / "thon.csv", "ten_thon,xa,X,Y", rows)
    return villages, tmp_path / "xa.geojson"


def test_load_project_right_meridian_passes(tmp_path):
    villages, admin = _communes_and_villages(tmp_path)
    project = load_project(None, {"villages": villages, "admin": admin}, province="Nam Định")
    assert len(project.layers["villages"]) == 9
    assert project.crs.to_epsg() == 32648


def test_load_project_wrong_meridian_names_rows_and_the_right_one(tmp_path):
    villages, admin = _communes_and_villages(tmp_path, lon0_file=105.5)
    # Hải Dương's meridian would be right; Hà Nam's 105.0 is the wrong one here
    with pytest.raises(CRSError) as exc:
        load_project(None, {"villages": villages, "admin": admin}, crs="vn2000-tm3:105")
    msg = str(exc.value)
    assert "vn2000-tm3:105.5" in msg
    assert "row(s) 1, 2, 3, 4, 5, 6, 7, 8, 9" in msg


def test_sites_without_ids_share_one_per_position_and_operator(tmp_path):
    header = "nha_mang,phuong_vi,lon,lat"
    rows = [("Viettel", 0, 106.27, 20.14), ("Viettel", 120, 106.27, 20.14),
            ("VNPT", 0, 106.27, 20.14), ("Viettel", 0, 106.28, 20.15)]
    result = read_layer(write_csv(tmp_path / "s.csv", header, rows), "sites")
    assert result.gdf["site_id"].tolist() == ["S0001", "S0001", "S0002", "S0003"]
    assert any("3 sites for 4 rows" in w for w in result.report.warnings)


def test_villages_far_from_the_admin_layer_are_reported(tmp_path):
    _, admin = _communes_and_villages(tmp_path)
    far = write_csv(tmp_path / "far.csv", "ten_thon,xa,lon,lat",
                    [("A", "Khác", 107.5, 21.5), ("B", "Khác", 107.51, 21.51)])
    project = load_project(None, {"villages": far, "admin": admin})
    assert any("do not overlap" in w for w in project.reports["villages"].warnings)


def test_blank_rows_keep_row_numbers_and_are_reported(tmp_path):
    path = tmp_path / "thon.csv"
    path.write_text("ten_thon,lon,lat\nA,106.27,20.14\n\nC,106.29,20.16\n\n\n", encoding="utf-8")
    result = read_layer(path, "villages")
    assert result.gdf["name"].tolist() == ["A", "C"]
    assert result.gdf["source_row"].tolist() == [1, 3]
    assert [(r.row, r.reason_en) for r in result.report.rejected] == [(1, "empty row")]
    assert result.report.rows_read == 3


def test_implausible_numbers_are_kept_and_named(tmp_path):
    header = "ma_tram,nha_mang,do_cao,phuong_vi,tan_so,lon,lat"
    rows = [("A", "Viettel", 35, 120, 1800, 106.27, 20.14),
            ("B", "Viettel", 3500, 400, 1.8, 106.28, 20.15)]
    result = read_layer(write_csv(tmp_path / "s.csv", header, rows), "sites")
    gdf = result.gdf
    assert gdf["height_m"].tolist() == [35.0, 3500.0]  # kept as given
    text = " ".join(result.report.warnings)
    assert "height_m: 1 value(s) outside 1-150 in row(s) 2 (e.g. 3500)" in text
    assert "azimuth_deg: 1 value(s) outside 0-360 in row(s) 2" in text
    assert "freq_mhz: 1 value(s) outside 400-6000 in row(s) 2 (e.g. 1.8)" in text
    villages = write_csv(tmp_path / "v.csv", "ten_thon,dan_so,so_ho,lon,lat",
                         [("A", 300, 80, 106.27, 20.14), ("B", 80, 300, 106.28, 20.15)])
    warnings = " ".join(read_layer(villages, "villages").report.warnings)
    assert "More households than people in row(s) 2" in warnings


def test_admin_code_repeated_over_parts_is_a_warning(tmp_path):
    a = {"type": "Polygon", "coordinates": [[[106.27, 20.14], [106.28, 20.14], [106.28, 20.15],
                                             [106.27, 20.14]]]}
    b = {"type": "Polygon", "coordinates": [[[106.30, 20.14], [106.31, 20.14], [106.31, 20.15],
                                             [106.30, 20.14]]]}
    path = geojson(tmp_path / "xa.geojson", [({"ten_xa": "Hải Bắc", "ma_xa": "13999"}, a),
                                             ({"ten_xa": "Hải Bắc", "ma_xa": "13999"}, b)])
    result = read_layer(path, "admin")
    assert len(result.gdf) == 2
    assert any("parts of one unit" in w and "(1, 2)" in w for w in result.report.warnings)


def test_summary_lists_at_most_50_rejected_rows(tmp_path):
    rows = [(f"T{i}", f"T{i}", 1, "", "") for i in range(60)] + [("A", "A", 1, 106.27, 20.14)]
    result = read_layer(villages_csv(tmp_path, rows=rows), "villages")
    assert len(result.report.rejected) == 60
    text = result.report.summary()
    assert "Rejected row 50:" in text and "Rejected row 51:" not in text
    assert "(+10 more rejected rows)" in text
