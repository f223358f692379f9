"""Raster inputs (DEM, population, land cover): validated on open, read by windows.

A province-sized DEM at 30 m is a few hundred million cells; analyses need only the part around
their sites. :func:`open_raster` therefore checks a raster from its header and from a decimated
read (at most :data:`CHECK_CELLS` cells), and :func:`read_window` reads only the cells under the
requested bounds, reprojecting on the fly through a :class:`rasterio.vrt.WarpedVRT` when the
raster's CRS differs from the analysis CRS.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from rasterio._err import CPLE_BaseError
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window, from_bounds

from gis.atomic import write_atomic
from gis.errors import CRSError, InputFileError, ValidationError
from gis.layers.report import LoadReport
from gis.layers.schema import RASTER_KINDS
from gis.layers.sources import Source, Upload, display_name, keep_dir, materialise, scratch

__all__ = [
    "CHECK_CELLS",
    "COG_OVERVIEW_MIN_CELLS",
    "DEM_RANGE_M",
    "MAX_BLOCK_BYTES",
    "MAX_RASTER_BYTES",
    "MAX_RASTER_CELLS",
    "SAMPLE_WINDOWS",
    "VIETNAM_BOUNDS",
    "RasterChecks",
    "RasterInfo",
    "cog_copy",
    "open_raster",
    "read_window",
    "write_geotiff",
]

#: Plausible terrain heights in Vietnam (m): the lowest delta land is a few metres below sea
#: level, the highest summit (Fansipan) is 3 143 m; the margins allow for DSM noise.
DEM_RANGE_M = (-100.0, 3200.0)

#: lon/lat box around Vietnam's mainland and islands (degrees), used for plausibility checks.
VIETNAM_BOUNDS = (102.0, 8.0, 117.9, 23.5)

#: Cells read (decimated) to check values on open: enough for shares to the 0.1 % level.
CHECK_CELLS = 1_000_000

#: Windows sampled to check a large raster without overviews (64 x 128 x 128 = 1M cells).
SAMPLE_WINDOWS = 64

#: Most cells a raster may declare: Vietnam's lon/lat box (15.9 x 15.5 degrees) at 1 arc-second
#: (~30 m, the SRTM / Copernicus GLO-30 grid) is 3.2 billion cells; 5 billion leaves room.
MAX_RASTER_CELLS = 5_000_000_000

#: Most uncompressed bytes a raster may declare (cells x bands x bytes per cell): 5 billion
#: float32 cells.
MAX_RASTER_BYTES = 20_000_000_000

#: Largest block (tile or strip) GDAL would have to decompress in one piece, in bytes: GDAL
#: reads whole blocks, so a file declaring one strip of 10^6 x 10^6 cells would allocate it at
#: the first read. Ordinary GeoTIFFs have 256 x 256 tiles or strips of a few rows (kilobytes).
MAX_BLOCK_BYTES = 256 * 1024**2

#: Nodata sentinels seen in DEM products (SRTM -32768, ArcGIS -9999, float32 lowest, ...).
_SENTINELS = (-32768.0, -32767.0, -9999.0, -3.4028234663852886e38, 32767.0, 65535.0)

@dataclass(frozen=True)
class RasterChecks:
    """How rasters are checked on open.

    Attributes
    ----------
    dem_range_m
        Plausible DEM heights (m); default :data:`DEM_RANGE_M`, from the lowest delta land to
        above Fansipan (3 143 m).
    check_cells
        Cells read at most (decimated, through overviews) to check values; default
        :data:`CHECK_CELLS`, enough for shares to the 0.1 % level. Rasters of up to four times
        this are read whole.
    sample_windows
        Windows of 128 x 128 cells sampled on a grid when a large raster has no overviews;
        default :data:`SAMPLE_WINDOWS` (a perfect square).
    max_cells, max_bytes, max_block_bytes
        Largest size a raster may declare in its header (cells; uncompressed bytes of all
        bands; bytes of one block), checked before any cell is read; defaults
        :data:`MAX_RASTER_CELLS`, :data:`MAX_RASTER_BYTES`, :data:`MAX_BLOCK_BYTES`.
    """

    dem_range_m: tuple[float, float] = DEM_RANGE_M
    check_cells: int = CHECK_CELLS
    sample_windows: int = SAMPLE_WINDOWS
    max_cells: int = MAX_RASTER_CELLS
    max_bytes: int = MAX_RASTER_BYTES
    max_block_bytes: int = MAX_BLOCK_BYTES

    def __post_init__(self) -> None:
        lo, hi = self.dem_range_m
        if not lo < hi or min(self.check_cells, self.sample_windows, self.max_cells,
                              self.max_bytes, self.max_block_bytes) < 1:
            raise ValidationError(
                f"Invalid raster checks {self}: need dem_range_m low < high and positive "
                "counts and limits.",
                f"Tham số kiểm tra raster không hợp lệ {self}: cần dem_range_m thấp < cao và "
                "số lượng, giới hạn dương.")


_RESAMPLING = {
    "nearest": Resampling.nearest,
    "bilinear": Resampling.bilinear,
    "cubic": Resampling.cubic,
    "average": Resampling.average,
    "mode": Resampling.mode,
    "sum": Resampling.sum,
    "max": Resampling.max,
    "min": Resampling.min,
}


@dataclass(frozen=True)
class RasterInfo:
    """A validated raster file.

    Attributes
    ----------
    path
        The GeoTIFF (or other GDAL raster) on disk; it stays there and is read by windows.
    kind
        ``"dem"`` (metres above sea level), ``"population"`` (people per cell) or
        ``"landcover"`` (class codes).
    crs
        The raster's own CRS.
    transform
        Pixel -> CRS coordinates (top-left corner convention).
    width, height
        Size in cells.
    nodata
        The nodata value, or ``None`` when the file declares none.
    res_m
        Mean cell size in metres (converted from degrees at the raster's centre latitude for
        geographic rasters).
    bounds
        ``(left, bottom, right, top)`` in the raster's CRS.
    """

    path: Path
    kind: str
    crs: CRS
    transform: Affine
    width: int
    height: int
    nodata: float | None
    res_m: float
    bounds: tuple[float, float, float, float]

    def bounds_in(self, crs: CRS | str) -> tuple[float, float, float, float]:
        """The raster's bounds transformed to ``crs`` (densified edges)."""
        t = Transformer.from_crs(self.crs, CRS.from_user_input(crs), always_xy=True)
        return tuple(t.transform_bounds(*self.bounds, densify_pts=21))  # type: ignore[return-value]


