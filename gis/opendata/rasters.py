"""Public rasters clipped to an area: mosaic the tiles that cover it, reproject, write a GeoTIFF.

Only the windows of the source files that fall inside the area (grown by a margin) are read
(:func:`rasterio.merge.merge` with ``bounds``), so a country-wide WorldPop file or a folder of
SRTM tiles is never read whole. The mosaic is then warped onto a north-up grid in the project's
metric analysis CRS and written as a tiled, compressed GeoTIFF.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.merge import merge
from rasterio.vrt import WarpedVRT
from rasterio.warp import reproject

from gis.errors import InputFileError, ValidationError, missing_file
from gis.layers.crs import WGS84
from gis.opendata.area import Area

__all__ = ["RasterParams", "Window", "clip_mosaic", "open_sources", "read_mosaic", "warp_to_grid"]

_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class RasterParams:
    """How public rasters are clipped and reprojected.

    Attributes
    ----------
    margin_m
        The area is grown by this many metres before clipping (m). 5 000 m: coverage near the
        boundary depends on terrain and people just outside it (a site 5 km away still serves
        hamlets at the edge).
    resolution_m
        Cell size of the output grid (m); ``None`` keeps the source's own (its latitude
        resolution converted to metres and rounded: 1" SRTM -> 31 m, 3" -> 93 m).
    """

    margin_m: float = 5000.0
    resolution_m: float | None = None

    def __post_init__(self) -> None:
        if self.margin_m < 0 or (self.resolution_m is not None and self.resolution_m <= 0):
            raise ValidationError("margin_m must be >= 0 and resolution_m > 0 (metres).",
                                  "margin_m phải >= 0 và resolution_m > 0 (mét).")


@dataclass
class Window:
    """A clipped mosaic in the sources' CRS: array (rows, cols), transform, CRS, nodata."""

    data: np.ndarray
    transform: Affine
    crs: CRS
    nodata: float
    sources: list[str]


def open_sources(paths: Sequence[str | Path], kind: str) -> list[rasterio.io.DatasetReader]:
    """Open raster files (GeoTIFF, SRTM ``.hgt``, any GDAL raster); bilingual error if one fails."""
    out = []
    for p in paths:
        path = Path(p)
        if not str(p).startswith("zip://") and not path.is_file():
            for ds in out:
                ds.close()
            raise missing_file(path, kind, kind, fix="Give existing GeoTIFF or SRTM .hgt files.",
                               fix_vi="Chọn các tệp GeoTIFF hoặc SRTM .hgt có thật.")
        try:
            ds = rasterio.open(path)
        except RasterioIOError as exc:
            for d in out:
                d.close()
            raise InputFileError(
                f"The file is not a raster GDAL can read ({exc}).",
                f"Tệp không phải raster mà GDAL đọc được ({exc}).",
                file=path,
                fix=f"Give the {kind} as GeoTIFF (or SRTM .hgt named like N20E105.hgt).",
                fix_vi=f"Dùng {kind} dạng GeoTIFF (hoặc SRTM .hgt đặt tên như N20E105.hgt).",
            ) from exc
        if ds.crs is None:
            ds.close()
            for d in out:
                d.close()
            raise InputFileError(
                "The raster has no CRS.", "Raster không có hệ toạ độ.", file=path,
                fix="Give a georeferenced GeoTIFF (WorldPop, HRSL, Copernicus GLO-30 are).",
                fix_vi="Dùng GeoTIFF có toạ độ (WorldPop, HRSL, Copernicus GLO-30 đều có).",
            )
        out.append(ds)
    return out


def _bounds_in(crs: CRS, bounds_lonlat: tuple[float, float, float, float]
               ) -> tuple[float, float, float, float]:
    if CRS(crs).equals(WGS84):
        return bounds_lonlat
    tr = Transformer.from_crs(WGS84, crs, always_xy=True)
    return tr.transform_bounds(*bounds_lonlat, densify_pts=21)


def read_mosaic(paths: Sequence[str | Path], area: Area, *, margin_m: float, nodata: float,
                kind: str) -> Window:
    """:func:`clip_mosaic` of the raster files at ``paths``, opened and closed here.

    ``kind`` (``"DEM"``, ``"population"``) names the files in the messages.
    """
    datasets = open_sources(paths, kind)
    try:
        return clip_mosaic(datasets, area, margin_m=margin_m, nodata=nodata, kind=kind)
    finally:
        for ds in datasets:
            ds.close()


