"""Roads needing shared ducts (gis.analysis.ducts): a small network checked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from gis.analysis.duct_params import DuctParams
from gis.analysis.ducts import (
    DUCT_CLASS_COLOURS,
    DUCT_CLASS_LABELS,
    DUCT_COLUMN_LABELS,
    DUCT_COLUMNS,
    duct_class,
    parse_works_year,
    shared_duct_roads,
    split_lines,
)
from gis.errors import CRSError, ValidationError

CRS = "EPSG:32648"
X0, Y0 = 500_000.0, 2_300_000.0


def line(*pts: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in pts])


@pytest.fixture
def network():
    """Four roads, two operators' fiber along parts of them, one planned route.

    R1 urban street 1000 m (y = 0); R2 commune road 800 m with works planned for 2026 (y = 500);
    R3 district road 500 m inside a ward (phường); R4 village lane, neither urban nor planned.
    """
    roads = gpd.GeoDataFrame({
        "road_class": ["urban", "commune", "district", "village"],
        "name": ["Phố A", "Đường xã B", "Đường huyện C", "Ngõ D"],
        "planned_works": [None, "Cải tạo mặt đường 2026, hạ ngầm cáp", "", None],
    }, geometry=[line((0, 0), (1000, 0)), line((0, 500), (800, 500)),
                 line((2000, 0), (2500, 0)), line((0, -2000), (500, -2000))], crs=CRS)
    fiber = gpd.GeoDataFrame({"operator": ["Viettel", "VNPT", "Viettel", "VNPT", "VNPT",
                                           "Viettel", "Viettel"]}, geometry=[
        line((0, 5), (600, 5)),          # along R1, x 0-600
        line((200, -8), (1000, -8)),     # along R1, x 200-1000
        line((0, 510), (800, 510)),      # along the whole of R2
        line((400, 300), (400, 700)),    # crosses R2: follows 0 m of it
        line((2000, 3), (2080, 3)),      # 80 m of R3: share 0.16 < 0.2
        line((2000, 40), (2500, 40)),    # 40 m off R3: outside the 20 m buffer
        line((0, -1995), (500, -1995)),  # along R4, which is not listed
    ], crs=CRS)
    extensions = gpd.GeoDataFrame({"route_id": ["T01"]},
                                  geometry=[line((200, 495), (800, 495))], crs=CRS)
    admin = gpd.GeoDataFrame({"name": ["Phường 1", "Xã Hải Quang"], "level": ["Phường", "Xã"]},
                             geometry=[shapely.box(X0 + 1900, Y0 - 100, X0 + 2600, Y0 + 100),
                                       shapely.box(X0 - 100, Y0 - 2100, X0 + 1100, Y0 + 600)],
                             crs=CRS)
    return roads, fiber, extensions, admin


def test_hand_checked_ranking_shares_lengths_and_saving(network):
    roads, fiber, extensions, admin = network
    out = shared_duct_roads(roads, fiber, extensions=extensions, admin=admin)
    assert list(out.columns) == [*DUCT_COLUMNS, "geometry"]
    # R4 (village lane, no works, in a xã) is not listed
    assert out["segment_id"].tolist() == ["R2", "R1", "R3"]
    assert out["rank"].tolist() == [1, 2, 3]
    r2, r1, r3 = (out.iloc[i] for i in range(3))

    # R2: Viettel along all 800 m, the planned route T01 along x 200-800 (600 m = 0.75),
    # VNPT only crosses it. Cables 2, cable length 800 m, shared 600 m.
    assert r2["operators"] == ["Viettel"] and r2["n_operators"] == 1
    assert r2["operator_shares"] == {"VNPT": 0.0, "Viettel": 1.0}
    assert r2["planned_extension"] and r2["planned_share"] == pytest.approx(0.75)
    assert r2["planned_route_ids"] == ["T01"]
    assert r2["n_cables"] == 2
    assert r2["length_m"] == pytest.approx(800.0)
    assert r2["cable_length_m"] == pytest.approx(800.0)
    assert r2["shared_length_m"] == pytest.approx(600.0)
    assert r2["has_planned_works"] and r2["works_year"] == 2026 and not r2["urban"]
    # separate: (800 + 600) m x (125,000 trench + 25,000 duct) = 210,000,000 VND
    # shared (works planned, trench x 0.5): 800 x (62,500 + 60,000) + 1,400 x 10,000
    #   = 98,000,000 + 14,000,000 = 112,000,000 VND; saving 98,000,000 VND
    assert r2["separate_cost_vnd"] == pytest.approx(210_000_000)
    assert r2["shared_cost_vnd"] == pytest.approx(112_000_000)
    assert r2["saving_vnd"] == pytest.approx(98_000_000)

    # R1: Viettel x 0-600 (0.6), VNPT x 200-1000 (0.8): cable 1000 m, shared 400 m (x 200-600)
    assert r1["operators"] == ["VNPT", "Viettel"] and r1["n_cables"] == 2
    assert r1["operator_shares"] == {"VNPT": 0.8, "Viettel": 0.6}
    assert not r1["planned_extension"] and r1["planned_route_ids"] == []
    assert r1["cable_length_m"] == pytest.approx(1000.0)
    assert r1["shared_length_m"] == pytest.approx(400.0)
    assert r1["urban"] and r1["urban_criteria"] == ["road_class"]
    assert not r1["has_planned_works"] and r1["works_year"] is pd_na()
    # separate: 1,400 m x 150,000 = 210,000,000; shared: 1,000 x (125,000 + 60,000)
    #   + 1,400 x 10,000 = 199,000,000; saving 11,000,000 VND
    assert r1["shared_cost_vnd"] == pytest.approx(199_000_000)
    assert r1["saving_vnd"] == pytest.approx(11_000_000)

    # R3: urban because it lies in a phường; VNPT follows 80 m (0.16 < 0.2): no cable counts
    assert r3["urban"] and r3["urban_criteria"] == ["admin"]
    assert r3["operator_shares"] == {"VNPT": 0.16}
    assert r3["operators"] == [] and r3["n_cables"] == 0
    assert r3["cable_length_m"] == 0 and r3["saving_vnd"] == 0
    # geometry is the segment itself, in the roads' CRS
    assert out.crs.equals(roads.crs)
    assert shapely.equals(out.geometry.iloc[1], roads.geometry.iloc[0])


def pd_na():
    import pandas as pd

    return pd.NA


def test_min_share_and_buffer_change_what_counts(network):
    roads, fiber, extensions, admin = network
    # with min_share 0.1 VNPT's 80 m on R3 counts; with a 50 m buffer Viettel's line 40 m off
    # R3 counts too: 2 cables along R3, shared over x 2000-2080 (80 m)
    out = shared_duct_roads(roads, fiber, extensions=extensions, admin=admin,
                            params=DuctParams(min_share=0.1, buffer_m=50.0))
    r3 = out.set_index("segment_id").loc["R3"]
    assert r3["operators"] == ["VNPT", "Viettel"]
    assert r3["shared_length_m"] == pytest.approx(80.0)
    assert r3["cable_length_m"] == pytest.approx(500.0)


def test_long_roads_are_cut_into_equal_pieces():
    lines = np.array([line((0, 0), (1200, 0), (1200, 1300)), line((0, 100), (900, 100))])
    pieces, source, piece_no = split_lines(lines, 1000.0)
    assert source.tolist() == [0, 0, 0, 1] and piece_no.tolist() == [0, 1, 2, 0]
    # 2500 m in 3 pieces of 833.33 m; the corner at (1200, 0) stays in the middle piece
    np.testing.assert_allclose(shapely.length(pieces), [2500 / 3] * 3 + [900.0])
    mid = shapely.get_coordinates(pieces[1]) - [X0, Y0]
    np.testing.assert_allclose(mid, [[2500 / 3, 0], [1200, 0], [1200, 5000 / 3 - 1200]])
    assert shapely.equals(shapely.line_merge(shapely.union_all(pieces[:3])), lines[0])
    roads = gpd.GeoDataFrame({"road_class": ["urban", "urban"]}, geometry=list(lines), crs=CRS)
    out = shared_duct_roads(roads, None)
    assert sorted(out["segment_id"]) == ["R1-1", "R1-2", "R1-3", "R2"]


def test_works_year_from_the_column_or_the_text():
    years = parse_works_year(["Nâng cấp 2026-2027", "widening", None, "QL 10 km 12"],
                             [None, 2028, None, "2030"])
    assert years.tolist()[:2] == [2026, 2028]
    assert years.isna().tolist() == [False, False, True, False]
    assert years.iloc[3] == 2030


def test_density_test_over_a_population_raster():
    # 1 km x 1 km of 100 m cells with 100 people each: 10,000 people/km²
    pop = np.full((10, 10), 100.0)
    tr = Affine(100.0, 0.0, X0, 0.0, -100.0, Y0 + 1000)
    roads = gpd.GeoDataFrame({"road_class": ["district", "district"]},
                             geometry=[line((100, 500), (900, 500)),
                                       line((5000, 500), (5800, 500))], crs=CRS)
    params = DuctParams(urban_density_per_km2=5000.0, density_window_m=500.0)
    out = shared_duct_roads(roads, None, population=(pop, tr), params=params)
    assert out["segment_id"].tolist() == ["R1"]
    assert out["urban_criteria"].iloc[0] == ["density"]
    # without the threshold the density is not tested
    assert len(shared_duct_roads(roads, None, population=(pop, tr))) == 0


def test_township_by_name_without_a_level():
    roads = gpd.GeoDataFrame({"road_class": ["commune"]}, geometry=[line((0, 0), (300, 0))],
                             crs=CRS)
    admin = gpd.GeoDataFrame({"name": ["Thị trấn Yên Định"]},
                             geometry=[shapely.box(X0 - 10, Y0 - 10, X0 + 200, Y0 + 10)], crs=CRS)
    # 200 of 300 m inside: 2/3 of the sample points >= 0.5
    out = shared_duct_roads(roads, None, admin=admin)
    assert out["urban_criteria"].tolist() == [["admin"]]
    assert len(shared_duct_roads(roads, None, admin=admin,
                                 params=DuctParams(urban_min_share=0.7))) == 0


def test_crs_errors_and_parameter_validation(network):
    roads, fiber, _, _ = network
    with pytest.raises(CRSError):
        shared_duct_roads(roads, fiber.to_crs("EPSG:3405"))
    with pytest.raises(CRSError):
        shared_duct_roads(roads.to_crs("EPSG:4326"), None)
    with pytest.raises(ValidationError, match="min_share"):
        DuctParams(min_share=1.5)
    with pytest.raises(ValidationError, match="co_deployment_factor"):
        DuctParams(co_deployment_factor=0.0)
    assert len(shared_duct_roads(roads.iloc[:0], fiber)) == 0


def test_sample_area_list(sample_dir):
    from gis.project import Project

    project = Project.load(sample_dir)
    roads = project.layers["roads"]
    out = shared_duct_roads(roads, project.layers["fiber"], admin=project.layers.get("admin"))
    assert len(out) > 0
    # every listed segment is urban or has planned works; ranks follow the cable counts
    assert (out["urban"] | out["has_planned_works"]).all()
    assert (np.diff(out["n_cables"].to_numpy()) <= 0).all()
    assert (out["saving_vnd"][out["n_cables"] < 2] == 0).all()
    assert out["works_year"].dropna().isin([2026, 2027]).all()


def test_written_as_csv_geojson_and_kml(network, tmp_path):
    from gis.export.kml import kml_color, write_kml
    from gis.export.writers import export_table

    roads, fiber, extensions, admin = network
    out = shared_duct_roads(roads, fiber, extensions=extensions, admin=admin)
    assert set(DUCT_COLUMNS) - {"name", "road_class"} == set(DUCT_COLUMN_LABELS)
    assert duct_class(out).tolist() == ["shared", "shared", "none"]
    export_table(out, tmp_path / "shared_duct_roads.csv", lang="vi")
    export_table(out, tmp_path / "shared_duct_roads.geojson")
    styled = out.assign(duct_class=duct_class(out))
    write_kml(styled, tmp_path / "shared_duct_roads.kml", lang="vi", style_column="duct_class",
              colors={k: kml_color(v) for k, v in DUCT_CLASS_COLOURS.items()},
              style_labels=DUCT_CLASS_LABELS)
    back = gpd.read_file(tmp_path / "shared_duct_roads.geojson")
    assert back.crs.to_epsg() == 4326 and back["operators"].iloc[1] == "VNPT; Viettel"
    assert back["saving_vnd"].iloc[0] == pytest.approx(98_000_000)
    csv = (tmp_path / "shared_duct_roads.csv").read_text(encoding="utf-8-sig")
    assert "Đường xã B" in csv
    kml = (tmp_path / "shared_duct_roads.kml").read_text(encoding="utf-8")
    assert "Từ 2 tuyến cáp" in kml and "<LineString>" in kml
