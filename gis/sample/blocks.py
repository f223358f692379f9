"""Large synthetic rasters written block by block, never whole in memory (province, country).

:func:`gis.sample.terrain.synthetic_dem` is a pure function of the cell coordinates, so a DEM of
any size is written as a sequence of windows, each computed on its own: the file holds exactly
the values of the one-piece function (the tests compare them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.transform import from_origin
from rasterio.windows import Window

from gis.sample.frame import ANALYSIS_EPSG
from gis.sample.terrain import TerrainSpec, grid_centres, synthetic_dem

__all__ = ["WRITE_BLOCK", "dem_in_blocks", "landcover_in_blocks", "write_dem_blocks",
           "write_population_blocks"]

#: Cells per side of the window computed at once (1,024² cells: about 200 MB of float64 work
#: arrays in :func:`gis.sample.terrain.elevation_at`), a multiple of the 256-cell file block.
WRITE_BLOCK = 1024


def _block_profile(left: float, top: float, width: int, height: int, res_m: float,
                   nodata: float) -> dict:
    """The rasterio profile of a block-written float32 GeoTIFF in the analysis CRS: tiled
    256 x 256, DEFLATE with the floating-point predictor, BigTIFF when needed."""
    return {
        "driver": "GTiff", "height": height, "width": width, "count": 1, "dtype": "float32",
        "crs": f"EPSG:{ANALYSIS_EPSG}", "transform": from_origin(left, top, res_m, res_m),
        "nodata": nodata, "tiled": True, "blockxsize": 256, "blockysize": 256,
        "compress": "deflate", "predictor": 3, "BIGTIFF": "IF_SAFER",
    }


def dem_in_blocks(bounds: tuple[float, float, float, float], res_m: float, seed: int,
                  terrain: TerrainSpec, block: int = WRITE_BLOCK) -> np.ndarray:
    """:func:`gis.sample.terrain.synthetic_dem` computed window by window into one float32
    array: the same values, without the one-piece float64 work arrays (a province's 10 M cells
    need 2.5 GB of them at once, the windows 0.2 GB)."""
    left, bottom, right, top = (float(b) for b in bounds)
    width = round((right - left) / res_m)
    height = round((top - bottom) / res_m)
    out = np.empty((height, width), np.float32)
    for r0, c0, h, w in _windows(height, width, block):
        win_b = (left + c0 * res_m, top - (r0 + h) * res_m, left + (c0 + w) * res_m,
                 top - r0 * res_m)
        out[r0:r0 + h, c0:c0 + w] = synthetic_dem(win_b, res_m, seed, terrain)
    return out


def landcover_in_blocks(dem: np.ndarray, bounds: tuple[float, float, float, float],
                        res_m: float, town_xy: np.ndarray, industrial_zone, river,
                        block: int = WRITE_BLOCK) -> np.ndarray:
    """:func:`gis.sample.landcover.landcover_grid` computed window by window (a per-cell
    function: the same classes, without one shapely point per cell of the whole grid, which
    took a province sample to 3 GB)."""
    from gis.sample.landcover import landcover_grid

    left, _, _, top = (float(b) for b in bounds)
    out = np.empty(dem.shape, np.uint8)
    for r0, c0, h, w in _windows(dem.shape[0], dem.shape[1], block):
        win_b = (left + c0 * res_m, top - (r0 + h) * res_m, left + (c0 + w) * res_m,
                 top - r0 * res_m)
        out[r0:r0 + h, c0:c0 + w] = landcover_grid(dem[r0:r0 + h, c0:c0 + w], win_b, res_m,
                                                   town_xy, industrial_zone, river)
    return out


def write_dem_blocks(path: str | Path, bounds: tuple[float, float, float, float], res_m: float,
                     seed: int, terrain: TerrainSpec, nodata: float,
                     block: int = WRITE_BLOCK) -> Path:
    """Write the synthetic DEM over ``bounds`` (multiples of ``res_m``) window by window.

    The GeoTIFF has the sample's profile (float32, EPSG:32648, tiled 256, deflate, predictor 3).

    Parameters
    ----------
    path
        Output GeoTIFF.
    bounds
        (left, bottom, right, top), m, on multiples of ``res_m``.
    res_m
        Cell size, m.
    seed, terrain
        As for :func:`gis.sample.terrain.synthetic_dem`.
    nodata
        The file's nodata value (no cell takes it).
    block
        Window side in cells (a multiple of 256).
    """
    left, bottom, right, top = (float(b) for b in bounds)
    width = round((right - left) / res_m)
    height = round((top - bottom) / res_m)
    profile = _block_profile(left, top, width, height, res_m, nodata)
    path = Path(path)
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, height, block):
            h = min(block, height - r0)
            for c0 in range(0, width, block):
                w = min(block, width - c0)
                win_b = (left + c0 * res_m, top - (r0 + h) * res_m, left + (c0 + w) * res_m,
                         top - r0 * res_m)
                arr = synthetic_dem(win_b, res_m, seed, terrain)
                dst.write(arr.astype(np.float32), 1, window=Window(c0, r0, w, h))
    return path


def _windows(height: int, width: int, block: int):
    for r0 in range(0, height, block):
        for c0 in range(0, width, block):
            yield r0, c0, min(block, height - r0), min(block, width - c0)


def write_population_blocks(path: str | Path, bounds: tuple[float, float, float, float],
                            res_m: float, hamlet_polys: np.ndarray, hamlet_xy: np.ndarray,
                            population: np.ndarray, satellite_xy: np.ndarray,
                            satellite_share: float, sigma_m: np.ndarray, nodata: float,
                            block: int = WRITE_BLOCK) -> Path:
    """:func:`gis.sample.rasters.population_grid` written window by window (two passes).

    The first pass adds up each hamlet's weights over all windows, the second writes the people
    per cell; the values equal the one-piece grid's up to the order of the float sums (relative
    differences of 1e-15). For the country preset, whose 100 m grid (42 M cells) would need
    several GB as one piece.
    """
    left, bottom, right, top = (float(b) for b in bounds)
    width = round((right - left) / res_m)
    height = round((top - bottom) / res_m)
    n = len(population)
    tree = shapely.STRtree(list(hamlet_polys))
    has_sat = np.isfinite(satellite_xy[:, 0])
    main_share = np.where(has_sat, 1.0 - satellite_share, 1.0)

    def cells(r0: int, c0: int, h: int, w: int):
        wb = (left + c0 * res_m, top - (r0 + h) * res_m, left + (c0 + w) * res_m,
              top - r0 * res_m)
        xs, ys = grid_centres(wb, res_m)
        xx, yy = np.meshgrid(xs, ys)
        p_idx, h_idx = tree.query(shapely.points(xx.ravel(), yy.ravel()), predicate="within")
        owner = np.full(xx.size, -1, dtype=np.int64)
        owner[p_idx] = h_idx
        idx = np.flatnonzero(owner >= 0)
        hh = owner[idx]
        cx, cy = xx.ravel()[idx], yy.ravel()[idx]
        d2 = (cx - hamlet_xy[hh, 0]) ** 2 + (cy - hamlet_xy[hh, 1]) ** 2
        wgt = np.exp(-d2 / (2 * sigma_m[hh] ** 2)) + 0.004  # as population_grid (tested)
        sat = has_sat[hh]
        ds2 = ((cx[sat] - satellite_xy[hh[sat], 0]) ** 2
               + (cy[sat] - satellite_xy[hh[sat], 1]) ** 2)
        ws = np.exp(-ds2 / (2 * 150.0**2))
        return xx.shape, idx, hh, wgt, sat, ws

    w_total = np.zeros(n)
    ws_total = np.zeros(n)
    count = np.zeros(n, np.int64)
    for win in _windows(height, width, block):
        _, _, hh, wgt, sat, ws = cells(*win)
        w_total += np.bincount(hh, weights=wgt, minlength=n)
        ws_total += np.bincount(hh[sat], weights=ws, minlength=n)
        count += np.bincount(hh, minlength=n)
    profile = _block_profile(left, top, width, height, res_m, nodata)
    path = Path(path)
    with rasterio.open(path, "w+", **profile) as dst:
        for r0, c0, h, w in _windows(height, width, block):
            shape, idx, hh, wgt, sat, ws = cells(r0, c0, h, w)
            value = np.zeros(shape[0] * shape[1])
            value[idx] = main_share[hh] * population[hh] * wgt / np.maximum(w_total[hh], 1e-12)
            hs = hh[sat]
            value[idx[sat]] += satellite_share * population[hs] * ws / np.maximum(
                ws_total[hs], 1e-12)
            dst.write(value.reshape(shape).astype(np.float32), 1, window=Window(c0, r0, w, h))
        # hamlets without any cell centre: their people go to the cell under the centre
        for k in np.flatnonzero(count == 0):
            col = int(np.clip((hamlet_xy[k, 0] - left) // res_m, 0, width - 1))
            row = int(np.clip((top - hamlet_xy[k, 1]) // res_m, 0, height - 1))
            win = Window(col, row, 1, 1)
            cur = dst.read(1, window=win).astype(np.float64)
            dst.write((cur + population[k]).astype(np.float32), 1, window=win)
    return path
