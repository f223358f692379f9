"""OpenStreetMap importer: roads, hamlets, facilities, masts, fiber and admin units of an area.

Three input formats give the same layers:

* ``.osm.pbf`` (the country extract users download), read by pyosmium in a streaming pass: a
  C++ tag filter drops every object without one of the tags in
  :data:`~gis.opendata.osm_tags.PREFILTER_TAGS` before Python sees it, node locations go to a
  libosmium index (``OsmParams.location_index``), and way geometries are built in C++ (WKB)
  and tested against the area in vectorised batches; the tags of the ways inside are read in
  a last, way-only pass.
  Multipolygon relations are read in a first, relation-only pass and their member ways in a
  third, way-only pass, so the file is never held in memory.
* ``.osm`` XML (also ``.osm.gz`` / ``.osm.bz2``; the openstreetmap.org export): the same
  pyosmium path.
* Overpass API JSON saved to a file (``out body; >; out skel;``, ``out geom;`` or
  ``out center;``).

Tag rules are in :mod:`gis.opendata.osm_tags`.

**The margin.** Hamlets, facilities and admin units are those of the area. Masts, roads and
telecom cables are kept within the area grown by ``OsmParams.margin_m`` (default: the largest
coverage radius of the radio parameters, :func:`~gis.opendata.area.default_margin_m`): a tower
outside a commune serves hamlets inside it, and a road that leaves the commune and comes back
keeps the road graph connected. Lines are kept whole, never cut.

**Nothing is dropped without a reason.** Each layer's
:class:`~gis.layers.report.LoadReport` counts the OSM objects of that layer's kind in the
area (``rows_read``): those used (``rows_loaded``) and every other one in ``rejected`` with
its OSM id and reason (``place=suburb``, a way whose nodes are missing, a relation without
coordinates, a node merged into its own area ...), so that ``rows_read == rows_loaded +
len(rejected)``. Objects that belong to no layer (untagged nodes no way uses, routes, other
tags) are counted in ``extra["objects_not_used"]`` (for PBF/XML files up to
``OsmParams.census_max_bytes``; the country extract holds millions of them outside the area).
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

from gis.errors import InputFileError, ValidationError, missing_file
from gis.layers.crs import WGS84
from gis.layers.report import LoadReport
from gis.layers.sources import Upload
from gis.opendata.area import Area, check_margin, parse_area
from gis.opendata.osm_tags import (
    ADMIN_LEVELS,
    CATEGORY_LAYER,
    KEPT_TAGS,
    MARGIN_CATEGORIES,
    PREFILTER_TAGS,
    classify_facilities,
    classify_fiber,
    classify_roads,
    classify_sites,
    classify_villages,
    feature_category,
    set_aside_reason,
)
from gis.opendata.target import ProjectLike, local_paths, target_project
from gis.project import Project

__all__ = ["OSM_LAYERS", "OsmParams", "import_osm", "read_osm"]

#: Layers the OSM importer can produce.
OSM_LAYERS = ("roads", "villages", "facilities", "sites", "fiber", "admin")

_KEPT = frozenset(KEPT_TAGS)
_AREA_CATEGORIES = ("village", "residential", "facility", "site", "admin", "place_other",
                    "mast_other")
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
        The layers to produce and put into the project (default: all six). Use
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
    margin_m
        Metres around the area within which masts, roads and telecom cables are kept
        (``None``: :func:`~gis.opendata.area.default_margin_m`, the largest coverage radius of
        the radio parameters, 15 km). ``0`` keeps only what touches the area.
    census_max_bytes
        XML files up to this size (10 MB: an openstreetmap.org export, at most 50 000 nodes,
        read again in a second or two), and PBF files up to a twentieth of it, get one more
        pass counting the objects no layer uses (untagged nodes, routes, other tags); larger
        files skip it (a country extract holds millions of such objects, mostly outside the
        area), and their reports say so.
    """

    layers: tuple[str, ...] = OSM_LAYERS
    location_index: str = "auto"
    unnamed_residential: bool = False
    batch_size: int = 20_000
    margin_m: float | None = None
    census_max_bytes: int = 10_000_000

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
        if self.margin_m is not None:
            check_margin(self.margin_m)

    @property
    def margin(self) -> float:
        """The margin in metres (the default resolved)."""
        return check_margin(self.margin_m)


# -- format detection ----------------------------------------------------------------------------


