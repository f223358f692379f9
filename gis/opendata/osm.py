"""OpenStreetMap importer: roads, hamlets, facilities, telecom masts and admin units of an area.

Three input formats give the same layers:

* ``.osm.pbf`` (the country extract users download), read by pyosmium in a streaming pass: a
  C++ tag filter drops every object without one of the tags in
  :data:`~gis.opendata.osm_tags.PREFILTER_TAGS` before Python sees it, node locations go to a
  libosmium index (``OsmParams.location_index``), and way geometries are built in C++ (WKB)
  and tested against the area in vectorised batches; the tags of the ways inside are read in
  a last, way-only pass.
  Multipolygon relations are read in a first, relation-only pass and their member ways in a
  third, way-only pass, so the file is never held in memory.
* ``.osm`` XML (also ``.osm.gz`` / ``.osm.bz2``): the same pyosmium path.
* Overpass API JSON saved to a file (``out body; >; out skel;`` or ``out geom;``).

Tag rules are in :mod:`gis.opendata.osm_tags`. Each layer comes with a
:class:`~gis.layers.report.LoadReport` that says which file, which format, which tags and how
many objects were used or set aside and why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from gis.errors import InputFileError, ValidationError
from gis.layers.crs import WGS84
from gis.layers.report import LoadReport
from gis.layers.sources import Upload
from gis.opendata.area import Area, parse_area
from gis.opendata.osm_tags import (
    ADMIN_LEVELS,
    KEPT_TAGS,
    PREFILTER_TAGS,
    classify_facilities,
    classify_roads,
    classify_sites,
    classify_villages,
    feature_category,
)
from gis.opendata.target import ProjectLike, local_paths, target_project
from gis.project import Project

__all__ = ["OSM_LAYERS", "OsmParams", "import_osm", "read_osm"]

#: Layers the OSM importer can produce.
OSM_LAYERS = ("roads", "villages", "facilities", "sites", "admin")

_KEPT = frozenset(KEPT_TAGS)
_AREA_CATEGORIES = ("village", "residential", "facility", "site", "admin")
#: File size (bytes) above which the ``"auto"`` node-location index is file-backed.
AUTO_FILE_INDEX_BYTES = 200_000_000
_LOCATION_INDEXES = ("auto", "flex_mem", "sparse_mem_array", "sparse_file_array", "dense_mem_array",
                     "dense_file_array", "dense_mmap_array", "sparse_mmap_array")


@dataclass(frozen=True)
class OsmParams:
    """How OSM files are read and turned into layers.

    Attributes
    ----------
    layers
        The layers to produce and put into the project (default: all five). Use
        ``("roads", "villages")`` to keep an operator's own sites layer in the project.
    location_index
        libosmium node-location index used for PBF/XML files. ``"auto"`` (default):
        ``"flex_mem"`` for files up to :data:`AUTO_FILE_INDEX_BYTES` (about 16 bytes per node in
        memory: ~110 MB for a 50 MB extract), ``"sparse_file_array"`` above (the index lives in
        a temporary file, so the Vietnam extract's ~40 million nodes do not need ~650 MB of
        RAM). Any libosmium index name may be given.
    unnamed_residential
        Make ``landuse=residential`` areas that contain no ``place`` node hamlets of their own,
        named after the OSM way. Off by default: such areas are often one village's fields of
        houses split in pieces, and the hamlet count is an indicator's denominator; the load
        report says how many there were.
    batch_size
        Ways whose geometries are tested against the area together (memory vs. speed; 20 000
        ways are a few MB).
    """

    layers: tuple[str, ...] = OSM_LAYERS
    location_index: str = "auto"
    unnamed_residential: bool = False
    batch_size: int = 20_000

    def __post_init__(self) -> None:
        bad = [x for x in self.layers if x not in OSM_LAYERS]
        if bad:
            raise ValidationError(
                f"Unknown OSM layer(s) {bad}; valid: {', '.join(OSM_LAYERS)}.",
                f"Lớp OSM không hợp lệ {bad}; hợp lệ: {', '.join(OSM_LAYERS)}.",
            )
        if self.location_index not in _LOCATION_INDEXES:
            raise ValidationError(
                f"Unknown node-location index {self.location_index!r}; valid: "
                f"{', '.join(_LOCATION_INDEXES)}.",
                f"Kiểu chỉ mục toạ độ nút {self.location_index!r} không hợp lệ; hợp lệ: "
                f"{', '.join(_LOCATION_INDEXES)}.",
            )
        if self.batch_size < 1:
            raise ValidationError("batch_size must be >= 1.", "batch_size phải >= 1.")


# -- format detection ----------------------------------------------------------------------------


def _sniff(path: Path) -> str:
    """``"pbf"``, ``"xml"`` or ``"json"`` from the file's first bytes; error when it is none."""
    if not path.is_file():
        raise InputFileError(
            f"The OSM file {path} does not exist.",
            f"Không có tệp OSM {path}.",
            file=path,
            fix="Give a .osm.pbf extract (e.g. Geofabrik vietnam-latest.osm.pbf), an .osm XML "
            "file or an Overpass JSON file.",
            fix_vi="Chọn tệp .osm.pbf (ví dụ vietnam-latest.osm.pbf của Geofabrik), tệp .osm XML "
            "hoặc tệp JSON của Overpass.",
        )
    with path.open("rb") as fh:
        head = fh.read(64)
    name = path.name.lower()
    claimed = ("pbf" if name.endswith(".pbf") else
               "json" if name.endswith(".json") else
               "xml" if name.endswith((".osm", ".xml", ".osm.gz", ".osm.bz2")) else None)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if len(head) > 8 and b"OSMHeader" in head[:20]:
        actual = "pbf"
    elif stripped.startswith((b"<?xml", b"<osm")) or (
            head.startswith((b"BZh", b"\x1f\x8b")) and claimed == "xml"):
        actual = "xml"
    elif stripped.startswith(b"{"):
        actual = "json"
    else:
        actual = None
    if actual is None or (claimed is not None and claimed != actual):
        what = {"pbf": "an OSM PBF file", "xml": "OSM XML", "json": "JSON"}.get(
            actual or "", "not an OSM format")
        what_vi = {"pbf": "tệp OSM PBF", "xml": "OSM XML", "json": "JSON"}.get(
            actual or "", "không phải định dạng OSM")
        raise InputFileError(
            f"The file is not what its name says: the content is {what}.",
            f"Tệp không đúng như tên gọi: nội dung là {what_vi}.",
            file=path,
            fix="Give an OSM file: .osm.pbf, .osm (XML, may be .gz/.bz2) or Overpass .json "
            "(output format json), with the matching extension.",
            fix_vi="Chọn tệp OSM: .osm.pbf, .osm (XML, có thể .gz/.bz2) hoặc .json của Overpass "
            "(định dạng json), đúng phần mở rộng.",
        )
    return actual


