"""Every export format is written, read back and compared with the source rows."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from shapely.geometry import LineString

from gis.analysis.status import hamlet_status, reason_codes, uncovered_hamlets
from gis.errors import InputFileError, ValidationError
from gis.export.kml import write_kml
from gis.export.shapefile import read_shapefile_zip, shapefile_field_names, write_shapefile_zip
from gis.export.tiers import tier_polygons
from gis.export.writers import (
    export_table,
    read_results_gpkg,
    write_csv,
    write_results_gpkg,
    write_xlsx,
)

KML = "{http://www.opengis.net/kml/2.2}"


def hamlets() -> pd.DataFrame:
    return pd.DataFrame({
        "village_id": ["H1", "H2", "H3", "H4", "H5"],
        "name": ["Thôn Đồng Tâm", "Thôn Trung", "Xóm Hạ", "Xóm Bãi", "Thôn Đông"],
        "commune": ["Xã Gia Hưng"] * 3 + ["Xã Gia Tân"] * 2,
        "population": [1000.0, 800, 600, 500, 400],
        "households": [250.0, 200, 150, 125, 100],
        "lon": [106.00, 106.02, 106.04, 106.06, 106.08],
        "lat": [20.0, 20.0, 20.0, 20.0, 20.0],
        "mobile_4g": [True, False, False, True, False],
        "mobile_5g": [False, False, False, False, True],
        "weak_spot": [False, False, True, False, False],
        "no_signal": [False, True, False, False, False],
        "ftth": [True, True, False, False, True],
        "operators_4g": [["Viettel", "VinaPhone"], [], [], ["Viettel"], []],
    })


def tables() -> dict[str, pd.DataFrame]:
    positions = pd.DataFrame({"position_id": ["P1", "P2"], "lon": [106.0205, 106.0], "lat": [
        20.0, 20.05], "n_operators": [1, 2]})
    opps = pd.DataFrame({"operator": ["Viettel"], "host_position_id": ["P1"],
                         "host_operators": ["MobiFone"], "hamlets_gained": [1],
                         "population_gained": [800]})
    towers = pd.DataFrame({"tower_id": ["T1"], "lon": [106.041], "lat": [20.0]})
    routes = gpd.GeoDataFrame({"route_id": ["R1", "R2"], "length_m": [1500.0, 900.0]},
                              geometry=[LineString([(106.04, 20.01), (106.04, 20.02)]),
                                        LineString([(106.06, 20.005), (106.07, 20.005)])],
                              crs=4326)
    return {"positions": positions, "colocation_opportunities": opps,
            "proposed_towers": towers, "fiber_extensions": routes}


@pytest.fixture
def uncovered() -> gpd.GeoDataFrame:
    return uncovered_hamlets(hamlets(), tables(), lang="vi")


def test_reasons_and_status() -> None:
    h = hamlets()
    assert reason_codes(h).tolist() == ["", "no_signal", "weak_spot;no_ftth", "no_ftth", ""]
    assert hamlet_status(h).tolist() == ["ok", "no_signal", "weak_spot", "no_ftth", "ok"]
    # nothing computed yet: no reasons, status unknown
    base = h[["village_id", "name", "lon", "lat"]]
    assert (reason_codes(base) == "").all()
    assert (hamlet_status(base) == "unknown").all()


def test_uncovered_list(uncovered: gpd.GeoDataFrame) -> None:
    assert uncovered["village_id"].tolist() == ["H2", "H3", "H4"]
    assert uncovered["reason"].tolist() == [
        "trắng sóng", "lõm sóng; không có FTTH",
        "không có FTTH"]
    en = uncovered_hamlets(hamlets(), tables(), lang="en")
    assert en["reason"].tolist() == ["no signal", "weak spot; no FTTH",
                                    "no FTTH"]
    assert uncovered.crs.to_epsg() == 4326
    # H2 (106.02, 20.0) is 0.0005° of longitude from P1: 0.0005 * 111320 * cos(20°) ≈ 52.3 m
    h2 = uncovered.iloc[0]
    assert h2["fix_colocation_position_id"] == "P1"
    assert h2["fix_colocation_distance_m"] == pytest.approx(52.3, abs=0.5)
    assert pd.isna(h2["fix_fiber_route_id"])  # H2 has FTTH: no fibre fix
    # H3 (106.04, 20.0): tower T1 0.001° east ≈ 104.6 m; route R1 starts 0.01° north ≈ 1106 m
    h3 = uncovered.iloc[1]
    assert h3["fix_tower_id"] == "T1"
    assert h3["fix_tower_distance_m"] == pytest.approx(104.6, abs=1)
    assert h3["fix_fiber_route_id"] == "R1"
    assert h3["fix_fiber_distance_m"] == pytest.approx(1106, abs=5)
    # H4 lacks only FTTH: no mobile fix; R2 is 0.005° north ≈ 553 m
    h4 = uncovered.iloc[2]
    assert pd.isna(h4["fix_tower_id"]) and h4["fix_fiber_route_id"] == "R2"
    assert h4["fix_fiber_distance_m"] == pytest.approx(553, abs=3)
    # H3: P1 at 106.0205 is 0.0195° west ≈ 2040 m; T1 ≈ 105 m; R1 ≈ 1107 m
    # nothing was assigned by the analyses here: each fix says it is only the nearest
    assert re.fullmatch(r"cột dùng chung gần nhất P1 \(20[34]\d m\); cột mới gần nhất T1 "
                        r"\(10[45] m\); tuyến cáp mới gần nhất R1 \(110\d m\)",
                        h3["proposed_fix"])
    assert h4["proposed_fix"] == "tuyến cáp mới gần nhất R2 (553 m)"


def test_uncovered_without_result_tables() -> None:
    out = uncovered_hamlets(hamlets(), None)
    assert len(out) == 3 and out["fix_tower_id"].isna().all()
    assert (out["proposed_fix"] == "").all()


def test_csv_has_bom_and_diacritics(tmp_path: Path, uncovered: gpd.GeoDataFrame) -> None:
    path = write_csv(uncovered, tmp_path / "u.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["name"].tolist() == ["Thôn Trung", "Xóm Hạ", "Xóm Bãi"]
    assert (back["commune"] == "Xã Gia Hưng").sum() == 2
    assert "geometry" not in back
    vi = pd.read_csv(write_csv(uncovered, tmp_path / "vi.csv", lang="vi"), encoding="utf-8-sig")
    assert "Tên" in vi and "Lý do" in vi and "Xã/phường" in vi
    # lists are flattened
    full = pd.read_csv(write_csv(hamlets(), tmp_path / "h.csv"), encoding="utf-8-sig")
    assert full.loc[0, "operators_4g"] == "Viettel; VinaPhone"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_xlsx(tmp_path: Path, uncovered: gpd.GeoDataFrame, lang: str) -> None:
    path = write_xlsx({"uncovered": uncovered}, tmp_path / "u.xlsx", lang=lang)
    ws = openpyxl.load_workbook(path)["uncovered"]
    header = [c.value for c in ws[1]]
    assert header[:3] == (["Mã thôn", "Tên", "Xã/phường"] if lang == "vi"
                          else ["Hamlet ID", "Name", "Commune"])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}4"
    assert ws.max_row == 4
    names = [ws.cell(row=r, column=2).value for r in range(2, 5)]
    assert names == ["Thôn Trung", "Xóm Hạ", "Xóm Bãi"]
    assert ws.cell(row=2, column=3).value == "Xã Gia Hưng"
    assert ws.column_dimensions["B"].width >= len("Thôn Trung")
    assert ws.cell(row=1, column=1).font.bold


def test_xlsx_indicator_colours(tmp_path: Path) -> None:
    ind = pd.DataFrame({"indicator_id": ["a", "b"], "value": [0.5, 1.0], "target": [1.0, 1.0],
                        "met": pd.array([False, True], dtype="boolean")})
    ws = openpyxl.load_workbook(write_xlsx(ind, tmp_path / "i.xlsx"))["data"]
    assert ws["B2"].number_format == "0.0%" and ws["B2"].value == 0.5
    # met is a word in the sheet's language, its fill says it too
    assert ws["D2"].value == "Not met" and ws["D2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["D3"].value == "Met" and ws["D3"].fill.fgColor.rgb.endswith("C6EFCE")
    vi = openpyxl.load_workbook(write_xlsx(ind, tmp_path / "v.xlsx", lang="vi"))["data"]
    assert [vi["D2"].value, vi["D3"].value] == ["Chưa đạt", "Đạt"]


def test_geojson_and_gpkg(tmp_path: Path, uncovered: gpd.GeoDataFrame) -> None:
    for fmt in ("geojson", "gpkg"):
        path = export_table(uncovered, tmp_path / f"u.{fmt}")
        back = gpd.read_file(path)
        assert back.crs.to_epsg() == 4326
        assert back["name"].tolist() == ["Thôn Trung", "Xóm Hạ", "Xóm Bãi"]
        assert back["reason"].tolist() == uncovered["reason"].tolist()
        np.testing.assert_allclose(back.geometry.x, uncovered["lon"])
        np.testing.assert_allclose(back.geometry.y, uncovered["lat"])


def test_shapefile_field_names_are_short_and_unique() -> None:
    cols = ["fix_colocation_position_id", "fix_colocation_distance_m", "Tên thôn đầy đủ",
            "Tên thôn đầy đủ (cũ)", "population"]
    m = shapefile_field_names(cols)
    assert all(len(v) <= 10 and v.isascii() for v in m.values())
    assert len({v.lower() for v in m.values()}) == len(cols)
    assert m["fix_colocation_position_id"] == "fix_coloca"
    assert m["fix_colocation_distance_m"] == "fix_coloc1"  # 9 characters + "1"
    assert m["Tên thôn đầy đủ"] == "ten_thon_d"
    assert m["Tên thôn đầy đủ (cũ)"] == "ten_thon_1"


def test_shapefile_zip_roundtrip_long_vietnamese_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Tên thôn đầy đủ": ["Thôn Đồng Tâm", "Xóm Hạ"],
        "Tên xã phường thị trấn": ["Xã Gia Hưng", "Xã Gia Tân"],
        "Tỷ lệ dân số phủ sóng 4G": [0.95, 0.25],
        "Tỷ lệ dân số phủ sóng 5G": [0.5, 0.0],
        "lon": [106.0, 106.1], "lat": [20.0, 20.1],
    })
    path = write_shapefile_zip(frame, tmp_path / "thon.zip")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"thon.shp", "thon.shx", "thon.dbf", "thon.prj", "thon.cpg", "fields.csv"} <= names
        assert zf.read("thon.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
        fields = pd.read_csv(io.BytesIO(zf.read("fields.csv")), encoding="utf-8-sig")
    assert fields["short"].str.len().max() <= 10
    assert fields.loc[fields["name"] == "Tỷ lệ dân số phủ sóng 5G", "short"].item() == "ty_le_dan1"
    back = read_shapefile_zip(path)
    assert list(back.columns) == [*frame.columns, "geometry"]
    assert back["Tên thôn đầy đủ"].tolist() == ["Thôn Đồng Tâm", "Xóm Hạ"]
    assert back["Tên xã phường thị trấn"].tolist() == ["Xã Gia Hưng", "Xã Gia Tân"]
    np.testing.assert_allclose(back["Tỷ lệ dân số phủ sóng 4G"], [0.95, 0.25])
    np.testing.assert_allclose(back.geometry.x, [106.0, 106.1])
    with pytest.raises(InputFileError):
        read_shapefile_zip(tmp_path / "missing.zip")


@pytest.mark.parametrize("suffix", ["kml", "kmz"])
def test_kml_styles_and_rows(tmp_path: Path, uncovered: gpd.GeoDataFrame, suffix: str) -> None:
    path = write_kml(uncovered, tmp_path / f"u.{suffix}", lang="vi")
    if suffix == "kmz":
        with zipfile.ZipFile(path) as zf:
            data = zf.read("doc.kml")
    else:
        data = path.read_bytes()
    root = ET.fromstring(data)
    styles = {s.get("id"): s.find(f"{KML}IconStyle/{KML}color").text
              for s in root.iter(f"{KML}Style")}
    assert styles["status_no_signal"] == "ff2827d6"  # aabbggrr of #d62728 (red)
    assert styles["status_weak_spot"] == "ff008cff"  # orange
    assert styles["status_no_ftth"] == "ff00c2f2"  # yellow
    assert styles["status_ok"] == "ff2ca02c"  # green
    pms = list(root.iter(f"{KML}Placemark"))
    assert [p.find(f"{KML}name").text for p in pms] == ["Thôn Trung", "Xóm Hạ", "Xóm Bãi"]
    assert [p.find(f"{KML}styleUrl").text for p in pms] == [
        "#status_no_signal", "#status_weak_spot", "#status_no_ftth"]
    coords = pms[1].find(f"{KML}Point/{KML}coordinates").text
    assert coords == "106.0400000,20.0000000"
    data_els = {d.get("name"): d.text for d in pms[1].iter(f"{KML}SimpleData")}
    labels = {f.get("name"): f.find(f"{KML}displayName").text
              for f in root.iter(f"{KML}SimpleField")}
    assert labels["reason"] == "Lý do" and labels["commune"] == "Xã/phường"
    assert data_els["commune"] == "Xã Gia Hưng"
    assert data_els["reason"] == "lõm sóng; không có FTTH"
    folders = [f.find(f"{KML}name").text for f in root.iter(f"{KML}Folder")]
    assert folders[0] == "Trắng sóng (1)"
    # GDAL reads it as KML too (the file is valid for GIS tools)
    if suffix == "kml":
        got = pyogrio.read_dataframe(path, layer=pyogrio.list_layers(path)[0][0])
        assert got["Name"].tolist() == ["Thôn Trung"]
        assert got["reason"].tolist() == ["trắng sóng"]  # fields from the Schema


def test_kml_lines_and_polygons(tmp_path: Path) -> None:
    routes = tables()["fiber_extensions"]
    path = write_kml(routes, tmp_path / "r.kml", name_column="route_id", style_column=None)
    root = ET.fromstring(path.read_bytes())
    lines = list(root.iter(f"{KML}LineString"))
    assert len(lines) == 2
    assert lines[0].find(f"{KML}coordinates").text == (
        "106.0400000,20.0100000 106.0400000,20.0200000")


def tier_raster(path: Path) -> Path:
    """6 x 6 cells of 0.001°: columns 0-1 at -90 dBm, 2-3 at -100, 4 at -110, 5 at -130."""
    row = np.array([-90, -90, -100, -100, -110, -130], dtype="float32")
    data = np.tile(row, (6, 1))
    data[0, 0] = np.nan
    with rasterio.open(path, "w", driver="GTiff", width=6, height=6, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(106.0, 20.006, 0.001, 0.001),
                       nodata=np.nan) as dst:
        dst.write(data, 1)
    return path


def test_tier_polygons(tmp_path: Path) -> None:
    gdf = tier_polygons(tier_raster(tmp_path / "cov.tif"), simplify_cells=0)
    assert gdf["tier"].tolist() == ["good", "fair", "edge"]
    assert gdf["rsrp_min_dbm"].tolist() == [-95.0, -105.0, -110.0]
    # cell area at 20° N: (0.001° * 111.32 km * cos 20°) * (0.001° * 110.6 km) ≈ 0.01157 km²
    cell_deg2 = 1e-6
    areas = shapely.area(gdf.geometry.to_numpy()) / cell_deg2  # in degrees², on purpose
    np.testing.assert_allclose(areas, [11, 12, 6], rtol=1e-9)  # 12 - 1 NaN cell, 12, 6
    assert gdf["area_km2"].iloc[1] == pytest.approx(12 * 0.01157, rel=0.01)
    # simplified outlines (default, one cell) keep the exact cell areas in area_km2
    simple = tier_polygons(tmp_path / "cov.tif")
    np.testing.assert_array_equal(simple["area_km2"], gdf["area_km2"])
    assert simple.is_valid.all()
    out = export_table(gdf, tmp_path / "tiers.gpkg")
    assert gpd.read_file(out)["tier"].tolist() == ["good", "fair", "edge"]


def test_results_gpkg_roundtrip(tmp_path: Path, uncovered: gpd.GeoDataFrame) -> None:
    ind = pd.DataFrame({"indicator_id": ["hamlets_ftth"], "name_vi": ["Tỷ lệ thôn có FTTH"],
                        "value": [0.6], "met": [False]})
    tabs = {**tables(), "indicators": ind}
    path = write_results_gpkg(tmp_path / "results.gpkg", hamlets=hamlets(), tables=tabs,
                              uncovered=uncovered, meta={"name": "Xã Gia Hưng", "lang": "vi"})
    layers = dict(pyogrio.list_layers(path))
    assert layers["indicators"] is None and layers["hamlets"] == "Point"
    frames, meta = read_results_gpkg(path)
    assert meta == {"name": "Xã Gia Hưng", "lang": "vi"}
    assert frames["indicators"]["name_vi"].tolist() == ["Tỷ lệ thôn có FTTH"]
    assert frames["hamlets"]["name"].tolist() == hamlets()["name"].tolist()
    assert frames["uncovered_hamlets"]["village_id"].tolist() == ["H2", "H3", "H4"]
    assert frames["fiber_extensions"].geom_type.tolist() == ["LineString", "LineString"]
    # a re-read table gives the same uncovered list
    again = uncovered_hamlets(frames["hamlets"], frames, lang="vi")
    assert again["reason"].tolist() == uncovered["reason"].tolist()
    assert again["fix_fiber_route_id"].tolist() == uncovered["fix_fiber_route_id"].tolist()


def test_export_table_errors(tmp_path: Path, uncovered: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValidationError, match="choose one of"):
        export_table(uncovered, tmp_path / "x.dxf")
    with pytest.raises(InputFileError):
        read_results_gpkg(tmp_path / "none.gpkg")


def test_uncovered_with_metric_positions_layer() -> None:
    """Positions as the sharing stage writes them (UTM points, no lon/lat columns)."""
    tabs = tables()
    pos = tabs["positions"]
    tabs["positions"] = gpd.GeoDataFrame(
        pos.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(pos["lon"], pos["lat"]),
        crs=4326).to_crs(32648)
    out = uncovered_hamlets(hamlets(), tabs, lang="en")
    assert out.iloc[0]["fix_colocation_position_id"] == "P1"
    assert out.iloc[0]["fix_colocation_distance_m"] == pytest.approx(52.3, abs=0.5)


def test_xlsx_missing_values_are_empty_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [np.nan, 2.5],
                          "met": pd.array([None, True], dtype="boolean"),
                          "c": pd.array(["Xã Gia Hưng", None], dtype="string")})
    ws = openpyxl.load_workbook(write_xlsx(frame, tmp_path / "na.xlsx"))["data"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        [1, None, None, "Xã Gia Hưng"], [None, 2.5, "Met", None]]


def test_planned_fiber_route_wins_over_nearest() -> None:
    h = hamlets()
    h["fiber_route_id"] = [None, None, "R2", None, None]  # the plan serves H3 by R2
    out = uncovered_hamlets(h, tables(), lang="en")
    h3 = out[out["village_id"] == "H3"].iloc[0]
    assert h3["fix_fiber_route_id"] == "R2"
    # R2 starts at (106.06, 20.005): 0.02° east (2092 m) and 0.005° north (553 m) of H3:
    # hypot(2092, 553) ≈ 2164 m
    assert h3["fix_fiber_distance_m"] == pytest.approx(2164, abs=5)
    assert out[out["village_id"] == "H4"].iloc[0]["fix_fiber_route_id"] == "R2"


def test_empty_uncovered_list_has_all_columns(tmp_path: Path) -> None:
    h = hamlets()
    h["mobile_4g"] = True
    h["ftth"] = True
    h["weak_spot"] = False
    h["no_signal"] = False
    out = uncovered_hamlets(h, tables(), lang="vi")
    assert out.empty and {"reason", "proposed_fix", "fix_tower_id"} <= set(out.columns)
    for fmt, suffix in (("csv", "csv"), ("xlsx", "xlsx"), ("geojson", "geojson"),
                        ("gpkg", "gpkg"), ("kml", "kml")):
        assert export_table(out, tmp_path / f"e.{suffix}", fmt).is_file()


def test_assigned_tower_and_colocation_win_over_nearest() -> None:
    """The sharing stage's per-hamlet choices (``proposed_tower_id``, ``colocation_fix``)."""
    h = hamlets()
    tabs = tables()
    tabs["proposed_towers"] = pd.DataFrame({"tower_id": ["T1", "T2"], "lon": [106.041, 106.03],
                                            "lat": [20.0, 20.01]})
    tabs["positions"] = pd.DataFrame({"position_id": ["P1", "P2"], "lon": [106.0205, 106.0],
                                      "lat": [20.0, 20.05], "n_operators": [1, 2]})
    tabs["colocation_opportunities"] = pd.DataFrame({
        "operator": ["Viettel", "MobiFone"], "host_position_id": ["P1", "P2"]})
    h["proposed_tower_id"] = [None, None, "T2", None, None]
    h["colocation_fix"] = [None, "MobiFone → P2", None, None, None]
    out = uncovered_hamlets(h, tabs, lang="en").set_index("village_id")
    # H3 (106.04, 20.0) to T2 (106.03, 20.01): hypot(0.01 * 104607, 0.01 * 110700) ≈ 1523 m
    assert out.loc["H3", "fix_tower_id"] == "T2"
    assert out.loc["H3", "fix_tower_distance_m"] == pytest.approx(1523, abs=8)
    # H2 (106.02, 20.0) to P2 (106.0, 20.05): hypot(2092, 5535) ≈ 5917 m
    assert out.loc["H2", "fix_colocation_position_id"] == "P2"
    assert out.loc["H2", "fix_colocation_operator"] == "MobiFone"
    assert out.loc["H2", "fix_colocation_distance_m"] == pytest.approx(5917, abs=25)
    assert out.loc["H2", "proposed_fix"].startswith("co-locate on P2 (MobiFone, 59")
    assert "new tower T2 (15" in out.loc["H3", "proposed_fix"]  # assigned: no "nearest"
    assert "nearest co-location site P1" in out.loc["H3", "proposed_fix"]
    # no assignment: the nearest stays
    assert out.loc["H3", "fix_colocation_position_id"] == "P1"


