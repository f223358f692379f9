"""Validation of a layer: required columns, geometries, positions in Vietnam, duplicate ids.

Rows that cannot be used are rejected into the load report with the reason (never dropped
silently); when no row at all is usable, or the problem needs the user (duplicate ids, a
missing column), a :class:`~gis.errors.GisError` names the file, the rows and the fix.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import CRSError, ValidationError, format_rows
from gis.layers.coords import LAT_RANGE, LON_RANGE
from gis.layers.report import LoadReport
from gis.layers.schema import LayerSpec

__all__ = [
    "check_duplicates",
    "check_geometries",
    "check_in_vietnam",
    "representative_xy",
    "require_columns",
]


def require_columns(mapping: dict[str, str], spec: LayerSpec, columns: list[str], *,
                    display: str) -> None:
    """A :class:`ValidationError` listing the columns found and the accepted names of each
    missing required column."""
    missing = [c for c in spec.required if c.name not in mapping]
    if not missing:
        return
    found = ", ".join(repr(c) for c in columns) or "(none)"
    accepted = "; ".join(f"{c.name}: " + ", ".join(sorted(c.keys())) for c in missing)
    names = ", ".join(c.name for c in missing)
    raise ValidationError(
        f"Required column(s) {names} not found for the {spec.kind.value} layer. Columns in the "
        f"file: {found}. Accepted names (any case, with or without diacritics): {accepted}.",
        f"Không tìm thấy cột bắt buộc {names} cho lớp {spec.label_vi or spec.kind.value}. "
        f"Các cột trong tệp: {found}. Tên được chấp nhận (hoa/thường, có/không dấu): "
        f"{accepted}.",
        file=display,
        fix=f"Rename a column to {missing[0].name} (or one of its accepted names).",
        fix_vi=f"Đổi tên một cột thành {missing[0].name} (hoặc một tên được chấp nhận).",
    )


def representative_xy(geoms: np.ndarray) -> np.ndarray:
    """One (x, y) per geometry: the point itself, or a point on the surface (NaN if missing)."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.full((len(geoms), 2), np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    pts = shapely.get_type_id(geoms) == 0
    simple = ok & pts
    if simple.any():
        out[simple] = shapely.get_coordinates(geoms[simple])
    other = ok & ~pts
    if other.any():
        out[other] = shapely.get_coordinates(shapely.point_on_surface(geoms[other]))
    return out


def _singles(geoms: np.ndarray) -> np.ndarray:
    """One-part Multi* geometries as their single part (vectorised)."""
    multi = np.isin(shapely.get_type_id(geoms), (4, 5, 6)) & \
        (shapely.get_num_geometries(geoms) == 1)
    if multi.any():
        geoms = geoms.copy()
        geoms[multi] = shapely.get_geometry(geoms[multi], 0)
    return geoms


