"""Admin layers as published (GADM 4.1, geoBoundaries, OCHA COD-AB, Vietnamese headers) read
by --admin, `info --kind admin` and --area/--area-name alike."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from gis.cli import main
from gis.errors import ValidationError
from gis.layers.admin_levels import admin_table, check_level, detect_scheme, find_units, unit_key
from gis.layers.read import read_any, read_layer
from gis.opendata import parse_area
from gis.project import load_project
from tests.opendata_fixtures import (
    gadm_frame,
    write_gadm,
    write_geoboundaries,
    write_ocha,
    write_vietnamese,
)

UTM = 32648


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("admin")
    return {"gadm_gpkg": write_gadm(d / "gadm41_VNM.gpkg"),
            "gadm_shp": write_gadm(d / "gadm41_VNM_3.shp"),
            "geob": write_geoboundaries(d / "geoBoundaries-VNM-ADM3.geojson"),
            "ocha": write_ocha(d / "vnm_admbnda_adm3_gov_20201027.shp"),
            "vn": write_vietnamese(d / "ranh_gioi_xa.geojson")}


def _table(gdf) -> list[tuple]:
    cols = [c for c in ("name", "level", "code", "district", "district_code", "province",
                        "province_code") if c in gdf]
    return [tuple(r) for r in gdf[cols].itertuples(index=False)]


@pytest.mark.parametrize("key", ["gadm_gpkg", "gadm_shp"])
def test_gadm(files, key):
    res = read_layer(files[key], "admin")
    gdf = res.gdf
    assert _table(gdf) == [
        ("Hải Đông", "commune", "VNM.33.5.1_1", "Hải Hậu", "VNM.33.5_1", "Nam Định", "VNM.33_1"),
        ("Hải Tây", "commune", "VNM.33.5.2_1", "Hải Hậu", "VNM.33.5_1", "Nam Định", "VNM.33_1"),
        ("Yên Định", "commune", "VNM.33.5.3_1", "Hải Hậu", "VNM.33.5_1", "Nam Định", "VNM.33_1"),
    ]
    assert list(gdf["unit_type"]) == ["Xã", "Xã", "Thị trấn"]
    # every original column is kept
    for col in ("GID_3", "NAME_3", "VARNAME_3", "HASC_3", "ENGTYPE_3", "NAME_1"):
        assert col in gdf, col
    assert list(gdf["VARNAME_3"]) == ["Hai Dong", "Hai Tay", "Yen Dinh"]
    rep = res.report
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected) == 3
    assert any("read as GADM" in w and "NAME_3" in w for w in rep.warnings)
    assert any("several levels (province, district, commune)" in w for w in rep.warnings)
    assert any("đọc theo GADM" in w for w in rep.warnings_vi)


def test_gadm_coarser_level_merges_polygons(files):
    district = read_layer(files["gadm_gpkg"], "admin", admin_level="district").gdf
    assert _table(district) == [("Hải Hậu", "district", "VNM.33.5_1", "Nam Định", "VNM.33_1")]
    wgs = district.to_crs(4326).geometry.iloc[0]
    assert wgs.bounds == pytest.approx((106.20, 20.10, 106.30, 20.20))
    # the union of the 3 communes: the area of the whole box (UTM 48N, m^2)
    communes = read_layer(files["gadm_gpkg"], "admin").gdf
    # (to 1e-5: the merged outline has fewer vertices to bend in the projection)
    assert district.geometry.area.iloc[0] == pytest.approx(communes.geometry.area.sum(), rel=1e-5)
    assert "NAME_3" not in district and "NAME_2" in district     # finer columns differ: dropped
    province = read_layer(files["gadm_gpkg"], "admin", admin_level="tỉnh").gdf
    assert _table(province) == [("Nam Định", "province", "VNM.33_1")]


def test_geoboundaries(files):
    res = read_layer(files["geob"], "admin")
    assert _table(res.gdf) == [("Hải Đông", "commune", "31286117B12345678901"),
                               ("Hải Tây", "commune", "31286117B12345678902"),
                               ("Yên Định", "commune", "31286117B12345678903")]
    assert "shapeISO" in res.gdf and "shapeGroup" in res.gdf
    with pytest.raises(ValidationError, match="has no district level: it has commune") as exc:
        read_layer(files["geob"], "admin", admin_level="district")
    assert "--admin-level commune" in str(exc.value)


@pytest.mark.parametrize(("file", "expected"), [
    pytest.param("ocha", [
        ("Hải Đông", "commune", "VN3630713", "Hải Hậu", "VN36307", "Nam Định", "VN363"),
        ("Hải Tây", "commune", "VN3630715", "Hải Hậu", "VN36307", "Nam Định", "VN363"),
        ("Yên Định", "commune", "VN3630701", "Hải Hậu", "VN36307", "Nam Định", "VN363"),
    ], id="ocha"),
    pytest.param("vn", [
        ("Xã Hải Đông", "commune", "13966", "Huyện Hải Hậu", "365", "Tỉnh Nam Định", "36"),
        ("Xã Hải Tây", "commune", "13972", "Huyện Hải Hậu", "365", "Tỉnh Nam Định", "36"),
        ("Thị trấn Yên Định", "commune", "13951", "Huyện Hải Hậu", "365", "Tỉnh Nam Định", "36"),
    ], id="vietnamese-headers"),
])
def test_three_level_files(files, file, expected):
    """Commune, district and province names and codes read from the file's own columns."""
    assert _table(read_layer(files[file], "admin").gdf) == expected


