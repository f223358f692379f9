"""File formats: turn the files of one source into a raw table, before any column mapping.

Shapefile (a loose .shp/.shx/.dbf/.prj/.cpg set, or a .zip of it, with or without a folder
inside), GeoPackage (one layer picked), GeoJSON, KML/KMZ, CSV and XLSX. Vector formats give a
GeoDataFrame in the file's CRS (``None`` when the file does not say); CSV and XLSX give a plain
DataFrame of text cells whose coordinate columns :mod:`gis.layers.coords` turns into points.
"""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from gis.errors import InputFileError, ValidationError
from gis.layers.archive import safe_extract, unpack_dir
from gis.layers.encoding import (
    Decoded,
    decode_bytes,
    decode_values,
    fix_legacy_strings,
    is_text_column,
)
from gis.layers.kml import read_kml
from gis.layers.normalise import map_unique
from gis.layers.schema import header_key
from gis.layers.sources import ensure_workdir

__all__ = ["KIND_WORDS", "VECTOR_SUFFIXES", "RawTable", "kind_score", "read_table"]

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".csv", ".txt",
                   ".xlsx", ".xlsm", ".zip")
_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj")

#: Words in layer / file names that point to a layer kind (compared after header_key).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "villages": ("villages", "village", "hamlets", "hamlet", "thon", "thon_xom", "xom", "ap",
                 "ban", "ho_dan"),
    "sites": ("sites", "site", "bts", "tram", "tram_bts", "cell", "cells", "nodeb", "enodeb"),
    "fiber": ("fiber", "fibre", "cap_quang", "tuyen_cap", "cable", "cap"),
    "fiber_nodes": ("fiber_nodes", "nodes", "olt", "splitter", "tu_cap", "odf"),
    "roads": ("roads", "road", "duong", "giao_thong", "highway"),
    "facilities": ("facilities", "facility", "truong", "tram_y_te", "co_so", "poi"),
    "admin": ("admin", "communes", "commune", "xa", "ranh_gioi", "hanh_chinh", "boundary"),
}


@dataclass
class RawTable:
    """What a format reader found, before canonical mapping.

    ``df`` is a GeoDataFrame when the format carries geometry (``has_geometry``), else a
    DataFrame of text cells with coordinates in columns.
    """

    df: pd.DataFrame
    has_geometry: bool
    crs: CRS | None
    fmt: str
    encoding: str = ""
    layer: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: DBF field names that may have been cut at the format's 10-byte limit (the canonical
    #: mapping then matches them to an alias by prefix)
    cut_headers: tuple[str, ...] = ()


def kind_score(name: str, kind: str | None) -> int:
    """How well a layer / file name suggests ``kind``: 2 exact word, 1 contains one, 0 none."""
    if not kind:
        return 0
    key = header_key(name)
    words = KIND_WORDS.get(kind, (kind,))
    if key in words:
        return 2
    return 1 if any(w in key.split("_") or key.startswith(w) for w in words) else 0