def _res_m(crs: CRS, transform: Affine, bounds: tuple[float, float, float, float]) -> float:
    rx, ry = abs(transform.a), abs(transform.e)
    if crs.is_geographic:
        lat = math.radians((bounds[1] + bounds[3]) / 2.0)
        return float((rx * 111_320.0 * math.cos(lat) + ry * 110_574.0) / 2.0)
    factor = 1.0
    if crs.axis_info:
        factor = float(crs.axis_info[0].unit_conversion_factor or 1.0)
    return float((rx + ry) / 2.0 * factor)


def open_raster(path: Source, kind: str, *, workdir: str | Path | None = None,
                checks: RasterChecks | None = None) -> tuple[RasterInfo, LoadReport]:
    """Open and validate a raster of ``kind`` without reading it whole.

    Checks: the file opens; it has a CRS (else :class:`CRSError` with the fix); it lies in
    Vietnam; nodata is declared (else a warning, and a likely sentinel such as -32768 is named);
    values are plausible for the kind (DEM within :data:`DEM_RANGE_M` metres, population
    non-negative); the share of nodata cells is reported. Values are checked on a decimated read
    of at most :data:`CHECK_CELLS` cells, which the report says.

    Parameters
    ----------
    path
        A raster path, or an :class:`~gis.layers.sources.Upload` (written inside ``workdir``).
    kind
        ``"dem"``, ``"population"`` or ``"landcover"``.
    workdir
        Folder for uploads; a fresh temporary folder when ``None``.
    checks
        Thresholds of the checks (default :class:`RasterChecks`).

    Returns
    -------
    info, report
    """
    checks = checks or RasterChecks()
    if kind not in RASTER_KINDS:
        raise ValidationError(
            f"Unknown raster kind {kind!r}; valid: {', '.join(RASTER_KINDS)}.",
            f"Loại raster {kind!r} không hợp lệ; hợp lệ: {', '.join(RASTER_KINDS)}.",
        )
    name = display_name(path)
    items = [path] if isinstance(path, str | Path | Upload) else list(path)
    uploaded = any(isinstance(i, Upload) for i in items)
    with scratch(workdir) as wd:
        paths, _ = materialise(path, wd)
        file = paths[0]
        if file.suffix.lower() == ".zip":
            file = _raster_in_zip(file, wd, name, keep=keep_dir(workdir))
            uploaded = True
        elif uploaded:
            _refuse_vrt(file, name)
            kept = keep_dir(workdir) / file.name
            shutil.move(file, kept)
            file = kept
    report = LoadReport(source=name, kind=kind)
    try:
        src = rasterio.open(file)
    except (RasterioError, CPLE_BaseError) as exc:
        raise InputFileError(
            f"Cannot read this raster: {exc}.",
            f"Không đọc được tệp raster này: {exc}.",
            file=name,
            fix="Give a GeoTIFF (.tif) with one band.",
            fix_vi="Dùng tệp GeoTIFF (.tif) có một kênh.",
        ) from exc
    with src:
        _check_size(src, name, checks)
        if src.crs is None:
            raise CRSError(
                "The raster has no coordinate reference system.",
                "Tệp raster không có hệ toạ độ.",
                file=name,
                fix="Assign one in QGIS (Raster > Projections > Assign Projection, e.g. "
                "EPSG:32648 or EPSG:4326) or with 'gdal_edit.py -a_srs EPSG:32648 FILE'.",
                fix_vi="Gán hệ toạ độ trong QGIS (Raster > Projections > Assign Projection, ví "
                "dụ EPSG:32648 hoặc EPSG:4326) hoặc bằng 'gdal_edit.py -a_srs EPSG:32648 FILE'.",
            )
        try:
            crs = CRS.from_user_input(src.crs.to_wkt())
        except Exception as exc:  # pyproj.CRSError and friends on a garbled definition
            raise CRSError(
                f"The raster's coordinate reference system cannot be read: {exc}.",
                f"Không đọc được hệ toạ độ của raster: {exc}.", file=name,
                fix="Assign it again (gdal_edit.py -a_srs EPSG:32648 FILE).",
                fix_vi="Gán lại hệ toạ độ (gdal_edit.py -a_srs EPSG:32648 FILE).") from exc
        bounds = tuple(float(v) for v in src.bounds)
        info = RasterInfo(
            path=Path(file), kind=kind, crs=crs, transform=src.transform, width=src.width,
            height=src.height, nodata=None if src.nodata is None else float(src.nodata),
            res_m=_res_m(crs, src.transform, bounds), bounds=bounds,  # type: ignore[arg-type]
        )
        report.crs_in = crs.name
        report.crs_note, report.crs_note_vi = "read from the file", "đọc từ tệp"
        report.rows_read = report.rows_loaded = src.width * src.height
        if src.count > 1:
            report.warn(f"The raster has {src.count} bands; only band 1 is used.",
                        f"Raster có {src.count} kênh; chỉ dùng kênh 1.")
        _check_extent(info, name)
        try:
            _check_values(src, info, report, name, checks)
        except (RasterioError, CPLE_BaseError, MemoryError) as exc:
            raise _damaged(name, exc) from exc
    report.extra.update({
        "width": info.width, "height": info.height, "res_m": round(info.res_m, 2),
        "bounds": list(info.bounds), "nodata": info.nodata,
    })
    return info, report


