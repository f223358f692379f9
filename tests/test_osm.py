"""OSM importer: one small map written as a real PBF, as OSM XML and as Overpass JSON."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from osmium.osm.mutable import Node, Relation, Way
from shapely.geometry import Polygon

from gis.errors import InputFileError, ValidationError
from gis.opendata import OsmParams, import_osm, parse_area, read_osm
from gis.opendata.mapping import normalise_operator, split_operators
from gis.opendata.osm_tags import classify_roads, parse_number

AREA = "105.80,21.00,105.90,21.10"

# -- the map: (id, lon, lat, tags) nodes, (id, node ids, tags) ways, relations -------------------
NODES = [
    # road nodes
    (1, 105.81, 21.01, {}), (2, 105.83, 21.01, {}), (3, 105.85, 21.01, {}),
    (4, 105.87, 21.01, {}), (5, 105.89, 21.01, {}), (6, 105.95, 21.01, {}),
    (7, 105.97, 21.01, {}), (8, 105.81, 21.03, {}), (9, 105.83, 21.03, {}),
    # places
    (20, 105.84, 21.02, {"place": "hamlet", "name": "Thôn Đông", "population": "1.250"}),
    (21, 105.82, 21.06, {"place": "village", "name": "Lang Ha", "name:vi": "Làng Hạ"}),
    (22, 105.86, 21.08, {"place": "isolated_dwelling"}),
    (23, 105.95, 21.05, {"place": "hamlet", "name": "Ngoài vùng"}),
    (24, 105.885, 21.045, {"place": "hamlet", "name": "Xóm Bãi"}),
    # facilities
    (30, 105.811, 21.021, {"amenity": "school", "name": "Trường Tiểu học A"}),
    (31, 105.812, 21.022, {"amenity": "hospital", "name": "Bệnh viện B"}),
    (32, 105.813, 21.023, {"office": "government", "name": "UBND xã C"}),
    (33, 105.814, 21.024, {"amenity": "restaurant", "name": "Quán D"}),
    # masts
    (40, 105.851, 21.051, {"man_made": "mast", "tower:type": "communication",
                           "operator": "Viettel", "height": "45 m"}),
    (41, 105.852, 21.052, {"man_made": "tower", "communication:mobile_phone": "gsm;lte",
                           "operator": "Viettel;MobiFone"}),
    (42, 105.853, 21.053, {"man_made": "mast", "tower:type": "communication"}),
    (43, 105.854, 21.054, {"man_made": "mast", "tower:type": "communication",
                           "operator": "XYZ Corp"}),
    (44, 105.855, 21.055, {"man_made": "tower", "tower:type": "water"}),
    # rings: residential around Thôn Đông; place area Xóm Bãi; residential without place;
    # industrial zone; a school multipolygon's untagged outer way
    (50, 105.835, 21.015, {}), (51, 105.845, 21.015, {}), (52, 105.845, 21.025, {}),
    (53, 105.835, 21.025, {}),
    (60, 105.88, 21.04, {}), (61, 105.89, 21.04, {}), (62, 105.89, 21.05, {}),
    (63, 105.88, 21.05, {}),
    (70, 105.82, 21.08, {}), (71, 105.83, 21.08, {}), (72, 105.83, 21.09, {}),
    (73, 105.82, 21.09, {}),
    (80, 105.86, 21.06, {}), (81, 105.87, 21.06, {}), (82, 105.87, 21.07, {}),
    (83, 105.86, 21.07, {}),
    (90, 105.875, 21.085, {}), (91, 105.878, 21.085, {}), (92, 105.878, 21.088, {}),
    (93, 105.875, 21.088, {}),
    # admin boundaries: two communes split at 105.85° E inside one district
    (200, 105.80, 21.00, {}), (201, 105.85, 21.00, {}), (202, 105.85, 21.10, {}),
    (203, 105.80, 21.10, {}), (204, 105.90, 21.00, {}), (205, 105.90, 21.10, {}),
    (210, 105.79, 20.99, {}), (211, 105.91, 20.99, {}), (212, 105.91, 21.11, {}),
    (213, 105.79, 21.11, {}),
]
WAYS = [
    (100, [1, 2], {"highway": "primary", "ref": "QL.32", "name": "Quốc lộ 32"}),
    (101, [2, 3], {"highway": "trunk"}),
    (102, [3, 4], {"highway": "primary"}),
    (103, [4, 5], {"highway": "secondary", "ref": "ĐT 420"}),
    (104, [8, 9], {"highway": "tertiary"}),
    (105, [1, 8], {"highway": "residential"}),
    (106, [2, 9], {"highway": "footway"}),
    (107, [9, 3], {"highway": "construction", "construction": "tertiary"}),
    (108, [6, 7], {"highway": "primary"}),            # outside the area
    (109, [5, 6], {"highway": "unclassified"}),       # crosses the area's edge: kept whole
    (110, [50, 51, 52, 53, 50], {"landuse": "residential"}),
    (111, [60, 61, 62, 63, 60], {"place": "hamlet", "name": "Xóm Bãi"}),
    (112, [70, 71, 72, 73, 70], {"landuse": "residential"}),
    (113, [80, 81, 82, 83, 80], {"landuse": "industrial", "name": "KCN E"}),
    (114, [90, 91, 92, 93, 90], {}),
    (120, [200, 201], {}),
    (121, [202, 203, 200], {}),
    (122, [210, 211, 212, 213, 210], {"boundary": "administrative", "admin_level": "6"}),
    (124, [201, 204, 205, 202], {}),
    (125, [201, 202], {"boundary": "administrative", "admin_level": "8"}),
]
_ADMIN = {"type": "boundary", "boundary": "administrative"}
RELATIONS = [
    (1000, [("w", 114, "outer")], {"type": "multipolygon", "amenity": "school",
                                   "name": "Trường THCS F"}),
    (1001, [("w", 120, "outer"), ("w", 125, "outer"), ("w", 121, "outer")],
     {**_ADMIN, "admin_level": "8", "name": "Xã Tây Thử", "ref": "10001"}),
    (1002, [("w", 122, "outer")], {**_ADMIN, "admin_level": "6", "name": "Huyện Mẫu"}),
    (1003, [("w", 124, "outer"), ("w", 125, "outer")],
     {**_ADMIN, "admin_level": "8", "name": "Xã Đông Thử"}),
]


def write_osmium(path: Path, nodes=NODES, ways=WAYS, relations=RELATIONS) -> Path:
    """The map (or the objects given) as PBF or XML (by extension), with pyosmium's writer."""
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, lon, lat, tags in nodes:
            writer.add_node(Node(id=nid, location=(lon, lat), tags=tags))
        for wid, refs, tags in ways:
            writer.add_way(Way(id=wid, nodes=refs, tags=tags))
        for rid, members, tags in relations:
            writer.add_relation(Relation(id=rid, members=members, tags=tags))
    finally:
        writer.close()
    return path


