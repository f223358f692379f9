"""Writing results in the formats people hand on: CSV, XLSX, GeoJSON, GeoPackage, Shapefile, KML.

Rules every writer follows:

* Output coordinates are WGS84 (EPSG:4326) longitude/latitude in degrees.
* CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese diacritics.
* Human-facing formats (XLSX, the KML balloon, CSV when ``lang`` is given) carry the column
  labels of :mod:`gis.labels` in the chosen language; GIS formats (GeoJSON, GeoPackage) keep
  the canonical snake_case names so that scripts and the tool can read them back.
* Shapefiles (DBF: field names of at most 10 ASCII characters) are zipped with a ``.cpg``
  saying UTF-8 and a ``fields.csv`` mapping each short name to the full name and its labels;
  :func:`read_shapefile_zip` restores the full names from it.
* KML is written with :mod:`xml.etree` (the GDAL driver writes no styles): one style per
  hamlet status (red no signal, orange weak spot, yellow no FTTH, green covered), placemarks in
  one folder per status, attributes as ``ExtendedData``; KMZ is the same document zipped.

The uncovered-hamlet list (:func:`uncovered_hamlets`) is built here too because it is an
export: it only selects, labels and annotates rows of the per-hamlet table.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from gis.errors import InputFileError, ValidationError
from gis.labels import (
    REASON_LABELS,
    STATUS_LABELS,
    check_lang,
    column_label,
    localise_columns,
)
from gis.layers.crs import WGS84, analysis_crs_for_lon
from gis.layers.schema import header_key

__all__ = [
    "DEFAULT_TIERS_DBM",
    "FORMATS",
    "KML_STATUS_COLORS",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "TIER_COLORS",
    "copy_raster",
    "export_table",
    "file_safe",
    "hamlet_status",
    "kml_color",
    "points_frame",
    "read_results_gpkg",
    "read_shapefile_zip",
    "reason_codes",
    "reason_text",
    "shapefile_field_names",
    "tier_polygons",
    "uncovered_hamlets",
    "with_lonlat",
    "write_csv",
    "write_geojson",
    "write_gpkg",
    "write_kml",
    "write_results_gpkg",
    "write_shapefile_zip",
    "write_xlsx",
]

#: Export formats of :func:`export_table` (and ``python -m gis export --format``).
FORMATS = ("csv", "xlsx", "geojson", "gpkg", "shp", "kml", "kmz")

#: Hamlet status -> colour (hex RGB) for maps and reports.
STATUS_COLORS = {
    "no_signal": "#d62728",  # red
    "weak_spot": "#ff8c00",  # orange
    "no_ftth": "#f2c200",  # yellow
    "ok": "#2ca02c",  # green
    "unknown": "#7f7f7f",  # grey
}


def kml_color(hex_rgb: str, alpha: str = "ff") -> str:
    """KML colours are aabbggrr."""
    h = hex_rgb.lstrip("#")
    return (alpha + h[4:6] + h[2:4] + h[0:2]).lower()


#: Hamlet status -> KML colour (aabbggrr).
KML_STATUS_COLORS = {k: kml_color(v) for k, v in STATUS_COLORS.items()}

#: Order of the statuses, worst first (legend and KML folder order).
STATUS_ORDER = ("no_signal", "weak_spot", "no_ftth", "ok", "unknown")

#: Non-spatial metadata table in ``results.gpkg``.
META_LAYER = "run_meta"


# -- frames -----------------------------------------------------------------------------------

def points_frame(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """``table`` as a GeoDataFrame in EPSG:4326.

    A GeoDataFrame is reprojected; a plain table gets Point geometries from its ``lon``/``lat``
    columns (degrees); a table without either gets empty geometries (kept, never dropped).
    """
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        return table if table.crs is None else table.to_crs(WGS84)
    frame = pd.DataFrame(table).copy()
    if {"lon", "lat"} <= set(frame):
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
        geom = shapely.points(lon, lat)
        geom[~(np.isfinite(lon) & np.isfinite(lat))] = None
    else:
        geom = np.full(len(frame), None, dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geom, index=frame.index), crs=WGS84)


def with_lonlat(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``lon``/``lat`` columns (degrees), derived from its geometry if needed.

    For non-point geometries the point is :func:`shapely.point_on_surface`. A table with
    neither gets NaN coordinates.
    """
    if {"lon", "lat"} <= set(table):
        return table
    out = table.copy()
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        geom = table.geometry if table.crs is None else table.geometry.to_crs(WGS84)
        pts = shapely.point_on_surface(geom.to_numpy())
        out["lon"] = shapely.get_x(pts)
        out["lat"] = shapely.get_y(pts)
    else:
        out["lon"] = np.nan
        out["lat"] = np.nan
    return out


def _as_bool(frame: pd.DataFrame, column: str) -> pd.Series | None:
    """Column as nullable booleans (NA where unknown), or ``None`` when absent."""
    if column not in frame:
        return None
    s = frame[column]
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        s = s.map(lambda v: pd.NA if v is None or (isinstance(v, float) and math.isnan(v))
                  else str(v).strip().lower() in ("true", "1", "1.0", "yes", "có", "x"))
    return s.astype("boolean")