def read_table(paths: list[Path], *, display: str, kind: str | None = None,
               layer: str | None = None, workdir: Path | None = None) -> RawTable:
    """Read the file(s) of one source into a :class:`RawTable`.

    Parameters
    ----------
    paths
        One file, or the files of a loose shapefile set.
    display
        The name to show in messages.
    kind
        The layer kind, used to pick a layer or a shapefile inside an archive by its name.
    layer
        Layer name inside a GeoPackage, shapefile name inside a zip, or sheet name of an XLSX.
    workdir
        Where archives are unpacked (a fresh temporary folder when ``None``).
    """
    if len(paths) > 1:
        return _read_shapefile_set(paths, display=display, workdir=workdir)
    path = paths[0]
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_folder(path, display=display, kind=kind, layer=layer, workdir=workdir)
    if path.stat().st_size == 0:
        raise InputFileError("The file is empty.", "Tệp rỗng.", file=display,
                             fix="Export the layer again.", fix_vi="Xuất lại lớp dữ liệu.")
    if suffix == ".zip":
        wd = ensure_workdir(workdir)
        folder = unpack_dir(path, wd)
        safe_extract(path, folder)
        return _read_folder(folder, display=display, kind=kind, layer=layer, workdir=wd)
    if suffix == ".kmz":
        wd = ensure_workdir(workdir)
        folder = unpack_dir(path, wd)
        safe_extract(path, folder)
        kmls = sorted(folder.rglob("*.kml"), key=lambda p: (p.name != "doc.kml", len(p.parts)))
        if not kmls:
            raise InputFileError("The KMZ holds no .kml file.", "Tệp KMZ không chứa tệp .kml.",
                                 file=display, fix="Re-save it from Google Earth.",
                                 fix_vi="Lưu lại tệp từ Google Earth.")
        gdf, enc = read_kml(kmls[0], display=display)
        return RawTable(gdf, True, CRS.from_epsg(4326), "KMZ", enc)
    if suffix == ".kml":
        gdf, enc = read_kml(path, display=display)
        return RawTable(gdf, True, CRS.from_epsg(4326), "KML", enc)
    if suffix == ".shp":
        return _read_shapefile_set([path], display=display, workdir=workdir)
    if suffix in (".dbf", ".shx", ".prj", ".cpg"):
        shp = path.with_suffix(".shp")
        if not shp.exists():
            raise _missing_part(display, ".shp")
        return _read_shapefile_set([shp], display=display, workdir=workdir)
    if suffix == ".gpkg":
        return _read_gpkg(path, display=display, kind=kind, layer=layer)
    if suffix in (".geojson", ".json"):
        return _read_ogr(path, display=display, fmt="GeoJSON")
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, display=display)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display=display, sheet=layer)
    if suffix == ".xls":
        raise InputFileError(
            "Old Excel 97-2003 (.xls) files are not read.",
            "Không đọc tệp Excel 97-2003 (.xls).", file=display,
            fix="Open it in Excel and save as .xlsx (or CSV UTF-8).",
            fix_vi="Mở bằng Excel và lưu thành .xlsx (hoặc CSV UTF-8).")
    raise InputFileError(
        f"Unknown file type {suffix or '(none)'}.",
        f"Không nhận ra loại tệp {suffix or '(không có đuôi)'}.", file=display,
        fix="Use Shapefile (.shp or .zip), GeoPackage, GeoJSON, KML/KMZ, CSV or XLSX.",
        fix_vi="Dùng Shapefile (.shp hoặc .zip), GeoPackage, GeoJSON, KML/KMZ, CSV hoặc XLSX.")


def _missing_part(display: str, part: str) -> InputFileError:
    return InputFileError(
        f"The shapefile has no {part} part.",
        f"Shapefile thiếu tệp {part}.", file=display,
        fix="Give all the files of the shapefile together (.shp, .shx, .dbf, .prj, .cpg), "
        "or a .zip of them.",
        fix_vi="Chọn đủ các tệp của shapefile (.shp, .shx, .dbf, .prj, .cpg), hoặc nén chúng "
        "thành .zip.")