def _sniff(path: Path) -> str:
    """``"pbf"``, ``"xml"`` or ``"json"`` from the file's first bytes; error when it is none."""
    if not path.is_file():
        raise missing_file(
            path, "OSM", "OSM",
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

_PREFIX = {"node": "n", "way": "w", "relation": "r"}


class _Collector:
    """Objects of interest inside the area (or its margin): type, id, category, kept tags and
    WGS84 geometry; and the objects of a layer's kind that could not be placed, with why."""

    def __init__(self, area: Area, wide: Area) -> None:
        self.area = area
        self.wide = wide
        self.types: list[str] = []
        self.ids: list[int] = []
        self.cats: list[str] = []
        self.tags: list[dict[str, str]] = []
        self.geoms: list[Any] = []
        self.stats: Counter[str] = Counter()
        #: (category, "osm:n1", reason en, reason vi, stat) of candidates without a usable
        #: geometry
        self.failed: list[tuple[str, str, str, str, str]] = []
        #: reason -> count of objects that belong to no layer ("untagged nodes ...")
        self.not_used: dict[tuple[str, str], int] = {}
        #: whether the objects of no layer were counted (small files only)
        self.census = False

    def inside(self, otype: str, geoms: np.ndarray) -> np.ndarray:
        """Mask of the geometries (WGS84) that touch the area grown by the margin; counts the
        others."""
        b = shapely.bounds(geoms)
        minx, miny, maxx, maxy = self.wide.bounds
        keep = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        if not self.wide.is_box and keep.any():
            idx = np.flatnonzero(keep)
            keep[idx] = self.wide.intersects(geoms[idx])
        self.stats[f"{otype}s_outside_area"] += int((~keep).sum())
        return keep

    def add(self, otype: str, ids: list[int], cats: list[str], tags: list[dict[str, str]],
            geoms: np.ndarray) -> None:
        """Add a batch; only the geometries that touch the area (with margin) are kept."""
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

    def fail(self, otype: str, oid: int, cat: str | None, stat: str, en: str, vi: str) -> None:
        """A candidate of a layer (``cat``) that has no usable geometry: counted in ``stat``
        and, when it belongs to a layer, set aside with the reason."""
        self.stats[stat] += 1
        if cat in CATEGORY_LAYER:
            self.failed.append((cat, f"osm:{_PREFIX[otype]}{oid}", en, vi, stat))

    def unused(self, en: str, vi: str, n: int = 1) -> None:
        """Objects that belong to no layer, counted by reason."""
        if n:
            self.not_used[(en, vi)] = self.not_used.get((en, vi), 0) + n

    def frame(self) -> gpd.GeoDataFrame:
        tags = pd.DataFrame.from_records(self.tags, columns=list(KEPT_TAGS))
        tags.insert(0, "osm_type", self.types)
        tags.insert(1, "osm_id", np.asarray(self.ids, dtype=np.int64))
        tags.insert(2, "category", self.cats)
        return gpd.GeoDataFrame(tags, geometry=gpd.GeoSeries(self.geoms, crs=WGS84), crs=WGS84)


_MISSING_NODES = ("its nodes are missing from the file (cut at the extract's edge): no "
                  "geometry",
                  "thiếu nút trong tệp (bị cắt ở mép vùng trích xuất): không có hình học")
_NO_LENGTH = ("fewer than two distinct points: no line", "ít hơn hai điểm khác nhau: không có "
              "đường")
_INCOMPLETE = ("member ways missing from the file (cut at the extract's edge): no geometry",
               "thiếu thành phần (way) trong tệp (bị cắt ở mép vùng trích xuất): không có hình "
               "học")
_NOT_CLOSED = ("its rings do not close: no polygon", "các vòng không khép kín: không có đa giác")


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
            col.fail("way", wid, cat, "highway_areas_skipped",
                     "a highway area (area=yes: a square or pedestrian area), not a road line",
                     "một vùng đường (area=yes: quảng trường, khu đi bộ), không phải tuyến "
                     "đường")
            continue
        col.extend("way", wid, cat, tags, geom)


#: The object categories each layer is built from (``admin`` also gives hamlets their units).
_LAYER_CATEGORIES = {"roads": ("road",), "villages": ("village", "residential", "place_other",
                                                      "admin"),
                     "facilities": ("facility",), "sites": ("site", "mast_other"),
                     "fiber": ("fiber", "line_other"), "admin": ("admin",)}


def _wanted_categories(params: OsmParams) -> frozenset[str]:
    return frozenset(c for layer in params.layers for c in _LAYER_CATEGORIES[layer])


def _location_index(path: Path, params: OsmParams) -> str:
    """The libosmium node-location index for ``path`` (resolves ``"auto"``)."""
    if params.location_index != "auto":
        return params.location_index
    return "sparse_file_array" if path.stat().st_size > AUTO_FILE_INDEX_BYTES else "flex_mem"


def _read_osmium(path: Path, area: Area, wide: Area, params: OsmParams) -> _Collector:
    """Stream a PBF or XML file with pyosmium and collect the area's objects (see module text)."""
    import osmium
    from osmium.filter import IdFilter, TagFilter

    col = _Collector(area, wide)
    minx, miny, maxx, maxy = wide.bounds
    wanted = _wanted_categories(params)
    try:
        header_box = osmium.FileProcessor(str(path), osmium.osm.NOTHING).header.box()
    except RuntimeError as exc:
        raise InputFileError(
            f"pyosmium cannot read the file: {str(exc).rstrip('.')}.",
            f"pyosmium không đọc được tệp: {str(exc).rstrip('.')}.",
            file=path,
            fix="Download the extract again; the file may be truncated.",
            fix_vi="Tải lại tệp; có thể tệp bị thiếu phần cuối.",
        ) from exc
    if header_box.valid():
        bl, tr = header_box.bottom_left, header_box.top_right
        a0, b0, a1, b1 = area.bounds
        if bl.lon > a1 or tr.lon < a0 or bl.lat > b1 or tr.lat < b0:
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
            cat = feature_category(rel.tags.get)
            if cat is None or cat == "road" or cat not in wanted:
                continue
            if rel.tags.get("type") not in ("multipolygon", "boundary"):
                col.fail("relation", rel.id, cat, "relations_not_areas",
                         f"a relation of type={rel.tags.get('type')}: only multipolygons and "
                         "boundaries are areas",
                         f"quan hệ type={rel.tags.get('type')}: chỉ multipolygon và boundary "
                         "mới là vùng")
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
                    col.fail("node", obj.id, feature_category(obj.tags.get),
                             "nodes_without_location", "a node without coordinates",
                             "nút không có toạ độ")
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
                cat = feature_category(obj.tags.get)
                col.fail("way", obj.id, cat if cat in wanted else None,
                         "ways_with_missing_nodes", *_MISSING_NODES)
                continue
            except RuntimeError:  # fewer than two distinct points
                cat = feature_category(obj.tags.get)
                col.fail("way", obj.id, cat if cat in wanted else None, "ways_without_length",
                         *_NO_LENGTH)
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
        # PBF packs some twenty times the objects of XML in a byte.
        limit = params.census_max_bytes / (20 if _sniff(path) == "pbf" else 1)
        if path.stat().st_size <= limit:
            _census(col, path, member_ids)
    except (RuntimeError, osmium.InvalidLocationError, ValueError) as exc:
        # libosmium's parse errors (RuntimeError), a coordinate that is not a number
        # (InvalidLocationError, raised while iterating the nodes)
        if isinstance(exc, ValidationError | InputFileError):
            raise
        raise InputFileError(
            f"pyosmium stopped reading the file: {str(exc).rstrip('.')}.",
            f"pyosmium dừng đọc tệp: {str(exc).rstrip('.')}.",
            file=path,
            fix="Download the extract again; the file may be truncated or corrupt.",
            fix_vi="Tải lại tệp; có thể tệp bị hỏng hoặc thiếu phần cuối.",
        ) from exc
    return col


_UNTAGGED_NODES = ("untagged nodes that no way uses", "nút không có thẻ, không thuộc way nào")
_OTHER_TAGS = ("objects whose tags are no layer's (e.g. amenity=restaurant, route relations)",
               "đối tượng có thẻ không thuộc lớp nào (ví dụ amenity=restaurant, quan hệ route)")
_UNTAGGED_WAYS = ("untagged ways that no relation uses", "way không có thẻ, không thuộc quan hệ "
                  "nào")


def _census(col: _Collector, path: Path, member_ids: set[int]) -> None:
    """Count the file's objects that belong to no layer (one unfiltered pass; small files).

    Untagged nodes count when they lie in the area (with margin) and no way uses them;
    tagged objects when no tag rule takes them (ways and relations wherever they are: a
    small file is an export of the area).
    """
    import osmium

    minx, miny, maxx, maxy = col.wide.bounds
    used: set[int] = set()
    loose: list[int] = []
    other = untagged_ways = 0
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY
                                    | osmium.osm.RELATION):
        if obj.is_node():
            loc = obj.location
            if not (loc.valid() and minx <= loc.lon <= maxx and miny <= loc.lat <= maxy):
                continue
            if len(obj.tags) == 0:
                loose.append(obj.id)
            elif feature_category(obj.tags.get) is None:
                other += 1
        elif obj.is_way():
            used.update([n.ref for n in obj.nodes])
            if len(obj.tags) == 0:
                untagged_ways += obj.id not in member_ids
            elif feature_category(obj.tags.get) is None:
                other += 1
        elif feature_category(obj.tags.get) is None:
            other += 1
    col.census = True
    col.unused(*_UNTAGGED_NODES, sum(1 for n in loose if n not in used))
    col.unused(*_OTHER_TAGS, other)
    col.unused(*_UNTAGGED_WAYS, untagged_ways)


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
    minx, miny, maxx, maxy = col.wide.bounds
    for rid, cat, rtags, members in relations:
        b = np.asarray([bounds[w] for w, _ in members if w in bounds]).reshape(-1, 4)
        if len(b) and (b[:, 0].min() > maxx or b[:, 2].max() < minx
                       or b[:, 1].min() > maxy or b[:, 3].max() < miny):
            col.stats["relations_outside_area"] += 1
            continue
        if len(b) == 0 or any(w not in member_geoms for w, _ in members):
            # no member in the file at all, or some missing: cannot be placed
            col.fail("relation", rid, cat, "relations_incomplete", *_INCOMPLETE)
            continue
        outer = [member_geoms[w] for w, role in members if role != "inner"]
        inner = [member_geoms[w] for w, role in members if role == "inner"]
        geom = _assemble_multipolygon(outer, inner)
        if geom is None:
            col.fail("relation", rid, cat, "relations_not_closed", *_NOT_CLOSED)
            continue
        ids.append(rid)
        cats.append(cat)
        tags.append(rtags)
        geoms.append(geom)
    col.add("relation", ids, cats, tags, np.asarray(geoms, dtype=object))