def _mobile(hamlets: pd.DataFrame) -> pd.Series | None:
    """Mobile broadband (4G or 5G) per hamlet; NA where unknown; ``None`` when not computed."""
    f4, f5 = _as_bool(hamlets, "mobile_4g"), _as_bool(hamlets, "mobile_5g")
    if f4 is None and f5 is None:
        return None
    if f4 is None or f5 is None:
        return f4 if f4 is not None else f5
    out = (f4.fillna(False) | f5.fillna(False)).astype("boolean")
    return out.mask(f4.isna() & f5.isna(), pd.NA)


def reason_codes(hamlets: pd.DataFrame) -> pd.Series:
    """Why each hamlet is on the uncovered list, as codes joined by ``;`` (empty: covered).

    ``no_mobile``: neither 4G nor 5G (and not flagged a weak spot); ``weak_spot``: flagged
    lõm sóng by the radio analysis; ``no_ftth``: no FTTH. Unknown values give no reason.
    """
    n = len(hamlets)
    mobile = _mobile(hamlets)
    weak = _as_bool(hamlets, "weak_spot")
    ftth = _as_bool(hamlets, "ftth")
    no_mob = (~mobile).fillna(False).to_numpy(bool) if mobile is not None else np.zeros(n, bool)
    is_weak = weak.fillna(False).to_numpy(bool) if weak is not None else np.zeros(n, bool)
    no_ftth = (~ftth).fillna(False).to_numpy(bool) if ftth is not None else np.zeros(n, bool)
    a = np.where(no_mob & ~is_weak, "no_mobile", "").astype(object)
    b = np.where(is_weak, "weak_spot", "").astype(object)
    c = np.where(no_ftth, "no_ftth", "").astype(object)
    ab = np.where((a != "") & (b != ""), a + ";" + b, a + b)
    codes = np.where((ab != "") & (c != ""), ab + ";" + c, ab + c)
    return pd.Series(codes, index=hamlets.index, dtype=object)


def reason_text(codes: pd.Series, lang: str = "en") -> pd.Series:
    """Reason codes (see :func:`reason_codes`) as text in ``lang``, e.g. ``"no 4G/5G; no FTTH"``."""
    check_lang(lang)
    i = 0 if lang == "vi" else 1

    def one(code: object) -> str:
        if not isinstance(code, str) or not code:
            return ""
        return "; ".join(REASON_LABELS.get(c, (c, c))[i] for c in code.split(";"))

    return codes.map(one).astype(object)


def hamlet_status(hamlets: pd.DataFrame) -> pd.Series:
    """The status of each hamlet for maps and KML styles, worst first.

    ``no_signal`` when it has no mobile broadband and is not a weak spot (or is flagged
    ``no_signal``), ``weak_spot`` when flagged lõm sóng without mobile broadband, ``no_ftth``
    when mobile is fine but FTTH is missing, ``ok`` when both are known and present, ``unknown``
    when neither was computed.
    """
    n = len(hamlets)
    mobile = _mobile(hamlets)
    ftth = _as_bool(hamlets, "ftth")
    weak = _as_bool(hamlets, "weak_spot")
    flag_ns = _as_bool(hamlets, "no_signal")

    def arr(s: pd.Series | None, default: bool) -> np.ndarray:
        return np.full(n, default) if s is None else s.fillna(default).to_numpy(bool)

    mob_known = mobile is not None
    has_mob = arr(mobile, True)
    is_weak = arr(weak, False)
    ns = arr(flag_ns, False)
    has_ftth = arr(ftth, True)
    status = np.full(n, "ok", dtype=object)
    status[~has_ftth] = "no_ftth"
    status[~has_mob & is_weak] = "weak_spot"
    status[(~has_mob & ~is_weak) | ns] = "no_signal"
    if not mob_known and ftth is None:
        status[:] = "unknown"
    return pd.Series(status, index=hamlets.index, dtype=object)


# -- the uncovered-hamlet list ----------------------------------------------------------------

def _metric_xy(lon: np.ndarray, lat: np.ndarray, crs: CRS) -> np.ndarray:
    t = Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = t.transform(lon, lat)
    return np.c_[x, y]


