"""Nothing is dropped without a reason: for every reader path, rows read = rows loaded +
rows rejected (each rejected row once, with a reason in both languages)."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import openpyxl
import pytest
import shapely

from gis.layers.read import read_layer

# 6 rows: 3 good, 1 blank, 1 with unreadable coordinates, 1 outside Vietnam (Bangkok)
ROWS = [("Thôn Đông", "106.2712", "20.1453"), ("Xóm Trại", "106.2905", "20.1628"),
        (None, None, None), ("Ấp Lỗi", "abc", "20.1"), ("Bangkok", "100.50", "13.75"),
        ("Ấp Mới", "106°18'36.4\"E", "20°07'47.6\"N")]


def _csv(tmp_path):
    lines = ["ten_thon;kinh_do;vi_do"] + [";".join(v or "" for v in r) for r in ROWS]
    path = tmp_path / "thon.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _xlsx(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Danh sách thôn"])  # a title row above the header
    ws.append(["ten_thon", "kinh_do", "vi_do"])
    for r in ROWS:
        ws.append(list(r))
    path = tmp_path / "thon.xlsx"
    book.save(path)
    return path


def _vector(tmp_path, suffix):
    geoms = [shapely.Point(106.2712, 20.1453), shapely.Point(106.2905, 20.1628), None,
             shapely.LineString([(106.0, 20.0), (106.1, 20.1)]), shapely.Point(100.5, 13.75),
             shapely.Point(106.3101, 20.1299)]
    gdf = gpd.GeoDataFrame({"ten_thon": [f"T{i}" for i in range(6)]},
                           geometry=gpd.GeoSeries(geoms), crs=4326)
    path = tmp_path / f"thon{suffix}"
    if suffix == ".zip":  # a point shapefile holds no line: an empty point instead
        gdf.loc[3, "geometry"] = shapely.Point()
        gdf.to_file(tmp_path / "thon.shp", engine="pyogrio")
        with zipfile.ZipFile(path, "w") as zf:
            for p in tmp_path.glob("thon.*"):
                if p.suffix != ".zip":
                    zf.write(p, p.name)
    else:
        driver = {".geojson": "GeoJSON", ".gpkg": "GPKG", ".shp": "ESRI Shapefile"}[suffix]
        gdf.to_file(path, driver=driver, engine="pyogrio")
    return path


def _kml(tmp_path):
    marks = []
    for i, (name, lon, lat) in enumerate(ROWS):
        coords = f"<Point><coordinates>{lon},{lat}</coordinates></Point>" if lon else ""
        marks.append(f"<Placemark><name>{name or f'P{i}'}</name>{coords}</Placemark>")
    path = tmp_path / "thon.kml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><kml><Document>'
                    + "".join(marks) + "</Document></kml>", encoding="utf-8")
    return path


MAKERS = {
    "csv": (_csv, 3), "xlsx": (_xlsx, 3), "kml": (_kml, 2),  # KML has no DMS: row 6 has no geometry
    "geojson": (lambda t: _vector(t, ".geojson"), 3),
    "gpkg": (lambda t: _vector(t, ".gpkg"), 3),
    "zip": (lambda t: _vector(t, ".zip"), 3),
}


@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_rows_read_equal_loaded_plus_rejected(tmp_path, fmt):
    make, loaded = MAKERS[fmt]
    rep = read_layer(make(tmp_path), "villages").report
    assert rep.rows_read == 6
    assert rep.rows_loaded == loaded
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected)
    assert len({r.row for r in rep.rejected}) == len(rep.rejected)
    assert all(r.reason_en and r.reason_vi for r in rep.rejected)