def _read_folder(folder: Path, *, display: str, kind: str | None, layer: str | None,
                 workdir: Path | None) -> RawTable:
    files = [p for p in folder.rglob("*") if p.is_file() and "__MACOSX" not in p.parts
             and not p.name.startswith("._")]
    shps = [p for p in files if p.suffix.lower() == ".shp"]
    others = [p for p in files if p.suffix.lower() in (".gpkg", ".geojson", ".json", ".kml",
                                                       ".csv", ".xlsx")]
    candidates = shps or others
    if not candidates:
        raise InputFileError(
            "The archive holds no layer file (.shp, .gpkg, .geojson, .kml, .csv, .xlsx).",
            "Tệp nén không chứa lớp dữ liệu nào (.shp, .gpkg, .geojson, .kml, .csv, .xlsx).",
            file=display, fix="Zip the layer's files themselves.",
            fix_vi="Nén chính các tệp của lớp dữ liệu.")
    if len(candidates) > 1:
        names = [p.stem for p in candidates]
        chosen = [p for p in candidates if layer and p.stem == layer]
        if not chosen and kind:
            scored = sorted(((kind_score(p.stem, kind), p) for p in candidates),
                            key=lambda t: -t[0])
            if scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
                chosen = [scored[0][1]]
        if not chosen:
            raise InputFileError(
                f"The archive holds several layers: {', '.join(names)}; which one is meant?",
                f"Tệp nén có nhiều lớp: {', '.join(names)}; cần chọn một lớp.",
                file=display,
                fix="Give the layer name (CLI: --layer NAME), or zip one layer per file.",
                fix_vi="Chọn tên lớp (CLI: --layer TÊN), hoặc nén mỗi lớp một tệp.")
        candidates = chosen
    inner = candidates[0]
    raw = read_table([inner], display=display, kind=kind, layer=layer if not shps else None,
                     workdir=workdir)
    raw.layer = raw.layer or inner.stem
    return raw


def _read_shapefile_set(paths: list[Path], *, display: str, workdir: Path | None) -> RawTable:
    shps = [p for p in paths if p.suffix.lower() == ".shp"]
    if not shps:
        raise _missing_part(display, ".shp")
    if len(shps) > 1:
        raise InputFileError(
            f"Several shapefiles were given together: {', '.join(p.name for p in shps)}.",
            f"Chọn nhiều shapefile cùng lúc: {', '.join(p.name for p in shps)}.",
            file=display, fix="Load one layer at a time.", fix_vi="Nạp từng lớp một.")
    shp = shps[0]
    parts = {p.suffix.lower(): p for p in paths}
    # the parts of a loose set may sit in different folders, or carry different stems
    # (uploads): gather them next to each other under the .shp's stem
    siblings = {s: shp.with_suffix(s) for s in _SHP_PARTS}
    needs_copy = any(s in parts and parts[s] != siblings[s] for s in parts if s in _SHP_PARTS)
    if needs_copy:
        wd = ensure_workdir(workdir) / (shp.stem + "_set")
        wd.mkdir(parents=True, exist_ok=True)
        for s, p in parts.items():
            if s in _SHP_PARTS:
                shutil.copyfile(p, wd / (shp.stem + s))
        shp = wd / (shp.stem + ".shp")
    for part in (".dbf",):
        if not shp.with_suffix(part).exists() and not shp.with_suffix(part.upper()).exists():
            raise _missing_part(display, part)
    notes: list[tuple[str, str]] = []
    restore_shx = (not shp.with_suffix(".shx").exists()
                   and not shp.with_suffix(".SHX").exists())
    if restore_shx:
        notes.append(("The .shx index was missing and was rebuilt from the .shp.",
                      "Thiếu tệp chỉ mục .shx, đã dựng lại từ .shp."))
    cpg_path = shp.with_suffix(".cpg")
    cpg = cpg_path.read_text(errors="replace").strip() if cpg_path.exists() else None
    try:
        # A missing .shx is rebuilt by GDAL (reported above). The option is process-wide in
        # GDAL, so it is set for this read only: left on, it makes GDAL try to write a .shx
        # next to any later shapefile read, which fails inside zips.
        if restore_shx:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": "YES"})
        gdf = pyogrio.read_dataframe(shp, encoding="latin1")
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _unreadable(display, exc) from exc
    finally:
        if restore_shx:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": None})
    prj = shp.with_suffix(".prj")
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    encoding, cut = _decode_frame(gdf, cpg)
    if cpg:
        encoding = f"{encoding} (.cpg says {cpg})"
    if crs is None and not prj.exists():
        notes.append(("The shapefile has no .prj file.", "Shapefile không có tệp .prj."))
    return RawTable(gdf, True, crs, "Shapefile", encoding, shp.stem, notes, cut)


