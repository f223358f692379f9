"""The OSM importer on real-shaped files: an openstreetmap.org XML export and an Overpass
answer with ``out center;`` (nothing dropped without a reason; the coverage margin)."""

from __future__ import annotations

import numpy as np
import pytest

from gis.analysis.roads import build_road_graph
from gis.opendata import OsmParams, import_osm, read_osm
from tests.opendata_fixtures import (
    AREA,
    OVERPASS_AREA,
    write_osm_xml,
    write_overpass_json,
)


@pytest.fixture(scope="module")
def xml(tmp_path_factory):
    return write_osm_xml(tmp_path_factory.mktemp("osm") / "map.osm")


@pytest.fixture(scope="module")
def layers(xml):
    return read_osm(xml, AREA)


def _rejected(report) -> dict[str, str]:
    return {r.reason_en.split(": ", 1)[0]: r.reason_en.split(": ", 1)[1] for r in report.rejected}


def test_every_layer_accounts_for_every_object(layers):
    for kind, (_, rep) in layers.items():
        assert rep.rows_read == rep.rows_loaded + len(rep.rejected), kind
        assert len({r.row for r in rep.rejected}) == len(rep.rejected), kind


def test_places(layers):
    vil, rep = layers["villages"]
    names = dict(zip(vil["village_id"], vil["name"], strict=True))
    assert names == {"osm:n1001": "Xóm Đông",              # name:vi only
                     "osm:n1002": "Hai Bac Village",       # name:en only
                     "osm:n1003": "Thôn chưa tên osm:n1003",
                     "osm:n1004": "Tổ dân phố 3"}          # place=neighbourhood (tổ dân phố)
    # 4 hamlets + place=suburb + place=plot + the residential multipolygon without its way;
    # Thôn Ngoài (10 km east) is not of the area: hamlets are counted in the area only.
    assert (rep.rows_read, rep.rows_loaded) == (7, 4)
    why = _rejected(rep)
    assert why["osm:n1005"].startswith("place=suburb is a part of a town")
    assert why["osm:n1006"].startswith("place=plot is a land parcel")
    assert "member ways missing from the file" in why["osm:r8001"]
    vi = {r.reason_vi.split(": ", 1)[0] for r in rep.rejected}
    assert vi == {"osm:n1005", "osm:n1006", "osm:r8001"}
    assert any("place=suburb, plot" in w for w in rep.warnings)


def test_facilities_without_names(layers):
    fac, rep = layers["facilities"]
    got = fac.set_index("facility_id")
    assert sorted(got.index) == ["osm:n2001", "osm:n2002", "osm:n2003", "osm:n2004", "osm:w3001"]
    assert got["kind"].to_dict() == {"osm:n2001": "school", "osm:n2002": "health_station",
                                     "osm:n2003": "commune_office", "osm:n2004": "school",
                                     "osm:w3001": "school"}
    assert got.loc["osm:n2004", "name"] == "Trường Tiểu học Hải Bắc"
    assert got["name"].isna().sum() == 4
    assert got.loc["osm:w3001"].geometry.geom_type == "Polygon"
    assert (rep.rows_read, rep.rows_loaded, len(rep.rejected)) == (5, 5, 0)


def test_masts_within_the_coverage_margin(layers, xml):
    sites, rep = layers["sites"]
    wgs = sites.to_crs(4326).set_index("site_id")
    # n4002 is 10.4 km east of the area, inside the 15 km default margin; n4003 (38 km) is not.
    assert sorted(wgs.index) == ["osm:n4001", "osm:n4002"]
    assert wgs.loc["osm:n4002", "operator"] == "VinaPhone"
    assert wgs.loc["osm:n4001", "tech"] == "4G"
    assert rep.extra["stats"]["site_in_margin"] == 1
    assert any("within the 15000 m margin" in w for w in rep.warnings)
    assert rep.extra["params"]["margin_m"] == 15000.0
    near = read_osm(xml, AREA, params=OsmParams(layers=("sites",), margin_m=5000))["sites"][0]
    assert list(near["site_id"]) == ["osm:n4001"]
    wide = read_osm(xml, AREA, params=OsmParams(layers=("sites",), margin_m=40_000))["sites"][0]
    assert sorted(wide["site_id"]) == ["osm:n4001", "osm:n4002", "osm:n4003"]


def test_roads_that_leave_the_area_and_come_back(layers, xml):
    roads, rep = layers["roads"]
    ids = set(roads["osm_id"])
    # w6003 lies wholly outside the area but joins w6002 to w6004; w6006 is 35 km away.
    assert ids == {"osm:w6001", "osm:w6002", "osm:w6003", "osm:w6004", "osm:w6007"}
    assert _rejected(rep)["osm:w6005"].startswith("its nodes are missing from the file")
    assert (rep.rows_read, rep.rows_loaded) == (6, 5)
    w6002 = roads.to_crs(4326).set_index("osm_id").loc["osm:w6002"].geometry
    assert w6002.coords[-1] == pytest.approx((106.33, 20.16))        # kept whole, not cut
    graph = build_road_graph(roads)
    assert np.unique(graph.components).size == 1
    cut = read_osm(xml, AREA, params=OsmParams(layers=("roads",), margin_m=0))["roads"][0]
    assert "osm:w6003" not in set(cut["osm_id"])
    assert np.unique(build_road_graph(cut).components).size == 2


