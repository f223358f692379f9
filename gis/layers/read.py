"""The one entry point for inputs: read any layer or raster file into its canonical form.

>>> from gis.layers.read import read_layer                         # doctest: +SKIP
>>> result = read_layer("thon.csv", "villages", province="Nam Định")  # doctest: +SKIP
>>> result.gdf, print(result.report.summary())                       # doctest: +SKIP

:func:`read_layer` reads one file (a path, a loose shapefile set, or uploaded bytes) of a known
kind; :func:`read_any` guesses the kind from the headers and geometry; :func:`load_project`
reads a set of files into a :class:`~gis.project.Project` and runs the cross-layer checks.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gis.errors import InputFileError, ValidationError, format_rows
from gis.layers.coords import (
    crs_label,
    find_coordinate_columns,
    infer_crs,
    parse_crs,
    points_from_columns,
)
from gis.layers.crs import WGS84, analysis_crs_for_lon, meridian_for_province
from gis.layers.formats import RawTable, read_table
from gis.layers.normalise import (
    generate_ids,
    map_columns,
    normalise_operator,
    normalise_values,
    parse_numbers,
)
from gis.layers.rasters import RasterInfo, open_raster
from gis.layers.report import LoadReport
from gis.layers.schema import LAYER_SPECS, RASTER_KINDS, LayerKind, LayerSpec, header_key
from gis.layers.sources import Source, Upload, display_name, ensure_workdir, materialise
from gis.layers.validate import (
    check_duplicates,
    check_geometries,
    check_in_vietnam,
    require_columns,
)

__all__ = [
    "ReadResult",
    "Upload",
    "guess_kind",
    "load_project",
    "read_any",
    "read_layer",
]

_COUNT_COLUMNS = {"population", "households", "capacity"}


@dataclass
class ReadResult:
    """What reading one file gave.

    Attributes
    ----------
    kind
        Layer kind (``"villages"``, ...) or raster kind (``"dem"``, ...).
    report
        The load report (mapping, CRS, encoding, warnings, rejected rows).
    gdf
        The canonical layer in the analysis CRS (``None`` for rasters).
    raster
        The validated raster (``None`` for layers); the file stays on disk.
    """

    kind: str
    report: LoadReport
    gdf: gpd.GeoDataFrame | None
    raster: RasterInfo | None


def _meridian(province: str | None, meridian: float | None, standard: str) -> float | None:
    if meridian is not None:
        return float(meridian)
    if province:
        return meridian_for_province(province, standard=standard)
    return None


def read_layer(source: Source, kind: str, *, layer: str | None = None, crs: object = None,
               province: str | None = None, meridian: float | None = None,
               analysis_crs: CRS | str | None = None, workdir: str | Path | None = None,
               meridian_standard: str = "tt973") -> ReadResult:
    """Read one layer or raster file of a known kind.

    Parameters
    ----------
    source
        A path, a list of paths (a loose shapefile set), an :class:`Upload` or a list of them.
    kind
        ``villages``, ``sites``, ``fiber``, ``fiber_nodes``, ``roads``, ``facilities``,
        ``admin``, or a raster kind ``dem``, ``population``, ``landcover``.
    layer
        GeoPackage layer, shapefile name inside a zip, or XLSX sheet.
    crs
        CRS of coordinates the file does not describe: ``"EPSG:4326"``, ``"EPSG:3405"``, a
        :class:`pyproj.CRS`, ``"vn2000-tm3:105.5"``, ``"vn2000-utm:48"``.
    province, meridian
        The province (former or current) or the central meridian (degrees) whose VN-2000 TM-3
        zone applies to metric coordinates without a CRS.
    analysis_crs
        The metric CRS of the result; default: the UTM zone of the layer's centre.
    workdir
        Folder for uploads and unpacked archives (a fresh temporary folder when ``None``).
    meridian_standard
        ``"tt973"`` (former province's meridian) or ``"tt24"``; see
        :func:`gis.layers.crs.meridian_for_province`.
    """
    t0 = time.perf_counter()
    if str(kind) in RASTER_KINDS:
        info, report = open_raster(source, str(kind), workdir=workdir)
        return ReadResult(str(kind), report, None, info)
    kind = str(LayerKind.parse(kind))
    spec = LAYER_SPECS[LayerKind(kind)]
    display = display_name(source)
    paths, wd = materialise(source, workdir)
    if wd is None and any(p.suffix.lower() in (".zip", ".kmz") for p in paths):
        wd = ensure_workdir(workdir)
    raw = read_table(paths, display=display, kind=kind, layer=layer, workdir=wd)
    gdf, report = _canonical(raw, spec, display=display, crs=crs, province=province,
                             meridian=meridian, standard=meridian_standard,
                             analysis_crs=analysis_crs)
    report.extra["seconds"] = round(time.perf_counter() - t0, 3)
    return ReadResult(kind, report, gdf, None)


def _canonical(raw: RawTable, spec: LayerSpec, *, display: str, crs: object,
               province: str | None, meridian: float | None, standard: str,
               analysis_crs: CRS | str | None) -> tuple[gpd.GeoDataFrame, LoadReport]:
    kind = spec.kind.value
    df = raw.df
    report = LoadReport(source=display, kind=kind, encoding=raw.encoding)
    report.extra["format"] = raw.fmt
    if raw.layer:
        report.extra["layer"] = raw.layer
    for en, vi in raw.notes:
        report.warn(en, vi)
    report.rows_read = len(df)
    if len(df) == 0:
        raise InputFileError(
            "The layer has no rows.", "Lớp dữ liệu không có dòng nào.", file=display,
            fix="Check that the right file / layer / sheet was chosen.",
            fix_vi="Kiểm tra đã chọn đúng tệp / lớp / trang tính.")
    geom_name = df.geometry.name if raw.has_geometry else None
    columns = [str(c) for c in df.columns if c != geom_name]
    mapping = map_columns(columns, spec)
    _fallback_columns(df, kind, columns, mapping, report)
    require_columns(mapping, spec, columns, display=display)
    report.column_mapping = dict(mapping)

    given, given_label = parse_crs(crs, meridian=None)
    lon0 = _meridian(province, meridian, standard)
    data = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for canon, src in mapping.items():
        data[canon] = df[src].to_numpy(dtype=object)
    for col in columns:
        if col not in mapping.values() and col not in data:
            data[col] = df[col].to_numpy(dtype=object)

    if raw.has_geometry:
        geoms = np.asarray(df.geometry.values, dtype=object)
        file_crs = raw.crs
        if file_crs is not None and given is not None and not file_crs.equals(given):
            report.warn(f"The file says its CRS is {crs_label(file_crs)}; that is used, not "
                        f"the {given_label} given.",
                        f"Tệp ghi hệ toạ độ {crs_label(file_crs)}; dùng hệ này, không dùng "
                        f"{given_label} đã chọn.")
        if file_crs is not None:
            src_crs, label, note = file_crs, crs_label(file_crs), "read from the file"
            geoms = _maybe_swap_geographic(geoms, src_crs, report, display)
        else:
            rep = shapely.get_coordinates(shapely.point_on_surface(
                np.where(shapely.is_missing(geoms) | shapely.is_empty(geoms), None, geoms)))
            src_crs, label, note = infer_crs(
                rep[:, 0] if len(rep) else np.array([]), rep[:, 1] if len(rep) else np.array([]),
                given=given, given_label=given_label, province=province, meridian=lon0,
                standard=standard, display=display)
    else:
        cols = find_coordinate_columns(columns)
        if cols is None and kind == "villages" and {"centre_lon", "centre_lat"} <= set(mapping):
            from gis.layers.coords import CoordColumns

            cols = CoordColumns("lonlat", mapping["centre_lon"], mapping["centre_lat"])
        if cols is None:
            raise ValidationError(
                f"No coordinate columns found. Columns in the file: "
                f"{', '.join(repr(c) for c in columns)}.",
                f"Không tìm thấy cột toạ độ. Các cột trong tệp: "
                f"{', '.join(repr(c) for c in columns)}.",
                file=display,
                fix="Name them lon/lat (kinh_do/vi_do) for WGS84 degrees, or X/Y for VN-2000 "
                "metres (X = northing).",
                fix_vi="Đặt tên cột lon/lat (kinh_do/vi_do) cho toạ độ độ WGS84, hoặc X/Y cho "
                "toạ độ mét VN-2000 (X = Bắc).")
        pts = points_from_columns(df, cols, display=display)
        for en, vi in pts.notes:
            report.warn(en, vi)
        for r in pts.bad_rows:
            report.reject(r, f"coordinates {cols.a}/{cols.b} missing or not numbers",
                          f"toạ độ {cols.a}/{cols.b} trống hoặc không phải số")
        report.column_mapping["x" if cols.form != "lonlat" else "lon"] = cols.a
        report.column_mapping["y" if cols.form != "lonlat" else "lat"] = cols.b
        for c in (cols.a, cols.b):
            if c in data and c not in mapping.values():
                data = data.drop(columns=c)
        if pts.degrees and given is not None and given.is_projected:
            report.warn(f"The coordinates are degrees, so they were read as WGS84, not "
                        f"{given_label}.",
                        f"Toạ độ là độ nên được đọc theo WGS84, không theo {given_label}.")
            given = None
        src_crs, label, note = infer_crs(pts.x, pts.y, given=given, given_label=given_label,
                                         province=province, meridian=lon0, standard=standard,
                                         display=display)
        geoms = shapely.points(pts.x, pts.y)
        geoms[pts.bad_rows] = None
    report.crs_in, report.crs_note = label, note
    if note.startswith("inferred"):
        report.warn(f"CRS {note}.", f"Hệ toạ độ được suy ra: {label}.")
    p = src_crs.to_dict() if not src_crs.is_geographic else {}
    if p.get("proj") == "tmerc" and "towgs84" in p:
        report.extra["vn2000_lon0"] = float(p["lon_0"])
        report.extra["vn2000_k"] = float(p.get("k", p.get("k_0", 1.0)))

    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=src_crs))
    gdf = gdf.drop(index=[r.row for r in report.rejected if r.row in gdf.index])
    gdf = check_geometries(gdf, spec, report, display=display)
    wgs = gdf.to_crs(WGS84)
    inside = check_in_vietnam(wgs, report, display=display, crs_label=label)
    gdf = gdf.loc[inside]
    wgs = wgs.loc[inside]

    _parse_number_columns(gdf, spec, report)
    normalise_values(gdf, kind, mapping, report)
    if spec.id_column:
        generate_ids(gdf, kind, spec.id_column, report)
        check_duplicates(gdf, kind, spec.id_column, display=display)
    _text_columns(gdf, spec)

    if analysis_crs is None:
        lon_c = float(np.nanmedian(shapely.get_coordinates(
            shapely.point_on_surface(np.asarray(wgs.geometry.values, dtype=object)))[:, 0]))
        target = analysis_crs_for_lon(lon_c)
    else:
        target = CRS.from_user_input(analysis_crs)
    gdf = gdf.to_crs(target)
    if kind == "villages":
        _centres(gdf, report)
    gdf.insert(0, "source_row", gdf.index.to_numpy() + 1)
    ordered = [c.name for c in spec.columns if c.name in gdf]
    rest = [c for c in gdf.columns if c not in ordered and c != gdf.geometry.name]
    gdf = gdf[[*ordered, *rest, gdf.geometry.name]].reset_index(drop=True)
    report.rows_loaded = len(gdf)
    report.extra["analysis_crs"] = target.to_string()
    report.rejected.sort(key=lambda r: r.row)
    return gdf, report


def _fallback_columns(df: pd.DataFrame, kind: str, columns: list[str], mapping: dict[str, str],
                      report: LoadReport) -> None:
    """KML conventions: the Placemark name is the site / node id; a Folder named after an
    operator gives the operator."""
    keys = {header_key(c): c for c in columns}
    id_col = {"sites": "site_id", "fiber_nodes": "node_id"}.get(kind)
    if id_col and id_col not in mapping and "name" in keys and keys["name"] not in \
            mapping.values():
        mapping[id_col] = keys["name"]
    if kind in ("sites", "fiber", "fiber_nodes") and "operator" not in mapping and \
            "folder" in keys:
        values = df[keys["folder"]].dropna().astype(str)
        if len(values) and all(normalise_operator(v.split(" / ")[-1]) for v in values):
            df[keys["folder"]] = [None if v is None else str(v).split(" / ")[-1]
                                  for v in df[keys["folder"]]]
            mapping["operator"] = keys["folder"]
            report.warn("The operator was taken from the KML folder names.",
                        "Nhà mạng được lấy từ tên thư mục (Folder) trong KML.")


def _maybe_swap_geographic(geoms: np.ndarray, crs: CRS, report: LoadReport,
                           display: str) -> np.ndarray:
    """Lat/lon written the wrong way round in a geographic file (e.g. GeoJSON [lat, lon])."""
    if not crs.is_geographic or not len(geoms):
        return geoms
    from gis.layers.coords import LAT_RANGE, LON_RANGE

    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any():
        return geoms
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms[valid]))
    x, y = xy[:, 0], xy[:, 1]
    normal = (x >= LON_RANGE[0]) & (x <= LON_RANGE[1]) & (y >= LAT_RANGE[0]) & (y <= LAT_RANGE[1])
    swapped = (y >= LON_RANGE[0]) & (y <= LON_RANGE[1]) & (x >= LAT_RANGE[0]) & (x <= LAT_RANGE[1])
    if np.all(swapped):
        report.warn("LATITUDE AND LONGITUDE ARE SWAPPED in every feature (x holds latitudes): "
                    "they were swapped back; check how the file was made.",
                    "VĨ ĐỘ VÀ KINH ĐỘ BỊ ĐẢO ở mọi đối tượng (x chứa vĩ độ): đã đảo lại; hãy "
                    "kiểm tra cách tạo tệp.")
        out = geoms.copy()
        out[valid] = shapely.transform(geoms[valid], lambda c: c[:, ::-1])
        return out
    bad = np.flatnonzero(valid)[swapped & ~normal]
    if bad.size:
        raise ValidationError(
            "Latitude and longitude are swapped in some features (x holds the latitude).",
            "Vĩ độ và kinh độ bị đảo ở một số đối tượng (x chứa vĩ độ).",
            file=display, rows=bad.tolist(),
            fix="Write coordinates as longitude, latitude in those features.",
            fix_vi="Ghi toạ độ theo thứ tự kinh độ, vĩ độ ở các đối tượng đó.")
    return geoms


def _parse_number_columns(gdf: gpd.GeoDataFrame, spec: LayerSpec, report: LoadReport) -> None:
    for col in spec.columns:
        if col.dtype not in ("float", "int") or col.name not in gdf:
            continue
        count = col.name in _COUNT_COLUMNS
        values, text_rows, bad_rows = parse_numbers(gdf[col.name], count=count)
        rows = gdf.index.to_numpy()
        if text_rows:
            report.warn(f"{col.name}: numbers written as text were parsed in row(s) "
                        f"{format_rows(rows[text_rows])} (e.g. {gdf[col.name].iloc[text_rows[0]]!r}"
                        f" -> {values[text_rows[0]]:g}).",
                        f"{col.name}: đã đọc số viết dạng chữ ở dòng "
                        f"{format_rows(rows[text_rows])} (ví dụ "
                        f"{gdf[col.name].iloc[text_rows[0]]!r} -> {values[text_rows[0]]:g}).")
        if bad_rows:
            examples = ", ".join(repr(gdf[col.name].iloc[i]) for i in bad_rows[:3])
            report.warn(f"{col.name}: value(s) {examples} are not numbers (row(s) "
                        f"{format_rows(rows[bad_rows])}); they are left empty.",
                        f"{col.name}: giá trị {examples} không phải số (dòng "
                        f"{format_rows(rows[bad_rows])}); để trống.")
            report.extra.setdefault("not_numbers", {})[col.name] = {
                int(rows[i]): str(gdf[col.name].iloc[i]) for i in bad_rows}
        if count:
            neg = np.flatnonzero(values < 0)
            if neg.size:
                raise ValidationError(
                    f"{col.name} is negative in some rows.", f"{col.name} âm ở một số dòng.",
                    file=report.source, rows=rows[neg].tolist(),
                    fix=f"Correct {col.name} in those rows.",
                    fix_vi=f"Sửa {col.name} ở các dòng đó.")
        gdf[col.name] = values


def _text_columns(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> None:
    for col in spec.columns:
        if col.dtype == "str" and col.name in gdf:
            gdf[col.name] = [None if v is None or (isinstance(v, float) and np.isnan(v))
                             else (str(int(v)) if isinstance(v, float) and v.is_integer()
                                   else str(v).strip())
                             for v in gdf[col.name]]


def _centres(gdf: gpd.GeoDataFrame, report: LoadReport) -> None:
    """centre_lon/centre_lat (WGS84 degrees) -> centre_x/centre_y in the layer CRS."""
    if "centre_lon" not in gdf or "centre_lat" not in gdf:
        return
    lon, _, _ = parse_numbers(gdf["centre_lon"])
    lat, _, _ = parse_numbers(gdf["centre_lat"])
    ok = np.isfinite(lon) & np.isfinite(lat) & (lon > 100) & (lon < 120) & (lat > 5) & (lat < 25)
    given = np.isfinite(lon) | np.isfinite(lat)
    bad = np.flatnonzero(given & ~ok)
    if bad.size:
        report.warn(f"centre_lon/centre_lat are not lon/lat in Vietnam in row(s) "
                    f"{format_rows(gdf.index.to_numpy()[bad])}: the hamlet geometry is used "
                    "as the centre there.",
                    f"centre_lon/centre_lat không phải kinh/vĩ độ ở Việt Nam tại dòng "
                    f"{format_rows(gdf.index.to_numpy()[bad])}: dùng hình học của thôn làm tâm.")
    from pyproj import Transformer

    t = Transformer.from_crs(WGS84, gdf.crs, always_xy=True)
    x, y = t.transform(np.where(ok, lon, np.nan), np.where(ok, lat, np.nan))
    gdf["centre_lon"], gdf["centre_lat"] = lon, lat
    gdf["centre_x"] = np.where(ok, x, np.nan)
    gdf["centre_y"] = np.where(ok, y, np.nan)


# -- kind guessing --------------------------------------------------------------------------

def guess_kind(columns: list[str], geometry_type: str | None, *, name: str | None = None) -> str:
    """The most likely layer kind from the headers, the geometry type and the file name.

    Headers count most (an operator column means sites; population or a hamlet name means
    villages; a road class means roads ...), then the geometry type, then words in the
    file name (``thon``, ``bts``, ``cap_quang`` ...).
    """
    keys = {header_key(c) for c in columns}
    gtype = (geometry_type or "").replace("Multi", "")
    scores: dict[str, float] = {}
    for kind, spec in LAYER_SPECS.items():
        if gtype and gtype not in {g.replace("Multi", "") for g in spec.geometry_types}:
            continue
        s = 0.0
        for col in spec.required:
            if col.keys() & keys:
                s += 3.0
        for col in spec.optional:
            if col.name in ("commune", "district", "province", "name", "operator"):
                continue
            if col.keys() & keys:
                s += 1.0
        if name:
            from gis.layers.formats import _kind_score

            s += 1.5 * _kind_score(Path(name).stem, kind.value)
        scores[kind.value] = s
    if not scores:
        return "villages"
    # tie-breaks that the aliases alone cannot make
    if "villages" in scores and keys & {"population", "dan_so", "so_ho", "households"}:
        scores["villages"] += 2.0
    if "admin" in scores and keys & {"ma_xa", "ma_dvhc", "admin_level", "cap_hanh_chinh"}:
        scores["admin"] += 2.0
    if gtype == "Polygon" and "admin" in scores and "villages" in scores and \
            scores["admin"] == scores["villages"]:
        scores["admin"] += 0.5 if not keys & {"ten_thon", "thon"} else -0.5
    order = ["sites", "villages", "roads", "fiber", "fiber_nodes", "facilities", "admin"]
    return max(scores, key=lambda k: (scores[k], -order.index(k)))


def read_any(source: Source, *, kind: str | None = None, layer: str | None = None,
             crs: object = None, province: str | None = None, meridian: float | None = None,
             analysis_crs: CRS | str | None = None, workdir: str | Path | None = None,
             ) -> ReadResult:
    """Read a file whose kind may be unknown: rasters by extension, layers by
    :func:`guess_kind` (the report says the kind was guessed)."""
    if kind:
        return read_layer(source, kind, layer=layer, crs=crs, province=province,
                          meridian=meridian, analysis_crs=analysis_crs, workdir=workdir)
    display = display_name(source)
    paths, wd = materialise(source, workdir)
    suffix = paths[0].suffix.lower()
    if suffix in (".tif", ".tiff", ".vrt", ".img", ".asc"):
        stem = header_key(paths[0].stem)
        rkind = ("population" if any(w in stem for w in ("pop", "dan_so", "danso")) else
                 "landcover" if any(w in stem for w in ("land", "cover", "clutter", "lop_phu"))
                 else "dem")
        result = read_layer(paths[0], rkind, workdir=wd or workdir)
        result.report.warn(f"Raster kind guessed from the file name: {rkind}.",
                           f"Loại raster đoán theo tên tệp: {rkind}.")
        return result
    wd = wd or (ensure_workdir(workdir)
                if any(p.suffix.lower() in (".zip", ".kmz") for p in paths) else None)
    raw = read_table(paths, display=display, layer=layer, workdir=wd)
    geom_type = None
    if raw.has_geometry and len(raw.df):
        types = raw.df.geometry.dropna().geom_type
        geom_type = types.mode().iloc[0] if len(types) else None
    elif not raw.has_geometry:
        geom_type = "Point"
    columns = [str(c) for c in raw.df.columns if not raw.has_geometry or c != raw.df.geometry.name]
    guessed = guess_kind(columns, geom_type, name=display)
    spec = LAYER_SPECS[LayerKind(guessed)]
    gdf, report = _canonical(raw, spec, display=display, crs=crs, province=province,
                             meridian=meridian, standard="tt973", analysis_crs=analysis_crs)
    report.warn(f"Layer kind guessed from the columns and geometry: {guessed} (give --kind to "
                "choose).",
                f"Loại lớp được đoán từ các cột và hình học: {guessed} (dùng --kind để chọn).")
    return ReadResult(guessed, report, gdf, None)


# -- projects -------------------------------------------------------------------------------

def load_project(project_dir: str | Path | None, files: Mapping[str, object] | None = None, *,
                 crs: object = None, province: str | None = None, name: str | None = None,
                 workdir: str | Path | None = None):  # -> Project (import cycle)
    """Open a project folder and/or read layer files into a project, then cross-check layers.

    Parameters
    ----------
    project_dir
        A folder written by :meth:`Project.save` (or ``python -m gis sample``), or ``None`` for
        a new project.
    files
        Layer or raster kind -> source (path, shapefile set, upload). Each replaces the
        project's layer of that kind.
    crs, province
        For files without a CRS (see :func:`read_layer`). ``province`` defaults to the
        project's ``params.load.province``.
    name
        Name of a new project (default: the villages file's name).

    Raises
    ------
    CRSError
        Villages fall hundreds of metres outside the commune they name (a VN-2000 file read
        with the wrong central meridian); the message names the rows and the meridian that
        fits.
    """
    from gis.layers.crosscheck import check_project
    from gis.params import LoadParams, RunParams
    from gis.project import Project

    files = dict(files or {})
    unknown = [k for k in files if k not in RASTER_KINDS and k not in {x.value for x in LayerKind}]
    if unknown:
        valid = ", ".join([k.value for k in LayerKind] + list(RASTER_KINDS))
        raise ValidationError(f"Unknown layer kind(s) {', '.join(unknown)}; valid: {valid}.",
                              f"Loại lớp không hợp lệ: {', '.join(unknown)}; hợp lệ: {valid}.")
    project = Project.load(project_dir) if project_dir else None
    params = project.params if project is not None else RunParams()
    province = province or params.load.province or None
    standard = params.load.meridian_standard
    order = ["villages", "admin", "sites", "roads", "fiber", "fiber_nodes", "facilities",
             *RASTER_KINDS]
    results: dict[str, ReadResult] = {}
    for kind in sorted(files, key=order.index):
        target = project.crs if project is not None else None
        result = read_layer(files[kind], kind, crs=crs, province=province,
                            analysis_crs=target, workdir=workdir, meridian_standard=standard)
        results[kind] = result
        if project is None and result.gdf is not None:
            project = Project(name=name or Path(display_name(files[kind])).stem,
                              crs=CRS.from_user_input(result.gdf.crs),
                              params=RunParams(load=LoadParams(province=province or "",
                                                               meridian_standard=standard)))
        if project is not None:
            _store(project, kind, result)
    if project is None:
        # only rasters were given: analysis CRS from the first raster's centre
        first = next(iter(results.values()), None)
        if first is None or first.raster is None:
            raise ValidationError("Nothing to load: give a project folder or layer files.",
                                  "Không có gì để nạp: chọn thư mục dự án hoặc tệp dữ liệu.")
        lon0, _, lon1, _ = first.raster.bounds_in(WGS84)
        project = Project(name=name or "project", crs=analysis_crs_for_lon((lon0 + lon1) / 2))
        for kind, result in results.items():
            _store(project, kind, result)
    check_project(project, standard=standard, province=province)
    return project


def _store(project, kind: str, result: ReadResult) -> None:
    if result.raster is not None:
        project.set_raster(kind, result.raster.path, result.report)
    elif result.gdf is not None:
        project.set_layer(kind, result.gdf, result.report)


def rows_of(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """0-based data rows of the source file for the rows of a canonical layer."""
    if "source_row" in gdf:
        return gdf["source_row"].to_numpy(dtype=int) - 1
    return np.arange(len(gdf))