def write_overpass(path: Path, *, geom: bool = False) -> Path:
    """The map as an Overpass API answer: ``out body; >; out skel;`` (node lists), or with
    ``geom`` ``out geom;`` (coordinates inline, untagged nodes left out)."""
    where = {nid: {"lat": lat, "lon": lon} for nid, lon, lat, _ in NODES}
    elements = []
    for nid, lon, lat, tags in NODES:
        if geom and not tags:
            continue
        e = {"type": "node", "id": nid, "lat": lat, "lon": lon}
        if tags:
            e["tags"] = tags
        elements.append(e)
    for wid, refs, tags in WAYS:
        e = {"type": "way", "id": wid, "nodes": refs}
        if geom:
            e["geometry"] = [where[r] for r in refs]
        if tags:
            e["tags"] = tags
        elements.append(e)
    for rid, members, tags in RELATIONS:
        mem = []
        for _, ref, role in members:
            m = {"type": "way", "ref": ref, "role": role}
            if geom:
                m["geometry"] = [where[r] for r in dict((w[0], w[1]) for w in WAYS)[ref]]
            mem.append(m)
        elements.append({"type": "relation", "id": rid, "tags": tags, "members": mem})
    path.write_text(json.dumps({"version": 0.6, "generator": "Overpass API",
                                "elements": elements}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["pbf", "xml", "json", "json-geom"])
def osm_file(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("osm")
    if request.param == "pbf":
        return write_osmium(folder / "map.osm.pbf")
    if request.param == "xml":
        return write_osmium(folder / "map.osm")
    if request.param == "json":
        return write_overpass(folder / "map.json")
    return write_overpass(folder / "map-geom.json", geom=True)


@pytest.fixture(scope="module")
def layers(osm_file):
    return read_osm(osm_file, AREA)


def _wgs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(4326)


def test_roads_classes_and_area_filter(layers):
    roads, report = layers["roads"]
    assert str(roads.crs) == "EPSG:32648"
    got = dict(zip(roads["osm_id"], roads["road_class"], strict=True))
    assert got == {
        "osm:w100": "national",     # ref QL wins over highway=primary
        "osm:w101": "national",     # trunk
        "osm:w102": "provincial",   # primary without ref
        "osm:w103": "provincial",   # ref ĐT wins over highway=secondary
        "osm:w104": "commune",      # tertiary
        "osm:w105": "village",      # residential
        "osm:w106": "other",        # footway
        "osm:w107": "commune",      # construction=tertiary
        "osm:w108": "provincial",   # 5 km outside: within the coverage margin
        "osm:w109": "village",      # crosses the edge
    }
    row = roads.set_index("osm_id").loc["osm:w107"]
    assert row["planned_works"] == "construction"
    assert roads.set_index("osm_id").loc["osm:w100", "class_source"] == "ref"
    # The edge-crossing road is kept whole: its east end is outside the area.
    edge = _wgs(roads[roads["osm_id"] == "osm:w109"]).geometry.iloc[0]
    np.testing.assert_allclose(shapely.get_coordinates(edge), [[105.89, 21.01], [105.95, 21.01]],
                               atol=1e-7)
    assert report.rows_loaded == 10
    assert report.extra["format"] in ("pbf", "xml", "json")
    assert report.extra["stats"]["road_in_margin"] == 1
    assert report.rows_read == report.rows_loaded + len(report.rejected)


def test_margin_zero_keeps_only_roads_touching_the_area(osm_file):
    roads, _ = read_osm(osm_file, AREA, params=OsmParams(layers=("roads",), margin_m=0))["roads"]
    assert "osm:w108" not in set(roads["osm_id"]) and len(roads) == 9


def test_villages(layers):
    vil, report = layers["villages"]
    vil = _wgs(vil).set_index("village_id")
    assert sorted(vil.index) == ["osm:n20", "osm:n21", "osm:n22", "osm:w111"]
    dong = vil.loc["osm:n20"]
    assert dong["name"] == "Thôn Đông"
    assert dong["population"] == 1250.0
    # Thôn Đông's residential area became its polygon; its node is the centre.
    assert dong.geometry.geom_type == "Polygon"
    assert dong.geometry.bounds == pytest.approx((105.835, 21.015, 105.845, 21.025), abs=1e-7)
    assert (dong["centre_lon"], dong["centre_lat"]) == pytest.approx((105.84, 21.02), abs=1e-7)
    assert vil.loc["osm:n21", "name"] == "Làng Hạ"          # name:vi preferred
    assert vil.loc["osm:n22", "name"] == "Thôn chưa tên osm:n22"
    # The place area Xóm Bãi and its node of the same name are one hamlet.
    bai = vil.loc["osm:w111"]
    assert bai.geometry.geom_type == "Polygon"
    assert (bai["centre_lon"], bai["centre_lat"]) == pytest.approx((105.885, 21.045), abs=1e-7)
    assert report.extra["stats"]["residential_areas_without_place"] == 1
    assert any("residential" in w for w in report.warnings)
    assert any("name" in w for w in report.warnings_vi)


def test_unnamed_residential_option(osm_file):
    out = read_osm(osm_file, AREA, params=OsmParams(layers=("villages",),
                                                    unnamed_residential=True))
    vil = out["villages"][0]
    assert len(vil) == 5
    assert "Khu dân cư osm:w112" in set(vil["name"])


def test_admin_boundaries(layers):
    admin, report = layers["admin"]
    admin = _wgs(admin).set_index("name")
    assert sorted(admin.index) == ["Xã Tây Thử", "Xã Đông Thử"]
    assert (admin["level"] == "commune").all()
    assert (admin["district"] == "Huyện Mẫu").all()
    assert admin.loc["Xã Tây Thử", "code"] == "10001"
    west = admin.loc["Xã Tây Thử"].geometry
    assert west.area == pytest.approx(0.05 * 0.10, rel=1e-9)      # square degrees
    assert west.bounds == pytest.approx((105.80, 21.00, 105.85, 21.10))
    assert report.extra["stats"]["admin_districts"] == 1
    assert any("1/7/2025" in w for w in report.warnings)


def test_hamlets_get_their_commune(layers):
    vil = layers["villages"][0].set_index("village_id")
    assert vil["commune"].to_dict() == {"osm:n20": "Xã Tây Thử", "osm:n21": "Xã Tây Thử",
                                        "osm:n22": "Xã Đông Thử", "osm:w111": "Xã Đông Thử"}
    assert (vil["district"] == "Huyện Mẫu").all()
    assert vil["province"].isna().all()


def test_facilities(layers):
    fac, _ = layers["facilities"]
    kinds = dict(zip(fac["facility_id"], fac["kind"], strict=True))
    assert kinds == {"osm:n30": "school", "osm:n31": "health_station",
                     "osm:n32": "commune_office", "osm:w113": "industrial_zone",
                     "osm:r1000": "school"}
    school = _wgs(fac[fac["facility_id"] == "osm:r1000"]).geometry.iloc[0]
    assert school.geom_type == "Polygon"
    assert school.bounds == pytest.approx((105.875, 21.085, 105.878, 21.088), abs=1e-7)


def test_sites(layers):
    sites, report = layers["sites"]
    sites = _wgs(sites)
    rows = sorted(zip(sites["position_id"], sites["operator"], strict=True))
    assert rows == [("osm:n40", "Viettel"), ("osm:n41", "MobiFone"), ("osm:n41", "Viettel"),
                    ("osm:n42", "unknown"), ("osm:n43", "unknown")]
    by_id = sites.set_index("site_id")
    assert by_id.loc["osm:n40", "height_m"] == 45.0
    assert by_id.loc["osm:n41-Viettel", "tech"] == "2G/4G"
    assert "XYZ Corp" in by_id.loc["osm:n43", "note"]
    pt = by_id.loc["osm:n40"].geometry
    assert (pt.x, pt.y) == pytest.approx((105.851, 21.051), abs=1e-7)
    assert report.extra["stats"]["masts_with_unknown_operator"] == 2
    assert report.extra["stats"]["shared_masts"] == 1


def test_admin_polygon_area(tmp_path):
    pbf = write_osmium(tmp_path / "map.osm.pbf")
    # A triangle over the west half: Thôn Đông (105.84) is inside, Xóm Bãi (105.885) is not.
    tri = Polygon([(105.80, 21.00), (105.86, 21.00), (105.80, 21.10)])
    admin = tmp_path / "xa.geojson"
    gpd.GeoDataFrame({"name": ["Xã Thử"]}, geometry=[tri], crs=4326).to_file(admin)
    area = parse_area(str(admin))
    assert area.name == "Xã Thử"
    out = read_osm(pbf, area, params=OsmParams(layers=("villages",)))
    ids = set(out["villages"][0]["village_id"])
    assert ids == {"osm:n20", "osm:n21"}


def test_import_into_project_keeps_other_layers(tmp_path):
    pbf = write_osmium(tmp_path / "map.osm.pbf")
    project = import_osm(pbf, AREA, params=OsmParams(layers=("roads",)))
    assert set(project.layers) == {"roads"}
    project.save(tmp_path / "proj")
    again = import_osm(pbf, AREA, tmp_path / "proj", params=OsmParams(layers=("villages",)))
    assert set(again.layers) == {"roads", "villages"}
    assert again.reports["roads"].source == "map.osm.pbf"


#: Two untagged nodes and the tertiary road between them: a file of one road.
_TWO_NODES = [(1, 105.81, 21.01, {}), (2, 105.82, 21.01, {})]
_ONE_ROAD = [(10, [1, 2], {"highway": "tertiary"})]


def test_missing_nodes_are_reported(tmp_path):
    path = write_osmium(tmp_path / "cut.osm.pbf", _TWO_NODES,
                        [*_ONE_ROAD, (11, [2, 999], {"highway": "tertiary"}),
                         (12, [2, 2], {"highway": "tertiary"})], ())
    roads, report = read_osm(path, AREA)["roads"]
    assert list(roads["osm_id"]) == ["osm:w10"]
    assert report.extra["stats"]["ways_with_missing_nodes"] == 1
    assert report.extra["stats"]["ways_without_length"] == 1
    assert any("missing" in w for w in report.warnings)
    assert any("two distinct points" in w for w in report.warnings)


def test_errors(tmp_path):
    fake = tmp_path / "fake.osm.pbf"
    fake.write_text("radio,mcc,net\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not what its name says"):
        read_osm(fake, AREA)
    pbf = write_osmium(tmp_path / "map.osm.pbf")
    with pytest.raises(ValidationError, match="No roads, places"):
        read_osm(pbf, "106.5,20.0,106.6,20.1")
    bad_json = tmp_path / "x.json"
    bad_json.write_text('{"features": []}', encoding="utf-8")
    with pytest.raises(InputFileError, match="not an Overpass answer") as exc:
        read_osm(bad_json, AREA)
    assert "Overpass" in exc.value.message("vi")
    with pytest.raises(ValidationError, match="swapped"):
        parse_area("21.0,105.8,21.1,105.9")
    with pytest.raises(ValidationError, match="empty"):
        parse_area("105.9,21.0,105.8,21.1")


def test_tag_helpers():
    assert normalise_operator("Tổng Công ty Viễn thông Viettel") == "Viettel"
    assert normalise_operator("VNPT-VinaPhone") == "VinaPhone"
    assert normalise_operator("452-01") == "MobiFone"
    assert normalise_operator("Mobifone") == "MobiFone"
    assert normalise_operator("Acme") is None
    assert split_operators("Viettel; VNPT, Mobifone") == ["Viettel", "VNPT", "Mobifone"]
    assert parse_number(pd.Series(["1.200", "1,5", "35 m", None, "2,345,678"])).tolist()[:3] == [
        1200.0, 1.5, 35.0]
    assert parse_number(pd.Series(["2,345,678"])).iloc[0] == 2345678.0
    roads = classify_roads(pd.DataFrame({"highway": ["primary", "trunk_link", "track"],
                                         "ref": ["ĐH.12", None, "DX 3"]}))
    assert roads["road_class"].tolist() == ["district", "national", "commune"]


def test_osm_rules_agree_with_the_readers():
    """The OSM highway and amenity rules give what the readers give for the same words."""
    from gis.layers.normalise import normalise_facility_kind, normalise_road_class
    from gis.opendata.osm_tags import HIGHWAY_CLASS

    known = {h: normalise_road_class(h) for h in HIGHWAY_CLASS if not h.endswith("_link")}
    known = {h: c for h, c in known.items() if c is not None}
    assert len(known) >= 10
    assert all(HIGHWAY_CLASS[h] == c for h, c in known.items()), known
    fac = classify_facilities_frame()
    for amenity, kind in zip(fac["amenity"], fac["kind"], strict=True):
        assert normalise_facility_kind(amenity) == kind


def classify_facilities_frame() -> pd.DataFrame:
    from gis.opendata.osm_tags import classify_facilities

    frame = pd.DataFrame({"amenity": ["school", "kindergarten", "college", "university",
                                      "clinic", "hospital", "doctors", "townhall"]})
    return frame.assign(kind=classify_facilities(frame)["kind"])


def test_empty_layer_is_left_out_and_reported(tmp_path):
    path = write_osmium(tmp_path / "roads.osm.pbf", _TWO_NODES, _ONE_ROAD, ())
    out = read_osm(path, AREA)
    assert list(out) == ["roads"]
    report = out["roads"][1]
    assert report.extra["empty_layers"] == ["villages", "facilities", "sites", "fiber", "admin"]
    assert any("The file has no villages, facilities, sites, fiber, admin in the area." in w
               for w in report.warnings)


def test_admin_file_of_several_units(tmp_path):
    west = Polygon([(105.80, 21.00), (105.85, 21.00), (105.85, 21.10), (105.80, 21.10)])
    east = Polygon([(105.85, 21.00), (105.90, 21.00), (105.90, 21.10), (105.85, 21.10)])
    admin = tmp_path / "communes.gpkg"
    gpd.GeoDataFrame({"ten_xa": ["Xã Hải Hà", "Xã Hải Đông"]}, geometry=[west, east],
                     crs=4326).to_crs(32648).to_file(admin)
    area = parse_area(str(admin), unit="hai ha")
    assert area.name == "Xã Hải Hà"
    assert area.bounds == pytest.approx((105.80, 21.00, 105.85, 21.10), abs=1e-6)
    assert area.source == "communes.gpkg: hai ha"
    assert parse_area(str(admin)).bounds == pytest.approx((105.80, 21.00, 105.90, 21.10),
                                                          abs=1e-6)
    with pytest.raises(ValidationError, match="No unit named 'Hải Tây'") as exc:
        parse_area(str(admin), unit="Hải Tây")
    assert "Xã Hải Hà" in str(exc.value)


def test_overpass_answer_without_node_coordinates(tmp_path):
    """'out body;' alone gives ways without their nodes: they are reported, not guessed."""
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"elements": [
        {"type": "way", "id": 1, "nodes": [5, 6], "tags": {"highway": "primary"}},
        {"type": "node", "id": 7, "lat": 21.05, "lon": 105.85,
         "tags": {"place": "hamlet", "name": "Thôn Mới"}},
    ]}), encoding="utf-8")
    out = read_osm(path, AREA)
    assert list(out) == ["villages"]
    report = out["villages"][1]
    roads = report.extra["reports_of_empty_layers"]["roads"]
    assert roads["extra"]["stats"]["ways_without_geometry"] == 1
    assert roads["rows_read"] == 1 and "out geom" in roads["rejected"][0]["reason_en"]
    assert any("No roads usable: 1 set aside (osm:w1: no coordinates" in w
               for w in report.warnings)