def _nearest(targets: gpd.GeoDataFrame, id_col: str, points_m: np.ndarray,
             crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Id and distance (m) of the nearest target geometry for each metric point."""
    tg = targets[targets.geometry.notna() & ~targets.geometry.is_empty].to_crs(crs)
    if tg.empty or len(points_m) == 0:
        return (np.full(len(points_m), None, dtype=object), np.full(len(points_m), np.nan))
    tree = shapely.STRtree(tg.geometry.values)
    pts = shapely.points(points_m)
    (src, dst), dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    ids = np.full(len(points_m), None, dtype=object)
    d = np.full(len(points_m), np.nan)
    ids[src] = tg[id_col].astype(object).to_numpy()[dst]
    d[src] = np.round(dist, 1)
    return ids, d


def _prefer_planned(planned: np.ndarray, targets: gpd.GeoDataFrame, id_col: str,
                    ids: np.ndarray, dist_m: np.ndarray, points_m: np.ndarray,
                    crs: CRS) -> np.ndarray:
    """Where ``planned`` names a target the analysis assigned, use it instead of the nearest.

    ``ids`` and ``dist_m`` (the nearest targets) are updated in place; the distance is from the
    point to the planned target's geometry, in metres. Unknown ids keep the nearest. Returns
    the mask of the rows that got their planned target.
    """
    tg = targets[targets.geometry.notna()].to_crs(crs)
    lookup = pd.Series(tg.geometry.to_numpy(), index=tg[id_col].astype(str).to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    names = pd.Series([None if pd.isna(v) else str(v) for v in planned], dtype=object)
    geoms = names.map(lookup)
    ok = geoms.notna().to_numpy()
    if ok.any():
        ids[ok] = names.to_numpy()[ok]
        dist_m[ok] = np.round(shapely.distance(shapely.points(points_m[ok]),
                                               np.asarray(geoms[ok].tolist(), dtype=object)), 1)
    return ok


def _id_column(table: pd.DataFrame, *candidates: str) -> str | None:
    return next((c for c in candidates if c in table), None)


def _fix_text(out: pd.DataFrame, lang: str,
              assigned: dict[str, np.ndarray] | None = None) -> pd.Series:
    """The ``proposed_fix`` text of each row, e.g. ``"co-locate on P12 (MobiFone, 850 m); fiber
    route R3 (120 m)"`` (vectorised over rows). A fix the analyses did not assign to the
    hamlet is only the nearest one and says so ("nearest ...")."""
    vi = lang == "vi"
    # (assigned by the analysis, only the nearest)
    verbs = {"fix_colocation": ("dùng chung cột ", "cột dùng chung gần nhất ") if vi
             else ("co-locate on ", "nearest co-location site "),
             "fix_tower": ("cột mới ", "cột mới gần nhất ") if vi
             else ("new tower ", "nearest proposed tower "),
             "fix_fiber": ("kéo cáp tuyến ", "tuyến cáp mới gần nhất ") if vi
             else ("fiber route ", "nearest fiber route ")}
    ids = {"fix_colocation": "fix_colocation_position_id", "fix_tower": "fix_tower_id",
           "fix_fiber": "fix_fiber_route_id"}
    text = pd.Series("", index=out.index, dtype=object)
    if out.empty:
        return text
    for key, (verb, verb_nearest) in verbs.items():
        dist = out[f"{key}_distance_m"]
        ok = dist.notna() & out[ids[key]].notna()
        who = ""
        if key == "fix_colocation" and "fix_colocation_operator" in out:
            op = out["fix_colocation_operator"]
            who = (op.astype(str) + ", ").where(op.notna(), "")
        mask = (assigned or {}).get(key)
        lead = pd.Series(verb if mask is None else np.where(mask, verb, verb_nearest),
                         index=out.index, dtype=object)
        part = (lead + out[ids[key]].astype(str) + " (" + who
                + dist.round(0).map("{:.0f}".format) + " m)").where(ok, "")
        text = text.where(~ok | (text == ""), text + "; ") + part
    return text


def uncovered_hamlets(
    hamlets: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    lang: str = "en",
) -> gpd.GeoDataFrame:
    """Every hamlet lacking mobile broadband (neither 4G nor 5G) or FTTH, with the reason and fix.

    Parameters
    ----------
    hamlets
        The per-hamlet table (``lon``/``lat`` in degrees, ``mobile_4g``, ``mobile_5g``,
        ``weak_spot``, ``ftth``; missing columns mean "not computed": no reason from them).
    tables
        Result tables of the run; used when present: ``proposed_towers`` (``tower_id``),
        ``colocation_opportunities`` (``host_position_id``, located through ``positions``
        when it has no coordinates), ``fiber_extensions`` (``route_id``, line geometries).
    lang
        ``"vi"`` or ``"en"``: language of ``reason``, ``status_label`` and ``proposed_fix``.

    Returns
    -------
    geopandas.GeoDataFrame
        The uncovered rows of ``hamlets`` (same index, same columns) plus ``status``,
        ``status_label``, ``reason_code``, ``reason``, the fixes (``fix_tower_id``,
        ``fix_tower_distance_m``, ``fix_colocation_position_id``,
        ``fix_colocation_distance_m``, ``fix_fiber_route_id``, ``fix_fiber_distance_m``;
        distances in metres from the hamlet centre, mobile fixes only for hamlets lacking
        mobile broadband, fibre fixes only for those lacking FTTH; each is the one the analyses
        assigned to the hamlet when they did (``proposed_tower_id``, ``colocation_fix``
        "operator → position", ``fiber_route_id``), the nearest otherwise;
        ``fix_colocation_operator`` is the operator that would co-locate) and ``proposed_fix``
        (text);
        geometry: the hamlet centre point, EPSG:4326.
    """
    check_lang(lang)
    tables = tables or {}
    codes = reason_codes(hamlets)
    keep = codes != ""
    out = points_frame(hamlets.loc[keep])
    out["status"] = hamlet_status(hamlets).loc[keep]
    out["status_label"] = out["status"].map(
        lambda s: STATUS_LABELS.get(s, (s, s))[0 if lang == "vi" else 1]).astype(object)
    out["reason_code"] = codes.loc[keep]
    out["reason"] = reason_text(out["reason_code"], lang)
    for col in ("fix_colocation_operator", "fix_colocation_position_id", "fix_tower_id",
                "fix_fiber_route_id"):
        out[col] = pd.Series(None, index=out.index, dtype=object)
    for col in ("fix_colocation_distance_m", "fix_tower_distance_m", "fix_fiber_distance_m"):
        out[col] = np.nan
    lon = pd.to_numeric(out.get("lon", pd.Series(np.nan, index=out.index)),
                        errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(out.get("lat", pd.Series(np.nan, index=out.index)),
                        errors="coerce").to_numpy(dtype=float)
    located = np.isfinite(lon) & np.isfinite(lat)  # hamlets without a centre get no fix
    # which fixes the analyses assigned to the hamlet (the others are the nearest)
    assigned = {k: np.zeros(len(out), bool) for k in ("fix_tower", "fix_colocation", "fix_fiber")}
    if located.any():
        crs = analysis_crs_for_lon(float(lon[located].mean()))
        xy = _metric_xy(np.where(located, lon, 0.0), np.where(located, lat, 0.0), crs)
        mob = out["reason_code"].str.contains("no_mobile|weak_spot", regex=True).to_numpy(bool)
        mob = mob & located
        fib = out["reason_code"].str.contains("no_ftth").to_numpy(bool) & located
        towers = tables.get("proposed_towers")
        if towers is not None and len(towers) and (idc := _id_column(towers, "tower_id")):
            tg = points_frame(towers)
            ids, d = _nearest(tg, idc, xy[mob], crs)
            if "proposed_tower_id" in out:  # the tower the siting assigned wins
                assigned["fix_tower"][mob] = _prefer_planned(
                    out["proposed_tower_id"].to_numpy(dtype=object)[mob], tg, idc, ids, d,
                    xy[mob], crs)
            out.loc[out.index[mob], "fix_tower_id"] = ids
            out.loc[out.index[mob], "fix_tower_distance_m"] = d
        opps = tables.get("colocation_opportunities")
        if opps is not None and len(opps) and "host_position_id" in opps:
            hosts = opps
            positions = tables.get("positions")
            if not ({"lon", "lat"} <= set(opps) or isinstance(opps, gpd.GeoDataFrame)) \
                    and positions is not None and "position_id" in positions:
                pos = pd.DataFrame(with_lonlat(positions))[["position_id", "lon", "lat"]]
                hosts = pd.DataFrame(opps).merge(pos, left_on="host_position_id",
                                                 right_on="position_id", how="left")
            if {"lon", "lat"} <= set(hosts) or isinstance(hosts, gpd.GeoDataFrame):
                hg = points_frame(hosts)
                ids, d = _nearest(hg, "host_position_id", xy[mob], crs)
                if "colocation_fix" in out:  # "operator → position": the best opportunity
                    fix = out["colocation_fix"].astype(object).to_numpy()[mob]
                    parts = [str(v).split("→", 1) if isinstance(v, str) and "→" in v else None
                             for v in fix]
                    planned = np.array([p[1].strip() if p else None for p in parts], dtype=object)
                    ops = np.array([p[0].strip() if p else None for p in parts], dtype=object)
                    assigned["fix_colocation"][mob] = _prefer_planned(
                        planned, hg, "host_position_id", ids, d, xy[mob], crs)
                    out.loc[out.index[mob], "fix_colocation_operator"] = ops
                out.loc[out.index[mob], "fix_colocation_position_id"] = ids
                out.loc[out.index[mob], "fix_colocation_distance_m"] = d
        routes = tables.get("fiber_extensions")
        if (routes is not None and len(routes) and isinstance(routes, gpd.GeoDataFrame)
                and (idc := _id_column(routes, "route_id"))):
            ids, d = _nearest(routes, idc, xy[fib], crs)
            if "fiber_route_id" in out:  # the route the fiber plan assigned wins
                assigned["fix_fiber"][fib] = _prefer_planned(
                    out["fiber_route_id"].to_numpy(dtype=object)[fib], routes, idc, ids, d,
                    xy[fib], crs)
            out.loc[out.index[fib], "fix_fiber_route_id"] = ids
            out.loc[out.index[fib], "fix_fiber_distance_m"] = d
    out["proposed_fix"] = _fix_text(out, lang, assigned)
    cols = [c for c in out.columns if c != "geometry"] + ["geometry"]
    return out[cols]


# -- file-safe values ---------------------------------------------------------------------------

def _flatten(v: object) -> object:
    if isinstance(v, list | tuple | set | np.ndarray):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def file_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose values every format can store: lists joined by ``"; "``, dicts as JSON."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry" or out[col].dtype != object:
            continue
        if out[col].map(lambda v: isinstance(v, list | tuple | set | dict | np.ndarray)).any():
            out[col] = out[col].map(_flatten)
    return out


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


# -- CSV, XLSX --------------------------------------------------------------------------------

def write_csv(frame: pd.DataFrame, path: str | Path, *, lang: str | None = None) -> Path:
    """CSV in UTF-8 with a BOM (Excel shows diacritics); geometry dropped (lon/lat stay).

    Headers are the canonical names, or the labels in ``lang`` when it is given.
    """
    path = Path(path)
    out = file_safe(_plain(frame))
    if lang is not None:
        out = localise_columns(out, lang)
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


_PERCENT_COLS = re.compile(r"(^|_)(share|rate)(_|$)|^pop_share|^hh_share|^cov_\dg_")


def _is_share(col: str, frame: pd.DataFrame) -> bool:
    if col in ("value", "target") and "indicator_id" in frame:
        return True
    return bool(_PERCENT_COLS.search(col))


def _xlsx_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return _flatten(v)


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]\*\?/\\:]", "_", name)[:31] or "Sheet"
    base, i = title, 2
    while title in used:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(title)
    return title


def write_xlsx(sheets: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, *,
               lang: str = "en", titles: Mapping[str, str] | None = None) -> Path:
    """An Excel workbook: one sheet per frame, headers in ``lang``, formatted for reading.

    Each sheet has a bold, filled header row that stays frozen, an auto filter over the data,
    column widths fitted to the content (8-60 characters) and shares shown as percentages.
    Geometry columns are dropped (``lon``/``lat`` stay). An indicator table (``met`` column)
    gets green / red fills on met / not met.

    Parameters
    ----------
    sheets
        One frame (sheet named "data"), or sheet key -> frame.
    lang
        ``"vi"`` or ``"en"``: language of the headers.
    titles
        Sheet key -> sheet title (default: the key), at most 31 characters.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    check_lang(lang)
    if isinstance(sheets, pd.DataFrame):
        sheets = {"data": sheets}
    titles = titles or {}
    wb = Workbook(write_only=True)  # streams rows: several times faster on big tables
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E79")
    head_align = Alignment(wrap_text=True, vertical="top")
    fills = {True: PatternFill("solid", fgColor="C6EFCE"),
             False: PatternFill("solid", fgColor="FFC7CE")}
    used: set[str] = set()
    for key, frame in sheets.items():
        ws = wb.create_sheet(_sheet_title(titles.get(key, key), used))
        data = file_safe(_plain(frame))
        cols = list(data.columns)
        n = len(data)
        values = [[_xlsx_value(v) for v in data[c].tolist()] for c in cols]
        share = [_is_share(c, data) for c in cols]
        for j, col in enumerate(cols, start=1):
            longest = max((len(str(v)) for v in values[j - 1] if v is not None), default=0)
            head = max((len(w) for w in column_label(col, lang).split()), default=0)
            ws.column_dimensions[get_column_letter(j)].width = min(
                60, max(8, min(longest, 60) + 2, head + 2))
        ws.freeze_panes = "A2"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(n + 1, 1)}"
        header = []
        for col in cols:
            cell = WriteOnlyCell(ws, value=column_label(col, lang))
            cell.font, cell.fill, cell.alignment = head_font, head_fill, head_align
            header.append(cell)
        ws.append(header)
        met_j = cols.index("met") if "met" in cols else -1
        styled = [j for j, sh in enumerate(share) if sh] + ([met_j] if met_j >= 0 else [])
        for i in range(n):
            row = [values[j][i] for j in range(len(cols))]
            for j in styled:
                cell = WriteOnlyCell(ws, value=row[j])
                if share[j]:
                    cell.number_format = "0.0%"
                if j == met_j and isinstance(row[j], bool):
                    cell.fill = fills[row[j]]
                row[j] = cell
            ws.append(row)
    if not wb.sheetnames:
        wb.create_sheet("data")
    path = Path(path)
    wb.save(path)
    return path