def check_geometries(gdf: gpd.GeoDataFrame, spec: LayerSpec, report: LoadReport, *,
                     display: str) -> gpd.GeoDataFrame:
    """Reject null/empty and wrong-type geometries, repair invalid ones, drop Z.

    The index of ``gdf`` holds the 0-based data row of the file. Returns the usable rows.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    geoms = shapely.force_2d(geoms)
    geoms = _singles(np.asarray(geoms, dtype=object))
    rows = gdf.index.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for r in rows[missing]:
        report.reject(r, "no geometry (empty or missing coordinates)",
                      "không có hình học (trống hoặc thiếu toạ độ)")
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection", ""], dtype=object)
    types = names[shapely.get_type_id(geoms)]  # -1 (missing) -> ""
    allowed = set(spec.geometry_types)
    if "Polygon" in allowed:
        allowed.add("MultiPolygon")
    if "LineString" in allowed:
        allowed.add("MultiLineString")
    wrong = ~missing & ~np.isin(types, list(allowed))
    expected = "/".join(spec.geometry_types)
    if wrong.any() and wrong.sum() == (~missing).sum():
        found = ", ".join(sorted(set(types[wrong])))
        raise ValidationError(
            f"Wrong geometry type for the {spec.kind.value} layer: expected {expected}, found "
            f"{found}.",
            f"Sai kiểu hình học cho lớp {spec.label_vi or spec.kind.value}: cần {expected}, "
            f"tệp có {found}.",
            file=display, rows=rows[wrong].tolist(),
            fix=f"Check that this is the {spec.kind.value} layer, or convert the geometries "
            f"to {expected} (e.g. QGIS Centroids for hamlet points).",
            fix_vi=f"Kiểm tra đây có đúng là lớp {spec.kind.value}, hoặc chuyển hình học sang "
            f"{expected} (ví dụ Centroids trong QGIS cho điểm thôn).",
        )
    for r, t in zip(rows[wrong], types[wrong], strict=True):
        report.reject(r, f"geometry is a {t}, expected {expected}",
                      f"hình học là {t}, cần {expected}")
    if wrong.any():
        report.warn(f"{int(wrong.sum())} row(s) with a geometry that is not {expected} were "
                    f"rejected: {format_rows(rows[wrong])}.",
                    f"Bỏ {int(wrong.sum())} dòng có hình học không phải {expected}: "
                    f"{format_rows(rows[wrong])}.")
    keep = ~missing & ~wrong
    geoms = geoms[keep]
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        if spec.geometry_types[0] in ("Polygon", "Point") and "Polygon" in allowed:
            fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        elif "LineString" in allowed:
            fixed = np.array([_lineal(g) for g in fixed], dtype=object)
        geoms[invalid] = fixed
        bad_rows = rows[keep][invalid]
        report.warn(f"Invalid geometries were repaired with make_valid in row(s) "
                    f"{format_rows(bad_rows)} (e.g. self-intersecting polygons).",
                    f"Đã sửa hình học không hợp lệ bằng make_valid ở dòng "
                    f"{format_rows(bad_rows)} (ví dụ đa giác tự cắt).")
        report.extra["repaired_rows"] = [int(r) for r in bad_rows]
    out = gdf.loc[keep].copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs))
    return out


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    if g.geom_type == "GeometryCollection":
        polys = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(polys) if polys else g
    return g


def _lineal(g: shapely.Geometry) -> shapely.Geometry:
    if g.geom_type == "GeometryCollection":
        lines = [p for p in g.geoms if p.geom_type in ("LineString", "MultiLineString")]
        return shapely.line_merge(shapely.union_all(lines)) if lines else g
    return g


def check_in_vietnam(gdf_wgs84: gpd.GeoDataFrame, report: LoadReport, *, display: str,
                     crs_label: str) -> np.ndarray:
    """Boolean mask of rows whose representative point lies in Vietnam's lon/lat box.

    Rows outside are rejected with their coordinates; when every row is outside, a
    :class:`CRSError` says the CRS is probably wrong.
    """
    xy = representative_xy(gdf_wgs84.geometry.values)
    lon, lat = xy[:, 0], xy[:, 1]
    inside = ((lon >= LON_RANGE[0]) & (lon <= LON_RANGE[1]) & (lat >= LAT_RANGE[0])
              & (lat <= LAT_RANGE[1]))
    rows = gdf_wgs84.index.to_numpy()
    if len(rows) and not inside.any():
        raise CRSError(
            f"No row lies in Vietnam when read as {crs_label} (first point: lon {lon[0]:.4f}, "
            f"lat {lat[0]:.4f}).",
            f"Không dòng nào nằm trong Việt Nam khi đọc theo {crs_label} (điểm đầu: kinh độ "
            f"{lon[0]:.4f}, vĩ độ {lat[0]:.4f}).",
            file=display, rows=rows.tolist(),
            fix="The coordinate system is wrong or missing: give the right one, e.g. "
            "EPSG:4326, EPSG:3405 or vn2000-tm3:105.5 (with the province's meridian).",
            fix_vi="Hệ toạ độ sai hoặc thiếu: chọn đúng hệ, ví dụ EPSG:4326, EPSG:3405 hoặc "
            "vn2000-tm3:105.5 (kinh tuyến trục của tỉnh).",
        )
    out_rows = rows[~inside]
    for r, x, y in zip(out_rows, lon[~inside], lat[~inside], strict=True):
        report.reject(r, f"outside Vietnam (lon {x:.5f}, lat {y:.5f})",
                      f"nằm ngoài Việt Nam (kinh độ {x:.5f}, vĩ độ {y:.5f})")
    if out_rows.size:
        report.warn(f"{out_rows.size} row(s) lie outside Vietnam and were rejected: "
                    f"{format_rows(out_rows)}. Check their coordinates.",
                    f"{out_rows.size} dòng nằm ngoài Việt Nam, đã bỏ: {format_rows(out_rows)}. "
                    "Kiểm tra toạ độ của chúng.")
    return inside


def check_duplicates(df: pd.DataFrame, kind: str, id_col: str | None, *,
                     display: str, report: LoadReport | None = None) -> None:
    """A :class:`ValidationError` naming the rows that share an id.

    Sites may repeat ``site_id`` once per sector (one row per sector); only rows that repeat
    the same site, operator and azimuth are duplicates. Admin units may repeat their code over
    the parts of a multi-part commune (an island, an exclave): that is a warning in
    ``report``, not an error.
    """
    if not id_col or id_col not in df:
        return
    keys = [id_col]
    if kind == "sites":
        keys += [c for c in ("operator", "azimuth_deg", "tech", "band") if c in df]
    key_frame = pd.DataFrame({k: df[k].astype("string").str.strip().str.casefold()
                              .fillna("") for k in keys})
    dup = key_frame.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    rows = df.index.to_numpy()[dup]
    ids = sorted({str(v) for v in df.loc[dup, id_col]})[:5]
    what = id_col if kind != "sites" else f"{id_col} (with the same operator and azimuth)"
    if kind == "admin" and report is not None:
        report.warn(f"{id_col} {', '.join(ids)} appear(s) in several rows "
                    f"({format_rows(rows)}): taken as the parts of one unit.",
                    f"{id_col} {', '.join(ids)} xuất hiện ở nhiều dòng ({format_rows(rows)}): "
                    "coi là các phần của cùng một đơn vị.")
        return
    raise ValidationError(
        f"Duplicate {what}: {', '.join(ids)} appear more than once.",
        f"Trùng {what}: {', '.join(ids)} xuất hiện nhiều lần.",
        file=display, rows=rows.tolist(),
        fix=f"Make {id_col} unique in those rows, or delete the column to have ids generated.",
        fix_vi=f"Sửa {id_col} cho khác nhau ở các dòng đó, hoặc xoá cột để tự tạo mã.",
    )