# -- raw features ---------------------------------------------------------------------------------


class _Collector:
    """Objects of interest inside the area: type, id, category, kept tags and WGS84 geometry."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self.types: list[str] = []
        self.ids: list[int] = []
        self.cats: list[str] = []
        self.tags: list[dict[str, str]] = []
        self.geoms: list[Any] = []
        self.stats: Counter[str] = Counter()

    def inside(self, otype: str, geoms: np.ndarray) -> np.ndarray:
        """Mask of the geometries (WGS84) that touch the area; counts the others."""
        b = shapely.bounds(geoms)
        minx, miny, maxx, maxy = self.area.bounds
        keep = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        if not self.area.is_box and keep.any():
            idx = np.flatnonzero(keep)
            keep[idx] = self.area.intersects(geoms[idx])
        self.stats[f"{otype}s_outside_area"] += int((~keep).sum())
        return keep

    def add(self, otype: str, ids: list[int], cats: list[str], tags: list[dict[str, str]],
            geoms: np.ndarray) -> None:
        """Add a batch; only the geometries that touch the area are kept."""
        if len(geoms) == 0:
            return
        geoms = np.asarray(geoms, dtype=object)
        for i in np.flatnonzero(self.inside(otype, geoms)):
            self.extend(otype, ids[i], cats[i], tags[i], geoms[i])

    def extend(self, otype: str, oid: int, cat: str, tags: dict[str, str], geom: Any) -> None:
        """Add one object known to be in the area."""
        self.types.append(otype)
        self.ids.append(int(oid))
        self.cats.append(cat)
        self.tags.append(tags)
        self.geoms.append(geom)

    def frame(self) -> gpd.GeoDataFrame:
        tags = pd.DataFrame.from_records(self.tags, columns=list(KEPT_TAGS))
        tags.insert(0, "osm_type", self.types)
        tags.insert(1, "osm_id", np.asarray(self.ids, dtype=np.int64))
        tags.insert(2, "category", self.cats)
        return gpd.GeoDataFrame(tags, geometry=gpd.GeoSeries(self.geoms, crs=WGS84), crs=WGS84)


def _lines_to_polygons(lines: np.ndarray) -> np.ndarray:
    """Closed linestrings -> polygons (vectorised); rings of fewer than 4 points give None."""
    out = np.full(len(lines), None, dtype=object)
    n = shapely.get_num_coordinates(lines)
    ok = n >= 4
    if ok.any():
        coords, idx = shapely.get_coordinates(lines[ok], return_index=True)
        rings = shapely.linearrings(coords, indices=idx)
        out[np.flatnonzero(ok)] = shapely.polygons(rings)
    return out


def _assemble_multipolygon(outer: list[Any], inner: list[Any]) -> Any:
    """A (multi)polygon from member way lines; ``None`` when the rings do not close."""
    outer_poly = shapely.union_all(shapely.polygonize(outer).geoms) if outer else None
    if outer_poly is None or outer_poly.is_empty:
        return None
    if inner:
        holes = shapely.union_all(shapely.polygonize(inner).geoms)
        if not holes.is_empty:
            outer_poly = outer_poly.difference(holes)
    return outer_poly


def _way_batch(col: _Collector, ids: list[int], wkbs: list[str], area_like: list[bool],
               kept: dict[int, Any]) -> None:
    """Geometries of a batch of ways and the area test; ``kept`` gets id -> geometry inside.

    ``area_like``: closed ways that are not plain roads, made polygons (a polygon can hold the
    whole district while its outline does not touch it).
    """
    if not ids:
        return
    # GEOS reads binary WKB ten times faster than hex.
    geoms = shapely.from_wkb(np.asarray([bytes.fromhex(h) for h in wkbs], dtype=object))
    as_area = np.asarray(area_like, dtype=bool)
    if as_area.any():
        polys = _lines_to_polygons(geoms[as_area])
        geoms[np.flatnonzero(as_area)] = np.where(pd.isna(polys), geoms[as_area], polys)
    for i in np.flatnonzero(col.inside("way", geoms)):
        kept[ids[i]] = geoms[i]


def _add_ways(col: _Collector, kept: dict[int, Any], tags_by_id: dict[int, dict[str, str]],
              wanted: frozenset[str]) -> None:
    """The tag rules for the ways inside the area, in file order."""
    for wid, geom in kept.items():
        tags = tags_by_id[wid]
        cat = feature_category(tags.get)
        if cat not in wanted:
            continue
        if cat == "road" and tags.get("area") == "yes":
            col.stats["highway_areas_skipped"] += 1
            continue
        if cat == "road" and geom.geom_type != "LineString":
            continue
        col.extend("way", wid, cat, tags, geom)


#: The object categories each layer is built from.
_LAYER_CATEGORIES = {"roads": ("road",), "villages": ("village", "residential", "admin"),
                     "facilities": ("facility",), "sites": ("site",), "admin": ("admin",)}


def _wanted_categories(params: OsmParams) -> frozenset[str]:
    return frozenset(c for layer in params.layers for c in _LAYER_CATEGORIES[layer])


def _location_index(path: Path, params: OsmParams) -> str:
    """The libosmium node-location index for ``path`` (resolves ``"auto"``)."""
    if params.location_index != "auto":
        return params.location_index
    return "sparse_file_array" if path.stat().st_size > AUTO_FILE_INDEX_BYTES else "flex_mem"


def _read_osmium(path: Path, area: Area, params: OsmParams) -> _Collector:
    """Stream a PBF or XML file with pyosmium and collect the area's objects (see module text)."""
    import osmium
    from osmium.filter import IdFilter, TagFilter

    col = _Collector(area)
    minx, miny, maxx, maxy = area.bounds
    wanted = _wanted_categories(params)
    try:
        header_box = osmium.FileProcessor(str(path), osmium.osm.NOTHING).header.box()
    except RuntimeError as exc:
        raise InputFileError(
            f"pyosmium cannot read the file: {exc}.",
            f"pyosmium không đọc được tệp: {exc}.",
            file=path,
            fix="Download the extract again; the file may be truncated.",
            fix_vi="Tải lại tệp; có thể tệp bị thiếu phần cuối.",
        ) from exc
    if header_box.valid():
        bl, tr = header_box.bottom_left, header_box.top_right
        if bl.lon > maxx or tr.lon < minx or bl.lat > maxy or tr.lat < miny:
            raise ValidationError(
                f"The OSM file covers ({bl.lon:g}, {bl.lat:g}, {tr.lon:g}, {tr.lat:g}), which "
                f"does not overlap the area {area.source}.",
                f"Tệp OSM phủ vùng ({bl.lon:g}, {bl.lat:g}, {tr.lon:g}, {tr.lat:g}), không giao "
                f"với vùng {area.source}.",
                file=path,
                fix="Use the extract of the province or country that contains the area.",
                fix_vi="Dùng tệp trích xuất của tỉnh hoặc cả nước chứa vùng này.",
            )

    try:
        # Pass 1: multipolygon and admin boundary relations (relation blocks only).
        relations: list[tuple[int, str, dict[str, str], list[tuple[int, str]]]] = []
        member_ids: set[int] = set()
        proc = osmium.FileProcessor(str(path), osmium.osm.RELATION)
        for rel in proc.with_filter(TagFilter(*PREFILTER_TAGS, ("boundary", "administrative"))):
            if rel.tags.get("type") not in ("multipolygon", "boundary"):
                continue
            cat = feature_category(rel.tags.get)
            if cat is None or cat == "road" or cat not in wanted:
                continue
            ways = [(m.ref, m.role) for m in rel.members if m.type == "w"]
            relations.append((rel.id, cat, {t.k: t.v for t in rel.tags if t.k in _KEPT}, ways))
            member_ids.update(w for w, _ in ways)

        # Pass 2: tagged nodes and ways, with node locations for the way geometries.
        wkb = osmium.geom.WKBFactory()
        proc = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                .with_locations(_location_index(path, params))
                .with_filter(TagFilter(*PREFILTER_TAGS)))
        n_ids: list[int] = []
        n_cats: list[str] = []
        n_tags: list[dict[str, str]] = []
        n_xy: list[tuple[float, float]] = []
        w_ids: list[int] = []
        w_wkb: list[str] = []
        w_area: list[bool] = []
        kept: dict[int, Any] = {}
        for obj in proc:
            if obj.is_node():
                # Location first: most nodes of a country file are outside a district.
                loc = obj.location
                if not loc.valid():
                    col.stats["nodes_without_location"] += 1
                    continue
                lon, lat = loc.lon, loc.lat
                if not (minx <= lon <= maxx and miny <= lat <= maxy):
                    col.stats["nodes_outside_area"] += 1
                    continue
                tags = {t.k: t.v for t in obj.tags if t.k in _KEPT}
                cat = feature_category(tags.get)
                if cat in wanted:
                    n_ids.append(obj.id)
                    n_cats.append(cat)
                    n_tags.append(tags)
                    n_xy.append((lon, lat))
                continue
            # Ways: geometry in C++ now, the area test per batch, tags only for those inside.
            try:
                geom = wkb.create_linestring(obj)
            except osmium.InvalidLocationError:
                col.stats["ways_with_missing_nodes"] += 1
                continue
            except RuntimeError:  # fewer than two distinct points
                col.stats["ways_without_length"] += 1
                continue
            w_ids.append(obj.id)
            w_wkb.append(geom)
            w_area.append(obj.is_closed() and ("highway" not in obj.tags
                                               or obj.tags.get("area") == "yes"))
            if len(w_ids) >= params.batch_size:
                _way_batch(col, w_ids, w_wkb, w_area, kept)
                w_ids, w_wkb, w_area = [], [], []
        _way_batch(col, w_ids, w_wkb, w_area, kept)
        if n_ids:
            pts = shapely.points(np.asarray(n_xy, dtype=float))
            for i in np.flatnonzero(col.inside("node", pts)):
                col.extend("node", n_ids[i], n_cats[i], n_tags[i], pts[i])

        # Pass 3 (ways only): the tags of the ways inside the area, and the geometries of the
        # relations' member ways (untagged ones did not pass the tag filter).
        tags_by_id: dict[int, dict[str, str]] = {}
        member_ids_read: list[int] = []
        member_wkb: list[str] = []
        if kept or relations:
            handler = osmium.NodeLocationsForWays(proc.node_location_storage)
            handler.ignore_errors()
            ways_proc = (osmium.FileProcessor(str(path), osmium.osm.WAY)
                         .with_filter(IdFilter(set(kept) | member_ids)).with_filter(handler))
            for way in ways_proc:
                if way.id in kept:
                    tags_by_id[way.id] = {t.k: t.v for t in way.tags if t.k in _KEPT}
                if way.id in member_ids:
                    try:
                        member_wkb.append(wkb.create_linestring(way))
                        member_ids_read.append(way.id)
                    except (osmium.InvalidLocationError, RuntimeError):
                        col.stats["relation_members_with_missing_nodes"] += 1
        member_geoms = dict(zip(member_ids_read, shapely.from_wkb(
            np.asarray([bytes.fromhex(h) for h in member_wkb], dtype=object)), strict=True))
        _add_ways(col, kept, tags_by_id, wanted)
        if relations:
            _add_relations(col, relations, member_geoms)
    except RuntimeError as exc:
        if isinstance(exc, ValidationError | InputFileError):
            raise
        raise InputFileError(
            f"pyosmium stopped reading the file: {exc}.",
            f"pyosmium dừng đọc tệp: {exc}.",
            file=path,
            fix="Download the extract again; the file may be truncated or corrupt.",
            fix_vi="Tải lại tệp; có thể tệp bị hỏng hoặc thiếu phần cuối.",
        ) from exc
    return col