def _damaged(name: str, exc: BaseException) -> InputFileError:
    return InputFileError(
        f"The raster's cells cannot be read (the file is damaged or truncated): "
        f"{type(exc).__name__}: {str(exc).rstrip('. ')}.",
        f"Không đọc được các ô của raster (tệp bị hỏng hoặc thiếu phần cuối): "
        f"{type(exc).__name__}: {str(exc).rstrip('. ')}.",
        file=name,
        fix="Copy or download the file again, or re-save it (gdal_translate IN.tif OUT.tif).",
        fix_vi="Chép hoặc tải lại tệp, hoặc lưu lại (gdal_translate VAO.tif RA.tif).")


def _refuse_vrt(file: Path, name: str) -> None:
    """An uploaded VRT is refused: it can point GDAL at any file of the server or any URL."""
    if file.suffix.lower() == ".vrt":
        raise InputFileError(
            "A VRT cannot be uploaded: it names other files (or web addresses) that the server "
            "would open.",
            "Không nhận tệp VRT tải lên: nó trỏ tới tệp khác (hoặc địa chỉ web) mà máy chủ sẽ mở.",
            file=name, fix="Upload a GeoTIFF (gdal_translate IN.vrt OUT.tif).",
            fix_vi="Tải lên tệp GeoTIFF (gdal_translate VAO.vrt RA.tif).")


