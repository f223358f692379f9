"""Public DEMs: SRTM ``.hgt`` tiles and GeoTIFF DEMs (Copernicus GLO-30), mosaicked and clipped.

An SRTM tile is a square of big-endian int16 heights (m), 1201 x 1201 (3 arc-seconds) or
3601 x 3601 (1 arc-second), with -32768 for voids. Its name gives the south-west corner:
``N20E105.hgt`` covers 20-21° N, 105-106° E, and its first sample is the *centre* of the
north-west cell at exactly 21° N, 105° E (cells are centred on the grid lines, so the tile's
edge pixels overlap the neighbour's). GDAL reads it through its SRTMHGT driver.

Only the tiles whose name (or header) touches the area are opened, only their windows over the
area are read, and the mosaic is warped (bilinear) to the project's analysis CRS.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyproj import CRS
from rasterio.enums import Resampling

from gis.errors import InputFileError, ValidationError, missing_file
from gis.layers.rasters import write_geotiff
from gis.layers.report import LoadReport
from gis.layers.sources import Source
from gis.opendata.area import Area, parse_area
from gis.opendata.rasters import (
    RasterParams,
    native_resolution_m,
    read_mosaic,
    warp_to_grid,
)
from gis.opendata.target import ProjectLike, import_raster
from gis.project import Project

__all__ = ["DEM_NODATA", "expand_dem_paths", "hgt_tile_bounds", "import_dem", "read_dem"]

#: Nodata of the written DEM (the SRTM void value), heights in metres as float32.
DEM_NODATA = -32768.0
#: Plausible heights in Vietnam (m): delta land a few metres below sea level, Fansipan 3 143 m.
DEM_RANGE_M = (-100.0, 3200.0)

_HGT_RE = re.compile(r"^([NS])(\d{2})([EW])(\d{3})(?:\.\w+)*?\.hgt(?:\.zip)?$", re.IGNORECASE)
_HGT_SIZES = {1201: 3, 3601: 1}  # samples per side -> arc-seconds


def hgt_tile_bounds(name: str) -> tuple[int, int, int, int]:
    """(west, south, east, north) in whole degrees of an SRTM tile from its file name.

    >>> hgt_tile_bounds("N20E105.hgt")
    (105, 20, 106, 21)
    >>> hgt_tile_bounds("s01w075.hgt")
    (-75, -1, -74, 0)
    """
    m = _HGT_RE.match(Path(name).name)
    if m is None:
        raise InputFileError(
            f"{Path(name).name} is not an SRTM tile name (like N20E105.hgt).",
            f"{Path(name).name} không phải tên ô SRTM (dạng N20E105.hgt).",
            file=name,
            fix="Keep the tile's original name: it gives the south-west corner.",
            fix_vi="Giữ nguyên tên gốc của ô: tên cho biết góc tây nam.",
        )
    lat = int(m.group(2)) * (1 if m.group(1).upper() == "N" else -1)
    lon = int(m.group(4)) * (1 if m.group(3).upper() == "E" else -1)
    return lon, lat, lon + 1, lat + 1


def _check_hgt(name: str, size: int, file: Path) -> None:
    hgt_tile_bounds(name)
    side = round((size / 2) ** 0.5)
    if side * side * 2 != size or side not in _HGT_SIZES:
        raise InputFileError(
            f"{name} has {size} bytes; an SRTM tile has 1201x1201 or 3601x3601 16-bit "
            "samples (2 884 802 or 25 934 402 bytes).",
            f"{name} có {size} byte; ô SRTM có 1201x1201 hoặc 3601x3601 mẫu 16 bit "
            "(2 884 802 hoặc 25 934 402 byte).",
            file=file,
            fix="Download the tile again.",
            fix_vi="Tải lại ô này.",
        )


@dataclass(frozen=True)
class DemSource:
    """One DEM raster: a file, or a member of a zip (``N20E105.SRTMGL1.hgt.zip``).

    ``uri`` is what rasterio opens (a path or ``zip://FILE!MEMBER``), ``name`` the tile's own
    file name,
    ``size`` its size in bytes (uncompressed).
    """

    uri: str
    name: str
    size: int
    file: Path

    @property
    def is_hgt(self) -> bool:
        return self.name.lower().endswith(".hgt")


_DEM_SUFFIXES = (".hgt", ".tif", ".tiff")


def _sources_of(path: Path) -> list[DemSource]:
    if not path.is_file():
        raise missing_file(
            path, "DEM", "DEM",
            fix="Give SRTM .hgt tiles (or .hgt.zip), GeoTIFF DEMs or a folder of them.",
            fix_vi="Chọn các ô SRTM .hgt (hoặc .hgt.zip), GeoTIFF DEM hoặc thư mục chứa chúng.")
    if path.suffix.lower() != ".zip":
        return [DemSource(str(path), path.name, path.stat().st_size, path)]
    try:
        with zipfile.ZipFile(path) as zf:
            members = [i for i in zf.infolist()
                       if i.filename.lower().endswith(_DEM_SUFFIXES) and not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise InputFileError(
            f"The zip file is damaged: {exc}.", f"Tệp zip bị hỏng: {exc}.", file=path,
            fix="Download it again.", fix_vi="Tải lại tệp.",
        ) from exc
    if not members:
        raise InputFileError(
            "The zip file holds no .hgt or .tif DEM.", "Tệp zip không chứa DEM .hgt hay .tif.",
            file=path, fix="Give the SRTM .hgt.zip or GeoTIFF as downloaded.",
            fix_vi="Dùng tệp SRTM .hgt.zip hoặc GeoTIFF như khi tải về.",
        )
    return [DemSource(f"zip://{path.resolve()}!{m.filename}", Path(m.filename).name,
                      m.file_size, path) for m in members]


def expand_dem_paths(paths: Sequence[str | Path]) -> list[DemSource]:
    """DEM rasters of ``paths``: files, members of zips, and the DEM files of folders."""
    out: list[DemSource] = []
    for p in map(Path, paths):
        if p.is_dir():
            for q in sorted(p.iterdir()):
                name = q.name.lower()
                if name.endswith(_DEM_SUFFIXES) or name.endswith((".hgt.zip", ".tif.zip")):
                    out.extend(_sources_of(q))
        else:
            out.extend(_sources_of(p))
    if not out:
        raise InputFileError(
            "No DEM files given (the folders hold no .hgt, .hgt.zip or .tif).",
            "Chưa có tệp DEM (thư mục không có tệp .hgt, .hgt.zip hay .tif).",
            fix="Give SRTM .hgt tiles, GeoTIFF DEMs or a folder of them.",
            fix_vi="Chọn các ô SRTM .hgt, GeoTIFF DEM hoặc thư mục chứa chúng.",
        )
    return out


def read_dem(paths: Sequence[str | Path], area: Area | str, crs: CRS | str,
             out_path: str | Path, *,
             params: RasterParams | None = None) -> LoadReport:
    """Mosaic, clip and warp DEM files over ``area`` into a GeoTIFF at ``out_path``.

    Parameters
    ----------
    paths
        SRTM ``.hgt`` tiles (also zipped, e.g. ``N20E105.SRTMGL1.hgt.zip``), GeoTIFF DEMs
        (heights in m), or folders of them. ``.hgt`` tiles whose name does not touch the area
        are skipped without being opened.
    area
        The area (bbox text, admin file or :class:`~gis.opendata.area.Area`).
    crs
        The analysis CRS (metres) of the output grid.
    out_path
        The GeoTIFF to write (float32 heights in m, nodata -32768).
    params
        :class:`~gis.opendata.rasters.RasterParams` (margin, cell size).
    """
    params = params or RasterParams()
    area = parse_area(area)
    crs = CRS.from_user_input(crs)
    files = expand_dem_paths(paths)
    minx, miny, maxx, maxy = area.buffered_bounds(params.margin_m)
    chosen, skipped = [], []
    for f in files:
        if f.is_hgt:
            _check_hgt(f.name, f.size, f.file)
            w, s, e, n = hgt_tile_bounds(f.name)
            if w > maxx or e < minx or s > maxy or n < miny:
                skipped.append(f.name)
                continue
        chosen.append(f)
    if not chosen:
        raise ValidationError(
            f"None of the {len(files)} DEM tiles covers the area {area.source}.",
            f"Không ô DEM nào trong {len(files)} ô phủ vùng {area.source}.",
            fix="Add the tiles named after the area's south-west corners (e.g. N20E105.hgt "
            "covers 20-21° N, 105-106° E).",
            fix_vi="Thêm các ô theo góc tây nam của vùng (ví dụ N20E105.hgt phủ 20-21° B, "
            "105-106° Đ).",
        )
    window = read_mosaic([f.uri for f in chosen], area, margin_m=params.margin_m,
                         nodata=DEM_NODATA, kind="DEM")
    res = params.resolution_m or native_resolution_m(window)
    data, transform = warp_to_grid(window, area, crs, margin_m=params.margin_m,
                                   resolution_m=res, resampling=Resampling.bilinear)
    valid = data != DEM_NODATA
    report = LoadReport(source=", ".join(window.sources), kind="dem",
                        rows_read=int(window.data.size), rows_loaded=int(valid.sum()),
                        crs_in=str(window.crs.to_string()),
                        crs_note="read from the files (SRTM and GLO-30 are WGS 84)")
    heights = data[valid]
    report.extra = {
        "source_kind": "DEM", "area": area.source, "files_used": window.sources,
        "files_skipped_outside_area": skipped, "resolution_m": res,
        "margin_m": params.margin_m, "shape": list(data.shape),
        "height_min_m": float(heights.min()) if heights.size else None,
        "height_max_m": float(heights.max()) if heights.size else None,
        "resampling": "bilinear",
    }
    voids = 1.0 - valid.mean()
    if voids > 0:
        report.warn(f"{voids:.1%} of the DEM grid has no height (voids or not covered by the "
                    "tiles given).",
                    f"{voids:.1%} ô lưới DEM không có độ cao (lỗ trống hoặc không có ô nào phủ).")
    if heights.size and (heights.min() < DEM_RANGE_M[0] or heights.max() > DEM_RANGE_M[1]):
        report.warn(f"Heights {heights.min():.0f}..{heights.max():.0f} m fall outside Vietnam's "
                    f"{DEM_RANGE_M[0]:.0f}..{DEM_RANGE_M[1]:.0f} m: check the units.",
                    f"Độ cao {heights.min():.0f}..{heights.max():.0f} m ngoài khoảng "
                    f"{DEM_RANGE_M[0]:.0f}..{DEM_RANGE_M[1]:.0f} m của Việt Nam: kiểm tra đơn vị.")
    write_geotiff(out_path, data, transform, crs, nodata=DEM_NODATA,
                  tags={"source": ", ".join(window.sources), "units": "m"})
    return report


def import_dem(paths: Source, area: Area | str | None = None,
               project: ProjectLike = None, *, params: RasterParams | None = None,
               out_dir: str | Path | None = None) -> Project:
    """Import DEM tiles for the area as the project's ``dem`` raster.

    Parameters
    ----------
    paths
        SRTM ``.hgt`` tiles (or ``.hgt.zip``), GeoTIFF DEMs, folders of them, or app uploads
        (:class:`gis.layers.sources.Upload`).
    area
        The area; when ``None``, the extent of the project's layers.
    project
        An open project, a project folder (opened when it exists) or ``None`` (new project,
        which then needs ``area``).
    params
        :class:`~gis.opendata.rasters.RasterParams`.
    out_dir
        Where ``dem.tif`` is written: default the project's folder, else a temporary folder
        (:meth:`~gis.project.Project.save` copies it into the project).
    """
    return import_raster("dem", read_dem, paths, area, project, params=params, out_dir=out_dir,
                         what="DEM")


