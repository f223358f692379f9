"""Real-shaped open-data files for the importer tests (written by the tests, never downloaded).

* :func:`write_osm_xml`: an openstreetmap.org "Export" answer (``<osm version="0.6"
  generator="openstreetmap-cgimap">``, the map API's ``/api/0.6/map?bbox=``) of a rural area
  of Nam Định (lon 106.20-106.30, lat 20.10-20.20): nodes with version/changeset/user
  attributes, ways, relations; facilities without ``name``; places with ``name:vi`` or
  ``name:en`` only; every ``place`` value a mapper uses (``hamlet``, ``village``, ``suburb``,
  ``plot``, ``isolated_dwelling``, ``neighbourhood``); a road that leaves the area and comes
  back; a mast outside the area within the coverage margin; a way with a missing node; a
  relation whose member is not in the file; a route relation; an untagged node.
* :func:`write_overpass_json`: an Overpass API answer (``[out:json]; ... out center;``) of
  hospitals and clinics: ways and relations carry only their ``center``.
* :func:`write_opencellid_csv`: an OpenCelliD export (with or without its header line) with
  foreign MCCs (310 USA, 460 China near the border), 2G-only rows, LTE/NR rows, duplicates.
* :func:`write_gadm` and friends: admin layers as GADM 4.1, geoBoundaries, OCHA COD-AB and
  Vietnamese-header files publish them.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
from shapely.geometry import LineString, Polygon, box

#: The area of the OSM fixture (degrees: min lon, min lat, max lon, max lat).
AREA = "106.20,20.10,106.30,20.20"
AREA_BOX = (106.20, 20.10, 106.30, 20.20)

# -- OpenStreetMap XML ------------------------------------------------------------------------

#: (id, lon, lat, tags). Untagged nodes are way vertices unless said otherwise.
NODES: list[tuple[int, float, float, dict[str, str]]] = [
    # places: every value mappers use
    (1001, 106.220, 20.120, {"place": "hamlet", "name:vi": "Xóm Đông"}),
    (1002, 106.250, 20.150, {"place": "village", "name:en": "Hai Bac Village"}),
    (1003, 106.280, 20.180, {"place": "isolated_dwelling"}),
    (1004, 106.270, 20.110, {"place": "neighbourhood", "name": "Tổ dân phố 3"}),
    (1005, 106.260, 20.160, {"place": "suburb", "name": "Khu Trung Tâm"}),
    (1006, 106.240, 20.130, {"place": "plot", "name": "Lô 12"}),
    (1007, 106.400, 20.150, {"place": "hamlet", "name": "Thôn Ngoài"}),   # outside the area
    # facilities without a name (amenity=school / clinic / townhall), one with name:vi only
    (2001, 106.221, 20.121, {"amenity": "school"}),
    (2002, 106.251, 20.151, {"amenity": "clinic"}),
    (2003, 106.252, 20.152, {"amenity": "townhall"}),
    (2004, 106.253, 20.153, {"amenity": "school", "name:vi": "Trường Tiểu học Hải Bắc"}),
    # masts: inside; 10.4 km east of the area (inside the coverage margin); 41 km away
    (4001, 106.230, 20.140, {"man_made": "mast", "tower:type": "communication",
                             "operator": "Viettel", "communication:mobile_phone": "lte"}),
    (4002, 106.400, 20.160, {"man_made": "tower", "tower:type": "communication",
                             "operator": "VNPT"}),
    (4003, 106.600, 20.150, {"man_made": "mast", "tower:type": "communication",
                             "operator": "MobiFone"}),
    # an untagged node that no way uses
    (5001, 106.290, 20.190, {}),
    # road vertices: QL21 west-east; a road east that leaves the area and comes back
    (61, 106.200, 20.140, {}), (62, 106.250, 20.140, {}),
    (63, 106.290, 20.160, {}), (64, 106.330, 20.160, {}), (65, 106.330, 20.190, {}),
    (66, 106.290, 20.190, {}),
    (67, 106.600, 20.150, {}), (68, 106.620, 20.150, {}),
    (69, 106.250, 20.170, {}),
    # the unnamed school's outline
    (31, 106.281, 20.181, {}), (32, 106.283, 20.181, {}), (33, 106.283, 20.183, {}),
    (34, 106.281, 20.183, {}),
    # a fibre cable along QL21 (communication=line)
    (71, 106.205, 20.141, {}), (72, 106.245, 20.141, {}),
]
WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (6001, [61, 62], {"highway": "primary", "ref": "QL.21", "name": "Quốc lộ 21"}),
    (6002, [62, 63, 64], {"highway": "secondary", "ref": "ĐT.488"}),
    (6003, [64, 65], {"highway": "secondary", "ref": "ĐT.488"}),   # wholly outside: comes back
    (6004, [65, 66], {"highway": "tertiary"}),
    (6005, [62, 9999], {"highway": "residential"}),                  # node 9999 not in the file
    (6006, [67, 68], {"highway": "tertiary"}),                        # 35 km away
    (6007, [62, 69], {"highway": "footway"}),
    (3001, [31, 32, 33, 34, 31], {"amenity": "school"}),             # unnamed school area
    (7101, [71, 72], {"communication": "line", "telecom:medium": "fibre",
                      "location": "underground", "operator": "VNPT"}),
]
RELATIONS: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = [
    # a multipolygon whose outer way is not in the file: no coordinates
    (8001, [("way", 7999, "outer")], {"type": "multipolygon", "landuse": "residential"}),
    # a bus route: not a layer
    (8002, [("way", 6001, ""), ("way", 6002, "")], {"type": "route", "route": "bus",
                                                    "name": "Buýt 05"}),
]

_META = ('version="3" changeset="123456789" timestamp="2025-11-02T08:15:00Z" '
         'user="mapper_vn" uid="424242" visible="true"')


def write_osm_xml(path: Path) -> Path:
    """The map as openstreetmap.org's export answer (an ``.osm`` XML file)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<osm version="0.6" generator="openstreetmap-cgimap 2.0.1 (2117 spike-06)" '
             'copyright="OpenStreetMap and contributors" '
             'attribution="http://www.openstreetmap.org/copyright" '
             'license="http://opendatacommons.org/licenses/odbl/1-0/">',
             ' <bounds minlat="20.1000000" minlon="106.2000000" maxlat="20.2000000" '
             'maxlon="106.3000000"/>']
    for nid, lon, lat, tags in NODES:
        head = f' <node id="{nid}" {_META} lat="{lat:.7f}" lon="{lon:.7f}"'
        if not tags:
            lines.append(head + "/>")
            continue
        lines.append(head + ">")
        lines += [f'  <tag k={quoteattr(k)} v={quoteattr(v)}/>' for k, v in tags.items()]
        lines.append(" </node>")
    for wid, refs, tags in WAYS:
        lines.append(f' <way id="{wid}" {_META}>')
        lines += [f'  <nd ref="{r}"/>' for r in refs]
        lines += [f'  <tag k={quoteattr(k)} v={quoteattr(v)}/>' for k, v in tags.items()]
        lines.append(" </way>")
    for rid, members, tags in RELATIONS:
        lines.append(f' <relation id="{rid}" {_META}>')
        lines += [f'  <member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members]
        lines += [f'  <tag k={quoteattr(k)} v={quoteattr(v)}/>' for k, v in tags.items()]
        lines.append(" </relation>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- Overpass API JSON ------------------------------------------------------------------------

#: The Overpass fixture's area (Hanoi, around Bạch Mai).
OVERPASS_AREA = "105.80,20.98,105.88,21.03"


def overpass_elements() -> list[dict]:
    """``[out:json]; nwr["amenity"~"hospital|clinic"](bbox); out center;`` plus a few
    elements a real answer mixes in."""
    return [
        {"type": "node", "id": 301, "lat": 21.0005, "lon": 105.8412,
         "tags": {"amenity": "hospital", "name": "Bệnh viện Bạch Mai",
                  "name:en": "Bach Mai Hospital", "healthcare": "hospital"}},
        {"type": "node", "id": 302, "lat": 21.0101, "lon": 105.8302,
         "tags": {"amenity": "clinic"}},                                   # no name at all
        {"type": "way", "id": 401, "center": {"lat": 21.0202, "lon": 105.8503},
         "nodes": [9001, 9002, 9003, 9001],
         "tags": {"amenity": "hospital", "name:en": "E Hospital"}},       # name:en only
        {"type": "way", "id": 402, "center": {"lat": 20.9951, "lon": 105.8604},
         "nodes": [9004, 9005, 9006, 9004], "tags": {"amenity": "clinic"}},
        {"type": "relation", "id": 501, "center": {"lat": 21.0011, "lon": 105.8455},
         "members": [{"type": "way", "ref": 9100, "role": "outer"}],
         "tags": {"type": "multipolygon", "amenity": "hospital",
                  "name:vi": "Bệnh viện Hữu nghị Việt Đức"}},
        {"type": "relation", "id": 502,
         "members": [{"type": "way", "ref": 9101, "role": "outer"}],
         "tags": {"type": "multipolygon", "amenity": "clinic"}},          # no coordinates
        {"type": "node", "id": 303, "lat": 21.0150, "lon": 105.8250},      # untagged
        {"type": "node", "id": 304, "lat": 21.0120, "lon": 105.8350,
         "tags": {"place": "suburb", "name": "Phường Bạch Mai"}},
        {"type": "node", "id": 305, "lat": 21.0130, "lon": 105.8360,
         "tags": {"amenity": "pharmacy", "name": "Nhà thuốc"}},            # not a layer's tag
        {"type": "node", "id": 306, "lat": 21.0140, "lon": 105.8370,
         "tags": {"place": "neighbourhood", "name": "Tổ dân phố 12"}},
    ]


def write_overpass_json(path: Path) -> Path:
    data = {"version": 0.6, "generator": "Overpass API 0.7.62.5 1bd436f1",
            "osm3s": {"timestamp_osm_base": "2026-11-30T10:20:03Z",
                      "copyright": "The data included in this document is from "
                      "www.openstreetmap.org. The data is made available under ODbL."},
            "elements": overpass_elements()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# -- OpenCelliD -------------------------------------------------------------------------------

OCID_HEADER = ("radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
               "averageSignal")


def ocid_row(radio: str, mcc: int, net: int, cell: int, lon: float, lat: float, *,
             area: int = 10, samples: int = 12, rng: int = 1500, updated: int = 1_700_000_000,
             ) -> str:
    return (f"{radio},{mcc},{net},{area},{cell},,{lon:.6f},{lat:.6f},{rng},{samples},1,"
            f"1459692000,{updated},0")


#: Rows of the OpenCelliD fixture, with what the importer must do with each.
OCID_ROWS: list[tuple[str, str]] = [
    (ocid_row("GSM", 452, 4, 11001, 106.231, 20.141), "Viettel 2G, inside"),
    (ocid_row("GSM", 452, 4, 11002, 106.2312, 20.1412), "Viettel 2G, same mast"),
    (ocid_row("GSM", 452, 1, 21001, 106.262, 20.172), "MobiFone 2G"),
    (ocid_row("UMTS", 452, 2, 31001, 106.281, 20.121), "VinaPhone 3G"),
    (ocid_row("GSM", 452, 4, 11003, 106.380, 20.150), "Viettel 2G 8 km east: margin"),
    (ocid_row("GSM", 452, 4, 11001, 106.231, 20.141, updated=1_600_000_000),
     "duplicate of row 0 (older)"),
    (ocid_row("GSM", 452, 7, 71001, 107.500, 20.150), "Gmobile, 135 km away: outside"),
    (ocid_row("LTE", 310, 260, 500001, -122.400, 37.790), "USA"),
    (ocid_row("LTE", 460, 0, 600001, 106.250, 20.150), "China's MCC inside the area"),
    (ocid_row("GSM", 460, 1, 600002, 103.950, 22.500), "China near Lào Cai: outside"),
    ("GSM,452,4,10,11009,,,20.15,1500,3,1,1459692000,1700000000,0", "no longitude"),
]
#: 4G/5G rows: only in the broadband variant.
OCID_BROADBAND_ROWS: list[tuple[str, str]] = [
    (ocid_row("LTE", 452, 4, 100 * 256 + 1, 106.2315, 20.1415), "Viettel 4G eNB 100"),
    (ocid_row("NR", 452, 4, (777 << 14) | 1, 106.2318, 20.1418), "Viettel 5G gNB 777"),
]


def write_opencellid_csv(path: Path, *, header: bool = True, broadband: bool = False) -> Path:
    """The OpenCelliD fixture; ``header=False`` as in the full dumps (no header line)."""
    rows = [r for r, _ in OCID_ROWS] + ([r for r, _ in OCID_BROADBAND_ROWS] if broadband
                                        else [])
    text = "\n".join(([OCID_HEADER] if header else []) + rows) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


# -- admin layers as published ----------------------------------------------------------------

#: Three former communes of one district of Nam Định, tiling the OSM fixture's area.
COMMUNES = [
    ("Hải Đông", "Hai Dong", "Xã", "Commune", "VNM.33.5.1_1", "VN.ND.HH.HD",
     box(106.20, 20.10, 106.25, 20.20)),
    ("Hải Tây", "Hai Tay", "Xã", "Commune", "VNM.33.5.2_1", "VN.ND.HH.HT",
     box(106.25, 20.10, 106.30, 20.15)),
    ("Yên Định", "Yen Dinh", "Thị trấn", "Town", "VNM.33.5.3_1", "VN.ND.HH.YD",
     box(106.25, 20.15, 106.30, 20.20)),
]


def gadm_frame() -> gpd.GeoDataFrame:
    """GADM 4.1 level 3 (``gadm41_VNM_3``): every column GADM publishes."""
    rows = []
    for name, var, vtype, etype, gid, hasc, geom in COMMUNES:
        rows.append({
            "GID_3": gid, "GID_0": "VNM", "COUNTRY": "Vietnam", "GID_1": "VNM.33_1",
            "NAME_1": "Nam Định", "NL_NAME_1": "NA", "GID_2": "VNM.33.5_1", "NAME_2": "Hải Hậu",
            "NL_NAME_2": "NA", "NAME_3": name, "VARNAME_3": var, "NL_NAME_3": "NA",
            "TYPE_3": vtype, "ENGTYPE_3": etype, "CC_3": "NA", "HASC_3": hasc,
            "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def write_gadm(path: Path) -> Path:
    """GADM 4.1 level 3 as a GeoPackage (layer ``ADM_ADM_3``) or a shapefile, by extension."""
    gdf = gadm_frame()
    if path.suffix == ".gpkg":
        gdf.to_file(path, layer="ADM_ADM_3", driver="GPKG")
    else:
        gdf.to_file(path, encoding="utf-8")
    return path


def _communes_file(path: Path, columns: dict[str, list], **to_file: str) -> Path:
    """The three :data:`COMMUNES` with ``columns`` written to ``path`` (``to_file`` options)."""
    gdf = gpd.GeoDataFrame(columns, geometry=[c[6] for c in COMMUNES], crs=4326)
    gdf.to_file(path, **to_file)
    return path


def write_geoboundaries(path: Path) -> Path:
    """geoBoundaries ADM3 (``geoBoundaries-VNM-ADM3.geojson``)."""
    return _communes_file(path, {
        "shapeName": [c[0] for c in COMMUNES],
        "shapeISO": ["", "", ""],
        "shapeID": ["31286117B12345678901", "31286117B12345678902", "31286117B12345678903"],
        "shapeGroup": ["VNM"] * 3, "shapeType": ["ADM3"] * 3,
    }, driver="GeoJSON")


def write_ocha(path: Path) -> Path:
    """OCHA / HDX COD-AB admin 3 shapefile (``vnm_admbnda_adm3_gov_20201027.shp``)."""
    return _communes_file(path, {
        "ADM3_EN": [c[1] for c in COMMUNES], "ADM3_VI": [c[0] for c in COMMUNES],
        "ADM3_PCODE": ["VN3630713", "VN3630715", "VN3630701"], "ADM3_REF": [None] * 3,
        "ADM3ALT1EN": [None] * 3,
        "ADM2_EN": ["Hai Hau"] * 3, "ADM2_VI": ["Hải Hậu"] * 3, "ADM2_PCODE": ["VN36307"] * 3,
        "ADM1_EN": ["Nam Dinh"] * 3, "ADM1_VI": ["Nam Định"] * 3, "ADM1_PCODE": ["VN363"] * 3,
        "ADM0_EN": ["Viet Nam"] * 3, "ADM0_VI": ["Việt Nam"] * 3, "ADM0_PCODE": ["VN"] * 3,
        "date": ["2020-10-27"] * 3, "validOn": ["2020-10-27"] * 3,
    }, encoding="utf-8")


def write_vietnamese(path: Path) -> Path:
    """A commune layer with the Vietnamese headers of provincial data (``ten_xa``, ``ma_xa``)."""
    return _communes_file(path, {
        "ma_tinh": ["36"] * 3, "ten_tinh": ["Tỉnh Nam Định"] * 3,
        "ma_huyen": ["365"] * 3, "ten_huyen": ["Huyện Hải Hậu"] * 3,
        "ma_xa": ["13966", "13972", "13951"],
        "ten_xa": ["Xã Hải Đông", "Xã Hải Tây", "Thị trấn Yên Định"],
    }, driver="GeoJSON")


def line(coords: list[tuple[float, float]]) -> LineString:
    return LineString(coords)


def square(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(x0, y0, x1, y1)
