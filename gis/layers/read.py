"""The one entry point for inputs: read any layer or raster file into its canonical form.

>>> from gis.layers.read import read_layer                         # doctest: +SKIP
>>> result = read_layer("thon.csv", "villages", province="Nam Định")  # doctest: +SKIP
>>> result.gdf, print(result.report.summary())                       # doctest: +SKIP

:func:`read_layer` reads one file (a path, a loose shapefile set, or uploaded bytes) of a known
kind; :func:`read_any` guesses the kind from the headers and geometry; :func:`load_project`
(in :mod:`gis.project`) reads a set of files into a project with them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import CRS

from gis.layers.canonical import canonical_layer
from gis.layers.conventions import kind_hint, prepare_table
from gis.layers.formats import kind_score, read_table
from gis.layers.rasters import RasterInfo, open_raster
from gis.layers.report import LoadReport
from gis.layers.schema import LAYER_SPECS, RASTER_KINDS, LayerKind, header_key
from gis.layers.sources import Source, Upload, display_name, materialise, scratch

__all__ = [
    "ReadResult",
    "Upload",
    "guess_kind",
    "list_layers",
    "read_any",
    "read_layer",
    "rows_of",
]

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


def read_layer(source: Source, kind: str, *, layer: str | None = None, crs: object = None,
               province: str | None = None, meridian: float | None = None,
               analysis_crs: CRS | str | None = None, workdir: str | Path | None = None,
               meridian_standard: str = "tt973", admin_level: str | None = None,
               axis_order: str = "auto") -> ReadResult:
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
    admin_level
        For an admin layer with several levels (GADM ``NAME_1..3``, OCHA ``ADM1..3``, ...):
        ``province``, ``district`` or ``commune``; default the finest
        (:func:`gis.layers.admin_levels.admin_table`).
    axis_order
        Which of a table's X / Y columns is which: ``"auto"`` (from the numbers, the
        default), ``"xy"`` (X = easting or longitude) or ``"yx"`` (X = northing or latitude,
        the VN-2000 convention); see :func:`gis.layers.coords.points_from_columns`.

    Returns
    -------
    ReadResult
        The canonical layer in the analysis CRS (one row per usable input row, in input order;
        ``source_row`` is the 1-based data row of the file) and the load report, or the
        validated raster.

    Raises
    ------
    InputFileError
        Missing, empty, unreadable, unsafe or unknown file.
    ValidationError
        Missing required column, wrong geometry type everywhere, duplicate ids, lat/lon
        swapped in some rows, negative counts.
    CRSError
        No CRS and none can be inferred, or no row lies in Vietnam.
    """
    t0 = time.perf_counter()
    if str(kind) in RASTER_KINDS:
        info, report = open_raster(source, str(kind), workdir=workdir)
        return ReadResult(str(kind), report, None, info)
    kind = str(LayerKind.parse(kind))
    spec = LAYER_SPECS[LayerKind(kind)]
    display = display_name(source)
    # uploads and extracted archives live in a scratch folder removed after the read
    with scratch(workdir) as wd:
        paths, _ = materialise(source, wd)
        raw = read_table(paths, display=display, kind=kind, layer=layer, workdir=wd)
    raw = prepare_table(raw, kind, admin_level=admin_level, display=display)
    gdf, report = canonical_layer(raw, spec, display=display, crs=crs, province=province,
                                  meridian=meridian, standard=meridian_standard,
                                  analysis_crs=analysis_crs, axis_order=axis_order)
    report.extra["seconds"] = round(time.perf_counter() - t0, 3)
    return ReadResult(kind, report, gdf, None)


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
        all_keys = set().union(*(c.keys() for c in spec.columns))
        s += 0.5 * len(keys & all_keys)  # how much of the file the kind explains
        if name:
            s += 1.5 * kind_score(Path(name).stem, kind.value)
        scores[kind.value] = s
    if not scores:
        return "villages"
    # tie-breaks that the aliases alone cannot make
    if "villages" in scores and keys & {"population", "dan_so", "so_ho", "households"}:
        scores["villages"] += 2.0
    if "admin" in scores and keys & {"ma_xa", "ma_dvhc", "admin_level", "cap_hanh_chinh"}:
        scores["admin"] += 2.0
    if "measurements" in scores and any("rsrp" in k for k in keys):  # no site file has one
        scores["measurements"] += 4.0
    if gtype == "Polygon" and "admin" in scores and "villages" in scores and \
            scores["admin"] == scores["villages"]:
        scores["admin"] += 0.5 if not keys & {"ten_thon", "thon"} else -0.5
    order = ["sites", "villages", "roads", "fiber", "fiber_nodes", "facilities", "admin", "zones",
             "measurements"]
    return max(scores, key=lambda k: (scores[k], -order.index(k)))