def _unreadable(display: str, exc: Exception) -> InputFileError:
    why = str(exc).rstrip(". ") or type(exc).__name__
    return InputFileError(
        f"Cannot read this file: {why}.", f"Không đọc được tệp: {why}.", file=display,
        fix="Open it in QGIS to check it, or export it again.",
        fix_vi="Mở bằng QGIS để kiểm tra, hoặc xuất lại tệp.")


#: Longest DBF field name, in bytes (dBASE III/IV: 11 bytes, NUL-terminated).
DBF_NAME_BYTES = 10


def _trim_partial_utf8(raw: bytes) -> tuple[bytes, bool]:
    """``raw`` without a UTF-8 sequence cut at its end (a DBF name cut at 10 bytes in the middle
    of a letter), and whether one was cut."""
    for n in (1, 2, 3):
        if len(raw) < n:
            break
        lead = raw[-n]
        if lead >= 0xC0:  # a lead byte: is its sequence complete?
            need = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            return (raw[:-n], True) if need > n else (raw, False)
        if not 0x80 <= lead < 0xC0:
            break
    return raw, False


def _decode_frame(df: pd.DataFrame, declared: str | None) -> tuple[str, tuple[str, ...]]:
    """Decode the text columns and headers of a DBF read as Latin-1, in place.

    One encoding is detected for the whole file (values and field names together; a ``.cpg``
    applies to both) and applied to each distinct value. Field names cut at the 10-byte DBF
    limit in the middle of a UTF-8 letter lose the partial letter instead of spoiling the
    detection. Returns the label for the load report and the decoded field names that may be
    cut (10 bytes long, or a partial letter removed).
    """
    geom = df.geometry.name
    cols = [c for c in df.columns if c != geom and is_text_column(df[c])]
    header_raw: dict[str, bytes] = {}
    header_cut: dict[str, bool] = {}
    for c in df.columns:
        if c == geom or not isinstance(c, str):
            continue
        try:
            raw = c.encode("latin-1")
        except UnicodeEncodeError:
            continue
        trimmed, partial = _trim_partial_utf8(raw)
        header_raw[c] = trimmed
        header_cut[c] = partial or len(raw) >= DBF_NAME_BYTES
    uniques: dict[bytes, None] = {}
    for c in cols:
        for v in pd.unique(df[c].dropna()):
            if isinstance(v, str) and not v.isascii():
                uniques.setdefault(v.encode("latin-1", errors="replace"), None)
    for raw in header_raw.values():
        if not raw.isascii():
            uniques.setdefault(raw, None)
    if not uniques:
        cut = tuple(c for c, flag in header_cut.items() if flag)
        return "ASCII", cut
    keys = list(uniques)
    texts, enc = decode_values(keys, declared=declared)
    table = dict(zip(keys, texts, strict=True))
    for c in cols:
        df[c] = map_unique(df[c].to_numpy(dtype=object),
                           lambda v: table.get(v.encode("latin-1", errors="replace"), v)
                           if isinstance(v, str) and not v.isascii() else v)
    names = {c: unicodedata.normalize("NFC", table.get(raw, raw.decode("latin-1")))
             for c, raw in header_raw.items()}
    df.columns = [names.get(c, c) if isinstance(c, str) else c for c in df.columns]
    cut = tuple(names[c] for c, flag in header_cut.items() if flag)
    return Decoded("", enc).label, cut


def _check_part(name: str | None, names: list[str], *, display: str, en: tuple[str, str],
                vi: tuple[str, str]) -> None:
    """Raise unless the asked part (layer, sheet) ``name`` is one of the file's ``names``.

    ``en`` and ``vi`` are (the file, its part) in each language, e.g. ("workbook", "sheet");
    None asks for no part in particular.
    """
    if name is None or name in names:
        return
    listed = ", ".join(names)
    raise ValidationError(
        f"The {en[0]} has no {en[1]} {name!r}; its {en[1]}s: {listed}.",
        f"{vi[0]} không có {vi[1]} {name!r}; các {vi[1]} có: {listed}.",
        file=display, fix=f"Choose one of the {en[1]}s listed.",
        fix_vi=f"Chọn một trong các {vi[1]} đã liệt kê.")