_LINE_CATEGORIES = ("road", "fiber", "line_other")
_NO_COORDS = ("no coordinates in the Overpass answer (query with 'out geom;', 'out center;' or "
              "'out body; >; out skel;')",
              "không có toạ độ trong kết quả Overpass (truy vấn với 'out geom;', 'out center;' "
              "hoặc 'out body; >; out skel;')")


def _lonlat(obj: object) -> tuple[float, float] | None:
    """(lon, lat) of an Overpass ``{"lat": .., "lon": ..}`` when both are finite numbers."""
    if not isinstance(obj, dict):
        return None
    lon, lat = obj.get("lon"), obj.get("lat")
    if isinstance(lon, bool) or isinstance(lat, bool) or not (
            isinstance(lon, int | float) and isinstance(lat, int | float)):
        return None
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return float(lon), float(lat)


def _clean_element(e: object) -> dict[str, Any] | None:
    """An Overpass element with the fields the reader uses in the expected types (tags as a
    dict of texts, coordinates as finite numbers, node and member lists as lists), or
    ``None`` when it has no type or integer id."""
    if not isinstance(e, dict) or e.get("type") not in ("node", "way", "relation"):
        return None
    oid = e.get("id")
    if isinstance(oid, bool) or not isinstance(oid, int):
        return None
    tags = e.get("tags")
    out: dict[str, Any] = {"type": e["type"], "id": oid,
                           "tags": ({str(k): str(v) for k, v in tags.items()}
                                    if isinstance(tags, dict) else {})}
    where = _lonlat(e)
    if where is not None:
        out["lon"], out["lat"] = where
    centre = _lonlat(e.get("center"))
    if centre is not None:
        out["center"] = {"lon": centre[0], "lat": centre[1]}
    nodes = e.get("nodes")
    if isinstance(nodes, list):
        out["nodes"] = [n for n in nodes if isinstance(n, int) and not isinstance(n, bool)]
    geometry = e.get("geometry")
    if isinstance(geometry, list):
        pts = [_lonlat(g) for g in geometry]
        out["geometry"] = ([{"lon": p[0], "lat": p[1]} for p in pts]
                           if all(p is not None for p in pts) else [])
    members = e.get("members")
    if isinstance(members, list):
        clean = []
        for m in members:
            if not isinstance(m, dict):
                continue
            ref = m.get("ref")
            mem = {"type": m.get("type") if isinstance(m.get("type"), str) else None,
                   "ref": ref if isinstance(ref, int) and not isinstance(ref, bool) else None,
                   "role": str(m.get("role") or "")}
            if isinstance(m.get("geometry"), list):
                pts = [_lonlat(g) for g in m["geometry"]]
                mem["geometry"] = ([{"lon": p[0], "lat": p[1]} for p in pts]
                                   if all(p is not None for p in pts) else [])
            clean.append(mem)
        out["members"] = clean
    return out


