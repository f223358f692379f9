"""Writing results in the formats people hand on: CSV, XLSX, GeoJSON, GeoPackage, Shapefile, KML.

This module is the entry point of every export (:func:`export_table`, one table in any of
:data:`FORMATS`) and writes the tabular and GeoPackage formats itself; the other formats live in
their own modules: :mod:`gis.export.kml` (KML/KMZ styled by status), :mod:`gis.export.shapefile`
(zipped Shapefile with a field-name map) and :mod:`gis.export.tiers` (coverage rasters as
polygons by tier). The uncovered-hamlet list and the hamlet status are
:mod:`gis.analysis.status`.

Rules every writer follows:

* Output coordinates are WGS84 (EPSG:4326) longitude/latitude in degrees.
* CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese diacritics.
* Human-facing formats (XLSX, the KML balloon, CSV when ``lang`` is given) carry the column
  labels of :mod:`gis.labels` in the chosen language and the values as people read them
  (:func:`gis.locale.readable`: Có / Không, codes as words, whole counts as integers; in CSV
  decimals with the language's decimal mark, shares as percentages). GIS formats (GeoJSON,
  GeoPackage, Shapefile) keep the canonical snake_case names and values so that scripts, QGIS
  and the tool read them back (the Shapefile's ``fields.csv`` gives the labels).
* Nothing is dropped: rows without coordinates are written with empty geometries, lists are
  joined with ``"; "``, missing values become empty cells.
* CSV and XLSX cells of text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
  tab, CR first) get a leading ``'`` (:mod:`gis.export.safe_text`, OWASP CSV injection).
* Every file is written under a temporary name and renamed (:mod:`gis.atomic`).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from gis.analysis.frames import points_frame
from gis.atomic import write_atomic
from gis.errors import InputFileError, ValidationError
from gis.export.frames import cell_value, file_safe, plain
from gis.export.kml import write_kml
from gis.export.safe_text import neutralise, neutralise_frame
from gis.export.shapefile import write_shapefile_zip
from gis.labels import (
    check_lang,
    column_label,
    localise_columns,
)
from gis.locale import decimals_for, readable, share_rows

__all__ = [
    "FORMATS",
    "copy_raster",
    "export_table",
    "read_results_gpkg",
    "write_csv",
    "write_geojson",
    "write_gpkg",
    "write_results_gpkg",
    "write_xlsx",
]

#: Export formats of :func:`export_table` (and ``python -m gis export --format``).
FORMATS = ("csv", "xlsx", "geojson", "gpkg", "shp", "kml", "kmz")

#: Non-spatial metadata table in ``results.gpkg``.
META_LAYER = "run_meta"


# -- CSV, XLSX --------------------------------------------------------------------------------

def write_csv(frame: pd.DataFrame, path: str | Path, *, lang: str | None = None) -> Path:
    """CSV in UTF-8 with a BOM (Excel shows diacritics); geometry dropped (lon/lat stay).

    Headers and values are the canonical ones (a data file for scripts and ``gis compare``),
    or, when ``lang`` is given, the file a person opens: labels in ``lang`` and the values of
    :func:`gis.locale.readable` as text (no thousands separator: ``8.378`` in a CSV is read as
    8.378 by a spreadsheet set to English; the decimal mark is the language's).
    """
    path = Path(path)
    out = neutralise_frame(file_safe(plain(frame)))  # formula-like text gets a ' (numbers not)
    if lang is not None:
        out = localise_columns(readable(out, lang, text=True, grouping=False), lang)
    return write_atomic(path, lambda tmp: out.to_csv(tmp, index=False, encoding="utf-8-sig"))




def _number_format(col: str, values: list[object]) -> str | None:
    """The Excel number format of a numeric column: grouped integers, one decimal, degrees
    with six; Excel draws the separators of the reader's language (8.378 in Vietnamese)."""
    nums = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not nums:
        return None
    if all(isinstance(v, int) for v in nums):
        return "#,##0"
    digits = decimals_for(col)
    return "0." + "0" * digits if digits > 2 else "#,##0." + "0" * digits


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
    column widths fitted to the content (8-60 characters), the values as people read them
    (:func:`gis.locale.readable`: Có / Không, codes as words, counts as integers) with numbers
    kept as numbers, formatted (grouped integers, shares as percentages). Geometry columns are
    dropped (``lon``/``lat`` stay). An indicator table (``met`` column) gets green / red fills
    on met / not met.

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
        source = file_safe(plain(frame))
        met_flags = ([None if pd.isna(v) else bool(v) for v in source["met"].tolist()]
                     if "met" in source else None)
        data = neutralise_frame(readable(source, lang))
        cols = list(data.columns)
        n = len(data)
        values = [[cell_value(v) for v in data[c].tolist()] for c in cols]
        # decided on the canonical values: `readable` words the gap_unit in the language
        share_cells = [share_rows(source, c) for c in cols]
        share = [bool(sh.any()) for sh in share_cells]
        formats = [_number_format(c, vals) for c, vals in zip(cols, values, strict=True)]
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
            cell = WriteOnlyCell(ws, value=neutralise(column_label(col, lang)))
            cell.font, cell.fill, cell.alignment = head_font, head_fill, head_align
            header.append(cell)
        ws.append(header)
        met_j = cols.index("met") if "met" in cols and met_flags is not None else -1
        styled = sorted({j for j, (sh, f) in enumerate(zip(share, formats, strict=True))
                         if sh or f} | ({met_j} if met_j >= 0 else set()))
        for i in range(n):
            row = [values[j][i] for j in range(len(cols))]
            for j in styled:
                cell = WriteOnlyCell(ws, value=row[j])
                if share_cells[j][i]:
                    cell.number_format = "0.0%"
                elif formats[j] and isinstance(row[j], int | float) \
                        and not isinstance(row[j], bool):
                    cell.number_format = formats[j]
                flag = met_flags[i] if j == met_j else None
                if isinstance(flag, bool):
                    cell.fill = fills[flag]
                row[j] = cell
            ws.append(row)
    if not wb.sheetnames:
        wb.create_sheet("data")
    return write_atomic(path, wb.save)


# -- GeoJSON, GeoPackage

def write_geojson(frame: pd.DataFrame, path: str | Path) -> Path:
    """GeoJSON (RFC 7946: WGS84 lon/lat), canonical column names, UTF-8."""
    gdf = file_safe(points_frame(frame))
    return write_atomic(path, lambda tmp: gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio"))


def write_gpkg(layers: Mapping[str, pd.DataFrame], path: str | Path, *,
               append: bool = False) -> Path:
    """A GeoPackage with one layer per frame (EPSG:4326); tables without geometry or
    ``lon``/``lat`` are written as non-spatial (attribute) tables."""
    path = Path(path)

    def write(target: Path) -> None:
        if append and path.exists():
            shutil.copyfile(path, target)
        for name, frame in layers.items():
            if len(frame.columns) == 0:
                continue  # nothing to write (a run without hamlets): GPKG needs a field
            frame = file_safe(frame)
            spatial = isinstance(frame, gpd.GeoDataFrame) or {"lon", "lat"} <= set(frame)
            gdf = points_frame(frame) if spatial else None
            if gdf is not None and len(gdf) and gdf.geometry.notna().any():
                gdf.to_file(target, layer=name, driver="GPKG", engine="pyogrio")
            else:
                pyogrio.write_dataframe(plain(frame), target, layer=name, driver="GPKG")

    return write_atomic(path, write)


# -- one GeoPackage with every result of a run

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


# -- one table in a chosen format

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
        return write_csv(frame, path, lang=lang)
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
        write_atomic(dst, lambda tmp: shutil.copyfile(src, tmp))
    return dst
