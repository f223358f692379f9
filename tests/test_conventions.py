"""Published conventions for sites: MCC+MNC columns give the operator; an OpenCelliD export
read as a sites layer says to use `gis import opencellid`."""

from __future__ import annotations

import pytest

from gis.cli import main
from gis.errors import ValidationError
from gis.layers.conventions import kind_hint
from gis.layers.read import read_layer
from tests.opendata_fixtures import OCID_HEADER, write_opencellid_csv


def test_mcc_mnc_columns_give_the_operator(tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text("ma_tram,MCC,MNC,kinh_do,vi_do,cong_nghe\n"
                    "BTS01,452,4,106.23,20.14,4G\n"
                    "BTS02,452,01,106.25,20.15,LTE\n"
                    "BTS03,452.0,2.0,106.27,20.16,2G\n"
                    "BTS04,452,5,106.28,20.17,3G\n", encoding="utf-8")
    res = read_layer(path, "sites")
    assert list(res.gdf["operator"]) == ["Viettel", "MobiFone", "VinaPhone", "Vietnamobile"]
    assert any("operator from MCC + MNC" in w for w in res.report.warnings)


def test_an_operator_column_wins_over_mcc(tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text("ma_tram,nha_mang,mcc,mnc,kinh_do,vi_do\n"
                    "BTS01,Viettel,452,1,106.23,20.14\n", encoding="utf-8")
    res = read_layer(path, "sites")
    assert list(res.gdf["operator"]) == ["Viettel"]
    assert not any("operator from" in w for w in res.report.warnings)


@pytest.fixture
def ocid(tmp_path):
    return write_opencellid_csv(tmp_path / "cell_towers.csv", broadband=True)


def test_info_on_a_raw_opencellid_csv(ocid, capsys):
    assert main(["info", str(ocid), "--kind", "sites"]) == 0
    out = capsys.readouterr().out
    assert "This is an OpenCelliD export" in out
    assert "Hint: an OpenCelliD file is imported with `gis import opencellid" in out
    assert "operator from mcc + net" in out
    # 452-04 -> Viettel; 452-01 MobiFone; foreign PLMNs are kept as given and named
    assert "value '460-00' is not recognised" in out
    assert "1 rows repeat a cell listed before" in out
    assert main(["info", str(ocid)]) == 0          # the kind is recognised without --kind
    assert "(sites)" in capsys.readouterr().out


def test_the_layer_maps_mcc_net_to_operators(ocid):
    res = read_layer(ocid, "sites")
    ops = dict(zip(res.gdf["site_id"], res.gdf["operator"], strict=True))
    assert ops["ocid:452-4:10:11001"] == "Viettel"
    assert ops["ocid:452-4:10:11001/2"] == "Viettel"
    assert ops["ocid:452-1:10:21001"] == "MobiFone"
    assert ops["ocid:452-2:10:31001"] == "VinaPhone"
    assert ops["ocid:452-7:10:71001"] == "Gmobile"
    assert res.report.rows_read == res.report.rows_loaded + len(res.report.rejected)


def test_header_less_dump_is_refused_with_the_command(tmp_path, capsys):
    dump = write_opencellid_csv(tmp_path / "452.csv", header=False)
    with pytest.raises(ValidationError, match="OpenCelliD dump without its header line"):
        read_layer(dump, "sites")
    assert main(["info", str(dump)]) == 2
    err = capsys.readouterr().err
    assert "gis import opencellid FILE --area AREA --out PROJECT" in err
    assert "Unnamed" not in err
    assert "không có dòng tiêu đề" in err


def test_kind_hint():
    assert kind_hint(OCID_HEADER.split(",")) == "sites"
    assert kind_hint(["GID_0", "NAME_1", "GID_1", "geometry"]) == "admin"
    assert kind_hint(["shapeName", "shapeType"]) == "admin"
    assert kind_hint(["ADM2_VI", "ADM2_PCODE"]) == "admin"
    assert kind_hint(["ten_thon", "dan_so"]) is None


def test_unnamed_hamlets_and_units_are_named_by_their_row(tmp_path):
    """An empty required name would reach every label and join (the colocation stage's
    ', '.join raised TypeError on it): the reader names it by its row, and says so."""
    import geopandas as gpd
    from shapely.geometry import box

    path = tmp_path / "thon.csv"
    path.write_text("ten_thon,kinh_do,vi_do,dan_so\nThôn A,106.22,20.12,500\n"
                    ",106.25,20.15,300\n  ,106.26,20.16,200\n", encoding="utf-8")
    res = read_layer(path, "villages")
    assert list(res.gdf["name"]) == ["Thôn A", "Thôn chưa tên (dòng 2)", "Thôn chưa tên (dòng 3)"]
    assert any("name is empty in row(s) 2, 3" in w for w in res.report.warnings)
    assert any("Tên trống ở dòng 2, 3" in w for w in res.report.warnings_vi)
    admin = tmp_path / "xa.geojson"
    gpd.GeoDataFrame({"ten_xa": [None, "Xã B"]}, geometry=[box(106.2, 20.1, 106.25, 20.2),
                                                         box(106.25, 20.1, 106.3, 20.2)],
                     crs=4326).to_file(admin)
    assert list(read_layer(admin, "admin").gdf["name"]) == ["Đơn vị chưa tên (dòng 1)", "Xã B"]