def _add_relations(col: _Collector, relations: list[tuple[int, str, dict[str, str],
                                                           list[tuple[int, str]]]],
                   member_geoms: dict[int, Any]) -> None:
    ids, cats, tags, geoms = [], [], [], []
    # Member bounds first: relations far from the area (the country's other communes) are
    # skipped before their rings are assembled.
    way_ids = np.fromiter(member_geoms, dtype=np.int64, count=len(member_geoms))
    bounds = dict(zip(way_ids.tolist(),
                      shapely.bounds(np.asarray(list(member_geoms.values()), dtype=object))
                      .tolist(), strict=True)) if len(way_ids) else {}
    minx, miny, maxx, maxy = col.area.bounds
    for rid, cat, rtags, members in relations:
        b = np.asarray([bounds[w] for w, _ in members if w in bounds]).reshape(-1, 4)
        if len(b) == 0 or (b[:, 0].min() > maxx or b[:, 2].max() < minx
                           or b[:, 1].min() > maxy or b[:, 3].max() < miny):
            col.stats["relations_outside_area"] += 1
            continue
        if any(w not in member_geoms for w, _ in members):
            col.stats["relations_incomplete"] += 1
            continue
        outer = [member_geoms[w] for w, role in members if role != "inner"]
        inner = [member_geoms[w] for w, role in members if role == "inner"]
        geom = _assemble_multipolygon(outer, inner)
        if geom is None:
            col.stats["relations_not_closed"] += 1
            continue
        ids.append(rid)
        cats.append(cat)
        tags.append(rtags)
        geoms.append(geom)
    col.add("relation", ids, cats, tags, np.asarray(geoms, dtype=object))