def _check_size(src: rasterio.io.DatasetReader, name: str, checks: RasterChecks) -> None:
    """Refuse a raster whose header declares more than the limits, before any cell is read."""
    cells = int(src.width) * int(src.height)
    nbytes = cells * sum(np.dtype(d).itemsize for d in src.dtypes)
    bh, bw = src.block_shapes[0] if src.block_shapes else (0, 0)
    block = int(bw) * int(bh) * np.dtype(src.dtypes[0]).itemsize if src.count else 0
    what = None
    if cells > checks.max_cells:
        what = (f"{src.width:,} x {src.height:,} = {cells:,} cells (limit {checks.max_cells:,})",
                f"{src.width:,} x {src.height:,} = {cells:,} ô (giới hạn {checks.max_cells:,})")
    elif nbytes > checks.max_bytes:
        what = (f"{nbytes:,} bytes uncompressed (limit {checks.max_bytes:,})",
                f"{nbytes:,} byte khi giải nén (giới hạn {checks.max_bytes:,})")
    elif block > checks.max_block_bytes:
        what = (f"blocks of {bw:,} x {bh:,} cells = {block:,} bytes each (limit "
                f"{checks.max_block_bytes:,})",
                f"khối {bw:,} x {bh:,} ô = {block:,} byte mỗi khối (giới hạn "
                f"{checks.max_block_bytes:,})")
    if what:
        raise InputFileError(
            f"Refused raster: its header declares {what[0]}.",
            f"Từ chối raster: phần đầu tệp khai báo {what[1]}.",
            file=name,
            fix="Clip it to the planning area and save it tiled (gdal_translate -projwin ... "
            "-co TILED=YES -co COMPRESS=DEFLATE IN.tif OUT.tif).",
            fix_vi="Cắt theo khu vực quy hoạch và lưu dạng ô (gdal_translate -projwin ... "
            "-co TILED=YES -co COMPRESS=DEFLATE VAO.tif RA.tif).")


def _raster_in_zip(archive: Path, workdir: Path, name: str, *, keep: Path) -> Path:
    """The raster inside a zipped upload: extracted safely inside ``workdir`` (a scratch
    folder), then moved with its side files (same stem: .tfw, .aux.xml, .prj) into ``keep``."""
    from gis.layers.archive import safe_extract, unpack_dir

    folder = unpack_dir(archive, workdir)
    files = safe_extract(archive, folder)
    rasters = [p for p in files if p.suffix.lower() in (".tif", ".tiff", ".img", ".asc", ".vrt")]
    if len(rasters) != 1:
        found = ", ".join(p.name for p in rasters) or "none"
        raise InputFileError(
            f"The archive should hold one raster (.tif); found: {found}.",
            f"Tệp nén cần chứa đúng một raster (.tif); tìm thấy: {found}.",
            file=name, fix="Zip one GeoTIFF per file, or give the .tif itself.",
            fix_vi="Nén mỗi GeoTIFF một tệp, hoặc chọn trực tiếp tệp .tif.")
    raster = rasters[0]
    _refuse_vrt(raster, name)
    for p in files:
        if p.parent == raster.parent and p.name.split(".")[0] == raster.name.split(".")[0]:
            shutil.move(p, keep / p.name)
    return keep / raster.name