# -- GeoJSON, GeoPackage ----------------------------------------------------------------------

def write_geojson(frame: pd.DataFrame, path: str | Path) -> Path:
    """GeoJSON (RFC 7946: WGS84 lon/lat), canonical column names, UTF-8."""
    path = Path(path)
    if path.exists():
        path.unlink()
    gdf = file_safe(points_frame(frame))
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def write_gpkg(layers: Mapping[str, pd.DataFrame], path: str | Path, *,
               append: bool = False) -> Path:
    """A GeoPackage with one layer per frame (EPSG:4326); tables without geometry or
    ``lon``/``lat`` are written as non-spatial (attribute) tables."""
    path = Path(path)
    if path.exists() and not append:
        path.unlink()
    for name, frame in layers.items():
        frame = file_safe(frame)
        spatial = isinstance(frame, gpd.GeoDataFrame) or {"lon", "lat"} <= set(frame)
        gdf = points_frame(frame) if spatial else None
        if gdf is not None and len(gdf) and gdf.geometry.notna().any():
            gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        else:
            pyogrio.write_dataframe(_plain(frame), path, layer=name, driver="GPKG")
    return path


# -- Shapefile --------------------------------------------------------------------------------

def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Column -> DBF field name: ASCII, at most 10 characters, unique (case-insensitively).

    >>> shapefile_field_names(["households", "hh_share_ftth", "Tên thôn đầy đủ"])
    {'households': 'households', 'hh_share_ftth': 'hh_share_f', 'Tên thôn đầy đủ': 'ten_thon_d'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = header_key(col)[:10] or "field"
        name, i = base, 1
        while name.lower() in used:
            suffix = str(i)
            name = base[: 10 - len(suffix)] + suffix
            i += 1
        used.add(name.lower())
        out[col] = name
    return out


def write_shapefile_zip(frame: pd.DataFrame, path: str | Path, *, layer: str | None = None
                        ) -> Path:
    """A zipped ESRI Shapefile (.shp .shx .dbf .prj .cpg) plus ``fields.csv``.

    ``fields.csv`` (UTF-8 with BOM) has one row per field: ``short`` (the DBF name),
    ``name`` (the full column name), ``label_vi``, ``label_en``. Text is stored in UTF-8 and
    the ``.cpg`` says so, so QGIS and ArcGIS read the diacritics right.
    """
    path = Path(path)
    layer = layer or path.stem
    gdf = file_safe(points_frame(frame))
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    mapping = shapefile_field_names(cols)
    shp = gdf.rename(columns=mapping)
    fields = pd.DataFrame({
        "short": [mapping[c] for c in cols],
        "name": cols,
        "label_vi": [column_label(c, "vi") for c in cols],
        "label_en": [column_label(c, "en") for c in cols],
    })
    with tempfile.TemporaryDirectory(prefix="gis-shp-") as tmp:
        target = Path(tmp) / f"{layer}.shp"
        shp.to_file(target, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
        cpg = target.with_suffix(".cpg")
        if not cpg.exists():
            cpg.write_text("UTF-8", encoding="ascii")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(Path(tmp).iterdir()):
                zf.write(f, f.name)
            buf = io.StringIO()
            fields.to_csv(buf, index=False)
            zf.writestr("fields.csv", ("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def read_shapefile_zip(path: str | Path) -> gpd.GeoDataFrame:
    """Read a zip written by :func:`write_shapefile_zip`, restoring full column names."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            shp = next(n for n in names if n.lower().endswith(".shp"))
            fields = (pd.read_csv(io.BytesIO(zf.read("fields.csv")), encoding="utf-8-sig",
                                  dtype=str) if "fields.csv" in names else None)
    except (OSError, zipfile.BadZipFile, StopIteration) as exc:
        raise InputFileError(
            f"Not a zipped shapefile: {exc or 'no .shp inside'}.",
            f"Không phải shapefile nén: {exc or 'không có .shp'}.",
            file=path,
            fix="Give the .zip written by the export (it holds .shp, .dbf, .shx, .prj).",
            fix_vi="Chọn tệp .zip do chức năng xuất tạo (gồm .shp, .dbf, .shx, .prj).",
        ) from exc
    gdf = gpd.read_file(f"/vsizip/{path.resolve()}/{shp}", engine="pyogrio", encoding="UTF-8")
    if fields is not None:
        gdf = gdf.rename(columns=dict(zip(fields["short"], fields["name"], strict=True)))
    return gdf


# -- KML / KMZ --------------------------------------------------------------------------------

_KML_NS = "http://www.opengis.net/kml/2.2"


def _coords(seq: np.ndarray) -> str:
    return " ".join(f"{x:.7f},{y:.7f}" for x, y in np.asarray(seq)[:, :2])


def _kml_geometry(parent: ET.Element, geom: object) -> None:
    if geom is None or shapely.is_empty(geom):
        return
    kind = shapely.get_type_id(geom)
    if kind == 0:  # Point
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coords(
            shapely.get_coordinates(geom))
    elif kind in (1, 2):  # LineString, LinearRing
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coords(shapely.get_coordinates(geom))
    elif kind == 3:  # Polygon
        poly = ET.SubElement(parent, "Polygon")
        ET.SubElement(poly, "tessellate").text = "1"
        outer = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(outer, "coordinates").text = _coords(
            shapely.get_coordinates(geom.exterior))
        for ring in geom.interiors:
            inner = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = _coords(shapely.get_coordinates(ring))
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in shapely.get_parts(geom):
            _kml_geometry(multi, part)


def _kml_text(v: object) -> str:
    v = _xlsx_value(v)
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _kml_tree(gdf: gpd.GeoDataFrame, *, lang: str, name: str, name_column: str | None,
              style_column: str | None, colors: Mapping[str, str],
              style_labels: Mapping[str, tuple[str, str]]) -> ET.ElementTree:
    ET.register_namespace("", _KML_NS)
    kml = ET.Element("kml", xmlns=_KML_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = name
    ET.SubElement(doc, "open").text = "1"
    li = 0 if lang == "vi" else 1
    for key, color in colors.items():
        style = ET.SubElement(doc, "Style", id=f"status_{key}")
        icon = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon, "color").text = color
        ET.SubElement(icon, "scale").text = "1.1"
        ET.SubElement(ET.SubElement(icon, "Icon"), "href").text = (
            "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")
        line = ET.SubElement(style, "LineStyle")
        ET.SubElement(line, "color").text = color
        ET.SubElement(line, "width").text = "3"
        poly = ET.SubElement(style, "PolyStyle")
        ET.SubElement(poly, "color").text = "80" + color[2:]
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    # One Schema declares the fields with their labels; placemarks carry SchemaData values.
    # Google Earth shows them as the balloon table (with the labels), GIS tools as attributes.
    schema = ET.SubElement(doc, "Schema", name="fields", id="fields")
    for c in cols:
        sf = ET.SubElement(schema, "SimpleField", name=str(c), type="string")
        ET.SubElement(sf, "displayName").text = column_label(c, lang)
    texts = {c: [_kml_text(v) for v in gdf[c].tolist()] for c in cols}
    geoms = gdf.geometry.to_numpy()
    names = texts.get(name_column) if name_column else None
    keys = (gdf[style_column].astype(object).where(gdf[style_column].notna(), "unknown")
            if style_column and style_column in gdf else pd.Series("", index=gdf.index))
    keys_arr = keys.to_numpy()
    order = [k for k in colors if (keys_arr == k).any()] + sorted(
        set(keys_arr) - set(colors), key=str)
    for key in order:
        pos = np.flatnonzero(keys_arr == key)
        folder = ET.SubElement(doc, "Folder")
        title = style_labels.get(key, (key, key))[li] if key else name
        ET.SubElement(folder, "name").text = f"{title} ({len(pos)})"
        for i in pos:
            pm = ET.SubElement(folder, "Placemark", id=f"pm_{gdf.index[i]}")
            ET.SubElement(pm, "name").text = names[i] if names is not None else str(gdf.index[i])
            if key in colors:
                ET.SubElement(pm, "styleUrl").text = f"#status_{key}"
            data = ET.SubElement(ET.SubElement(pm, "ExtendedData"), "SchemaData",
                                 schemaUrl="#fields")
            for c in cols:
                if texts[c][i] != "":
                    ET.SubElement(data, "SimpleData", name=str(c)).text = texts[c][i]
            _kml_geometry(pm, geoms[i])
    ET.indent(kml)
    return ET.ElementTree(kml)


def write_kml(frame: pd.DataFrame, path: str | Path, *, lang: str = "en", kmz: bool | None = None,
              name: str | None = None, name_column: str | None = "name",
              style_column: str | None = "status",
              colors: Mapping[str, str] | None = None,
              style_labels: Mapping[str, tuple[str, str]] | None = None) -> Path:
    """KML (or KMZ: zipped ``doc.kml``) that opens in Google Earth, styled by status.

    Parameters
    ----------
    frame
        Rows to write; geometry (any type) or ``lon``/``lat`` degrees.
    lang
        Language of the balloon table headers and folder names.
    kmz
        Zip into a KMZ; default: when ``path`` ends in ``.kmz``.
    name_column
        Column giving each placemark's name (default ``name``; the index when absent).
    style_column, colors, style_labels
        Column whose value picks the style and folder; value -> KML colour (aabbggrr) and
        value -> (vi, en) folder label. Defaults: the hamlet ``status`` with
        :data:`KML_STATUS_COLORS` and :data:`gis.labels.STATUS_LABELS`.
    """
    check_lang(lang)
    path = Path(path)
    kmz = path.suffix.lower() == ".kmz" if kmz is None else kmz
    gdf = file_safe(points_frame(frame))
    tree = _kml_tree(gdf, lang=lang, name=name or path.stem,
                     name_column=name_column if name_column in gdf else None,
                     style_column=style_column, colors=colors or KML_STATUS_COLORS,
                     style_labels=style_labels or STATUS_LABELS)
    buf = io.BytesIO()
    tree.write(buf, encoding="utf-8", xml_declaration=True)
    if kmz:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("doc.kml", buf.getvalue())
    else:
        path.write_bytes(buf.getvalue())
    return path


# -- coverage rasters as polygons by tier -------------------------------------------------------

#: Default coverage tiers (name, minimum signal in dBm): the 4G/5G defaults of
#: ``gis.radio.params.CoverageTiers`` (DOMAIN.md section 3 industry values: good ≥ -95 dBm,
#: fair ≥ -105 dBm, edge ≥ -110 dBm). Runs pass their own per-technology tiers.
DEFAULT_TIERS_DBM: tuple[tuple[str, float], ...] = (("good", -95.0), ("fair", -105.0),
                                                     ("edge", -110.0))

TIER_COLORS = {"good": "#1a9850", "fair": "#fee08b", "edge": "#fc8d59"}


def tier_polygons(raster: str | Path, *,
                  tiers_dbm: tuple[tuple[str, float], ...] = DEFAULT_TIERS_DBM,
                  simplify_cells: float = 1.0) -> gpd.GeoDataFrame:
    """Polygons of a best-RSRP raster (dBm) by coverage tier, dissolved per tier, in EPSG:4326.

    Each cell goes to the first tier (strongest first) whose minimum it reaches; cells below
    the last tier or without data get none. Uses :func:`rasterio.features.shapes` on the tier
    raster (one band, int16), so the polygons follow cell edges; the outlines are then
    simplified (Douglas-Peucker, topology preserved) by ``simplify_cells`` cells (default one
    cell, e.g. 30 m: well below what a plan reads, and it drops about three quarters of the
    staircase vertices, which keeps the KML light for Google Earth). ``0`` keeps cell edges.
    ``area_km2`` is always the exact area of the cells.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``tier``, ``rsrp_min_dbm``, ``area_km2`` and geometry; one row per tier present.
    """
    import rasterio
    from rasterio import features

    tiers = sorted(tiers_dbm, key=lambda t: -t[1])
    try:
        with rasterio.open(raster) as src:
            rsrp = src.read(1, masked=True).astype("float64").filled(np.nan)
            transform, crs = src.transform, src.crs
    except rasterio.errors.RasterioIOError as exc:
        raise InputFileError(f"Cannot read the raster: {exc}.", f"Không đọc được raster: {exc}.",
                             file=raster) from exc
    codes = np.zeros(rsrp.shape, dtype=np.int16)
    for i, (_, lo) in reversed(list(enumerate(tiers, start=1))):
        codes[np.isfinite(rsrp) & (rsrp >= lo)] = i
    pieces = list(features.shapes(codes, mask=codes > 0, transform=transform))
    if not pieces:
        return gpd.GeoDataFrame({"tier": [], "rsrp_min_dbm": [], "area_km2": []},
                                geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    geoms = np.array([shapely.geometry.shape(g) for g, _ in pieces], dtype=object)
    values = np.array([int(v) for _, v in pieces])
    # The pieces of one tier never overlap (each cell is in one piece), so a MultiPolygon of
    # them is the dissolved tier without a costly union.
    present = np.unique(values)
    merged = gpd.GeoSeries([shapely.multipolygons(geoms[values == c]) for c in present],
                           crs=crs)
    metric = merged
    if crs is None or not CRS(crs).is_projected:
        cx = float(np.mean(shapely.bounds(merged.to_crs(WGS84).to_numpy())[:, [0, 2]]))
        metric = merged.to_crs(analysis_crs_for_lon(cx))
    geometry = merged.to_numpy()
    if simplify_cells > 0:
        cell = min(abs(transform.a), abs(transform.e))
        geometry = shapely.simplify(geometry, simplify_cells * cell, preserve_topology=True)
    out = gpd.GeoDataFrame({
        "tier": [tiers[c - 1][0] for c in present],
        "rsrp_min_dbm": [tiers[c - 1][1] for c in present],
        "area_km2": np.round(shapely.area(metric.to_numpy()) / 1e6, 4),
    }, geometry=geometry, crs=crs)
    return out.to_crs(WGS84).reset_index(drop=True)


# -- one GeoPackage with every result of a run --------------------------------------------------

def write_results_gpkg(path: str | Path, *, hamlets: pd.DataFrame,
                       tables: Mapping[str, pd.DataFrame],
                       meta: Mapping[str, object] | None = None,
                       uncovered: pd.DataFrame | None = None) -> Path:
    """All results of a run in one GeoPackage: ``hamlets``, ``uncovered_hamlets``, each result
    table (spatial when it has geometry or lon/lat, otherwise a non-spatial table, e.g.
    ``indicators``) and ``run_meta`` (key, JSON value) so that the run can be re-exported
    without recomputing (:func:`read_results_gpkg`)."""
    layers: dict[str, pd.DataFrame] = {"hamlets": hamlets}
    if uncovered is not None:
        layers["uncovered_hamlets"] = uncovered
    for name, table in tables.items():
        if name in layers:
            continue
        layers[name] = table
    if meta:
        layers[META_LAYER] = pd.DataFrame({
            "key": list(meta),
            "value": [json.dumps(v, ensure_ascii=False, default=str) for v in meta.values()],
        })
    return write_gpkg(layers, path)


def read_results_gpkg(path: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """The layers of a ``results.gpkg`` (name -> frame) and its run metadata.

    Spatial layers come back as GeoDataFrames (EPSG:4326), the others as DataFrames.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"{path.name} not found: this folder holds no saved run.",
            f"Không tìm thấy {path.name}: thư mục này không có kết quả đã lưu.",
            file=path,
            fix="Give the output folder of 'python -m gis run'.",
            fix_vi="Chọn thư mục kết quả của 'python -m gis run'.",
        )
    frames: dict[str, pd.DataFrame] = {}
    meta: dict[str, object] = {}
    for name, geom_type in pyogrio.list_layers(path):
        if geom_type is None:
            df = pyogrio.read_dataframe(path, layer=name, read_geometry=False)
            if name == META_LAYER:
                meta = {k: json.loads(v) for k, v in zip(df["key"], df["value"], strict=True)}
                continue
            frames[name] = pd.DataFrame(df)
        else:
            frames[name] = gpd.read_file(path, layer=name, engine="pyogrio")
    return frames, meta


# -- one table in a chosen format ---------------------------------------------------------------

def export_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None, *,
                 lang: str = "en", layer: str | None = None) -> Path:
    """Write one table in ``fmt`` (one of :data:`FORMATS`; default from the file suffix)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"zip": "shp", "json": "geojson", "xls": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ValidationError(
            f"Unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}.",
            f"Định dạng xuất {fmt!r} không hợp lệ; chọn một trong: {', '.join(FORMATS)}.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(frame, path, lang=lang if lang == "vi" else None)
    if fmt == "xlsx":
        return write_xlsx({layer or path.stem: frame}, path, lang=lang)
    if fmt == "geojson":
        return write_geojson(frame, path)
    if fmt == "gpkg":
        return write_gpkg({layer or path.stem: frame}, path)
    if fmt == "shp":
        return write_shapefile_zip(frame, path, layer=layer)
    return write_kml(frame, path, lang=lang, kmz=fmt == "kmz")


def copy_raster(src: str | Path, dst: str | Path) -> Path:
    """Copy a GeoTIFF result as it is (the rasters are already GeoTIFF, dBm, float32)."""
    dst = Path(dst)
    if Path(src).resolve() != dst.resolve():
        shutil.copyfile(src, dst)
    return dst

