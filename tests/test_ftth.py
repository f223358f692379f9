"""FTTH coverage per hamlet: network drop distances, household shares, the DOMAIN.md rule."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from gis.analysis.ftth import (
    Households,
    access_points,
    cable_points,
    distance_to_sources_m,
    ftth_coverage,
    household_points,
)
from gis.analysis.params import AccessFromCables, FiberParams
from gis.analysis.roads import build_road_graph
from gis.errors import ValidationError
from gis.params import RunParams
from gis.pipeline.context import RunContext
from gis.pipeline.fiber import fiber_plan_stage, ftth_stage
from gis.project import Project

UTM = "EPSG:32648"


def gdf(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM)


def u_roads() -> gpd.GeoDataFrame:
    """Two parallel roads 150 m apart, joined only at their far ends 2 km away (a U)."""
    return gdf([LineString([(0, 0), (2000, 0)]), LineString([(2000, 0), (2000, 150)]),
                LineString([(2000, 150), (0, 150)])])


def centre_households(xy) -> Households:
    xy = np.asarray(xy, float)
    n = len(xy)
    return Households(xy, np.arange(n), np.ones(n), np.full(n, "centre", object),
                      np.ones(n))


def test_close_in_a_straight_line_but_far_along_roads_is_not_covered():
    graph = build_road_graph(u_roads())
    access = np.array([[0.0, 0.0]])          # a splitter at the start of the lower road
    centres = np.array([[0.0, 150.0],        # 150 m away in a straight line, across the field
                        [300.0, 0.0]])       # 300 m down the same road
    villages = gdf([Point(p) for p in centres], name=["Thôn Bên Kia", "Thôn Cạnh"])
    res = ftth_coverage(villages, centres, access, graph=graph,
                        households=centre_households(centres), params=FiberParams())
    # along the roads: 2000 + 150 + 2000 m; the neighbour down the road: 300 m
    np.testing.assert_allclose(res.table["ftth_distance_m"], [4150.0, 300.0])
    assert list(res.table["ftth"]) == [False, True]
    assert res.network
    # the straight-line fallback (no roads) would wrongly count it covered
    flat = ftth_coverage(villages, centres, access, graph=None,
                         households=centre_households(centres), params=FiberParams())
    np.testing.assert_allclose(flat.table["ftth_distance_m"], [150.0, 300.0])
    assert list(flat.table["ftth"]) == [True, True]
    assert not flat.network


def test_household_share_and_rule_by_hand():
    graph = build_road_graph(gdf([LineString([(0, 0), (2000, 0)])]))
    access = np.array([[0.0, 0.0]])
    centres = np.array([[100.0, 0.0], [100.0, 0.0]])
    # hamlet 0: 5 households points at 50, 150, 250, 350 (reached, <= 400 m) and 900 m
    #           -> 4/5 = 0.8 -> FTTH (>= 80 %)
    # hamlet 1: weights 1, 1, 2 at 100 m, 390 m (+ 20 m off-road = 410 m) and 1500 m
    #           -> 1/4 = 0.25 -> not FTTH although the centre is reached
    xy = np.array([[50, 0], [150, 0], [250, 0], [350, 0], [900, 0],
                   [100, 0], [390, 20], [1500, 0]], float)
    hh = Households(xy, np.array([0, 0, 0, 0, 0, 1, 1, 1]),
                    np.array([1, 1, 1, 1, 1, 1, 1, 2], float),
                    np.array(["area", "area"], object), np.array([5.0, 4.0]))
    villages = gdf([Point(p) for p in centres])
    res = ftth_coverage(villages, centres, access, graph=graph, households=hh,
                        params=FiberParams())
    np.testing.assert_allclose(res.table["hh_share_ftth"], [0.8, 0.25])
    assert list(res.table["ftth_centre"]) == [True, True]
    assert list(res.table["ftth"]) == [True, False]
    np.testing.assert_allclose(res.table["households_ftth"], [4.0, 1.0])
    np.testing.assert_allclose(res.household_distance_m[6], 410.0)
    # a longer drop (500 m) reaches the 410 m household: 2/4
    res5 = ftth_coverage(villages, centres, access, graph=graph, households=hh,
                         params=FiberParams(drop_max_m=500))
    np.testing.assert_allclose(res5.table["hh_share_ftth"], [0.8, 0.5])


def test_distance_with_no_sources_is_infinite():
    d = distance_to_sources_m(None, np.zeros((0, 2)), np.array([[1.0, 1.0]]))
    assert np.isinf(d).all()


def test_household_points_from_raster_area_and_centre(tmp_path):
    # population raster: 100 m cells, 4 x 4, top-left at (0, 400)
    pop = np.array([[0, 0, 0, 0],
                    [0, 30, 10, 0],
                    [0, 20, 40, 0],
                    [0, 0, 0, 0]], dtype="float32")
    path = tmp_path / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs=UTM, transform=from_origin(0, 400, 100, 100), nodata=-1) as dst:
        dst.write(pop, 1)
    villages = gdf([box(100, 100, 300, 300),          # the 4 populated cells: raster
                    box(1000, 1000, 1500, 1500),      # no raster cells: spread over the area
                    Point(2000, 2000)],               # a point: all at the centre
                   households=[25.0, np.nan, 12.0], population=[100.0, 70.0, np.nan])
    centres = np.array([[200.0, 200.0], [1250.0, 1250.0], [2000.0, 2000.0]])
    hh = household_points(villages, centres, population=path,
                          params=FiberParams(household_points=25))
    assert list(hh.method) == ["raster", "area", "centre"]
    # hamlet 0: 25 households over 100 people: weights 30/100 x 25 = 7.5, 2.5, 5, 10
    w0 = dict(zip(map(tuple, hh.xy[hh.hamlet == 0]), hh.weight[hh.hamlet == 0], strict=True))
    assert w0 == pytest.approx({(150.0, 250.0): 7.5, (250.0, 250.0): 2.5,
                                (150.0, 150.0): 5.0, (250.0, 150.0): 10.0})
    # hamlet 1: 500 m x 500 m with 25 points: a 5 x 5 grid at 100 m; 70 / 3.5 = 20 households
    pts1 = hh.xy[hh.hamlet == 1]
    assert len(pts1) == 25
    assert sorted(np.unique(pts1[:, 0])) == [1050, 1150, 1250, 1350, 1450]
    np.testing.assert_allclose(hh.weight[hh.hamlet == 1], 20.0 / 25)
    np.testing.assert_allclose(hh.total, [25.0, 20.0, 12.0])
    # hamlet 2: one point at the centre carrying its 12 households
    np.testing.assert_allclose(hh.xy[hh.hamlet == 2], [[2000.0, 2000.0]])
    np.testing.assert_allclose(hh.weight[hh.hamlet == 2], [12.0])


def test_access_points_nodes_or_cables():
    p = FiberParams()
    nodes = gdf([Point(0, 0), Point(10, 0), Point(20, 0), Point(30, 0)],
                kind=["Splitter 1x8", "OLT", "joint closure", None])
    xy, notes = access_points(None, nodes, p)
    # splitter, OLT and the node without a kind (assumed access); not the splice closure
    np.testing.assert_allclose(xy[:, 0], [0, 10, 30])
    assert any("without a kind" in n for n in notes)
    fiber = gdf([LineString([(0, 100), (100, 100)]), LineString([(0, 200), (60, 200)]),
                 LineString([(0, 300), (50, 300)])],
                level=["backbone", "Truy nhập", None])
    # auto: access nodes exist, so cables are not used
    np.testing.assert_allclose(access_points(fiber, nodes, p)[0][:, 0], [0, 10, 30])
    # no nodes: the access cable and the cable of unknown level, every 25 m; not the backbone
    xy, notes = access_points(fiber, None, p)
    assert set(np.unique(xy[:, 1])) == {200.0, 300.0}
    assert any("unknown level" in n for n in notes)
    # always: both
    xy, _ = access_points(fiber, nodes, FiberParams(access_from_cables="always"))
    assert len(xy) == 3 + len(cable_points(fiber.geometry.values[1:], 25.0))
    # never: nodes only, even when there are none of an access kind
    xy, _ = access_points(fiber, nodes.iloc[[2]], FiberParams(access_from_cables="never"))
    assert len(xy) == 0


def test_cable_points_spacing():
    xy = cable_points(np.array([LineString([(0, 0), (100, 0)])], dtype=object), 25.0)
    np.testing.assert_allclose(xy[:, 0], [0, 25, 50, 75, 100, 100])


def test_fiber_params_validation_and_json_roundtrip(tmp_path):
    with pytest.raises(ValidationError, match="hh_share_min"):
        FiberParams(hh_share_min=80)
    with pytest.raises(ValidationError, match="access_from_cables"):
        FiberParams(access_from_cables="sometimes")
    path = tmp_path / "params.json"
    path.write_text('{"fiber": {"drop_max_m": 300, "costs": {"aerial_vnd_per_m": 35000},'
                    ' "gpon": {"splits": [4, 8]}, "access_from_cables": "always"}}',
                    encoding="utf-8")
    rp = RunParams.from_json(path)
    assert rp.fiber.drop_max_m == 300.0
    assert rp.fiber.costs.aerial_vnd_per_m == 35000.0
    assert rp.fiber.gpon.splits == (4, 8)
    assert rp.fiber.hh_share_min == 0.8
    assert rp.fiber.access_from_cables is AccessFromCables.ALWAYS
    rp.to_json(tmp_path / "back.json")
    assert RunParams.from_json(tmp_path / "back.json") == rp


def _ctx(tmp_path, layers: dict) -> RunContext:
    from gis.analysis.hamlets import hamlet_table

    project = Project(name="t", crs=gpd.GeoSeries(crs=UTM).crs)
    for kind, layer in layers.items():
        project.set_layer(kind, layer)
    ctx = RunContext(project=project, params=RunParams(), workdir=tmp_path)
    ctx.hamlets = hamlet_table(layers["villages"])
    return ctx


def test_stage_without_fiber_everything_uncovered_with_warning(tmp_path):
    villages = gdf([Point(500000, 2250000), Point(500100, 2250000)], name=["Thôn A", "Thôn B"],
                   households=[10.0, 20.0])
    ctx = _ctx(tmp_path, {"villages": villages})
    ftth_stage(ctx)
    assert list(ctx.hamlets["ftth"]) == [False, False]
    assert list(ctx.hamlets["hh_share_ftth"]) == [0.0, 0.0]
    assert ctx.hamlets["ftth_distance_m"].isna().all()
    fiber_plan_stage(ctx)  # no roads, no fiber: nothing to plan from
    assert "fiber_extensions" not in ctx.tables
    assert any("no fiber" in w for w in ctx.warnings)
    assert any("straight lines" in w for w in ctx.warnings)


def test_stage_with_roads_and_nodes(tmp_path):
    x0, y0 = 500000.0, 2250000.0
    rd = gdf([LineString([(x0, y0), (x0 + 2000, y0)]),
              LineString([(x0 + 2000, y0), (x0 + 2000, y0 + 150)]),
              LineString([(x0 + 2000, y0 + 150), (x0, y0 + 150)])], road_class=["village"] * 3)
    villages = gdf([Point(x0, y0 + 150), Point(x0 + 200, y0)], name=["Thôn Xa", "Thôn Gần"],
                   households=[10.0, 20.0])
    nodes = gdf([Point(x0, y0)], kind=["splitter"])
    ctx = _ctx(tmp_path, {"villages": villages, "roads": rd, "fiber_nodes": nodes})
    ftth_stage(ctx)
    assert list(ctx.hamlets["ftth"]) == [False, True]
    np.testing.assert_allclose(ctx.hamlets["ftth_distance_m"], [4150.0, 200.0])
    assert any("all households at the centre" in d for d in ctx.defaults)
