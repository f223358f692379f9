"""Column aliases and value normalisation: operators, technologies, classes, numbers, ids."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gis.layers.normalise import (
    generate_ids,
    map_columns,
    normalise_facility_kind,
    normalise_installation,
    normalise_level,
    normalise_operator,
    normalise_road_class,
    normalise_tech,
    normalise_values,
    parse_number,
)
from gis.layers.read import guess_kind, read_layer
from gis.layers.report import LoadReport
from gis.layers.schema import LAYER_SPECS, LayerKind


@pytest.mark.parametrize(("value", "expected"), [
    ("Viettel", "Viettel"), ("VIETTEL", "Viettel"), ("VNPT", "VinaPhone"),
    ("Vina", "VinaPhone"), ("GPC", "VinaPhone"), ("VNPT-VinaPhone", "VinaPhone"),
    ("Mobifone", "MobiFone"), ("VMS", "MobiFone"), ("HT Mobile", "Vietnamobile"),
    ("Beeline", "Gmobile"), ("GTel", "Gmobile"), ("iTel", "iTel"), ("Wintel", "Wintel"),
    ("452-04", "Viettel"), ("45201", "MobiFone"), ("452 02", "VinaPhone"),
    ("452-05", "Vietnamobile"), ("452-07", "Gmobile"), ("Tập đoàn Viettel", "Viettel"),
    ("Unknown Telecom", None), ("452-99", None),
])
def test_operators(value, expected):
    assert normalise_operator(value) == expected


def test_mnc_alone_only_in_an_mnc_column():
    assert normalise_operator("04", mnc_column=True) == "Viettel"
    assert normalise_operator("4", mnc_column=True) == "Viettel"
    assert normalise_operator("04") is None


@pytest.mark.parametrize(("value", "expected"), [
    ("2G/3G/4G", "2G/3G/4G"), ("GSM", "2G"), ("UMTS", "3G"), ("WCDMA", "3G"), ("LTE", "4G"),
    ("4G LTE", "4G"), ("NR", "5G"), ("5G NR", "5G"), ("LTE-A", "4G"), ("LTE, GSM", "2G/4G"),
    ("4G/2G", "2G/4G"), ("HSPA+", "3G"), ("5G/4G/3G/2G", "2G/3G/4G/5G"), ("wifi", None),
])
def test_tech(value, expected):
    assert normalise_tech(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Quốc lộ 21", "national"), ("QL.21A", "national"), ("trunk", "national"),
    ("motorway_link", "national"), ("Tỉnh lộ 488", "provincial"), ("ĐT 489", "provincial"),
    ("primary", "provincial"), ("Huyện lộ", "district"), ("ĐH.52", "district"),
    ("secondary", "district"), ("Đường xã", "commune"), ("tertiary", "commune"),
    ("đường thôn", "village"), ("Ngõ 5", "village"), ("xóm", "village"),
    ("residential", "village"), ("track", "village"), ("national", "national"),
    ("đường nội đồng", "village"), ("Phố Huế", "urban"), ("đường đô thị", "urban"),
    ("cầu", None),
])
def test_road_class(value, expected):
    assert normalise_road_class(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Trường THCS Hải Bắc", "school"), ("trường mầm non", "school"), ("school", "school"),
    ("kindergarten", "school"), ("Trạm y tế xã", "health_station"), ("clinic", "health_station"),
    ("UBND xã", "commune_office"), ("townhall", "commune_office"),
    ("Khu công nghiệp Hải Hậu", "industrial_zone"), ("KCN", "industrial_zone"),
    ("chợ", None),
])
def test_facility_kind(value, expected):
    assert normalise_facility_kind(value) == expected


@pytest.mark.parametrize(("fn", "value", "expected"), [
    (normalise_level, "Trục", "backbone"), (normalise_level, "phân phối", "distribution"),
    (normalise_level, "truy nhập", "access"), (normalise_level, "backbone", "backbone"),
    (normalise_installation, "treo", "aerial"), (normalise_installation, "Nổi", "aerial"),
    (normalise_installation, "ngầm", "underground"),
    (normalise_installation, "cống bể", "duct"), (normalise_installation, "duct", "duct"),
    (normalise_installation, "trên trời", None),
])
def test_fiber_values(fn, value, expected):
    assert fn(value) == expected


@pytest.mark.parametrize(("text", "count", "expected"), [
    ("1.234", True, 1234.0), ("1,234", True, 1234.0), ("2 045", True, 2045.0),
    ("1.234.567", True, 1234567.0), ("12,5", True, 12.5), ("35,5", False, 35.5),
    ("1.234,5", False, 1234.5), ("1,234.5", False, 1234.5), ("42 m", False, 42.0),
    ("1800 MHz", False, 1800.0), (7, False, 7.0), ("abc", False, math.nan), ("", False, math.nan),
])
def test_parse_number(text, count, expected):
    got = parse_number(text, count=count)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_aliases_with_diacritics_and_units():
    spec = LAYER_SPECS[LayerKind.VILLAGES]
    cols = ["STT", "Tên thôn", "Dân số (người)", "Số hộ", "Xã", "Ghi chú"]
    assert map_columns(cols, spec) == {"name": "Tên thôn", "population": "Dân số (người)",
                                       "households": "Số hộ", "commune": "Xã"}
    # DBF headers without separators (10-character limit)
    assert map_columns(["TENTHON", "DANSO", "SOHO"], spec) == {
        "name": "TENTHON", "population": "DANSO", "households": "SOHO"}
    sites = LAYER_SPECS[LayerKind.SITES]
    m = map_columns(["Mã trạm", "Nhà mạng", "Độ cao (m)", "Góc phương vị", "Tần số (MHz)"],
                    sites)
    assert m == {"operator": "Nhà mạng", "site_id": "Mã trạm", "height_m": "Độ cao (m)",
                 "azimuth_deg": "Góc phương vị", "freq_mhz": "Tần số (MHz)"}


def test_unrecognised_values_are_kept_and_reported():
    df = pd.DataFrame({"operator": ["VNPT", "Công ty ABC", None], "tech": ["LTE", "wifi", "NR"]})
    report = LoadReport("bts.csv", "sites")
    normalise_values(df, "sites", {"operator": "nha_mang"}, report)
    assert df["operator"].tolist()[:2] == ["VinaPhone", "Công ty ABC"]
    assert df["operator"].isna().tolist() == [False, False, True]
    assert df["tech"].tolist() == ["4G", "wifi", "5G"]
    text = " ".join(report.warnings)
    assert "'Công ty ABC' is not recognised and is kept as given (row(s) 2)" in text
    assert "'wifi' is not recognised" in text


def test_generated_ids_are_stable_and_reported():
    df = pd.DataFrame({"name": ["a", "b", "c"]})
    report = LoadReport("x.csv", "villages")
    generate_ids(df, "villages", "village_id", report)
    assert df["village_id"].tolist() == ["V0001", "V0002", "V0003"]
    assert "generated" in report.warnings[0]
    partial = pd.DataFrame({"village_id": ["T1", None, 7.0]})
    generate_ids(partial, "villages", "village_id", report)
    assert partial["village_id"].tolist() == ["T1", "V0002", "7"]
    assert "row(s) 2" in report.warnings[-1]


@pytest.mark.parametrize(("columns", "geom", "kind"), [
    (["ten_thon", "dan_so", "so_ho"], "Point", "villages"),
    (["Tên thôn", "Xã"], "Polygon", "villages"),
    (["nha_mang", "cong_nghe", "do_cao"], "Point", "sites"),
    (["cap_duong", "ten_duong"], "LineString", "roads"),
    (["cap", "hinh_thuc", "nha_mang"], "MultiLineString", "fiber"),
    (["loai", "ten"], "Point", "facilities"),
    (["ten_xa", "ma_xa"], "Polygon", "admin"),
    (["loai_thiet_bi", "dung_luong"], "Point", "fiber_nodes"),
])
def test_guess_kind(columns, geom, kind):
    assert guess_kind(columns, geom) == kind


def test_village_centres_become_analysis_coordinates(tmp_path):
    path = tmp_path / "thon.csv"
    path.write_text("ten_thon,lon,lat,centre_lon,centre_lat\nA,106.27,20.14,106.275,20.145\n"
                    "B,106.28,20.15,,\n", encoding="utf-8")
    gdf = read_layer(path, "villages").gdf
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(106.275, 20.145)
    assert gdf["centre_x"].iloc[0] == pytest.approx(x, abs=0.01)
    assert gdf["centre_y"].iloc[0] == pytest.approx(y, abs=0.01)
    assert math.isnan(gdf["centre_x"].iloc[1])


def test_generated_ids_follow_file_rows_when_rows_are_rejected(tmp_path):
    path = tmp_path / "thon.csv"
    path.write_text("ten_thon,lon,lat\nA,106.27,20.14\nB,,\nC,106.29,20.16\n", encoding="utf-8")
    gdf = read_layer(path, "villages").gdf
    assert gdf["village_id"].tolist() == ["V0001", "V0003"]