def _check_extent(info: RasterInfo, name: str) -> None:
    try:
        lon0, lat0, lon1, lat1 = info.bounds_in("EPSG:4326")
    except Exception as exc:  # pyproj.ProjError / CRSError on a garbled definition
        raise CRSError(
            f"The raster's coordinate reference system cannot be used: {exc}.",
            f"Không dùng được hệ toạ độ của raster: {exc}.", file=name,
            fix="Assign it again (gdal_edit.py -a_srs EPSG:32648 FILE).",
            fix_vi="Gán lại hệ toạ độ (gdal_edit.py -a_srs EPSG:32648 FILE).") from exc
    v = VIETNAM_BOUNDS
    if not np.all(np.isfinite([lon0, lat0, lon1, lat1])) or (
        lon1 < v[0] or lon0 > v[2] or lat1 < v[1] or lat0 > v[3]
    ):
        raise CRSError(
            f"The raster lies outside Vietnam (lon {lon0:.3f}..{lon1:.3f}, lat {lat0:.3f}..."
            f"{lat1:.3f} after reading its CRS {info.crs.name}).",
            f"Raster nằm ngoài Việt Nam (kinh độ {lon0:.3f}..{lon1:.3f}, vĩ độ {lat0:.3f}..."
            f"{lat1:.3f} theo hệ toạ độ {info.crs.name}).",
            file=name,
            fix="The CRS stored in the file is probably wrong: assign the right one "
            "(e.g. EPSG:32648 for UTM 48N) and load it again.",
            fix_vi="Hệ toạ độ ghi trong tệp có lẽ sai: gán lại đúng hệ (ví dụ EPSG:32648 cho "
            "UTM 48N) rồi nạp lại.",
        )