def test_extract_of_another_region_is_refused_before_reading(tmp_path):
    """A Geofabrik-style header box that misses the area stops the import at once."""
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(osmium.osm.Location(106.5, 10.5),
                                  osmium.osm.Location(107.0, 11.0)))   # near TP HCM
    path = tmp_path / "hcm.osm.pbf"
    writer = osmium.SimpleWriter(str(path), header=header)
    writer.add_node(Node(id=1, location=(106.7, 10.8), tags={"place": "hamlet", "name": "A"}))
    writer.close()
    with pytest.raises(ValidationError, match="does not overlap the area") as exc:
        read_osm(path, AREA)
    assert "không giao" in exc.value.message("vi")


def test_compressed_xml(tmp_path):
    path = write_osmium(tmp_path / "map.osm.bz2")
    assert len(read_osm(path, AREA, params=OsmParams(layers=("roads",)))["roads"][0]) == 10


def test_boundary_cut_at_the_extract_edge(tmp_path):
    """A commune whose boundary way is missing from the extract is reported, not guessed."""
    path = tmp_path / "cut.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    for nid, lon, lat in ((1, 105.81, 21.01), (2, 105.83, 21.01), (3, 105.83, 21.03)):
        writer.add_node(Node(id=nid, location=(lon, lat)))
    writer.add_way(Way(id=10, nodes=[1, 2, 3], tags={"highway": "track"}))
    writer.add_way(Way(id=11, nodes=[1, 2, 3]))
    writer.add_relation(Relation(id=5, members=[("w", 11, "outer"), ("w", 99, "outer")],
                                 tags={**_ADMIN, "admin_level": "8", "name": "Xã Cắt"}))
    writer.close()
    out = read_osm(path, AREA)
    assert "admin" not in out
    report = out["roads"][1]
    admin = report.extra["reports_of_empty_layers"]["admin"]
    assert admin["extra"]["stats"]["relations_incomplete"] == 1
    assert any("admin boundaries" in w for w in admin["warnings"])
    assert any("No admin usable: 1 set aside (osm:r5: member ways missing" in w
               for w in report.warnings)