def test_ocha_keeps_the_english_names_and_says_which_column_it_read(files):
    res = read_layer(files["ocha"], "admin")
    assert list(res.gdf["ADM3_EN"]) == ["Hai Dong", "Hai Tay", "Yen Dinh"]
    assert any("OCHA COD-AB" in w and "ADM3_VI" in w for w in res.report.warnings)


def test_vietnamese_csv_with_diacritic_headers():
    """A table of units without geometry (as a CSV gives it): the columns alone."""
    df = pd.DataFrame({"Mã tỉnh": ["36"], "Tên tỉnh": ["Nam Định"], "Tên huyện": ["Hải Hậu"],
                       "Mã xã": ["13966"], "Tên xã": ["Hải Đông"]})
    table, notes = admin_table(df)
    assert table.loc[0, ["name", "code", "district", "province", "province_code"]].tolist() == [
        "Hải Đông", "13966", "Hải Hậu", "Nam Định", "36"]
    assert "Vietnamese headers" in notes[0][0]


def test_the_project_s_own_admin_layer_is_read_unchanged(sample_dir):
    """The canonical layer (name, level, code, district, province) round-trips."""
    gdf = gpd.read_file(sample_dir / "layers.gpkg", layer="admin")
    table, _ = admin_table(gdf.drop(columns=[c for c in gdf if c == "source_row"]))
    assert set(table.columns[:5]) == {"name", "level", "code", "district", "province"}
    assert not [c for c in table.columns if c.endswith("_in_file")]
    assert table["name"].tolist() == gdf["name"].tolist()
    assert detect_scheme(list(gdf.columns)).convention == "generic"


def test_kind_is_guessed(files):
    for key in files:
        res = read_any(files[key])
        assert res.kind == "admin", key
        assert len(res.gdf) == 3


def test_load_project_and_cli(files, tmp_path, capsys):
    project = load_project(None, {"admin": files["gadm_gpkg"]}, admin_level="district")
    assert list(project.layers["admin"]["name"]) == ["Hải Hậu"]
    assert main(["info", str(files["ocha"]), "--kind", "admin"]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 rows usable" in out and "OCHA COD-AB" in out
    assert main(["info", str(files["gadm_shp"]), "--kind", "admin", "--admin-level",
                 "district", "--lang", "vi"]) == 0
    assert "Gộp 3 đa giác cấp xã thành 1 đơn vị cấp huyện" in capsys.readouterr().out


@pytest.mark.parametrize("key,unit,level,names", [
    ("gadm_gpkg", "Hải Hậu", None, ["Hải Đông", "Hải Tây", "Yên Định"]),    # a district name
    ("gadm_gpkg", "thi tran yen dinh", None, ["Yên Định"]),
    ("gadm_gpkg", "Hai Tay", None, ["Hải Tây"]),                            # VARNAME_3
    ("gadm_gpkg", "Nam Định", "province", ["Hải Đông", "Hải Tây", "Yên Định"]),
    ("geob", "Xã Hải Đông", None, ["Hải Đông"]),
    ("ocha", "Hai Dong", None, ["Hải Đông"]),                               # ADM3_EN
    ("vn", "hải tây", None, ["Xã Hải Tây"]),
])
def test_find_units(files, key, unit, level, names):
    gdf = gpd.read_file(files[key])
    mask, _, _ = find_units(gdf, unit, level=level)
    name_col = {"gadm_gpkg": "NAME_3", "geob": "shapeName", "ocha": "ADM3_VI", "vn": "ten_xa"}
    assert gdf.loc[mask, name_col[key]].tolist() == names


def test_area_name_over_published_files(files):
    district = parse_area(str(files["gadm_gpkg"]), unit="Huyện Hải Hậu")
    assert district.bounds == pytest.approx((106.20, 20.10, 106.30, 20.20))
    one = parse_area(str(files["ocha"]), unit="Hai Tay")
    assert one.name == "Hải Tây"
    assert one.bounds == pytest.approx((106.25, 20.10, 106.30, 20.15))
    with pytest.raises(ValidationError) as exc:
        parse_area(str(files["gadm_gpkg"]), unit="Hải Lý")
    text = str(exc.value)
    assert "No unit named 'Hải Lý'" in text
    assert "NAME_3" in text and "GID_3" in text and "Yên Định" in text and "Hải Hậu" in text
    assert "Các cột" in exc.value.message("vi")
    with pytest.raises(ValidationError, match="at the district level"):
        parse_area(str(files["gadm_gpkg"]), unit="Hải Tây", level="district")


def test_cli_area_name_and_level(files, tmp_path):
    from tests.opendata_fixtures import write_osm_xml

    xml = write_osm_xml(tmp_path / "map.osm")
    out = tmp_path / "p"
    assert main(["import", "osm", str(xml), "--area", str(files["gadm_gpkg"]),
                 "--area-name", "Yên Định", "--admin-level", "commune", "--out", str(out),
                 "--layers", "villages"]) == 0
    from gis.project import Project

    project = Project.load(out)
    assert project.name == "Yên Định"
    # Yên Định is lon 106.25-106.30, lat 20.15-20.20: Hai Bac Village (106.25, 20.15) on its
    # corner and the isolated dwelling (106.28, 20.18)
    assert sorted(project.layers["villages"]["village_id"]) == ["osm:n1002", "osm:n1003"]


def test_level_words_and_keys():
    assert check_level("Xã") == "commune" and check_level("huyện") == "district"
    assert check_level(None) is None
    with pytest.raises(ValidationError, match="valid: province, district, commune"):
        check_level("ward-ish")
    assert unit_key("Phường 12") == "12"
    assert gadm_frame().shape == (3, 17)