def _sample(src: rasterio.io.DatasetReader, report: LoadReport,
            checks: RasterChecks) -> np.ma.MaskedArray:
    """Cells to check, without reading a large raster whole.

    Small rasters (up to 4 x :data:`CHECK_CELLS`) are read whole; larger ones through their
    overviews when they have some (a decimated read), otherwise as :data:`SAMPLE_WINDOWS`
    windows of 128 x 128 cells on a regular grid (a few blocks each), so that opening a
    province-sized DEM costs a fraction of a second.
    """
    cells = src.width * src.height
    if cells <= 4 * checks.check_cells:
        return src.read(1, masked=True)
    if src.overviews(1):
        step = math.ceil(math.sqrt(cells / checks.check_cells))
        shape = (max(1, src.height // step), max(1, src.width // step))
        data = src.read(1, out_shape=shape, resampling=Resampling.nearest, masked=True)
        report.extra["checked_cells"] = int(data.size)
        report.extra["checked_on"] = "overviews"
        return data
    n = max(1, int(math.sqrt(checks.sample_windows)))
    size = 128
    rows = np.linspace(0, max(0, src.height - size), n).astype(int)
    cols = np.linspace(0, max(0, src.width - size), n).astype(int)
    parts = [src.read(1, window=Window(c, r, min(size, src.width), min(size, src.height)),
                      masked=True).ravel() for r in rows for c in cols]
    data = np.ma.concatenate(parts)
    report.extra["checked_cells"] = int(data.size)
    report.extra["checked_on"] = f"{len(parts)} windows of {size} x {size} cells"
    return data


def _check_values(src: rasterio.io.DatasetReader, info: RasterInfo, report: LoadReport,
                  name: str, checks: RasterChecks) -> None:
    data = _sample(src, report, checks)
    values = data.compressed().astype("float64")
    if info.nodata is None:
        hit = [s for s in _SENTINELS if np.any(values == s)]
        if hit:
            share = float(np.mean(np.isin(values, hit)))
            raise ValidationError(
                f"The raster declares no nodata value, but {share:.1%} of its cells hold "
                f"{hit[0]:g}, a usual nodata marker.",
                f"Raster không khai báo giá trị nodata, nhưng {share:.1%} số ô có giá trị "
                f"{hit[0]:g}, thường là dấu hiệu không có dữ liệu.",
                file=name,
                fix=f"Set the nodata value: 'gdal_edit.py -a_nodata {hit[0]:g} FILE' (or in "
                "QGIS: layer properties > Transparency > No data value).",
                fix_vi=f"Khai báo nodata: 'gdal_edit.py -a_nodata {hit[0]:g} FILE' (hoặc trong "
                "QGIS: Properties > Transparency > No data value).",
            )
        report.warn("The raster declares no nodata value: every cell is taken as valid.",
                    "Raster không khai báo giá trị nodata: mọi ô được coi là có dữ liệu.")
    values = values[np.isfinite(values)]
    nodata_share = 1.0 - values.size / max(1, data.size)
    report.extra["nodata_share"] = round(nodata_share, 4)
    if nodata_share > 0:
        report.warn(f"{nodata_share:.1%} of the cells are nodata.",
                    f"{nodata_share:.1%} số ô không có dữ liệu (nodata).")
    if values.size == 0 and data.size < src.width * src.height:
        report.warn(f"All {data.size} sampled cells are nodata: the raster is mostly empty.",
                    f"Tất cả {data.size} ô được kiểm tra đều là nodata: raster gần như trống.")
        return
    if values.size == 0:
        raise ValidationError(
            "The raster holds no data: every cell is nodata.",
            "Raster không có dữ liệu: mọi ô đều là nodata.",
            file=name,
            fix="Check the file and its nodata value.",
            fix_vi="Kiểm tra tệp và giá trị nodata của nó.",
        )
    lo, hi = float(values.min()), float(values.max())
    report.extra["min"], report.extra["max"] = lo, hi
    if info.kind == "dem":
        lo_m, hi_m = checks.dem_range_m
        bad = (values < lo_m) | (values > hi_m)
        if bad.any():
            raise ValidationError(
                f"DEM heights from {lo:g} to {hi:g}: {bad.mean():.1%} of the cells fall outside "
                f"the plausible range for Vietnam ({lo_m:g} to {hi_m:g} m).",
                f"Độ cao DEM từ {lo:g} đến {hi:g}: {bad.mean():.1%} số ô nằm ngoài khoảng hợp lý "
                f"cho Việt Nam ({lo_m:g} đến {hi_m:g} m).",
                file=name,
                fix="Give heights in metres, and declare the nodata value if those cells are "
                "holes (gdal_edit.py -a_nodata VALUE FILE).",
                fix_vi="Dùng độ cao tính bằng mét, và khai báo nodata nếu các ô đó là lỗ trống "
                "(gdal_edit.py -a_nodata GIÁ_TRỊ FILE).",
            )
    elif info.kind == "population":
        neg = values < 0
        if neg.any():
            raise ValidationError(
                f"The population raster has negative values (down to {lo:g}) in "
                f"{neg.mean():.1%} of the cells.",
                f"Raster dân số có giá trị âm (tới {lo:g}) ở {neg.mean():.1%} số ô.",
                file=name,
                fix="Declare the nodata value of those cells (gdal_edit.py -a_nodata VALUE FILE) "
                "or correct them.",
                fix_vi="Khai báo nodata cho các ô đó (gdal_edit.py -a_nodata GIÁ_TRỊ FILE) "
                "hoặc sửa lại.",
            )
        total = src.width * src.height
        report.extra["population_total_estimate"] = (
            float(values.sum()) if data.size == total
            else float(values.mean()) * total * values.size / max(1, data.size))
    elif info.kind == "landcover":
        if not np.all(values == np.round(values)):
            report.warn("Land-cover values are not whole numbers; they are read as classes.",
                        "Giá trị lớp phủ không phải số nguyên; vẫn được đọc như mã lớp.")
        report.extra["classes"] = sorted({int(v) for v in np.unique(values)[:50]})


def read_window(
    path: str | Path | RasterInfo,
    bounds: tuple[float, float, float, float],
    *,
    crs: CRS | str,
    resolution_m: float | None = None,
    resampling: str = "bilinear",
) -> tuple[np.ndarray, Affine]:
    """Read the part of a raster under ``bounds``, in ``crs``, as float32 with NaN for nodata.

    Only the cells needed are read (a rasterio window, or a :class:`WarpedVRT` when the
    raster's CRS differs from ``crs`` or a resolution is asked), so a province-sized raster is
    never loaded whole. Cells outside the raster are NaN.

    Parameters
    ----------
    path
        The raster file (or a :class:`RasterInfo`).
    bounds
        ``(left, bottom, right, top)`` in ``crs`` units (metres for the analysis CRS).
    crs
        The CRS of ``bounds`` and of the result.
    resolution_m
        Cell size of the result in ``crs`` units (metres). ``None``: the raster's own cells
        when the CRS is the same, else its resolution converted to metres.
    resampling
        ``"bilinear"`` (default; for DEMs), ``"nearest"`` (for classes), ``"average"``,
        ``"sum"`` (keep population totals when coarsening), ``"cubic"``, ``"mode"``, ...

    Returns
    -------
    array, transform
        A 2-D float32 array (rows north to south) and its affine transform in ``crs``.
    """
    if resampling not in _RESAMPLING:
        raise ValidationError(
            f"Unknown resampling {resampling!r}; valid: {', '.join(_RESAMPLING)}.",
            f"Cách lấy mẫu lại {resampling!r} không hợp lệ; hợp lệ: {', '.join(_RESAMPLING)}.",
        )
    file = path.path if isinstance(path, RasterInfo) else Path(path)
    dst_crs = CRS.from_user_input(crs)
    left, bottom, right, top = (float(v) for v in bounds)
    if not (right > left and top > bottom):
        raise ValidationError(
            f"Empty window bounds {bounds}: expected (left, bottom, right, top).",
            f"Khung đọc rỗng {bounds}: cần (trái, dưới, phải, trên).",
        )
    try:
        return _read_window(file, dst_crs, (left, bottom, right, top), resolution_m, resampling)
    except (RasterioError, CPLE_BaseError) as exc:
        raise _damaged(file.name, exc) from exc


def _read_window(file: Path, dst_crs: CRS, bounds: tuple[float, float, float, float],
                 resolution_m: float | None, resampling: str) -> tuple[np.ndarray, Affine]:
    left, bottom, right, top = bounds
    with rasterio.open(file) as src:
        src_crs = CRS.from_user_input(src.crs.to_wkt()) if src.crs else None
        if src_crs is None:
            raise CRSError("The raster has no CRS.", "Raster không có hệ toạ độ.", file=file.name)
        same = src_crs.equals(dst_crs)
        if same and resolution_m is None:
            exact = from_bounds(left, bottom, right, top, transform=src.transform)
            # every cell the bounds touch, whole
            c0, r0 = math.floor(exact.col_off + 1e-9), math.floor(exact.row_off + 1e-9)
            c1 = math.ceil(exact.col_off + exact.width - 1e-9)
            r1 = math.ceil(exact.row_off + exact.height - 1e-9)
            win = Window(c0, r0, max(1, c1 - c0), max(1, r1 - r0))
            data = src.read(1, window=win, boundless=True, masked=True,
                            fill_value=src.nodata if src.nodata is not None else 0)
            out = np.ma.filled(data.astype("float32"), np.nan)
            # boundless reads outside the raster: mask them explicitly
            _mask_outside(out, win, src.width, src.height)
            return out, src.window_transform(win)
        if resolution_m is None:
            bounds_wgs = tuple(src.bounds)
            resolution_m = _res_m(src_crs, src.transform, bounds_wgs)  # type: ignore[arg-type]
            if dst_crs.is_geographic:
                resolution_m = float(max(abs(src.transform.a), abs(src.transform.e))) \
                    if src_crs.is_geographic else resolution_m / 111_320.0
        res = float(resolution_m)
        width = max(1, math.ceil((right - left) / res))
        height = max(1, math.ceil((top - bottom) / res))
        dst_transform = Affine(res, 0.0, left, 0.0, -res, top)
        with WarpedVRT(src, crs=dst_crs.to_wkt(), transform=dst_transform, width=width,
                       height=height, resampling=_RESAMPLING[resampling], dtype="float32",
                       nodata=np.nan, src_nodata=src.nodata) as vrt:
            out = vrt.read(1).astype("float32", copy=False)
        return out, dst_transform


def _mask_outside(out: np.ndarray, win: Window, width: int, height: int) -> None:
    r0, c0 = int(win.row_off), int(win.col_off)
    rows = np.arange(out.shape[0]) + r0
    cols = np.arange(out.shape[1]) + c0
    out[(rows < 0) | (rows >= height), :] = np.nan
    out[:, (cols < 0) | (cols >= width)] = np.nan


#: Overview levels of a Cloud Optimized GeoTIFF are made by halving until the smallest fits in
#: one block of this many cells a side (GDAL's ``OVERVIEWS=AUTO``), so QGIS and web viewers
#: draw a national raster from its overviews.
COG_OVERVIEW_MIN_CELLS = 256


def cog_copy(src: str | Path, dst: str | Path, *, zlevel: int = 1) -> Path:
    """Copy a one-band GeoTIFF ``src`` to a Cloud Optimized GeoTIFF ``dst`` (GDAL's COG driver):
    256-cell tiles, DEFLATE at ``zlevel`` with the TIFF predictor (floating point for float
    data, horizontal differences for integers), and overviews by halving until one fits a
    :data:`COG_OVERVIEW_MIN_CELLS`-cell block, nearest-neighbour (the server rasters are indices,
    and a coverage overview shows cells' own dBm values). Lossless: the full-resolution values
    are ``src``'s. ``dst`` is written in place (callers write it under a temporary name)."""
    from rasterio.shutil import copy as rio_copy

    with rasterio.open(src) as s:
        floating = np.dtype(s.dtypes[0]).kind == "f"
    rio_copy(str(src), str(dst), driver="COG", compress="DEFLATE", level=int(zlevel),
             predictor="FLOATING_POINT" if floating else "STANDARD",
             blocksize=COG_OVERVIEW_MIN_CELLS,
             overview_resampling="NEAREST", overviews="AUTO", num_threads="1")
    return Path(dst)


def write_geotiff(path: str | Path, array: np.ndarray, transform: Affine, crs: CRS | str, *,
                  nodata: float | None, tags: dict[str, str] | None = None,
                  description: str | None = None,
                  compression: dict[str, object] | None = None, cog: bool = False) -> Path:
    """Write one band as a compressed GeoTIFF, atomically; the project's only GeoTIFF writer.

    Tiled (256 x 256) when both sides are at least 256 cells; floating-point data get the
    floating-point predictor, integers the horizontal one. ``tags`` become GDAL metadata and
    ``description`` the band's description. ``compression``: GDAL creation options (default
    DEFLATE; the tiles of a tiled run use ZSTD level 1, quicker to write and read back). With
    ``cog``, a Cloud Optimized GeoTIFF with overviews (:func:`cog_copy`; DEFLATE level 1).
    The folder is created when missing.
    """
    array = np.asarray(array)
    profile = {
        "driver": "GTiff", "height": array.shape[0], "width": array.shape[1], "count": 1,
        "dtype": array.dtype.name, "crs": CRS.from_user_input(crs).to_wkt(),
        "transform": transform, "nodata": nodata, "compress": "deflate",
        "predictor": 3 if array.dtype.kind == "f" else 2, **(compression or {}),
    }
    if array.shape[0] >= 256 and array.shape[1] >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)

    def write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(array, 1)
            if tags:
                dst.update_tags(**tags)
            if description:
                dst.set_band_description(1, description)

    if not cog:
        return write_atomic(path, write)

    def write_cog(tmp: Path) -> None:
        plain = tmp.with_name(tmp.name + ".plain.tif")
        try:
            write(plain)
            cog_copy(plain, tmp)
        finally:
            plain.unlink(missing_ok=True)

    return write_atomic(path, write_cog)