def read_any(source: Source, *, kind: str | None = None, layer: str | None = None,
             crs: object = None, province: str | None = None, meridian: float | None = None,
             analysis_crs: CRS | str | None = None, workdir: str | Path | None = None,
             admin_level: str | None = None, axis_order: str = "auto") -> ReadResult:
    """Read a file whose kind may be unknown: rasters by extension, layers by a published
    convention (:func:`gis.layers.conventions.kind_hint`) or :func:`guess_kind` (the report
    says the kind was guessed)."""
    if kind:
        return read_layer(source, kind, layer=layer, crs=crs, province=province,
                          meridian=meridian, analysis_crs=analysis_crs, workdir=workdir,
                          admin_level=admin_level, axis_order=axis_order)
    display = display_name(source)
    first = source if isinstance(source, str | Path | Upload) else next(iter(source), None)
    first_name = first.name if isinstance(first, Upload) else str(first or "")
    if Path(first_name).suffix.lower() in _RASTER_SUFFIXES:
        stem = header_key(Path(first_name).stem)
        rkind = ("population" if any(w in stem for w in ("pop", "dan_so", "danso")) else
                 "landcover" if any(w in stem for w in ("land", "cover", "clutter", "lop_phu"))
                 else "dem")
        result = read_layer(first, rkind, workdir=workdir)  # type: ignore[arg-type]
        result.report.warn(f"Raster kind guessed from the file name: {rkind}.",
                           f"Loại raster đoán theo tên tệp: {rkind}.")
        return result
    with scratch(workdir) as wd:
        paths, _ = materialise(source, wd)
        raw = read_table(paths, display=display, layer=layer, workdir=wd)
    geom_type = None
    if raw.has_geometry and len(raw.df):
        types = raw.df.geometry.dropna().geom_type
        geom_type = types.mode().iloc[0] if len(types) else None
    elif not raw.has_geometry:
        geom_type = "Point"
    columns = [str(c) for c in raw.df.columns if not raw.has_geometry or c != raw.df.geometry.name]
    guessed = kind_hint(columns) or guess_kind(columns, geom_type, name=display)
    raw = prepare_table(raw, guessed, admin_level=admin_level, display=display)
    spec = LAYER_SPECS[LayerKind(guessed)]
    gdf, report = canonical_layer(raw, spec, display=display, crs=crs, province=province,
                                  meridian=meridian, standard="tt973", analysis_crs=analysis_crs,
                                  axis_order=axis_order)
    report.warn(f"Layer kind guessed from the columns and geometry: {guessed} (give --kind to "
                "choose).",
                f"Loại lớp được đoán từ các cột và hình học: {guessed} (dùng --kind để chọn).")
    return ReadResult(guessed, report, gdf, None)


_RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc")


def list_layers(source: Source, *, workdir: str | Path | None = None) -> list[str]:
    """Names a user can choose among inside a file (for the app's layer picker).

    GeoPackage: its vector layers; XLSX: its sheets; zip: the layer files inside it (shapefile
    names, GeoPackages...). Formats with one layer give ``[]``.
    """
    with scratch(workdir) as wd:
        paths, _ = materialise(source, wd)
        return _layer_names(paths[0], display_name(source))


def _layer_names(path: Path, display: str) -> list[str]:
    import zipfile

    import pyogrio

    from gis.layers.archive import _ZIP_ERRORS, _corrupt

    suffix = path.suffix.lower()
    try:
        if suffix == ".gpkg":
            return [str(n) for n, g in pyogrio.list_layers(path) if g is not None]
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:
                return list(book.sheetnames)
            finally:
                book.close()
    except Exception as exc:  # pyogrio / openpyxl raise many kinds on damaged files
        from gis.layers.formats import _unreadable

        raise _unreadable(display, exc) from exc
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if "__MACOSX" not in n]
        except _ZIP_ERRORS as exc:
            raise _corrupt(display, None, exc) from exc
        return [Path(n).stem for n in names if Path(n).suffix.lower() in
                (".shp", ".gpkg", ".geojson", ".kml", ".csv", ".xlsx")]
    return []



def rows_of(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """0-based data rows of the source file for the rows of a canonical layer."""
    if "source_row" in gdf:
        return gdf["source_row"].to_numpy(dtype=int) - 1
    return np.arange(len(gdf))


