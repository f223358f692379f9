"""The sample's rasters: the DEM and a population raster consistent with the hamlets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from affine import Affine

from gis.layers.rasters import write_geotiff
from gis.sample.frame import ANALYSIS_EPSG
from gis.sample.terrain import grid_centres

__all__ = ["population_grid", "write_sample_raster"]

DEM_NODATA = -9999.0
POP_NODATA = -1.0


def write_sample_raster(path: Path, array: np.ndarray, bounds: tuple[float, float, float, float],
                        res_m: float, nodata: float, *, dtype: str = "float32") -> Path:
    """A sample raster over ``bounds`` at ``res_m`` in EPSG:32648 (float32 for measurements,
    uint8 for classes), written by :func:`gis.layers.rasters.write_geotiff`."""
    left, _, _, top = bounds
    transform = Affine.translation(left, top) @ Affine.scale(res_m, -res_m)
    return write_geotiff(path, array.astype(dtype), transform, f"EPSG:{ANALYSIS_EPSG}",
                         nodata=nodata)


def population_grid(bounds: tuple[float, float, float, float], res_m: float,
                    hamlet_polys: np.ndarray, hamlet_xy: np.ndarray, population: np.ndarray,
                    satellite_xy: np.ndarray, satellite_share: float,
                    sigma_m: np.ndarray) -> np.ndarray:
    """People per cell, float32, row 0 to the north.

    Each cell belongs to the hamlet polygon containing its centre. Within a hamlet the people
    are spread as a Gaussian around the centre (``sigma_m``), with ``satellite_share`` of them
    around the outlying cluster where a hamlet has one, plus a thin floor so that no inhabited
    hamlet has an empty cell. Each hamlet's cells sum exactly to its population; a hamlet too
    small to hold a cell centre puts its people in the cell under its centre.
    """
    xs, ys = grid_centres(bounds, res_m)
    xx, yy = np.meshgrid(xs, ys)
    pts = shapely.points(xx.ravel(), yy.ravel())
    tree = shapely.STRtree(list(hamlet_polys))
    p_idx, h_idx = tree.query(pts, predicate="within")
    owner = np.full(pts.shape[0], -1, dtype=np.int64)
    owner[p_idx] = h_idx
    cells = np.flatnonzero(owner >= 0)
    h = owner[cells]
    cx, cy = xx.ravel()[cells], yy.ravel()[cells]
    d2 = (cx - hamlet_xy[h, 0]) ** 2 + (cy - hamlet_xy[h, 1]) ** 2
    w = np.exp(-d2 / (2 * sigma_m[h] ** 2)) + 0.004
    has_sat = np.isfinite(satellite_xy[:, 0])
    main_share = np.where(has_sat, 1.0 - satellite_share, 1.0)
    w_total = np.bincount(h, weights=w, minlength=len(population))
    value = np.zeros(pts.shape[0])
    value[cells] = main_share[h] * population[h] * w / np.maximum(w_total[h], 1e-12)
    sat_cells = cells[has_sat[h]]
    if len(sat_cells):
        hs = owner[sat_cells]
        ds2 = ((xx.ravel()[sat_cells] - satellite_xy[hs, 0]) ** 2
               + (yy.ravel()[sat_cells] - satellite_xy[hs, 1]) ** 2)
        ws = np.exp(-ds2 / (2 * 150.0**2))
        ws_total = np.bincount(hs, weights=ws, minlength=len(population))
        value[sat_cells] += satellite_share * population[hs] * ws / np.maximum(ws_total[hs],
                                                                              1e-12)
    # Hamlets without any cell centre: their people go to the cell under the centre.
    empty = np.flatnonzero(np.bincount(h, minlength=len(population)) == 0)
    if len(empty):
        col = np.clip(((hamlet_xy[empty, 0] - bounds[0]) // res_m).astype(int), 0, len(xs) - 1)
        row = np.clip(((bounds[3] - hamlet_xy[empty, 1]) // res_m).astype(int), 0, len(ys) - 1)
        np.add.at(value, row * len(xs) + col, population[empty])
    return value.reshape(xx.shape).astype(np.float32)