def _read_gpkg(path: Path, *, display: str, kind: str | None, layer: str | None) -> RawTable:
    try:
        layers = [str(n) for n, g in pyogrio.list_layers(path) if g is not None]
    except Exception as exc:
        raise _unreadable(display, exc) from exc
    if not layers:
        raise InputFileError("The GeoPackage holds no vector layer.",
                             "GeoPackage không chứa lớp vector nào.", file=display)
    _check_part(layer, layers, display=display, en=("GeoPackage", "layer"),
                vi=("GeoPackage", "lớp"))
    if layer is None:
        if len(layers) == 1:
            layer = layers[0]
        else:
            scored = sorted(((kind_score(n, kind), n) for n in layers), key=lambda t: -t[0])
            if scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
                layer = scored[0][1]
            else:
                raise ValidationError(
                    f"The GeoPackage has several layers: {', '.join(layers)}; which one is "
                    "meant?",
                    f"GeoPackage có nhiều lớp: {', '.join(layers)}; cần chọn một lớp.",
                    file=display, fix="Give the layer name (CLI: --layer NAME).",
                    fix_vi="Chọn tên lớp (CLI: --layer TÊN).")
    raw = _read_ogr(path, display=display, fmt="GeoPackage", layer=layer)
    raw.layer = layer
    return raw


def _read_ogr(path: Path, *, display: str, fmt: str, layer: str | None = None) -> RawTable:
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise _unreadable(display, exc) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf, geometry=gpd.GeoSeries([None] * len(gdf)))
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    enc = "UTF-8"
    for col in [c for c in gdf.columns if c != gdf.geometry.name and is_text_column(gdf[c])]:
        values, e = fix_legacy_strings(gdf[col].tolist())
        if e != "utf-8":
            gdf[col] = values
            enc = Decoded("", e).label
    return RawTable(gdf, True, crs, fmt, enc)


_WKT_HEADERS = {"wkt", "geometry", "geom", "the_geom", "shape", "hinh_hoc", "wkt_geom"}
_WKT_START = r"^\s*(?:SRID=\d+;)?\s*(?:MULTI)?(?:POINT|LINESTRING|POLYGON)\b"