def test_fibre_cable(layers):
    fiber, rep = layers["fiber"]
    row = fiber.iloc[0]
    assert (row["osm_id"], row["operator"], row["installation"]) == ("osm:w7101", "VNPT",
                                                                      "underground")
    assert row["level"] == "backbone"          # no FTTH drop is claimed from an OSM cable
    assert rep.rows_read == 1
    assert any("taken as backbone" in w for w in rep.warnings)


def test_objects_of_no_layer_are_counted(layers):
    _, rep = layers["roads"]
    not_used = rep.extra["objects_not_used"]
    assert not_used["untagged nodes that no way uses"] == 1            # n5001
    assert not_used[next(k for k in not_used if k.startswith("objects whose tags"))] == 1  # route
    assert any("no layer uses" in w for w in rep.warnings)


def test_new_project_says_it_has_no_admin_layer(xml, tmp_path):
    project = import_osm(xml, AREA)
    warnings = project.reports["villages"].warnings
    assert not any("keeps its own" in w for w in warnings)
    assert any("map.osm has no admin in the area: the project has no admin units layer yet"
               in w for w in warnings)
    vi = project.reports["villages"].warnings_vi
    assert any("dự án chưa có lớp đơn vị hành chính" in w for w in vi)
    # into a project that has admin units: it keeps them, and says so
    project.save(tmp_path / "p")
    from gis.project import Project

    keep = Project.load(tmp_path / "p")
    keep.set_layer("admin", project.layers["villages"].iloc[0:0].assign(level=[]))
    again = import_osm(xml, AREA, keep, params=OsmParams(layers=("villages", "admin")))
    assert any("map.osm has no admin in the area: the project keeps its own admin units" in w
               for w in again.reports["villages"].warnings)


@pytest.fixture(scope="module")
def overpass(tmp_path_factory):
    return read_osm(write_overpass_json(tmp_path_factory.mktemp("op") / "hospitals.json"),
                    OVERPASS_AREA)


def test_overpass_out_center(overpass):
    fac, rep = overpass["facilities"]
    got = fac.to_crs(4326).set_index("facility_id")
    assert sorted(got.index) == ["osm:n301", "osm:n302", "osm:r501", "osm:w401", "osm:w402"]
    assert got.loc["osm:w401", "name"] == "E Hospital"
    assert got.loc["osm:r501", "name"] == "Bệnh viện Hữu nghị Việt Đức"
    assert pd_isna(got.loc["osm:n302", "name"])
    pt = got.loc["osm:w401"].geometry
    assert (pt.x, pt.y) == pytest.approx((105.8503, 21.0202))
    assert (rep.rows_read, rep.rows_loaded) == (6, 5)
    assert _rejected(rep)["osm:r502"].startswith("no coordinates in the Overpass answer")
    vil, vrep = overpass["villages"]
    assert list(vil["name"]) == ["Tổ dân phố 12"]
    assert _rejected(vrep)["osm:n304"].startswith("place=suburb")
    assert vrep.rows_read == vrep.rows_loaded + len(vrep.rejected) == 2
    assert rep.extra["objects_not_used"]["untagged nodes that no way uses"] == 1
    assert sum(rep.extra["objects_not_used"].values()) == 2                # + the pharmacy


def pd_isna(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


@pytest.mark.parametrize("text,match", [
    ('<?xml version="1.0"?>\n<osm version="0.6"><node id="1" lat="abc" lon="106.2">'
     '<tag k="place" v="hamlet"/></node></osm>', "wrong format for coordinate"),
    ('<?xml version="1.0"?>\n<osm version="0.6"><node id="1" lat="20.15" lon="106.25">',
     "stopped reading the file"),
    ('<osm><node id="x" lat="20.15" lon="106.25"/></osm>', "cannot read the file"),
])
def test_broken_xml_is_a_bilingual_error(tmp_path, text, match):
    from gis.errors import InputFileError

    path = tmp_path / "map.osm"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=match) as exc:
        read_osm(path, AREA)
    assert "Tải lại tệp" in exc.value.message("vi")


def test_census_is_skipped_for_large_files(xml):
    out = read_osm(xml, AREA, params=OsmParams(layers=("roads",), census_max_bytes=1000))
    rep = out["roads"][1]
    assert rep.extra["objects_not_used"] == "not counted (file above census_max_bytes)"
    assert rep.rows_read == rep.rows_loaded + len(rep.rejected)
