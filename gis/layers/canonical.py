"""The canonical layer: a raw table mapped, located, validated and normalised.

:func:`canonical_layer` is the pipeline every vector format goes through after
:mod:`gis.layers.formats` has read it: column aliases, coordinates and CRS (inferred when the
file does not say), geometry checks, positions in Vietnam, numbers, categorical values, ids,
duplicates, and finally the analysis CRS. Every step reports into the
:class:`~gis.layers.report.LoadReport`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gis.errors import InputFileError, ValidationError, format_rows
from gis.layers.cleaning import clean_text_cells, match_cut_headers
from gis.layers.coords import (
    CoordColumns,
    crs_label,
    find_coordinate_columns,
    infer_crs,
    parse_crs,
    points_from_columns,
    tm_params,
)
from gis.layers.crs import (
    WGS84,
    analysis_crs_for_lon,
    meridian_for_province,
)
from gis.layers.formats import RawTable
from gis.layers.landcheck import (
    check_land,
    named_provinces,
    restore_vn2000,
    tm3_meridian,
    warn_off_land,
)
from gis.layers.measurements import check_measurements
from gis.layers.normalise import (
    generate_ids,
    map_columns,
    map_unique,
    normalise_operator,
    normalise_values,
    parse_numbers,
)
from gis.layers.report import LoadReport
from gis.layers.schema import LayerSpec, header_key
from gis.layers.validate import (
    check_duplicates,
    check_geometries,
    check_in_vietnam,
    representative_xy,
    require_columns,
)

__all__ = ["canonical_layer", "meridian_of"]

_COUNT_COLUMNS = {"population", "households", "capacity"}


def meridian_of(province: str | None, meridian: float | None, standard: str) -> float | None:
    """The TM-3 central meridian (degrees) given directly or by province; None if neither."""
    if meridian is not None:
        return float(meridian)
    if province:
        return meridian_for_province(province, standard=standard)
    return None


def canonical_layer(raw: RawTable, spec: LayerSpec, *, display: str, crs: object,
               province: str | None, meridian: float | None, standard: str,
               analysis_crs: CRS | str | None, axis_order: str = "auto"
               ) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Turn a raw table into the canonical layer of ``spec`` in the analysis CRS.

    Parameters
    ----------
    raw
        What the format reader found.
    spec
        The canonical layer (columns, geometry types, id column).
    display
        The file name for messages.
    crs, province, meridian, standard
        How to read coordinates the file does not describe (see
        :func:`gis.layers.read.read_layer`).
    analysis_crs
        The metric CRS of the result; ``None``: the UTM zone of the layer's centre.
    axis_order
        ``"auto"``, ``"xy"`` or ``"yx"``: which X / Y column of a table is the easting
        (:func:`gis.layers.coords.points_from_columns`).

    Returns
    -------
    gdf, report
        The layer (one row per usable input row, in input order, with ``source_row`` = the
        1-based data row of the file) and its load report.
    """
    kind = spec.kind.value
    df = raw.df
    report = LoadReport(source=display, kind=kind, encoding=raw.encoding)
    report.extra["format"] = raw.fmt
    if raw.layer:
        report.extra["layer"] = raw.layer
    for en, vi in raw.notes:
        report.warn(en, vi)
    report.rows_read = len(df)
    df = clean_text_cells(raw, report)
    if len(df) == 0:
        raise InputFileError(
            "The layer has no rows.", "Lớp dữ liệu không có dòng nào.", file=display,
            fix="Check that the right file / layer / sheet was chosen.",
            fix_vi="Kiểm tra đã chọn đúng tệp / lớp / trang tính.")
    geom_name = df.geometry.name if raw.has_geometry else None
    columns = [str(c) for c in df.columns if c != geom_name]
    mapping = map_columns(columns, spec)
    match_cut_headers(raw.cut_headers, columns, mapping, spec, report)
    _fallback_columns(df, kind, columns, mapping, report)
    require_columns(mapping, spec, columns, display=display)
    report.column_mapping = dict(mapping)

    lon0 = meridian_of(province, meridian, standard)
    given, given_label = parse_crs(crs, meridian=lon0 if crs else None)
    data = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for canon, src in mapping.items():
        data[canon] = df[src].to_numpy(dtype=object)
    for col in columns:
        if col not in mapping.values() and col not in data:
            data[col] = df[col].to_numpy(dtype=object)

    if raw.has_geometry:
        geoms = np.asarray(df.geometry.values, dtype=object)
        file_crs = raw.crs
        if file_crs is not None and file_crs.is_geographic:
            rep = representative_xy(geoms)
            ok = np.isfinite(rep).all(axis=1)
            if ok.any() and (np.abs(rep[ok]) > 360).any():
                # GeoJSON is WGS84 by rule, so GDAL says so even for files written in metres
                report.warn(f"The file says {crs_label(file_crs)} but its coordinates are "
                            "metres: that CRS is ignored.",
                            f"Tệp ghi {crs_label(file_crs)} nhưng toạ độ là mét: bỏ qua hệ "
                            "toạ độ đó.")
                file_crs = None
        if file_crs is not None:
            file_crs = restore_vn2000(file_crs, report)
        if file_crs is not None and given is not None and not file_crs.equals(given):
            f0, g0 = tm3_meridian(file_crs), tm3_meridian(given)
            if f0 is not None and g0 is not None and f0 != g0:
                # the way to correct a .prj with the wrong provincial meridian
                report.warn(f"The file says VN-2000 TM-3 {f0:g}°; the TM-3 {g0:g}° given is used "
                            "instead (the .prj's central meridian is overridden).",
                            f"Tệp ghi VN-2000 TM-3 {f0:g}°; dùng TM-3 {g0:g}° đã chọn thay thế "
                            "(ghi đè kinh tuyến trục của tệp .prj).")
                file_crs = None
            else:
                report.warn(f"The file says its CRS is {crs_label(file_crs)}; that is used, not "
                            f"the {given_label} given.",
                            f"Tệp ghi hệ toạ độ {crs_label(file_crs)}; dùng hệ này, không dùng "
                            f"{given_label} đã chọn.")
        if file_crs is not None:
            src_crs, label, note, note_vi = (file_crs, crs_label(file_crs), "read from the file",
                                             "đọc từ tệp")
            geoms = _maybe_swap_geographic(geoms, src_crs, report, display)
        else:
            rep = representative_xy(geoms)
            src_crs, label, note, note_vi = infer_crs(
                rep[:, 0], rep[:, 1],
                given=given, given_label=given_label, province=province, meridian=lon0,
                standard=standard, display=display)
            geoms = _maybe_swap_geographic(geoms, src_crs, report, display)
    else:
        cols = find_coordinate_columns(columns)
        if cols is None and kind == "villages" and {"centre_lon", "centre_lat"} <= set(mapping):
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
        blank = df[columns].isna().all(axis=1).to_numpy()
        for r in np.flatnonzero(blank):
            report.reject(r, "empty row", "dòng trống")
        pts = points_from_columns(df, cols, display=display, axis_order=axis_order)
        for en, vi in pts.notes:
            report.warn(en, vi)
        for r in sorted(set(pts.bad_rows) - set(np.flatnonzero(blank).tolist())):
            report.reject(r, f"coordinates {cols.a}/{cols.b} missing or not numbers",
                          f"toạ độ {cols.a}/{cols.b} trống hoặc không phải số")
        if cols.form == "pair":
            report.column_mapping["lon, lat"] = cols.a
        else:
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
        src_crs, label, note, note_vi = infer_crs(
            pts.x, pts.y, given=given, given_label=given_label, province=province,
            meridian=lon0, standard=standard, display=display)
        geoms = shapely.points(pts.x, pts.y)
        geoms[pts.bad_rows] = None
    report.crs_in, report.crs_note, report.crs_note_vi = label, note, note_vi
    if note.startswith("inferred"):
        report.warn(f"CRS {note}.", f"Hệ toạ độ {note_vi}.")
    p = tm_params(src_crs)
    if p:
        report.extra["vn2000_lon0"] = float(p["lon_0"])
        report.extra["vn2000_k"] = float(p.get("k", p.get("k_0", 1.0)))

    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=src_crs))
    gdf = gdf.drop(index=[r.row for r in report.rejected if r.row in gdf.index])
    gdf = check_geometries(gdf, spec, report, display=display)
    wgs = gdf.to_crs(WGS84)
    provinces = named_provinces(gdf, province)
    gdf, wgs, label = check_land(gdf, wgs, label, given, given_label, provinces, report,
                                  display=display)
    inside = check_in_vietnam(wgs, report, display=display, crs_label=label)
    gdf = gdf.loc[inside]
    wgs = wgs.loc[inside]
    warn_off_land(wgs, report)
    if not len(gdf):
        _nothing_usable(report, display)

    _parse_number_columns(gdf, spec, report)
    _plausibility(gdf, report)
    normalise_values(gdf, kind, mapping, report)
    if kind == "measurements":
        gdf = check_measurements(gdf, mapping, report, display=display)
        if not len(gdf):
            _nothing_usable(report, display)
    if kind == "sites" and "site_id" not in gdf and len(gdf):
        _site_ids_by_position(gdf, wgs, report)
    if spec.id_column:
        generate_ids(gdf, kind, spec.id_column, report)
        check_duplicates(gdf, kind, spec.id_column, display=display, report=report)
    _text_columns(gdf, spec)

    if analysis_crs is None:
        lon_c = float(np.nanmedian(representative_xy(wgs.geometry.values)[:, 0]))
        target = analysis_crs_for_lon(lon_c)
    else:
        target = CRS.from_user_input(analysis_crs)
    gdf = gdf.to_crs(target)
    if kind == "villages":
        _centres(gdf, report)
    if "source_row" in gdf:
        gdf = gdf.rename(columns={"source_row": "source_row_in_file"})
    gdf.insert(0, "source_row", gdf.index.to_numpy() + 1)
    ordered = [c.name for c in spec.columns if c.name in gdf]
    rest = [c for c in gdf.columns if c not in ordered and c != gdf.geometry.name]
    gdf = gdf[[*ordered, *rest, gdf.geometry.name]].reset_index(drop=True)
    report.rows_loaded = len(gdf)
    report.extra["analysis_crs"] = target.to_string()
    report.rejected.sort(key=lambda r: r.row)
    return gdf, report