def _read_overpass(path: Path, area: Area) -> _Collector:
    """Collect the area's objects from an Overpass API JSON file (``out body``/``out geom``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(
            f"The file is not valid JSON: {exc}.",
            f"Tệp không phải JSON hợp lệ: {exc}.",
            file=path,
            fix="Save the Overpass answer with '[out:json];' as a .json file.",
            fix_vi="Lưu kết quả Overpass với '[out:json];' thành tệp .json.",
        ) from exc
    elements = data.get("elements") if isinstance(data, dict) else None
    if not isinstance(elements, list):
        raise InputFileError(
            "The JSON file is not an Overpass answer: it has no 'elements' list.",
            "Tệp JSON không phải kết quả Overpass: không có danh sách 'elements'.",
            file=path,
            fix="Run the Overpass query with '[out:json];' and save its answer unchanged.",
            fix_vi="Chạy truy vấn Overpass với '[out:json];' và lưu nguyên kết quả.",
        )
    col = _Collector(area)
    nodes = {e["id"]: (e["lon"], e["lat"]) for e in elements
             if e.get("type") == "node" and "lat" in e and "lon" in e}
    way_lines: dict[int, Any] = {}
    for e in elements:
        if e.get("type") != "way":
            continue
        if e.get("geometry"):
            pts = [(g["lon"], g["lat"]) for g in e["geometry"] if g]
        else:
            pts = [nodes.get(n) for n in e.get("nodes", [])]
            if any(p is None for p in pts):
                pts = []
        if len(pts) >= 2:
            way_lines[e["id"]] = shapely.linestrings(pts)
    buckets: dict[str, tuple[list[int], list[str], list[dict[str, str]], list[Any]]] = {
        "node": ([], [], [], []), "way": ([], [], [], []), "relation": ([], [], [], [])}
    closed: list[bool] = []
    for e in elements:
        tags = e.get("tags") or {}
        cat = feature_category(tags.get)
        otype = e.get("type")
        if cat is None or otype not in buckets:
            continue
        geom = None
        if otype == "node":
            geom = shapely.points(e["lon"], e["lat"]) if "lat" in e else None
        elif otype == "way":
            geom = way_lines.get(e["id"])
            if geom is None and "center" in e and cat != "road":
                geom = shapely.points(e["center"]["lon"], e["center"]["lat"])
        else:
            if tags.get("type") in ("multipolygon", "boundary") and cat != "road":
                outer, inner, complete = [], [], True
                for m in e.get("members", []):
                    if m.get("type") != "way":
                        continue
                    line = (shapely.linestrings([(g["lon"], g["lat"]) for g in m["geometry"]
                                                 if g])
                            if m.get("geometry") else way_lines.get(m.get("ref")))
                    if line is None:
                        complete = False
                        break
                    (inner if m.get("role") == "inner" else outer).append(line)
                geom = _assemble_multipolygon(outer, inner) if complete else None
            elif "center" in e and cat != "road":
                geom = shapely.points(e["center"]["lon"], e["center"]["lat"])
            else:
                continue  # route and other relations are not layers
        if geom is None:
            col.stats[f"{otype}s_without_geometry"] += 1
            continue
        bucket = buckets[otype]
        bucket[0].append(int(e["id"]))
        bucket[1].append(cat)
        bucket[2].append({k: str(v) for k, v in tags.items() if k in _KEPT})
        bucket[3].append(geom)
        if otype == "way":
            closed.append(geom.geom_type == "LineString" and geom.is_closed)
    w = buckets["way"]
    if w[0]:
        geoms = np.asarray(w[3], dtype=object)
        as_area = np.asarray(closed) & np.isin(np.asarray(w[1]), _AREA_CATEGORIES)
        if as_area.any():
            polys = _lines_to_polygons(geoms[as_area])
            geoms[np.flatnonzero(as_area)] = np.where(pd.isna(polys), geoms[as_area], polys)
        w = (w[0], w[1], w[2], list(geoms))
        buckets["way"] = w
    for otype, (ids, cats, tags_list, geoms) in buckets.items():
        col.add(otype, ids, cats, tags_list, np.asarray(geoms, dtype=object))
    return col


# -- layers ---------------------------------------------------------------------------------------


_PREFIX = {"node": "n", "way": "w", "relation": "r"}


def _osm_ids(raw: pd.DataFrame) -> pd.Series:
    return "osm:" + raw["osm_type"].map(_PREFIX) + raw["osm_id"].astype(str)


def _report(source: str, kind: str, fmt: str, area: Area, rows_read: int, rows_loaded: int,
            mapping: dict[str, str], tags: list[str], stats: Counter[str]) -> LoadReport:
    rep = LoadReport(
        source=source, kind=kind, rows_read=rows_read, rows_loaded=rows_loaded,
        crs_in="EPSG:4326 (WGS 84)", crs_note="OpenStreetMap data are always WGS 84 lon/lat",
        column_mapping=mapping, encoding="UTF-8",
    )
    rep.extra = {"source_kind": "OpenStreetMap", "format": fmt, "area": area.source,
                 "tags": tags, "stats": dict(stats)}
    return rep


def _roads(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    sel = raw[(raw["category"] == "road")
              & raw.geom_type.isin(["LineString", "MultiLineString"])]
    cls = classify_roads(sel)
    gdf = gpd.GeoDataFrame(cls, geometry=sel.geometry, crs=WGS84)
    gdf.insert(0, "osm_id", _osm_ids(sel))
    return gdf.reset_index(drop=True)


def _centre_columns(gdf: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray,
                    crs: CRS) -> None:
    gdf["centre_lon"] = lon
    gdf["centre_lat"] = lat
    x, y = Transformer.from_crs(WGS84, crs, always_xy=True).transform(lon, lat)
    gdf["centre_x"] = np.where(np.isfinite(lon), x, np.nan)
    gdf["centre_y"] = np.where(np.isfinite(lat), y, np.nan)


def _villages(raw: gpd.GeoDataFrame, params: OsmParams, crs: CRS,
              rep_stats: Counter[str]) -> gpd.GeoDataFrame:
    """Hamlets from place nodes and areas, and residential areas (see :class:`OsmParams`)."""
    places = raw[raw["category"] == "village"].copy()
    places = places[places.geom_type.isin(["Point", "Polygon", "MultiPolygon"])]
    cls = classify_villages(places)
    vil = gpd.GeoDataFrame(cls, geometry=places.geometry.values, crs=WGS84)
    vil.insert(0, "village_id", _osm_ids(places).to_numpy())
    vil["osm_source"] = "place=" + vil["place"].astype(str)
    vil["centre_lon"] = np.nan
    vil["centre_lat"] = np.nan
    is_point = (vil.geom_type == "Point").to_numpy()

    # A place node inside a place area of the same name is that area's centre, not a 2nd hamlet.
    pts = vil[is_point]
    polys = vil[~is_point]
    drop: set[int] = set()
    if len(pts) and len(polys):
        pairs = gpd.sjoin(pts[["name", "geometry"]], polys[["name", "geometry"]],
                          predicate="within", how="inner")
        same = pairs[pairs["name_left"] == pairs["name_right"]]
        same = same[~same.index.duplicated()]
        first = same[~same["index_right"].duplicated()]   # one centre per area
        area_ix = first["index_right"].to_numpy()
        vil.loc[area_ix, "centre_lon"] = pts.geometry.x.loc[first.index].to_numpy()
        vil.loc[area_ix, "centre_lat"] = pts.geometry.y.loc[first.index].to_numpy()
        drop = set(same.index)
        rep_stats["place_nodes_merged_into_place_areas"] += len(drop)
    vil = vil.drop(index=list(drop))

    # Residential areas: the settlement of the one place node inside them, or unnamed.
    res = raw[(raw["category"] == "residential")
              & raw.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(res):
        pts = vil[vil.geom_type == "Point"]
        pairs = gpd.sjoin(pts[["geometry"]], res[["geometry"]], predicate="within",
                          how="inner")
        per_area = pairs.groupby("index_right").size()
        single = per_area[per_area == 1].index
        hit = pairs[pairs["index_right"].isin(single)]
        hit = hit[~hit.index.duplicated()]
        pi = hit.index.to_numpy()
        vil.loc[pi, "centre_lon"] = pts.geometry.x.loc[pi].to_numpy()
        vil.loc[pi, "centre_lat"] = pts.geometry.y.loc[pi].to_numpy()
        vil.loc[pi, "geometry"] = res.geometry.loc[hit["index_right"].to_numpy()].to_numpy()
        vil.loc[pi, "osm_source"] = vil.loc[pi, "osm_source"] + " + landuse=residential"
        rep_stats["residential_areas_given_to_one_place"] = len(hit)
        rep_stats["residential_areas_with_several_places"] = int((per_area > 1).sum())
        empty = res.loc[~res.index.isin(per_area.index)]
        rep_stats["residential_areas_without_place"] = len(empty)
        if params.unnamed_residential and len(empty):
            ids = _osm_ids(empty).to_numpy()
            names = empty["name:vi"].fillna(empty["name"]).to_numpy(dtype=object)
            names = np.where(pd.isna(names),
                             np.char.add("Khu dân cư ", ids.astype(str)), names)
            extra = gpd.GeoDataFrame(
                {"village_id": ids, "name": names, "place": None, "population": np.nan,
                 "osm_source": "landuse=residential", "centre_lon": np.nan,
                 "centre_lat": np.nan},
                geometry=empty.geometry.values, crs=WGS84)
            vil = pd.concat([vil, extra], ignore_index=False)
    vil = vil.reset_index(drop=True)
    unnamed = vil["name"].isna()
    rep_stats["places_without_name"] = int(unnamed.sum())
    vil.loc[unnamed, "name"] = "Thôn chưa tên " + vil.loc[unnamed, "village_id"].astype(str)
    _centre_columns(vil, vil["centre_lon"].to_numpy(float), vil["centre_lat"].to_numpy(float),
                    crs)
    # The commune, district and province each hamlet lies in, from OSM admin boundaries.
    units = _admin_units(raw)
    if not units.empty:
        centre = shapely.points(vil["centre_lon"].to_numpy(float),
                                vil["centre_lat"].to_numpy(float))
        missing = ~np.isfinite(vil["centre_lon"].to_numpy(float))
        centre[missing] = shapely.point_on_surface(vil.geometry.to_numpy()[missing])
        where = gpd.GeoSeries(centre, crs=WGS84)
        for level in ("commune", "district", "province"):
            vil[level] = _containing(where, units, level)
        rep_stats["hamlets_without_commune"] = int(pd.isna(vil["commune"]).sum()) if (
            units["level"] == "commune").any() else 0
    return gpd.GeoDataFrame(vil, geometry="geometry", crs=WGS84)


def _admin_units(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """All admin boundary polygons of the area: ``name, level, code`` (WGS84)."""
    sel = raw[(raw["category"] == "admin") & raw.geom_type.isin(["Polygon", "MultiPolygon"])]
    name_vi = sel["name:vi"].astype(object)
    units = gpd.GeoDataFrame({
        "admin_id": _osm_ids(sel).to_numpy(),
        "name": name_vi.where(name_vi.notna(), sel["name"]).to_numpy(dtype=object),
        "level": sel["admin_level"].map(ADMIN_LEVELS).to_numpy(dtype=object),
        "code": sel["ref"].to_numpy(dtype=object),
    }, geometry=sel.geometry.to_numpy(), crs=WGS84)
    return units[units["name"].notna()].reset_index(drop=True)


def _containing(points: gpd.GeoSeries, units: gpd.GeoDataFrame, level: str) -> np.ndarray:
    """Name of the ``level`` unit containing each point (object array; None outside all)."""
    out = np.full(len(points), None, dtype=object)
    polys = units[units["level"] == level]
    if len(points) == 0 or polys.empty:
        return out
    pts = gpd.GeoDataFrame(geometry=points.to_numpy(), crs=units.crs)
    hits = gpd.sjoin(pts, polys[["name", "geometry"]], predicate="within", how="inner")
    hits = hits[~hits.index.duplicated()]
    out[hits.index.to_numpy()] = hits["name"].to_numpy(dtype=object)
    return out


def _admin(raw: gpd.GeoDataFrame, area: Area, rep_stats: Counter[str]) -> gpd.GeoDataFrame:
    """The admin layer: communes (else districts, else provinces) with their parents' names.

    Units that only touch the area along its edge are left out.
    """
    units = _admin_units(raw)
    if len(units):
        units = units[~shapely.touches(units.geometry.to_numpy(), area.geometry)]
    for level in ADMIN_LEVELS.values():
        rep_stats[f"admin_{level}s"] = int((units["level"] == level).sum())
    finest = next((lv for lv in ("commune", "district", "province")
                   if (units["level"] == lv).any()), None)
    if finest is None:
        return units.iloc[0:0]
    out = units[units["level"] == finest].reset_index(drop=True)
    inner = gpd.GeoSeries(shapely.point_on_surface(out.geometry.to_numpy()), crs=WGS84)
    for parent in ("district", "province"):
        if parent != finest:
            out[parent] = _containing(inner, units, parent)
    return out


def _facilities(raw: gpd.GeoDataFrame, rep_stats: Counter[str]) -> gpd.GeoDataFrame:
    sel = raw[(raw["category"] == "facility")
              & raw.geom_type.isin(["Point", "Polygon", "MultiPolygon"])]
    cls = classify_facilities(sel)
    fac = gpd.GeoDataFrame(cls, geometry=sel.geometry.values, crs=WGS84)
    fac.index = sel.index
    fac.insert(0, "facility_id", _osm_ids(sel))
    # The same school mapped as a node inside its own area: keep the area only.
    pts = fac[fac.geom_type == "Point"]
    polys = fac[fac.geom_type != "Point"]
    if len(pts) and len(polys):
        pairs = gpd.sjoin(pts[["kind", "name", "geometry"]], polys[["kind", "name", "geometry"]],
                          predicate="within", how="inner")
        dup = pairs[(pairs["kind_left"] == pairs["kind_right"])
                    & ((pairs["name_left"] == pairs["name_right"]) | pairs["name_left"].isna())]
        rep_stats["facility_nodes_inside_their_area"] = len(set(dup.index))
        fac = fac.drop(index=list(set(dup.index)))
    return fac.reset_index(drop=True)


def _sites(raw: gpd.GeoDataFrame, rep_stats: Counter[str]) -> gpd.GeoDataFrame:
    sel = raw[raw["category"] == "site"]
    pos_ids = _osm_ids(sel).to_numpy()
    points = shapely.point_on_surface(sel.geometry.to_numpy())
    rows = classify_sites(sel.reset_index(drop=True))
    pos = rows.pop("_pos").to_numpy(dtype=int)
    shared = pd.Series(pos).duplicated(keep=False).to_numpy()
    site_id = np.where(shared, np.char.add(np.char.add(pos_ids[pos].astype(str), "-"),
                                           rows["operator"].to_numpy(dtype=str)),
                       pos_ids[pos].astype(str)) if len(pos) else np.array([], dtype=str)
    gdf = gpd.GeoDataFrame(rows, geometry=points[pos] if len(pos) else [], crs=WGS84)
    gdf.insert(1, "site_id", site_id)
    gdf.insert(2, "position_id", pos_ids[pos] if len(pos) else [])
    gdf["source"] = "OpenStreetMap"
    rep_stats["masts"] = len(sel)
    unknown = (rows["operator"] == "unknown").to_numpy()
    rep_stats["masts_with_unknown_operator"] = len(set(pos[unknown]))
    rep_stats["shared_masts"] = len(set(pos[shared]))
    return gdf


def read_osm(path: str | Path, area: Area | str | tuple[float, float, float, float],
             crs: CRS | None = None, *, params: OsmParams | None = None,
             ) -> dict[str, tuple[gpd.GeoDataFrame, LoadReport]]:
    """Read the area's roads, hamlets, facilities and masts from an OSM file.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` XML (``.gz``/``.bz2`` too) or Overpass ``.json``.
    area
        An :class:`~gis.opendata.area.Area`, a bbox text ``"minlon,minlat,maxlon,maxlat"``
        (degrees) or an admin polygon file. Objects touching it are kept whole.
    crs
        The analysis CRS of the layers (metres); the area's UTM zone when not given.
    params
        Reading options; :class:`OsmParams` defaults when not given.

    Returns
    -------
    dict
        Layer kind (of ``params.layers``) -> (canonical GeoDataFrame in ``crs``, its
        :class:`~gis.layers.report.LoadReport`). A kind with nothing in the area is left out
        (so that importing cannot empty a project's layer); the reports of the others say so.

    Raises
    ------
    InputFileError
        The file does not exist, is not the format its name says, or is corrupt.
    ValidationError
        The file does not overlap the area, or the area holds none of the wanted objects.
    """
    params = params or OsmParams()
    path = Path(path)
    area = parse_area(area)
    crs = CRS(crs) if crs is not None else area.analysis_crs()
    fmt = _sniff(path)
    col = _read_overpass(path, area) if fmt == "json" else _read_osmium(path, area, params)
    raw = col.frame()
    if raw.empty:
        raise ValidationError(
            f"No roads, places, facilities or telecom masts of OpenStreetMap inside the area "
            f"{area.source}.",
            f"Không có đường, thôn xóm, cơ sở hay cột viễn thông OpenStreetMap nào trong vùng "
            f"{area.source}.",
            file=path,
            fix="Check that the file covers the area (lon,lat order of the bbox) and is not an "
            "empty Overpass answer.",
            fix_vi="Kiểm tra tệp có phủ vùng này không (thứ tự kinh độ, vĩ độ của khung) và kết "
            "quả Overpass không rỗng.",
        )
    name = path.name
    out: dict[str, tuple[gpd.GeoDataFrame, LoadReport]] = {}
    counts = raw["category"].value_counts()
    stats = col.stats
    builders = {
        "roads": (lambda s: _roads(raw), "road",
                  {"road_class": "ref, highway", "name": "name:vi, name",
                   "planned_works": "highway=construction|proposed"},
                  ["highway", "ref", "name", "name:vi", "construction", "proposed"]),
        "villages": (lambda s: _villages(raw, params, crs, s), "village",
                     {"name": "name:vi, name", "population": "population",
                      "commune": "containing admin_level=8 boundary",
                      "district": "containing admin_level=6 boundary",
                      "province": "containing admin_level=4 boundary"},
                     ["place=hamlet|village|isolated_dwelling|neighbourhood", "name", "name:vi",
                      "population", "landuse=residential"]),
        "facilities": (lambda s: _facilities(raw, s), "facility",
                       {"kind": "amenity, office, healthcare, landuse", "name": "name:vi, name"},
                       ["amenity=school|kindergarten|college|university",
                        "amenity=clinic|hospital|doctors", "healthcare=*", "office=government",
                        "amenity=townhall", "landuse=industrial"]),
        "admin": (lambda s: _admin(raw, area, s), "admin",
                  {"name": "name:vi, name", "level": "admin_level (4 province, 6 district, "
                   "8 commune)", "code": "ref", "district": "containing admin_level=6",
                   "province": "containing admin_level=4"},
                  ["type=boundary", "boundary=administrative", "admin_level=4|6|8", "name",
                   "name:vi", "ref"]),
        "sites": (lambda s: _sites(raw, s), "site",
                  {"operator": "operator", "tech": "communication:*", "height_m": "height",
                   "structure": "man_made"},
                  ["man_made=mast|tower|communications_tower", "tower:type=communication",
                   "communication:mobile_phone", "operator", "height"]),
    }
    empty: list[str] = []
    for kind in params.layers:
        build, cat, mapping, tags = builders[kind]
        layer_stats: Counter[str] = Counter(stats)
        gdf = build(layer_stats)
        read = int(counts.get(cat, 0)) + (int(counts.get("residential", 0))
                                          if kind == "villages" else 0)
        rep = _report(name, kind, fmt, area, read, len(gdf), mapping, tags, layer_stats)
        rep.extra["params"] = {"unnamed_residential": params.unnamed_residential,
                               "layers": list(params.layers)}
        if fmt != "json":
            rep.extra["location_index"] = _location_index(path, params)
        if kind == "sites" and len(gdf):
            # Counts are of masts; a mast shared by n operators gives n rows.
            rep.rows_loaded = int(gdf["position_id"].nunique())
            rep.extra["site_rows"] = len(gdf)
        _explain(rep, kind, layer_stats, params)
        if gdf.empty:
            empty.append(kind)
            continue
        out[kind] = (gdf.to_crs(crs), rep)
    if empty:
        # An empty layer is not put into the project (it would replace a loaded one); the
        # reports of the layers that were found say so.
        for _, rep in out.values():
            rep.warn(f"The file has no {', '.join(empty)} in the area; the project keeps its "
                     "own.",
                     f"Tệp không có lớp {', '.join(empty)} trong vùng; dự án giữ lớp đang có.")
            rep.extra["empty_layers"] = empty
    return out


def _explain(rep: LoadReport, kind: str, s: Counter[str], params: OsmParams) -> None:
    """Turn the counters that matter into bilingual report warnings."""
    if s.get("ways_with_missing_nodes"):
        n = s["ways_with_missing_nodes"]
        rep.warn(f"{n} ways reference nodes missing from the file (cut at the extract's edge) "
                 "and have no geometry.",
                 f"{n} đường (way) tham chiếu nút không có trong tệp (bị cắt ở mép vùng trích "
                 "xuất) nên không có hình học.")
    if kind == "villages":
        if s.get("places_without_name"):
            n = s["places_without_name"]
            rep.warn(f"{n} places have no name tag; named 'Thôn chưa tên osm:...'.",
                     f"{n} thôn xóm không có thẻ name; đặt tên 'Thôn chưa tên osm:...'.")
        if s.get("residential_areas_without_place") and not params.unnamed_residential:
            n = s["residential_areas_without_place"]
            rep.warn(f"{n} residential areas (landuse=residential) contain no place node and "
                     "were not made hamlets (set unnamed_residential to include them).",
                     f"{n} khu dân cư (landuse=residential) không chứa nút place nên không thành "
                     "thôn (bật unnamed_residential để đưa vào).")
        if s.get("residential_areas_with_several_places"):
            n = s["residential_areas_with_several_places"]
            rep.warn(f"{n} residential areas contain several place nodes; those hamlets stay "
                     "points.",
                     f"{n} khu dân cư chứa nhiều nút place; các thôn đó giữ dạng điểm.")
    for otype in ("node", "way", "relation"):
        n = s.get(f"{otype}s_without_geometry", 0)
        if n:
            rep.warn(f"{n} {otype}s of the Overpass answer have no coordinates (query with "
                     "'out geom;' or 'out body; >; out skel;') and were not used.",
                     f"{n} đối tượng {otype} trong kết quả Overpass không có toạ độ (truy vấn với "
                     "'out geom;' hoặc 'out body; >; out skel;') nên không dùng.")
    if s.get("ways_without_length"):
        n = s["ways_without_length"]
        rep.warn(f"{n} ways have fewer than two distinct points and were not used.",
                 f"{n} đường (way) có ít hơn hai điểm khác nhau nên không dùng.")
    if kind == "villages" and s.get("place_nodes_merged_into_place_areas"):
        n = s["place_nodes_merged_into_place_areas"]
        rep.warn(f"{n} place nodes lie in a place area of the same name: one hamlet each, the "
                 "node giving its centre.",
                 f"{n} nút place nằm trong vùng place cùng tên: gộp thành một thôn, nút là tâm.")
    if kind == "facilities" and s.get("facility_nodes_inside_their_area"):
        n = s["facility_nodes_inside_their_area"]
        rep.warn(f"{n} facility nodes lie in an area of the same kind and name: the area is kept.",
                 f"{n} nút cơ sở nằm trong vùng cùng loại và tên: giữ vùng.")
    if kind == "admin":
        rep.warn("OSM admin boundaries may predate the reform of 1/7/2025 (two tiers, 3 321 "
                 "communes): check them against the official list.",
                 "Ranh giới hành chính OSM có thể từ trước sắp xếp 1/7/2025 (hai cấp, 3 321 xã): "
                 "đối chiếu với danh mục chính thức.")
    if kind == "villages" and s.get("hamlets_without_commune"):
        n = s["hamlets_without_commune"]
        rep.warn(f"{n} hamlets lie in no OSM commune boundary (commune left empty).",
                 f"{n} thôn không nằm trong ranh giới xã nào của OSM (để trống cột xã).")
    if kind == "sites" and s.get("masts_with_unknown_operator"):
        n = s["masts_with_unknown_operator"]
        rep.warn(f"{n} masts have no recognised operator; kept with operator 'unknown' and a "
                 "note.",
                 f"{n} cột không rõ nhà mạng; vẫn giữ với operator 'unknown' và ghi chú.")
    if s.get("relations_incomplete"):
        n = s["relations_incomplete"]
        rep.warn(f"{n} multipolygons or admin boundaries near the area miss member ways in the "
                 "file (cut at the extract's edge) and were not used.",
                 f"{n} đa giác hoặc ranh giới hành chính gần vùng thiếu thành phần trong tệp (bị "
                 "cắt ở mép vùng trích xuất) nên không dùng.")


def import_osm(path: str | Path | Upload, area: Area | str | tuple[float, float, float, float],
               project: ProjectLike = None, *, params: OsmParams | None = None) -> Project:
    """Import an OSM file's layers for ``area`` into a project.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` XML or Overpass ``.json``.
    area
        Bbox text ``"minlon,minlat,maxlon,maxlat"`` (degrees), an admin polygon file, or an
        :class:`~gis.opendata.area.Area`.
    project
        An open :class:`~gis.project.Project`, a project folder (opened when it exists) or
        ``None`` for a new project in the area's UTM zone. Only the imported layers are added
        or replaced; the others stay.
    params
        Which layers and how (:class:`OsmParams`).

    Returns
    -------
    Project
        The project with the imported layers and their load reports (not saved; call
        :meth:`~gis.project.Project.save`).
    """
    path = local_paths(path)[0]
    area = parse_area(area)
    proj = target_project(project, area)
    for kind, (gdf, report) in read_osm(path, area, proj.crs, params=params).items():
        proj.set_layer(kind, gdf, report)
    return proj