def _read_overpass(path: Path, area: Area, wide: Area, params: OsmParams) -> _Collector:
    """Collect the area's objects from an Overpass API JSON file (``out body``/``out geom``/
    ``out center``)."""
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
    col = _Collector(area, wide)
    good = [e for e in (_clean_element(e) for e in elements) if e is not None]
    col.unused("malformed elements (no type or id, coordinates that are not numbers)",
               "phần tử hỏng (thiếu type hoặc id, toạ độ không phải số)",
               len(elements) - len(good))
    elements = good
    wanted = _wanted_categories(params)
    nodes = {e["id"]: (e["lon"], e["lat"]) for e in elements
             if e.get("type") == "node" and "lat" in e and "lon" in e}
    used_nodes: set[int] = set()
    member_ways: set[int] = set()
    way_lines: dict[int, Any] = {}
    for e in elements:
        if e.get("type") == "relation":
            member_ways.update(m.get("ref") for m in e.get("members", []) if isinstance(m, dict)
                               and m.get("type") == "way")
        if e.get("type") != "way":
            continue
        used_nodes.update(e.get("nodes", []))
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
        otype = e.get("type")
        if otype not in buckets:
            continue
        cat = feature_category(tags.get)
        if cat is None:
            if not tags and otype == "node":
                if e.get("id") not in used_nodes:
                    col.unused(*_UNTAGGED_NODES)
            elif not tags and otype == "way":
                if e.get("id") not in member_ways:
                    col.unused(*_UNTAGGED_WAYS)
            elif tags:
                col.unused(*_OTHER_TAGS)
            continue
        if cat not in wanted:
            continue
        center = e.get("center")
        centre = (shapely.points(center["lon"], center["lat"])
                  if isinstance(center, dict) and "lon" in center and "lat" in center else None)
        geom = None
        if otype == "node":
            geom = shapely.points(e["lon"], e["lat"]) if "lat" in e and "lon" in e else None
        elif otype == "way":
            geom = way_lines.get(e["id"])
            if geom is None and cat not in _LINE_CATEGORIES:
                geom = centre
        else:
            if tags.get("type") in ("multipolygon", "boundary") and cat != "road":
                outer, inner, complete = [], [], True
                for m in e.get("members", []):
                    if m.get("type") != "way":
                        continue
                    pts = [(g["lon"], g["lat"]) for g in m.get("geometry") or []]
                    line = (shapely.linestrings(pts) if len(pts) >= 2
                            else way_lines.get(m.get("ref")))
                    if line is None:
                        complete = False
                        break
                    (inner if m.get("role") == "inner" else outer).append(line)
                geom = _assemble_multipolygon(outer, inner) if complete and outer else None
                if geom is None and centre is not None:
                    geom = centre                    # out center; gives the centre only
                    col.stats["relations_as_centre_points"] += 1
            elif centre is not None and cat not in _LINE_CATEGORIES:
                geom = centre
            else:
                col.fail("relation", e["id"], cat, "relations_not_areas",
                         f"a relation of type={tags.get('type')}: only multipolygons and "
                         "boundaries are areas",
                         f"quan hệ type={tags.get('type')}: chỉ multipolygon và boundary mới "
                         "là vùng")
                continue
        if geom is None:
            col.fail(otype, e["id"], cat, f"{otype}s_without_geometry", *_NO_COORDS)
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

#: Objects of a layer's kind set aside by the layer builders: (OSM id, reason en, reason vi).
Rejects = list[tuple[str, str, str]]


def _osm_ids(raw: pd.DataFrame) -> pd.Series:
    return "osm:" + raw["osm_type"].map(_PREFIX) + raw["osm_id"].astype(str)


def _set_aside(rej: Rejects, frame: pd.DataFrame, en: str, vi: str) -> None:
    rej.extend((i, en, vi) for i in _osm_ids(frame))


def _set_aside_tagged(rej: Rejects, frame: pd.DataFrame) -> None:
    """Objects of a set-aside category, each with the reason its tags give."""
    for oid, cat, rec in zip(_osm_ids(frame), frame["category"],
                             frame.to_dict("records"), strict=True):
        en, vi = set_aside_reason(lambda k, r=rec: None if pd.isna(r.get(k)) else r.get(k), cat)
        rej.append((oid, en, vi))


def _report(source: str, kind: str, fmt: str, area: Area, rows_read: int, rows_loaded: int,
            mapping: dict[str, str], tags: list[str], stats: Counter[str]) -> LoadReport:
    rep = LoadReport(
        source=source, kind=kind, rows_read=rows_read, rows_loaded=rows_loaded,
        crs_in="EPSG:4326 (WGS 84)", crs_note="OpenStreetMap data are always WGS 84 lon/lat",
        crs_note_vi="dữ liệu OpenStreetMap luôn là kinh/vĩ độ WGS 84",
        column_mapping=mapping, encoding="UTF-8",
    )
    rep.extra = {"source_kind": "OpenStreetMap", "format": fmt, "area": area.source,
                 "tags": tags, "stats": dict(stats)}
    return rep


def _lines(raw: gpd.GeoDataFrame, cat: str, rej: Rejects, en: str, vi: str) -> gpd.GeoDataFrame:
    sel = raw[raw["category"] == cat]
    line = sel.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    _set_aside(rej, sel[~line], en, vi)
    return sel[line]


def _roads(raw: gpd.GeoDataFrame, rej: Rejects) -> gpd.GeoDataFrame:
    sel = _lines(raw, "road", rej, "not a line (a highway node or area): not a road",
                 "không phải đường thẳng (nút hoặc vùng highway): không phải tuyến đường")
    cls = classify_roads(sel)
    gdf = gpd.GeoDataFrame(cls, geometry=sel.geometry, crs=WGS84)
    gdf.insert(0, "osm_id", _osm_ids(sel))
    return gdf.reset_index(drop=True)


def _fiber(raw: gpd.GeoDataFrame, rej: Rejects) -> gpd.GeoDataFrame:
    _set_aside_tagged(rej, raw[raw["category"] == "line_other"])
    sel = _lines(raw, "fiber", rej, "a telecom line that is not a line geometry",
                 "tuyến viễn thông không có dạng đường")
    gdf = gpd.GeoDataFrame(classify_fiber(sel), geometry=sel.geometry, crs=WGS84)
    gdf.insert(0, "osm_id", _osm_ids(sel))
    gdf["source"] = "OpenStreetMap"
    return gdf.reset_index(drop=True)


def _centre_columns(gdf: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray,
                    crs: CRS) -> None:
    gdf["centre_lon"] = lon
    gdf["centre_lat"] = lat
    x, y = Transformer.from_crs(WGS84, crs, always_xy=True).transform(lon, lat)
    gdf["centre_x"] = np.where(np.isfinite(lon), x, np.nan)
    gdf["centre_y"] = np.where(np.isfinite(lat), y, np.nan)