def _with_wkt_geometry(raw: RawTable) -> RawTable:
    """A table with a WKT column (QGIS "Save as CSV" with GEOMETRY=AS_WKT) becomes a layer."""
    df = raw.df
    col = next((c for c in df.columns if header_key(c) in _WKT_HEADERS), None)
    if col is None:
        return raw
    text = df[col].astype("string").str.strip()
    looks = text.str.contains(_WKT_START, case=False, regex=True).fillna(False).to_numpy(bool)
    if not looks.any():
        return raw
    wkt = text.str.replace(r"^\s*SRID=\d+;", "", regex=True).where(looks, None)
    geoms = shapely.from_wkt(wkt.to_numpy(dtype=object, na_value=None), on_invalid="ignore")
    gdf = gpd.GeoDataFrame(df.drop(columns=col), geometry=gpd.GeoSeries(geoms))
    notes = [*raw.notes, (f"Geometries were read from the WKT column {col!r}.",
                          f"Hình học được đọc từ cột WKT {col!r}.")]
    return RawTable(gdf, True, None, raw.fmt, raw.encoding, raw.layer, notes)


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in (";", "\t", ",", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_csv(path: Path, *, display: str) -> RawTable:
    decoded = decode_bytes(path.read_bytes())
    text = decoded.text
    if not text.strip():
        raise InputFileError("The file is empty.", "Tệp rỗng.", file=display)
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delim, text = first.strip()[4], rest  # Excel's "sep=;" hint line
    else:
        delim = _sniff_delimiter(text)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                         skipinitialspace=True, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise _unreadable(display, exc) from exc
    df = df.replace({"": None})
    # trailing blank lines are not data; blank lines in between stay (and are reported) so that
    # row numbers match the file's
    filled = df.notna().any(axis=1).to_numpy()
    df = df.iloc[: (np.flatnonzero(filled)[-1] + 1) if filled.any() else 0]
    df.columns = [str(c).strip() for c in df.columns]
    name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[delim]
    return _with_wkt_geometry(RawTable(df, False, None, f"CSV ({name}-separated)",
                                       decoded.label))


def _unique_headers(headers: list[str]) -> list[str]:
    """Repeated headers get ``.1``, ``.2``... as pandas does for CSV (``ten_thon``,
    ``ten_thon.1``), so that every column can be told apart and reported."""
    seen: dict[str, int] = {}
    out = []
    taken = set(headers)
    for h in headers:
        if h in seen:
            n = seen[h]
            while f"{h}.{n}" in taken:
                n += 1
            seen[h] = n + 1
            out.append(f"{h}.{n}")
            taken.add(f"{h}.{n}")
        else:
            seen[h] = 1
            out.append(h)
    return out


def _read_xlsx(path: Path, *, display: str, sheet: str | None) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl / zipfile / XML errors of a damaged workbook
        raise _unreadable(display, exc) from exc
    try:
        sheets = [str(s) for s in book.sheetnames]
        _check_part(sheet, sheets, display=display, en=("workbook", "sheet"),
                    vi=("Tệp Excel", "trang"))
        if not sheets:
            raise InputFileError("The workbook has no sheet.", "Tệp Excel không có trang nào.",
                                 file=display)
        name = sheet if sheet is not None else sheets[0]
        try:
            # cell values as Excel stores them (text stays text, formulas give their cached
            # value): nothing is converted or evaluated on the way
            rows = [list(r) for r in book[name].iter_rows(values_only=True)]
        except Exception as exc:
            raise _unreadable(display, exc) from exc
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    grid = grid.where(grid.map(lambda v: not (isinstance(v, str) and v == "")), None) \
        if len(grid) else grid
    grid = grid.dropna(axis=1, how="all")
    filled = grid.notna().any(axis=1).to_numpy()
    grid = grid.iloc[: (np.flatnonzero(filled)[-1] + 1) if filled.any() else 0]
    if grid.empty:
        raise InputFileError(f"The sheet {name!r} is empty.", f"Trang {name!r} trống.",
                             file=display)
    # the header is the first row with at least two text cells (title rows are skipped)
    header_row = 0
    for i in range(min(10, len(grid))):
        row = grid.iloc[i]
        if sum(isinstance(v, str) and v.strip() != "" for v in row) >= 2:
            header_row = i
            break
    header = _unique_headers([str(v).strip() if v is not None and str(v) != "nan"
                              and str(v).strip() else f"column_{j + 1}"
                              for j, v in enumerate(grid.iloc[header_row])])
    df = grid.iloc[header_row + 1:].copy()
    df.columns = header
    # blank rows between data rows stay (and are reported) so that row numbers match Excel's
    df = df.reset_index(drop=True)
    first_data_excel_row = header_row + 2
    df = df.astype(object).where(df.notna(), None)
    enc = "XLSX (Unicode)"
    for col in df.columns:
        values, e = fix_legacy_strings(df[col].tolist())
        if e != "utf-8":
            df[col] = values
            enc = Decoded("", e).label
    notes = []
    if header_row:
        notes.append((f"{header_row} title row(s) above the header were skipped: row 1 of the "
                      f"data is row {first_data_excel_row} of the sheet.",
                      f"Bỏ qua {header_row} dòng tiêu đề phía trên dòng tên cột: dòng 1 của dữ "
                      f"liệu là dòng {first_data_excel_row} của trang tính."))
    return _with_wkt_geometry(RawTable(df, False, None, f"XLSX (sheet {name!r})", enc, name,
                                       notes))