def _nothing_usable(report: LoadReport, display: str) -> None:
    """Every row was rejected: a ValidationError with the commonest reasons and the rows."""
    counts: dict[tuple[str, str], int] = {}
    for r in report.rejected:
        counts[(r.reason_en, r.reason_vi)] = counts.get((r.reason_en, r.reason_vi), 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    en = "; ".join(f"{n} x {k[0]}" for k, n in top) or "no rows"
    vi = "; ".join(f"{n} x {k[1]}" for k, n in top) or "không có dòng"
    raise ValidationError(
        f"No row of the layer is usable ({en}).",
        f"Không dòng nào của lớp dùng được ({vi}).",
        file=display, rows=[r.row for r in report.rejected],
        fix="Check the coordinates and geometries of the file (open it in QGIS or Excel), or "
        "that the right file / layer / sheet was chosen.",
        fix_vi="Kiểm tra toạ độ và hình học của tệp (mở bằng QGIS hoặc Excel), hoặc đã chọn đúng "
        "tệp / lớp / trang tính.")


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


def _site_ids_by_position(gdf: gpd.GeoDataFrame, wgs: gpd.GeoDataFrame,
                          report: LoadReport) -> None:
    """Sites without ids: rows at the same position (to ~0.1 m) and of the same operator are
    the sectors of one site and share a generated id ``S0001``..., numbered in row order."""
    xy = np.round(representative_xy(wgs.geometry.values), 6)
    op = gdf["operator"].astype(str).to_numpy() if "operator" in gdf else np.full(len(gdf), "")
    codes, uniques = pd.MultiIndex.from_arrays([xy[:, 0], xy[:, 1], op]).factorize()
    labels = np.array([f"S{c + 1:04d}" for c in range(len(uniques))], dtype=object)
    gdf["site_id"] = labels[codes]
    report.warn(f"No site_id column: ids S0001... were generated, one per position and "
                f"operator ({len(uniques)} sites for {len(gdf)} rows).",
                f"Không có cột site_id: đã tạo mã S0001..., mỗi vị trí và nhà mạng một mã "
                f"({len(uniques)} trạm cho {len(gdf)} dòng).")


def _maybe_swap_geographic(geoms: np.ndarray, crs: CRS, report: LoadReport,
                           display: str) -> np.ndarray:
    """Lat/lon written the wrong way round in a geographic file (e.g. GeoJSON [lat, lon])."""
    if not crs.is_geographic or not len(geoms):
        return geoms
    from gis.layers.coords import LAT_RANGE, LON_RANGE

    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any():
        return geoms
    xy = representative_xy(geoms[valid])
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


#: Plausible ranges of numeric columns: (low, high, English hint, Vietnamese hint). Values
#: outside are kept as given and named in a warning (they may be typos or other units).
PLAUSIBLE: dict[str, tuple[float, float, str, str]] = {
    "height_m": (1.0, 150.0, "antenna heights are metres above ground, 1-150 m",
                 "độ cao anten tính bằng mét so với mặt đất, 1-150 m"),
    "azimuth_deg": (0.0, 360.0, "azimuths are degrees clockwise from north, 0-360",
                    "phương vị tính bằng độ theo chiều kim đồng hồ từ hướng Bắc, 0-360"),
    "tilt_deg": (-10.0, 30.0, "tilts are degrees below the horizon, usually 0-15",
                 "góc nghiêng tính bằng độ dưới phương ngang, thường 0-15"),
    "beamwidth_deg": (10.0, 360.0, "horizontal beamwidths are 10-360 degrees",
                      "độ rộng búp sóng ngang 10-360 độ"),
    "freq_mhz": (400.0, 6000.0, "frequencies are MHz (e.g. 1800, not 1.8 GHz)",
                 "tần số tính bằng MHz (ví dụ 1800, không phải 1,8 GHz)"),
    "eirp_dbm": (20.0, 80.0, "EIRP is dBm per sector, typically 50-65",
                 "EIRP tính bằng dBm mỗi sector, thường 50-65"),
}


#: Most people a hamlet (thôn, xóm, ấp, bản, tổ dân phố) is expected to have. Hamlets have from
#: a few hundred to a few thousand people, and a commune since the 2025 reform about 30,000
#: (101 million people in 3,321 communes); a hamlet above 100,000 is a commune or district
#: total, or another unit.
MAX_HAMLET_POPULATION = 100_000


def _plausibility(gdf: gpd.GeoDataFrame, report: LoadReport) -> None:
    """Warn about numbers outside their plausible range (kept as given), naming the rows."""
    rows = gdf.index.to_numpy()
    for col, (lo, hi, hint, hint_vi) in PLAUSIBLE.items():
        if col not in gdf:
            continue
        v = gdf[col].to_numpy(dtype=float)
        bad = np.isfinite(v) & ((v < lo) | (v > hi))
        if bad.any():
            report.warn(f"{col}: {int(bad.sum())} value(s) outside {lo:g}-{hi:g} in row(s) "
                        f"{format_rows(rows[bad])} (e.g. {v[bad][0]:g}); {hint}. Kept as given.",
                        f"{col}: {int(bad.sum())} giá trị ngoài {lo:g}-{hi:g} ở dòng "
                        f"{format_rows(rows[bad])} (ví dụ {v[bad][0]:g}); {hint_vi}. Giữ "
                        "nguyên.")
    for col in ("population", "households"):
        if col not in gdf:
            continue
        v = gdf[col].to_numpy(dtype=float)
        frac = np.isfinite(v) & (np.abs(v - np.round(v)) > 1e-9)
        if frac.any():
            report.warn(f"{col}: {int(frac.sum())} value(s) are not whole numbers in row(s) "
                        f"{format_rows(rows[frac])} (e.g. {v[frac][0]:g}): people and households "
                        "are counted whole; an estimate, or a thousands separator read as a "
                        "decimal mark? Kept as given.",
                        f"{col}: {int(frac.sum())} giá trị không phải số nguyên ở dòng "
                        f"{format_rows(rows[frac])} (ví dụ {v[frac][0]:g}): số người và số hộ "
                        "phải là số nguyên; số ước tính, hay dấu phân cách hàng nghìn bị đọc "
                        "thành dấu thập phân? Giữ nguyên.")
            report.extra.setdefault("not_whole", {})[col] = [int(r) for r in rows[frac]]
    if report.kind == "villages" and "population" in gdf:
        v = gdf["population"].to_numpy(dtype=float)
        big = np.isfinite(v) & (v > MAX_HAMLET_POPULATION)
        if big.any():
            report.warn(f"population: {int(big.sum())} hamlet(s) above {MAX_HAMLET_POPULATION:,} "
                        f"people in row(s) {format_rows(rows[big])} (e.g. {v[big][0]:,.0f}): more "
                        "than a whole commune; a commune or district total, or another unit? "
                        "Kept as given.",
                        f"population: {int(big.sum())} thôn trên {MAX_HAMLET_POPULATION:,} người "
                        f"ở dòng {format_rows(rows[big])} (ví dụ {v[big][0]:,.0f}): nhiều hơn cả "
                        "một xã; số của xã, huyện hay đơn vị khác? Giữ nguyên.")
            report.extra["population_above_max"] = [int(r) for r in rows[big]]
    if "population" in gdf and "households" in gdf:
        pop = gdf["population"].to_numpy(dtype=float)
        hh = gdf["households"].to_numpy(dtype=float)
        bad = np.isfinite(pop) & np.isfinite(hh) & (hh > pop)
        if bad.any():
            report.warn(f"More households than people in row(s) {format_rows(rows[bad])}: are "
                        "the two columns swapped?",
                        f"Số hộ nhiều hơn số dân ở dòng {format_rows(rows[bad])}: hai cột có bị "
                        "đổi chỗ không?")


def _as_text(v: object) -> str | None:
    """A text cell as text: numbers written as such (1.0 -> "1"), surrounding spaces removed.

    Leading tabs and carriage returns are kept: ``"\\t=1+1"`` is inert text in the file and
    must not become ``"=1+1"``, which a spreadsheet would run (the writers neutralise both, see
    :mod:`gis.export.safe_text`). Nothing is ever evaluated.
    """
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).rstrip().lstrip(" \u00a0")
    return text or None


def _text_columns(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> None:
    for col in spec.columns:
        if col.dtype == "str" and col.name in gdf:
            gdf[col.name] = map_unique(gdf[col.name].to_numpy(dtype=object), _as_text)


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