def clip_mosaic(datasets: Sequence[rasterio.io.DatasetReader], area: Area, *, margin_m: float,
                nodata: float, kind: str) -> Window:
    """Mosaic of the datasets' windows over the area grown by ``margin_m`` (windowed reads).

    Datasets not touching the area are skipped without reading; others in a different CRS
    than the first touching one are warped to it on the fly (:class:`~rasterio.vrt.WarpedVRT`).
    """
    # The output grid is a rectangle in UTM: its corners reach past the lon/lat box by up to
    # the grid convergence (a few % of the extent), so read a little more than the margin.
    minx, miny, maxx, maxy = area.bounds
    extent_m = max(maxx - minx, maxy - miny) * _M_PER_DEG
    bounds_ll = area.buffered_bounds(margin_m + 0.05 * extent_m + 1000.0)
    touching = []
    for ds in datasets:
        b = _bounds_in(ds.crs, bounds_ll)
        if not (ds.bounds.left >= b[2] or ds.bounds.right <= b[0]
                or ds.bounds.bottom >= b[3] or ds.bounds.top <= b[1]):
            touching.append(ds)
    if not touching:
        names = ", ".join(Path(d.name).name for d in datasets)
        raise ValidationError(
            f"None of the {kind} files ({names}) covers the area {area.source}.",
            f"Không tệp {kind} nào ({names}) phủ vùng {area.source}.",
            fix="Give the tiles or the country file that contain the area "
            "(SRTM tile N20E105 covers 20-21° N, 105-106° E).",
            fix_vi="Chọn các ô hoặc tệp cả nước chứa vùng này "
            "(ô SRTM N20E105 phủ 20-21° B, 105-106° Đ).",
        )
    crs = CRS(touching[0].crs)
    with contextlib.ExitStack() as stack:
        srcs = [ds if CRS(ds.crs).equals(crs) else
                stack.enter_context(WarpedVRT(ds, crs=crs, resampling=Resampling.bilinear))
                for ds in touching]
        bounds = _snap(_bounds_in(crs, bounds_ll), srcs[0].transform)
        # Each source's own nodata is masked by merge; the mosaic gets one nodata value.
        data, transform = merge(srcs, bounds=bounds, nodata=nodata, dtype="float32")
    band = data[0]
    # NaN cells of a float file that declares no nodata (some HRSL and DEM exports) are nodata.
    band[~np.isfinite(band)] = nodata
    return Window(band, transform, crs, nodata, [Path(d.name).name for d in touching])


def _snap(bounds: tuple[float, float, float, float], transform: Affine,
          ) -> tuple[float, float, float, float]:
    """Grow ``bounds`` outwards onto the pixel grid of ``transform``.

    :func:`rasterio.merge.merge` builds its output grid from the bounds it is given; bounds off
    the source grid would shift every pixel by a fraction of a cell (nearest-neighbour reads).
    """
    rx, ry = transform.a, -transform.e
    x0, y0 = transform.c, transform.f
    left = x0 + math.floor((bounds[0] - x0) / rx) * rx
    right = x0 + math.ceil((bounds[2] - x0) / rx) * rx
    top = y0 - math.floor((y0 - bounds[3]) / ry) * ry
    bottom = y0 - math.ceil((y0 - bounds[1]) / ry) * ry
    return left, bottom, right, top


def native_resolution_m(window: Window) -> float:
    """The window's cell height in metres (degrees converted at 111 320 m per degree)."""
    res = abs(window.transform.e)
    if window.crs.is_geographic:
        res *= _M_PER_DEG
    return float(max(1.0, round(res)))


def warp_to_grid(window: Window, area: Area, crs: CRS, *, margin_m: float, resolution_m: float,
                 resampling: Resampling, dtype: str = "float32",
                 ) -> tuple[np.ndarray, Affine]:
    """Warp a clipped mosaic onto a north-up grid of ``resolution_m`` cells in ``crs``.

    The grid covers the area grown by ``margin_m`` and is aligned to multiples of the cell size
    (so that two imports of one area give the same grid).
    """
    minx, miny, maxx, maxy = Transformer.from_crs(WGS84, crs, always_xy=True).transform_bounds(
        *area.bounds, densify_pts=21)
    r = float(resolution_m)
    minx = math.floor((minx - margin_m) / r) * r
    miny = math.floor((miny - margin_m) / r) * r
    maxx = math.ceil((maxx + margin_m) / r) * r
    maxy = math.ceil((maxy + margin_m) / r) * r
    width, height = round((maxx - minx) / r), round((maxy - miny) / r)
    transform = Affine(r, 0.0, minx, 0.0, -r, maxy)
    out = np.full((height, width), window.nodata, dtype=dtype)
    reproject(window.data.astype(dtype, copy=False), out, src_transform=window.transform,
              src_crs=window.crs, src_nodata=window.nodata, dst_transform=transform,
              dst_crs=crs, dst_nodata=window.nodata, resampling=resampling)
    return out, transform


def output_path(kind: str, out_dir: str | Path | None, folder: Path | None) -> Path:
    """Where an imported raster is written: ``out_dir``, the project folder, or a temp folder."""
    base = Path(out_dir) if out_dir is not None else folder
    if base is None:
        base = Path(tempfile.mkdtemp(prefix=f"gis-{kind}-"))
    return base / f"{kind}.tif"