def test_hamlet_without_coordinates_is_listed_without_fix() -> None:
    h = hamlets()
    h.loc[2, ["lon", "lat"]] = np.nan
    out = uncovered_hamlets(h, tables(), lang="en").set_index("village_id")
    assert list(out.index) == ["H2", "H3", "H4"]  # kept, not dropped
    assert pd.isna(out.loc["H3", "fix_tower_id"]) and out.loc["H3", "proposed_fix"] == ""
    assert out.loc["H4", "fix_fiber_route_id"] == "R2"
    assert out.geometry.isna().tolist() == [False, True, False]


def test_unreachable_hamlets_say_why() -> None:
    tabs = tables()
    tabs["unreachable_hamlets"] = pd.DataFrame({
        "village_id": ["H2"], "name": ["Thôn Trung"], "reason_en": ["terrain blocks it"],
        "reason_vi": ["địa hình che chắn"]})
    vi = uncovered_hamlets(hamlets(), tabs, lang="vi").set_index("village_id")
    assert vi.loc["H2", "proposed_fix"].endswith("; không phủ được: địa hình che chắn")
    assert "không phủ được" not in vi.loc["H3", "proposed_fix"]
    en = uncovered_hamlets(hamlets(), tabs, lang="en").set_index("village_id")
    assert en.loc["H2", "proposed_fix"].endswith("cannot be reached: terrain blocks it")
