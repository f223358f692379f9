"""Road graph: noding, snapping, components, costs per metre, point attachment, distances."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString, MultiLineString, Point

from gis.analysis.costs import CostParams, GponParams, normalise_road_class, planned_flags
from gis.analysis.roads import attach_points, build_road_graph, multi_source_distance
from gis.errors import CRSError, ValidationError

UTM = "EPSG:32648"


def roads(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM)


def degree(g, xy):
    node = int(np.argmin(np.hypot(*(g.node_xy - np.asarray(xy)).T)))
    return int(np.sum(g.edge_u == node) + np.sum(g.edge_v == node)), node


def test_crossing_lines_are_noded():
    # an X crossing at (500, 0) without a vertex there, and a T junction at (200, 0)
    g = build_road_graph(roads([LineString([(0, 0), (1000, 0)]),
                                LineString([(500, -300), (500, 300)]),
                                LineString([(200, 0), (200, 400)])]))
    assert g.n_nodes == 7
    assert g.n_edges == 6
    assert degree(g, (500, 0))[0] == 4
    assert degree(g, (200, 0))[0] == 3
    assert sorted(np.round(g.length_m, 6)) == [200, 300, 300, 300, 400, 500]
    assert g.length_m.sum() == pytest.approx(1000 + 600 + 400)
    assert g.disconnected_rows().size == 0
    # along the roads, from (0, 0) to (500, 300): 500 + 300 m
    d = dijkstra(g.csr(), indices=degree(g, (0, 0))[1])
    assert d[degree(g, (500, 300))[1]] == pytest.approx(800.0)


def test_undershoot_within_tolerance_is_snapped_and_beyond_is_reported():
    main = LineString([(0, 0), (1000, 0)])
    near = LineString([(400, 4), (400, 500)])    # stops 4 m short: joined
    far = LineString([(700, 9), (700, 500)])     # stops 9 m short: not joined
    g = build_road_graph(roads([main, near, far], name=["QL12B", "Đường thôn 1", "Đường Bản"]))
    np.testing.assert_array_equal(g.disconnected_rows(), [2])
    text = " ".join(g.warnings)
    assert "row(s) 3" in text and "Đường Bản" in text and "dòng 3" in text
    # the snapped line meets the main road at (400, 0), splitting it
    assert degree(g, (400, 0))[0] == 3
    # with a 10 m tolerance everything is one network
    g10 = build_road_graph(roads([main, near, far]), snap_tolerance_m=10.0)
    assert g10.disconnected_rows().size == 0
    assert np.unique(g10.components).size == 1


def test_end_to_end_gap_is_snapped():
    g = build_road_graph(roads([LineString([(0, 0), (100, 0)]),
                                LineString([(103, 0), (300, 0)])]))
    assert np.unique(g.components).size == 1
    # lengths are those of the drawn lines (the 3 m gap is not added)
    assert g.length_m.sum() == pytest.approx(100 + 197)


def test_multilinestring_and_unusable_rows_are_reported():
    geoms = [MultiLineString([[(0, 0), (100, 0)], [(100, 0), (100, 100)]]), Point(5, 5),
             LineString([(0, 0), (0, 0)])]
    g = build_road_graph(roads(geoms))
    assert g.length_m.sum() == pytest.approx(200.0)
    np.testing.assert_array_equal(np.unique(g.road_row), [0])
    assert any("row(s) 2, 3" in w for w in g.warnings)


def test_costs_per_metre_times_length_by_hand():
    rd = roads([LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (1000, 300)]),
                LineString([(0, 0), (0, -200)])],
               road_class=["Quốc lộ", "village", "commune"],
               planned_works=[None, "Dự án điện nông thôn 2026", ""])
    g = build_road_graph(rd)
    by_row = {int(r): (float(L), float(c), bool(ug))
              for r, L, c, ug in zip(g.road_row, g.length_m, g.cost_vnd, g.underground,
                                     strict=True)}
    # national road: underground 250,000 VND/m x 1000 m; village: aerial 30,000 x 300;
    # commune: aerial 30,000 x 200
    assert by_row[0] == (1000.0, 250_000_000.0, True)
    assert by_row[1] == (300.0, 9_000_000.0, False)
    assert by_row[2] == (200.0, 6_000_000.0, False)
    # co-deployment on the village road with planned works halves its cost: 300 x 15,000
    g2 = build_road_graph(rd, prefer_planned_works=True)
    assert g2.cost_vnd[g2.road_row == 1].sum() == pytest.approx(4_500_000.0)
    assert g2.cost_vnd[g2.road_row == 0].sum() == pytest.approx(250_000_000.0)
    # editable: a user's own prices
    g3 = build_road_graph(rd, costs=CostParams(aerial_vnd_per_m=40_000,
                                               underground_vnd_per_m=400_000))
    assert g3.cost_vnd.sum() == pytest.approx(400_000 * 1000 + 40_000 * 500)


def test_unknown_road_class_is_warned_and_costed_as_other():
    g = build_road_graph(roads([LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])],
                               road_class=["đường lạ", "primary"]))
    assert list(g.road_class[np.argsort(g.road_row)]) == ["other", "provincial"]
    assert any("row(s) 1 not recognised" in w for w in g.warnings)


def test_normalise_and_planned_flags():
    got = normalise_road_class(["national", "Tỉnh lộ", "secondary_link", None, "xyz", "Đường xã"])
    assert list(got) == ["national", "provincial", "district", "other", "other", "commune"]
    got = planned_flags(["Nâng cấp 2026", None, "no", "0", np.nan, True, "Không"], 7)
    assert list(got) == [True, False, False, False, False, True, False]


def test_geographic_crs_is_refused():
    rd = gpd.GeoDataFrame(geometry=[LineString([(105.0, 20.0), (105.1, 20.0)])], crs=4326)
    with pytest.raises(CRSError, match="metric"):
        build_road_graph(rd)


def test_attach_points_splits_edges_and_adds_offroad_leg():
    g = build_road_graph(roads([LineString([(0, 0), (1000, 0)])]))
    att = attach_points(g, np.array([[250.0, 10.0], [700.0, -30.0], [250.0, -5.0], [-40, 0]]))
    # two distinct split positions (250 and 700), the third point shares the 250 m node,
    # the fourth attaches to the end node (0, 0) with a 40 m off-road leg
    assert att.graph.n_nodes == g.n_nodes + 2
    assert att.node[0] == att.node[2]
    np.testing.assert_allclose(att.offroad_m, [10, 30, 5, 40])
    assert att.graph.length_m.sum() == pytest.approx(1000.0)
    d = multi_source_distance(att.graph, att.node[:1], att.offroad_m[:1])
    # from the first point: 10 m to the road, 450 m along it, 30 m to the second point
    assert d[att.node[1]] + att.offroad_m[1] == pytest.approx(10 + 450 + 30)
    assert d[att.node[3]] + att.offroad_m[3] == pytest.approx(10 + 250 + 40)


def test_multi_source_distance_equals_min_over_single_searches():
    rng = np.random.default_rng(3)
    n = 15
    xy = rng.uniform(0, 2000, (n, 2))
    lines = [LineString([xy[i], xy[j]]) for i in range(n) for j in range(i + 1, n)
             if rng.random() < 0.25]
    g = build_road_graph(roads(lines), snap_tolerance_m=0.0)
    src = rng.choice(g.n_nodes, 4, replace=False)
    off = rng.uniform(0, 100, 4)
    got = multi_source_distance(g, src, off)
    each = dijkstra(g.csr(), indices=src) + off[:, None]
    np.testing.assert_allclose(got, each.min(axis=0), rtol=1e-9)
    # the same two sources at one node: the smaller offset wins
    got2 = multi_source_distance(g, np.array([src[0], src[0]]), np.array([50.0, 5.0]))
    assert got2[src[0]] == pytest.approx(5.0)


def test_parallel_edges_keep_the_shorter():
    # two roads between the same ends: a straight one (100 m) and a detour (140 m)
    g = build_road_graph(roads([LineString([(0, 0), (100, 0)]),
                                LineString([(0, 0), (50, 48.9898), (100, 0)])]))
    d = dijkstra(g.csr(), indices=degree(g, (0, 0))[1])
    assert d[degree(g, (100, 0))[1]] == pytest.approx(100.0)


def test_gpon_budget_by_hand():
    gp = GponParams()
    # 10 km: 17.2 (1:32) + 10 x 0.35 + 4 x 0.5 + 0.1 x (4 + 5 splices) + 3 = 26.6 dB
    assert gp.loss_db(10.0) == pytest.approx(26.6)
    # 15 km: 17.2 + 5.25 + 2 + 0.1 x (4 + 8) + 3 = 28.65 dB > 28: fails
    assert gp.loss_db(15.0) == pytest.approx(28.65)
    np.testing.assert_array_equal(gp.ok(np.array([10.0, 15.0])), [True, False])
    # two stages 1:4 + 1:8 = 7.3 + 10.7 dB
    assert GponParams(splits=(4, 8)).splitter_loss_db == pytest.approx(18.0)
    # class C+ (32 dB) passes 15 km, but not past the 20 km GPON reach
    np.testing.assert_array_equal(GponParams(budget_db=32).ok(np.array([15.0, 21.0])),
                                  [True, False])
    with pytest.raises(ValidationError, match="splits"):
        GponParams(splits=(3,))
    with pytest.raises(ValidationError, match="aerial_vnd_per_m"):
        CostParams(aerial_vnd_per_m=0)


def test_collinear_overlap_and_bent_line_crossing():
    # B runs along A for 500 m (drawn twice): the shared piece is one edge, not two
    g = build_road_graph(roads([LineString([(0, 0), (1000, 0)]),
                                LineString([(500, 0), (1500, 0)]),
                                LineString([(800, -100), (900, 100), (1200, 100)])]))
    # the bent line crosses y = 0 at x = 850 on its first segment
    assert degree(g, (850, 0))[0] == 4
    on_axis = np.abs(g.node_xy[g.edge_u, 1]) + np.abs(g.node_xy[g.edge_v, 1]) == 0
    assert g.length_m[on_axis].sum() == pytest.approx(1500.0)
    assert np.unique(g.components).size == 1


def test_points_without_coordinates_are_not_attached():
    g = build_road_graph(roads([LineString([(0, 0), (1000, 0)])]))
    att = attach_points(g, np.array([[np.nan, np.nan], [500.0, 20.0]]))
    assert att.node[0] == -1 and np.isinf(att.offroad_m[0])
    assert att.offroad_m[1] == pytest.approx(20.0)
    d = multi_source_distance(att.graph, att.node[1:], att.offroad_m[1:])
    assert d[degree(att.graph, (0, 0))[1]] == pytest.approx(520.0)
