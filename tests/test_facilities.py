"""Facilities' connectivity: FTTH reach along roads, 4G/5G at the facility, the reason."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from gis.analysis.facilities import facility_status, radio_thresholds
from gis.analysis.params import FiberParams
from gis.analysis.roads import build_road_graph
from gis.pipeline.fiber import facilities_stage

UTM = "EPSG:32648"


def gdf(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM)


class StandInCoverage:
    """A test double with the interface of the radio CoverageResult: ``sample(xy, tech)``.

    4G: -100 dBm west of x = 1000 m, -118 dBm east of it; 5G: -90 dBm within 200 m of the
    origin, NaN (outside the computed area) elsewhere.
    """

    def sample(self, xy, tech, operator=None):
        xy = np.asarray(xy, float)
        if tech == "4G":
            return np.where(xy[:, 0] < 1000, -100.0, -118.0)
        return np.where(np.hypot(xy[:, 0], xy[:, 1]) < 200, -90.0, np.nan)


def layers():
    roads = gdf([LineString([(0, 0), (3000, 0)]), LineString([(0, 0), (0, 500)])])
    facilities = gdf(
        [Point(100, 50),                     # school: 100 m + 50 m off-road
         Point(1500, 0),                     # health station: 1500 m along the road
         box(2900, -20, 2980, 20),           # industrial zone polygon, 2940 m
         Point(-30, 450)],                   # commune office: 450 + 30 m
        kind=["school", "health_station", "industrial_zone", "commune_office"],
        name=["Trường Tiểu học A", "Trạm y tế B", "KCN C", "UBND xã D"],
        facility_id=["CS1", "CS2", "CS3", "CS4"],
    )
    return roads, facilities


def test_ftth_reach_along_roads_without_radio():
    roads, fac = layers()
    st = facility_status(fac, np.array([[0.0, 0.0]]), graph=build_road_graph(roads),
                         params=FiberParams())
    np.testing.assert_allclose(st["ftth_distance_m"], [150.0, 1500.0, 2940.0, 480.0])
    assert list(st["ftth"]) == [True, False, False, False]
    assert list(st["connected"]) == [True, False, False, False]
    assert st["mobile_4g"].isna().all() and st["mobile_5g"].isna().all()
    assert st.loc[1, "reason"] == ("no FTTH access point within 400 m (nearest 1500 m); "
                                   "4G/5G not computed")
    assert st.loc[0, "reason_vi"].startswith("điểm truy nhập quang cách 150 m")
    assert list(st["kind_vi"]) == ["Trường học", "Trạm y tế", "Khu công nghiệp", "UBND xã"]
    # a longer drop reaches the commune office at 480 m
    st5 = facility_status(fac, np.array([[0.0, 0.0]]), graph=build_road_graph(roads),
                          params=FiberParams(drop_max_m=500))
    assert list(st5["ftth"]) == [True, False, False, True]


def test_mobile_coverage_from_the_coverage_interface():
    roads, fac = layers()
    st = facility_status(fac, np.array([[0.0, 0.0]]), graph=build_road_graph(roads),
                         params=FiberParams(), coverage=StandInCoverage(),
                         thresholds_dbm={"4G": -110.0})
    # 4G: -100 dBm (>= -110) at x < 1000, -118 dBm east of it
    assert list(st["mobile_4g"]) == [True, False, False, True]
    # 5G: default -110 dBm threshold; only the school is within 200 m of the origin
    assert list(st["mobile_5g"]) == [True, False, False, False]
    np.testing.assert_allclose(st["rsrp_4g_dbm"], [-100, -118, -118, -100])
    assert list(st["connected"]) == [True, False, False, True]
    assert st.loc[3, "reason"].endswith("covered by 4G")
    assert st.loc[2, "reason_vi"].endswith("không có sóng 4G/5G")
    # a stricter 4G threshold (-95 dBm) leaves the commune office unconnected
    strict = facility_status(fac, np.array([[0.0, 0.0]]), graph=build_road_graph(roads),
                             params=FiberParams(), coverage=StandInCoverage(),
                             thresholds_dbm={"4G": -95.0, "5G": -95.0})
    assert list(strict["connected"]) == [True, False, False, False]


def test_radio_thresholds_read_from_radio_params():
    from gis.radio.params import CoverageTiers, RadioParams

    radio = RadioParams()
    assert radio_thresholds(radio) == {"4G": radio.tech("4G").tiers.edge_dbm,
                                       "5G": radio.tech("5G").tiers.edge_dbm}
    techs = dict(radio.techs)
    techs["4G"] = dataclasses.replace(techs["4G"], tiers=CoverageTiers(-90.0, -100.0, -105.0))
    assert radio_thresholds(radio.replace(techs=techs))["4G"] == -105.0
    assert radio_thresholds(None) == {}
    assert radio_thresholds(object()) == {}


def test_stage_lists_unconnected_facilities(tmp_path):
    from gis.params import RunParams
    from gis.pipeline.context import RunContext
    from gis.project import Project

    x0, y0 = 500000.0, 2250000.0
    roads, fac = layers()
    roads = roads.set_geometry(roads.translate(x0, y0))
    fac = fac.set_geometry(fac.translate(x0, y0))
    nodes = gdf([Point(x0, y0)], kind=["cabinet"])
    project = Project(name="t", crs=roads.crs)
    for kind, layer in {"roads": roads, "facilities": fac, "fiber_nodes": nodes}.items():
        project.set_layer(kind, layer)
    ctx = RunContext(project=project, params=RunParams(), workdir=tmp_path)
    facilities_stage(ctx)
    table = ctx.tables["facilities"]
    assert table.crs.to_epsg() == 4326
    assert list(table["facility_id"]) == ["CS1", "CS2", "CS3", "CS4"]
    assert list(table["connected"]) == [True, False, False, False]
    assert table["lon"].between(104, 106).all()
    assert any("3 of 4 not connected" in w and "Trạm y tế B" in w for w in ctx.warnings)
    assert any("no radio coverage" in w for w in ctx.warnings)
    # with a coverage result in the run, 4G/5G are filled in
    ctx2 = RunContext(project=project, params=RunParams(), workdir=tmp_path)

    class Shifted(StandInCoverage):
        def sample(self, xy, tech, operator=None):
            return super().sample(np.asarray(xy) - [x0, y0], tech, operator)

    ctx2.state.coverage = Shifted()
    facilities_stage(ctx2)
    assert list(ctx2.tables["facilities"]["mobile_4g"]) == [True, False, False, True]
    # the thresholds come from the run's radio parameters, so no fallback is noted
    assert not any("dBm RSRP counts" in d for d in ctx2.defaults)


@pytest.mark.parametrize("kind", ["school", "other"])
def test_kind_labels(kind):
    fac = gdf([Point(0, 0)], kind=[kind])
    st = facility_status(fac, np.zeros((0, 2)), graph=None, params=FiberParams())
    assert not st.loc[0, "ftth"]
    assert st.loc[0, "reason"].startswith("no FTTH access point within 400 m (none reachable)")


def test_facility_without_geometry_is_kept_and_unconnected():
    fac = gdf([Point(0, 0), None], kind=["school", "school"], name=["Có", "Không tọa độ"])
    for graph in (None, build_road_graph(gdf([LineString([(0, 0), (100, 0)])]))):
        st = facility_status(fac, np.array([[0.0, 0.0]]), graph=graph, params=FiberParams())
        assert list(st["ftth"]) == [True, False]
        assert np.isnan(st.loc[1, "ftth_distance_m"])
        assert "none reachable" in st.loc[1, "reason"]


def test_stage_with_unnamed_facilities(tmp_path):
    """OSM schools and clinics often have no name (pandas 3 keeps NaN through astype(str)):
    the stage lists them by id instead of raising TypeError."""
    from gis.params import RunParams
    from gis.pipeline.context import RunContext
    from gis.project import Project

    x0, y0 = 500000.0, 2250000.0
    roads, _ = layers()
    roads = roads.set_geometry(roads.translate(x0, y0))
    fac = gdf([Point(x0 + 2000, y0 + 900), Point(x0 + 2500, y0 + 900), Point(x0 + 2600, y0)],
              kind=["school", "health_station", "commune_office"],
              facility_id=["osm:n2001", None, "osm:n2003"], name=[None, None, float("nan")])
    project = Project(name="t", crs=roads.crs)
    project.set_layer("roads", roads)
    project.set_layer("facilities", fac)
    ctx = RunContext(project=project, params=RunParams(), workdir=tmp_path)
    facilities_stage(ctx)
    assert ctx.tables["facilities"]["name"].isna().all()       # kept empty, not "nan"
    warning = next(w for w in ctx.warnings if "not connected" in w)
    assert "3 of 3 not connected: osm:n2001, #2, osm:n2003." in warning
    assert "nan" not in warning


def test_facility_labels():
    from gis.analysis.facilities import facility_labels

    status = pd.DataFrame({"name": ["Trường A", None, np.nan, ""],
                           "facility_id": ["F1", "F2", None, 7.0]})
    assert facility_labels(status).tolist() == ["Trường A", "F2", "#3", "7"]
    assert facility_labels(pd.DataFrame({"kind": ["school"]})).tolist() == ["#1"]
