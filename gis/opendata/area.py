"""The area an import is restricted to: a lon/lat bounding box or an administrative polygon.

Every open-data importer filters to an :class:`Area` first (the Vietnam OSM extract or the
global OpenCelliD file is never loaded whole) and reprojects what it keeps to the area's metric
analysis CRS (:func:`gis.layers.crs.analysis_crs_for_lon`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from gis.errors import CRSError, InputFileError, ValidationError, missing_file
from gis.layers.admin_levels import detect_scheme, find_units
from gis.layers.crs import analysis_crs_for_lon
from gis.text import sorted_text

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["VIETNAM_BBOX", "Area", "area_from_bounds", "default_margin_m", "parse_area"]

#: lon/lat box around Vietnam's mainland and islands (degrees: min lon, min lat, max lon,
#: max lat). Areas must overlap it; the Hoàng Sa / Trường Sa islands reach 117.9° E and 8° N.
VIETNAM_BBOX = (102.0, 8.0, 117.9, 23.5)

_NUM = r"[-+]?\d+(?:\.\d*)?"
_BBOX_RE = re.compile(rf"^\s*({_NUM})\s*[,; ]\s*({_NUM})\s*[,; ]\s*({_NUM})\s*[,; ]\s*({_NUM})\s*$")


def default_margin_m() -> float:
    """The default import margin (m): the largest coverage radius of the default radio
    parameters (:class:`gis.radio.params.RadioParams`: each technology's ``max_radius_m`` and
    ``low_band_max_radius_m``; 15 000 m), so that every tower that can serve a hamlet of the
    area is imported."""
    from gis.radio.params import RadioParams

    radio = RadioParams()
    return float(max([t.max_radius_m for t in radio.techs.values()]
                     + [radio.low_band_max_radius_m]))


def check_margin(margin_m: float | None) -> float:
    """``margin_m`` validated (m, >= 0), or :func:`default_margin_m` for ``None``."""
    if margin_m is None:
        return default_margin_m()
    value = float(margin_m)
    if not (np.isfinite(value) and 0 <= value <= 200_000):
        raise ValidationError(
            f"The margin must be 0-200000 m, not {margin_m!r}.",
            f"Lề phải từ 0 đến 200000 m, không phải {margin_m!r}.",
            fix="Give --margin in metres, e.g. 15000 (the largest coverage radius).",
            fix_vi="Nhập --margin bằng mét, ví dụ 15000 (bán kính phủ sóng lớn nhất).",
        )
    return value


@dataclass(frozen=True)
class Area:
    """A planning area in WGS84 longitude/latitude (degrees).

    Attributes
    ----------
    geometry
        A Polygon or MultiPolygon in EPSG:4326 (x = longitude, y = latitude).
    name
        A human name (the admin unit's name, or the bbox text).
    source
        Where it came from, for load reports: ``"bbox 105.1,20.2,105.3,20.4"`` or a file name.
    """

    geometry: BaseGeometry
    name: str
    source: str

    def __post_init__(self) -> None:
        shapely.prepare(self.geometry)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) in degrees."""
        return tuple(float(v) for v in self.geometry.bounds)  # type: ignore[return-value]

    @property
    def is_box(self) -> bool:
        """True when the area is its own bounding box (no polygon test needed)."""
        return bool(shapely.equals(self.geometry, box(*self.bounds)))

    def analysis_crs(self) -> CRS:
        """The metric analysis CRS of the area: WGS84 / UTM 48N or 49N by its centre longitude."""
        minx, _, maxx, _ = self.bounds
        return analysis_crs_for_lon((minx + maxx) / 2)

    def contains_lonlat(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Boolean mask of the points (degrees) inside the area or on its boundary."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        minx, miny, maxx, maxy = self.bounds
        inside = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
        if not self.is_box and inside.any():
            idx = np.flatnonzero(inside)
            inside[idx] = shapely.intersects_xy(self.geometry, lon[idx], lat[idx])
        return inside

    def intersects(self, geoms: np.ndarray) -> np.ndarray:
        """Boolean mask of the geometries (WGS84) that touch the area."""
        return shapely.intersects(self.geometry, np.asarray(geoms, dtype=object))

    def grown(self, margin_m: float) -> Area:
        """The area grown by ``margin_m`` metres on every side (itself for 0).

        A box stays a box (:meth:`buffered_bounds`); a polygon is buffered in its metric
        analysis CRS. Importers keep sites, roads and cables within it: a tower outside a
        commune serves hamlets inside it, and a road that leaves the commune and comes back
        keeps the road network connected.
        """
        if margin_m <= 0:
            return self
        source = f"{self.source} + {margin_m:g} m"
        if self.is_box:
            return Area(box(*self.buffered_bounds(margin_m)), self.name, source)
        import geopandas as gpd

        metric = gpd.GeoSeries([self.geometry], crs=4326).to_crs(self.analysis_crs())
        grown = metric.buffer(margin_m, quad_segs=8).to_crs(4326).iloc[0]
        return Area(grown, self.name, source)

    def buffered_bounds(self, margin_m: float) -> tuple[float, float, float, float]:
        """The bounds grown by ``margin_m`` metres (converted to degrees at the area's latitude)."""
        minx, miny, maxx, maxy = self.bounds
        dlat = margin_m / 111_320.0
        dlon = margin_m / (111_320.0 * np.cos(np.radians(max(abs(miny), abs(maxy)))))
        return (minx - dlon, miny - dlat, maxx + dlon, maxy + dlat)


def _check_in_vietnam(geom: BaseGeometry, source: str) -> None:
    if geom.is_empty or geom.area <= 0:
        raise ValidationError(
            f"The area {source} is empty (zero size).",
            f"Vùng {source} rỗng (diện tích bằng 0).",
            fix="Give a bounding box 'minlon,minlat,maxlon,maxlat' with min < max, or a file of "
            "polygons.",
            fix_vi="Nhập khung 'minlon,minlat,maxlon,maxlat' với min < max, hoặc tệp đa giác.",
        )
    if not geom.intersects(box(*VIETNAM_BBOX)):
        minx, miny, maxx, maxy = geom.bounds
        swapped = box(miny, minx, maxy, maxx).intersects(box(*VIETNAM_BBOX))
        if swapped:
            raise ValidationError(
                f"The area {source} ({minx:g}, {miny:g}, {maxx:g}, {maxy:g}) is outside "
                "Vietnam. It looks like latitude and longitude are swapped.",
                f"Vùng {source} ({minx:g}, {miny:g}, {maxx:g}, {maxy:g}) nằm ngoài Việt Nam. "
                "Có vẻ vĩ độ và kinh độ bị đảo.",
                fix=f"Give longitudes first: '{miny:g},{minx:g},{maxy:g},{maxx:g}' "
                "(minlon,minlat,maxlon,maxlat).",
                fix_vi=f"Nhập kinh độ trước: '{miny:g},{minx:g},{maxy:g},{maxx:g}' "
                "(minlon,minlat,maxlon,maxlat).",
            )
        w, s_, e, n = VIETNAM_BBOX
        raise ValidationError(
            f"The area {source} ({minx:g}, {miny:g}, {maxx:g}, {maxy:g}) is outside Vietnam "
            f"(longitudes {w:g}-{e:g}° E, latitudes {s_:g}-{n:g}° N).",
            f"Vùng {source} ({minx:g}, {miny:g}, {maxx:g}, {maxy:g}) nằm ngoài Việt Nam (kinh "
            f"độ {w:g}-{e:g}° Đ, vĩ độ {s_:g}-{n:g}° B).",
            fix="Check the numbers (or the file's CRS): the area must be in Vietnam, e.g. "
            "'105.8,21.0,105.9,21.1' for central Hà Nội.",
            fix_vi="Kiểm tra các số (hoặc hệ toạ độ của tệp): vùng phải ở Việt Nam, ví dụ "
            "'105.8,21.0,105.9,21.1' cho trung tâm Hà Nội.",
        )


def area_from_bounds(minlon: float, minlat: float, maxlon: float, maxlat: float,
                     *, name: str | None = None) -> Area:
    """An :class:`Area` from a lon/lat box in degrees; errors for an empty or non-Vietnam box."""
    source = f"bbox {minlon:g},{minlat:g},{maxlon:g},{maxlat:g}"
    if not (minlon < maxlon and minlat < maxlat):
        raise ValidationError(
            f"The area {source} is empty: min must be smaller than max.",
            f"Vùng {source} rỗng: giá trị min phải nhỏ hơn max.",
            fix="Write it as 'minlon,minlat,maxlon,maxlat', e.g. '105.8,21.0,105.9,21.1'.",
            fix_vi="Viết theo dạng 'minlon,minlat,maxlon,maxlat', ví dụ '105.8,21.0,105.9,21.1'.",
        )
    geom = box(minlon, minlat, maxlon, maxlat)
    _check_in_vietnam(geom, source)
    return Area(geom, name or source.removeprefix("bbox "), source)


def _unit_name(polys: gpd.GeoDataFrame, level: str | None) -> str | None:
    """The name of a one-unit admin file (its finest level's name column), or ``None``."""
    scheme = detect_scheme([str(c) for c in polys.columns], polys)
    if scheme is None:
        return None
    lv = level if level in scheme.levels else scheme.finest
    names = sorted_text(polys[scheme.levels[lv].name])
    return names[0] if len(names) == 1 else None


def _area_from_file(path: Path, name: str | None, unit: str | None = None,
                    level: str | None = None) -> Area:
    import geopandas as gpd

    if not path.exists():
        raise missing_file(
            path, "area", "vùng",
            fix="Give a bbox 'minlon,minlat,maxlon,maxlat' or an existing polygon file "
            "(GeoJSON, GeoPackage, Shapefile).",
            fix_vi="Nhập khung 'minlon,minlat,maxlon,maxlat' hoặc một tệp đa giác có thật "
            "(GeoJSON, GeoPackage, Shapefile).",
        )
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputFileError(
            f"Cannot read the area file: {exc}.",
            f"Không đọc được tệp vùng: {exc}.",
            file=path,
            fix="Give a polygon layer (GeoJSON, GeoPackage, Shapefile) of the commune or district.",
            fix_vi="Dùng một lớp đa giác (GeoJSON, GeoPackage, Shapefile) của xã hoặc huyện.",
        ) from exc
    polys = gdf[gdf.geometry.notna() & gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        raise ValidationError(
            f"The area file has no polygons ({len(gdf)} features of types "
            f"{sorted(set(gdf.geom_type.dropna()))}).",
            f"Tệp vùng không có đa giác ({len(gdf)} đối tượng kiểu "
            f"{sorted(set(gdf.geom_type.dropna()))}).",
            file=path,
            fix="Give the admin boundary as Polygon or MultiPolygon features.",
            fix_vi="Dùng ranh giới hành chính dạng Polygon hoặc MultiPolygon.",
        )
    if unit:
        hit, level_found, _ = find_units(polys, unit, level=level, display=path.name)
        polys = polys[hit]
        level = level_found
    if polys.crs is None:
        minx, miny, maxx, maxy = polys.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise CRSError(
                "The area file has no CRS and its coordinates are not degrees.",
                "Tệp vùng không có hệ toạ độ và toạ độ không phải độ.",
                file=path,
                fix="Save it with its CRS (a .prj for a Shapefile) or in WGS84 (EPSG:4326).",
                fix_vi="Lưu tệp kèm hệ toạ độ (tệp .prj với Shapefile) hoặc ở WGS84 (EPSG:4326).",
            )
        polys = polys.set_crs(4326)
    geom = shapely.make_valid(polys.to_crs(4326).geometry.union_all())
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts)
    if name is None:
        name = _unit_name(polys, level)
    _check_in_vietnam(geom, path.name)
    source = f"{path.name}: {unit}" if unit else path.name
    return Area(geom, name or unit or path.stem, source)


def parse_area(spec: str | Path | Area | BaseGeometry | tuple[float, float, float, float],
               *, name: str | None = None, unit: str | None = None,
               level: str | None = None) -> Area:
    """The :class:`Area` named by ``spec``.

    Parameters
    ----------
    spec
        A bbox text ``"minlon,minlat,maxlon,maxlat"`` (degrees), a 4-tuple of the same, a
        polygon file (GeoJSON, GeoPackage, Shapefile, ... in any CRS; all its polygons are
        merged), a shapely polygon in EPSG:4326, or an :class:`Area` (returned as is).
    name
        The area's human name; defaults to the admin feature's ``name`` or the file stem.
    unit
        For a file of several admin units: the name of the one(s) to use, e.g. ``"Xã Hải
        Hà"``, or of a district or province of the file (all its polygons), matched on the
        name columns of the file's convention (GADM ``NAME_n``, geoBoundaries ``shapeName``,
        OCHA ``ADMn_VI``/``_EN``, ``ten_xa``...; :func:`gis.layers.admin_levels.find_units`)
        without diacritics, case or the ``xã``/``huyện`` prefix. All polygons are merged when
        not given.
    level
        With ``unit``: search only this level (``province``, ``district``, ``commune``).

    Raises
    ------
    ValidationError
        The box is empty, outside Vietnam, or has latitude and longitude swapped; no unit of
        the file has the name ``unit`` (the message lists the file's columns and some names).
    InputFileError
        The file does not exist or cannot be read.
    """
    if isinstance(spec, Area):
        return spec
    if isinstance(spec, BaseGeometry):
        _check_in_vietnam(spec, "polygon")
        return Area(spec, name or "area", "polygon")
    if isinstance(spec, tuple | list) and len(spec) == 4:
        return area_from_bounds(*(float(v) for v in spec), name=name)
    text = str(spec)
    match = _BBOX_RE.match(text)
    if match and not Path(text).exists():
        return area_from_bounds(*(float(v) for v in match.groups()), name=name)
    return _area_from_file(Path(text), name, unit, level)
