"""Population rasters (WorldPop, Meta HRSL): clipped to the area, people conserved.

WorldPop and HRSL GeoTIFFs are in WGS 84 lon/lat with people per cell (3 arc-seconds, about
93 m, for WorldPop; 1 arc-second for HRSL). A lon/lat cell is smaller in the east-west direction
than its size in degrees suggests (cos latitude), so people cannot be resampled as they are.
The importer turns counts into densities (people per m²) using each source cell's true area on
the sphere, averages densities onto the analysis grid and multiplies by the target cell area
(``resolution_m²``). The total population of the clipped area is thus kept (up to edge cells);
the load report gives the totals before and after.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import rasterio.transform
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.enums import Resampling

from gis.layers.rasters import write_geotiff
from gis.layers.report import LoadReport
from gis.layers.sources import Source
from gis.opendata.area import Area, parse_area
from gis.opendata.rasters import (
    RasterParams,
    Window,
    native_resolution_m,
    read_mosaic,
    warp_to_grid,
)
from gis.opendata.target import ProjectLike, import_raster
from gis.project import Project

__all__ = ["POP_NODATA", "cell_area_m2", "import_population", "read_population"]

#: Nodata of the written population raster (WorldPop's own value).
POP_NODATA = -99999.0
_R_EARTH_M = 6_371_008.8  # mean Earth radius (IUGG), m


def cell_area_m2(window: Window) -> np.ndarray:
    """Area (m²) of each row's cells of a lon/lat grid, on a sphere of radius 6 371 008.8 m.

    ``A = R² · Δλ · (sin φ_top − sin φ_bottom)``; one value per row, shape (rows, 1).
    For a projected grid, the constant cell area ``|a·e|``.
    """
    t = window.transform
    rows = window.data.shape[0]
    if not window.crs.is_geographic:
        return np.full((rows, 1), abs(t.a * t.e))
    top = t.f + t.e * np.arange(rows)
    bottom = top + t.e
    dlon = math.radians(abs(t.a))
    area = _R_EARTH_M**2 * dlon * np.abs(np.sin(np.radians(top)) - np.sin(np.radians(bottom)))
    return area[:, None]


def _people_inside(people: np.ndarray, window: Window, crs: CRS, transform: Affine,
                   shape: tuple[int, int]) -> float:
    """People of the source cells whose centre falls inside the output grid."""
    rows, cols = np.nonzero(people > 0)
    if rows.size == 0:
        return 0.0
    xs, ys = rasterio.transform.xy(window.transform, rows, cols)
    x, y = Transformer.from_crs(window.crs, crs, always_xy=True).transform(xs, ys)
    left, top = transform.c, transform.f
    right = left + transform.a * shape[1]
    bottom = top + transform.e * shape[0]
    inside = (np.asarray(x) >= left) & (np.asarray(x) < right) & (np.asarray(y) <= top) & (
        np.asarray(y) > bottom)
    return float(people[rows[inside], cols[inside]].sum())


def read_population(paths: Sequence[str | Path], area: Area | str, crs: CRS | str,
                    out_path: str | Path, *,
                    params: RasterParams | None = None) -> LoadReport:
    """Clip population GeoTIFF(s) to ``area`` and write people per cell in ``crs`` (see above).

    Parameters
    ----------
    paths
        WorldPop / HRSL GeoTIFFs (people per cell); several tiles are mosaicked.
    area
        The area (bbox text, admin file or :class:`~gis.opendata.area.Area`).
    crs
        The analysis CRS (metres) of the output grid.
    out_path
        The GeoTIFF to write (float32 people per cell, nodata -99999).
    params
        :class:`~gis.opendata.rasters.RasterParams`; the default cell size is the source's.
    """
    params = params or RasterParams()
    area = parse_area(area)
    crs = CRS.from_user_input(crs)
    window = read_mosaic([Path(p) for p in paths], area, margin_m=params.margin_m,
                         nodata=POP_NODATA, kind="population")
    valid = window.data != POP_NODATA
    negative = valid & (window.data < 0)
    people = np.where(valid & ~negative, window.data, 0.0)
    density = np.where(valid, people / cell_area_m2(window), POP_NODATA)
    res = params.resolution_m or native_resolution_m(window)
    dens_win = Window(density, window.transform, window.crs, POP_NODATA, window.sources)
    dens, transform = warp_to_grid(dens_win, area, crs, margin_m=params.margin_m,
                                   resolution_m=res, resampling=Resampling.average,
                                   dtype="float64")
    ok = dens != POP_NODATA
    total_in = _people_inside(people, window, crs, transform, dens.shape)
    counts = np.where(ok, dens * res * res, POP_NODATA).astype("float32")
    total_out = float(counts[ok].sum())
    report = LoadReport(source=", ".join(window.sources), kind="population",
                        rows_read=int(window.data.size), rows_loaded=int(ok.sum()),
                        crs_in=window.crs.to_string(), crs_note="read from the file")
    report.extra = {
        "source_kind": "population", "area": area.source, "files_used": window.sources,
        "resolution_m": res, "margin_m": params.margin_m, "shape": list(counts.shape),
        "people_in_grid_source": round(total_in, 1), "people_written": round(total_out, 1),
        "method": "density (people/m²) averaged onto the grid, times the cell area",
    }
    if negative.any():
        report.warn(f"{int(negative.sum())} cells with negative people were read as 0.",
                    f"{int(negative.sum())} ô có số dân âm được coi là 0.")
    if total_in > 0 and abs(total_out - total_in) / total_in > 0.02:
        report.warn(f"Population total changed from {total_in:.0f} to {total_out:.0f} when "
                    "reprojecting (edge cells).",
                    f"Tổng dân số thay đổi từ {total_in:.0f} thành {total_out:.0f} khi chuyển "
                    "hệ toạ độ (ô ở mép).")
    write_geotiff(out_path, counts, transform, crs, nodata=POP_NODATA,
                  tags={"source": ", ".join(window.sources), "units": "people per cell"})
    return report


def import_population(paths: Source, area: Area | str | None = None,
                      project: ProjectLike = None, *, params: RasterParams | None = None,
                      out_dir: str | Path | None = None) -> Project:
    """Import a WorldPop / HRSL raster for the area as the project's ``population`` raster.

    Parameters are those of :func:`gis.opendata.dem.import_dem`; ``paths`` is one file, a
    list of tiles, or app uploads (:class:`gis.layers.sources.Upload`).
    """
    return import_raster("population", read_population, paths, area, project, params=params,
                         out_dir=out_dir)
