"""Fiber extension plan: Steiner trees against brute-force optima, shared trunks, costs, GPON."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from scipy.sparse.csgraph import minimum_spanning_tree, shortest_path
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point

from gis.analysis.fiber_plan import plan_extensions, steiner_tree
from gis.analysis.params import FiberParams
from gis.analysis.roads import build_road_graph
from gis.pipeline.fiber import fiber_plan_stage, ftth_stage

UTM = "EPSG:32648"


def gdf(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM)


def brute_force_steiner(n, u, v, w, terms) -> float:
    """Exact Steiner tree weight: the best MST of the metric closure over terminals + any subset
    of the other nodes (Hakimi's enumeration)."""
    d = np.full((n, n), np.inf)
    np.fill_diagonal(d, 0.0)
    for a, b, c in zip(u, v, w, strict=True):
        d[a, b] = d[b, a] = min(d[a, b], c)
    d = shortest_path(d, directed=False)
    others = [x for x in range(n) if x not in set(terms)]
    best = np.inf
    for r in range(len(others) + 1):
        for extra in itertools.combinations(others, r):
            nodes = [*terms, *extra]
            sub = d[np.ix_(nodes, nodes)]
            if np.isfinite(sub).all():
                best = min(best, minimum_spanning_tree(sub).sum())
    return float(best)


def is_tree_joining(n, u, v, edges, terms) -> bool:
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    m = sparse.coo_array((np.ones(edges.size), (u[edges], v[edges])), shape=(n, n))
    _, lab = connected_components(m, directed=False)
    nodes = np.unique(np.concatenate([u[edges], v[edges]]))
    return len(set(lab[terms])) == 1 and edges.size == nodes.size - 1


def test_steiner_hand_example_uses_the_steiner_node():
    # a 2 x 3 grid of 100 m roads with a long diagonal-free detour; terminals at three corners:
    # 0 - 1 - 2
    # |   |   |
    # 3 - 4 - 5        terminals 0, 2, 4: optimum 0-1, 1-2, 1-4 = 300 (node 1 is a Steiner node)
    u = np.array([0, 1, 3, 4, 0, 1, 2])
    v = np.array([1, 2, 4, 5, 3, 4, 5])
    w = np.full(7, 100.0)
    terms = np.array([0, 2, 4])
    tree = steiner_tree(6, u, v, w, terms)
    assert w[tree].sum() == pytest.approx(300.0)
    assert sorted(tree.tolist()) == [0, 1, 5]
    assert brute_force_steiner(6, u, v, w, list(terms)) == pytest.approx(300.0)


@pytest.mark.parametrize("seed", range(12))
def test_steiner_equals_brute_force_optimum_on_small_graphs(seed):
    rng = np.random.default_rng(seed)
    n = 11
    xy = rng.uniform(0, 1000, (n, 2))
    _, nb = cKDTree(xy).query(xy, 4)
    chain = np.argsort(xy[:, 0])  # a west-east chain keeps the road network connected
    u = np.concatenate([np.repeat(np.arange(n), 3), chain[:-1]])
    v = np.concatenate([nb[:, 1:].ravel(), chain[1:]])
    w = np.round(np.hypot(*(xy[u] - xy[v]).T))
    terms = rng.choice(n, 5, replace=False)
    opt = brute_force_steiner(n, u, v, w, list(terms))
    tree = steiner_tree(n, u, v, w, terms)
    assert np.isfinite(opt)
    assert is_tree_joining(n, u, v, tree, terms)
    assert w[tree].sum() == pytest.approx(opt)


def test_steiner_within_twice_the_optimum_and_at_least_it_on_larger_graphs():
    # Mehlhorn's bound on a graph too large for the 1-Steiner improvement (> 400 nodes): a
    # 25 x 25 grid with random weights. The MST of the terminals' metric closure lies between
    # OPT and 2 OPT, so the tree must cost at most that MST and at least half of it.
    rng = np.random.default_rng(11)
    k = 25
    idx = np.arange(k * k).reshape(k, k)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    w = rng.uniform(50, 150, u.size)
    terms = rng.choice(k * k, 12, replace=False)
    tree = steiner_tree(k * k, u, v, w, terms)
    assert is_tree_joining(k * k, u, v, tree, terms)
    from scipy import sparse

    g = sparse.coo_array((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(k * k, k * k))
    d = shortest_path(g.tocsr(), indices=terms)[:, terms]
    closure_mst = minimum_spanning_tree(d).sum()  # OPT <= closure_mst <= 2 (1 - 1/k) OPT
    assert w[tree].sum() <= closure_mst + 1e-6
    assert w[tree].sum() >= closure_mst / 2


def test_two_hamlets_down_the_same_road_share_one_trunk():
    graph = build_road_graph(gdf([LineString([(0, 0), (3000, 0)])], road_class=["village"]))
    plan = plan_extensions(graph, np.array([[0.0, 0.0]]),
                           np.array([[2000.0, 0.0], [3000.0, 0.0]]),
                           names=np.array(["Thôn Giữa", "Thôn Cuối"]),
                           village_ids=np.array(["T1", "T2"]), households=np.array([60.0, 40.0]),
                           crs=UTM)
    r = plan.routes
    assert len(r) == 1
    # one 3,000 m trunk (not 2,000 + 3,000 m), aerial at 30,000 VND/m
    assert r.loc[0, "length_m"] == pytest.approx(3000.0)
    assert r.loc[0, "cost_vnd"] == pytest.approx(90_000_000.0)
    assert r.loc[0, "hamlets_served"] == "Thôn Giữa; Thôn Cuối"
    assert r.loc[0, "households_served"] == pytest.approx(100.0)
    assert r.loc[0, "cost_per_household_vnd"] == pytest.approx(900_000.0)
    assert r.geometry.iloc[0].length == pytest.approx(3000.0)
    assert list(plan.hamlets["route_id"]) == ["R001", "R001"]


def test_routes_split_aerial_underground_costs_and_rank_by_hand():
    # existing fiber at the junction (0, 0); west: 1000 m of provincial road (underground)
    # then 500 m of village road (aerial) to Thôn Tây (100 households); east: 800 m of commune
    # road (aerial) to Thôn Đông (20 households), whose centre is 50 m off the road.
    rd = gdf([LineString([(0, 0), (-1000, 0)]), LineString([(-1000, 0), (-1500, 0)]),
              LineString([(0, 0), (800, 0)])], road_class=["provincial", "village", "commune"])
    graph = build_road_graph(rd)
    plan = plan_extensions(graph, np.array([[0.0, 0.0]]),
                           np.array([[-1500.0, 0.0], [800.0, 50.0]]),
                           names=np.array(["Thôn Tây", "Thôn Đông"]),
                           village_ids=np.array([1, 2]), households=np.array([100.0, 20.0]),
                           crs=UTM)
    r = plan.routes.set_index("hamlets_served")
    west, east = r.loc["Thôn Tây"], r.loc["Thôn Đông"]
    # west: 1000 x 250,000 + 500 x 30,000 = 265,000,000 VND; per household 2,650,000
    assert (west.length_m, west.underground_m, west.aerial_m) == (1500.0, 1000.0, 500.0)
    assert west.cost_vnd == pytest.approx(265_000_000.0)
    assert west.cost_per_household_vnd == pytest.approx(2_650_000.0)
    # east: (800 + 50 lead-in) x 30,000 = 25,500,000 VND; per household 1,275,000
    assert (east.length_m, east.aerial_m) == (850.0, 850.0)
    assert east.cost_vnd == pytest.approx(25_500_000.0)
    assert east.cost_per_household_vnd == pytest.approx(1_275_000.0)
    # ranked by cost per household: east first
    assert list(plan.routes["hamlets_served"]) == ["Thôn Đông", "Thôn Tây"]
    assert list(plan.routes["route_id"]) == ["R001", "R002"]
    assert list(plan.routes["rank"]) == [1, 2]
    assert plan.total_cost_vnd == pytest.approx(290_500_000.0)


def test_prefer_planned_works_picks_the_codeployment_road():
    # two ways round a block to the hamlet at (1000, 0): the south road (1200 m) or the north
    # road (1400 m) where a power-line project is planned. Without preference: south,
    # 1200 x 30,000 = 36,000,000; preferring planned works: north, 1400 x 15,000 = 21,000,000.
    rd = gdf([LineString([(0, 0), (0, -100), (1000, -100), (1000, 0)]),
              LineString([(0, 0), (0, 200), (1000, 200), (1000, 0)])],
             road_class=["village", "village"], planned_works=[None, "Đường điện 2026"])
    args = dict(names=np.array(["Thôn"]), village_ids=np.array([1]), households=np.array([50.0]),
                crs=UTM)
    base = plan_extensions(build_road_graph(rd), np.array([[0.0, 0.0]]),
                           np.array([[1000.0, 0.0]]), **args)
    assert base.routes.loc[0, "length_m"] == pytest.approx(1200.0)
    assert base.routes.loc[0, "cost_vnd"] == pytest.approx(36_000_000.0)
    pref = plan_extensions(build_road_graph(rd, prefer_planned_works=True),
                           np.array([[0.0, 0.0]]), np.array([[1000.0, 0.0]]),
                           params=FiberParams(prefer_planned_works=True), **args)
    assert pref.routes.loc[0, "length_m"] == pytest.approx(1400.0)
    assert pref.routes.loc[0, "planned_works_m"] == pytest.approx(1400.0)
    assert pref.routes.loc[0, "cost_vnd"] == pytest.approx(21_000_000.0)


def test_optical_budget_along_the_plan():
    # OLT 2 km before the existing network's end; new route 13 km; drop 400 m:
    # 15.4 km -> 17.2 + 15.4 x 0.35 + 2 + 0.1 x (4 + 8) + 3 = 28.79 dB > 28 dB: fails.
    # The near hamlet at 4 km of new route: 6.4 km -> 17.2 + 2.24 + 2 + 0.1 x (4 + 4) + 3
    # = 25.24 dB.
    rd = gdf([LineString([(-2000, 0), (0, 0)]), LineString([(0, 0), (13000, 0)])],
             road_class=["village", "village"])
    plan = plan_extensions(build_road_graph(rd), np.array([[-2000.0, 0.0], [0.0, 0.0]]),
                           np.array([[4000.0, 0.0], [13000.0, 0.0]]),
                           names=np.array(["Gần", "Xa"]), village_ids=np.array([1, 2]),
                           households=np.array([10.0, 10.0]), olt_xy=np.array([[-2000.0, 0.0]]),
                           crs=UTM)
    h = plan.hamlets
    np.testing.assert_allclose(h["olt_to_home_km"], [6.4, 15.4])
    np.testing.assert_allclose(h["loss_db"], [25.24, 28.79])
    assert list(h["gpon_ok"]) == [True, False]
    assert not bool(plan.routes.loc[0, "gpon_ok"])


def test_unreachable_hamlet_is_listed_not_dropped():
    rd = gdf([LineString([(0, 0), (1000, 0)]), LineString([(5000, 0), (6000, 0)])])
    plan = plan_extensions(build_road_graph(rd), np.array([[0.0, 0.0]]),
                           np.array([[1000.0, 0.0], [6000.0, 0.0], [0.0, 0.0]]),
                           names=np.array(["A", "Island", "Here"]), village_ids=np.arange(3),
                           households=np.array([5.0, 5.0, 5.0]), crs=UTM)
    assert list(plan.hamlets["status"]) == ["planned", "unreachable", "on_network"]
    # within the cable sampling step (25 m) of the existing network counts as on it
    near = plan_extensions(build_road_graph(rd), np.array([[0.0, 0.0]]),
                           np.array([[20.0, 0.0], [30.0, 0.0]]), names=np.array(["N", "F"]),
                           village_ids=np.arange(2), households=np.ones(2), crs=UTM)
    assert list(near.hamlets["status"]) == ["on_network", "planned"]
    assert len(plan.routes) == 1


def test_stage_plans_routes_for_hamlets_without_fiber(tmp_path):
    from gis.analysis.hamlets import hamlet_table
    from gis.params import RunParams
    from gis.pipeline.context import RunContext
    from gis.project import Project

    x0, y0 = 500000.0, 2250000.0
    rd = gdf([LineString([(x0, y0), (x0 + 3000, y0)])], road_class=["village"])
    villages = gdf([Point(x0 + 100, y0), Point(x0 + 2000, y0), Point(x0 + 3000, y0)],
                   name=["Thôn Có", "Thôn Giữa", "Thôn Cuối"], households=[50.0, 60.0, 40.0])
    fiber = gdf([LineString([(x0, y0), (x0 + 200, y0)])], level=["access"])
    project = Project(name="t", crs=villages.crs)
    for kind, layer in {"villages": villages, "roads": rd, "fiber": fiber}.items():
        project.set_layer(kind, layer)
    ctx = RunContext(project=project, params=RunParams(), workdir=tmp_path)
    ctx.hamlets = hamlet_table(villages)
    ftth_stage(ctx)
    fiber_plan_stage(ctx)
    assert list(ctx.hamlets["ftth"]) == [True, False, False]
    assert list(ctx.hamlets["fiber_plan_status"]) == ["has_ftth", "planned", "planned"]
    routes = ctx.tables["fiber_extensions"]
    assert routes.crs.to_epsg() == 4326
    assert len(routes) == 1
    # from the cable's end at 200 m to 3000 m: 2,800 m shared by both hamlets
    assert routes.loc[0, "length_m"] == pytest.approx(2800.0)
    assert routes.loc[0, "households_served"] == pytest.approx(100.0)
    assert any("no OLT" in d for d in ctx.defaults)


def test_sample_area_hamlets_without_fiber_are_uncovered_and_get_routes(sample_dir, tmp_path):
    from gis.pipeline.stages import STAGES, run
    from gis.pipeline.write import write_run
    from gis.project import Project

    project = Project.load(sample_dir)
    stages = [s for s in STAGES if s.name in ("hamlets", "ftth", "fiber_plan", "facilities")]
    ctx = run(project, out_dir=tmp_path, stages=stages)
    villages = project.layer("villages")
    design = villages["sample_design"].fillna("")
    no_fiber = design.str.contains("no_fiber").to_numpy()
    no_road = design.str.contains("no_road").to_numpy()
    h = ctx.hamlets
    assert no_fiber.sum() >= 5
    assert not h["ftth"].to_numpy(bool)[no_fiber].any()
    status = h["fiber_plan_status"].to_numpy()
    # built without fiber: a planned route, or a splitter where a cable already passes; the
    # hamlets built without a road cannot be reached along roads and are listed as such
    assert set(status[no_fiber & ~no_road]) <= {"planned", "needs_splitter"}
    assert (status[no_fiber & ~no_road] == "planned").mean() > 0.8
    assert set(status[no_road]) <= {"unreachable"}
    routes = ctx.tables["fiber_extensions"]
    served = {v for ids in routes["village_ids"] for v in ids.split("; ") if v}
    planned_ids = set(villages["village_id"].to_numpy()[status == "planned"])
    assert planned_ids == served
    assert (routes["cost_vnd"] > 0).all()
    assert routes["cost_per_household_vnd"].is_monotonic_increasing
    out = write_run(ctx, tmp_path / "out")
    text = (out / "fiber_extensions.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("rank,route_id,length_m,aerial_m,underground_m")
    assert (out / "fiber_extensions.geojson").is_file()
    assert (out / "facilities.csv").is_file()
    hamlets_csv = (out / "hamlets.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert {"ftth", "hh_share_ftth", "ftth_distance_m"} <= set(hamlets_csv.split(","))


def test_stage_without_existing_fiber_plans_nothing_and_says_so(tmp_path):
    from gis.analysis.hamlets import hamlet_table
    from gis.params import RunParams
    from gis.pipeline.context import RunContext
    from gis.project import Project

    x0, y0 = 500000.0, 2250000.0
    villages = gdf([Point(x0, y0), Point(x0 + 500, y0)], name=["A", "B"], households=[5.0, 6.0])
    rd = gdf([LineString([(x0, y0), (x0 + 1000, y0)])], road_class=["village"])
    project = Project(name="t", crs=villages.crs)
    project.set_layer("villages", villages)
    project.set_layer("roads", rd)
    ctx = RunContext(project=project, params=RunParams(), workdir=tmp_path)
    ctx.hamlets = hamlet_table(villages)
    ftth_stage(ctx)
    fiber_plan_stage(ctx)
    assert list(ctx.hamlets["fiber_plan_status"]) == ["no_existing_fiber"] * 2
    assert len(ctx.tables["fiber_extensions"]) == 0
    assert "cost_per_household_vnd" in ctx.tables["fiber_extensions"].columns
    assert any("no existing fiber" in w for w in ctx.warnings)