def _villages(raw: gpd.GeoDataFrame, params: OsmParams, crs: CRS,
              rep_stats: Counter[str], rej: Rejects) -> gpd.GeoDataFrame:
    """Hamlets from place nodes and areas, and residential areas (see :class:`OsmParams`)."""
    _set_aside_tagged(rej, raw[raw["category"] == "place_other"])
    rep_stats["places_not_hamlets"] = int((raw["category"] == "place_other").sum())
    places = raw[raw["category"] == "village"].copy()
    shaped = places.geom_type.isin(["Point", "Polygon", "MultiPolygon"]).to_numpy()
    _set_aside(rej, places[~shaped], "an open way (not closed): a hamlet needs a point or an area",
               "đường (way) không khép kín: thôn cần là điểm hoặc vùng")
    places = places[shaped]
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
        for node_ix, area_i in zip(same.index, same["index_right"], strict=True):
            rej.append((vil.loc[node_ix, "village_id"],
                        f"lies in the place area {vil.loc[area_i, 'village_id']} of the same "
                        "name: one hamlet, this node its centre",
                        f"nằm trong vùng place {vil.loc[area_i, 'village_id']} cùng tên: một "
                        "thôn, nút này là tâm"))
    vil = vil.drop(index=list(drop))

    # Residential areas: the settlement of the one place node inside them, or unnamed.
    res_all = raw[raw["category"] == "residential"]
    res_poly = res_all.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    _set_aside(rej, res_all[~res_poly], "an open landuse=residential way (not an area)",
               "đường landuse=residential không khép kín (không phải vùng)")
    res = res_all[res_poly]
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
        res_ids = _osm_ids(res)
        given = set()
        for place_ix, area_ix in zip(pi, hit["index_right"], strict=True):
            if area_ix in given:
                continue
            given.add(area_ix)
            rej.append((res_ids.loc[area_ix],
                        f"became the area of hamlet {vil.loc[place_ix, 'village_id']} (the one "
                        "place node inside it)",
                        f"thành vùng của thôn {vil.loc[place_ix, 'village_id']} (nút place duy "
                        "nhất trong đó)"))
        for area_ix, n in per_area[per_area > 1].items():
            rej.append((res_ids.loc[area_ix],
                        f"holds {int(n)} place nodes: those hamlets stay points",
                        f"chứa {int(n)} nút place: các thôn đó giữ dạng điểm"))
        rep_stats["residential_areas_given_to_one_place"] = len(given)
        rep_stats["residential_areas_with_several_places"] = int((per_area > 1).sum())
        empty = res.loc[~res.index.isin(per_area.index)]
        rep_stats["residential_areas_without_place"] = len(empty)
        if params.unnamed_residential and len(empty):
            ids = _osm_ids(empty).to_numpy()
            names = classify_villages(empty)["name"].to_numpy(dtype=object)
            names = np.where(pd.isna(names),
                             np.char.add("Khu dân cư ", ids.astype(str)), names)
            extra = gpd.GeoDataFrame(
                {"village_id": ids, "name": names, "place": None, "population": np.nan,
                 "osm_source": "landuse=residential", "centre_lon": np.nan,
                 "centre_lat": np.nan},
                geometry=empty.geometry.values, crs=WGS84)
            vil = pd.concat([vil, extra], ignore_index=False)
        else:
            _set_aside(rej, empty, "landuse=residential with no place node inside: not made a "
                       "hamlet (unnamed_residential is off)",
                       "landuse=residential không chứa nút place: không thành thôn "
                       "(unnamed_residential đang tắt)")
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
    """All named admin boundary polygons of the area: ``admin_id, name, level, code`` (WGS84)."""
    sel = raw[(raw["category"] == "admin") & raw.geom_type.isin(["Polygon", "MultiPolygon"])]
    names = classify_villages(sel)["name"] if len(sel) else pd.Series([], dtype=object)
    units = gpd.GeoDataFrame({
        "admin_id": _osm_ids(sel).to_numpy(),
        "name": names.to_numpy(dtype=object),
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


def _admin(raw: gpd.GeoDataFrame, area: Area, rep_stats: Counter[str],
           rej: Rejects) -> gpd.GeoDataFrame:
    """The admin layer: communes (else districts, else provinces) with their parents' names.

    Units that only touch the area along its edge are left out (and said so).
    """
    sel = raw[raw["category"] == "admin"]
    poly = sel.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    _set_aside(rej, sel[~poly], "a boundary that does not form an area",
               "ranh giới không tạo thành vùng")
    sel = sel[poly]
    unnamed = classify_villages(sel)["name"].isna().to_numpy() if len(sel) else np.zeros(0, bool)
    _set_aside(rej, sel[unnamed], "an admin boundary without a name (name, name:vi)",
               "ranh giới hành chính không có tên (name, name:vi)")
    units = _admin_units(raw)
    if len(units):
        touch = shapely.touches(units.geometry.to_numpy(), area.geometry)
        for oid in units.loc[touch, "admin_id"]:
            rej.append((oid, "only touches the area's edge", "chỉ chạm mép vùng"))
        units = units[~touch]
    for level in ADMIN_LEVELS.values():
        rep_stats[f"admin_{level}s"] = int((units["level"] == level).sum())
    finest = next((lv for lv in ("commune", "district", "province")
                   if (units["level"] == lv).any()), None)
    if finest is None:
        return units.iloc[0:0]
    for _, u in units[units["level"] != finest].iterrows():
        rej.append((u["admin_id"],
                    f"a {u['level']} ({u['name']}): kept as the {u['level']} column of the "
                    f"{finest}s (the admin layer holds one level)",
                    f"cấp {u['level']} ({u['name']}): giữ trong cột {u['level']} của các đơn vị "
                    f"cấp {finest} (lớp hành chính giữ một cấp)"))
    out = units[units["level"] == finest].reset_index(drop=True)
    inner = gpd.GeoSeries(shapely.point_on_surface(out.geometry.to_numpy()), crs=WGS84)
    for parent in ("district", "province"):
        if parent != finest:
            out[parent] = _containing(inner, units, parent)
    return out


def _facilities(raw: gpd.GeoDataFrame, rep_stats: Counter[str],
                rej: Rejects) -> gpd.GeoDataFrame:
    sel = raw[raw["category"] == "facility"]
    shaped = sel.geom_type.isin(["Point", "Polygon", "MultiPolygon"]).to_numpy()
    _set_aside(rej, sel[~shaped], "an open way (not closed): not a place",
               "đường (way) không khép kín: không phải một địa điểm")
    sel = sel[shaped]
    cls = classify_facilities(sel)
    fac = gpd.GeoDataFrame(cls, geometry=sel.geometry.values, crs=WGS84)
    fac.index = sel.index
    fac.insert(0, "facility_id", _osm_ids(sel))
    # The same school mapped as a node inside its own area: keep the area only.
    pts = fac[fac.geom_type == "Point"]
    polys = fac[fac.geom_type != "Point"]
    if len(pts) and len(polys):
        pairs = gpd.sjoin(pts[["kind", "name", "geometry"]],
                          polys[["facility_id", "kind", "name", "geometry"]],
                          predicate="within", how="inner")
        dup = pairs[(pairs["kind_left"] == pairs["kind_right"])
                    & ((pairs["name_left"] == pairs["name_right"]) | pairs["name_left"].isna())]
        dup = dup[~dup.index.duplicated()]
        rep_stats["facility_nodes_inside_their_area"] = len(dup)
        for node_ix, area_id in zip(dup.index, dup["facility_id"], strict=True):
            rej.append((fac.loc[node_ix, "facility_id"],
                        f"lies in the area {area_id} of the same kind: the area is kept",
                        f"nằm trong vùng {area_id} cùng loại: giữ vùng"))
        fac = fac.drop(index=list(dup.index))
    return fac.reset_index(drop=True)


def _sites(raw: gpd.GeoDataFrame, rep_stats: Counter[str], rej: Rejects) -> gpd.GeoDataFrame:
    _set_aside_tagged(rej, raw[raw["category"] == "mast_other"])
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


def _in_area(area: Area, geoms: np.ndarray) -> np.ndarray:
    """Mask of the geometries (WGS84) that touch the area itself (not its margin)."""
    if not len(geoms):
        return np.zeros(0, dtype=bool)
    b = shapely.bounds(geoms)
    minx, miny, maxx, maxy = area.bounds
    keep = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
    if not area.is_box and keep.any():
        idx = np.flatnonzero(keep)
        keep[idx] = area.intersects(geoms[idx])
    return keep


_MAPPINGS: dict[str, tuple[dict[str, str], list[str]]] = {
    "roads": ({"road_class": "ref, highway", "name": "name:vi, name, name:en",
               "planned_works": "highway=construction|proposed"},
              ["highway", "ref", "name", "name:vi", "construction", "proposed"]),
    "villages": ({"name": "name:vi, name, name:en", "population": "population",
                  "commune": "containing admin_level=8 boundary",
                  "district": "containing admin_level=6 boundary",
                  "province": "containing admin_level=4 boundary"},
                 ["place=hamlet|village|isolated_dwelling|neighbourhood", "name", "name:vi",
                  "name:en", "population", "landuse=residential"]),
    "facilities": ({"kind": "amenity, office, healthcare, landuse",
                    "name": "name:vi, name, name:en"},
                   ["amenity=school|kindergarten|college|university",
                    "amenity=clinic|hospital|doctors", "healthcare=*", "office=government",
                    "amenity=townhall", "landuse=industrial"]),
    "admin": ({"name": "name:vi, name, name:en", "level": "admin_level (4 province, 6 district, "
               "8 commune)", "code": "ref", "district": "containing admin_level=6",
               "province": "containing admin_level=4"},
              ["type=boundary", "boundary=administrative", "admin_level=4|6|8", "name",
               "name:vi", "ref"]),
    "sites": ({"operator": "operator", "tech": "communication:*", "height_m": "height",
               "structure": "man_made"},
              ["man_made=mast|tower|communications_tower", "tower:type=communication",
               "communication:mobile_phone", "operator", "height"]),
    "fiber": ({"operator": "operator", "installation": "location", "level": "backbone (all)"},
              ["communication=line", "telecom=line", "telecom:medium", "location", "operator"]),
}


def read_osm(path: str | Path, area: Area | str | tuple[float, float, float, float],
             crs: CRS | None = None, *, params: OsmParams | None = None,
             ) -> dict[str, tuple[gpd.GeoDataFrame, LoadReport]]:
    """Read the area's roads, hamlets, facilities, masts, fiber and admin units from an OSM file.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` XML (``.gz``/``.bz2`` too) or Overpass ``.json``.
    area
        An :class:`~gis.opendata.area.Area`, a bbox text ``"minlon,minlat,maxlon,maxlat"``
        (degrees) or an admin polygon file. Objects touching it are kept whole; masts, roads
        and cables touching the area grown by ``params.margin_m`` too.
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
        Each report has ``rows_read == rows_loaded + len(rejected)`` (see the module text).

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
    margin = params.margin
    wide = area.grown(margin)
    fmt = _sniff(path)
    col = (_read_overpass(path, area, wide, params) if fmt == "json"
           else _read_osmium(path, area, wide, params))
    raw = col.frame()
    stats = col.stats
    if len(raw):
        # Hamlets, facilities and admin units are the area's own; masts, roads and cables
        # are kept in the margin too.
        exact = _in_area(area, raw.geometry.to_numpy())
        far = ~exact & ~raw["category"].isin(MARGIN_CATEGORIES).to_numpy()
        for otype, n in raw.loc[far, "osm_type"].value_counts().items():
            stats[f"{otype}s_outside_area"] += int(n)
        for cat, n in raw.loc[~exact & ~far, "category"].value_counts().items():
            stats[f"{cat}_in_margin"] += int(n)
        raw = raw[~far]
    if raw.empty:
        failed = len(col.failed)
        raise ValidationError(
            f"No roads, places, facilities or telecom masts of OpenStreetMap inside the area "
            f"{area.source}" + (f" ({failed} objects without coordinates)." if failed else "."),
            f"Không có đường, thôn xóm, cơ sở hay cột viễn thông OpenStreetMap nào trong vùng "
            f"{area.source}" + (f" ({failed} đối tượng không có toạ độ)." if failed else "."),
            file=path,
            fix="Check that the file covers the area (lon,lat order of the bbox) and is not an "
            "empty Overpass answer (query with 'out geom;' or 'out center;').",
            fix_vi="Kiểm tra tệp có phủ vùng này không (thứ tự kinh độ, vĩ độ của khung) và kết "
            "quả Overpass không rỗng (truy vấn với 'out geom;' hoặc 'out center;').",
        )
    name = path.name
    out: dict[str, tuple[gpd.GeoDataFrame, LoadReport]] = {}
    layer_of = raw["category"].map(CATEGORY_LAYER)
    builders = {
        "roads": lambda s, r: _roads(raw, r),
        "villages": lambda s, r: _villages(raw, params, crs, s, r),
        "facilities": lambda s, r: _facilities(raw, s, r),
        "admin": lambda s, r: _admin(raw, area, s, r),
        "sites": lambda s, r: _sites(raw, s, r),
        "fiber": lambda s, r: _fiber(raw, r),
    }
    not_used = {en: n for (en, _), n in col.not_used.items()}
    empty: list[str] = []
    empty_reports: dict[str, LoadReport] = {}
    first = True
    for kind in params.layers:
        mapping, tags = _MAPPINGS[kind]
        failed = [f for f in col.failed if CATEGORY_LAYER.get(f[0]) == kind]
        # The file's counts, except those of objects that could not be placed: this layer's.
        layer_stats: Counter[str] = Counter(
            {k: v for k, v in stats.items() if k not in {f[4] for f in col.failed}})
        layer_stats.update(f[4] for f in failed)
        rej: Rejects = []
        gdf = builders[kind](layer_stats, rej)
        # What the report counts: every object of the layer's kind in the area (or its
        # margin), used or set aside, and those that could not be placed at all.
        candidates = list(_osm_ids(raw[(layer_of == kind).to_numpy()]))
        candidates += [f[1] for f in failed]
        loaded = int(gdf["position_id"].nunique()) if kind == "sites" and len(gdf) else len(gdf)
        rep = _report(name, kind, fmt, area, len(candidates), loaded, mapping, tags,
                      layer_stats)
        position = {oid: i for i, oid in enumerate(candidates)}
        for oid, en, vi in [*rej, *(f[1:4] for f in failed)]:
            rep.reject(position.get(oid, len(candidates)), f"{oid}: {en}", f"{oid}: {vi}")
        rep.rejected.sort(key=lambda r: r.row)
        rep.extra["params"] = {"unnamed_residential": params.unnamed_residential,
                               "layers": list(params.layers), "margin_m": margin}
        rep.extra["objects_not_used"] = not_used
        if fmt != "json" and not col.census:
            rep.extra["objects_not_used"] = "not counted (file above census_max_bytes)"
        if fmt != "json":
            rep.extra["location_index"] = _location_index(path, params)
        if kind == "sites" and len(gdf):
            # Counts are of masts; a mast shared by n operators gives n rows.
            rep.extra["site_rows"] = len(gdf)
        _explain(rep, kind, layer_stats, params, margin)
        if gdf.empty:
            empty.append(kind)
            empty_reports[kind] = rep
            continue
        if first and col.not_used:
            first = False
            what = "; ".join(f"{n} {en}" for (en, _), n in col.not_used.items())
            what_vi = "; ".join(f"{n} {vi}" for (_, vi), n in col.not_used.items())
            rep.warn(f"Objects of the file that no layer uses: {what}.",
                     f"Đối tượng trong tệp không thuộc lớp nào: {what_vi}.")
        out[kind] = (gdf.to_crs(crs), rep)
    if empty:
        # An empty layer is not put into the project (it would replace a loaded one); the
        # reports of the layers that were found say so (import_osm adds what the project has),
        # with the objects of the empty layers' kinds that were set aside.
        for _, rep in out.values():
            rep.warn(f"The file has no {', '.join(empty)} in the area.",
                     f"Tệp không có lớp {', '.join(empty)} trong vùng.")
            rep.extra["empty_layers"] = empty
            rep.extra["reports_of_empty_layers"] = {k: r.to_dict()
                                                    for k, r in empty_reports.items()}
            for kind, er in empty_reports.items():
                if er.rejected:
                    shown = "; ".join(r.reason_en for r in er.rejected[:3])
                    shown_vi = "; ".join(r.reason_vi for r in er.rejected[:3])
                    more = " ..." if len(er.rejected) > 3 else ""
                    rep.warn(f"No {kind} usable: {len(er.rejected)} set aside ({shown}{more}).",
                             f"Không có {kind} dùng được: loại {len(er.rejected)} ({shown_vi}"
                             f"{more}).")
    return out


#: The report warnings of the import counters, in report order: (the layer kinds they concern,
#: None for all; the counter, None for a note the kind always gets; English; Vietnamese). The
#: texts are templates of ``n`` (the count) and ``margin`` (the area margin, m).
_COUNT_WARNINGS: tuple[tuple[tuple[str, ...] | None, str | None, str, str], ...] = (
    (None, "ways_with_missing_nodes",
     "{n} ways reference nodes missing from the file (cut at the extract's edge) and have no "
     "geometry.",
     "{n} đường (way) tham chiếu nút không có trong tệp (bị cắt ở mép vùng trích xuất) nên "
     "không có hình học."),
    (("villages",), "places_not_hamlets",
     "{n} places are not hamlets (place=suburb, plot, town ...); each is listed with its reason.",
     "{n} địa danh không phải thôn (place=suburb, plot, town ...); liệt kê từng cái với lý do."),
    (("villages",), "places_without_name",
     "{n} places have no name tag; named 'Thôn chưa tên osm:...'.",
     "{n} thôn xóm không có thẻ name; đặt tên 'Thôn chưa tên osm:...'."),
    (("villages",), "residential_areas_without_place",
     "{n} residential areas (landuse=residential) contain no place node and were not made "
     "hamlets (set unnamed_residential to include them).",
     "{n} khu dân cư (landuse=residential) không chứa nút place nên không thành thôn (bật "
     "unnamed_residential để đưa vào)."),
    (("villages",), "residential_areas_with_several_places",
     "{n} residential areas contain several place nodes; those hamlets stay points.",
     "{n} khu dân cư chứa nhiều nút place; các thôn đó giữ dạng điểm."),
    *((None, f"{otype}s_without_geometry",
       f"{{n}} {otype}s of the Overpass answer have no coordinates (query with 'out geom;', "
       "'out center;' or 'out body; >; out skel;') and were not used.",
       f"{{n}} đối tượng {otype} trong kết quả Overpass không có toạ độ (truy vấn với "
       "'out geom;', 'out center;' hoặc 'out body; >; out skel;') nên không dùng.")
      for otype in ("node", "way", "relation")),
    (None, "ways_without_length",
     "{n} ways have fewer than two distinct points and were not used.",
     "{n} đường (way) có ít hơn hai điểm khác nhau nên không dùng."),
    (("villages",), "place_nodes_merged_into_place_areas",
     "{n} place nodes lie in a place area of the same name: one hamlet each, the node giving "
     "its centre.",
     "{n} nút place nằm trong vùng place cùng tên: gộp thành một thôn, nút là tâm."),
    (("facilities",), "facility_nodes_inside_their_area",
     "{n} facility nodes lie in an area of the same kind and name: the area is kept.",
     "{n} nút cơ sở nằm trong vùng cùng loại và tên: giữ vùng."),
    (("admin",), None,
     "OSM admin boundaries may predate the reform of 1/7/2025 (two tiers, 3 321 communes): "
     "check them against the official list.",
     "Ranh giới hành chính OSM có thể từ trước sắp xếp 1/7/2025 (hai cấp, 3 321 xã): đối "
     "chiếu với danh mục chính thức."),
    (("villages",), "hamlets_without_commune",
     "{n} hamlets lie in no OSM commune boundary (commune left empty).",
     "{n} thôn không nằm trong ranh giới xã nào của OSM (để trống cột xã)."),
    (("fiber",), None,
     "OpenStreetMap cables are taken as backbone (level=backbone): they root the fiber plan but "
     "give no FTTH drop; load the operator's access network for FTTH status.",
     "Cáp quang từ OpenStreetMap được coi là cáp trục (level=backbone): làm gốc cho kế hoạch "
     "cáp nhưng không tính là điểm thả cáp FTTH; nạp mạng truy nhập của nhà mạng để có trạng "
     "thái FTTH."),
    (("sites",), "masts_with_unknown_operator",
     "{n} masts have no recognised operator; kept with operator 'unknown' and a note.",
     "{n} cột không rõ nhà mạng; vẫn giữ với operator 'unknown' và ghi chú."),
    (("sites",), "site_in_margin",
     "{n} masts outside the area, within the {margin:g} m margin, were kept: they can serve "
     "hamlets inside it.",
     "Giữ {n} cột ngoài vùng, trong lề {margin:g} m: chúng có thể phủ sóng cho thôn trong "
     "vùng."),
    *(((kind,), f"{cat}_in_margin",
       f"{{n}} {what} outside the area, within the {{margin:g}} m margin, were kept whole, so "
       "that lines leaving the area and coming back stay connected.",
       f"Giữ nguyên {{n}} {what_vi} ngoài vùng, trong lề {{margin:g}} m, để các tuyến ra khỏi "
       "vùng rồi quay lại vẫn liền mạch.")
      for kind, cat, what, what_vi in (("roads", "road", "roads", "đường"),
                                       ("fiber", "fiber", "cables", "tuyến cáp"))),
    (None, "relations_incomplete",
     "{n} multipolygons or admin boundaries near the area miss member ways in the file (cut at "
     "the extract's edge) and were not used.",
     "{n} đa giác hoặc ranh giới hành chính gần vùng thiếu thành phần trong tệp (bị cắt ở mép "
     "vùng trích xuất) nên không dùng."),
)


def _explain(rep: LoadReport, kind: str, s: Counter[str], params: OsmParams,
             margin: float) -> None:
    """Turn the counters that matter into bilingual report warnings (:data:`_COUNT_WARNINGS`)."""
    for kinds, counter, en, vi in _COUNT_WARNINGS:
        if kinds is not None and kind not in kinds:
            continue
        n = s.get(counter, 0) if counter else None
        if counter == "residential_areas_without_place" and params.unnamed_residential:
            n = 0  # they were made hamlets: nothing to warn about
        if counter is None or n:
            rep.warn(en.format(n=n, margin=margin), vi.format(n=n, margin=margin))


_LAYER_WORDS = {"roads": ("roads", "đường giao thông"), "villages": ("hamlets", "thôn"),
                "facilities": ("facilities", "cơ sở công cộng"), "sites": ("sites", "trạm BTS"),
                "fiber": ("fiber", "cáp quang"), "admin": ("admin units", "đơn vị hành chính")}


def _project_keeps(project: Project, empty: list[str], source: str) -> tuple[str, str]:
    """What happens to the layers an import did not find, in words true to the project."""
    keeps = [k for k in empty if project.layer(k) is not None]
    lacks = [k for k in empty if project.layer(k) is None]
    en: list[str] = []
    vi: list[str] = []
    if keeps:
        en.append("the project keeps its own " + ", ".join(_LAYER_WORDS[k][0] for k in keeps))
        vi.append("dự án giữ lớp " + ", ".join(_LAYER_WORDS[k][1] for k in keeps) + " đang có")
    if lacks:
        en.append("the project has no " + ", ".join(_LAYER_WORDS[k][0] for k in lacks)
                  + " layer yet (add one from another file or source)")
        vi.append("dự án chưa có lớp " + ", ".join(_LAYER_WORDS[k][1] for k in lacks)
                  + " (thêm từ tệp hoặc nguồn khác)")
    return (f"{source} has no " + ", ".join(empty) + " in the area: " + "; ".join(en) + ".",
            f"{source} không có lớp " + ", ".join(empty) + " trong vùng: " + "; ".join(vi)
            + ".")


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
    params = params or OsmParams()
    path = local_paths(path)[0]
    area = parse_area(area)
    proj = target_project(project, area)
    layers = read_osm(path, area, proj.crs, params=params)
    empty = [k for k in params.layers if k not in layers]
    if empty and layers:
        en, vi = _project_keeps(proj, empty, path.name)
        for _, report in layers.values():
            report.warn(en, vi)
    for kind, (gdf, report) in layers.items():
        proj.set_layer(kind, gdf, report)
    return proj
